//! Storage and sync semantics in a real browser (headless Chromium, real IndexedDB). The
//! settle and pull logic is exercised through the same storage functions `sync_once` calls,
//! with server answers built here; `server.rs` runs `sync_once` against a real server.
#![cfg(target_arch = "wasm32")]

#[path = "browser/forget.rs"]
mod forget;
#[path = "browser/photos.rs"]
mod photos;
#[path = "browser/review.rs"]
mod review;
#[path = "browser/server.rs"]
mod server;

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use forms::sync::{ChangeResult, Outcome, PullResponse, PulledRecord, PushResponse};
use forms::{ErrorCode, FieldError, Localized, Location, Record, RecordStatus};
use sotay_device::storage::{self, Storage, StorageError, SCHEMA_VERSION};
use sotay_device::{Counts, LocalRecord, OutboxEntry, SyncState};
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh database per test: tests share the page's origin.
async fn fresh(tag: &str) -> (Storage, String) {
    let name = format!("test-{tag}-{}", Uuid::new_v4());
    (Storage::open_named(&name).await.expect("open"), name)
}

pub fn record(n: u128, minute: i64) -> Record {
    let at = Utc.with_ymd_and_hms(2025, 8, 1, 2, 0, 0).unwrap() + Duration::minutes(minute);
    let mut values = serde_json::Map::new();
    // A float that is a whole number: must come back as written.
    values.insert("ratio".into(), serde_json::json!(2.0));
    values.insert("note".into(), serde_json::json!("Tuyên truyền bình đẳng giới"));
    Record {
        id: Uuid::from_u128(n),
        form_id: "outreach_event".into(),
        form_version: 1,
        location: Location { unit_list: "units_2025".into(), unit_code: "21001".into() },
        author: "lan".into(),
        device_id: "tab-07".into(),
        created_at: at,
        updated_at: at,
        status: RecordStatus::Final,
        deleted: false,
        revision: 0,
        values,
    }
}

async fn queue_new(s: &Storage, n: u128, minute: i64) -> OutboxEntry {
    let local = LocalRecord::new(record(n, minute));
    let entry = OutboxEntry::new(&local);
    s.queue(&local, &entry).await.expect("queue");
    entry
}

fn result(entry: &OutboxEntry, duplicate: bool, outcome: Outcome) -> ChangeResult {
    ChangeResult { change_id: entry.change.change_id, duplicate, outcome }
}

fn applied(entry: &OutboxEntry, revision: u64) -> Outcome {
    Outcome::Applied { record_id: entry.change.record.id, revision }
}

fn too_large() -> FieldError {
    FieldError::new("participants", ErrorCode::CellTooLarge, Localized::new("Quá lớn", "Too large")).in_cell(3)
}

#[wasm_bindgen_test]
async fn meta_and_records_round_trip_newest_first() {
    let (s, _) = fresh("roundtrip").await;
    assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), None);
    s.put_meta("cursor", &812u64).await.unwrap();
    assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), Some(812));

    for (n, minute) in [(1, 10), (2, 30), (3, 20)] {
        s.save_draft(&LocalRecord::new(record(n, minute))).await.unwrap();
    }
    let stored = s.record(Uuid::from_u128(2)).await.unwrap().unwrap();
    assert_eq!(stored, LocalRecord::new(record(2, 30)), "byte-exact round trip, 2.0 stays a float");
    let order: Vec<u128> = s.records().await.unwrap().iter().map(|r| r.record.id.as_u128()).collect();
    assert_eq!(order, vec![2, 3, 1]);
    assert_eq!(s.record(Uuid::from_u128(99)).await.unwrap(), None);
    assert!(s.outbox().await.unwrap().is_empty(), "autosave never queues");
    let id = s.device_id().await.unwrap();
    assert_eq!(s.device_id().await.unwrap(), id, "the device id is made once");
}

