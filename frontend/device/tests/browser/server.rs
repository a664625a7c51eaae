//! `sync_once` against a real sync server, when one is given at compile time:
//! `SOTAY_TEST_SERVER` (origin, e.g. `http://127.0.0.1:8080`), `SOTAY_TEST_USER` and
//! `SOTAY_TEST_PASSWORD` (a collector with at least one commune). The server must allow the
//! test runner's origin (CORS), since the runner serves the tests from another port.
//! Without `SOTAY_TEST_SERVER` these tests pass without doing anything.

use std::cell::RefCell;

use forms::sync::PushRequest;
use forms::RecordStatus;
use sotay_device::photo_sync::PhotoState;
use sotay_device::storage::PhotoKey;
use sotay_device::{
    sync_once, Api, ApiError, LocalRecord, OutboxEntry, Phase, SessionUser, Storage, SyncProgress, SyncState,
};
use uuid::Uuid;
use wasm_bindgen_test::*;

const SERVER: Option<&str> = option_env!("SOTAY_TEST_SERVER");

async fn signed_in(storage: &Storage) -> Option<(Api, SessionUser)> {
    let base = SERVER?;
    let user = option_env!("SOTAY_TEST_USER").unwrap_or("collector");
    let password = option_env!("SOTAY_TEST_PASSWORD").unwrap_or("collector-password");
    let api = Api::new(Some(base.to_owned()), None);
    let device = storage.device_id().await.unwrap();
    let session = api.sign_in(user, password, &device).await.expect("sign in (is CORS enabled on the server?)");
    Some((Api::new(Some(base.to_owned()), Some(session.token)), session.user))
}

/// A draft-status record (no required answers) of the newest form, in the user's commune.
async fn new_record(api: &Api, me: &SessionUser, storage: &Storage) -> LocalRecord {
    let (bundle_json, _) = api.forms(None).await.unwrap().expect("catalog");
    let bundle: forms::Bundle = serde_json::from_str(&bundle_json).unwrap();
    let form = bundle.forms.iter().filter(|f| !f.withdrawn).max_by_key(|f| f.version).expect("a form");
    let mut record = super::record(Uuid::new_v4().as_u128(), 0);
    record.form_id = form.id.clone();
    record.form_version = form.version;
    record.location = me.communes[0].clone();
    record.device_id = storage.device_id().await.unwrap();
    record.status = RecordStatus::Draft;
    record.values.clear();
    LocalRecord::new(record)
}

#[wasm_bindgen_test]
async fn sync_round_pushes_pulls_and_fetches_the_catalog() {
    let storage = Storage::open_named(&format!("test-server-{}", Uuid::new_v4())).await.unwrap();
    let Some((api, me)) = signed_in(&storage).await else { return };
    let local = new_record(&api, &me, &storage).await;
    let entry = OutboxEntry::new(&local);
    storage.queue(&local, &entry).await.unwrap();

    let phases = RefCell::new(Vec::new());
    let report = sync_once(&storage, &api, &|p| phases.borrow_mut().push(p.phase)).await.unwrap();
    assert_eq!((report.applied, report.rejected, report.conflicts), (1, 0, 0));
    assert!(report.catalog_updated);
    assert_eq!(phases.borrow().last(), Some(&Phase::Done));
    assert!(storage.outbox().await.unwrap().is_empty());
    let synced = storage.record(local.record.id).await.unwrap().unwrap();
    assert_eq!((synced.state, synced.record.revision), (SyncState::Synced, 1));
    assert!(storage.get_meta::<u64>("cursor").await.unwrap().unwrap_or(0) > 0);

    // A retry of the same change id is answered from the server's log: applied once.
    let request = PushRequest { device_id: storage.device_id().await.unwrap(), changes: vec![entry.change] };
    let again = api.push(&request).await.unwrap();
    assert!(again.results[0].duplicate);

    // Nothing new: a second round sends nothing and keeps the catalog.
    let second = sync_once(&storage, &api, &|_| {}).await.unwrap();
    assert_eq!((second.applied, second.catalog_updated), (0, false));
}

