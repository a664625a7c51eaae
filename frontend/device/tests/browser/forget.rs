//! Sign-out on a shared or lost phone: `Storage::forget` removes what the server has, in one
//! transaction, and never a record it lacks.

use forms::sync::{Outcome, PullResponse, PulledRecord, PushResponse};
use sotay_device::storage::{Storage, StorageError};
use sotay_device::{Counts, LocalRecord, OutboxEntry};
use uuid::Uuid;
use wasm_bindgen_test::*;

use super::{applied, fresh, queue_new, record, result, too_large};

#[wasm_bindgen_test]
async fn forgetting_the_account_removes_what_the_server_has_and_never_what_it_lacks() {
    let (s, name) = fresh("forget").await;
    let pulled = |n: u128, cursor: u64| {
        let mut r = record(n, 0);
        r.revision = 1;
        PulledRecord { cursor, record: r, review: None }
    };
    let page = PullResponse {
        records: vec![pulled(1, 10), pulled(2, 11)],
        next_cursor: 11,
        has_more: false,
        catalog_version: "v".into(),
    };
    s.apply_pull(&page).await.unwrap();
    s.put_meta("session", &"token").await.unwrap();
    s.put_catalog("{}", "v").await.unwrap();
    let device = s.device_id().await.unwrap();
    let unchanged = |s: Storage| async move {
        assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), Some(11), "the cursor stays");
        assert_eq!(s.get_meta::<String>("session").await.unwrap().as_deref(), Some("token"));
        s
    };

    // A draft, a queued change, a refused one, a conflict: each is kept, with everything else.
    let draft = LocalRecord::new(record(3, 0));
    s.save_draft(&draft).await.unwrap();
    assert_eq!(s.unsent().await.unwrap(), 1);
    assert!(matches!(s.forget(&["session"]).await, Err(StorageError::Unsent(1))));
    let s = unchanged(s).await;
    assert_eq!(s.records().await.unwrap().len(), 3, "nothing removed");
    s.delete_draft(draft.record.id).await.unwrap();

    let queued = queue_new(&s, 4, 0).await;
    let other = queue_new(&s, 5, 0).await;
    assert!(matches!(s.forget(&["session"]).await, Err(StorageError::Unsent(2))));
    let s = unchanged(s).await;
    let refused = Outcome::Rejected { errors: vec![too_large()] };
    let mut server = record(5, 9);
    server.revision = 3;
    let conflict =
        Outcome::Conflict { record_id: server.id, conflict_id: Uuid::new_v4(), current: Box::new(server.clone()) };
    s.settle(&PushResponse { results: vec![result(&queued, false, refused), result(&other, false, conflict)] })
        .await
        .unwrap();
    assert!(s.outbox().await.unwrap().is_empty());
    assert!(matches!(s.forget(&["session"]).await, Err(StorageError::Unsent(2))), "refused and conflicting");
    let s = unchanged(s).await;
    assert_eq!(s.rejected().await.unwrap().len(), 1);

    // Fixed and sent, the other taken from the server: nothing is owed any more.
    let mut fixed = s.record(queued.change.record.id).await.unwrap().unwrap();
    fixed.record.values.insert("note".into(), "fixed".into());
    let fix = OutboxEntry::new(&fixed);
    s.queue(&fixed, &fix).await.unwrap();
    s.settle(&PushResponse { results: vec![result(&fix, false, applied(&fix, 1))] }).await.unwrap();
    s.take_theirs(server.id).await.unwrap();
    assert_eq!(s.unsent().await.unwrap(), 0);
    assert_eq!(
        s.counts().await.unwrap(),
        Counts { drafts: 0, waiting: 0, synced: 4, attention: 0, needs_changes: 0, unsent_photos: 0 }
    );

    s.forget(&["session"]).await.unwrap();
    assert!(s.all_records().await.unwrap().is_empty(), "every record left the phone");
    assert!(s.outbox().await.unwrap().is_empty() && s.rejected().await.unwrap().is_empty());
    assert_eq!(s.get_meta::<u64>("cursor").await.unwrap(), None, "the next sign-in pulls everything again");
    assert_eq!(s.get_meta::<String>("session").await.unwrap(), None);
    assert_eq!(s.device_id().await.unwrap(), device, "the phone keeps its device id");
    assert_eq!(s.get_meta::<String>("catalog_version").await.unwrap().as_deref(), Some("v"), "and the forms");
    // For good: a reload finds nothing either.
    s.close();
    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!((s.all_records().await.unwrap().len(), s.counts().await.unwrap()), (0, Counts::default()));
}
