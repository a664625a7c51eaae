//! One sync round: push the outbox in batches, pull every page, refresh the form catalog
//! when it changed, then send the photos the server lacks (`docs/sync-protocol.md`, "A sync round").

use std::collections::HashSet;
use std::hash::Hash;

use forms::sync::{Change, PushRequest, PushResponse};
use futures_util::future::join;
use uuid::Uuid;

use crate::api::{Api, ApiError};
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
    /// Evidence photos, after the records (`sent`/`total` count photos).
    Photos,
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
    /// Photos sent (the server lacked them).
    pub photos: usize,
}

/// The next batch, as positions among the queued changes listed oldest first by their
/// record: at most `max`, at most one change per record (a second change of a record waits
/// for the first to settle, which rebases it). Storage picks a batch by record id without
/// parsing the rest of the queue.
pub fn first_per_record<K: Eq + Hash>(records: impl IntoIterator<Item = K>, max: usize) -> Vec<usize> {
    let mut seen = HashSet::new();
    records.into_iter().enumerate().filter_map(|(i, record)| seen.insert(record).then_some(i)).take(max).collect()
}

/// The size of the push batches of one round. A push answered 413 (more than the server's
/// 500 changes / 8 MiB, or a proxy's smaller limit) applied nothing, so the same changes,
/// oldest first and with the same change ids, are resent in smaller batches: half as many
/// each time, down to one. The size stays down for the rest of the round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchSize(usize);

impl BatchSize {
    pub fn new(max: usize) -> BatchSize {
        BatchSize(max.max(1))
    }

    pub fn get(self) -> usize {
        self.0
    }

    /// After a push of `sent` changes failed with `e`: whether to resend a smaller batch
    /// now. Only a 413 does that (the next push carries half of the changes sent); `false`
    /// for any other error, and for a single change answered 413: that record alone is too
    /// large for the server, and resending it cannot help.
    pub fn shrink_after(&mut self, sent: usize, e: &ApiError) -> bool {
        if !is_too_large(e) || sent <= 1 {
            return false;
        }
        self.0 = (sent / 2).min(self.0);
        true
    }
}

/// The server (`payload_too_large`) or a proxy in front of it (an error page, no JSON) found
/// the request too large.
fn is_too_large(e: &ApiError) -> bool {
    matches!(e, ApiError::Rejected { status: 413, .. } | ApiError::Server(413))
}