#[wasm_bindgen_test]
async fn queue_writes_record_and_change_together_or_not_at_all() {
    let (s, _) = fresh("atomic").await;
    let mut local = LocalRecord::new(record(1, 0));
    s.save_draft(&local).await.unwrap();
    let entry = OutboxEntry::new(&local);

    storage::fail_next_queue_midway();
    assert!(s.queue(&local, &entry).await.is_err());
    assert!(s.outbox().await.unwrap().is_empty(), "the outbox write was rolled back");
    assert_eq!(s.record(local.record.id).await.unwrap().unwrap().state, SyncState::Draft);

    local.record.revision = 3; // the revision the device last had
    s.queue(&local, &entry).await.unwrap();
    let outbox = s.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].change.change_id, entry.change.change_id, "the id made once is kept");
    assert_eq!(outbox[0].change.base_revision, 3);
    assert_eq!(outbox[0].change.record, local.record);
    assert_eq!(s.record(local.record.id).await.unwrap().unwrap().state, SyncState::Queued);

    let other = OutboxEntry::new(&LocalRecord::new(record(2, 0)));
    assert!(matches!(s.queue(&local, &other).await, Err(StorageError::Mismatch { .. })));
}

#[wasm_bindgen_test]
async fn outbox_is_oldest_first_and_requeueing_keeps_the_place() {
    let (s, _) = fresh("order").await;
    // Edit times deliberately out of order: the queue order is what counts.
    let a = queue_new(&s, 1, 50).await;
    let b = queue_new(&s, 2, 10).await;
    let c = queue_new(&s, 3, 30).await;
    s.queue(&LocalRecord::new(record(1, 50)), &a).await.unwrap();
    let ids: Vec<Uuid> = s.outbox().await.unwrap().iter().map(|e| e.change.change_id).collect();
    assert_eq!(ids, vec![a.change.change_id, b.change.change_id, c.change.change_id]);
}

#[wasm_bindgen_test]
async fn drafts_and_outbox_survive_a_reload() {
    let (s, name) = fresh("reload").await;
    s.save_draft(&LocalRecord::new(record(1, 0))).await.unwrap();
    let queued = queue_new(&s, 2, 0).await;
    s.close();
    drop(s);
    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!(s.record(Uuid::from_u128(1)).await.unwrap().unwrap().state, SyncState::Draft);
    assert_eq!(s.outbox().await.unwrap(), vec![queued]);
}

#[wasm_bindgen_test]
async fn migration_from_v1_keeps_data_and_adds_the_later_stores() {
    let name = format!("test-migrate-{}", Uuid::new_v4());
    let v1 = Storage::open_at(&name, 1).await.unwrap();
    assert_eq!(v1.schema_version(), 1);
    v1.put_meta("cursor", &40u64).await.unwrap();
    v1.save_draft(&LocalRecord::new(record(1, 0))).await.unwrap();
    let queued = queue_new(&v1, 2, 0).await;
    v1.close();

    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!((s.schema_version(), SCHEMA_VERSION), (3, 3));
    assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), Some(40));
    assert_eq!(s.record(Uuid::from_u128(1)).await.unwrap().unwrap().state, SyncState::Draft);
    assert_eq!(s.outbox().await.unwrap(), vec![queued.clone()]);
    // The new store works: a refusal of the change queued under v1 is kept there.
    let response =
        PushResponse { results: vec![result(&queued, false, Outcome::Rejected { errors: vec![too_large()] })] };
    s.settle(&response).await.unwrap();
    assert_eq!(s.rejected().await.unwrap()[0].entry, queued);
    assert!(s.outbox().await.unwrap().is_empty());
    // So does the v3 store, made in the same upgrade.
    assert!(s.unsent_photos().await.unwrap().is_empty());
    s.put_photo(Uuid::from_u128(1), &photos::sha(1), &photos::jpeg(1)).await.unwrap();
    assert_eq!(s.counts().await.unwrap().unsent_photos, 1);
    s.close();
    // Reopening at the current version runs no upgrade and loses nothing.
    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!(s.rejected().await.unwrap().len(), 1);
    assert_eq!(s.counts().await.unwrap().unsent_photos, 1);
}

