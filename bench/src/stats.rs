//! Latency percentiles from the raw per-request samples the load tasks collect.

use std::time::Duration;

/// What one load task measured inside the measurement window.
#[derive(Debug, Default)]
pub struct TaskStats {
    /// Latency of every successful request, in microseconds.
    pub latencies_us: Vec<u32>,
    /// Connection failures, transport errors and non-2xx responses.
    pub errors: u64,
    /// The first error seen, to explain a non-zero error count.
    pub first_error: Option<String>,
}

impl TaskStats {
    pub fn record_success(&mut self, latency: Duration) {
        let micros = u32::try_from(latency.as_micros()).unwrap_or(u32::MAX);
        self.latencies_us.push(micros);
    }

    pub fn record_error(&mut self, error: impl FnOnce() -> String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(error());
        }
    }

    /// Folds another task's samples into this one.
    pub fn merge(&mut self, other: TaskStats) {
        self.latencies_us.extend(other.latencies_us);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    /// Exact nearest-rank percentiles; `None` when there are no samples.
    pub fn from_samples(samples_us: &mut [u32]) -> Option<Percentiles> {
        samples_us.sort_unstable();
        let max = *samples_us.last()?;
        let ms = |micros: u32| f64::from(micros) / 1000.0;
        Some(Percentiles {
            p50: ms(nearest_rank(samples_us, 0.50)),
            p90: ms(nearest_rank(samples_us, 0.90)),
            p99: ms(nearest_rank(samples_us, 0.99)),
            max: ms(max),
        })
    }
}

/// The smallest sample that at least `quantile` of all samples are less than or equal to.
/// `sorted` must be sorted and non-empty.
fn nearest_rank(sorted: &[u32], quantile: f64) -> u32 {
    // Sample counts stay far below 2^52, so the float round trip is exact.
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted.get(index).copied().unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples: Vec<u32> = (1..=100).rev().map(|ms| ms * 1000).collect();
        let p = Percentiles::from_samples(&mut samples).unwrap();
        assert_eq!(
            p,
            Percentiles {
                p50: 50.0,
                p90: 90.0,
                p99: 99.0,
                max: 100.0
            }
        );
    }

    #[test]
    fn single_sample_is_every_percentile() {
        let p = Percentiles::from_samples(&mut [1500]).unwrap();
        assert_eq!(
            p,
            Percentiles {
                p50: 1.5,
                p90: 1.5,
                p99: 1.5,
                max: 1.5
            }
        );
    }

    #[test]
    fn no_samples_no_percentiles() {
        assert_eq!(Percentiles::from_samples(&mut []), None);
    }

    #[test]
    fn merge_keeps_first_error() {
        let mut a = TaskStats::default();
        a.record_success(Duration::from_millis(2));
        let mut b = TaskStats::default();
        b.record_error(|| "boom".to_owned());
        b.record_error(|| "second".to_owned());
        a.merge(b);
        assert_eq!(a.latencies_us, vec![2000]);
        assert_eq!(a.errors, 2);
        assert_eq!(a.first_error.as_deref(), Some("boom"));
    }
}
