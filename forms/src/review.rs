//! Review of finished records (plan section V): a supervisor returns a record to its
//! officer with a comment, the officer fixes and resubmits it, the supervisor approves it;
//! an approved record is read-only for collectors until a supervisor reopens it. The
//! states and which action leads where live here, so the server, the console and the PWA
//! read them alike.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a finished, synced record stands. A record no one has reviewed is `Submitted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Submitted,
    NeedsChanges,
    Approved,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Submitted => "submitted",
            ReviewState::NeedsChanges => "needs_changes",
            ReviewState::Approved => "approved",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewState> {
        match text {
            "submitted" => Some(ReviewState::Submitted),
            "needs_changes" => Some(ReviewState::NeedsChanges),
            "approved" => Some(ReviewState::Approved),
            _ => None,
        }
    }
}

/// What a reviewer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// Back to the officer, with a comment (required) and optionally the fields to fix.
    Return,
    Approve,
    /// An approved record made editable again (audited).
    Reopen,
}

impl ReviewAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewAction::Return => "return",
            ReviewAction::Approve => "approve",
            ReviewAction::Reopen => "reopen",
        }
    }
}

/// Why an action does not apply to a record as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A draft or a deleted record is not under review.
    NotSubmitted,
    /// Returned already, waiting for the officer: nothing to approve or return again.
    AwaitingOfficer,
    /// Approved: reopen it first.
    AlreadyApproved,
    /// Only an approved record is reopened.
    NotApproved,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotSubmitted => "not_submitted",
            Refusal::AwaitingOfficer => "awaiting_officer",
            Refusal::AlreadyApproved => "already_approved",
            Refusal::NotApproved => "not_approved",
        }
    }

    pub fn message(self) -> crate::Localized {
        let (vi, en) = match self {
            Refusal::NotSubmitted => (
                "Phiếu này chưa hoàn thành hoặc đã bị xoá nên chưa thể duyệt.",
                "This record is not finished, or was deleted, so it cannot be reviewed.",
            ),
            Refusal::AwaitingOfficer => (
                "Phiếu đã được trả lại và đang chờ cán bộ sửa; hãy đợi bản gửi lại.",
                "This record was returned and waits for its officer; wait for the resubmission.",
            ),
            Refusal::AlreadyApproved => (
                "Phiếu đã được duyệt. Muốn trả lại, hãy mở lại phiếu trước.",
                "This record is approved. Reopen it first to return it.",
            ),
            Refusal::NotApproved => ("Chỉ mở lại được phiếu đã duyệt.", "Only an approved record can be reopened."),
        };
        crate::Localized::new(vi, en)
    }
}

/// The state `action` leads to from `state`, for a finished record that is not deleted.
pub fn next_state(state: ReviewState, action: ReviewAction) -> Result<ReviewState, Refusal> {
    use ReviewAction as A;
    use ReviewState as S;
    match (state, action) {
        (S::Submitted, A::Return) => Ok(S::NeedsChanges),
        (S::Submitted, A::Approve) => Ok(S::Approved),
        (S::NeedsChanges, A::Return | A::Approve) => Err(Refusal::AwaitingOfficer),
        (S::Approved, A::Return | A::Approve) => Err(Refusal::AlreadyApproved),
        (S::Approved, A::Reopen) => Ok(S::Submitted),
        (S::Submitted | S::NeedsChanges, A::Reopen) => Err(Refusal::NotApproved),
    }
}

/// What a sign-off closes: a commune's records, or an agency's (the forms' organiser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOffKind {
    Commune,
    Agency,
}

impl SignOffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignOffKind::Commune => "commune",
            SignOffKind::Agency => "agency",
        }
    }
}

/// The periods plan section V closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedPeriod {
    /// 1 January – 30 November: every unit's results are due.
    ReportingYear,
    /// 15 November – 15 December.
    ActionMonth,
}

impl ClosedPeriod {
    pub const ALL: [ClosedPeriod; 2] = [ClosedPeriod::ReportingYear, ClosedPeriod::ActionMonth];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosedPeriod::ReportingYear => "reporting_year",
            ClosedPeriod::ActionMonth => "action_month",
        }
    }

    pub fn parse(text: &str) -> Option<ClosedPeriod> {
        ClosedPeriod::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Its first and last day of `year`, as YYYY-MM-DD.
    pub fn dates(self, year: i32) -> (String, String) {
        match self {
            ClosedPeriod::ReportingYear => (format!("{year:04}-01-01"), format!("{year:04}-11-30")),
            ClosedPeriod::ActionMonth => (format!("{year:04}-11-15"), format!("{year:04}-12-15")),
        }
    }
}

/// The latest review of a record, as pulls carry it to the officer's phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub state: ReviewState,
    /// The reviewer's comment when returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The fields the reviewer named (may be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The reviewer's display name.
    pub by: String,
    #[serde(with = "crate::dates::serde_rfc3339")]
    pub at: DateTime<Utc>,
    /// The revision the reviewer saw.
    pub revision: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        use ReviewAction as A;
        use ReviewState as S;
        let table = [
            (S::Submitted, A::Return, Ok(S::NeedsChanges)),
            (S::Submitted, A::Approve, Ok(S::Approved)),
            (S::Submitted, A::Reopen, Err(Refusal::NotApproved)),
            (S::NeedsChanges, A::Return, Err(Refusal::AwaitingOfficer)),
            (S::NeedsChanges, A::Approve, Err(Refusal::AwaitingOfficer)),
            (S::NeedsChanges, A::Reopen, Err(Refusal::NotApproved)),
            (S::Approved, A::Return, Err(Refusal::AlreadyApproved)),
            (S::Approved, A::Approve, Err(Refusal::AlreadyApproved)),
            (S::Approved, A::Reopen, Ok(S::Submitted)),
        ];
        for (state, action, want) in table {
            assert_eq!(next_state(state, action), want, "{state:?} {action:?}");
        }
        for s in [S::Submitted, S::NeedsChanges, S::Approved] {
            assert_eq!(ReviewState::parse(s.as_str()), Some(s));
        }
    }
}