#[wasm_bindgen_test]
async fn migration_from_v2_keeps_data_and_adds_the_photos_store() {
    let name = format!("test-migrate-v2-{}", Uuid::new_v4());
    let v2 = Storage::open_at(&name, 2).await.unwrap();
    assert_eq!(v2.schema_version(), 2);
    v2.put_meta("cursor", &40u64).await.unwrap();
    // A draft naming a photo (as a v2 phone could never write, but the reads must cope),
    // a change waiting and one refused.
    let mut draft = LocalRecord::new(record(1, 0));
    draft.record.values.insert("sign_in_sheet".into(), photos::named(&[1]));
    v2.save_draft(&draft).await.unwrap();
    let queued = queue_new(&v2, 2, 0).await;
    let refused = queue_new(&v2, 3, 0).await;
    let response =
        PushResponse { results: vec![result(&refused, false, Outcome::Rejected { errors: vec![too_large()] })] };
    v2.settle(&response).await.unwrap();
    // At v2 the photo reads answer "none" instead of failing on the missing store.
    assert!(v2.unsent_photos().await.unwrap().is_empty());
    assert!(v2.records_with_unsent_photos().await.unwrap().is_empty());
    assert_eq!(v2.counts().await.unwrap().unsent_photos, 0);
    assert_eq!(v2.unsent().await.unwrap(), 3);
    let counts_v2 = v2.counts().await.unwrap();
    v2.close();

    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!(s.schema_version(), 3);
    assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), Some(40));
    assert_eq!(s.record(draft.record.id).await.unwrap().unwrap(), draft);
    assert_eq!(s.outbox().await.unwrap(), vec![queued]);
    assert_eq!(s.rejected().await.unwrap()[0].entry, refused);
    assert_eq!(s.counts().await.unwrap(), counts_v2, "nothing counted differently after the upgrade");
    // The photos store works: a photo beside the draft is kept, listed and counted.
    let photo = photos::key(1, 1);
    s.put_photo(photo.record_id, &photo.sha256, &photos::jpeg(1)).await.unwrap();
    assert_eq!(s.unsent_photos().await.unwrap(), vec![(photo.clone(), SyncState::Draft)]);
    assert_eq!(s.records_with_unsent_photos().await.unwrap(), HashSet::from([draft.record.id]));
    assert_eq!(s.counts().await.unwrap().unsent_photos, 1);
    assert_eq!(s.unsent().await.unwrap(), 4, "three records and a photo");
    s.close();
    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!(s.schema_version(), 3);
    assert_eq!(photos::bytes_of(&s.photo_blob(&photo).await.unwrap().unwrap()).await, photos::jpeg_bytes(1));
}

#[wasm_bindgen_test]
async fn counts_by_state() {
    let (s, _) = fresh("counts").await;
    assert_eq!(s.counts().await.unwrap(), Counts::default());
    s.save_draft(&LocalRecord::new(record(1, 0))).await.unwrap();
    let a = queue_new(&s, 2, 0).await;
    let b = queue_new(&s, 3, 0).await;
    let c = queue_new(&s, 4, 0).await;
    let _d = queue_new(&s, 5, 0).await;
    assert_eq!(
        s.counts().await.unwrap(),
        Counts { drafts: 1, waiting: 4, synced: 0, attention: 0, needs_changes: 0, unsent_photos: 0 }
    );
    let mut current = record(4, 5);
    current.revision = 2;
    let response = PushResponse {
        results: vec![
            result(&a, false, applied(&a, 1)),
            result(&b, false, Outcome::Rejected { errors: vec![too_large()] }),
            result(
                &c,
                false,
                Outcome::Conflict { record_id: current.id, conflict_id: Uuid::new_v4(), current: Box::new(current) },
            ),
        ],
    };
    s.settle(&response).await.unwrap();
    assert_eq!(
        s.counts().await.unwrap(),
        Counts { drafts: 1, waiting: 1, synced: 1, attention: 2, needs_changes: 0, unsent_photos: 0 }
    );
}

