//! Comparing secrets (tokens, signatures) without leaking, through timing,
//! how much of a guess was right.

/// Whether `given` equals `expected`, in time independent of where they
/// differ (it does depend on the length of `expected`).
pub(crate) fn same(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}
