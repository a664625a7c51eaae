//! `#/record/<id>`: a draft opens for editing; anything else is shown with its sync state,
//! the server's reasons when refused, both versions when in conflict, and edit / delete.
//! Supervisors and admins also get the review section; since their phones pull only their
//! own records, another officer's record (opened by link) is read from the server, online.

use device::SyncState;
use forms::definition::FieldType;
use forms::record::{format_date, format_instant};
use forms::{Catalog, Lang, Record, RecordStatus};
use serde_json::Value as Json;
use uuid::Uuid;
use yew::prelude::*;

use crate::components::evidence::PhotoList;
use crate::components::fields::choices;
use crate::components::form_screen::{review_card, FormScreen};
use crate::components::record_history::RecordHistoryView;
use crate::components::review_section::{review_section, Said};
use crate::components::{flash, form_title, state_class, unit_name};
use crate::context::use_ctx;
use crate::hooks::{use_record, use_server_record, use_unsent_photos, Remote};
use crate::i18n::{self, evidence, review, texts};
use crate::route::Route;
use crate::services::{self, Resolution};
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: Uuid,
}

#[function_component(RecordPage)]
pub fn record_page(p: &Props) -> Html {
    let ctx = use_ctx();
    let t = texts(ctx.state.lang);
    let editing = use_state(|| false);
    // Reloaded after a sync, but never while the form is open: the form owns the draft then.
    let loaded = use_record(&ctx, p.id, *editing);
    let session = ctx.state.session.as_deref();
    let reviewer = session.is_some_and(services::review::may_review);
    // A reviewer's phone pulls only their own records: another officer's is read from the
    // server, whether the phone lacks it or holds a copy pulled before that rule (which no
    // pull updates any more), unless that copy has an edit of the user's waiting.
    let others = match &loaded {
        Some(Some(l)) => l.state == SyncState::Synced && session.is_some_and(|s| s.user.username != l.record.author),
        found => found.is_some(),
    };
    let remote = use_server_record(&ctx, p.id, reviewer && others);
    let said = use_state(|| Said::Nothing);
    let unsent = use_unsent_photos(&ctx);
    let warn = |text: AttrValue| html! { <main class="screen"><p class="warn">{ text }</p></main> };
    let (local, on_server) = match (loaded, remote) {
        (Some(_), Remote::Ready(server)) if reviewer && others => (server, true),
        (Some(Some(local)), _) => (local, false),
        (Some(None), Remote::Failed(e)) => return warn(e),
        (Some(None), Remote::Idle) if !reviewer => return warn(t.not_found.into()),
        (Some(None), Remote::Idle) if !ctx.state.online => {
            return warn(review::texts(ctx.state.lang).not_here_offline.into())
        }
        _ => return html! { <main class="screen"><p>{ t.loading }</p></main> },
    };
    if (*editing || local.state == SyncState::Draft) && !local.record.deleted {
        return html! { <FormScreen initial={local} is_new=false /> };
    }
    let Some(catalog) = ctx.state.catalog.clone() else {
        return html! { <main class="screen"><p class="warn">{ t.no_catalog }</p></main> };
    };
    let lang = ctx.state.lang;
    let r = &local.record;
    let title = form_title(&ctx, &r.form_id, r.form_version);
    let act = |how: Resolution| {
        let (ctx, local) = (ctx.clone(), local.clone());
        Callback::from(move |_| {
            let (ctx, local) = (ctx.clone(), local.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if services::resolve(&ctx.storage, &local, how).await {
                    ctx.changed.emit(());
                    ctx.sync.emit(());
                }
            });
        })
    };
    let on_delete = {
        let (ctx, local, title) = (ctx.clone(), local.clone(), title.clone());
        Callback::from(move |_| {
            let synced = local.record.revision > 0;
            if !web::confirm(&i18n::delete_confirm(ctx.state.lang, &title, synced)) {
                return;
            }
            let (ctx, local) = (ctx.clone(), local.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if services::delete(&ctx.storage, &local).await {
                    ctx.changed.emit(());
                    ctx.sync.emit(());
                    web::navigate(&Route::Records);
                }
            });
        })
    };
    let on_edit = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(true))
    };
    let badge = if r.deleted { t.deleted } else { i18n::state_label(lang, local.state) };
    // The officer's card with the return's comment: on the officer's own copy.
    let returned = local.review.as_ref().filter(|_| !on_server && local.needs_changes());
    let reviewable = reviewer && r.status == RecordStatus::Final && !r.deleted && r.revision > 0;
    html! {
        <main class="screen record-view">
            { flash(&ctx) }
            <h1>{ title }</h1>
            <p class="sub">
                <span class={classes!("badge", state_class(local.state))}>{ badge }</span>
                if unsent.contains(&r.id) { <span class="badge st-waiting">{ evidence::texts(lang).unsent }</span> }
                { format!(" {} · {}", unit_name(&ctx, &r.location), format_instant(r.updated_at)) }
            </p>
            if local.state == SyncState::Rejected && !local.errors.is_empty() {
                <section class="card attention">
                    <h2>{ t.server_reasons }</h2>
                    <ul>{ for local.errors.iter().map(|e| html! {
                        <li><strong>{ field_label(&catalog, r, &e.field, lang) }</strong>{ ": " }{ e.message.get(lang) }</li>
                    }) }</ul>
                </section>
            }
            if let (SyncState::Conflict, Some(server)) = (local.state, local.conflict.as_ref()) {
                <section class="card attention">
                    <h2>{ t.conflict_title }</h2>
                    <p>{ t.conflict_intro }</p>
                    { compare(&catalog, r, server, lang) }
                    <div class="choice-row">
                        <button class="btn primary" onclick={act(Resolution::KeepMine)}>{ t.keep_mine }</button>
                        <button class="btn secondary" onclick={act(Resolution::TakeServers)}>{ t.take_servers }</button>
                    </div>
                </section>
            }
            if on_server { <p class="note">{ review::from_server(lang, &r.author) }</p> }
            if let Some(review) = returned { { review_card(lang, review) } }
            if local.approved() && !reviewer { <p class="note">{ t.approved_note }</p> }
            if !r.deleted { { answers(&catalog, r, lang) } }
            // What the reviewer saw is what the server has: nothing unsent on the phone.
            if reviewable && local.state == SyncState::Synced {
                { review_section(&ctx, r, local.review.as_ref(), returned.is_some(), &said) }
            }
            // Only what the server has a history of.
            if r.revision > 0 { <RecordHistoryView record={r.clone()} /> }
            if !on_server && !r.deleted && !local.approved() {
                <div class="action-bar">
                    <button class="btn danger" onclick={on_delete}>{ t.delete }</button>
                    <button class="btn primary big" onclick={on_edit}>{ t.edit }</button>
                </div>
            }
        </main>
    }
}