#[wasm_bindgen_test]
async fn settle_drops_only_acknowledged_changes() {
    let (s, _) = fresh("settle").await;
    let a = queue_new(&s, 1, 0).await;
    let b = queue_new(&s, 2, 0).await;
    let c = queue_new(&s, 3, 0).await;
    let d = queue_new(&s, 4, 0).await; // no result: the response lost it
    let mut current = record(3, 9);
    current.revision = 4;
    let response = PushResponse {
        results: vec![
            result(&a, false, applied(&a, 1)),
            result(&b, true, applied(&b, 2)),
            result(
                &c,
                false,
                Outcome::Conflict {
                    record_id: current.id,
                    conflict_id: Uuid::new_v4(),
                    current: Box::new(current.clone()),
                },
            ),
            ChangeResult { change_id: Uuid::new_v4(), duplicate: false, outcome: Outcome::Rejected { errors: vec![] } },
        ],
    };
    let report = s.settle(&response).await.unwrap();
    assert_eq!((report.applied, report.duplicates, report.conflicts, report.unknown), (1, 1, 1, 1));
    assert_eq!(s.outbox().await.unwrap(), vec![d], "unanswered changes stay, same id");

    let a_local = s.record(a.change.record.id).await.unwrap().unwrap();
    assert_eq!((a_local.state, a_local.record.revision), (SyncState::Synced, 1));
    assert_eq!(s.record(b.change.record.id).await.unwrap().unwrap().record.revision, 2);
    let c_local = s.record(c.change.record.id).await.unwrap().unwrap();
    assert_eq!(c_local.state, SyncState::Conflict);
    assert_eq!(c_local.record, record(3, 0), "the officer's version is kept");
    assert_eq!(c_local.conflict, Some(current));

    // Settling the same answer again (a retry's late response) changes nothing.
    let again = s.settle(&response).await.unwrap();
    assert_eq!(again.unknown, 4);
    assert_eq!(s.record(a.change.record.id).await.unwrap().unwrap(), a_local);
}

#[wasm_bindgen_test]
async fn rejected_changes_are_kept_and_a_fix_is_a_new_change() {
    let (s, _) = fresh("rejected").await;
    let a = queue_new(&s, 1, 0).await;
    let response = PushResponse { results: vec![result(&a, false, Outcome::Rejected { errors: vec![too_large()] })] };
    assert_eq!(s.settle(&response).await.unwrap().rejected, 1);
    assert!(s.outbox().await.unwrap().is_empty(), "out of the sending loop");
    let kept = s.rejected().await.unwrap();
    assert_eq!((kept.len(), &kept[0].entry, &kept[0].errors), (1, &a, &vec![too_large()]));
    let mut local = s.record(a.change.record.id).await.unwrap().unwrap();
    assert_eq!((local.state, &local.errors), (SyncState::Rejected, &vec![too_large()]));
    assert!(matches!(s.delete_draft(local.record.id).await, Err(StorageError::NotADraft(_))));

    // The officer fixes it; even if the old entry is handed back, the fix gets a new id.
    local.record.values.insert("note".into(), "fixed".into());
    s.queue(&local, &a).await.unwrap();
    let outbox = s.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_ne!(outbox[0].change.change_id, a.change.change_id);
    assert_eq!(outbox[0].change.record.values["note"], "fixed");
    assert!(s.rejected().await.unwrap().is_empty(), "superseded by the fix");
    let now = s.record(local.record.id).await.unwrap().unwrap();
    assert_eq!((now.state, now.errors.len()), (SyncState::Queued, 0));
}

#[wasm_bindgen_test]
async fn a_second_change_of_a_record_is_rebased_when_the_first_applies() {
    let (s, _) = fresh("rebase").await;
    let first = queue_new(&s, 1, 0).await;
    let mut local = s.record(first.change.record.id).await.unwrap().unwrap();
    local.record.values.insert("note".into(), "second edit".into());
    let second = OutboxEntry::new(&local);
    s.queue(&local, &second).await.unwrap();
    assert_eq!(s.outbox().await.unwrap()[1].change.base_revision, 0);

    s.settle(&PushResponse { results: vec![result(&first, false, applied(&first, 1))] }).await.unwrap();
    let outbox = s.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].change.change_id, outbox[0].change.base_revision), (second.change.change_id, 1));
    let now = s.record(local.record.id).await.unwrap().unwrap();
    assert_eq!((now.state, now.record.revision), (SyncState::Queued, 1), "still waiting for the second");
    assert_eq!(now.record.values["note"], "second edit");
}

