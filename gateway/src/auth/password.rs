//! Password hashing with argon2id on a small dedicated pool of threads, so it
//! never stalls the async runtime, cannot oversubscribe the CPU in a burst of
//! logins, and keeps argon2's 19 MiB working memory to one buffer per pool
//! thread (on the shared blocking pool every thread that ever hashed kept its
//! own, which grew the process by gigabytes under registration load).

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::oneshot;

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// Jobs waiting for a hashing thread; beyond this, callers wait to enqueue.
const QUEUE: usize = 1024;

fn pool() -> &'static SyncSender<Job> {
    static POOL: OnceLock<SyncSender<Job>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = sync_channel::<Job>(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..threads {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("souk-argon2-{i}"))
                .spawn(move || work(&rx));
        }
        tx
    })
}

fn work(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Runs `f` on the hashing pool.
async fn on_pool<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    let (reply, answer) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(f());
    });
    let sender = pool().clone();
    tokio::task::spawn_blocking(move || sender.send(job))
        .await
        .map_err(ApiError::internal)?
        .map_err(|_| ApiError::internal("the password hashing pool stopped"))?;
    answer
        .await
        .map_err(|_| ApiError::internal("a password hashing job was dropped"))
}

/// A PHC string for `password` (argon2id, OWASP default cost).
pub async fn hash(password: String) -> Result<String, ApiError> {
    on_pool(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    })
    .await?
}

/// Whether `password` matches the stored PHC `hash`. A malformed hash never matches.
pub async fn verify(password: String, hash: String) -> Result<bool, ApiError> {
    on_pool(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
}