/// Runs one round. Any error stops it where it is: what was acknowledged is stored, the rest
/// stays in the outbox with the same change ids, and the cursor points after the last page
/// stored. [`ApiError::Unauthorized`] changes nothing locally. A batch answered 413 is
/// split (see [`BatchSize`]); a single change answered 413 stays in the outbox and the round
/// stops with that error.
///
/// Pushes and pulls are pipelined, one request in flight at a time: while a request is on its
/// way, the previous answer is stored and the next batch read, so on a slow link the phone's
/// own work hides behind the network instead of adding to it. A batch never holds a record
/// of the batch in flight (a later change of it waits for the rebase that storing the
/// answer does); the next pull page starts from the cursor the previous page gave.
pub async fn sync_once(
    storage: &Storage,
    api: &Api,
    on_progress: &dyn Fn(SyncProgress),
) -> Result<SyncReport, ApiError> {
    let mut report = SyncReport::default();
    let device_id = storage.device_id().await?;
    // Each push and pull tells the server what the phone still holds (issue 13).
    let api = &api.reporting(storage.device_state().await?);

    let mut size = BatchSize::new(BATCH);
    let (mut batch, queued) = storage.push_batch(size.get(), &HashSet::new()).await?;
    // Changes queued while syncing join this round (`total` grows).
    let mut total = queued;
    let mut sent = 0;
    on_progress(SyncProgress { sent, total, phase: Phase::Pushing });
    // A push answered and not stored yet.
    let mut answered: Option<PushResponse> = None;
    while !batch.is_empty() || answered.is_some() {
        // While `batch` is on its way: store the previous answer, then pick the batch after
        // it, without the records in flight.
        let in_flight: HashSet<Uuid> = batch.iter().map(|c| c.record.id).collect();
        let next_size = size.get();
        let store = async {
            let settled = match &answered {
                Some(response) => Some(storage.settle(response).await?),
                None => None,
            };
            Ok::<_, ApiError>((settled, storage.push_batch(next_size, &in_flight).await?))
        };
        let send = async {
            if batch.is_empty() {
                return Ok(None);
            }
            push(api, &device_id, batch, &mut size).await.map(Some)
        };
        let (stored, pushed) = join(store, send).await;
        let (settled, (following, queued)) = stored?;
        if let Some(settled) = settled {
            report.applied += settled.applied;
            report.duplicates += settled.duplicates;
            report.conflicts += settled.conflicts;
            report.rejected += settled.rejected;
            if settled.settled() == 0 {
                // The server answered none of the batch: resending it now would loop.
                return Err(ApiError::Decode("a push was answered for none of its changes".into()));
            }
            sent += settled.settled();
        }
        total = total.max(sent + queued);
        on_progress(SyncProgress { sent, total, phase: Phase::Pushing });
        answered = pushed?;
        batch = following;
        // A 413 meanwhile made batches smaller.
        batch.truncate(size.get());
    }

    let mut cursor: u64 = storage.get_meta(META_CURSOR).await?.unwrap_or(0);
    // After the pushes: what is still waiting (0 when everything went through).
    let api = &api.reporting(storage.device_state().await?);
    on_progress(SyncProgress { sent, total, phase: Phase::Pulling });
    let mut page = api.pull(cursor, PULL_LIMIT).await?;
    let server_catalog = loop {
        // `next_cursor` only grows; a page that does not move it cannot be followed.
        let more = page.has_more && page.next_cursor > cursor;
        let next = async {
            if more {
                api.pull(page.next_cursor, PULL_LIMIT).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (stored, fetched) = join(storage.apply_pull(&page), next).await;
        report.pulled += stored?;
        match fetched? {
            Some(following) => {
                cursor = page.next_cursor;
                page = following;
                on_progress(SyncProgress { sent, total, phase: Phase::Pulling });
            }
            None => break page.catalog_version,
        }
    };

    let held: Option<String> = storage.get_meta(META_CATALOG_VERSION).await?;
    if held.as_deref() != Some(server_catalog.as_str()) {
        if let Some((bundle_json, version)) = api.forms(held.as_deref()).await? {
            // One transaction: a version stored without its bundle would never be refetched.
            storage.put_catalog(&bundle_json, &version).await?;
            report.catalog_updated = true;
        }
    }
    // Last: every record went first, whatever its photos weigh.
    report.photos = crate::photo_sync::send_photos(storage, api, on_progress).await?;
    on_progress(SyncProgress { sent, total, phase: Phase::Done });
    Ok(report)
}

/// Sends one batch, resending its first half while the answer is 413 (see [`BatchSize`]).
async fn push(
    api: &Api,
    device_id: &str,
    mut batch: Vec<Change>,
    size: &mut BatchSize,
) -> Result<PushResponse, ApiError> {
    loop {
        let count = batch.len();
        let request = PushRequest { device_id: device_id.to_owned(), changes: batch };
        match api.push(&request).await {
            Ok(response) => return Ok(response),
            // Nothing of a refused request was applied: resend its first half (the batch
            // is oldest first, so its head is what a smaller batch would hold).
            Err(e) if size.shrink_after(count, &e) => {
                batch = request.changes;
                batch.truncate(size.get());
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LocalRecord;
    use crate::model::OutboxEntry;
    use chrono::Utc;
    use std::collections::HashMap;
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

    /// The batch `Storage::push_batch` picks from an outbox held in memory.
    fn next_batch(outbox: &[OutboxEntry], max: usize) -> Vec<Change> {
        first_per_record(outbox.iter().map(|e| e.change.record.id), max)
            .into_iter()
            .map(|i| outbox[i].change.clone())
            .collect()
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

    fn too_large() -> ApiError {
        ApiError::Rejected { status: 413, code: "payload_too_large".into(), message: forms::Localized::new("", "") }
    }

    /// The push loop of `sync_once` (same `next_batch` and `BatchSize`) against a server
    /// that answers 413 when a request weighs more than `limit`. Returns the change ids of
    /// every request in order with whether it was accepted, and what is left in the outbox.
    fn push_all(
        mut outbox: Vec<OutboxEntry>,
        weight: &HashMap<Uuid, usize>,
        limit: usize,
    ) -> (Vec<(Vec<Uuid>, bool)>, Vec<OutboxEntry>) {
        let mut size = BatchSize::new(BATCH);
        let mut requests = Vec::new();
        while !outbox.is_empty() {
            assert!(requests.len() < 1000, "the push loop does not end");
            let batch = next_batch(&outbox, size.get());
            let ids: Vec<Uuid> = batch.iter().map(|c| c.change_id).collect();
            let accepted = batch.iter().map(|c| weight[&c.record.id]).sum::<usize>() <= limit;
            requests.push((ids.clone(), accepted));
            if accepted {
                outbox.retain(|e| !ids.contains(&e.change.change_id));
            } else if !size.shrink_after(batch.len(), &too_large()) {
                break;
            }
        }
        (requests, outbox)
    }

    #[test]
    fn a_batch_too_large_is_resent_in_halves_with_the_same_change_ids() {
        // Ten changes of 3 units against a limit of 8: 10 and 5 are refused, then pairs pass.
        let outbox: Vec<OutboxEntry> = (1..=10).map(entry).collect();
        let weight: HashMap<Uuid, usize> = (1..=10).map(|n| (Uuid::from_u128(n), 3)).collect();
        let (requests, left) = push_all(outbox.clone(), &weight, 8);
        let sizes: Vec<(usize, bool)> = requests.iter().map(|(ids, ok)| (ids.len(), *ok)).collect();
        assert_eq!(sizes, [(10, false), (5, false), (2, true), (2, true), (2, true), (2, true), (2, true)]);
        assert!(left.is_empty());
        // Every refused request is resent from its first change, and every change is sent
        // with the id it was queued with, accepted exactly once, oldest first.
        let queued: Vec<Uuid> = outbox.iter().map(|e| e.change.change_id).collect();
        assert_eq!(requests[1].0, queued[..5]);
        let accepted: Vec<Uuid> = requests.iter().filter(|(_, ok)| *ok).flat_map(|(ids, _)| ids.clone()).collect();
        assert_eq!(accepted, queued);

        // Within the limit nothing changes: batches of BATCH.
        let many: Vec<OutboxEntry> = (1..=250).map(entry).collect();
        let light: HashMap<Uuid, usize> = (1..=250).map(|n| (Uuid::from_u128(n), 0)).collect();
        let (requests, _) = push_all(many, &light, 8);
        assert_eq!(requests.iter().map(|(ids, _)| ids.len()).collect::<Vec<_>>(), [100, 100, 50]);
    }

    #[test]
    fn a_single_change_too_large_stays_queued_and_ends_the_loop() {
        let outbox: Vec<OutboxEntry> = (1..=4).map(entry).collect();
        let weight: HashMap<Uuid, usize> =
            [(1, 1), (2, 1), (3, 9), (4, 1)].map(|(n, w)| (Uuid::from_u128(n), w)).into();
        let (requests, left) = push_all(outbox.clone(), &weight, 8);
        let sizes: Vec<(usize, bool)> = requests.iter().map(|(ids, ok)| (ids.len(), *ok)).collect();
        assert_eq!(sizes, [(4, false), (2, true), (2, false), (1, false)]);
        assert_eq!(requests[3].0, [outbox[2].change.change_id], "the record too large, alone");
        assert_eq!(left, outbox[2..], "left in the outbox as queued");
    }

    #[test]
    fn only_413_shrinks_the_batch() {
        let mut size = BatchSize::new(BATCH);
        for other in [
            ApiError::Offline,
            ApiError::Server(500),
            ApiError::Rejected { status: 400, code: "invalid_json".into(), message: forms::Localized::new("", "") },
        ] {
            assert!(!size.shrink_after(BATCH, &other), "{other:?}");
        }
        assert_eq!(size.get(), BATCH);
        // A short batch (the outbox held fewer) halves what was sent, not the size.
        assert!(size.shrink_after(30, &too_large()));
        assert_eq!(size.get(), 15);
        // A proxy's 413 error page (no JSON) counts too; the size never grows back.
        assert!(size.shrink_after(15, &ApiError::Server(413)));
        assert_eq!(size.get(), 7);
        assert!(size.shrink_after(100, &too_large()));
        assert_eq!(size.get(), 7);
        assert!(size.shrink_after(2, &too_large()));
        assert_eq!(size.get(), 1);
        assert!(!size.shrink_after(1, &too_large()), "one change: too large for the server");
        assert_eq!(size.get(), 1);
    }
}