#[wasm_bindgen_test]
async fn a_push_batch_is_oldest_first_one_change_per_record_and_counts_the_whole_queue() {
    let (s, _) = fresh("batch").await;
    let first = queue_new(&s, 1, 0).await;
    let mut local = s.record(first.change.record.id).await.unwrap().unwrap();
    local.record.values.insert("note".into(), "second edit".into());
    let second = OutboxEntry::new(&local);
    s.queue(&local, &second).await.unwrap();
    let b = queue_new(&s, 2, 1).await;
    let c = queue_new(&s, 3, 2).await;

    let ids = |changes: Vec<forms::sync::Change>| changes.into_iter().map(|c| c.change_id).collect::<Vec<_>>();
    let none = HashSet::new();
    let (batch, queued) = s.push_batch(10, &none).await.unwrap();
    assert_eq!(queued, 4);
    assert_eq!(batch[0], first.change, "sent as queued");
    let wanted = [&first, &b, &c].map(|e| e.change.change_id);
    assert_eq!(ids(batch), wanted, "the second edit of record 1 waits for the first");
    assert_eq!(ids(s.push_batch(2, &none).await.unwrap().0), wanted[..2]);
    // While the first is sent and its answer not stored, record 1 is left out entirely.
    let busy = HashSet::from([first.change.record.id]);
    let (batch, queued) = s.push_batch(10, &busy).await.unwrap();
    assert_eq!((ids(batch), queued), (vec![b.change.change_id, c.change.change_id], 4));

    // Once the first settles, the second edit goes out rebased, in its place in the line.
    s.settle(&PushResponse { results: vec![result(&first, false, applied(&first, 1))] }).await.unwrap();
    let (batch, queued) = s.push_batch(10, &none).await.unwrap();
    assert_eq!(queued, 3);
    assert_eq!(ids(batch.clone()), [second.change.change_id, b.change.change_id, c.change.change_id]);
    assert_eq!(batch[0].base_revision, 1);
}

#[wasm_bindgen_test]
async fn a_result_repeated_in_one_answer_settles_once() {
    let (s, _) = fresh("repeat").await;
    let a = queue_new(&s, 1, 0).await;
    let b = queue_new(&s, 2, 0).await;
    let answer = result(&a, false, applied(&a, 1));
    let report = s.settle(&PushResponse { results: vec![answer.clone(), answer] }).await.unwrap();
    assert_eq!((report.applied, report.unknown), (1, 1));
    assert_eq!(s.outbox().await.unwrap(), vec![b]);
    let now = s.record(a.change.record.id).await.unwrap().unwrap();
    assert_eq!((now.state, now.record.revision), (SyncState::Synced, 1));
}

