//! The form catalog kept in the database (`migrations/*/0016_form_catalog.sql`): every
//! published form version and each form's report figures, from which every server process
//! compiles the catalog it serves (`crate::catalog`). Published versions are never changed;
//! each change moves the `catalog` counter, which the processes poll. Withdrawing a version
//! (and restoring it) is a state kept beside it (`0017_form_withdrawals.sql`), applied when
//! the catalog is compiled.

use std::collections::BTreeSet;

use forms::definition::FormDefinition;
use forms::figures::FormFigures;
use forms::form::DefinitionError;
use forms::reference::ReferenceData;
use forms::Catalog;
use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry, TargetKind};
use super::{Db, StoreError};
use crate::db::now_ms;

/// What the database holds of the catalog, at one generation of the counter.
#[derive(Debug, Clone)]
pub struct StoredCatalog {
    pub generation: i64,
    /// Every version as published (a withdrawal from the console is not in them).
    pub definitions: Vec<FormDefinition>,
    pub figures: Vec<FormFigures>,
    /// The versions an admin withdrew (form id, version).
    pub withdrawn: BTreeSet<(String, u32)>,
}

impl StoredCatalog {
    /// The catalog these definitions and figures make with `reference`, checked as the
    /// repository's files are. A withdrawn version is served withdrawn; one published
    /// withdrawn stays so.
    pub fn compile(&self, reference: ReferenceData) -> Result<Catalog, DefinitionError> {
        let defs = self
            .definitions
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.withdrawn |= self.withdrawn.contains(&(d.id.clone(), d.version));
                (format!("{}/v{}", d.id, d.version), d)
            })
            .collect();
        let figures = self.figures.iter().map(|f| (format!("{}/figures", f.form), f.clone())).collect();
        Catalog::new(defs, reference)?.with_figures(figures)
    }

    /// Version `version` of `form_id` as published, and its form's report figures: what a
    /// download of it holds, so that uploading it again gives a version in use.
    pub fn published(&self, form_id: &str, version: u32) -> Option<(&FormDefinition, Option<&FormFigures>)> {
        let definition = self.definitions.iter().find(|d| d.id == form_id && d.version == version)?;
        Some((definition, self.figures.iter().find(|f| f.form == form_id)))
    }

    /// The next version of `form_id`: 1 for a new form.
    pub fn next_version(&self, form_id: &str) -> u32 {
        self.definitions.iter().filter(|d| d.id == form_id).map(|d| d.version).max().unwrap_or(0) + 1
    }
}

/// Moves the counter every process polls; returns the new generation.
pub(super) async fn bump(conn: &mut sqlx::AnyConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query("UPDATE counters SET value = value + 1 WHERE name = 'catalog' RETURNING value")
        .fetch_one(&mut *conn)
        .await?
        .try_get("value")?)
}

