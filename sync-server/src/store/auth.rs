//! Sign-in tokens, device enrolment codes and sign-in rate limiting. Secrets are random,
//! handed out once, and stored only as SHA-256 hashes: a stolen database signs no one in.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::users::User;
use super::{Db, StoreError};
use crate::db::now_ms;

/// A fresh secret: 32 random bytes, base64url.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// How long an idle token keeps its `last_used_at`: refreshed at most this often, so a
/// stream of pushes does not write to the tokens table on every request.
const LAST_USED_GRANULARITY_MS: i64 = 10 * 60 * 1000;

impl Db {
    /// Signs a device in for a user. Tokens do not expire by time (devices stay offline for
    /// weeks); they end when revoked, at sign-out, password reset or when the user is disabled.
    pub async fn issue_token(&self, user_id: i64, device_id: &str) -> Result<String, StoreError> {
        let token = new_secret();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO tokens (token_hash, user_id, device_id, created_at, last_used_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(hash_secret(&token))
        .bind(user_id)
        .bind(device_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The active user a token belongs to, with the device it was issued to.
    pub async fn user_for_token(&self, token: &str) -> Result<Option<(User, String)>, StoreError> {
        let hash = hash_secret(token);
        let row = sqlx::query(
            "SELECT t.user_id, t.device_id, t.last_used_at FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = now_ms();
        if now - row.try_get::<i64, _>("last_used_at")? > LAST_USED_GRANULARITY_MS {
            sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        let device: String = row.try_get("device_id")?;
        Ok(self.user_by_id(row.try_get("user_id")?).await?.map(|u| (u, device)))
    }

    pub async fn revoke_token(&self, token: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(hash_secret(token))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_user_tokens(&self, user_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A single-use enrolment code for a user, valid for `ttl_minutes`.
    pub async fn create_enrollment(&self, username: &str, ttl_minutes: i64) -> Result<String, StoreError> {
        let user = self.user_by_name(username).await?.ok_or(StoreError::NotFound("user"))?;
        if user.disabled {
            return Err(StoreError::Invalid(format!("user '{username}' is disabled")));
        }
        let code = new_secret();
        let now = now_ms();
        sqlx::query("INSERT INTO enrollments (code_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(hash_secret(&code))
            .bind(user.id)
            .bind(now)
            .bind(now + ttl_minutes * 60_000)
            .execute(&self.pool)
            .await?;
        Ok(code)
    }

    /// Redeems an enrolment code for a token. The code is spent by the same statement that
    /// checks it, so two devices racing with one code cannot both win.
    pub async fn redeem_enrollment(&self, code: &str, device_id: &str) -> Result<Option<(User, String)>, StoreError> {
        let now = now_ms();
        let row = sqlx::query(
            "UPDATE enrollments SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id",
        )
        .bind(now)
        .bind(hash_secret(code))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(user) = self.user_by_id(row.try_get("user_id")?).await?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        let token = self.issue_token(user.id, device_id).await?;
        Ok(Some((user, token)))
    }

    pub async fn note_sign_in_failure(&self, key: &str) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query("INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(&self.pool)
            .await?;
        // Old entries say nothing any more.
        sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(now - 24 * 3600 * 1000)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn sign_in_failures_since(&self, key: &str, since_ms: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM sign_in_failures WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(since_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }
}
