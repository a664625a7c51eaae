//! Phones and their sync health: every device a user signed in on, when it last pushed and
//! pulled, and what it last reported of itself (app version, changes waiting, changes
//! refused). Written by sign-in, push and pull; read by the console's "Phones" screen.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::users::User;
use super::{Db, StoreError};
use crate::db::now_ms;

/// What a phone says of itself on a push or pull (`docs/sync-protocol.md`, "Device state").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceReport {
    pub app_version: Option<String>,
    pub pending: Option<i64>,
    pub refused: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    Push,
    Pull,
}

/// One device as the sync-health screen shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceRow {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub device_id: String,
    pub app_version: Option<String>,
    pub first_seen_at: i64,
    /// The first push or pull.
    pub first_sync_at: Option<i64>,
    pub last_push_at: Option<i64>,
    pub last_pull_at: Option<i64>,
    /// The later of the two: when the phone last reached the server to sync.
    pub last_sync_at: Option<i64>,
    pub pending: Option<i64>,
    pub refused: Option<i64>,
    pub reported_at: Option<i64>,
    /// Whether any session of this device is still valid.
    pub signed_in: bool,
}

impl DeviceRow {
    /// When the phone was last heard of: its last sync, or its first sign-in.
    pub fn last_heard_at(&self) -> i64 {
        self.last_sync_at.unwrap_or(self.first_seen_at)
    }
}

impl Db {
    /// A phone signed in (or enrolled): known from now on, first seen now if new.
    pub async fn note_device(&self, user_id: i64, device_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO devices (user_id, device_id, first_seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, device_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(device_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A push or pull reached the server: its time, and what the phone reported, if it
    /// did (an older app reports nothing, and its last report stays).
    pub async fn note_sync(
        &self,
        user_id: i64,
        device_id: &str,
        kind: SyncKind,
        report: &DeviceReport,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let column = match kind {
            SyncKind::Push => "last_push_at",
            SyncKind::Pull => "last_pull_at",
        };
        let reported = report.app_version.is_some() || report.pending.is_some() || report.refused.is_some();
        let sql = format!(
            "INSERT INTO devices (user_id, device_id, first_seen_at, first_sync_at, {column}, app_version, pending, refused, \
             reported_at) VALUES ($1, $2, $3, $3, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id, device_id) DO UPDATE SET {column} = $3, \
             first_sync_at = COALESCE(devices.first_sync_at, $3), \
             app_version = COALESCE($4, devices.app_version), \
             pending = CASE WHEN $7 IS NULL THEN devices.pending ELSE $5 END, \
             refused = CASE WHEN $7 IS NULL THEN devices.refused ELSE $6 END, \
             reported_at = COALESCE($7, devices.reported_at)"
        );
        sqlx::query(&sql)
            .bind(user_id)
            .bind(device_id)
            .bind(now)
            .bind(report.app_version.as_deref())
            .bind(report.pending)
            .bind(report.refused)
            .bind(reported.then_some(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every device, stalest first (never synced counts from the first sign-in). A province
    /// has thousands: the callers pick theirs in memory rather than send every id they may
    /// see as a parameter.
    pub async fn list_devices(&self) -> Result<Vec<DeviceRow>, StoreError> {
        let mut devices = sqlx::query(
            "SELECT d.user_id, u.username, u.display_name, u.role, d.device_id, d.app_version, d.first_seen_at, \
             d.first_sync_at, d.last_push_at, d.last_pull_at, d.pending, d.refused, d.reported_at, \
             (SELECT COUNT(*) FROM tokens t WHERE t.user_id = d.user_id AND t.device_id = d.device_id \
              AND t.revoked_at IS NULL) AS sessions \
             FROM devices d JOIN users u ON u.id = d.user_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let last_push_at: Option<i64> = row.try_get("last_push_at")?;
            let last_pull_at: Option<i64> = row.try_get("last_pull_at")?;
            Ok(DeviceRow {
                user_id: row.try_get("user_id")?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                role: row.try_get("role")?,
                device_id: row.try_get("device_id")?,
                app_version: row.try_get("app_version")?,
                first_seen_at: row.try_get("first_seen_at")?,
                first_sync_at: row.try_get("first_sync_at")?,
                last_push_at,
                last_pull_at,
                last_sync_at: last_push_at.max(last_pull_at),
                pending: row.try_get("pending")?,
                refused: row.try_get("refused")?,
                reported_at: row.try_get("reported_at")?,
                signed_in: row.try_get::<i64, _>("sessions")? > 0,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        devices.sort_by(|a, b| {
            a.last_heard_at()
                .cmp(&b.last_heard_at())
                .then_with(|| (&a.username, &a.device_id).cmp(&(&b.username, &b.device_id)))
        });
        Ok(devices)
    }

    /// Signs one device of a user out (a lost phone): its sessions end, the user's other
    /// devices keep theirs. The number of sessions ended; the audit row commits with them.
    pub async fn sign_out_device(&self, user: &User, device_id: &str, by: &Actor) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND device_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(user.id)
        .bind(device_id)
        .execute(&mut *tx)
        .await?;
        let ended = done.rows_affected();
        let entry = AuditEntry::on_user(by, AuditAction::DeviceSignedOut, user)
            .after(serde_json::json!({ "device_id": device_id, "sessions_ended": ended }));
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Per user: the latest use of any of their sessions, and how many phones they have
    /// signed in on (`last_seen_at` and `devices` in the users list).
    pub async fn last_seen(&self) -> Result<HashMap<i64, (Option<i64>, i64)>, StoreError> {
        let mut seen: HashMap<i64, (Option<i64>, i64)> = HashMap::new();
        for r in sqlx::query("SELECT user_id, MAX(last_used_at) AS seen FROM tokens GROUP BY user_id")
            .fetch_all(&self.pool)
            .await?
        {
            seen.entry(r.try_get("user_id")?).or_default().0 = Some(r.try_get("seen")?);
        }
        for r in
            sqlx::query("SELECT user_id, COUNT(*) AS n FROM devices GROUP BY user_id").fetch_all(&self.pool).await?
        {
            seen.entry(r.try_get("user_id")?).or_default().1 = r.try_get("n")?;
        }
        Ok(seen)
    }
}
