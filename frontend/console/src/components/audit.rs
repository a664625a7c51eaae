//! The audit log (admins only): every administrative action, newest first — when, who, from
//! which address, what, on whom, and what it changed — filtered by action and days, paged,
//! and downloaded as CSV or XLSX with the same filters. Read only: nothing here changes it.

use forms::reference::ReferenceData;
use forms::Lang;
use serde_json::Value as Json;
use yew::prelude::*;

use crate::api::AuditEntry;
use crate::communes::Communes;
use crate::components::{agency_name, error_box, loaded, pager, role_label, when};
use crate::dates;
use crate::hooks::{use_action, use_load};
use crate::i18n::{self, texts};
use crate::query;
use crate::state::use_ctx;
use crate::web;

const PER_PAGE: u32 = 50;
/// How the server names its own command line as an actor.
const COMMAND_LINE: &str = "(cli)";

#[derive(Clone, PartialEq)]
struct Filters {
    action: String,
    from: String,
    to: String,
    page: u32,
}

impl Filters {
    /// The filters as the API takes them, dates typed dd/mm/yyyy sent as ISO dates: the
    /// same for a page and for a file.
    fn filters(&self) -> String {
        let from = dates::vi_to_iso(&self.from).unwrap_or_default();
        let to = dates::vi_to_iso(&self.to).unwrap_or_default();
        query::build(&[("action", &self.action), ("from", &from), ("to", &to)])
    }

    fn page(&self) -> String {
        let paging = query::build(&[("page", &self.page.to_string()), ("per_page", &PER_PAGE.to_string())]);
        [self.filters(), paging].into_iter().filter(|q| !q.is_empty()).collect::<Vec<_>>().join("&")
    }
}

#[function_component(Audit)]
pub fn audit() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let typed = use_state(|| Filters { action: String::new(), from: String::new(), to: String::new(), page: 1 });
    let applied = use_state(|| (*typed).clone());
    let list = use_load(&ctx, (*applied).clone(), |api, f: Filters| async move { api.audit(&f.page()).await });
    let download = use_action(&ctx);

    let edit = |apply: fn(&mut Filters, String)| {
        let typed = typed.clone();
        Callback::from(move |e: Event| {
            let mut f = (*typed).clone();
            apply(&mut f, web::value_of(&e));
            typed.set(f);
        })
    };
    let bad_date = [&typed.from, &typed.to].iter().any(|d| !d.trim().is_empty() && dates::vi_to_iso(d).is_none());
    let apply = {
        let (typed, applied) = (typed.clone(), applied.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            applied.set(Filters { page: 1, ..(*typed).clone() });
        })
    };
    let on_page = {
        let applied = applied.clone();
        Callback::from(move |page| applied.set(Filters { page, ..(*applied).clone() }))
    };
    // The file holds what the list shows (the filters applied), every page of it.
    let file = |extension: &'static str| {
        let (download, query) = (download.clone(), applied.filters());
        Callback::from(move |_| {
            let query = query.clone();
            let name = format!("nhat-ky-{}.{extension}", dates::today(web::now_ms()).format("%Y-%m-%d"));
            download.run(
                move |api| async move { api.audit_file(&query, extension).await },
                move |blob| web::save_file(&blob, &name),
            );
        })
    };
    let communes = ctx.communes.clone();
    let catalog = ctx.catalog.clone();
    let reference = catalog.as_deref().map(|b| &b.reference);
    let row = |e: &AuditEntry| {
        let actor = if e.actor_id.is_none() && e.actor_username == COMMAND_LINE {
            t.command_line.to_owned()
        } else {
            e.actor_username.clone()
        };
        html! {
            <tr>
                <td data-label={t.at_time}>{ when(e.at) }</td>
                <td data-label={t.by_whom}>{ actor }</td>
                <td data-label={t.address}>{ e.address.clone().unwrap_or_else(|| "—".into()) }</td>
                <td data-label={t.action}>{ i18n::audit_action(lang, &e.action) }</td>
                <td data-label={t.target}>{ e.target_id.clone() }</td>
                <td data-label={t.change}>
                    <ul class="plain">{ for changes(lang, communes.as_deref(), reference, &e.before, &e.after).into_iter().map(|c| html! { <li>{ c }</li> }) }</ul>
                </td>
            </tr>
        }
    };
    let f = (*typed).clone();
    html! {
        <section class="audit">
            <h1>{ t.audit }</h1>
            <p class="hint">{ t.audit_intro }</p>
            <form class="filters" onsubmit={apply}>
                <label>{ t.action }
                    <select onchange={edit(|f, v| f.action = v)}>
                        <option value="" selected={f.action.is_empty()}>{ t.all }</option>
                        { for i18n::audit_actions().map(|a| html! {
                            <option value={a} selected={f.action == a}>{ i18n::audit_action(lang, a) }</option>
                        }) }
                    </select>
                </label>
                <label>{ t.from_date }
                    <input inputmode="numeric" placeholder="dd/mm/yyyy" class="date" value={f.from.clone()} onchange={edit(|f, v| f.from = v)} />
                </label>
                <label>{ t.to_date }
                    <input inputmode="numeric" placeholder="dd/mm/yyyy" class="date" value={f.to.clone()} onchange={edit(|f, v| f.to = v)} />
                </label>
                <button class="btn primary" type="submit" disabled={bad_date}>{ t.filter }</button>
                <button type="button" class="btn" disabled={download.busy()} onclick={file("csv")}>{ t.download_csv }</button>
                <button type="button" class="btn" disabled={download.busy()} onclick={file("xlsx")}>
                    { if download.busy() { t.downloading } else { t.download_xlsx } }
                </button>
            </form>
            if bad_date { <p class="error" role="alert">{ t.bad_date }</p> }
            if let Some(e) = download.error() { { error_box(lang, &e, None) } }
            { loaded(lang, &list.load, &list.reload, |page| if page.items.is_empty() {
                html! { <p class="empty">{ t.audit_empty }</p> }
            } else {
                html! {
                    <>
                        <p class="count">{ i18n::n_entries(lang, page.total) }</p>
                        <table class="list audit-table">
                            <thead><tr>
                                <th scope="col">{ t.at_time }</th><th scope="col">{ t.by_whom }</th>
                                <th scope="col">{ t.address }</th><th scope="col">{ t.action }</th>
                                <th scope="col">{ t.target }</th><th scope="col">{ t.change }</th>
                            </tr></thead>
                            <tbody>{ for page.items.iter().map(row) }</tbody>
                        </table>
                        { pager(lang, applied.page, PER_PAGE, page.total, on_page.clone()) }
                    </>
                }
            }) }
        </section>
    }
}