#[wasm_bindgen_test]
async fn a_revoked_token_touches_nothing() {
    let storage = Storage::open_named(&format!("test-revoked-{}", Uuid::new_v4())).await.unwrap();
    let Some((api, me)) = signed_in(&storage).await else { return };
    let local = new_record(&api, &me, &storage).await;
    storage.queue(&local, &OutboxEntry::new(&local)).await.unwrap();
    api.sign_out().await.unwrap();

    let outbox = storage.outbox().await.unwrap();
    assert!(matches!(sync_once(&storage, &api, &|_| {}).await, Err(ApiError::Unauthorized)));
    assert_eq!(storage.outbox().await.unwrap(), outbox);
    assert_eq!(storage.record(local.record.id).await.unwrap().unwrap().state, SyncState::Queued);
    assert_eq!(storage.get_meta::<u64>("cursor").await.unwrap(), None);
}

/// A record of `mib` MiB that the server refuses once it reads it (a unit that does not
/// exist): it is never stored, so later pulls stay small.
fn heavy(local: &LocalRecord, mib: usize) -> LocalRecord {
    let mut heavy = LocalRecord::new(local.record.clone());
    heavy.record.id = Uuid::new_v4();
    heavy.record.location.unit_code = "00000".into();
    heavy.record.values.insert("note".into(), "x".repeat(mib << 20).into());
    heavy
}

fn is_413(e: &ApiError) -> bool {
    matches!(e, ApiError::Rejected { status: 413, .. })
}

#[wasm_bindgen_test]
async fn a_push_over_8_mib_is_split_and_resent_with_the_same_change_ids() {
    let storage = Storage::open_named(&format!("test-split-{}", Uuid::new_v4())).await.unwrap();
    let Some((api, me)) = signed_in(&storage).await else { return };
    let small = new_record(&api, &me, &storage).await;
    // 3 × 3 MiB + a small record: 9 MiB in one push, over the server's 8 MiB.
    let mut queued = Vec::new();
    for local in [heavy(&small, 3), heavy(&small, 3), heavy(&small, 3), small.clone()] {
        let entry = OutboxEntry::new(&local);
        storage.queue(&local, &entry).await.unwrap();
        queued.push(entry);
    }
    let device_id = storage.device_id().await.unwrap();
    let all = PushRequest { device_id, changes: queued.iter().map(|e| e.change.clone()).collect() };
    let refused = api.push(&all).await.unwrap_err();
    assert!(is_413(&refused), "the whole batch is too large: {refused:?}");

    let report = sync_once(&storage, &api, &|_| {}).await.expect("split into pushes that fit");
    assert_eq!((report.applied, report.rejected, report.conflicts), (1, 3, 0));
    assert!(storage.outbox().await.unwrap().is_empty());
    assert_eq!(storage.record(small.record.id).await.unwrap().unwrap().state, SyncState::Synced);
    // Each change reached the server under the id it was queued with.
    let kept: Vec<Uuid> = storage.rejected().await.unwrap().iter().map(|r| r.entry.change.change_id).collect();
    let heavy_ids: Vec<Uuid> = queued[..3].iter().map(|e| e.change.change_id).collect();
    assert_eq!(kept.iter().filter(|id| heavy_ids.contains(id)).count(), 3);
    let again = api.push(&PushRequest { device_id: all.device_id, changes: vec![queued[3].change.clone()] }).await;
    assert!(again.unwrap().results[0].duplicate, "the small record was applied under its queued id");
}

