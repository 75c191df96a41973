//! f32 → bf16 rounding.

/// `v` rounded to the nearest bf16 (ties to even), as its bit pattern. NaN
/// stays NaN.
pub fn to_bf16(v: f32) -> u16 {
    let bits = v.to_bits();
    if v.is_nan() {
        return ((bits >> 16) | 0x40) as u16;
    }
    let rounded = bits.wrapping_add(0x7fff + ((bits >> 16) & 1));
    (rounded >> 16) as u16
}

/// The row-major `(rows, cols)` matrix `x` in bf16, followed by zero rows up
/// to `padded` rows.
pub(crate) fn rows_to_bf16(x: &[f32], cols: usize, padded: usize) -> Vec<u16> {
    let mut out = vec![0u16; padded * cols];
    for (o, v) in out.iter_mut().zip(x) {
        *o = to_bf16(*v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_nearest_even() {
        assert_eq!(to_bf16(1.0), 0x3f80);
        assert_eq!(to_bf16(-2.0), 0xc000);
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1.0).
        assert_eq!(to_bf16(1.0 + 1.0 / 256.0), 0x3f80);
        // Just above halfway rounds up.
        assert_eq!(to_bf16(1.0 + 1.0 / 256.0 + 1.0 / 65_536.0), 0x3f81);
        assert!(f32::from_bits(u32::from(to_bf16(f32::NAN)) << 16).is_nan());
        assert_eq!(to_bf16(f32::INFINITY), 0x7f80);
    }

    #[test]
    fn pads_with_zero_rows() {
        let out = rows_to_bf16(&[1.0, 2.0], 2, 3);
        assert_eq!(out, vec![0x3f80, 0x4000, 0, 0, 0, 0]);
    }
}
