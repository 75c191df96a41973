//! Which of an account's logins still hold: after a password reset none
//! started earlier does, after a password change none but the one that
//! changed it. A login is a refresh-token family, whose id (UUIDv7) says
//! when it started.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;

/// Logins started before `after` are revoked, but for `kept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logins {
    #[serde(with = "time::serde::rfc3339")]
    pub after: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Uuid>,
}

impl Logins {
    /// Whether the login `family` is revoked. Times compare in whole
    /// milliseconds (a family's id holds no finer time). A family without a
    /// time (from before families were time-ordered) started before any cut.
    pub fn revokes(&self, family: Uuid) -> bool {
        if self.kept == Some(family) {
            return false;
        }
        let started = family.get_timestamp().map(|t| {
            let (secs, nanos) = t.to_unix();
            i128::from(secs) * 1_000 + i128::from(nanos / 1_000_000)
        });
        let cut = self.after.unix_timestamp_nanos() / 1_000_000;
        started.is_none_or(|at| at < cut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, OffsetDateTime};

    #[test]
    fn earlier_logins_are_revoked_but_the_kept_one() {
        let before = Uuid::now_v7();
        let kept = Uuid::now_v7();
        std::thread::sleep(std::time::Duration::from_millis(3));
        let cut = OffsetDateTime::now_utc();
        std::thread::sleep(std::time::Duration::from_millis(3));
        let after = Uuid::now_v7();
        let logins = Logins {
            after: cut,
            kept: Some(kept),
        };
        assert!(logins.revokes(before));
        assert!(!logins.revokes(kept));
        assert!(!logins.revokes(after));
        assert!(logins.revokes(Uuid::new_v4()), "an untimed family is older");
        let everything = Logins {
            after: cut + Duration::hours(1),
            kept: None,
        };
        assert!(everything.revokes(after));
    }
}
