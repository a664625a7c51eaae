//! Evidence photos beside their records (IndexedDB v3 `photos`): a photo is "unsent" only
//! while its record is on the phone, not deleted and still names it; sent, it stays for
//! showing but is never counted or sent again; sign-out waits for it.

use std::collections::HashSet;

use forms::sync::{PullResponse, PulledRecord, PushResponse};
use forms::Record;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use sotay_device::storage::{PhotoKey, Storage, StorageError, KEEP_SENT_PHOTOS_MS};
use sotay_device::{Counts, LocalRecord, OutboxEntry, SyncState};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::Blob;

use super::{fresh, record};

/// A stand-in hash for local tests (storage never checks it against the bytes).
pub fn sha(n: u128) -> String {
    format!("{n:064x}")
}

pub fn key(record: u128, photo: u128) -> PhotoKey {
    PhotoKey { record_id: Uuid::from_u128(record), sha256: sha(photo) }
}

/// The bytes of a tiny "JPEG": the SOI and APP0 markers, something unique, the EOI marker.
/// Enough for the server's checks (it starts FF D8 FF) without decoding.
pub fn jpeg_bytes(n: u128) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
    bytes.extend_from_slice(&n.to_be_bytes());
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

pub fn blob(bytes: &[u8]) -> Blob {
    Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes))).expect("a blob")
}

pub fn jpeg(n: u128) -> Blob {
    blob(&jpeg_bytes(n))
}

pub async fn bytes_of(blob: &Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.expect("read the blob");
    Uint8Array::new(&buffer).to_vec()
}

/// Lower-case hex SHA-256, from the browser's own `crypto.subtle` (as the PWA computes it).
pub async fn sha256_hex(bytes: &[u8]) -> String {
    let get = |target: &JsValue, name: &str| Reflect::get(target, &JsValue::from_str(name)).expect(name);
    let subtle = get(&get(&js_sys::global(), "crypto"), "subtle");
    let digest: Function = get(&subtle, "digest").dyn_into().expect("crypto.subtle.digest");
    let promise: Promise = digest
        .call2(&subtle, &JsValue::from_str("SHA-256"), &Uint8Array::from(bytes))
        .expect("digest")
        .dyn_into()
        .expect("a promise");
    let hash = JsFuture::from(promise).await.expect("the digest");
    Uint8Array::new(&hash).to_vec().iter().map(|b| format!("{b:02x}")).collect()
}

/// A photo answer naming the stand-in photos `ns`.
pub fn named(ns: &[u128]) -> serde_json::Value {
    let items: Vec<serde_json::Value> =
        ns.iter().map(|n| serde_json::json!({ "sha256": sha(*n), "bytes": jpeg_bytes(*n).len() })).collect();
    items.into()
}

/// Record `n` whose `sign_in_sheet` names the stand-in photos `photos`.
fn with_photos(n: u128, photos: &[u128]) -> LocalRecord {
    let mut r = record(n, 0);
    r.values.insert("sign_in_sheet".into(), named(photos));
    LocalRecord::new(r)
}

async fn put(s: &Storage, photo: &PhotoKey, n: u128) {
    s.put_photo(photo.record_id, &photo.sha256, &jpeg(n)).await.expect("put_photo");
}

