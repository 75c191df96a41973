//! How the embedded store's keys and values become bytes.
//!
//! A key's bytes sort as the key does: integers are big-endian and a tuple's
//! fields follow each other, so fjall's bytewise order is each table's key
//! order and a range of keys is a range of bytes. Decoding never panics: a
//! short or malformed value decodes to zeros or an empty string (the store
//! only reads back what it wrote).

use std::marker::PhantomData;

/// Something stored as bytes; `SelfType` is what a read gives back (it may
/// borrow the bytes).
pub trait Value: 'static {
    type SelfType<'a>;
    fn as_bytes(value: &Self::SelfType<'_>) -> Vec<u8>;
    fn from_bytes(bytes: &[u8]) -> Self::SelfType<'_>;
}

/// A value whose bytes sort as it does.
pub trait Key: Value {}

/// The first `N` bytes of `bytes`, zero-padded.
fn fixed<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = bytes.len().min(N);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Value for $t {
            type SelfType<'a> = $t;
            fn as_bytes(value: &$t) -> Vec<u8> {
                value.to_be_bytes().to_vec()
            }
            fn from_bytes(bytes: &[u8]) -> $t {
                <$t>::from_be_bytes(fixed(bytes))
            }
        }
    )*};
}

integer!(u64, u128, i64, i128);
impl Key for u128 {}

macro_rules! pair {
    ($a:ty, $b:ty) => {
        impl Value for ($a, $b) {
            type SelfType<'a> = ($a, $b);
            fn as_bytes(value: &($a, $b)) -> Vec<u8> {
                [value.0.to_be_bytes().as_slice(), &value.1.to_be_bytes()].concat()
            }
            fn from_bytes(bytes: &[u8]) -> ($a, $b) {
                let split = size_of::<$a>().min(bytes.len());
                let (a, b) = bytes.split_at(split);
                (<$a>::from_be_bytes(fixed(a)), <$b>::from_be_bytes(fixed(b)))
            }
        }
        impl Key for ($a, $b) {}
    };
}

pair!(u128, u128);
pair!(u128, u64);
pair!(u64, u128);

impl Value for &'static str {
    type SelfType<'a> = &'a str;
    fn as_bytes(value: &&str) -> Vec<u8> {
        value.as_bytes().to_vec()
    }
    fn from_bytes(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}
impl Key for &'static str {}

impl Value for &'static [u8] {
    type SelfType<'a> = &'a [u8];
    fn as_bytes(value: &&[u8]) -> Vec<u8> {
        value.to_vec()
    }
    fn from_bytes(bytes: &[u8]) -> &[u8] {
        bytes
    }
}

impl Value for () {
    type SelfType<'a> = ();
    fn as_bytes(_: &()) -> Vec<u8> {
        Vec::new()
    }
    fn from_bytes(_: &[u8]) {}
}

/// A table: its number (its place in [`super::tables::NAMES`]) and the types
/// of its keys and values.
pub struct TableDef<K, V> {
    pub number: u8,
    types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> TableDef<K, V> {
    pub const fn new(number: u8) -> Self {
        Self {
            number,
            types: PhantomData,
        }
    }
}

impl<K, V> Clone for TableDef<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for TableDef<K, V> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorts_as_values<K: Key>(values: &[K::SelfType<'_>])
    where
        for<'a> K::SelfType<'a>: Ord + std::fmt::Debug + Copy,
    {
        for pair in values.windows(2) {
            assert!(pair[0] < pair[1], "test values in order");
            assert!(K::as_bytes(&pair[0]) < K::as_bytes(&pair[1]), "{pair:?}");
            let bytes = K::as_bytes(&pair[0]);
            assert_eq!(
                K::as_bytes(&K::from_bytes(&bytes)),
                bytes,
                "{pair:?} reads back"
            );
        }
    }

    #[test]
    fn key_bytes_sort_as_keys() {
        sorts_as_values::<u128>(&[0, 1, 255, 256, 1 << 64, u128::MAX - 1, u128::MAX]);
        sorts_as_values::<(u128, u64)>(&[(0, 5), (1, 0), (1, 1), (1, 256), (2, 0)]);
        sorts_as_values::<(u128, u128)>(&[(0, u128::MAX), (1, 0), (256, 1), (256, 2)]);
        sorts_as_values::<&str>(&["", "a", "a@b", "b", "é"]);
    }

    #[test]
    fn malformed_bytes_decode_without_panicking() {
        assert_eq!(<u128 as Value>::from_bytes(&[1]), 1 << 120);
        assert_eq!(<(u128, u64) as Value>::from_bytes(&[]), (0, 0));
        assert_eq!(<&str as Value>::from_bytes(&[0xff, 0xfe]), "");
    }
}
