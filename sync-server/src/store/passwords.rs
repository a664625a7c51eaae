//! Password hashing (argon2id), off the async workers. A hash takes tens of milliseconds of
//! one core by design; run on a worker, a burst of sign-ins would stall every push and pull.
//! Each hash runs on tokio's blocking pool, at most one per core at a time (more would only
//! queue inside the OS), and requests waiting for a permit wait asynchronously.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use super::StoreError;

/// Hashes running at once in this process: one per core.
static PERMITS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// A hash of a password no one knows, checked when the username does not exist (or has no
/// password) so the answer takes as long as for a real account: timing tells nothing.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now(&super::auth::new_secret()).expect("argon2 hashes a fresh secret"));

/// Longest password accepted; argon2's cost grows with it.
pub const MAX_PASSWORD_BYTES: usize = 1024;

async fn on_blocking_pool<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, StoreError> {
    let _permit = PERMITS.acquire().await.map_err(|e| StoreError::Hashing(e.to_string()))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Hashing(e.to_string()))
}

pub async fn hash(password: &str) -> Result<String, StoreError> {
    let password = password.to_owned();
    on_blocking_pool(move || hash_now(&password)).await?
}

/// Whether `password` matches `hash`; with no hash, checks a dummy and answers false.
pub async fn verify(hash: Option<String>, password: &str) -> Result<bool, StoreError> {
    let password = password.to_owned();
    on_blocking_pool(move || match hash {
        Some(hash) => verify_now(&hash, &password),
        None => {
            verify_now(&DUMMY_HASH, &password);
            false
        }
    })
    .await
}

fn hash_now(password: &str) -> Result<String, StoreError> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Hashing(e.to_string()))
}

fn verify_now(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}
