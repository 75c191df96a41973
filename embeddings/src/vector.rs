//! Sentence vectors: a fixed 384-dimension `f32` array with similarity helpers and a
//! compact byte encoding for storing vectors beside products.

use thiserror::Error;

/// Number of dimensions of an all-MiniLM-L6-v2 sentence vector.
pub const DIM: usize = 384;

/// Size in bytes of [`Vector::to_bytes`]: `DIM` little-endian `f32`s.
pub const ENCODED_LEN: usize = DIM * 4;

/// Why a vector could not be built from raw data.
#[derive(Debug, Error, PartialEq)]
pub enum VectorError {
    /// The input had the wrong number of values or bytes.
    #[error("expected {expected} {unit}, got {actual}")]
    WrongLength {
        /// How many were expected.
        expected: usize,
        /// How many were given.
        actual: usize,
        /// What was counted ("values" or "bytes").
        unit: &'static str,
    },
    /// A component was NaN or infinite.
    #[error("vector component {index} is not a finite number")]
    NotFinite {
        /// Position of the first bad component.
        index: usize,
    },
    /// The vector is all zeros and cannot be normalised.
    #[error("the zero vector has no direction and cannot be normalised")]
    Zero,
}

/// A 384-dimension sentence vector. Vectors produced by
/// [`Embedder`](crate::model::Embedder) are L2-normalised, so [`Vector::dot`] is their
/// cosine similarity.
#[derive(Clone, PartialEq)]
pub struct Vector(Box<[f32; DIM]>);

impl Vector {
    /// Builds a vector from exactly [`DIM`] finite values, as given (not normalised).
    pub fn from_slice(values: &[f32]) -> Result<Self, VectorError> {
        let array: [f32; DIM] = values.try_into().map_err(|_| VectorError::WrongLength {
            expected: DIM,
            actual: values.len(),
            unit: "values",
        })?;
        if let Some(index) = array.iter().position(|v| !v.is_finite()) {
            return Err(VectorError::NotFinite { index });
        }
        Ok(Self(Box::new(array)))
    }

    /// Builds a vector from [`DIM`] finite values and scales it to unit length.
    pub fn normalized(values: &[f32]) -> Result<Self, VectorError> {
        let mut vector = Self::from_slice(values)?;
        let norm = vector.norm();
        if norm == 0.0 || !norm.is_finite() {
            return Err(VectorError::Zero);
        }
        for v in vector.0.iter_mut() {
            *v /= norm;
        }
        Ok(vector)
    }

    /// The components.
    pub fn as_slice(&self) -> &[f32] {
        self.0.as_slice()
    }

    /// Euclidean length.
    pub fn norm(&self) -> f32 {
        self.dot(self).sqrt()
    }

    /// Dot product; equals the cosine similarity when both vectors are normalised.
    pub fn dot(&self, other: &Vector) -> f32 {
        dot(self.as_slice(), other.as_slice())
    }

    /// Cosine similarity in [-1, 1], correct whether or not the vectors are
    /// normalised; 0 when either is the zero vector.
    pub fn cosine(&self, other: &Vector) -> f32 {
        let denominator = self.norm() * other.norm();
        if denominator == 0.0 {
            return 0.0;
        }
        (self.dot(other) / denominator).clamp(-1.0, 1.0)
    }

    /// Compact encoding: [`DIM`] little-endian `f32`s ([`ENCODED_LEN`] bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Decodes [`Vector::to_bytes`]; checks the length and that every value is finite.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VectorError> {
        if bytes.len() != ENCODED_LEN {
            return Err(VectorError::WrongLength {
                expected: ENCODED_LEN,
                actual: bytes.len(),
                unit: "bytes",
            });
        }
        let values: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Self::from_slice(&values)
    }
}

impl std::fmt::Debug for Vector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vector({:?}, …; norm {:.4})", &self.0[..4], self.norm())
    }
}

impl AsRef<[f32]> for Vector {
    fn as_ref(&self) -> &[f32] {
        self.as_slice()
    }
}

/// Dot product of two equal-length slices (shorter length wins if they
/// differ), with the widest vector instructions the CPU has (AVX-512, AVX2 +
/// FMA or the SSE2 baseline; see [`souk_simd::dot`]). The graph search, the
/// exact search and attention spend much of their time here.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    souk_simd::dot(a, b)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ramp() -> Vec<f32> {
        (0..DIM).map(|i| i as f32 - 100.0).collect()
    }

    #[test]
    fn bytes_round_trip() {
        let v = Vector::normalized(&ramp()).unwrap();
        let bytes = v.to_bytes();
        assert_eq!(bytes.len(), ENCODED_LEN);
        assert_eq!(Vector::from_bytes(&bytes).unwrap(), v);
    }

    #[test]
    fn wrong_lengths_are_errors() {
        assert!(matches!(
            Vector::from_bytes(&[0u8; 10]),
            Err(VectorError::WrongLength { actual: 10, .. })
        ));
        assert!(Vector::from_slice(&[1.0; 3]).is_err());
        let mut bad = vec![0u8; ENCODED_LEN];
        bad[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(
            Vector::from_bytes(&bad),
            Err(VectorError::NotFinite { index: 2 })
        );
        assert_eq!(Vector::normalized(&[0.0; DIM]), Err(VectorError::Zero));
    }

    #[test]
    fn cosine_and_dot_agree_on_unit_vectors() {
        let a = Vector::normalized(&ramp()).unwrap();
        let b = Vector::normalized(&ramp().iter().map(|v| v * v).collect::<Vec<_>>()).unwrap();
        assert!((a.norm() - 1.0).abs() < 1e-5);
        assert!((a.cosine(&b) - a.dot(&b)).abs() < 1e-5);
        assert!((a.cosine(&a) - 1.0).abs() < 1e-5);
    }
}
