//! Sign-off of a period (migration 0013, plan section V): a commune's year, or an agency's
//! activities, closed by a supervisor so the consolidated report stops moving. While a
//! sign-off is open the push refuses, per change, every change to a record dated inside it
//! (`period_closed`), read under the writers' lock so no push slips past a sign-off that
//! committed before it. Signing off and reopening are audited in their own transaction.

use forms::reference::ReferenceData;
use forms::review::ReviewState;
pub use forms::review::{ClosedPeriod, SignOffKind};
use forms::{ErrorCode, FieldError, Localized, Location};
use serde::Serialize;
use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry, TargetKind};
use super::history::Sender;
use super::{Db, StoreError};
use crate::db::now_ms;

/// One sign-off, open or reopened.
#[derive(Debug, Clone, Serialize)]
pub struct SignOff {
    pub id: i64,
    pub kind: SignOffKind,
    pub target: String,
    pub period: ClosedPeriod,
    pub year: i32,
    pub from: String,
    pub to: String,
    pub signed_by: Sender,
    /// Milliseconds since the epoch.
    pub signed_at: i64,
    pub reopened_by: Option<Sender>,
    pub reopened_at: Option<i64>,
    pub reopen_reason: Option<String>,
}

/// The open sign-offs, as the push checks its changes against them.
#[derive(Default)]
pub(super) struct Closed {
    open: Vec<(SignOffKind, String, String, String, ClosedPeriod, i32)>,
}

impl Closed {
    pub(super) async fn load(conn: &mut sqlx::AnyConnection) -> Result<Closed, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, target, period, year, from_date, to_date FROM sign_offs WHERE reopened_at IS NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut open = Vec::with_capacity(rows.len());
        for row in rows {
            let kind =
                if row.try_get::<String, _>("kind")? == "agency" { SignOffKind::Agency } else { SignOffKind::Commune };
            let period =
                ClosedPeriod::parse(&row.try_get::<String, _>("period")?).unwrap_or(ClosedPeriod::ReportingYear);
            open.push((
                kind,
                row.try_get("target")?,
                row.try_get("from_date")?,
                row.try_get("to_date")?,
                period,
                row.try_get::<i64, _>("year")? as i32,
            ));
        }
        Ok(Closed { open })
    }

    /// The refusal of a change touching a record dated `date` at `location` organised by
    /// `organiser`, if an open sign-off covers it. A pre-2025 unit counts in every 2025
    /// commune it went into.
    pub(super) fn refusal(
        &self,
        location: &Location,
        date: Option<&str>,
        organiser: Option<&str>,
        reference: &ReferenceData,
    ) -> Option<FieldError> {
        let date = date?;
        let communes: Vec<&str> = match location.unit_list.as_str() {
            "units_2025" => vec![location.unit_code.as_str()],
            "units_pre2025" => reference
                .unit_mapping
                .iter()
                .filter(|m| m.old_code == location.unit_code)
                .map(|m| m.new_code.as_str())
                .collect(),
            _ => Vec::new(),
        };
        let (_, _, from, to, period, year) = self.open.iter().find(|(kind, target, from, to, _, _)| {
            let covers = match kind {
                SignOffKind::Commune => communes.contains(&target.as_str()),
                SignOffKind::Agency => organiser == Some(target.as_str()),
            };
            covers && from.as_str() <= date && date <= to.as_str()
        })?;
        Some(period_closed(*period, *year, from, to))
    }
}

