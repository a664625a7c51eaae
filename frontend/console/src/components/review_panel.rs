//! Review of one finished record (`forms::review`): where it stands, the last comment, and
//! what the supervisor can do next — approve, return to the officer with a comment and the
//! questions to fix, or reopen an approved record. Each action is a change whose id is made
//! once and kept for its retries.

use std::collections::HashMap;

use forms::definition::{FieldType, FormDefinition};
use forms::review::{Review, ReviewAction, ReviewState};
use forms::Lang;
use serde_json::Value as Json;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::{error_box, when};
use crate::hooks::use_action;
use crate::i18n::{self, texts};
use crate::state::{use_ctx, Action};
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub record: Json,
    pub review: Option<Review>,
    pub form: Option<FormDefinition>,
    /// Called once an action applied: the page reads the record again.
    pub on_done: Callback<()>,
}

pub fn state_label(lang: Lang, state: ReviewState) -> &'static str {
    let t = texts(lang);
    match state {
        ReviewState::Submitted => t.review_submitted,
        ReviewState::NeedsChanges => t.review_needs_changes,
        ReviewState::Approved => t.review_approved,
    }
}

#[function_component(ReviewPanel)]
pub fn review_panel(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let act = use_action(&ctx);
    let returning = use_state(|| false);
    let comment = use_state(String::new);
    let fields = use_state(Vec::<String>::new);
    // One change id per (action, revision), kept for its retries.
    let ids = use_mut_ref(HashMap::<(&'static str, u64), String>::new);
    let r = &p.record;
    let finished = r["status"] == "final" && r["deleted"].as_bool() != Some(true);
    if !finished {
        return html! {};
    }
    let revision = r["revision"].as_u64().unwrap_or(0);
    let state = p.review.as_ref().map_or(ReviewState::Submitted, |v| v.state);
    let id = r["id"].as_str().unwrap_or_default().to_owned();
    let send = |action: ReviewAction| {
        let (act, ctx, ids, id, done) = (act.clone(), ctx.clone(), ids.clone(), id.clone(), p.on_done.clone());
        let (comment, fields, returning) = (comment.clone(), fields.clone(), returning.clone());
        Callback::from(move |_: MouseEvent| {
            let text = comment.trim().to_owned();
            match action {
                ReviewAction::Return if text.is_empty() => {
                    ctx.dispatch(Action::Flash(Some(texts(ctx.lang).review_comment_needed.to_owned())));
                    return;
                }
                ReviewAction::Reopen if !web::confirm(texts(ctx.lang).review_confirm_reopen) => return,
                _ => {}
            }
            let change_id = ids.borrow_mut().entry((action.as_str(), revision)).or_insert_with(web::new_id).clone();
            let named: Vec<String> = if action == ReviewAction::Return { (*fields).clone() } else { Vec::new() };
            let comment_sent = (!text.is_empty()).then_some(text);
            let (ctx, done, returning, comment, fields, id) =
                (ctx.clone(), done.clone(), returning.clone(), comment.clone(), fields.clone(), id.clone());
            act.run(
                move |api| async move {
                    api.review(&id, action, revision, comment_sent.as_deref(), &named, &change_id).await
                },
                move |_| {
                    ctx.dispatch(Action::Flash(Some(i18n::review_done(ctx.lang, action))));
                    (returning.set(false), comment.set(String::new()), fields.set(Vec::new()));
                    done.emit(());
                },
            );
        })
    };
    let on_comment = {
        let comment = comment.clone();
        Callback::from(move |e: InputEvent| comment.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let toggle_field = |name: String| {
        let fields = fields.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            let mut now = (*fields).clone();
            now.retain(|f| *f != name);
            if on {
                now.push(name.clone());
            }
            fields.set(now);
        })
    };
    let questions: Vec<(String, String)> = p
        .form
        .iter()
        .flat_map(|f| &f.sections)
        .flat_map(|s| &s.fields)
        .filter(|f| f.field_type.holds_value() && f.field_type != FieldType::Calculate && f.calculate.is_none())
        .map(|f| (f.name.clone(), f.label.get(lang).to_owned()))
        .collect();
    let label_of = |name: &str| questions.iter().find(|(n, _)| n == name).map_or(name.to_owned(), |(_, l)| l.clone());
    html! {
        <section class={classes!("card", "review", (state == ReviewState::NeedsChanges).then_some("attention"))} aria-labelledby="review-title">
            <h2 id="review-title">{ t.review }{ ": " }<span class={classes!("badge", state.as_str().to_owned())}>{ state_label(lang, state) }</span></h2>
            if let Some(v) = &p.review {
                <p class="meta">{ i18n::review_by(lang, &v.by, &when(Some(v.at.timestamp_millis())), v.revision) }</p>
                if let Some(c) = &v.comment { <blockquote>{ c.clone() }</blockquote> }
                if !v.fields.is_empty() {
                    <p>{ t.review_fields }{ ": " }{ v.fields.iter().map(|f| label_of(f)).collect::<Vec<_>>().join("; ") }</p>
                }
            }
            if let Some(e) = act.error() { { error_box(lang, &e, None) } }
            <div class="two-buttons">
                if state == ReviewState::Submitted {
                    <button class="btn primary" disabled={act.busy()} onclick={send(ReviewAction::Approve)}>{ t.review_approve }</button>
                    <button class="btn" disabled={act.busy()} aria-expanded={(*returning).to_string()}
                        onclick={ let r = returning.clone(); move |_| r.set(!*r) }>{ t.review_return }</button>
                }
                if state == ReviewState::Approved {
                    <button class="btn" disabled={act.busy()} onclick={send(ReviewAction::Reopen)}>{ t.review_reopen }</button>
                }
            </div>
            if state == ReviewState::Submitted && *returning {
                <div class="return-form">
                    <label for="review-comment">{ t.review_comment }</label>
                    <textarea id="review-comment" rows="3" value={(*comment).clone()} oninput={on_comment} />
                    <fieldset>
                        <legend>{ t.review_fields_pick }</legend>
                        { for questions.iter().map(|(name, label)| html! {
                            <label class="check">
                                <input type="checkbox" checked={fields.contains(name)} onchange={toggle_field(name.clone())} />
                                { label.clone() }
                            </label>
                        }) }
                    </fieldset>
                    <button class="btn primary" disabled={act.busy()} onclick={send(ReviewAction::Return)}>{ t.review_send_return }</button>
                </div>
            }
        </section>
    }
}
