//! Enrolment codes as the console handles them: issued one by one or for a whole commune,
//! listed while unused, revoked. A code is stored only as its SHA-256, which doubles as the
//! id the console names it by: the hash of a 256-bit secret reveals nothing of it.

use serde::Serialize;
use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry};
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
    /// [`Db::issue_enrollment_by`] as the server's command line.
    pub async fn issue_enrollment(&self, user: &User, ttl_minutes: i64) -> Result<IssuedCode, StoreError> {
        self.issue_enrollment_by(user, ttl_minutes, &Actor::command_line()).await
    }

    /// A code for `user`, valid for `ttl_minutes`; the audit row (with the code's id, never
    /// the code) commits with it.
    pub async fn issue_enrollment_by(
        &self,
        user: &User,
        ttl_minutes: i64,
        by: &Actor,
    ) -> Result<IssuedCode, StoreError> {
        if user.disabled {
            return Err(StoreError::Invalid(format!("user '{}' is disabled", user.username)));
        }
        let code = new_secret();
        let id = hash_secret(&code);
        let now = now_ms();
        let expires_at = now + ttl_minutes * 60_000;
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO enrollments (code_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(user.id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        let entry = AuditEntry::on_user(by, AuditAction::EnrolmentIssued, user)
            .after(serde_json::json!({ "enrollment": id, "expires_at": expires_at }));
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
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

    /// Revokes an unused code of `user`; false when it was used or revoked meanwhile (the
    /// same statement checks and spends it, as redeeming does). The audit row commits with
    /// the revocation, and only with one.
    pub async fn revoke_enrollment(&self, id: &str, user: &User, by: &Actor) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE enrollments SET revoked_at = $1 WHERE code_hash = $2 AND user_id = $3 AND used_at IS NULL \
             AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let entry = AuditEntry::on_user(by, AuditAction::EnrolmentRevoked, user)
            .before(serde_json::json!({ "enrollment": id }));
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(true)
    }
}