impl Db {
    /// At start: adds the form versions and figures of `shipped` (the repository's files)
    /// that the database does not hold yet. A shipped version the database holds stays as
    /// stored (a published version never changes; a difference is logged); shipped figures
    /// replace figures shipped before, never uploaded ones. Returns the versions added.
    pub async fn seed_catalog(&self, shipped: &Catalog) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        // The writers' lock: of two servers starting together, one seeds.
        super::lock_writers(&mut tx).await?;
        let stored: std::collections::HashMap<(String, i64), String> =
            sqlx::query("SELECT form_id, version, definition FROM form_versions")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok(((r.try_get("form_id")?, r.try_get("version")?), r.try_get("definition")?)))
                .collect::<Result<_, StoreError>>()?;
        let now = now_ms();
        let mut added = 0;
        for form in shipped.forms() {
            let def = &form.definition;
            let json = serde_json::to_string(def)?;
            match stored.get(&(def.id.clone(), i64::from(def.version))) {
                Some(existing) if *existing != json => {
                    tracing::warn!(form = %def.id, version = def.version, "the shipped definition differs from the published one, which is kept");
                }
                Some(_) => {}
                None => {
                    sqlx::query(
                        "INSERT INTO form_versions (form_id, version, definition, origin, published_by, published_at) \
                         VALUES ($1, $2, $3, 'bundled', NULL, $4)",
                    )
                    .bind(def.id.as_str())
                    .bind(i64::from(def.version))
                    .bind(json)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    added += 1;
                }
            }
        }
        let mut figures_changed = false;
        for figures in shipped.all_figures() {
            let json = serde_json::to_string(figures)?;
            let current = sqlx::query("SELECT figures, origin FROM form_figures WHERE form_id = $1")
                .bind(figures.form.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let write = match &current {
                None => true,
                Some(row) => {
                    row.try_get::<String, _>("origin")? == "bundled" && row.try_get::<String, _>("figures")? != json
                }
            };
            if write {
                sqlx::query(
                    "INSERT INTO form_figures (form_id, figures, origin, updated_at) VALUES ($1, $2, 'bundled', $3) \
                     ON CONFLICT (form_id) DO UPDATE SET figures = excluded.figures, updated_at = excluded.updated_at",
                )
                .bind(figures.form.as_str())
                .bind(json)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                figures_changed = true;
            }
        }
        if added > 0 || figures_changed {
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The generation of the stored catalog: moves with every change.
    pub async fn catalog_generation(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT value FROM counters WHERE name = 'catalog'")
            .fetch_one(&self.pool)
            .await?
            .try_get("value")?)
    }

    /// Every stored version and figures, and the generation they are of (read in one
    /// transaction, so they agree).
    pub async fn stored_catalog(&self) -> Result<StoredCatalog, StoreError> {
        let mut tx = self.pool.begin().await?;
        let generation: i64 = sqlx::query("SELECT value FROM counters WHERE name = 'catalog'")
            .fetch_one(&mut *tx)
            .await?
            .try_get("value")?;
        let definitions = sqlx::query("SELECT definition FROM form_versions ORDER BY form_id, version")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("definition")?)?))
            .collect::<Result<Vec<FormDefinition>, StoreError>>()?;
        let figures = sqlx::query("SELECT figures FROM form_figures ORDER BY form_id")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("figures")?)?))
            .collect::<Result<Vec<FormFigures>, StoreError>>()?;
        let withdrawn = sqlx::query("SELECT form_id, version FROM form_withdrawals")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("form_id")?, version_of(r)?)))
            .collect::<Result<BTreeSet<(String, u32)>, StoreError>>()?;
        tx.commit().await?;
        Ok(StoredCatalog { generation, definitions, figures, withdrawn })
    }

    /// Publishes `definition` (its version the next of its form, checked by the caller
    /// against the catalog it compiled it with), with its form's new report `figures` if
    /// they change, audited. `AlreadyExists` if another admin published that version
    /// meanwhile. Returns the new generation. After new figures, the caller works out the
    /// stored records' figures again (`Db::ensure_report_figures`).
    pub async fn publish_form(
        &self,
        by: &Actor,
        definition: &FormDefinition,
        figures: Option<&FormFigures>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        insert_version(&mut tx, by, definition).await?;
        if let Some(figures) = figures {
            sqlx::query(
                "INSERT INTO form_figures (form_id, figures, origin, updated_at) VALUES ($1, $2, 'upload', $3) \
                 ON CONFLICT (form_id) DO UPDATE SET figures = excluded.figures, origin = excluded.origin, \
                 updated_at = excluded.updated_at",
            )
            .bind(figures.form.as_str())
            .bind(serde_json::to_string(figures)?)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        let generation = bump(&mut tx).await?;
        let mut entry = version_entry(by, AuditAction::FormPublished, definition);
        if let (Some(after), Some(figures)) = (entry.after.as_mut(), figures) {
            after["figures"] = figures.figures.iter().map(|g| g.field.as_str()).collect::<Vec<_>>().into();
        }
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(generation)
    }
}

/// Stores `definition` as a published version, under the writers' lock the caller holds:
/// `AlreadyExists` if that version is taken.
pub(super) async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    by: &Actor,
    definition: &FormDefinition,
) -> Result<(), StoreError> {
    let taken = sqlx::query("SELECT 1 AS one FROM form_versions WHERE form_id = $1 AND version = $2")
        .bind(definition.id.as_str())
        .bind(i64::from(definition.version))
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::AlreadyExists("form version"));
    }
    sqlx::query(
        "INSERT INTO form_versions (form_id, version, definition, origin, published_by, published_at) \
         VALUES ($1, $2, $3, 'upload', $4, $5)",
    )
    .bind(definition.id.as_str())
    .bind(i64::from(definition.version))
    .bind(serde_json::to_string(definition)?)
    .bind(by.user_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The audit row of an action on a form version: which, its title and question count.
pub(super) fn version_entry<'a>(by: &'a Actor, action: AuditAction, definition: &FormDefinition) -> AuditEntry<'a> {
    AuditEntry {
        by,
        action,
        target_kind: TargetKind::Form,
        target_id: format!("{}:v{}", definition.id, definition.version),
        unit: None,
        before: None,
        after: Some(serde_json::json!({
            "form_id": definition.id,
            "version": definition.version,
            "title": definition.title.vi,
            "questions": definition.sections.iter().map(|s| s.fields.len()).sum::<usize>(),
        })),
    }
}

