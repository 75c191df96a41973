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

/// [`dot`] compiled for the baseline instructions only: the fallback.
fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    lanes::<32, false>(a, b)
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

/// Products of `a` and `b` added into `L` independent partial sums (several
/// vector registers' worth, so the additions do not wait on each other) while
/// `L` values remain, then into 16 sums while 16 remain (short vectors, such
/// as one attention head's 32 values, would otherwise fall through to the
/// scalar tail), then one by one. Fused multiply-adds when `FMA`.
#[inline(always)]
fn lanes<const L: usize, const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let wide = n / L * L;
    let mut sums = [0.0f32; L];
    add_products::<L, FMA>(&mut sums, &a[..wide], &b[..wide]);
    // Halve in place (whole vector registers at a time) down to 16 sums,
    // then 4 more steps to one: log2(L) steps, not L dependent additions.
    let mut width = L / 2;
    while width >= 16 {
        for i in 0..width {
            sums[i] += sums[i + width];
        }
        width /= 2;
    }
    let mut narrow = [0.0f32; 16];
    narrow.copy_from_slice(&sums[..16]);
    let middle = wide + (n - wide) / 16 * 16;
    add_products::<16, FMA>(&mut narrow, &a[wide..middle], &b[wide..middle]);
    let tail: f32 = a[middle..]
        .iter()
        .zip(&b[middle..])
        .map(|(x, y)| x * y)
        .sum();
    let mut width = 8;
    while width > 0 {
        for i in 0..width {
            narrow[i] += narrow[i + width];
        }
        width /= 2;
    }
    narrow[0] + tail
}

/// `sums[i] += Σ a[k] · b[k]` over every `k ≡ i (mod W)`; the slices' length
/// is a multiple of `W`.
#[inline(always)]
fn add_products<const W: usize, const FMA: bool>(sums: &mut [f32; W], a: &[f32], b: &[f32]) {
    for (x, y) in a.chunks_exact(W).zip(b.chunks_exact(W)) {
        for ((sum, x), y) in sums.iter_mut().zip(x).zip(y) {
            *sum = if FMA {
                x.mul_add(*y, *sum)
            } else {
                *sum + x * y
            };
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_plain_sum_at_every_length() {
        for n in [0, 1, 15, 16, 17, 32, 48, 63, 64, 65, 80, 383, 384, 1000] {
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
