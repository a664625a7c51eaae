//! The sync protocol's wire types, shared by the PWA and the server (see
//! `docs/sync-protocol.md`). A change is identified by an id the device makes, so a retry of
//! a push the server already applied is recognised and answered with the original outcome.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::FieldError;
use crate::record::Record;

/// The most changes one push may carry; larger batches are refused with 413.
pub const MAX_PUSH_CHANGES: usize = 500;
/// The most records one pull page returns.
pub const MAX_PULL_LIMIT: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: String,
    pub changes: Vec<Change>,
}

/// One new version of one record, as the device saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Made on the device when the change is queued; the same on every retry.
    pub change_id: Uuid,
    /// The revision the device last had of this record; 0 for a record new to the server.
    pub base_revision: u64,
    pub record: Record,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per change, in the order of the request.
    pub results: Vec<ChangeResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FlatChangeResult")]
pub struct ChangeResult {
    pub change_id: Uuid,
    /// True when this change id had been applied before: the outcome is the original one.
    #[serde(default)]
    pub duplicate: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored durably with this new revision.
    Applied { record_id: Uuid, revision: u64 },
    /// The base revision was stale. The incoming version is kept as conflict copy
    /// `conflict_id`; `current` is what the server has, so the device can show both.
    Conflict { record_id: Uuid, conflict_id: Uuid, current: Box<Record> },
    /// Not stored: validation or scope errors, per field, in both languages.
    Rejected { errors: Vec<FieldError> },
}

/// How a [`ChangeResult`] is read: one flat object. serde's `flatten` would read it too, but
/// through a buffered, generic path that costs every phone ~15 KB of code.
#[derive(Deserialize)]
struct FlatChangeResult {
    change_id: Uuid,
    #[serde(default)]
    duplicate: bool,
    outcome: OutcomeKind,
    record_id: Option<Uuid>,
    revision: Option<u64>,
    conflict_id: Option<Uuid>,
    current: Option<Box<Record>>,
    errors: Option<Vec<FieldError>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeKind {
    Applied,
    Conflict,
    Rejected,
}

impl TryFrom<FlatChangeResult> for ChangeResult {
    type Error = &'static str;

    fn try_from(r: FlatChangeResult) -> Result<Self, Self::Error> {
        let outcome = match r.outcome {
            OutcomeKind::Applied => Outcome::Applied {
                record_id: r.record_id.ok_or("applied without record_id")?,
                revision: r.revision.ok_or("applied without revision")?,
            },
            OutcomeKind::Conflict => Outcome::Conflict {
                record_id: r.record_id.ok_or("conflict without record_id")?,
                conflict_id: r.conflict_id.ok_or("conflict without conflict_id")?,
                current: r.current.ok_or("conflict without current")?,
            },
            OutcomeKind::Rejected => Outcome::Rejected { errors: r.errors.ok_or("rejected without errors")? },
        };
        Ok(ChangeResult { change_id: r.change_id, duplicate: r.duplicate, outcome })
    }
}

impl Outcome {
    /// Whether the device may drop the change from its outbox.
    pub fn settles_change(&self) -> bool {
        matches!(self, Outcome::Applied { .. } | Outcome::Conflict { .. })
    }
}

/// Records changed on the server since a cursor, within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub records: Vec<PulledRecord>,
    /// Pass as `since` to continue; never goes backwards.
    pub next_cursor: u64,
    pub has_more: bool,
    /// Changes when form definitions or reference data change; the device then refetches them.
    pub catalog_version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PulledRecord {
    pub cursor: u64,
    pub record: Record,
    /// Its latest review, once a reviewer acted on it ([`crate::review`]); older servers
    /// and unreviewed records send none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::review::Review>,
}
