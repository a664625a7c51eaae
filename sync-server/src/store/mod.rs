//! Everything the server keeps, behind typed functions: users and their scopes, tokens and
//! enrolments, sign-in throttling, password hashing, records with their sync bookkeeping, and the grouped sums
//! reports are built from. SQL lives here and nowhere else; `http` and `reports` only call
//! these functions.

pub mod applied;
pub mod apply;
pub mod audit;
pub mod auth;
pub mod buckets;
pub mod catalog;
mod cells;
pub mod devices;
pub mod enrollments;
pub mod figures;
pub mod form_drafts;
pub mod history;
pub mod passwords;
pub mod photos;
pub mod records;
pub mod reference;
pub mod reports;
pub mod review;
pub mod search;
pub mod signoff;
pub mod totals;
pub mod user_admin;
pub mod users;

pub use crate::db::Db;

/// Takes the writers' lock: the counter row every write transaction updates first, so
/// writers run one at a time and pull cursors are handed out in commit order (held until
/// the transaction ends).
pub(crate) async fn lock_writers(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE counters SET value = value WHERE name = 'seq'").execute(&mut **tx).await.map(|_| ())
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("the last active admin cannot be disabled or lose the role")]
    LastAdmin,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Lower-case hex SHA-256: the form every stored hash takes (tokens, change and review
/// fingerprints, photos).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
