//! What the device keeps, and the pure rules for folding server answers into it. The rules
//! live here (no IO) so they are unit-tested natively; `storage` applies them inside
//! IndexedDB transactions.

use chrono::{DateTime, Utc};
use forms::review::{Review, ReviewState};
use forms::sync::Change;
use forms::{FieldError, Record};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A record as the device holds it, with where it stands in the sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    pub record: Record,
    pub state: SyncState,
    /// The server's reasons when the last change was rejected.
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// The server's version when it differs from the one this device edited.
    #[serde(default)]
    pub conflict: Option<Record>,
    /// The latest review the server sent (`forms::review`): a return shows "Cần sửa" with
    /// the reviewer's comment until the officer resubmits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

impl LocalRecord {
    /// Returned by a supervisor and not yet sent again.
    pub fn needs_changes(&self) -> bool {
        self.review.as_ref().is_some_and(|r| r.state == ReviewState::NeedsChanges) && !self.record.deleted
    }

    /// Approved: a collector can no longer change it (the server would refuse).
    pub fn approved(&self) -> bool {
        self.review.as_ref().is_some_and(|r| r.state == ReviewState::Approved)
    }

    pub fn new(record: Record) -> Self {
        Self { record, state: SyncState::Draft, errors: Vec::new(), conflict: None, review: None }
    }

    /// Whether the device holds an edit the server has not acknowledged (or refused), so a
    /// pulled version must not overwrite it.
    pub fn has_local_changes(&self) -> bool {
        self.state != SyncState::Synced
    }

    /// The user keeps their version over the server's: the next queued change is based on the
    /// server's revision, so it applies on top of it instead of conflicting again.
    pub fn keep_mine(&mut self) {
        if let Some(server) = self.conflict.take() {
            self.record.revision = self.record.revision.max(server.revision);
        }
    }

    /// The user takes the server's version, dropping their edit.
    pub fn take_theirs(&mut self) {
        if let Some(server) = self.conflict.take() {
            self.record = server;
            self.state = SyncState::Synced;
            self.errors.clear();
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncState {
    /// Saved on the device only; not queued (or edited again after queueing).
    Draft,
    /// A change is waiting in the outbox.
    Queued,
    /// The server has this version.
    Synced,
    /// The server refused the last change; see `errors`.
    Rejected,
    /// Someone else changed the record meanwhile; see `conflict`.
    Conflict,
}

/// One change waiting to be sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub change: Change,
    #[serde(with = "forms::dates::serde_rfc3339")]
    pub queued_at: DateTime<Utc>,
}

impl OutboxEntry {
    /// A change of `record` with a fresh change id, based on the revision the device has.
    /// The id is made here, once; every retry sends it unchanged.
    pub fn new(record: &LocalRecord) -> Self {
        Self {
            change: Change {
                change_id: Uuid::new_v4(),
                base_revision: record.record.revision,
                record: record.record.clone(),
            },
            queued_at: Utc::now(),
        }
    }
}

/// A change the server refused, kept so nothing the officer entered is lost; the fix is
/// queued as a new change, which supersedes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedEntry {
    pub entry: OutboxEntry,
    pub errors: Vec<FieldError>,
    #[serde(with = "forms::dates::serde_rfc3339")]
    pub rejected_at: DateTime<Utc>,
}

/// What the home screen shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records saved but not queued.
    pub drafts: usize,
    /// Changes in the outbox, not yet acknowledged by the server.
    pub waiting: usize,
    pub synced: usize,
    /// Rejected or conflicting records: the officer has to look at them.
    pub attention: usize,
    /// Records a supervisor returned, not yet resubmitted.
    pub needs_changes: usize,
    /// Evidence photos not on the server yet ("ảnh chưa gửi").
    pub unsent_photos: usize,
}

/// The local record after the server applied one of its changes as `revision`.
/// `more_pending`: other changes of this record are still in the outbox.
pub fn after_applied(mut local: LocalRecord, revision: u64, more_pending: bool) -> LocalRecord {
    local.record.revision = local.record.revision.max(revision);
    // A pulled "conflict" at or below this revision was this very change coming back.
    if local.conflict.as_ref().is_some_and(|c| c.revision <= revision) {
        local.conflict = None;
    }
    if local.state == SyncState::Queued && !more_pending {
        local.state = SyncState::Synced;
        local.errors.clear();
    }
    local
}

/// The local record after the server answered a change with a conflict: the user's version
/// stays in `record`, the server's is shown beside it.
pub fn after_conflict(mut local: LocalRecord, current: Record) -> LocalRecord {
    local.state = SyncState::Conflict;
    local.conflict = Some(current);
    local
}

pub fn after_rejected(mut local: LocalRecord, errors: Vec<FieldError>) -> LocalRecord {
    local.state = SyncState::Rejected;
    local.errors = errors;
    local
}

/// What to store for a pulled server version, given what the device has (`None`: keep
/// the local record unchanged).
pub fn after_pull(local: Option<LocalRecord>, server: Record, review: Option<Review>) -> Option<LocalRecord> {
    match local {
        // A tombstone of a record this device never had: nothing to hide.
        None if server.deleted => None,
        None => Some(synced(server, review)),
        Some(local) if local.has_local_changes() => {
            // Keep the officer's edit; show the server's version only when it is not the one
            // the edit was based on. A review is taken either way: a return must show.
            let conflict = server.revision != local.record.revision && local.conflict.as_ref() != Some(&server);
            let reviewed = review.is_some() && review != local.review;
            match (conflict, reviewed) {
                (false, false) => None,
                (true, _) => {
                    Some(LocalRecord { conflict: Some(server), review: review.or(local.review.clone()), ..local })
                }
                (false, true) => Some(LocalRecord { review, ..local }),
            }
        }
        Some(local) if server.revision >= local.record.revision => {
            (local.record != server || local.conflict.is_some() || local.review != review)
                .then(|| synced(server, review))
        }
        Some(_) => None,
    }
}