/// Why a withdrawal or a restoration does not apply to a version as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalRefused {
    /// Withdrawing a version that is withdrawn already.
    AlreadyWithdrawn,
    /// Restoring a version in use.
    NotWithdrawn,
    /// Restoring a version published withdrawn (`withdrawn = true` in its definition): its
    /// definition never changes, so only a new version can take records again.
    WithdrawnInDefinition,
}

fn version_of(row: &sqlx::any::AnyRow) -> Result<u32, StoreError> {
    let version: i64 = row.try_get("version")?;
    u32::try_from(version).map_err(|_| StoreError::Corrupt(format!("form version {version}")))
}

impl Db {
    /// Withdraws published version `version` of `form_id`: it takes no new records from
    /// now on, its records stay editable. Audited; moves the counter (every process serves
    /// it within a poll). `NotFound` for no such version. Returns the new generation.
    pub async fn withdraw_form(
        &self,
        by: &Actor,
        form_id: &str,
        version: u32,
    ) -> Result<Result<i64, WithdrawalRefused>, StoreError> {
        self.set_withdrawn(by, form_id, version, true).await
    }

    /// Restores a version an admin withdrew: it takes new records again. Audited; moves the
    /// counter. `NotFound` for no such version.
    pub async fn restore_form(
        &self,
        by: &Actor,
        form_id: &str,
        version: u32,
    ) -> Result<Result<i64, WithdrawalRefused>, StoreError> {
        self.set_withdrawn(by, form_id, version, false).await
    }

    async fn set_withdrawn(
        &self,
        by: &Actor,
        form_id: &str,
        version: u32,
        withdraw: bool,
    ) -> Result<Result<i64, WithdrawalRefused>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Under the writers' lock: a push checks each change against one catalog, and two
        // admins pressing the same button meet one after the other.
        super::lock_writers(&mut tx).await?;
        let definition: FormDefinition =
            match sqlx::query("SELECT definition FROM form_versions WHERE form_id = $1 AND version = $2")
                .bind(form_id)
                .bind(i64::from(version))
                .fetch_optional(&mut *tx)
                .await?
            {
                Some(row) => serde_json::from_str(&row.try_get::<String, _>("definition")?)?,
                None => return Err(StoreError::NotFound("form version")),
            };
        let by_admin = sqlx::query("SELECT 1 AS one FROM form_withdrawals WHERE form_id = $1 AND version = $2")
            .bind(form_id)
            .bind(i64::from(version))
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        let refused = match (withdraw, definition.withdrawn, by_admin) {
            (true, true, _) | (true, _, true) => Some(WithdrawalRefused::AlreadyWithdrawn),
            (false, true, _) => Some(WithdrawalRefused::WithdrawnInDefinition),
            (false, false, false) => Some(WithdrawalRefused::NotWithdrawn),
            _ => None,
        };
        if let Some(refused) = refused {
            return Ok(Err(refused));
        }
        let statement = if withdraw {
            "INSERT INTO form_withdrawals (form_id, version, withdrawn_by, withdrawn_at) VALUES ($1, $2, $3, $4)"
        } else {
            "DELETE FROM form_withdrawals WHERE form_id = $1 AND version = $2"
        };
        let mut query = sqlx::query(statement).bind(form_id).bind(i64::from(version));
        if withdraw {
            query = query.bind(by.user_id).bind(now_ms());
        }
        query.execute(&mut *tx).await?;
        let generation = bump(&mut tx).await?;
        let state = |withdrawn: bool| Some(serde_json::json!({ "withdrawn": withdrawn }));
        let entry = AuditEntry {
            by,
            action: if withdraw { AuditAction::FormWithdrawn } else { AuditAction::FormRestored },
            target_kind: TargetKind::Form,
            target_id: format!("{form_id}:v{version}"),
            unit: None,
            before: state(!withdraw),
            after: Some(serde_json::json!({ "withdrawn": withdraw, "title": definition.title.vi })),
        };
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(Ok(generation))
    }
}
