//! `sync_once` against a real sync server, when one is given at compile time:
//! `SOTAY_TEST_SERVER` (origin, e.g. `http://127.0.0.1:8080`), `SOTAY_TEST_USER` and
//! `SOTAY_TEST_PASSWORD` (a collector with at least one commune). The server must allow the
//! test runner's origin (CORS), since the runner serves the tests from another port.
//! Without `SOTAY_TEST_SERVER` these tests pass without doing anything.

use std::cell::RefCell;

use forms::sync::PushRequest;
use forms::RecordStatus;
use sotay_device::{sync_once, Api, ApiError, LocalRecord, OutboxEntry, Phase, SessionUser, Storage, SyncState};
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