#[wasm_bindgen_test]
async fn a_record_too_large_for_the_server_stays_queued_and_ends_the_round() {
    let storage = Storage::open_named(&format!("test-too-large-{}", Uuid::new_v4())).await.unwrap();
    let Some((api, me)) = signed_in(&storage).await else { return };
    let small = new_record(&api, &me, &storage).await;
    let huge = heavy(&small, 9);
    let small_entry = OutboxEntry::new(&small);
    storage.queue(&small, &small_entry).await.unwrap();
    let huge_entry = OutboxEntry::new(&huge);
    storage.queue(&huge, &huge_entry).await.unwrap();

    let error = sync_once(&storage, &api, &|_| {}).await.unwrap_err();
    assert!(is_413(&error), "the round stops with the server's 413: {error:?}");
    // The small record went in the half that fit; the huge one is kept, same change id.
    assert_eq!(storage.record(small.record.id).await.unwrap().unwrap().state, SyncState::Synced);
    assert_eq!(storage.outbox().await.unwrap(), vec![huge_entry.clone()]);
    assert_eq!(storage.record(huge.record.id).await.unwrap().unwrap().state, SyncState::Queued);
    assert!(storage.rejected().await.unwrap().is_empty());
    assert_eq!(storage.get_meta::<u64>("cursor").await.unwrap(), None, "the round stopped before pulling");

    // The next round tries it once more and stops the same way: no loop, nothing lost.
    let error = sync_once(&storage, &api, &|_| {}).await.unwrap_err();
    assert!(is_413(&error), "{error:?}");
    assert_eq!(storage.outbox().await.unwrap(), vec![huge_entry]);
}

/// The catalog's own test cases of the form with a photo question.
const TRAINING_V3_CASES: &str = include_str!("../../../../forms/tests/cases/training_session_v3.json");

/// A complete training session (v3, the first valid case of the catalog's tests) in the
/// user's commune: record `photo.record_id`, its sign-in sheet the photo (of `bytes` bytes).
async fn training_session(
    api: &Api,
    me: &SessionUser,
    storage: &Storage,
    photo: &PhotoKey,
    bytes: usize,
) -> LocalRecord {
    let (bundle_json, _) = api.forms(None).await.unwrap().expect("catalog");
    let bundle: forms::Bundle = serde_json::from_str(&bundle_json).unwrap();
    let form = bundle.forms.iter().find(|f| f.id == "training_session" && f.version == 3);
    assert!(form.is_some_and(|f| !f.withdrawn), "training_session v3 is served");
    let cases: serde_json::Value = serde_json::from_str(TRAINING_V3_CASES).unwrap();
    let mut values = cases["valid"][0]["values"].as_object().expect("a valid case").clone();
    values.insert("sign_in_sheet".into(), serde_json::json!([{ "sha256": photo.sha256, "bytes": bytes }]));
    let now = chrono::Utc::now();
    let mut record = super::record(photo.record_id.as_u128(), 0);
    record.form_id = "training_session".into();
    record.form_version = 3;
    record.location = me.communes[0].clone();
    record.author = me.username.clone();
    record.device_id = storage.device_id().await.unwrap();
    record.created_at = now;
    record.updated_at = now;
    record.status = RecordStatus::Final;
    record.values = values;
    LocalRecord::new(record)
}

/// A photo of unique bytes (a JPEG to the server's checks) and its key for `record_id`.
async fn photo_for(record_id: Uuid) -> (PhotoKey, Vec<u8>) {
    let bytes = super::photos::jpeg_bytes(Uuid::new_v4().as_u128());
    let sha256 = super::photos::sha256_hex(&bytes).await;
    (PhotoKey { record_id, sha256 }, bytes)
}