fn field_label(catalog: &Catalog, r: &Record, name: &str, lang: Lang) -> String {
    match name {
        "location" => return texts(lang).commune.to_owned(),
        // Refusals of the whole record: a signed-off period, an approved record.
        "period" => return texts(lang).period_closed.to_owned(),
        "review" => return texts(lang).approved.to_owned(),
        _ => {}
    }
    catalog
        .form(&r.form_id, r.form_version)
        .and_then(|f| f.field(name))
        .map_or_else(|| name.to_owned(), |f| f.label.get(lang).to_owned())
}

/// One stored answer as text: option labels, dd/mm/yyyy, Có/Không, grid totals.
pub fn display(catalog: &Catalog, r: &Record, name: &str, v: &Json, lang: Lang) -> String {
    let t = texts(lang);
    let Some(def) = catalog
        .form(&r.form_id, r.form_version)
        .and_then(|f| f.definition.sections.iter().flat_map(|s| &s.fields).find(|f| f.name == name))
    else {
        return v.to_string();
    };
    let label_of = |code: &str| {
        choices(def, catalog.reference(), lang).into_iter().find(|(c, _)| c == code).map_or(code.to_owned(), |(_, l)| l)
    };
    match (def.field_type, v) {
        (FieldType::Date, Json::String(s)) => forms::dates::parse_iso_date(s).map_or(s.clone(), format_date),
        (FieldType::SelectOne, Json::String(s)) => label_of(s),
        (FieldType::SelectMultiple, Json::Array(a)) => {
            a.iter().filter_map(Json::as_str).map(label_of).collect::<Vec<_>>().join("; ")
        }
        (FieldType::YesNo, Json::Bool(b)) => (if *b { t.yes } else { t.no }).to_owned(),
        (FieldType::Geopoint, Json::Object(_)) => match forms::evidence::read_geopoint(v) {
            Ok(g) => forms::evidence::position_text(&g, lang),
            Err(_) => v.to_string(),
        },
        (FieldType::Photo, Json::Array(a)) => evidence::photo_count(lang, a.len()),
        (FieldType::CountGrid, Json::Array(cells)) => {
            let sum = |sex: &str| -> u64 {
                cells.iter().filter(|c| c["sex"] == sex).filter_map(|c| c["count"].as_u64()).sum()
            };
            let (m, f) = (sum("male"), sum("female"));
            format!("{}: {} ({} {} · {} {})", t.grand_total, m + f, t.male, m, t.female, f)
        }
        (_, Json::String(s)) => s.clone(),
        _ => v.to_string(),
    }
}