#[wasm_bindgen_test]
async fn take_theirs_stores_the_servers_version_and_drops_my_queued_changes() {
    let (s, _) = fresh("theirs").await;
    let mine = queue_new(&s, 1, 0).await;
    // A second edit of the same record, waiting behind the first.
    let mut local = s.record(mine.change.record.id).await.unwrap().unwrap();
    local.record.values.insert("note".into(), "second edit".into());
    s.queue(&local, &OutboxEntry::new(&local)).await.unwrap();
    let other = queue_new(&s, 2, 0).await;
    let mut server = record(1, 9);
    server.revision = 4;
    server.author = "minh".into();
    server.values.insert("note".into(), "someone else".into());
    let conflict =
        Outcome::Conflict { record_id: server.id, conflict_id: Uuid::new_v4(), current: Box::new(server.clone()) };
    s.settle(&PushResponse { results: vec![result(&mine, false, conflict)] }).await.unwrap();
    let before = s.record(server.id).await.unwrap().unwrap();
    assert_eq!((before.state, before.conflict.as_ref()), (SyncState::Conflict, Some(&server)));
    assert_eq!(s.outbox().await.unwrap().len(), 2, "the second edit and the other record wait");

    s.take_theirs(server.id).await.unwrap();
    let now = s.record(server.id).await.unwrap().unwrap();
    assert_eq!(
        now,
        LocalRecord { record: server.clone(), state: SyncState::Synced, errors: vec![], conflict: None, review: None },
        "exactly the server's copy, at its revision"
    );
    assert_eq!(s.outbox().await.unwrap(), vec![other], "nothing of this record is left to send");
    assert_eq!(
        s.counts().await.unwrap(),
        Counts { drafts: 0, waiting: 1, synced: 1, attention: 0, needs_changes: 0, unsent_photos: 0 }
    );
    // Pulling that version later changes nothing.
    let page = PullResponse {
        records: vec![PulledRecord { cursor: 20, record: server.clone(), review: None }],
        next_cursor: 20,
        has_more: false,
        catalog_version: "v".into(),
    };
    assert_eq!(s.apply_pull(&page).await.unwrap(), 0);

    // Nothing left to take, or no such record: refused, nothing written.
    assert!(matches!(s.take_theirs(server.id).await, Err(StorageError::NoConflict(_))));
    assert!(matches!(s.take_theirs(Uuid::from_u128(99)).await, Err(StorageError::NoConflict(_))));
    assert_eq!(s.record(server.id).await.unwrap().unwrap(), now);
    assert_eq!(s.record(Uuid::from_u128(99)).await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn pull_stores_pages_keeps_local_edits_and_marks_tombstones() {
    let (s, _) = fresh("pull").await;
    // A synced record, one the server deletes, and one with an edit waiting.
    let mut synced = record(1, 0);
    synced.revision = 1;
    let mut doomed = record(2, 0);
    doomed.revision = 1;
    let page1 = PullResponse {
        records: vec![
            PulledRecord { cursor: 10, record: synced.clone(), review: None },
            PulledRecord { cursor: 11, record: doomed.clone(), review: None },
        ],
        next_cursor: 11,
        has_more: true,
        catalog_version: "v".into(),
    };
    assert_eq!(s.apply_pull(&page1).await.unwrap(), 2);
    assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), Some(11));
    assert_eq!(s.apply_pull(&page1).await.unwrap(), 0, "re-reading a page is harmless");

    let mut edit = s.record(synced.id).await.unwrap().unwrap();
    edit.record.values.insert("note".into(), "local edit".into());
    s.queue(&edit, &OutboxEntry::new(&edit)).await.unwrap();

    let mut newer = synced.clone();
    newer.revision = 2;
    newer.values.insert("note".into(), "someone else".into());
    let mut tomb = doomed.clone();
    tomb.revision = 2;
    tomb.deleted = true;
    tomb.values.clear();
    let page2 = PullResponse {
        records: vec![
            PulledRecord { cursor: 12, record: newer.clone(), review: None },
            PulledRecord { cursor: 13, record: tomb, review: None },
        ],
        next_cursor: 13,
        has_more: false,
        catalog_version: "v".into(),
    };
    s.apply_pull(&page2).await.unwrap();
    assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), Some(13));
    let kept = s.record(synced.id).await.unwrap().unwrap();
    assert_eq!((kept.state, kept.record.values["note"].as_str()), (SyncState::Queued, Some("local edit")));
    assert_eq!(kept.conflict, Some(newer));
    assert!(s.record(doomed.id).await.unwrap().unwrap().record.deleted);
    let listed: Vec<Uuid> = s.records().await.unwrap().iter().map(|r| r.record.id).collect();
    assert_eq!(listed, vec![synced.id], "tombstones are not listed");
    assert_eq!(s.outbox().await.unwrap().len(), 1, "the pull never touches the outbox");
}

#[wasm_bindgen_test]
async fn only_never_queued_drafts_can_be_deleted() {
    let (s, _) = fresh("delete").await;
    let draft = LocalRecord::new(record(1, 0));
    s.save_draft(&draft).await.unwrap();
    s.delete_draft(draft.record.id).await.unwrap();
    assert_eq!(s.record(draft.record.id).await.unwrap(), None);

    let queued = queue_new(&s, 2, 0).await;
    // Edited again after queueing: a draft again, but its change is owed to the server.
    s.save_draft(&LocalRecord::new(queued.change.record.clone())).await.unwrap();
    assert!(matches!(s.delete_draft(queued.change.record.id).await, Err(StorageError::NotADraft(_))));
    assert_eq!(s.outbox().await.unwrap().len(), 1);
}
