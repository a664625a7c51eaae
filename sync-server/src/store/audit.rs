//! The audit log (issue 14): one row per administrative or review action — who, when, from
//! which address, what, on whom or what, and the state before and after. Append-only: this
//! module writes rows and reads them, and nothing else in the server has a statement on
//! `audit_log` (migration `0011_audit_log` also refuses UPDATE and DELETE in the database).
//!
//! An action writes its row with [`write`] on the connection of its own transaction, so the
//! action and its row commit together or not at all. Before and after are small JSON
//! objects built from [`user_state`] and the like: never a password, a token or a code.

use forms::Location;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sqlx::Row;

use super::search::Args;
use super::users::User;
use super::{Db, StoreError};
use crate::db::now_ms;

/// What was done. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    UserCreated,
    /// Display name, role, scope or agency in charge.
    UserChanged,
    UserDisabled,
    UserEnabled,
    PasswordReset,
    EnrolmentIssued,
    EnrolmentUsed,
    EnrolmentRevoked,
    DeviceSignedOut,
    RecordReturned,
    RecordApproved,
    RecordReopened,
    PeriodSignedOff,
    PeriodReopened,
    FormPublished,
    /// A published version takes no new records (its records stay editable).
    FormWithdrawn,
    /// A withdrawn version takes new records again.
    FormRestored,
    /// A definition uploaded as a draft, for testers (replacing the form's earlier draft).
    FormDraftUploaded,
    /// A draft deleted, with its test records.
    FormDraftDiscarded,
    /// A reference file (a list of units, agencies, ethnic groups…) replaced by an upload.
    ReferenceUploaded,
}

impl AuditAction {
    pub const ALL: [AuditAction; 20] = [
        AuditAction::UserCreated,
        AuditAction::UserChanged,
        AuditAction::UserDisabled,
        AuditAction::UserEnabled,
        AuditAction::PasswordReset,
        AuditAction::EnrolmentIssued,
        AuditAction::EnrolmentUsed,
        AuditAction::EnrolmentRevoked,
        AuditAction::DeviceSignedOut,
        AuditAction::RecordReturned,
        AuditAction::RecordApproved,
        AuditAction::RecordReopened,
        AuditAction::PeriodSignedOff,
        AuditAction::PeriodReopened,
        AuditAction::FormPublished,
        AuditAction::FormWithdrawn,
        AuditAction::FormRestored,
        AuditAction::FormDraftUploaded,
        AuditAction::FormDraftDiscarded,
        AuditAction::ReferenceUploaded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::UserCreated => "user_created",
            AuditAction::UserChanged => "user_changed",
            AuditAction::UserDisabled => "user_disabled",
            AuditAction::UserEnabled => "user_enabled",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::EnrolmentIssued => "enrolment_issued",
            AuditAction::EnrolmentUsed => "enrolment_used",
            AuditAction::EnrolmentRevoked => "enrolment_revoked",
            AuditAction::DeviceSignedOut => "device_signed_out",
            AuditAction::RecordReturned => "record_returned",
            AuditAction::RecordApproved => "record_approved",
            AuditAction::RecordReopened => "record_reopened",
            AuditAction::PeriodSignedOff => "period_signed_off",
            AuditAction::PeriodReopened => "period_reopened",
            AuditAction::FormPublished => "form_published",
            AuditAction::FormWithdrawn => "form_withdrawn",
            AuditAction::FormRestored => "form_restored",
            AuditAction::FormDraftUploaded => "form_draft_uploaded",
            AuditAction::FormDraftDiscarded => "form_draft_discarded",
            AuditAction::ReferenceUploaded => "reference_uploaded",
        }
    }

    /// The action stored (or asked for) as `name`.
    pub fn from_name(name: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    fn parse(text: &str) -> Result<AuditAction, StoreError> {
        Self::from_name(text).ok_or_else(|| StoreError::Corrupt(format!("unknown audit action '{text}'")))
    }

    /// How exports name it (they are written in Vietnamese, as the reports are).
    pub fn label_vi(self) -> &'static str {
        match self {
            AuditAction::UserCreated => "Tạo người dùng",
            AuditAction::UserChanged => "Sửa tên, vai trò, phạm vi",
            AuditAction::UserDisabled => "Khóa tài khoản",
            AuditAction::UserEnabled => "Mở khóa tài khoản",
            AuditAction::PasswordReset => "Cấp lại mật khẩu",
            AuditAction::EnrolmentIssued => "Cấp mã kích hoạt",
            AuditAction::EnrolmentUsed => "Dùng mã kích hoạt",
            AuditAction::EnrolmentRevoked => "Thu hồi mã kích hoạt",
            AuditAction::DeviceSignedOut => "Đăng xuất thiết bị",
            AuditAction::RecordReturned => "Trả phiếu để sửa",
            AuditAction::RecordApproved => "Duyệt phiếu",
            AuditAction::RecordReopened => "Mở lại phiếu",
            AuditAction::PeriodSignedOff => "Chốt số liệu kỳ",
            AuditAction::PeriodReopened => "Mở lại kỳ",
            AuditAction::FormPublished => "Phát hành biểu mẫu",
            AuditAction::FormWithdrawn => "Ngừng dùng biểu mẫu",
            AuditAction::FormRestored => "Dùng lại biểu mẫu",
            AuditAction::FormDraftUploaded => "Tải lên bản thử biểu mẫu",
            AuditAction::FormDraftDiscarded => "Hủy bản thử biểu mẫu",
            AuditAction::ReferenceUploaded => "Tải lên danh mục",
        }
    }
}

