//! The f32 dot product, chosen at run time for the CPU.
//!
//! Safe `#[target_feature]` functions compile the same portable loop for
//! AVX-512 or AVX2 + FMA; calling one needs `unsafe` and a check that the CPU
//! has the features, done once and cached by the standard library's
//! detection.

/// `a · b` over the first `min(a.len(), b.len())` values, with the widest
/// vector instructions this CPU has.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, the only feature the function enables.
            return unsafe { dot_avx512(a, b) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA, the features the function enables.
            return unsafe { dot_avx2(a, b) };
        }
    }
    dot_portable(a, b)
}

/// [`dot`] compiled for the baseline instructions only (for comparison).
pub fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    lanes::<16, false>(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn dot_avx512(a: &[f32], b: &[f32]) -> f32 {
    lanes::<64, true>(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    lanes::<32, true>(a, b)
}

/// `L` independent partial sums (several vector registers' worth, so the
/// additions do not wait on each other), fused multiply-adds when `FMA`.
#[inline(always)]
fn lanes<const L: usize, const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let a_chunks = a.chunks_exact(L);
    let b_chunks = b.chunks_exact(L);
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut sums = [0.0f32; L];
    for (x, y) in a_chunks.zip(b_chunks) {
        for ((sum, x), y) in sums.iter_mut().zip(x).zip(y) {
            *sum = if FMA {
                x.mul_add(*y, *sum)
            } else {
                *sum + x * y
            };
        }
    }
    // Halve in place (whole vector registers at a time) instead of adding
    // the lanes one after another: log2(L) steps, not L dependent additions.
    let mut width = L / 2;
    while width > 0 {
        for i in 0..width {
            sums[i] += sums[i + width];
        }
        width /= 2;
    }
    sums[0] + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_plain_sum_at_every_length() {
        for n in [0, 1, 15, 16, 17, 63, 64, 65, 383, 384, 1000] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let tolerance = 1e-4 * (n as f32).max(1.0);
            assert!((dot(&a, &b) - plain).abs() < tolerance, "n = {n}");
            assert!((dot_portable(&a, &b) - plain).abs() < tolerance, "n = {n}");
            assert!((dot(&a, &b[..n / 2]) - dot(&a[..n / 2], &b)).abs() < 1e-5);
        }
    }
}
