//! Sign-in tokens, device enrolment codes and sign-in throttling. Secrets are random,
//! handed out once, and stored only as SHA-256 hashes: a stolen database signs no one in.

use base64::Engine;
use rand::RngCore;
use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry};
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
    super::sha256_hex(secret.as_bytes())
}

/// How long an idle token keeps its `last_used_at`: refreshed at most this often, so a
/// stream of pushes does not write to the tokens table on every request.
const LAST_USED_GRANULARITY_MS: i64 = 10 * 60 * 1000;

impl Db {
    /// Signs a device in for a user. Tokens do not expire by time (devices stay offline for
    /// weeks); they end when revoked, at sign-out, password reset or when the user is disabled.
    pub async fn issue_token(&self, user_id: i64, device_id: &str) -> Result<String, StoreError> {
        insert_token(&mut *self.pool.acquire().await?, user_id, device_id).await
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

    /// A single-use enrolment code for a user, valid for `ttl_minutes`.
    pub async fn create_enrollment(&self, username: &str, ttl_minutes: i64) -> Result<String, StoreError> {
        let user = self.user_by_name(username).await?.ok_or(StoreError::NotFound("user"))?;
        Ok(self.issue_enrollment(&user, ttl_minutes).await?.code)
    }

    /// Redeems an enrolment code for a token, from `address`. The code is spent by the same
    /// statement that checks it, so two devices racing with one code cannot both win; the
    /// token and the audit row ("enrolment used", by the user it was for) commit with it.
    pub async fn redeem_enrollment(
        &self,
        code: &str,
        device_id: &str,
        address: Option<String>,
    ) -> Result<Option<(User, String)>, StoreError> {
        let now = now_ms();
        let id = hash_secret(code);
        // The user is read first, outside the transaction: it holds a connection (and on
        // SQLite the write lock) only for its own statements.
        let Some(user_id) = self.enrollment_user(&id).await? else { return Ok(None) };
        let user = self.user_by_id(user_id).await?;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE enrollments SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 \
             RETURNING user_id",
        )
        .bind(now)
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_none() {
            return Ok(None);
        }
        let Some(user) = user.filter(|u| !u.disabled) else {
            // Spent all the same: a code for a disabled user is no use to anyone.
            tx.commit().await?;
            return Ok(None);
        };
        let token = insert_token(&mut tx, user.id, device_id).await?;
        let by = Actor::user(&user, address);
        let entry = AuditEntry::on_user(&by, AuditAction::EnrolmentUsed, &user)
            .after(serde_json::json!({ "enrollment": id, "device_id": device_id }));
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(Some((user, token)))
    }

    /// Records a sign-in attempt under its throttle key **before** its secret is checked,
    /// then counts the key's attempts in the window. `None` when over the limit (the row is
    /// taken back out, so refused requests do not pile up rows).
    ///
    /// Why recording first bounds the checks: each insert commits before its count, so of
    /// any set of attempts that were allowed, the last one to insert counted all the others.
    /// No more than `max` attempts are ever checked in a window, with any number of
    /// requests at once and any number of server processes on one database.
    pub async fn begin_attempt(&self, limit: &Limit, since_ms: i64) -> Result<Option<Attempt>, StoreError> {
        let attempt = Attempt { id: new_secret() };
        sqlx::query("INSERT INTO sign_in_attempts (key, attempt, at) VALUES ($1, $2, $3)")
            .bind(&limit.key)
            .bind(&attempt.id)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        if self.attempts_since(&limit.key, since_ms).await? > limit.max {
            self.forget_attempt(attempt).await?;
            return Ok(None);
        }
        Ok(Some(attempt))
    }

    /// An attempt that succeeded (or was refused, or failed on our side) counts no more.
    pub async fn forget_attempt(&self, attempt: Attempt) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_attempts WHERE attempt = $1").bind(&attempt.id).execute(&self.pool).await?;
        Ok(())
    }

    /// A failed attempt stays counted for the window, and counts under `also` (keys that
    /// only count failures) too.
    pub async fn attempt_failed(&self, attempt: Attempt, also: &[&str]) -> Result<(), StoreError> {
        drop(attempt); // Its row stays: it counts until the window moves past it.
        self.note_failures(also).await
    }

    /// Notes a failure under keys that only count (no limit is checked before them), and
    /// clears rows past any window.
    pub async fn note_failures(&self, keys: &[&str]) -> Result<(), StoreError> {
        let now = now_ms();
        for key in keys {
            sqlx::query("INSERT INTO sign_in_attempts (key, attempt, at) VALUES ($1, $2, $3)")
                .bind(*key)
                .bind(new_secret())
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
        sqlx::query("DELETE FROM sign_in_attempts WHERE at < $1")
            .bind(now - ATTEMPTS_KEPT_MS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn attempts_since(&self, key: &str, since_ms: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM sign_in_attempts WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(since_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }
}

/// A new session token of `user_id` on `device_id`, inserted on `conn`; the token itself,
/// which only its holder ever sees again.
async fn insert_token(conn: &mut sqlx::AnyConnection, user_id: i64, device_id: &str) -> Result<String, StoreError> {
    let token = new_secret();
    sqlx::query(
        "INSERT INTO tokens (token_hash, user_id, device_id, created_at, last_used_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(hash_secret(&token))
    .bind(user_id)
    .bind(device_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(token)
}

/// Ends every session of a user, on `conn` (in the transaction of the action that ends
/// them); how many there were.
pub(super) async fn revoke_user_tokens(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// How long throttle rows are kept: longer than any window that reads them.
const ATTEMPTS_KEPT_MS: i64 = 60 * 60 * 1000;

/// A throttle key and how many attempts it allows in a window.
pub struct Limit {
    pub key: String,
    pub max: i64,
}

/// A throttle key of fixed length, whatever the client sent: the kind, then the SHA-256 of
/// the parts (so neither a huge username nor an address is stored as such).
pub fn throttle_key(kind: &str, parts: &[&str]) -> String {
    format!("{kind}:{}", hash_secret(&parts.join("\n")))
}

/// A sign-in attempt recorded under its throttle keys; see [`Db::begin_attempt`].
#[must_use = "end the attempt: Db::forget_attempt or Db::attempt_failed"]
pub struct Attempt {
    id: String,
}
