//! Reference lists kept in the database (`migrations/*/0019_reference_files.sql`): the files
//! every process compiles its catalog's lists from (`crate::catalog`), seeded from the
//! repository's and replaced one at a time by an admin's upload (checked by the caller:
//! `http::admin::reference`). Each change moves the `catalog` counter.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry, TargetKind};
use super::catalog::bump;
use super::{Db, StoreError};
use crate::db::now_ms;

/// A stored reference file, as the console lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReferenceFile {
    pub name: String,
    /// `bundled` or `upload`.
    pub origin: String,
    pub bytes: i64,
    pub updated_at: i64,
}

impl Db {
    /// At start: adds the shipped files the database lacks and brings files still as shipped
    /// up to this release's; an uploaded file is never replaced. Returns whether anything
    /// changed.
    pub async fn seed_reference(&self, shipped: &[(&str, &str)]) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        let stored: BTreeMap<String, (String, String)> =
            sqlx::query("SELECT name, content, origin FROM reference_files")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("name")?, (r.try_get("content")?, r.try_get("origin")?))))
                .collect::<Result<_, StoreError>>()?;
        let mut changed = false;
        for (name, content) in shipped {
            let write = match stored.get(*name) {
                None => true,
                Some((text, origin)) => origin == "bundled" && text != content,
            };
            if write {
                sqlx::query(
                    "INSERT INTO reference_files (name, content, origin, uploaded_by, updated_at) \
                     VALUES ($1, $2, 'bundled', NULL, $3) \
                     ON CONFLICT (name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
                )
                .bind(*name)
                .bind(*content)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
                changed = true;
            }
        }
        if changed {
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Every stored reference file: name → text.
    pub async fn reference_files(&self) -> Result<BTreeMap<String, String>, StoreError> {
        sqlx::query("SELECT name, content FROM reference_files")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("content")?)))
            .collect()
    }

    /// The stored files, by name, without their text.
    pub async fn reference_file_list(&self) -> Result<Vec<ReferenceFile>, StoreError> {
        sqlx::query("SELECT name, origin, content, updated_at FROM reference_files ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ReferenceFile {
                    name: r.try_get("name")?,
                    origin: r.try_get("origin")?,
                    bytes: r.try_get::<String, _>("content")?.len() as i64,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Replaces (or adds) reference files with an upload checked by the caller against the
    /// whole set, the forms and what records and users name, in one transaction. Each is
    /// audited with its size before and after. Returns the new generation.
    pub async fn save_reference_files(&self, by: &Actor, files: &BTreeMap<String, String>) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        for (name, content) in files {
            save_one(&mut tx, by, name, content).await?;
        }
        let generation = bump(&mut tx).await?;
        tx.commit().await?;
        Ok(generation)
    }
}

async fn save_one(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    by: &Actor,
    name: &str,
    content: &str,
) -> Result<(), StoreError> {
    let before = sqlx::query("SELECT content FROM reference_files WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get::<String, _>("content"))
        .transpose()?;
    sqlx::query(
        "INSERT INTO reference_files (name, content, origin, uploaded_by, updated_at) \
         VALUES ($1, $2, 'upload', $3, $4) \
         ON CONFLICT (name) DO UPDATE SET content = excluded.content, origin = excluded.origin, \
         uploaded_by = excluded.uploaded_by, updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(content)
    .bind(by.user_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    let lines = |text: &str| text.lines().filter(|l| !l.trim().is_empty()).count();
    let entry = AuditEntry {
        by,
        action: AuditAction::ReferenceUploaded,
        target_kind: TargetKind::Reference,
        target_id: name.to_owned(),
        unit: None,
        before: before.as_deref().map(|b| serde_json::json!({ "file": name, "lines": lines(b) })),
        after: Some(serde_json::json!({ "file": name, "lines": lines(content) })),
    };
    audit::write(tx, &entry).await?;
    Ok(())
}

impl Db {
    /// Every place a record or a user's scope names: (unit list, unit code). Lists must
    /// keep them.
    pub async fn places_in_use(&self) -> Result<BTreeSet<(String, String)>, StoreError> {
        let mut places = BTreeSet::new();
        for sql in [
            "SELECT DISTINCT unit_list, unit_code FROM records",
            "SELECT DISTINCT unit_list, unit_code FROM user_communes",
        ] {
            for row in sqlx::query(sql).fetch_all(&self.pool).await? {
                places.insert((row.try_get("unit_list")?, row.try_get("unit_code")?));
            }
        }
        Ok(places)
    }

    /// Every agency code a report sum or a user names. The agencies list must keep them.
    pub async fn agencies_in_use(&self) -> Result<BTreeSet<String>, StoreError> {
        let mut codes = BTreeSet::new();
        for sql in [
            "SELECT DISTINCT agency FROM report_agency_totals",
            "SELECT DISTINCT agency FROM users WHERE agency IS NOT NULL",
        ] {
            for row in sqlx::query(sql).fetch_all(&self.pool).await? {
                codes.insert(row.try_get("agency")?);
            }
        }
        Ok(codes)
    }
}
