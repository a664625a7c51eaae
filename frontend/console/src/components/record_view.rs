//! One record as the server has it, read-only, and the conflict copies kept against it:
//! both versions side by side, each with "keep this version".

use std::collections::HashMap;

use forms::Lang;
use serde_json::Value as Json;
use yew::prelude::*;

use crate::api::{Conflict, Keep};
use crate::components::answers::{answers, definition, text};
use crate::components::history::history;
use crate::components::records::form_titles;
use crate::components::review_panel::ReviewPanel;
use crate::components::{error_box, loaded, when, Link};
use crate::dates;
use crate::hooks::{use_action, use_load, Load};
use crate::i18n::{self, texts};
use crate::route::Route;
use crate::state::{use_ctx, Action};
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
}

#[function_component(RecordView)]
pub fn record_view(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let detail = use_load(&ctx, p.id.clone(), |api, id: AttrValue| async move { api.record(&id).await });
    // Read again when the record has a new revision (a resolution adds one).
    let revision = match &detail.load {
        Load::Ready(d) => d.record["revision"].as_u64(),
        _ => None,
    };
    let past = use_load(&ctx, (p.id.clone(), revision), |api, (id, _): (AttrValue, Option<u64>)| async move {
        api.history(&id).await
    });
    let act = use_action(&ctx);
    // One change id per decision, kept for its retries: (conflict, version) → change id.
    let decisions = use_mut_ref(HashMap::<(String, bool), String>::new);
    // The server answered, but did not apply the kept version (the record moved on, or the
    // version no longer validates): what it said.
    let refused = use_state(|| None::<String>);
    let Some(bundle) = ctx.catalog.clone() else {
        return html! { <p class="loading">{ t.loading }</p> };
    };
    let keep = |c: &Conflict, which: Keep| {
        let (act, ctx, reload, decisions, conflict) =
            (act.clone(), ctx.clone(), detail.reload.clone(), decisions.clone(), c.id.clone());
        let refused = refused.clone();
        Callback::from(move |_| {
            if !web::confirm(&i18n::confirm_keep(lang, which == Keep::Incoming)) {
                return;
            }
            let key = (conflict.clone(), which == Keep::Incoming);
            let change_id = decisions.borrow_mut().entry(key).or_insert_with(web::new_id).clone();
            let (ctx, reload, conflict, refused) = (ctx.clone(), reload.clone(), conflict.clone(), refused.clone());
            refused.set(None);
            act.run(
                move |api| async move { api.resolve_retrying(&conflict, which, &change_id).await },
                move |answer| {
                    match i18n::resolution_problem(ctx.lang, &answer["result"]) {
                        None => ctx.dispatch(Action::Flash(Some(texts(ctx.lang).kept.to_owned()))),
                        Some(problem) => refused.set(Some(problem)),
                    }
                    reload.emit(());
                },
            );
        })
    };
    let titles = form_titles(&ctx, lang);
    loaded(lang, &detail.load, &detail.reload, |d| {
        let r = &d.record;
        let form_id = r["form_id"].as_str().unwrap_or_default();
        let title = titles.iter().find(|(id, _)| id == form_id).map_or_else(|| form_id.to_owned(), |(_, t)| t.clone());
        let commune =
            r["location"]["unit_code"].as_str().and_then(|c| ctx.communes.as_ref()?.get(c).map(|e| e.name.clone()));
        let status = if r["deleted"].as_bool() == Some(true) {
            t.status_deleted
        } else {
            i18n::status_label(lang, r["status"].as_str().unwrap_or_default())
        };
        let date_field = definition(&bundle, r).map(|d| d.date_field.clone()).unwrap_or_default();
        let activity = r["values"][&date_field].as_str().map(dates::iso_to_vi);
        html! {
            <article class="record">
                <p class="no-print"><Link route={Route::Records}>{ t.back_to_records }</Link></p>
                <h1>{ title }</h1>
                <dl class="facts">
                    <div><dt>{ t.commune }</dt><dd>{ commune.unwrap_or_else(|| r["location"]["unit_code"].as_str().unwrap_or("—").to_owned()) }</dd></div>
                    if let Some(a) = activity { <div><dt>{ t.activity_date }</dt><dd>{ a }</dd></div> }
                    <div><dt>{ t.author }</dt><dd>{ r["author"].as_str().unwrap_or("—").to_owned() }</dd></div>
                    <div><dt>{ t.status }</dt><dd>{ status }</dd></div>
                    <div><dt>{ t.updated }</dt><dd>{ when(dates::millis(&r["updated_at"])) }</dd></div>
                    <div><dt>{ t.revision }</dt><dd>{ r["revision"].as_u64().unwrap_or(0) }</dd></div>
                </dl>
                <ReviewPanel record={r.clone()} review={d.review.clone()}
                    form={definition(&bundle, r).cloned()} on_done={detail.reload.clone()} />
                if let Some(e) = act.error() { { error_box(lang, &e, None) } }
                if let Some(problem) = (*refused).clone() { <p class="error" role="alert">{ problem }</p> }
                { for d.conflicts.iter().map(|c| html! {
                    <section class="card attention conflict">
                        <h2>{ t.conflict_title }</h2>
                        <p>{ i18n::conflict_intro(lang, &c.sender, &when(c.created_at)) }</p>
                        { compare(&bundle, &c.current, &c.incoming, lang) }
                        <div class="two-buttons">
                            <button class="btn primary" disabled={act.busy()} onclick={keep(c, Keep::Current)}>{ t.keep_current }</button>
                            <button class="btn primary" disabled={act.busy()} onclick={keep(c, Keep::Incoming)}>{ t.keep_incoming }</button>
                        </div>
                    </section>
                }) }
                <h2>{ t.answers }</h2>
                { answers(&bundle, r, lang) }
                <h2>{ t.history }</h2>
                { loaded(lang, &past.load, &past.reload, |h| history(&bundle, h, lang)) }
            </article>
        }
    })
}

/// The answers that differ, the server's current version beside the incoming one.
fn compare(bundle: &forms::Bundle, current: &Json, incoming: &Json, lang: Lang) -> Html {
    let t = texts(lang);
    let Some(def) = definition(bundle, current).or_else(|| definition(bundle, incoming)) else {
        return html! { <p class="warn">{ t.no_definition }</p> };
    };
    let rows: Vec<Html> = def
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        // Calculated answers follow from the others: only what someone typed is compared.
        .filter(|f| f.field_type.holds_value() && f.field_type != forms::definition::FieldType::Calculate)
        .filter(|f| current["values"][&f.name] != incoming["values"][&f.name])
        .map(|f| {
            let show = |r: &Json| text(f, &r["values"][&f.name], &bundle.reference, lang);
            html! { <tr><th scope="row">{ f.label.get(lang).to_owned() }</th><td>{ show(current) }</td><td>{ show(incoming) }</td></tr> }
        })
        .collect();
    let location = |r: &Json| r["location"]["unit_code"].as_str().unwrap_or_default().to_owned();
    html! {
        <div class="table-scroll">
            <table class="compare">
                <thead><tr><th scope="col">{ t.field }</th><th scope="col">{ t.current_version }</th><th scope="col">{ t.incoming_version }</th></tr></thead>
                <tbody>
                    if location(current) != location(incoming) {
                        <tr><th scope="row">{ t.commune }</th><td>{ location(current) }</td><td>{ location(incoming) }</td></tr>
                    }
                    if rows.is_empty() {
                        <tr><td colspan="3">{ t.no_difference }</td></tr>
                    }
                    { for rows }
                </tbody>
            </table>
        </div>
    }
}
