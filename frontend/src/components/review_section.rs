//! The review section of a record's page, for supervisors and admins: where the record
//! stands (submitted, needs changes, approved) and, online, what they can do next —
//! approve it, return it to its officer with a comment and the questions to fix, or reopen
//! an approved one. Offline it says that reviewing needs a connection. The action goes
//! through `services::review`, which keeps its change id for retries.
//!
//! Lean on purpose (every kilobyte is downloaded by every collector too): a function the
//! record's page calls, not a component of its own; the return form folds in a
//! `<details>`, and its comment and ticked questions are read from the page when sent
//! rather than mirrored in state.

use device::api::ReviewAct;
use forms::definition::FieldType;
use forms::review::{Review, ReviewAction, ReviewState};
use forms::Record;
use yew::prelude::*;

use crate::context::Ctx;
use crate::i18n::review::{self, texts};
use crate::services;
use crate::web;

/// What came of the last action; the record's page keeps it (a page per record).
#[derive(Clone, PartialEq)]
pub enum Said {
    Nothing,
    Sending,
    Done(&'static str),
    Failed(String),
}

/// `r`: the version shown on the page, the one the reviewer saw. `comment_shown`: the page
/// already shows the return's comment (to its officer), so not twice.
pub fn review_section(
    ctx: &Ctx,
    r: &Record,
    review: Option<&Review>,
    comment_shown: bool,
    said: &UseStateHandle<Said>,
) -> Html {
    let (lang, t) = (ctx.state.lang, texts(ctx.state.lang));
    let state = review.map_or(ReviewState::Submitted, |v| v.state);
    // The questions a return may name: what the officer answers (no notes, nothing
    // calculated), in the form's order, by their labels.
    let form = ctx.state.catalog.as_ref().and_then(|c| c.form(&r.form_id, r.form_version));
    let questions: Vec<_> = form
        .iter()
        .flat_map(|f| &f.definition.sections)
        .flat_map(|s| &s.fields)
        .filter(|f| f.field_type.holds_value() && f.field_type != FieldType::Calculate && f.calculate.is_none())
        .collect();
    let send = |action: ReviewAction| {
        let (ctx, said, id, revision) = (ctx.clone(), said.clone(), r.id, r.revision);
        let names: Vec<String> = questions.iter().map(|f| f.name.clone()).collect();
        Callback::from(move |_: MouseEvent| {
            let returned = action == ReviewAction::Return;
            let comment = web::input_value("review-comment").trim().to_owned();
            if returned && comment.is_empty() {
                said.set(Said::Failed(t.comment_needed.into()));
                return;
            }
            if action == ReviewAction::Reopen && !web::confirm(t.confirm_reopen) {
                return;
            }
            let fields = match returned {
                true => names.iter().filter(|n| web::is_checked(&format!("rf-{n}"))).cloned().collect(),
                false => Vec::new(),
            };
            let act = ReviewAct { action, revision, comment: returned.then_some(comment), fields };
            said.set(Said::Sending);
            let token = ctx.state.session.as_ref().map(|s| s.token.clone());
            let (ctx, said) = (ctx.clone(), said.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let lang = ctx.state.lang;
                said.set(match services::review::send(token, id, act).await {
                    Ok(_) => Said::Done(review::done(lang, action)),
                    Err(e) => Said::Failed(services::review::error_text(lang, &e)),
                });
                // The page shows the record's new state, or why it was refused as it stands
                // (a newer revision, someone else's action): another officer's record is
                // read from the server again, and a sync pulls the user's own.
                ctx.changed.emit(());
                ctx.sync.emit(());
            });
        })
    };
    let badge = match state {
        ReviewState::Submitted => "badge st-waiting",
        ReviewState::NeedsChanges => "badge st-attention",
        ReviewState::Approved => "badge st-synced",
    };
    let busy = **said == Said::Sending;
    html! {
        <section class="card review" aria-labelledby="review-title">
            <h2 id="review-title">{ t.title }{ " " }<span class={badge}>{ review::state_label(lang, state) }</span></h2>
            if let Some(v) = review {
                <p class="sub">{ review::by(lang, &v.by, &forms::record::format_instant(v.at), v.revision) }</p>
                if !comment_shown {
                    if let Some(c) = &v.comment { <p class="comment">{ c.clone() }</p> }
                }
            }
            if !ctx.state.online {
                <p class="warn">{ t.offline }</p>
            } else if state == ReviewState::NeedsChanges {
                <p class="hint">{ t.awaiting_officer }</p>
            } else if state == ReviewState::Approved {
                <button class="btn secondary big" disabled={busy} onclick={send(ReviewAction::Reopen)}>{ t.reopen }</button>
            } else {
                <button class="btn primary big" disabled={busy} onclick={send(ReviewAction::Approve)}>{ t.approve }</button>
                <details>
                    <summary class="btn secondary big">{ t.return_ }</summary>
                    <fieldset class="field">
                        <legend class="label">{ t.fields_pick }</legend>
                        <div class="options">
                            { for questions.iter().map(|f| html! {
                                <label class="option">
                                    <input type="checkbox" id={format!("rf-{}", f.name)} /><span>{ f.label.get(lang) }</span>
                                </label>
                            }) }
                        </div>
                    </fieldset>
                    <div class="field">
                        <label class="label" for="review-comment">{ t.comment }</label>
                        <textarea id="review-comment" rows="3" />
                    </div>
                    <button class="btn primary big" disabled={busy} onclick={send(ReviewAction::Return)}>{ t.send_return }</button>
                </details>
            }
            // Under the button pressed: what came of it.
            { match &**said {
                Said::Nothing => html! {},
                Said::Sending => html! { <p role="status">{ t.sending }</p> },
                Said::Done(text) => html! { <p class="flash" role="status">{ *text }</p> },
                Said::Failed(text) => html! { <p class="error banner" role="alert">{ text.clone() }</p> },
            } }
        </section>
    }
}
