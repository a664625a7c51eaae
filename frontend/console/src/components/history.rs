//! A record's history: every revision the server accepted, newest first, with who sent it,
//! when and from which phone, and what it changed, question by question with the form's
//! labels (a count grid cell by cell: ethnic group, group, sex). Versions that lost to a
//! newer one are shown beside the revision they lost to.

use forms::definition::{Field, FormDefinition};
use forms::history::{ChangeKind, FieldChange};
use forms::{Bundle, Lang, Sex};
use serde_json::Value as Json;
use yew::prelude::*;

use crate::api::History;
use crate::components::answers::text;
use crate::components::when;
use crate::i18n::{self, texts};

fn form<'a>(bundle: &'a Bundle, revision: &Json) -> Option<&'a FormDefinition> {
    let (id, version) = (revision["form_id"].as_str()?, revision["form_version"].as_u64()?);
    bundle.forms.iter().find(|f| f.id == id && u64::from(f.version) == version)
}

fn field<'a>(def: Option<&'a FormDefinition>, name: &str) -> Option<&'a Field> {
    def?.sections.iter().flat_map(|s| &s.fields).find(|f| f.name == name)
}

/// "Nguyễn Thị Lan (lan.nt)", or who it was before history was kept.
fn sender(lang: Lang, sent_by: &Json) -> String {
    match (sent_by["display_name"].as_str(), sent_by["username"].as_str()) {
        (Some(name), Some(user)) => format!("{name} ({user})"),
        _ => texts(lang).sender_unknown.to_owned(),
    }
}

/// One grid cell's place: "Hrê · Người lớn · Nữ".
fn cell_label(
    bundle: &Bundle,
    field: Option<&Field>,
    ethnicity: &str,
    group: Option<&str>,
    sex: Sex,
    lang: Lang,
) -> String {
    let t = texts(lang);
    let mut parts = vec![bundle
        .reference
        .lists
        .get("ethnic_groups")
        .and_then(|l| l.get(ethnicity))
        .map_or_else(|| ethnicity.to_owned(), |e| e.label.get(lang).to_owned())];
    if let Some(group) = group {
        let options = field.and_then(|f| f.grid.as_ref()?.group.as_ref()).map(|g| &g.options);
        let label = options.and_then(|o| o.iter().find(|o| o.value == group)).map(|o| o.label.get(lang).to_owned());
        parts.push(label.unwrap_or_else(|| group.to_owned()));
    }
    parts.push(if sex == Sex::Female { t.female } else { t.male }.to_owned());
    parts.join(" · ")
}

fn change_rows(bundle: &Bundle, def: Option<&FormDefinition>, change: &FieldChange, lang: Lang) -> Html {
    let label = change.label.get(lang).to_owned();
    let field = field(def, &change.field);
    match &change.change {
        ChangeKind::Value { before, after } => {
            let show = |v: &Json| match field {
                Some(f) => text(f, v, &bundle.reference, lang),
                None if v.is_null() => texts(lang).no_answer.to_owned(),
                None => v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            };
            html! { <tr><th scope="row">{ label }</th><td>{ show(before) }</td><td>{ show(after) }</td></tr> }
        }
        ChangeKind::Grid { cells } => html! {
            { for cells.iter().map(|c| html! {
                <tr>
                    <th scope="row">{ format!("{label}: {}", cell_label(bundle, field, &c.ethnicity, c.group.as_deref(), c.sex, lang)) }</th>
                    <td class="num">{ c.before }</td><td class="num">{ c.after }</td>
                </tr>
            }) }
        },
    }
}

/// The history, newest revision first.
pub fn history(bundle: &Bundle, history: &History, lang: Lang) -> Html {
    let t = texts(lang);
    if history.revisions.is_empty() {
        return html! { <p>{ t.history_empty }</p> };
    }
    html! {
        <ol class="history" reversed=true>
            { for history.revisions.iter().rev().enumerate().map(|(i, r)| {
                let number = r["revision"].as_u64().unwrap_or(0);
                let changes: Vec<FieldChange> = serde_json::from_value(r["changes"].clone()).unwrap_or_default();
                let def = form(bundle, r);
                let first = i + 1 == history.revisions.len();
                let what = if r["deleted"].as_bool() == Some(true) {
                    t.history_deleted
                } else if first {
                    t.history_created
                } else {
                    i18n::status_label(lang, r["status"].as_str().unwrap_or_default())
                };
                let lost: Vec<&Json> =
                    history.conflicts.iter().filter(|c| c["lost_to_revision"].as_u64() == Some(number)).collect();
                html! {
                    <li class="card revision">
                        <h3>{ format!("{} {number} · {what}", t.revision) }</h3>
                        <p class="meta">
                            { format!("{} · {} · {} {}", when(r["received_at"].as_i64()), sender(lang, &r["sent_by"]),
                                t.from_device, r["device_id"].as_str().unwrap_or("—")) }
                        </p>
                        if !first && r["deleted"].as_bool() != Some(true) && !changes.is_empty() {
                            <div class="table-scroll">
                                <table class="compare">
                                    <thead><tr><th scope="col">{ t.field }</th><th scope="col">{ t.before }</th><th scope="col">{ t.after }</th></tr></thead>
                                    <tbody>{ for changes.iter().map(|c| change_rows(bundle, def, c, lang)) }</tbody>
                                </table>
                            </div>
                        }
                        if !first && changes.is_empty() && r["deleted"].as_bool() != Some(true) {
                            <p>{ t.history_no_answer_change }</p>
                        }
                        { for lost.iter().map(|c| html! {
                            <p class="warn">{ i18n::lost_version(lang, &sender(lang, &c["sent_by"]), &when(c["created_at"].as_i64()),
                                c["base_revision"].as_u64().unwrap_or(0), c["resolved_at"].as_i64().is_some()) }</p>
                        }) }
                    </li>
                }
            }) }
        </ol>
    }
}