fn ordered<'a>(catalog: &'a Catalog, r: &Record) -> Vec<&'a forms::definition::Field> {
    catalog
        .form(&r.form_id, r.form_version)
        .map(|f| f.definition.sections.iter().flat_map(|s| &s.fields).collect())
        .unwrap_or_default()
}

fn answers(catalog: &Catalog, r: &Record, lang: Lang) -> Html {
    let rows = ordered(catalog, r).into_iter().filter_map(|f| {
        let v = r.values.get(&f.name)?;
        if f.field_type == FieldType::Photo {
            return Some(html! { <div class="answer"><dt>{ f.label.get(lang) }</dt>
                <dd><PhotoList {lang} record_id={r.id} value={v.clone()} /></dd></div> });
        }
        Some(html! { <div class="answer"><dt>{ f.label.get(lang) }</dt><dd>{ display(catalog, r, &f.name, v, lang) }</dd></div> })
    });
    html! { <dl class="answers">{ for rows }</dl> }
}

/// Mine and the server's, side by side, for the answers that differ.
fn compare(catalog: &Catalog, mine: &Record, server: &Record, lang: Lang) -> Html {
    let t = texts(lang);
    let show = |r: &Record, name: &str| {
        r.values.get(name).map_or_else(|| t.empty_answer.to_owned(), |v| display(catalog, r, name, v, lang))
    };
    let mut rows: Vec<Html> = ordered(catalog, mine)
        .into_iter()
        .filter(|f| mine.values.get(&f.name) != server.values.get(&f.name))
        .map(|f| {
            html! { <tr><th scope="row">{ f.label.get(lang) }</th><td>{ show(mine, &f.name) }</td><td>{ show(server, &f.name) }</td></tr> }
        })
        .collect();
    if mine.location != server.location {
        rows.insert(
            0,
            html! { <tr><th scope="row">{ t.commune }</th>
            <td>{ mine.location.unit_code.clone() }</td><td>{ server.location.unit_code.clone() }</td></tr> },
        );
    }
    html! {
        <div class="table-scroll">
            <table class="compare">
                <thead><tr><th></th><th scope="col">{ t.mine }</th><th scope="col">{ t.servers }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
