//! Time-bucketed indexes: what the ports list by owner or in time order
//! (accounts in creation order, a buyer's or a seller's orders newest
//! first, unpaid orders, a lane's queued tickets, tokens by expiry, mail
//! newest first and open mail by due time, notifications by when they
//! were made).
//!
//! A series is a name (`buyer/<id>`, `lane/standard`, …) whose rows are ids
//! partitioned by `(name, hour)`, so no partition grows without bound; the
//! hours a series has rows in are listed in `series_buckets`. Ids are
//! bucketed by the time in their UUIDv7 (other ids fall in bucket 0), so id
//! order and bucket order agree and a page can resume from any id. Readers
//! check every id against its record, so an index row that outlived its
//! record (a crash between two writes, a purged tombstone) is skipped. A
//! series of what lapses (account tokens by expiry) carries TTLs.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use souk_actors::store::StoreError;

use super::ScyllaStore;
use super::db::{Write, vals};
use super::docs::ttl;

const HOUR_MS: i64 = 3_600_000;

/// The bucket of a time in unix milliseconds.
pub(crate) fn bucket_of_ms(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS)
}

/// The bucket of a time.
pub(crate) fn bucket_of_time(at: OffsetDateTime) -> i64 {
    let ms = at.unix_timestamp_nanos() / 1_000_000;
    bucket_of_ms(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// The bucket of an id: the hour of its UUIDv7 time, 0 for other ids.
pub(crate) fn bucket_of_id(id: Uuid) -> i64 {
    if id.get_version_num() != 7 {
        return 0;
    }
    let bytes = id.as_bytes();
    let ms = bytes[..6]
        .iter()
        .fold(0i64, |ms, byte| (ms << 8) | i64::from(*byte));
    bucket_of_ms(ms)
}

/// Adds `id` (with an optional value `at`) to series `name` in `bucket`.
pub(crate) fn add(name: &str, bucket: i64, id: Vec<u8>, at: Option<i64>) -> [Write; 2] {
    [
        Write::new(
            "INSERT INTO series (name, bucket, id, at) VALUES (?, ?, ?, ?)",
            vals![name, bucket, id, at],
        ),
        Write::new(
            "INSERT INTO series_buckets (name, bucket) VALUES (?, ?)",
            vals![name, bucket],
        ),
    ]
}

/// Adds `id` (with `at`) to series `name` in the bucket of `until`, for a
/// series of what lapses then: the row is kept until `grace` after
/// `until`, and the bucket's row until `grace` after the end of its hour,
/// so it outlives every row in it. Nothing is left if no purge comes.
pub(crate) fn add_until(
    name: &str,
    id: Vec<u8>,
    at: Option<i64>,
    until: OffsetDateTime,
    grace: Duration,
) -> [Write; 2] {
    let bucket = bucket_of_time(until);
    let end_ns = i128::from(bucket.saturating_add(1)) * i128::from(HOUR_MS) * 1_000_000;
    let end = OffsetDateTime::from_unix_timestamp_nanos(end_ns).unwrap_or(until);
    [
        Write::new(
            "INSERT INTO series (name, bucket, id, at) VALUES (?, ?, ?, ?) USING TTL ?",
            vals![name, bucket, id, at, ttl(until, grace)],
        ),
        Write::new(
            "INSERT INTO series_buckets (name, bucket) VALUES (?, ?) USING TTL ?",
            vals![name, bucket, ttl(end, grace)],
        ),
    ]
}

/// Removes `id` from series `name`.
pub(crate) fn remove(name: &str, bucket: i64, id: Vec<u8>) -> Write {
    Write::new(
        "DELETE FROM series WHERE name = ? AND bucket = ? AND id = ?",
        vals![name, bucket, id],
    )
}

/// Which way a page runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Oldest first, after the cursor.
    Up,
    /// Newest first, before the cursor.
    Down,
}

/// Buckets read at a time while looking for rows.
const BUCKETS_PER_READ: i32 = 64;

impl ScyllaStore {
    /// Up to `limit` ids of series `name` past `cursor` (an id of the
    /// series, bucketed by its own time), in `direction`.
    pub(crate) async fn series_page(
        &self,
        name: &str,
        cursor: Option<Uuid>,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut found: Vec<Uuid> = Vec::new();
        let mut bucket = cursor.map(bucket_of_id);
        let mut cursor = cursor.map(super::db::key);
        let mut first = true;
        loop {
            let buckets = self.series_buckets(name, bucket, first, direction).await?;
            first = false;
            let Some(&last) = buckets.last() else {
                return Ok(found);
            };
            for b in buckets {
                let want = i32::try_from(limit - found.len()).unwrap_or(i32::MAX);
                let ids: Vec<(Vec<u8>,)> =
                    match (direction, cursor.take()) {
                        (Direction::Up, from) => self
                            .db
                            .rows(
                                "SELECT id FROM series WHERE name = ? AND bucket = ? AND id > ? \
                                 LIMIT ?",
                                vals![name, b, from.unwrap_or_default(), want],
                            )
                            .await?,
                        (Direction::Down, Some(from)) => self
                            .db
                            .rows(
                                "SELECT id FROM series WHERE name = ? AND bucket = ? AND id < ? \
                                 ORDER BY id DESC LIMIT ?",
                                vals![name, b, from, want],
                            )
                            .await?,
                        (Direction::Down, None) => {
                            self.db
                                .rows(
                                    "SELECT id FROM series WHERE name = ? AND bucket = ? \
                                 ORDER BY id DESC LIMIT ?",
                                    vals![name, b, want],
                                )
                                .await?
                        }
                    };
                for (id,) in ids {
                    found.push(super::db::id(&id)?);
                }
                if found.len() >= limit {
                    return Ok(found);
                }
            }
            bucket = Some(last);
        }
    }

    /// The next buckets of series `name` from `from` (itself included on
    /// the first read), in `direction`.
    async fn series_buckets(
        &self,
        name: &str,
        from: Option<i64>,
        first: bool,
        direction: Direction,
    ) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> =
            match (direction, from, first) {
                (Direction::Up, None, _) => {
                    self.db
                        .rows(
                            "SELECT bucket FROM series_buckets WHERE name = ? LIMIT ?",
                            vals![name, BUCKETS_PER_READ],
                        )
                        .await?
                }
                (Direction::Up, Some(from), true) => self
                    .db
                    .rows(
                        "SELECT bucket FROM series_buckets WHERE name = ? AND bucket >= ? LIMIT ?",
                        vals![name, from, BUCKETS_PER_READ],
                    )
                    .await?,
                (Direction::Up, Some(from), false) => self
                    .db
                    .rows(
                        "SELECT bucket FROM series_buckets WHERE name = ? AND bucket > ? LIMIT ?",
                        vals![name, from, BUCKETS_PER_READ],
                    )
                    .await?,
                (Direction::Down, None, _) => {
                    self.db
                        .rows(
                            "SELECT bucket FROM series_buckets WHERE name = ? \
                         ORDER BY bucket DESC LIMIT ?",
                            vals![name, BUCKETS_PER_READ],
                        )
                        .await?
                }
                (Direction::Down, Some(from), true) => {
                    self.db
                        .rows(
                            "SELECT bucket FROM series_buckets WHERE name = ? AND bucket <= ? \
                         ORDER BY bucket DESC LIMIT ?",
                            vals![name, from, BUCKETS_PER_READ],
                        )
                        .await?
                }
                (Direction::Down, Some(from), false) => {
                    self.db
                        .rows(
                            "SELECT bucket FROM series_buckets WHERE name = ? AND bucket < ? \
                         ORDER BY bucket DESC LIMIT ?",
                            vals![name, from, BUCKETS_PER_READ],
                        )
                        .await?
                }
            };
        Ok(rows.into_iter().map(|(b,)| b).collect())
    }

    /// Every row of series `name`, oldest bucket first: `(bucket, id, at)`
    /// (see [`Self::series_rows`]).
    pub(crate) async fn series_all(
        &self,
        name: &str,
    ) -> Result<Vec<(i64, Vec<u8>, Option<i64>)>, StoreError> {
        let mut all = Vec::new();
        for bucket in self.series_buckets_until(name, i64::MAX).await? {
            let rows = self.series_rows(name, bucket).await?;
            all.extend(rows.into_iter().map(|(id, at)| (bucket, id, at)));
        }
        Ok(all)
    }

    /// The buckets series `name` has rows in, up to `last`, oldest first.
    pub(crate) async fn series_buckets_until(
        &self,
        name: &str,
        last: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let buckets: Vec<(i64,)> = self
            .db
            .scan(
                "SELECT bucket FROM series_buckets WHERE name = ? AND bucket <= ?",
                vals![name, last],
            )
            .await?;
        Ok(buckets.into_iter().map(|(bucket,)| bucket).collect())
    }

    /// Every row of series `name` in `bucket`: `(id, at)`. A bucket over
    /// two hours old found empty is dropped from the list of buckets, so a
    /// series whose rows come and go (queued tickets, unpaid orders, open
    /// mail) is not read back through its whole history.
    pub(crate) async fn series_rows(
        &self,
        name: &str,
        bucket: i64,
    ) -> Result<Vec<(Vec<u8>, Option<i64>)>, StoreError> {
        let rows: Vec<(Vec<u8>, Option<i64>)> = self
            .db
            .scan(
                "SELECT id, at FROM series WHERE name = ? AND bucket = ?",
                vals![name, bucket],
            )
            .await?;
        let stale_before = bucket_of_time(OffsetDateTime::now_utc()) - 2;
        if rows.is_empty() && bucket < stale_before {
            self.db
                .execute(
                    "DELETE FROM series_buckets WHERE name = ? AND bucket = ?",
                    vals![name, bucket],
                )
                .await?;
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fall_in_the_hour_of_their_time() {
        let id = Uuid::now_v7();
        let now = bucket_of_time(OffsetDateTime::now_utc());
        assert!((now - 1..=now).contains(&bucket_of_id(id)));
        assert_eq!(bucket_of_id(Uuid::new_v4()), 0);
        assert_eq!(bucket_of_ms(3_599_999), 0);
        assert_eq!(bucket_of_ms(3_600_000), 1);
        assert_eq!(bucket_of_ms(-1), -1);
    }

    #[test]
    fn later_ids_never_fall_in_earlier_buckets() {
        let ids: Vec<Uuid> = (0..1000).map(|_| Uuid::now_v7()).collect();
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(bucket_of_id(pair[0]) <= bucket_of_id(pair[1]));
        }
    }

    #[test]
    fn an_index_row_and_its_bucket_are_written_together() {
        let [row, bucket] = add("buyer/x", 7, vec![1; 16], Some(9));
        assert!(row.cql.starts_with("INSERT INTO series "));
        assert_eq!(row.values.len(), 4);
        assert!(bucket.cql.starts_with("INSERT INTO series_buckets "));
        assert_eq!(bucket.values.len(), 2);
        let gone = remove("buyer/x", 7, vec![1; 16]);
        assert!(gone.cql.starts_with("DELETE FROM series "));
    }

    #[test]
    fn a_lapsing_row_is_kept_past_its_time_and_its_bucket_past_its_hour() {
        let until = OffsetDateTime::now_utc() + Duration::minutes(30);
        let [row, bucket] = add_until("lapsing", vec![1; 16], Some(9), until, Duration::hours(1));
        let ttl_of = |w: &Write| match w.values.last() {
            Some(Some(scylla::value::CqlValue::Int(ttl))) => *ttl,
            other => panic!("no TTL bound: {other:?}"),
        };
        assert!(row.cql.ends_with("USING TTL ?") && bucket.cql.ends_with("USING TTL ?"));
        assert_eq!(row.values[1], vals![bucket_of_time(until)][0]);
        let (row_ttl, bucket_ttl) = (ttl_of(&row), ttl_of(&bucket));
        assert!((5_398..=5_400).contains(&row_ttl), "{row_ttl}");
        assert!(
            bucket_ttl >= row_ttl && bucket_ttl <= row_ttl + 3_600,
            "{bucket_ttl}"
        );
    }
}
