//! A supervisor's return reaches the phone through a pull and is kept in IndexedDB: the
//! home screen counts it without reading the payload, a reload keeps it, a resubmission
//! pulled back takes the mark away.

use chrono::{TimeZone, Utc};
use forms::review::{Review, ReviewState};
use forms::sync::{PullResponse, PulledRecord};
use sotay_device::storage::Storage;
use wasm_bindgen_test::*;

use super::{fresh, record};

fn review(state: ReviewState, revision: u64) -> Review {
    Review {
        state,
        comment: (state == ReviewState::NeedsChanges).then(|| "Số người chưa khớp danh sách".to_owned()),
        fields: vec!["participants".into()],
        by: "Nguyễn Thị Hoà".into(),
        at: Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap(),
        revision,
    }
}

fn page(cursor: u64, revision: u64, review: Option<Review>) -> PullResponse {
    let mut r = record(1, 0);
    r.revision = revision;
    PullResponse {
        records: vec![PulledRecord { cursor, record: r, review }],
        next_cursor: cursor,
        has_more: false,
        catalog_version: "v".into(),
    }
}

#[wasm_bindgen_test]
async fn a_return_is_kept_counted_and_cleared_by_the_resubmission() {
    let (s, name) = fresh("review").await;
    s.apply_pull(&page(10, 1, None)).await.unwrap();
    assert_eq!(s.counts().await.unwrap().needs_changes, 0);

    // The same revision, now returned: the review alone is stored.
    assert_eq!(s.apply_pull(&page(11, 1, Some(review(ReviewState::NeedsChanges, 1)))).await.unwrap(), 1);
    let returned = s.record(record(1, 0).id).await.unwrap().unwrap();
    assert!(returned.needs_changes());
    assert_eq!(returned.review.as_ref().and_then(|r| r.comment.as_deref()), Some("Số người chưa khớp danh sách"));
    assert_eq!(s.counts().await.unwrap().needs_changes, 1);
    drop(s);
    let s = Storage::open_named(&name).await.unwrap();
    assert_eq!(s.counts().await.unwrap().needs_changes, 1, "kept across a reload");

    // Resubmitted, and pulled back as submitted: the mark is gone.
    s.apply_pull(&page(12, 2, Some(review(ReviewState::Submitted, 2)))).await.unwrap();
    assert_eq!(s.counts().await.unwrap().needs_changes, 0);
    assert!(!s.record(record(1, 0).id).await.unwrap().unwrap().needs_changes());
}
