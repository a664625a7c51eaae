//! Drafts of form versions and their test records (`migrations/*/0018_form_drafts.sql`).
//! A draft is served only to testers (admins and users named with `tests_forms`), marked
//! `draft`; what they record with it lands in `test_records`, never in `records`, so it
//! reaches no report, export, history or review. Publishing moves the draft into
//! `form_versions` under the version it was drafted as; discarding deletes it and its test
//! records. Every change moves the `catalog` counter, so every process follows.

use std::collections::HashSet;

use forms::definition::FormDefinition;
use forms::sync::{Change, ChangeResult, Outcome};
use forms::{ErrorCode, FieldError, Localized};
use sqlx::Row;
use uuid::Uuid;

use super::applied::{applied_in, change_hash, APPLIED_COLUMNS};
use super::apply::{insert_rows, select_in, Param};
use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::catalog::{bump, insert_version, version_entry};
use super::records::parse_uuid;
use super::users::User;
use super::{Db, StoreError};
use crate::db::now_ms;

/// A draft as the console lists it.
#[derive(Debug, Clone)]
pub struct Draft {
    /// With `draft` set, as testers get it.
    pub definition: FormDefinition,
    pub uploaded_at: i64,
    /// Test records made with it so far.
    pub test_records: i64,
}

fn audit_entry<'a>(by: &'a Actor, action: AuditAction, def: &FormDefinition, test_records: u64) -> AuditEntry<'a> {
    let mut entry = version_entry(by, action, def);
    if let Some(after) = entry.after.as_mut() {
        after["test_records_deleted"] = test_records.into();
    }
    entry
}

/// Takes the draft of `form_id` out of the drafts (under the writers' lock the caller
/// holds): `NotFound` without one.
async fn remove_draft(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    form_id: &str,
) -> Result<FormDefinition, StoreError> {
    let row = sqlx::query("SELECT definition FROM form_drafts WHERE form_id = $1")
        .bind(form_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("draft"))?;
    sqlx::query("DELETE FROM form_drafts WHERE form_id = $1").bind(form_id).execute(&mut **tx).await?;
    definition_of(&row)
}

