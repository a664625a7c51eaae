//! The record's edit history from the server, under its answers: folded until the officer
//! opens it, and fetched then (online only: the phone keeps only the latest version).
//! Newest revision first, who sent it and when, and the answers it changed.

use device::api::{HistoryRevision, RecordHistory};
use forms::history::{ChangeKind, FieldChange};
use forms::record::format_instant;
use forms::{Catalog, Lang, Record, Sex};
use uuid::Uuid;
use yew::prelude::*;

use crate::components::record_view::display;
use crate::context::use_ctx;
use crate::i18n::texts;
use crate::services;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub record: Record,
}

#[derive(Clone, PartialEq)]
enum Shown {
    Folded,
    Loading,
    Failed(AttrValue),
    Ready(std::rc::Rc<RecordHistory>),
}

#[function_component(RecordHistoryView)]
pub fn record_history(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.state.lang, texts(ctx.state.lang));
    let shown = use_state(|| Shown::Folded);
    let online = ctx.state.online;
    let on_toggle = {
        let (shown, token, id) = (shown.clone(), ctx.state.session.as_ref().map(|s| s.token.clone()), p.record.id);
        Callback::from(move |e: Event| {
            let open = e.target_dyn_into::<web_sys::Element>().is_some_and(|d| d.has_attribute("open"));
            if !open || matches!(*shown, Shown::Loading | Shown::Ready(_)) || !online {
                return;
            }
            shown.set(Shown::Loading);
            let (shown, token) = (shown.clone(), token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                shown.set(match fetch(token, id).await {
                    Ok(h) => Shown::Ready(std::rc::Rc::new(h)),
                    Err(e) => Shown::Failed(services::report_error(lang, &e).into()),
                });
            });
        })
    };
    let Some(catalog) = ctx.state.catalog.clone() else { return html! {} };
    let body = match (&*shown, online) {
        (Shown::Ready(h), _) => revisions(&catalog, &p.record, h, lang),
        (Shown::Failed(e), _) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        (_, false) => html! { <p class="hint">{ t.history_offline }</p> },
        (Shown::Loading, true) => html! { <p role="status">{ t.loading }</p> },
        (Shown::Folded, true) => html! {},
    };
    html! {
        <details class="history card" ontoggle={on_toggle}>
            <summary>{ t.history }</summary>
            { body }
        </details>
    }
}

async fn fetch(token: Option<String>, id: Uuid) -> Result<RecordHistory, device::api::ApiError> {
    services::api(token).history(id).await
}

fn revisions(catalog: &Catalog, record: &Record, history: &RecordHistory, lang: Lang) -> Html {
    let t = texts(lang);
    html! {
        <ol class="revisions">
            { for history.revisions.iter().rev().map(|r| {
                let first = Some(r.revision) == history.revisions.first().map(|f| f.revision);
                html! {
                    <li>
                        <p class="sub"><strong>{ format!("{} {}", t.revision_n, r.revision) }</strong>
                            { format!(" · {} · {}", when(r), who(r, lang)) }
                            if r.deleted { { format!(" · {}", t.history_deleted) } }
                            else if first { { format!(" · {}", t.history_created) } }
                        </p>
                        if !first && !r.deleted {
                            if r.changes.is_empty() { <p class="hint">{ t.history_no_change }</p> }
                            else { <ul class="changes">{ for r.changes.iter().map(|c| change(catalog, record, c, lang)) }</ul> }
                        }
                    </li>
                }
            }) }
        </ol>
    }
}

fn when(r: &HistoryRevision) -> String {
    chrono::DateTime::from_timestamp_millis(r.received_at).map(format_instant).unwrap_or_default()
}

fn who(r: &HistoryRevision, lang: Lang) -> String {
    r.sent_by.as_ref().map_or_else(|| texts(lang).history_unknown_sender.to_owned(), |s| s.display_name.clone())
}

/// "Số người: Hrê · Người lớn · Nữ 28 → 30", or "Ghi chú: trước → sau".
fn change(catalog: &Catalog, record: &Record, c: &FieldChange, lang: Lang) -> Html {
    let t = texts(lang);
    let label = c.label.get(lang);
    match &c.change {
        ChangeKind::Value { before, after } => {
            let show = |v: &serde_json::Value| {
                if v.is_null() {
                    t.empty_answer.to_owned()
                } else {
                    display(catalog, record, &c.field, v, lang)
                }
            };
            html! { <li><strong>{ label }</strong>{ format!(": {} → {}", show(before), show(after)) }</li> }
        }
        ChangeKind::Grid { cells } => html! {
            { for cells.iter().map(|cell| {
                let ethnic = catalog
                    .reference()
                    .lists
                    .get("ethnic_groups")
                    .and_then(|l| l.get(&cell.ethnicity))
                    .map_or_else(|| cell.ethnicity.clone(), |e| e.label.get(lang).to_owned());
                let group = cell.group.as_deref().map(|g| group_label(catalog, record, &c.field, g, lang));
                let sex = if cell.sex == Sex::Female { t.female } else { t.male };
                let place = [Some(ethnic), group, Some(sex.to_owned())].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                html! { <li><strong>{ label }</strong>{ format!(": {place} {} → {}", cell.before, cell.after) }</li> }
            }) }
        },
    }
}

fn group_label(catalog: &Catalog, record: &Record, field: &str, group: &str, lang: Lang) -> String {
    catalog
        .form(&record.form_id, record.form_version)
        .and_then(|f| f.definition.sections.iter().flat_map(|s| &s.fields).find(|f| f.name == field))
        .and_then(|f| f.grid.as_ref()?.group.as_ref())
        .and_then(|g| g.options.iter().find(|o| o.value == group))
        .map_or_else(|| group.to_owned(), |o| o.label.get(lang).to_owned())
}