/// What an action was done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    User,
    Record,
    Period,
    Form,
    /// A reference file (`lists.toml`, a CSV list).
    Reference,
}

impl TargetKind {
    fn as_str(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Record => "record",
            TargetKind::Period => "period",
            TargetKind::Form => "form",
            TargetKind::Reference => "reference",
        }
    }

    fn parse(text: &str) -> Result<TargetKind, StoreError> {
        [TargetKind::User, TargetKind::Record, TargetKind::Period, TargetKind::Form, TargetKind::Reference]
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown audit target '{text}'")))
    }
}

/// Who acts, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the server's own command line.
    pub user_id: Option<i64>,
    pub username: String,
    pub address: Option<String>,
}

/// The actor name of the server's command line: not a valid username, so never a user's.
pub const COMMAND_LINE: &str = "(cli)";

impl Actor {
    pub fn user(user: &User, address: Option<String>) -> Actor {
        Actor { user_id: Some(user.id), username: user.username.clone(), address }
    }

    /// The server's own commands (`sotay-sync-server user …`, `enroll`), run by whoever
    /// holds the server; tests and benches that set data up directly act as it too.
    pub fn command_line() -> Actor {
        Actor { user_id: None, username: COMMAND_LINE.to_owned(), address: None }
    }
}

/// One row to append.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub by: &'a Actor,
    pub action: AuditAction,
    pub target_kind: TargetKind,
    pub target_id: String,
    /// The commune the action concerns, when it concerns one.
    pub unit: Option<Location>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> AuditEntry<'a> {
    /// An action on a user (named by username, which never changes).
    pub fn on_user(by: &'a Actor, action: AuditAction, user: &User) -> AuditEntry<'a> {
        AuditEntry {
            by,
            action,
            target_kind: TargetKind::User,
            target_id: user.username.clone(),
            unit: None,
            before: None,
            after: None,
        }
    }

    pub fn before(self, before: Value) -> Self {
        AuditEntry { before: Some(before), ..self }
    }

    pub fn after(self, after: Value) -> Self {
        AuditEntry { after: Some(after), ..self }
    }
}

/// What the log keeps of a user: name, role, scope, agency in charge, state. No password,
/// ever. Every key is always there (`agency` null when none): [`changed`] compares the
/// keys of before, so a key missing there would hide its change.
pub fn user_state(user: &User) -> Value {
    // In the order the store keeps them, so an edit that only reorders changes nothing.
    let mut communes = user.communes.clone();
    communes.sort_by(|a, b| (&a.unit_list, &a.unit_code).cmp(&(&b.unit_list, &b.unit_code)));
    communes.dedup();
    json!({
        "display_name": user.display_name,
        "role": user.role,
        "whole_province": user.whole_province,
        "communes": communes,
        "agency": user.agency,
        "tester": user.tester,
        "disabled": user.disabled,
    })
}

/// The fields of two objects that differ, as (before, after): an edit's row shows what it
/// changed, not the whole user twice.
pub fn changed(before: &Value, after: &Value) -> (Value, Value) {
    let (mut old, mut new) = (Map::new(), Map::new());
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (key, value) in b {
            if a.get(key) != Some(value) {
                old.insert(key.clone(), value.clone());
                new.insert(key.clone(), a.get(key).cloned().unwrap_or(Value::Null));
            }
        }
    }
    (Value::Object(old), Value::Object(new))
}

/// Appends `entry` on `conn`: the connection of the action's own transaction, so the two
/// commit together.
pub(crate) async fn write(conn: &mut sqlx::AnyConnection, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
    let text = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_username, address, action, target_kind, target_id, \
         unit_list, unit_code, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(now_ms())
    .bind(entry.by.user_id)
    .bind(&entry.by.username)
    .bind(entry.by.address.as_deref())
    .bind(entry.action.as_str())
    .bind(entry.target_kind.as_str())
    .bind(&entry.target_id)
    .bind(entry.unit.as_ref().map(|l| l.unit_list.as_str()))
    .bind(entry.unit.as_ref().map(|l| l.unit_code.as_str()))
    .bind(text(&entry.before))
    .bind(text(&entry.after))
    .execute(conn)
    .await?;
    Ok(())
}