async fn delete_test_records(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    form_id: &str,
    version: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM test_records WHERE form_id = $1 AND form_version = $2")
        .bind(form_id)
        .bind(version)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

fn definition_of(row: &sqlx::any::AnyRow) -> Result<FormDefinition, StoreError> {
    let mut definition: FormDefinition = serde_json::from_str(&row.try_get::<String, _>("definition")?)?;
    definition.draft = true;
    Ok(definition)
}

impl Db {
    /// Stores `definition` (its version the next of its form, checked by the caller) as the
    /// form's draft, replacing an earlier one and deleting that one's test records. Audited.
    /// Returns the new generation and the test records deleted.
    pub async fn save_draft(&self, by: &Actor, definition: &FormDefinition) -> Result<(i64, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        let earlier = sqlx::query("SELECT version FROM form_drafts WHERE form_id = $1")
            .bind(definition.id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let mut deleted = 0;
        if let Some(row) = earlier {
            deleted = delete_test_records(&mut tx, &definition.id, row.try_get("version")?).await?;
            sqlx::query("DELETE FROM form_drafts WHERE form_id = $1")
                .bind(definition.id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let mut stored = definition.clone();
        stored.draft = false;
        sqlx::query(
            "INSERT INTO form_drafts (form_id, version, definition, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(definition.id.as_str())
        .bind(i64::from(definition.version))
        .bind(serde_json::to_string(&stored)?)
        .bind(by.user_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let generation = bump(&mut tx).await?;
        audit::write(&mut tx, &audit_entry(by, AuditAction::FormDraftUploaded, definition, deleted)).await?;
        tx.commit().await?;
        Ok((generation, deleted))
    }

    /// Every draft, with `draft` set and its test records counted, by form id.
    pub async fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.definition, d.uploaded_at, \
             (SELECT COUNT(*) FROM test_records t WHERE t.form_id = d.form_id AND t.form_version = d.version) AS tests \
             FROM form_drafts d ORDER BY d.form_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Draft {
                    definition: definition_of(row)?,
                    uploaded_at: row.try_get("uploaded_at")?,
                    test_records: row.try_get("tests")?,
                })
            })
            .collect()
    }

    /// Publishes the draft of `form_id` under the version it was drafted as: it leaves the
    /// drafts and is served to everyone. Its test records stay test records. `NotFound`
    /// without a draft; `AlreadyExists` if that version was published meanwhile.
    pub async fn publish_draft(&self, by: &Actor, form_id: &str) -> Result<(i64, FormDefinition), StoreError> {
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        let mut definition = remove_draft(&mut tx, form_id).await?;
        definition.draft = false;
        insert_version(&mut tx, by, &definition).await?;
        let generation = bump(&mut tx).await?;
        audit::write(&mut tx, &audit_entry(by, AuditAction::FormPublished, &definition, 0)).await?;
        tx.commit().await?;
        Ok((generation, definition))
    }

    /// Deletes the draft of `form_id` and its test records. Audited. `NotFound` without a
    /// draft. Returns the new generation and the test records deleted.
    pub async fn discard_draft(&self, by: &Actor, form_id: &str) -> Result<(i64, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        let definition = remove_draft(&mut tx, form_id).await?;
        let deleted = delete_test_records(&mut tx, form_id, i64::from(definition.version)).await?;
        let generation = bump(&mut tx).await?;
        audit::write(&mut tx, &audit_entry(by, AuditAction::FormDraftDiscarded, &definition, deleted)).await?;
        tx.commit().await?;
        Ok((generation, deleted))
    }

    /// Which of `ids` are test records: a change to one stays a test change, whatever the
    /// state of its form version since.
    pub async fn test_record_ids(&self, ids: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let mut conn = self.pool.acquire().await?;
        select_in(&mut conn, self.backend, "SELECT id FROM test_records WHERE id", &ids)
            .await?
            .iter()
            .map(|row| parse_uuid(&row.try_get::<String, _>("id")?))
            .collect()
    }

    /// Stores test changes (checked by the caller against the testers' catalog) exactly
    /// once: each change id is settled in `applied_changes` as a push's are, so a retry is
    /// a duplicate. The last change of a test record wins (there is nothing to protect in
    /// it from a conflict); a deletion deletes it.
    pub async fn apply_test_changes(&self, user: &User, changes: Vec<Change>) -> Result<Vec<ChangeResult>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let hashes = changes.iter().map(change_hash).collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        let change_ids: Vec<Uuid> = changes.iter().map(|c| c.change_id).collect();
        let earlier = applied_in(&mut tx, self.backend, &change_ids).await?;
        let now = now_ms();
        let mut results = Vec::with_capacity(changes.len());
        let mut settled = Vec::new();
        let mut seen = HashSet::new();
        for (change, hash) in changes.into_iter().zip(hashes) {
            let record = &change.record;
            if let Some(first) = earlier.get(&change.change_id) {
                results.push(first.answer(change.change_id, user.id, record.id, &hash));
                continue;
            }
            if !seen.insert(change.change_id) {
                results.push(ChangeResult {
                    change_id: change.change_id,
                    duplicate: false,
                    outcome: Outcome::Rejected { errors: vec![super::applied::change_id_reused()] },
                });
                continue;
            }
            let id = record.id.to_string();
            // A test record never takes the id of a record: every later change of it would
            // be routed here, and the record frozen.
            let taken =
                sqlx::query("SELECT 1 AS one FROM records WHERE id = $1").bind(&id).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                let error = FieldError::new(
                    "id",
                    ErrorCode::InvalidRecord,
                    Localized::new(
                        "Phiếu thử không được mang mã của một phiếu thật.",
                        "A test record cannot take the id of a record.",
                    ),
                );
                results.push(ChangeResult {
                    change_id: change.change_id,
                    duplicate: false,
                    outcome: Outcome::Rejected { errors: vec![error] },
                });
                continue;
            }
            let revision = match sqlx::query("SELECT revision FROM test_records WHERE id = $1")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?
            {
                Some(row) => row.try_get::<i64, _>("revision")? + 1,
                None => 1,
            };
            let mut stored = record.clone();
            stored.revision = revision as u64;
            sqlx::query("DELETE FROM test_records WHERE id = $1").bind(&id).execute(&mut *tx).await?;
            if !record.deleted {
                sqlx::query(
                    "INSERT INTO test_records (id, form_id, form_version, user_id, record, revision, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&id)
                .bind(record.form_id.as_str())
                .bind(i64::from(record.form_version))
                .bind(user.id)
                .bind(serde_json::to_string(&stored)?)
                .bind(revision)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let outcome = Outcome::Applied { record_id: record.id, revision: revision as u64 };
            settled.push(vec![
                Param::Text(change.change_id.to_string()),
                Param::Text(id),
                Param::Int(user.id),
                Param::Text(serde_json::to_string(&outcome)?),
                Param::Int(now),
                Param::Text(hash),
            ]);
            results.push(ChangeResult { change_id: change.change_id, duplicate: false, outcome });
        }
        insert_rows(&mut tx, self.backend, "applied_changes", &APPLIED_COLUMNS, settled).await?;
        tx.commit().await?;
        Ok(results)
    }

    /// The test records of version `version` of `form_id`, oldest first.
    pub async fn test_records(&self, form_id: &str, version: u32) -> Result<Vec<forms::Record>, StoreError> {
        sqlx::query("SELECT record FROM test_records WHERE form_id = $1 AND form_version = $2 ORDER BY updated_at, id")
            .bind(form_id)
            .bind(i64::from(version))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok(serde_json::from_str(&row.try_get::<String, _>("record")?)?))
            .collect()
    }
}