#[wasm_bindgen_test]
async fn a_photo_follows_its_record_to_the_server_once() {
    let storage = Storage::open_named(&format!("test-photo-{}", Uuid::new_v4())).await.unwrap();
    let Some((api, me)) = signed_in(&storage).await else { return };
    let (photo, bytes) = photo_for(Uuid::new_v4()).await;
    assert_eq!(&bytes[..4], [0xFF, 0xD8, 0xFF, 0xE0]);
    assert_eq!(&bytes[bytes.len() - 2..], [0xFF, 0xD9]);
    let local = training_session(&api, &me, &storage, &photo, bytes.len()).await;
    // As the app does: the photo is stored beside the record, then the record is queued.
    storage.put_photo(photo.record_id, &photo.sha256, &super::photos::blob(&bytes)).await.unwrap();
    storage.queue(&local, &OutboxEntry::new(&local)).await.unwrap();
    assert_eq!(storage.unsent_photos().await.unwrap(), vec![(photo.clone(), SyncState::Queued)]);
    let asked = api.photo_status(std::slice::from_ref(&photo)).await.unwrap();
    assert_eq!(asked, [PhotoState::NotNamed], "the server has no record naming it yet");

    let progress = RefCell::new(Vec::new());
    let report = sync_once(&storage, &api, &|p| progress.borrow_mut().push(p)).await.unwrap();
    assert_eq!((report.applied, report.rejected, report.conflicts, report.photos), (1, 0, 0, 1), "{report:?}");
    let photos: Vec<SyncProgress> = progress.borrow().iter().copied().filter(|p| p.phase == Phase::Photos).collect();
    let step = |sent| SyncProgress { sent, total: 1, phase: Phase::Photos };
    assert_eq!(photos, [step(0), step(1)], "counted per photo");
    assert_eq!(progress.borrow().last().map(|p| p.phase), Some(Phase::Done), "photos last, then done");

    assert_eq!(storage.record(local.record.id).await.unwrap().unwrap().state, SyncState::Synced);
    assert!(storage.unsent_photos().await.unwrap().is_empty(), "no longer unsent");
    assert!(storage.records_with_unsent_photos().await.unwrap().is_empty());
    assert_eq!(storage.counts().await.unwrap().unsent_photos, 0);
    assert_eq!(storage.unsent().await.unwrap(), 0, "nothing owed: sign-out may go ahead");
    let kept = storage.photo_blob(&photo).await.unwrap().expect("kept on the phone for showing");
    assert_eq!(super::photos::bytes_of(&kept).await, bytes);
    let asked = api.photo_status(std::slice::from_ref(&photo)).await.unwrap();
    assert_eq!(asked, [PhotoState::Stored]);

    // Once: the next round sends nothing and does not even ask.
    let progress = RefCell::new(Vec::new());
    let second = sync_once(&storage, &api, &|p| progress.borrow_mut().push(p)).await.unwrap();
    assert_eq!((second.applied, second.photos), (0, 0));
    assert!(progress.borrow().iter().all(|p| p.phase != Phase::Photos));
}

#[wasm_bindgen_test]
async fn a_photo_of_a_draft_is_not_sent_until_its_record_is() {
    let storage = Storage::open_named(&format!("test-photo-draft-{}", Uuid::new_v4())).await.unwrap();
    let Some((api, me)) = signed_in(&storage).await else { return };
    let (photo, bytes) = photo_for(Uuid::new_v4()).await;
    let local = training_session(&api, &me, &storage, &photo, bytes.len()).await;
    storage.save_draft(&local).await.unwrap();
    storage.put_photo(photo.record_id, &photo.sha256, &super::photos::blob(&bytes)).await.unwrap();

    let report = sync_once(&storage, &api, &|_| {}).await.unwrap();
    assert_eq!((report.applied, report.photos), (0, 0), "a draft stays on the phone, its photo too");
    assert_eq!(storage.unsent_photos().await.unwrap(), vec![(photo.clone(), SyncState::Draft)]);
    assert_eq!(storage.counts().await.unwrap().unsent_photos, 1);
    assert_eq!(api.photo_status(std::slice::from_ref(&photo)).await.unwrap(), [PhotoState::NotNamed]);

    // Queued, the record goes first and its photo follows in the same round.
    storage.queue(&local, &OutboxEntry::new(&local)).await.unwrap();
    let report = sync_once(&storage, &api, &|_| {}).await.unwrap();
    assert_eq!((report.applied, report.photos), (1, 1), "{report:?}");
    assert!(storage.unsent_photos().await.unwrap().is_empty());
    assert_eq!(api.photo_status(std::slice::from_ref(&photo)).await.unwrap(), [PhotoState::Stored]);
}
