//! One sync round: push the outbox in batches, pull every page, refresh the form catalog
//! when it changed (`docs/sync-protocol.md`, "A sync round").

use std::collections::HashSet;

use forms::sync::{Change, PushRequest};

use crate::api::{Api, ApiError};
use crate::model::OutboxEntry;
use crate::storage::{Storage, META_CATALOG_VERSION, META_CURSOR};

/// Changes per push. Far below the server's limit (500 / 8 MiB): on a weak signal a small
/// request has a better chance of getting through, and a lost one costs less to resend.
pub const BATCH: usize = 100;
/// Records per pull page.
pub const PULL_LIMIT: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Pushing,
    Pulling,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncProgress {
    pub sent: usize,
    pub total: usize,
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub applied: usize,
    pub duplicates: usize,
    pub conflicts: usize,
    pub rejected: usize,
    /// Records written from pulled pages.
    pub pulled: usize,
    /// A new form catalog was fetched and stored (meta `catalog`).
    pub catalog_updated: bool,
}

/// The next batch: oldest first, at most `max` changes, at most one change per record (a
/// second change of a record waits for the first to settle, which rebases it).
pub fn next_batch(outbox: &[OutboxEntry], max: usize) -> Vec<Change> {
    let mut seen = HashSet::new();
    outbox.iter().filter(|e| seen.insert(e.change.record.id)).take(max).map(|e| e.change.clone()).collect()
}

/// Runs one round. Any error stops it where it is: what was acknowledged is stored, the rest
/// stays in the outbox with the same change ids, and the cursor points after the last page
/// stored. [`ApiError::Unauthorized`] changes nothing locally.
pub async fn sync_once(
    storage: &Storage,
    api: &Api,
    on_progress: &dyn Fn(SyncProgress),
) -> Result<SyncReport, ApiError> {
    let mut report = SyncReport::default();
    let device_id = storage.device_id().await?;

    let mut outbox = storage.outbox().await?;
    let mut total = outbox.len();
    let mut sent = 0;
    on_progress(SyncProgress { sent, total, phase: Phase::Pushing });
    while !outbox.is_empty() {
        let changes = next_batch(&outbox, BATCH);
        let count = changes.len();
        let response = api.push(&PushRequest { device_id: device_id.clone(), changes }).await?;
        let settled = storage.settle(&response).await?;
        report.applied += settled.applied;
        report.duplicates += settled.duplicates;
        report.conflicts += settled.conflicts;
        report.rejected += settled.rejected;
        if settled.settled() == 0 {
            // The server answered none of the batch: resending it now would loop.
            return Err(ApiError::Decode(format!("push answered none of {count} changes")));
        }
        outbox = storage.outbox().await?;
        sent += settled.settled();
        // Changes queued while syncing join this round.
        total = total.max(sent + outbox.len());
        on_progress(SyncProgress { sent, total, phase: Phase::Pushing });
    }

    let mut cursor: u64 = storage.get_meta(META_CURSOR).await?.unwrap_or(0);
    let server_catalog = loop {
        on_progress(SyncProgress { sent, total, phase: Phase::Pulling });
        let page = api.pull(cursor, PULL_LIMIT).await?;
        report.pulled += storage.apply_pull(&page).await?;
        // `next_cursor` only grows; a page that does not move it cannot be followed.
        if !page.has_more || page.next_cursor <= cursor {
            break page.catalog_version;
        }
        cursor = page.next_cursor;
    };

    let held: Option<String> = storage.get_meta(META_CATALOG_VERSION).await?;
    if held.as_deref() != Some(server_catalog.as_str()) {
        if let Some((bundle_json, version)) = api.forms(held.as_deref()).await? {
            // One transaction: a version stored without its bundle would never be refetched.
            storage.put_catalog(&bundle_json, &version).await?;
            report.catalog_updated = true;
        }
    }
    on_progress(SyncProgress { sent, total, phase: Phase::Done });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LocalRecord;
    use chrono::Utc;
    use uuid::Uuid;

    fn entry(record: u128) -> OutboxEntry {
        let record = forms::Record {
            id: Uuid::from_u128(record),
            form_id: "f".into(),
            form_version: 1,
            location: forms::Location { unit_list: "units_2025".into(), unit_code: "1".into() },
            author: "a".into(),
            device_id: "d".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            status: forms::RecordStatus::Final,
            deleted: false,
            revision: 0,
            values: Default::default(),
        };
        OutboxEntry::new(&LocalRecord::new(record))
    }

    #[test]
    fn batches_are_oldest_first_bounded_and_one_per_record() {
        let outbox: Vec<OutboxEntry> = [1, 2, 1, 3, 2, 4].into_iter().map(entry).collect();
        let batch = next_batch(&outbox, 100);
        let ids: Vec<_> = batch.iter().map(|c| c.change_id).collect();
        let expected: Vec<_> = [0, 1, 3, 5].iter().map(|&i| outbox[i].change.change_id).collect();
        assert_eq!(ids, expected);
        assert_eq!(next_batch(&outbox, 2).len(), 2);

        let many: Vec<OutboxEntry> = (0..250).map(entry).collect();
        let batch = next_batch(&many, BATCH);
        assert_eq!(batch.len(), BATCH);
        assert_eq!(batch[0].change_id, many[0].change.change_id);
    }
}
