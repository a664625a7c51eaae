//! Review from the record's page (issue 14, docs/sync-protocol.md "Review"): a supervisor or
//! admin, online, approves, returns or reopens a finished record. Online only, like the
//! reports: nothing is queued, the action happens while the reviewer watches or not at all.
//!
//! Retries: an action whose answer never came (no signal, a timeout, a 5xx) may or may not
//! have been applied, so its change id is kept, and pressing the same button again with the
//! same content sends that id again: the server then answers `duplicate` instead of doing it
//! twice (or refusing an approval it already made). A definite answer forgets the id.

use std::cell::RefCell;

use device::api::ReviewAct;
use device::{ApiError, Role, Session};
use forms::review::Review;
use forms::{Lang, Record};
use uuid::Uuid;

use super::api;
use crate::i18n::{review, texts};

/// Whether the user may review records (the server checks again, and checks the scope).
pub fn may_review(session: &Session) -> bool {
    matches!(session.user.role, Role::Supervisor | Role::Admin)
}

/// The change id of the last action sent without a definite answer: one at a time, as a
/// reviewer acts on one record at a time.
#[derive(Default)]
struct Unsettled(Option<(Uuid, ReviewAct, Uuid)>);

impl Unsettled {
    /// The change id to send `act` on `record` under: the unanswered one of the same
    /// content (a retry), or `fresh` (a new action replaces the unanswered one: the server
    /// refuses a second action on a revision anyway).
    fn id_for(&mut self, record: Uuid, act: &ReviewAct, fresh: impl FnOnce() -> Uuid) -> Uuid {
        match &self.0 {
            Some((on, sent, id)) if *on == record && sent == act => *id,
            _ => {
                let id = fresh();
                self.0 = Some((record, act.clone(), id));
                id
            }
        }
    }

    /// After an answer: a definite one (applied, or refused with a reason) ends the action.
    fn answered(&mut self, outcome: &Result<Review, ApiError>) {
        if !matches!(outcome, Err(ApiError::Offline | ApiError::Server(_) | ApiError::Decode(_))) {
            self.0 = None;
        }
    }
}

thread_local! {
    // Kept for the page's life, not the component's: leaving the record and coming back
    // to retry still sends the first id.
    static UNSETTLED: RefCell<Unsettled> = RefCell::new(Unsettled::default());
}

/// Sends `act` on `record`; returns the review as the action left it. The phone's copy of
/// the record learns it from the next pull (the action gave the record a new cursor).
pub async fn send(token: Option<String>, record: Uuid, act: ReviewAct) -> Result<Review, ApiError> {
    let change_id = UNSETTLED.with(|u| u.borrow_mut().id_for(record, &act, Uuid::new_v4));
    let outcome = api(token).review(record, change_id, &act).await;
    UNSETTLED.with(|u| u.borrow_mut().answered(&outcome));
    outcome
}

/// Another officer's record as the server has it, with its latest review: a supervisor's
/// phone pulls only the supervisor's own records.
pub async fn server_record(token: Option<String>, id: Uuid) -> Result<(Record, Option<Review>), ApiError> {
    api(token).server_record(id).await
}

/// What to tell the reviewer when an action was not applied.
pub fn error_text(lang: Lang, e: &ApiError) -> String {
    let t = review::texts(lang);
    match e {
        ApiError::Offline | ApiError::Server(_) | ApiError::Decode(_) => t.retry.into(),
        ApiError::Unauthorized => texts(lang).session_expired.into(),
        ApiError::Rejected { status: 403, .. } => t.forbidden.into(),
        // The server's own words: stale_revision, awaiting_officer, already_approved…
        _ => super::error_text(lang, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use forms::review::ReviewAction;
    use forms::Localized;

    fn act(action: ReviewAction, comment: Option<&str>) -> ReviewAct {
        ReviewAct { action, revision: 2, comment: comment.map(str::to_owned), fields: Vec::new() }
    }

    #[test]
    fn a_retry_goes_under_the_first_change_id_until_answered() {
        let (record, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut u = Unsettled::default();
        let mut n = 10;
        let mut fresh = || {
            n += 1;
            Uuid::from_u128(n)
        };
        let back = act(ReviewAction::Return, Some("Thiếu số nữ"));
        let first = u.id_for(record, &back, &mut fresh);
        // No answer: the same action again is a retry, under the same id.
        u.answered(&Err(ApiError::Offline));
        assert_eq!(u.id_for(record, &back, &mut fresh), first);
        u.answered(&Err(ApiError::Server(503)));
        assert_eq!(u.id_for(record, &back, &mut fresh), first);
        // Other content (an edited comment) is another action; so is another record.
        let edited = act(ReviewAction::Return, Some("Thiếu số nữ, số nam"));
        let second = u.id_for(record, &edited, &mut fresh);
        assert_ne!(second, first);
        assert_ne!(u.id_for(other, &edited, &mut fresh), second);
        let second = u.id_for(record, &edited, &mut fresh);
        // A definite answer (a refusal here) ends it: the next attempt is a new action.
        let refused = ApiError::Rejected {
            status: 409,
            code: "stale_revision".into(),
            message: Localized::new("Phiếu đã có bản sửa mới", "newer revision"),
        };
        u.answered(&Err(refused));
        assert_ne!(u.id_for(record, &edited, &mut fresh), second);
    }

    #[test]
    fn refusals_are_told_in_the_servers_words_and_no_answer_as_a_retry() {
        let refused = ApiError::Rejected {
            status: 409,
            code: "stale_revision".into(),
            message: Localized::new("Phiếu đã có bản sửa mới (lần 3)", "newer revision (3)"),
        };
        assert_eq!(error_text(Lang::Vi, &refused), "Phiếu đã có bản sửa mới (lần 3)");
        assert_eq!(error_text(Lang::Vi, &ApiError::Offline), review::VI.retry);
        let forbidden = ApiError::Rejected { status: 403, code: "forbidden".into(), message: Localized::new("", "") };
        assert_eq!(error_text(Lang::En, &forbidden), review::EN.forbidden);
    }
}
