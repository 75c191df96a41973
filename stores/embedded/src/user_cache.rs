//! Decoded accounts by id, for the lookup every authenticated request makes.
//!
//! Exact, not time-based: every write of an account goes through this store's
//! writer thread, which drops the entry (and counts the write) once the write
//! is visible and before anyone is answered, whether or not the caller still
//! waits. It does so under the lock a reader takes to fill the cache, and a
//! reader fills only if no account was written since it started reading, so a
//! value read before a write never lands in the cache after it.

use std::collections::HashMap;
use std::sync::Mutex;

use souk_models::User;

/// Accounts kept at most; past it the cache starts over.
const MAX_USERS: usize = 65_536;

#[derive(Default)]
pub struct UserCache(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    users: HashMap<u128, User>,
    /// Account writes so far.
    writes: u64,
}

impl UserCache {
    pub fn get(&self, id: u128) -> Option<User> {
        self.0.lock().ok()?.users.get(&id).cloned()
    }

    /// To pass to [`Self::fill`] with what is read after this call.
    pub fn writes(&self) -> u64 {
        self.0.lock().map_or(u64::MAX, |inner| inner.writes)
    }

    /// Keeps `user`, read after [`Self::writes`] returned `writes`, unless an
    /// account was written since.
    pub fn fill(&self, writes: u64, user: &User) {
        let Ok(mut inner) = self.0.lock() else {
            return;
        };
        if inner.writes != writes {
            return;
        }
        if inner.users.len() >= MAX_USERS {
            inner.users.clear();
        }
        inner.users.insert(user.id.0.as_u128(), user.clone());
    }

    /// Called once a write of account `id` is visible to readers.
    pub fn forget(&self, id: u128) {
        if let Ok(mut inner) = self.0.lock() {
            inner.writes += 1;
            inner.users.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use souk_models::{DisplayName, Email, Role};
    use time::OffsetDateTime;

    use super::*;

    fn user() -> User {
        User::new(
            Email::parse("cache@example.com").expect("a valid email"),
            DisplayName::parse("Cache").expect("a valid display name"),
            Role::Customer,
            "hash".into(),
            OffsetDateTime::now_utc(),
        )
    }

    #[test]
    fn a_read_that_started_before_a_write_is_not_kept() {
        let cache = UserCache::default();
        let u = user();
        let id = u.id.0.as_u128();
        let before = cache.writes();
        cache.forget(id);
        cache.fill(before, &u);
        assert_eq!(cache.get(id), None);

        cache.fill(cache.writes(), &u);
        assert_eq!(cache.get(id), Some(u));
        cache.forget(id);
        assert_eq!(cache.get(id), None);
    }
}