/// Before → after, one line per field, in words: `Vai trò: Cán bộ thu thập → Giám sát`; a
/// field only after (a creation, a count) as `Vai trò: Giám sát`.
fn changes(
    lang: Lang,
    communes: Option<&Communes>,
    reference: Option<&ReferenceData>,
    before: &Json,
    after: &Json,
) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (b, a) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    // Before's fields (by name), then those only after has.
    let mut seen = std::collections::HashSet::new();
    let keys: Vec<&String> = b.keys().chain(a.keys()).filter(|k| seen.insert(*k)).collect();
    keys.into_iter()
        .map(|k| {
            let label = key_label(lang, k);
            match (b.get(k), a.get(k)) {
                (Some(old), Some(new)) => {
                    let (old, new) =
                        (value_text(lang, communes, reference, k, old), value_text(lang, communes, reference, k, new));
                    format!("{label}: {old} → {new}")
                }
                (Some(v), None) | (None, Some(v)) => {
                    format!("{label}: {}", value_text(lang, communes, reference, k, v))
                }
                (None, None) => String::new(),
            }
        })
        .collect()
}

fn key_label(lang: Lang, key: &str) -> String {
    let t = texts(lang);
    match key {
        "display_name" => t.display_name,
        "role" => t.role,
        "whole_province" => t.whole_province,
        "communes" => t.commune,
        "agency" => t.agency_in_charge,
        "disabled" => t.key_disabled,
        "sessions_ended" => t.key_sessions,
        "device_id" => t.device,
        "enrollment" => t.key_enrollment,
        "expires_at" => t.expires,
        "form_id" => t.key_form,
        "version" => t.key_version,
        "title" => t.key_title,
        "questions" => t.key_questions,
        "test_records_deleted" => t.key_test_records_deleted,
        "withdrawn" => t.key_withdrawn,
        "tester" => t.key_tester,
        "file" => t.key_file,
        "lines" => t.key_lines,
        other => other,
    }
    .to_owned()
}

fn value_text(
    lang: Lang,
    communes: Option<&Communes>,
    reference: Option<&ReferenceData>,
    key: &str,
    v: &Json,
) -> String {
    let t = texts(lang);
    match (key, v) {
        ("role", Json::String(r)) => {
            let role = serde_json::from_value(Json::String(r.clone())).unwrap_or(crate::api::Role::Other);
            role_label(lang, role).to_owned()
        }
        ("communes", Json::Array(list)) if list.is_empty() => "—".to_owned(),
        ("communes", Json::Array(list)) => list
            .iter()
            .map(|c| {
                let code = c["unit_code"].as_str().unwrap_or_default();
                let name = communes.and_then(|all| all.entries.iter().find(|e| e.code == code)).map(|e| e.name.clone());
                name.unwrap_or_else(|| code.to_owned())
            })
            .collect::<Vec<_>>()
            .join(", "),
        ("agency", Json::String(code)) => agency_name(reference, lang, Some(code)),
        // The id of a link is a long hash: its start tells two apart.
        ("enrollment", Json::String(id)) => format!("{}…", id.chars().take(8).collect::<String>()),
        ("expires_at", v) => when(dates::millis(v)),
        (_, Json::Bool(true)) => t.yes.to_owned(),
        (_, Json::Bool(false)) => t.no.to_owned(),
        (_, Json::String(s)) => s.clone(),
        (_, Json::Null) => "—".to_owned(),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_reads_as_before_and_after() {
        let before = json!({ "role": "collector", "disabled": false });
        let after = json!({ "role": "supervisor", "disabled": true, "sessions_ended": 2 });
        assert_eq!(
            changes(Lang::Vi, None, None, &before, &after),
            ["Khoá: Không → Có", "Vai trò: Cán bộ thu thập → Giám sát", "Phiên bị đăng xuất: 2"]
        );
        let created = json!({ "communes": [{ "unit_list": "units_2025", "unit_code": "21025" }] });
        assert_eq!(changes(Lang::En, None, None, &Json::Null, &created), ["Commune: 21025"]);
        let catalog = forms::Catalog::bundled().unwrap();
        let (before, after) = (json!({ "agency": null }), json!({ "agency": "so_noi_vu" }));
        assert_eq!(
            changes(Lang::Vi, None, Some(catalog.reference()), &before, &after),
            ["Cơ quan phụ trách: — → Sở Nội vụ"]
        );
        // A form's entries read in words too.
        let published = json!({ "form_id": "outreach_event", "version": 2, "test_records_deleted": 3 });
        assert_eq!(
            changes(Lang::Vi, None, None, &Json::Null, &published),
            ["Biểu mẫu: outreach_event", "Phiếu thử đã xóa: 3", "Phiên bản: 2"]
        );
    }
}