/// A record as the server has it, pulled: synced at revision 1.
async fn pull_synced(s: &Storage, local: &LocalRecord, cursor: u64) {
    let mut r = local.record.clone();
    r.revision = 1;
    let page = PullResponse {
        records: vec![PulledRecord { cursor, record: r, review: None }],
        next_cursor: cursor,
        has_more: false,
        catalog_version: "v".into(),
    };
    s.apply_pull(&page).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_hash_helper_is_sha256() {
    // The test vectors the catalog's cases use: SHA-256 of "test" and of "".
    assert_eq!(sha256_hex(b"test").await, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    assert_eq!(sha256_hex(b"").await, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/// What happens to the record after its photo was stored beside it and listed.
#[derive(Clone, Copy, Debug)]
enum Then {
    Nothing,
    /// Autosaved again, still naming the photo.
    SavedAgain,
    /// Edited to take the photo off (and saved or queued).
    Dropped {
        queue: bool,
    },
    /// The photo replaced by another one.
    Replaced,
    /// Deleted: a tombstone queued for the server.
    Deleted,
    /// The server's deletion pulled.
    DeletedOnServer,
}

#[wasm_bindgen_test]
async fn a_photo_is_unsent_only_while_its_record_exists_is_not_deleted_and_names_it() {
    // (what happens, listed afterwards with the record's state, the row still on the phone)
    let cases = [
        (Then::Nothing, Some(SyncState::Queued), true),
        (Then::SavedAgain, Some(SyncState::Draft), true),
        (Then::Dropped { queue: false }, None, false),
        (Then::Dropped { queue: true }, None, false),
        (Then::Replaced, None, false),
        (Then::Deleted, None, false),
        (Then::DeletedOnServer, None, false),
    ];
    for (then, listed, kept) in cases {
        let (s, _) = fresh("photo-unsent").await;
        let local = with_photos(1, &[7]);
        let photo = key(1, 7);
        s.queue(&local, &OutboxEntry::new(&local)).await.unwrap();
        put(&s, &photo, 7).await;
        // Another record's photo, untouched by whatever happens to record 1.
        let other = with_photos(2, &[8]);
        s.save_draft(&other).await.unwrap();
        put(&s, &key(2, 8), 8).await;
        let both = |first: Option<SyncState>| {
            let mut all: Vec<(PhotoKey, SyncState)> = first.map(|st| (photo.clone(), st)).into_iter().collect();
            all.push((key(2, 8), SyncState::Draft));
            all
        };
        let sorted = |mut v: Vec<(PhotoKey, SyncState)>| {
            v.sort_by_key(|a| a.0.record_id);
            v
        };
        assert_eq!(sorted(s.unsent_photos().await.unwrap()), both(Some(SyncState::Queued)), "{then:?}: before");

        let mut edited = s.record(local.record.id).await.unwrap().unwrap();
        match then {
            Then::Nothing => {}
            Then::SavedAgain => {
                edited.record.values.insert("note".into(), "autosaved".into());
                s.save_draft(&edited).await.unwrap();
            }
            Then::Dropped { queue } => {
                edited.record.values.remove("sign_in_sheet");
                if queue {
                    s.queue(&edited, &OutboxEntry::new(&edited)).await.unwrap();
                } else {
                    s.save_draft(&edited).await.unwrap();
                }
            }
            Then::Replaced => {
                edited.record.values.insert("sign_in_sheet".into(), named(&[9]));
                s.save_draft(&edited).await.unwrap();
            }
            Then::Deleted => {
                edited.record.deleted = true;
                edited.record.values.clear();
                s.queue(&edited, &OutboxEntry::new(&edited)).await.unwrap();
            }
            Then::DeletedOnServer => {
                // The queued change is applied first (so the tombstone is no conflict), then
                // someone else deletes the record and the phone pulls that.
                let entry = s.outbox().await.unwrap().remove(0);
                let applied = super::applied(&entry, 1);
                s.settle(&PushResponse { results: vec![super::result(&entry, false, applied)] }).await.unwrap();
                let mut tomb: Record = edited.record.clone();
                tomb.revision = 2;
                tomb.deleted = true;
                tomb.values.clear();
                let page = PullResponse {
                    records: vec![PulledRecord { cursor: 5, record: tomb, review: None }],
                    next_cursor: 5,
                    has_more: false,
                    catalog_version: "v".into(),
                };
                s.apply_pull(&page).await.unwrap();
                assert!(s.record(local.record.id).await.unwrap().unwrap().record.deleted, "{then:?}: a tombstone");
            }
        }
        assert_eq!(sorted(s.unsent_photos().await.unwrap()), both(listed), "{then:?}");
        assert_eq!(s.photo_blob(&photo).await.unwrap().is_some(), kept, "{then:?}: the row");
        let mut expect_records = HashSet::from([Uuid::from_u128(2)]);
        if kept {
            expect_records.insert(Uuid::from_u128(1));
        }
        assert_eq!(s.records_with_unsent_photos().await.unwrap(), expect_records, "{then:?}");
        assert_eq!(s.counts().await.unwrap().unsent_photos, 1 + usize::from(kept), "{then:?}");
        assert_eq!(bytes_of(&s.photo_blob(&key(2, 8)).await.unwrap().unwrap()).await, jpeg_bytes(8), "{then:?}");
    }
}

#[wasm_bindgen_test]
async fn a_photo_taken_before_its_record_is_first_saved_waits_for_it() {
    let (s, _) = fresh("photo-early").await;
    let photo = key(1, 7);
    put(&s, &photo, 7).await;
    // The form is still open: not listed (nothing to send it with), yet neither removed nor
    // forgotten by the counts.
    assert!(s.unsent_photos().await.unwrap().is_empty());
    assert!(s.photo_blob(&photo).await.unwrap().is_some());
    assert_eq!(s.counts().await.unwrap().unsent_photos, 1);
    s.save_draft(&with_photos(1, &[7])).await.unwrap();
    assert_eq!(s.unsent_photos().await.unwrap(), vec![(photo, SyncState::Draft)]);
}

#[wasm_bindgen_test]
async fn a_photo_marked_sent_is_neither_unsent_nor_counted_and_is_kept_for_showing() {
    let (s, _) = fresh("photo-sent").await;
    let (r1, r2) = (with_photos(1, &[1, 2]), with_photos(2, &[3]));
    for local in [&r1, &r2] {
        pull_synced(&s, local, 1).await;
    }
    for (photo, n) in [(key(1, 1), 1), (key(1, 2), 2), (key(2, 3), 3)] {
        put(&s, &photo, n).await;
    }
    let (one, two) = (Uuid::from_u128(1), Uuid::from_u128(2));
    // (photo marked sent, photos still unsent, records with unsent photos)
    let steps = [
        (None, vec![key(1, 1), key(1, 2), key(2, 3)], vec![one, two]),
        (Some(key(1, 1)), vec![key(1, 2), key(2, 3)], vec![one, two]),
        (Some(key(1, 1)), vec![key(1, 2), key(2, 3)], vec![one, two]), // again: no change
        (Some(key(9, 9)), vec![key(1, 2), key(2, 3)], vec![one, two]), // no such photo: no row made
        (Some(key(1, 2)), vec![key(2, 3)], vec![two]),
        (Some(key(2, 3)), vec![], vec![]),
    ];
    for (sent, unsent, records) in steps {
        if let Some(photo) = &sent {
            s.mark_photo_sent(photo).await.unwrap();
        }
        let mut listed: Vec<PhotoKey> = s.unsent_photos().await.unwrap().into_iter().map(|(p, _)| p).collect();
        listed.sort_by(|a, b| (a.record_id, &a.sha256).cmp(&(b.record_id, &b.sha256)));
        assert_eq!(listed, unsent, "after {sent:?}");
        assert_eq!(s.records_with_unsent_photos().await.unwrap(), HashSet::from_iter(records), "after {sent:?}");
        assert_eq!(s.counts().await.unwrap().unsent_photos, unsent.len(), "after {sent:?}");
        assert_eq!(s.unsent().await.unwrap(), unsent.len(), "records synced: only photos are owed");
    }
    assert!(s.photo_blob(&key(9, 9)).await.unwrap().is_none());
    for (photo, n) in [(key(1, 1), 1), (key(1, 2), 2), (key(2, 3), 3)] {
        assert_eq!(bytes_of(&s.photo_blob(&photo).await.unwrap().unwrap()).await, jpeg_bytes(n), "kept for showing");
    }
    assert_eq!(
        s.counts().await.unwrap(),
        Counts { synced: 2, ..Counts::default() },
        "every record and photo on the server"
    );
}

#[wasm_bindgen_test]
async fn a_stored_photo_leaves_the_phone_after_the_keeping_period_and_one_the_server_lacks_never() {
    let (s, _) = fresh("photo-prune").await;
    let local = with_photos(1, &[1, 2]);
    pull_synced(&s, &local, 1).await;
    let local = with_photos(2, &[3]);
    pull_synced(&s, &local, 2).await;
    put(&s, &key(1, 1), 1).await;
    put(&s, &key(1, 2), 2).await;
    put(&s, &key(2, 3), 3).await;
    s.mark_photo_sent(&key(1, 1)).await.unwrap();
    // The server will never take this one (not_named): it stops waiting, and stays.
    s.stop_waiting_for_photo(&key(2, 3)).await.unwrap();
    let (now, day) = (js_sys::Date::now(), 24.0 * 3600.0 * 1000.0);
    // (pruned at, photos removed by that pruning, the sent photo still on the phone)
    let steps = [
        (now, 0, true),
        (now + KEEP_SENT_PHOTOS_MS - day, 0, true),
        (now + KEEP_SENT_PHOTOS_MS + day, 1, false),
        (now + 10.0 * KEEP_SENT_PHOTOS_MS, 0, false),
    ];
    for (at, removed, kept) in steps {
        assert_eq!(s.prune_sent_photos(at).await.unwrap(), removed, "at +{} days", (at - now) / day);
        assert_eq!(s.photo_blob(&key(1, 1)).await.unwrap().is_some(), kept, "at +{} days", (at - now) / day);
        assert!(s.photo_blob(&key(1, 2)).await.unwrap().is_some(), "an unsent photo is never pruned");
        assert!(s.photo_blob(&key(2, 3)).await.unwrap().is_some(), "a photo the server lacks is never pruned");
    }
    let unsent: Vec<PhotoKey> = s.unsent_photos().await.unwrap().into_iter().map(|(p, _)| p).collect();
    assert_eq!(unsent, [key(1, 2)], "the unsent photo still waits to be sent");
    assert_eq!(s.counts().await.unwrap().unsent_photos, 1);
}

#[wasm_bindgen_test]
async fn remove_photo_forgets_an_unsent_photo_and_leaves_a_sent_one() {
    // (sent before the removal, still on the phone after)
    for (sent, kept) in [(false, false), (true, true)] {
        let (s, _) = fresh("photo-remove").await;
        let local = with_photos(1, &[1]);
        pull_synced(&s, &local, 1).await;
        let photo = key(1, 1);
        put(&s, &photo, 1).await;
        if sent {
            s.mark_photo_sent(&photo).await.unwrap();
        }
        s.remove_photo(&photo).await.unwrap();
        assert_eq!(s.photo_blob(&photo).await.unwrap().is_some(), kept, "sent: {sent}");
        assert!(s.unsent_photos().await.unwrap().is_empty(), "sent: {sent}");
        assert_eq!(s.counts().await.unwrap().unsent_photos, 0, "sent: {sent}");
        // Removing what is not there is harmless.
        s.remove_photo(&key(1, 2)).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn remove_photos_of_removes_a_discarded_drafts_photos_only() {
    let (s, _) = fresh("photo-remove-of").await;
    let (draft, other) = (with_photos(1, &[1, 2]), with_photos(2, &[3]));
    s.save_draft(&draft).await.unwrap();
    s.save_draft(&other).await.unwrap();
    for (photo, n) in [(key(1, 1), 1), (key(1, 2), 2), (key(2, 3), 3)] {
        put(&s, &photo, n).await;
    }
    s.delete_draft(draft.record.id).await.unwrap();
    s.remove_photos_of(draft.record.id).await.unwrap();
    assert!(s.photo_blob(&key(1, 1)).await.unwrap().is_none());
    assert!(s.photo_blob(&key(1, 2)).await.unwrap().is_none());
    assert_eq!(s.unsent_photos().await.unwrap(), vec![(key(2, 3), SyncState::Draft)]);
    assert_eq!(s.counts().await.unwrap().unsent_photos, 1);
}

#[wasm_bindgen_test]
async fn sign_out_waits_for_unsent_photos_and_then_clears_them() {
    let (s, name) = fresh("photo-forget").await;
    let local = with_photos(1, &[1, 2]);
    pull_synced(&s, &local, 1).await;
    s.put_meta("session", &"token").await.unwrap();
    let (a, b) = (key(1, 1), key(1, 2));
    put(&s, &a, 1).await;
    put(&s, &b, 2).await;
    // The record is on the server; its two photos are not.
    assert_eq!(s.counts().await.unwrap(), Counts { synced: 1, unsent_photos: 2, ..Counts::default() });
    for (sent, owed) in [(None, 2), (Some(&a), 1)] {
        if let Some(photo) = sent {
            s.mark_photo_sent(photo).await.unwrap();
        }
        assert_eq!(s.unsent().await.unwrap(), owed);
        assert!(matches!(s.forget(&["session"]).await, Err(StorageError::Unsent(n)) if n == owed), "{owed} owed");
        // Nothing removed: the record, both photos, the session.
        assert!(s.record(local.record.id).await.unwrap().is_some());
        assert!(s.photo_blob(&a).await.unwrap().is_some() && s.photo_blob(&b).await.unwrap().is_some());
        assert_eq!(s.get_meta::<String>("session").await.unwrap().as_deref(), Some("token"));
    }

    s.mark_photo_sent(&b).await.unwrap();
    assert_eq!(s.unsent().await.unwrap(), 0);
    s.forget(&["session"]).await.unwrap();
    assert!(s.photo_blob(&a).await.unwrap().is_none() && s.photo_blob(&b).await.unwrap().is_none());
    assert!(s.all_records().await.unwrap().is_empty());
    assert_eq!(s.counts().await.unwrap(), Counts::default());
    s.close();
    let s = Storage::open_named(&name).await.unwrap();
    assert!(s.photo_blob(&a).await.unwrap().is_none(), "for good");
    assert_eq!(s.counts().await.unwrap(), Counts::default());
}

#[wasm_bindgen_test]
async fn photos_and_their_sent_marks_survive_a_reload() {
    let (s, name) = fresh("photo-reload").await;
    let local = with_photos(1, &[1, 2]);
    s.queue(&local, &OutboxEntry::new(&local)).await.unwrap();
    let (a, b) = (key(1, 1), key(1, 2));
    put(&s, &a, 1).await;
    put(&s, &b, 2).await;
    s.mark_photo_sent(&a).await.unwrap();
    s.close();
    drop(s);

    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!(s.unsent_photos().await.unwrap(), vec![(b.clone(), SyncState::Queued)]);
    assert_eq!(s.records_with_unsent_photos().await.unwrap(), HashSet::from([local.record.id]));
    assert_eq!(s.counts().await.unwrap().unsent_photos, 1);
    for (photo, n) in [(&a, 1), (&b, 2)] {
        assert_eq!(bytes_of(&s.photo_blob(photo).await.unwrap().unwrap()).await, jpeg_bytes(n), "byte for byte");
    }
}