/// Which rows to read; every part that is `Some` narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// The actor's username.
    pub actor: Option<String>,
    /// The target's id (for a user, the username).
    pub target: Option<String>,
    /// From this instant (ms), included.
    pub from_ms: Option<i64>,
    /// Up to this instant (ms), excluded.
    pub to_ms: Option<i64>,
}

/// A row as read back.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_username: String,
    pub address: Option<String>,
    pub action: AuditAction,
    pub target_kind: TargetKind,
    pub target_id: String,
    pub unit_list: Option<String>,
    pub unit_code: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

const COLUMNS: &str = "id, at, actor_id, actor_username, address, action, target_kind, target_id, unit_list, \
                       unit_code, before, after";

impl AuditFilter {
    /// The WHERE clause, its text values bound in `args`; instants are typed integers,
    /// written as literals.
    fn condition(&self, args: &mut Args) -> String {
        let mut parts = vec!["1 = 1".to_owned()];
        if let Some(action) = self.action {
            parts.push(format!("action = {}", args.add(action.as_str())));
        }
        if let Some(actor) = &self.actor {
            parts.push(format!("actor_username = {}", args.add(actor)));
        }
        if let Some(target) = &self.target {
            parts.push(format!("target_id = {}", args.add(target)));
        }
        parts.extend(self.from_ms.map(|ms| format!("at >= {ms}")));
        parts.extend(self.to_ms.map(|ms| format!("at < {ms}")));
        parts.join(" AND ")
    }
}

fn audit_row(row: &sqlx::any::AnyRow) -> Result<AuditRow, StoreError> {
    let json = |column: &str| -> Result<Option<Value>, StoreError> {
        let text: Option<String> = row.try_get(column)?;
        Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
    };
    Ok(AuditRow {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor_id: row.try_get("actor_id")?,
        actor_username: row.try_get("actor_username")?,
        address: row.try_get("address")?,
        action: AuditAction::parse(&row.try_get::<String, _>("action")?)?,
        target_kind: TargetKind::parse(&row.try_get::<String, _>("target_kind")?)?,
        target_id: row.try_get("target_id")?,
        unit_list: row.try_get("unit_list")?,
        unit_code: row.try_get("unit_code")?,
        before: json("before")?,
        after: json("after")?,
    })
}

/// Rows read per statement by [`Db::audit_all`].
const EXPORT_PAGE: i64 = 1000;

impl Db {
    /// One page of the rows `filter` keeps, newest first, and how many it keeps in all.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<AuditRow>, i64), StoreError> {
        let mut args = Args::default();
        let condition = filter.condition(&mut args);
        let page_sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE {condition} ORDER BY at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        );
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_log WHERE {condition}");
        let rows = args.query(&page_sql).fetch_all(&self.pool).await?;
        let total: i64 = args.query(&count_sql).fetch_one(&self.pool).await?.try_get("n")?;
        Ok((rows.iter().map(audit_row).collect::<Result<_, _>>()?, total))
    }

    /// Every row `filter` keeps, newest first, for an export: read a thousand at a time
    /// after the last one read, so rows appended meanwhile never shift or repeat one.
    pub async fn audit_all(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let mut all: Vec<AuditRow> = Vec::new();
        loop {
            let mut args = Args::default();
            let mut condition = filter.condition(&mut args);
            if let Some(last) = all.last() {
                let (at, id) = (last.at, last.id);
                condition += &format!(" AND (at < {at} OR (at = {at} AND id < {id}))");
            }
            let sql = format!(
                "SELECT {COLUMNS} FROM audit_log WHERE {condition} ORDER BY at DESC, id DESC LIMIT {EXPORT_PAGE}"
            );
            let rows = args.query(&sql).fetch_all(&self.pool).await?;
            let n = rows.len() as i64;
            for row in &rows {
                all.push(audit_row(row)?);
            }
            if n < EXPORT_PAGE {
                return Ok(all);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_serde_names() {
        for action in AuditAction::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
            assert_eq!(AuditAction::parse(action.as_str()).unwrap(), action);
        }
    }

    #[test]
    fn an_edit_keeps_only_what_changed() {
        let before = json!({ "role": "collector", "display_name": "Lan", "disabled": false });
        let after = json!({ "role": "supervisor", "display_name": "Lan", "disabled": false });
        assert_eq!(changed(&before, &after), (json!({ "role": "collector" }), json!({ "role": "supervisor" })));
    }
}
