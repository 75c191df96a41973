//! Accounts by id for a short while, for the lookup every authenticated
//! request makes.
//!
//! Other nodes write accounts too, so an entry lives at most [`TTL`]: an
//! account disabled or changed on another node is seen here within that
//! time. A write through this store drops its entry at once and counts as a
//! write, and a read fills the cache only if no account was written here
//! since it began, so this node never serves an older account than one it
//! wrote itself.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use souk_models::{User, UserId};

/// How long an account is served from memory.
pub const TTL: Duration = Duration::from_secs(1);

/// Accounts kept at most; past it the cache starts over.
const MAX_USERS: usize = 65_536;

#[derive(Default)]
pub struct UserCache(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    users: HashMap<UserId, (User, Instant)>,
    writes: u64,
}

impl UserCache {
    /// The account, if read less than [`TTL`] ago.
    pub fn get(&self, id: UserId) -> Option<User> {
        let inner = self.0.lock().ok()?;
        let (user, read_at) = inner.users.get(&id)?;
        (read_at.elapsed() < TTL).then(|| user.clone())
    }

    /// To pass to [`Self::fill`] with what is read after this call.
    pub fn writes(&self) -> u64 {
        self.0.lock().map_or(u64::MAX, |inner| inner.writes)
    }

    /// Keeps `user`, read at `read_at` after [`Self::writes`] returned
    /// `writes`, unless an account was written here since.
    pub fn fill(&self, writes: u64, user: &User, read_at: Instant) {
        let Ok(mut inner) = self.0.lock() else { return };
        if inner.writes != writes {
            return;
        }
        if inner.users.len() >= MAX_USERS {
            inner.users.clear();
        }
        inner.users.insert(user.id, (user.clone(), read_at));
    }

    /// Drops `id` (or every account, for `None`) before a write of it.
    pub fn forget(&self, id: Option<UserId>) {
        let Ok(mut inner) = self.0.lock() else { return };
        inner.writes += 1;
        match id {
            Some(id) => {
                inner.users.remove(&id);
            }
            None => inner.users.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        souk_actors::store::conformance::user("a@example.com", souk_models::Role::Customer)
    }

    #[test]
    fn a_read_from_before_a_write_is_not_kept() {
        let cache = UserCache::default();
        let u = user();
        let writes = cache.writes();
        cache.forget(Some(u.id));
        cache.fill(writes, &u, Instant::now());
        assert_eq!(cache.get(u.id), None);
        cache.fill(cache.writes(), &u, Instant::now());
        assert_eq!(cache.get(u.id).map(|c| c.id), Some(u.id));
    }

    #[test]
    fn entries_expire() {
        let cache = UserCache::default();
        let u = user();
        cache.fill(cache.writes(), &u, Instant::now() - TTL);
        assert_eq!(cache.get(u.id), None);
    }
}