fn synced(record: Record, review: Option<Review>) -> LocalRecord {
    LocalRecord { record, state: SyncState::Synced, errors: Vec::new(), conflict: None, review }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record(revision: u64, note: &str) -> Record {
        let at = Utc.with_ymd_and_hms(2025, 8, 1, 2, 10, 0).unwrap();
        let mut values = serde_json::Map::new();
        values.insert("note".into(), note.into());
        Record {
            id: Uuid::from_u128(7),
            form_id: "outreach_event".into(),
            form_version: 1,
            location: forms::Location { unit_list: "units_2025".into(), unit_code: "21001".into() },
            author: "lan".into(),
            device_id: "tab-07".into(),
            created_at: at,
            updated_at: at,
            status: forms::RecordStatus::Final,
            deleted: false,
            revision,
            values,
        }
    }

    fn local(state: SyncState, revision: u64) -> LocalRecord {
        LocalRecord { state, ..LocalRecord::new(record(revision, "mine")) }
    }

    #[test]
    fn pull_stores_new_and_newer_records() {
        assert_eq!(after_pull(None, record(3, "srv"), None).unwrap().state, SyncState::Synced);
        let updated = after_pull(Some(local(SyncState::Synced, 2)), record(3, "srv"), None).unwrap();
        assert_eq!(updated.record, record(3, "srv"));
        // Re-reading the same page changes nothing.
        assert_eq!(after_pull(Some(updated.clone()), record(3, "srv"), None), None);
        // An older version never replaces a newer one.
        assert_eq!(after_pull(Some(local(SyncState::Synced, 5)), record(3, "srv"), None), None);
    }

    #[test]
    fn pull_never_overwrites_a_local_edit() {
        for state in [SyncState::Draft, SyncState::Queued, SyncState::Rejected, SyncState::Conflict] {
            let kept = after_pull(Some(local(state, 2)), record(4, "srv"), None).unwrap();
            assert_eq!(kept.record, record(2, "mine"), "{state:?}");
            assert_eq!(kept.state, state);
            assert_eq!(kept.conflict, Some(record(4, "srv")));
            // Same revision as the edit's base: nothing diverged.
            assert_eq!(after_pull(Some(local(state, 4)), record(4, "srv"), None), None);
        }
    }

    #[test]
    fn tombstones_mark_deleted_or_are_skipped() {
        let mut tomb = record(6, "");
        tomb.deleted = true;
        tomb.values.clear();
        assert!(after_pull(Some(local(SyncState::Synced, 5)), tomb.clone(), None).unwrap().record.deleted);
        assert_eq!(after_pull(None, tomb, None), None);
    }

    #[test]
    fn settle_rules() {
        let applied = after_applied(local(SyncState::Queued, 0), 1, false);
        assert_eq!((applied.state, applied.record.revision), (SyncState::Synced, 1));
        let still = after_applied(local(SyncState::Queued, 0), 1, true);
        assert_eq!((still.state, still.record.revision), (SyncState::Queued, 1));
        // Edited again after queueing: stays a draft, but knows the new base revision.
        let draft = after_applied(local(SyncState::Draft, 0), 1, false);
        assert_eq!((draft.state, draft.record.revision), (SyncState::Draft, 1));

        let conflict = after_conflict(local(SyncState::Queued, 2), record(4, "srv"));
        assert_eq!(conflict.state, SyncState::Conflict);
        assert_eq!(conflict.record, record(2, "mine"));
        let mut resolved = conflict.clone();
        resolved.keep_mine();
        assert_eq!((resolved.record.revision, resolved.conflict), (4, None));
        let mut theirs = conflict;
        theirs.take_theirs();
        assert_eq!((theirs.record, theirs.state), (record(4, "srv"), SyncState::Synced));
    }

    fn review(state: ReviewState) -> Review {
        Review {
            state,
            comment: Some("Số người chưa khớp".into()),
            fields: vec!["participants".into()],
            by: "Giám sát".into(),
            at: Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap(),
            revision: 2,
        }
    }

    #[test]
    fn a_return_reaches_the_record_with_or_without_a_local_edit() {
        let returned = review(ReviewState::NeedsChanges);
        // Synced, same revision: the review alone is news.
        let got = after_pull(Some(local(SyncState::Synced, 2)), record(2, "mine"), Some(returned.clone())).unwrap();
        assert!(got.needs_changes() && got.state == SyncState::Synced);
        assert_eq!(after_pull(Some(got.clone()), record(2, "mine"), Some(returned.clone())), None, "nothing new");
        // An edit waiting in the outbox is kept, and the return shown beside it.
        let got = after_pull(Some(local(SyncState::Queued, 2)), record(2, "mine"), Some(returned.clone())).unwrap();
        assert!(got.needs_changes() && got.state == SyncState::Queued && got.conflict.is_none());
        // Resubmitted and pulled back: the mark goes.
        let resubmitted = Review { state: ReviewState::Submitted, ..returned };
        let back = after_pull(Some(got), record(3, "mine"), Some(resubmitted)).unwrap();
        assert!(!back.needs_changes());
        assert!(LocalRecord { review: Some(review(ReviewState::Approved)), ..back }.approved());
    }
}
