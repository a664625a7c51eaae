//! The IndexedDB layout and its migrations. A phone may skip app versions for months, so
//! every step from any older version is kept and run in order.
//!
//! - v1: `meta` (key → JSON text), `records` (record id → row), `outbox` (change id → row).
//! - v2: `rejected` (change id → row) with index `by_record` on `record_id`: refused changes
//!   are kept apart from the sending loop instead of being dropped.
//! - v3: `photos` (`<record id>/<sha256>` → row with the picture as a `Blob`) with index
//!   `by_record`: evidence photos wait here, beside their record, never inside its JSON.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyPath;

pub const SCHEMA_VERSION: u32 = 3;

pub(crate) const META: &str = "meta";
pub(crate) const RECORDS: &str = "records";
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const REJECTED: &str = "rejected";
pub(crate) const PHOTOS: &str = "photos";
pub(crate) const BY_RECORD: &str = "by_record";

/// Brings a database from `old` to `new`, one version at a time, inside the upgrade
/// transaction: if any step fails the browser rolls every step back.
pub(crate) fn upgrade(db: &Database, old: u32, new: u32) -> indexed_db_futures::Result<()> {
    for version in (old + 1)..=new {
        match version {
            1 => v1(db)?,
            2 => v2(db)?,
            3 => v3(db)?,
            _ => {}
        }
    }
    Ok(())
}

fn v1(db: &Database) -> indexed_db_futures::Result<()> {
    db.create_object_store(META).build()?;
    db.create_object_store(RECORDS).build()?;
    db.create_object_store(OUTBOX).build()?;
    Ok(())
}

fn v2(db: &Database) -> indexed_db_futures::Result<()> {
    let rejected = db.create_object_store(REJECTED).build()?;
    rejected.create_index(BY_RECORD, KeyPath::One("record_id")).build()?;
    Ok(())
}

fn v3(db: &Database) -> indexed_db_futures::Result<()> {
    let photos = db.create_object_store(PHOTOS).build()?;
    photos.create_index(BY_RECORD, KeyPath::One("record_id")).build()?;
    Ok(())
}
