//! Records as stored: JSON documents, times as unix nanoseconds, and TTLs.

use serde::Serialize;
use serde::de::DeserializeOwned;
use souk_actors::store::StoreError;
use time::{Duration, OffsetDateTime};

pub(crate) fn to_doc<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn from_doc<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("stored document: {e}")))
}

pub(crate) fn nanos(at: OffsetDateTime) -> Result<i64, StoreError> {
    i64::try_from(at.unix_timestamp_nanos())
        .map_err(|_| StoreError::Conflict(format!("{at} is outside the storable times")))
}

pub(crate) fn from_nanos(nanos: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// ScyllaDB's longest TTL: 20 years.
const MAX_TTL: i64 = 630_720_000;

/// A TTL in seconds that keeps a row until `grace` after `until`: at least
/// a second, at most ScyllaDB's longest.
pub(crate) fn ttl(until: OffsetDateTime, grace: Duration) -> i32 {
    let seconds = (until + grace - OffsetDateTime::now_utc()).whole_seconds();
    i32::try_from(seconds.clamp(1, MAX_TTL)).unwrap_or(i32::MAX)
}

pub(crate) fn to_bigint(n: impl TryInto<i64>, what: &str) -> Result<i64, StoreError> {
    n.try_into()
        .map_err(|_| StoreError::Conflict(format!("{what} is too large to store")))
}

pub(crate) fn from_bigint<T: TryFrom<i64>>(n: i64, what: &str) -> Result<T, StoreError> {
    T::try_from(n).map_err(|_| StoreError::Corrupt(format!("stored {what} {n} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_nanoseconds() {
        let at = OffsetDateTime::now_utc();
        assert_eq!(
            from_nanos(nanos(at).ok().unwrap_or_default()).ok(),
            Some(at)
        );
    }

    #[test]
    fn ttls_are_clamped_to_what_scylla_takes() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(ttl(now - Duration::days(1), Duration::ZERO), 1);
        let day = ttl(now, Duration::days(1));
        assert!((86_398..=86_400).contains(&day), "{day}");
        assert_eq!(
            ttl(now + Duration::days(365 * 40), Duration::ZERO),
            630_720_000
        );
    }

    #[test]
    fn documents_round_trip_and_bad_ones_are_corrupt() {
        let doc = to_doc(&vec![1, 2, 3]).ok();
        assert_eq!(doc.as_deref(), Some("[1,2,3]"));
        let back: Result<Vec<i32>, _> = from_doc("[1,2,3]");
        assert_eq!(back.ok(), Some(vec![1, 2, 3]));
        let bad: Result<Vec<i32>, _> = from_doc("{");
        assert!(matches!(bad, Err(StoreError::Corrupt(_))));
        assert!(matches!(
            from_bigint::<u32>(-1, "a quantity"),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            to_bigint(u64::MAX, "a count"),
            Err(StoreError::Conflict(_))
        ));
    }
}