/// The refusal of a change inside a signed-off period.
pub fn period_closed(period: ClosedPeriod, year: i32, from: &str, to: &str) -> FieldError {
    let vi_date = |iso: &str| forms::dates::parse_iso_date(iso).map_or(iso.to_owned(), forms::dates::format_date);
    let (vi_name, en_name) = match period {
        ClosedPeriod::ReportingYear => (format!("năm báo cáo {year}"), format!("reporting year {year}")),
        ClosedPeriod::ActionMonth => (format!("Tháng hành động {year}"), format!("the Action Month {year}")),
    };
    FieldError::new(
        "period",
        ErrorCode::PeriodClosed,
        Localized::new(
            format!(
                "Số liệu {vi_name} ({}–{}) đã được chốt nên phiếu này không sửa được. Phiếu vẫn được giữ trên máy; nếu cần sửa, hãy nhờ cán bộ giám sát mở lại kỳ báo cáo.",
                vi_date(from),
                vi_date(to)
            ),
            format!(
                "The figures of {en_name} ({from} to {to}) are signed off, so this record cannot be changed. It stays on the phone; ask your supervisor to reopen the period if it needs a fix."
            ),
        ),
    )
}

const SIGN_OFF_COLUMNS: &str = "s.id, s.kind, s.target, s.period, s.year, s.from_date, s.to_date, s.signed_at, \
     s.reopened_at, s.reopen_reason, a.username AS signer, a.display_name AS signer_name, \
     b.username AS reopener, b.display_name AS reopener_name";
const SIGN_OFF_FROM: &str =
    "FROM sign_offs s JOIN users a ON a.id = s.signed_by LEFT JOIN users b ON b.id = s.reopened_by";

fn sign_off_of(row: &sqlx::any::AnyRow) -> Result<SignOff, StoreError> {
    let kind = if row.try_get::<String, _>("kind")? == "agency" { SignOffKind::Agency } else { SignOffKind::Commune };
    let period = row.try_get::<String, _>("period")?;
    let reopener: Option<String> = row.try_get("reopener")?;
    Ok(SignOff {
        id: row.try_get("id")?,
        kind,
        target: row.try_get("target")?,
        period: ClosedPeriod::parse(&period).ok_or_else(|| StoreError::Corrupt(format!("period '{period}'")))?,
        year: row.try_get::<i64, _>("year")? as i32,
        from: row.try_get("from_date")?,
        to: row.try_get("to_date")?,
        signed_by: Sender { username: row.try_get("signer")?, display_name: row.try_get("signer_name")? },
        signed_at: row.try_get("signed_at")?,
        reopened_by: match reopener {
            Some(username) => Some(Sender { username, display_name: row.try_get("reopener_name")? }),
            None => None,
        },
        reopened_at: row.try_get("reopened_at")?,
        reopen_reason: row.try_get("reopen_reason")?,
    })
}

/// What a sign-off is named in the audit log.
fn audit_target(kind: SignOffKind, target: &str, period: ClosedPeriod, year: i32) -> String {
    format!("{}:{target}:{}:{year}", kind.as_str(), period.as_str())
}

