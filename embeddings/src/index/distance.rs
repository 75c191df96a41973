//! The distance the graph is built and searched with.

use hnsw_rs::prelude::Distance;

use crate::vector::dot;

/// `1 - a·b` for unit vectors (the cosine distance), clamped at 0.
///
/// Why not the distances `hnsw_rs` ships: `DistDot` asserts `1 - a·b >= 0`,
/// which f32 rounding breaks for about 40 % of normalised vectors compared with
/// themselves (searching with an indexed vector panicked), and `DistCosine`
/// recomputes both norms in f64 for every pair. Both add up the products one
/// after another, which keeps them scalar; [`dot`] is written so the compiler
/// vectorises it. Every vector given to the graph must already be normalised.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct UnitDot;

impl Distance<f32> for UnitDot {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - dot(a, b)).max(0.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::vector::{DIM, Vector};

    #[test]
    fn never_negative_for_a_vector_and_itself() {
        for seed in 0..500u32 {
            let raw: Vec<f32> = (0..DIM)
                .map(|i| ((i as u32 * 7919 + seed * 104_729) % 1000) as f32 - 499.5)
                .collect();
            let v = Vector::normalized(&raw).unwrap();
            let d = UnitDot.eval(v.as_slice(), v.as_slice());
            assert!((0.0..1e-5).contains(&d), "{d}");
        }
    }

    #[test]
    fn orders_like_the_cosine() {
        let a = Vector::normalized(&[1.0; DIM]).unwrap();
        let mut near = vec![1.0; DIM];
        near[0] = 2.0;
        let near = Vector::normalized(&near).unwrap();
        let far = Vector::normalized(&(0..DIM).map(|i| i as f32).collect::<Vec<_>>()).unwrap();
        let d = |v: &Vector| UnitDot.eval(a.as_slice(), v.as_slice());
        assert!(d(&near) < d(&far));
        assert!(((1.0 - d(&far)) - a.cosine(&far)).abs() < 1e-5);
    }
}
