//! Enrolment codes as the console handles them: issued one by one or for a whole commune,
//! listed while unused, revoked. A code is stored only as its SHA-256, which doubles as the
//! id the console names it by: the hash of a 256-bit secret reveals nothing of it.

use serde::Serialize;
use sqlx::Row;

use super::auth::{hash_secret, new_secret};
use super::users::User;
use super::{Db, StoreError};
use crate::db::now_ms;

/// A code just issued: the only time the code itself is known.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub id: String,
    pub code: String,
    pub expires_at: i64,
}

/// A code handed out and not yet used, expired or revoked.
#[derive(Debug, Clone, Serialize)]
pub struct OpenEnrollment {
    pub id: String,
    pub user_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Db {
    pub async fn issue_enrollment(&self, user: &User, ttl_minutes: i64) -> Result<IssuedCode, StoreError> {
        if user.disabled {
            return Err(StoreError::Invalid(format!("user '{}' is disabled", user.username)));
        }
        let code = new_secret();
        let id = hash_secret(&code);
        let now = now_ms();
        let expires_at = now + ttl_minutes * 60_000;
        sqlx::query("INSERT INTO enrollments (code_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(user.id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(IssuedCode { id, code, expires_at })
    }

    /// The codes still usable, newest first.
    pub async fn open_enrollments(&self) -> Result<Vec<OpenEnrollment>, StoreError> {
        let rows = sqlx::query(
            "SELECT code_hash, user_id, created_at, expires_at FROM enrollments \
             WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 ORDER BY created_at DESC, code_hash",
        )
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OpenEnrollment {
                    id: r.try_get("code_hash")?,
                    user_id: r.try_get("user_id")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            })
            .collect()
    }

    /// The user an unused code was for, if `id` names one.
    pub async fn enrollment_user(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id FROM enrollments WHERE code_hash = $1 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?)
    }

    /// Revokes an unused code; false when it was used or revoked meanwhile (the same
    /// statement checks and spends it, as redeeming does).
    pub async fn revoke_enrollment(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE enrollments SET revoked_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