impl Db {
    /// Signs `target` off for `period` of `year`, as `actor` (whose right to, the caller
    /// checked). `AlreadyExists` when it is signed off already.
    pub async fn sign_off(
        &self,
        actor: &Actor,
        kind: SignOffKind,
        target: &str,
        period: ClosedPeriod,
        year: i32,
    ) -> Result<SignOff, StoreError> {
        let user_id = actor.user_id.ok_or_else(|| StoreError::Invalid("a sign-off needs a user".into()))?;
        let (from, to) = period.dates(year);
        let mut tx = self.pool.begin().await?;
        // Under the writers' lock: a push either committed before (its records are part of
        // what is signed off) or is refused after.
        super::lock_writers(&mut tx).await?;
        let open = sqlx::query(
            "SELECT id FROM sign_offs WHERE kind = $1 AND target = $2 AND period = $3 AND year = $4 AND reopened_at IS NULL",
        )
        .bind(kind.as_str())
        .bind(target)
        .bind(period.as_str())
        .bind(i64::from(year))
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Err(StoreError::AlreadyExists("sign-off"));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO sign_offs (kind, target, period, year, from_date, to_date, signed_by, signed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(target)
        .bind(period.as_str())
        .bind(i64::from(year))
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(user_id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let unit = (kind == SignOffKind::Commune)
            .then(|| Location { unit_list: "units_2025".into(), unit_code: target.to_owned() });
        let entry = AuditEntry {
            by: actor,
            action: AuditAction::PeriodSignedOff,
            target_kind: TargetKind::Period,
            target_id: audit_target(kind, target, period, year),
            unit,
            before: None,
            after: Some(serde_json::json!({ "id": id, "from": from, "to": to })),
        };
        audit::write(&mut tx, &entry).await?;
        let row = sqlx::query(&format!("SELECT {SIGN_OFF_COLUMNS} {SIGN_OFF_FROM} WHERE s.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let signed = sign_off_of(&row)?;
        tx.commit().await?;
        Ok(signed)
    }

    /// An open sign-off, by id.
    pub async fn open_sign_off(&self, id: i64) -> Result<Option<SignOff>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SIGN_OFF_COLUMNS} {SIGN_OFF_FROM} WHERE s.id = $1 AND s.reopened_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(sign_off_of).transpose()
    }

    /// Reopens open sign-off `id` as `actor`, with their reason; `NotFound` if it is not open.
    pub async fn reopen_sign_off(&self, actor: &Actor, id: i64, reason: &str) -> Result<SignOff, StoreError> {
        let user_id = actor.user_id.ok_or_else(|| StoreError::Invalid("reopening needs a user".into()))?;
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        let done = sqlx::query(
            "UPDATE sign_offs SET reopened_by = $1, reopened_at = $2, reopen_reason = $3 WHERE id = $4 AND reopened_at IS NULL",
        )
        .bind(user_id)
        .bind(now_ms())
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("open sign-off"));
        }
        let row = sqlx::query(&format!("SELECT {SIGN_OFF_COLUMNS} {SIGN_OFF_FROM} WHERE s.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let reopened = sign_off_of(&row)?;
        let unit = (reopened.kind == SignOffKind::Commune)
            .then(|| Location { unit_list: "units_2025".into(), unit_code: reopened.target.clone() });
        let entry = AuditEntry {
            by: actor,
            action: AuditAction::PeriodReopened,
            target_kind: TargetKind::Period,
            target_id: audit_target(reopened.kind, &reopened.target, reopened.period, reopened.year),
            unit,
            before: Some(
                serde_json::json!({ "id": id, "signed_by": reopened.signed_by.username, "signed_at": reopened.signed_at }),
            ),
            after: Some(serde_json::json!({ "reason": reason })),
        };
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(reopened)
    }

    /// Every sign-off of `period` of `year`, open or reopened, newest first.
    pub async fn sign_offs(&self, period: ClosedPeriod, year: i32) -> Result<Vec<SignOff>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SIGN_OFF_COLUMNS} {SIGN_OFF_FROM} WHERE s.period = $1 AND s.year = $2 ORDER BY s.id DESC"
        ))
        .bind(period.as_str())
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(sign_off_of).collect()
    }

    /// Finished records dated `from`..=`to` that a reviewer acted on, by location and
    /// review state (the rest are "submitted"), and by organiser for agency counts.
    pub async fn review_counts(&self, from: &str, to: &str) -> Result<Vec<ReviewCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_list, unit_code, review_state, answers FROM records \
             WHERE review_state IS NOT NULL AND activity_date >= $1 AND activity_date <= $2 \
             AND status = 'final' AND deleted = 0",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in rows {
            let state: String = row.try_get("review_state")?;
            let answers: serde_json::Value = serde_json::from_str(&row.try_get::<String, _>("answers")?)?;
            counts.push(ReviewCount {
                location: Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? },
                state: ReviewState::parse(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("review state '{state}'")))?,
                organiser: answers["organiser"].as_str().map(str::to_owned),
            });
        }
        Ok(counts)
    }
}

/// One reviewed record, as the sign-off screen counts it.
#[derive(Debug, Clone)]
pub struct ReviewCount {
    pub location: Location,
    pub state: ReviewState,
    pub organiser: Option<String>,
}
