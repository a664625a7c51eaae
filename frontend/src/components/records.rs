//! Every record on this phone, newest first, with search and filters by form and state.
//! Rows are built a page at a time: a phone that has collected for a year holds thousands.

use device::{LocalRecord, SyncState};
use forms::record::format_instant;
use serde_json::Value as Json;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::{form_title, is_test, state_class, unit_name};
use crate::context::use_ctx;
use crate::hooks::{use_records, use_unsent_photos};
use crate::i18n::{self, evidence, texts};
use crate::route::Route;
use crate::web::fold;

/// Rows shown at first and added by each "Xem thêm".
const PAGE: usize = 50;

fn state_key(s: SyncState) -> &'static str {
    match s {
        SyncState::Draft => "draft",
        SyncState::Queued => "waiting",
        SyncState::Synced => "synced",
        SyncState::Rejected | SyncState::Conflict => "attention",
    }
}

#[function_component(Records)]
pub fn records() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.state.lang, texts(ctx.state.lang));
    let list = use_records(&ctx);
    let query = use_state(String::new);
    let form_filter = use_state(String::new);
    let state_filter = use_state(String::new);
    let shown = use_state(|| PAGE);
    {
        // A new search or filter starts from the first page again.
        let shown = shown.clone();
        let key = ((*query).clone(), (*form_filter).clone(), (*state_filter).clone());
        use_effect_with(key, move |_| shown.set(PAGE));
    }
    let unsent = use_unsent_photos(&ctx);
    let Some(list) = list else {
        return html! { <main class="screen"><p>{ t.loading }</p></main> };
    };
    let mut form_ids: Vec<(String, String)> = Vec::new();
    for r in list.iter() {
        if !form_ids.iter().any(|(id, _)| *id == r.record.form_id) {
            form_ids.push((r.record.form_id.clone(), form_title(&ctx, &r.record.form_id, r.record.form_version)));
        }
    }
    let q = fold(query.trim());
    let matching: Vec<&LocalRecord> = list
        .iter()
        .filter(|r| form_filter.is_empty() || r.record.form_id == *form_filter)
        .filter(|r| state_filter.is_empty() || state_key(r.state) == *state_filter)
        .filter(|r| {
            if q.is_empty() {
                return true;
            }
            let title = form_title(&ctx, &r.record.form_id, r.record.form_version);
            let place = unit_name(&ctx, &r.record.location);
            let when = format_instant(r.record.updated_at);
            let text = format!("{title} {place} {when} {}", Json::Object(r.record.values.clone()));
            fold(&text).contains(&q)
        })
        .collect();
    let total = matching.len();
    let rows: Vec<Html> = matching
        .into_iter()
        .take(*shown)
        .map(|r| {
            let title = form_title(&ctx, &r.record.form_id, r.record.form_version);
            let place = unit_name(&ctx, &r.record.location);
            let when = format_instant(r.record.updated_at);
            let badge = if r.record.deleted { t.deleted } else { i18n::state_label(lang, r.state) };
            html! {
                <li key={r.record.id.to_string()}>
                    <a class="record-row" href={Route::Record(r.record.id).href()}>
                        <span class="title">{ title }</span>
                        <span class="sub">{ format!("{place} · {when}") }</span>
                        <span class={classes!("badge", state_class(r.state))}>{ badge }</span>
                        if is_test(&ctx, &r.record.form_id, r.record.form_version) {
                            <span class="badge st-draft">{ t.test_form }</span>
                        }
                        if unsent.contains(&r.record.id) { <span class="badge st-waiting">{ evidence::texts(lang).unsent }</span> }
                        if r.needs_changes() { <span class="badge st-attention">{ t.needs_changes }</span> }
                        else if r.approved() { <span class="badge st-synced">{ t.approved }</span> }
                    </a>
                </li>
            }
        })
        .collect();
    let more = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(*shown + PAGE))
    };
    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| query.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let select = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: Event| h.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let state_opts = [("draft", t.drafts), ("waiting", t.waiting), ("synced", t.synced), ("attention", t.attention)];
    html! {
        <main class="screen records">
            <h1>{ t.records }</h1>
            <div class="filters">
                <input type="search" placeholder={t.search} aria-label={t.search} value={(*query).clone()} oninput={on_query} />
                <select aria-label={t.all_forms} onchange={select(&form_filter)}>
                    <option value="" selected={form_filter.is_empty()}>{ t.all_forms }</option>
                    { for form_ids.into_iter().map(|(id, title)| html! {
                        <option selected={*form_filter == id} value={id.clone()}>{ title }</option>
                    }) }
                </select>
                <select aria-label={t.all_states} onchange={select(&state_filter)}>
                    <option value="" selected={state_filter.is_empty()}>{ t.all_states }</option>
                    { for state_opts.into_iter().map(|(k, label)| html! {
                        <option selected={*state_filter == k} value={k}>{ label }</option>
                    }) }
                </select>
            </div>
            if rows.is_empty() { <p class="empty">{ t.no_records }</p> }
            <ul class="record-list">{ for rows }</ul>
            if total > *shown {
                <button class="btn secondary big more" onclick={more}>{ i18n::show_more(lang, *shown, total) }</button>
            }
        </main>
    }
}
