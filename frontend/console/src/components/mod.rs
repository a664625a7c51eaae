//! One component per screen, plus the small pieces they share.

pub mod answers;
pub mod audit;
pub mod commune_picker;
pub mod enrolment;
pub mod form_drafts;
pub mod form_versions;
pub mod history;
pub mod phones;
pub mod photos;
pub mod print_sheet;
pub mod record_view;
pub mod records;
pub mod reference_lists;
pub mod reporting;
pub mod review_panel;
pub mod sign_in;
pub mod sign_off;
pub mod sign_off_table;
pub mod user_form;
pub mod users;

use forms::reference::ReferenceData;
use forms::Lang;
use yew::prelude::*;

use crate::api::{ApiError, Commune, Role};
use crate::hooks::Load;
use crate::i18n::{error_text, texts};
use crate::route::Route;
use crate::state::{use_ctx, Action};
use crate::web;

#[derive(Properties, PartialEq)]
pub struct LinkProps {
    pub route: Route,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub current: bool,
    pub children: Html,
}

/// An in-app link: a real `href` (opens in a new tab too), followed without a reload.
#[function_component(Link)]
pub fn link(p: &LinkProps) -> Html {
    let ctx = use_ctx();
    let route = p.route.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        if web::follow(&e, &route) {
            ctx.dispatch(Action::Route(route.clone()));
        }
    });
    html! {
        <a href={p.route.href()} class={p.class.clone()} aria-current={p.current.then_some("page")} {onclick}>
            { p.children.clone() }
        </a>
    }
}

/// What went wrong, in words, with a retry where one helps.
pub fn error_box(lang: Lang, e: &ApiError, retry: Option<Callback<()>>) -> Html {
    html! {
        <div class="error" role="alert">
            <p>{ error_text(lang, e) }</p>
            if let Some(retry) = retry {
                <button class="btn" onclick={move |_| retry.emit(())}>{ texts(lang).retry }</button>
            }
        </div>
    }
}

/// A list's answer: loading, an error with a retry, or `ready` drawn.
pub fn loaded<T>(lang: Lang, load: &Load<T>, retry: &Callback<()>, ready: impl FnOnce(&T) -> Html) -> Html {
    match load {
        Load::Loading => html! { <p class="loading" role="status">{ texts(lang).loading }</p> },
        Load::Failed(e) => error_box(lang, e, Some(retry.clone())),
        Load::Ready(v) => ready(v),
    }
}

/// "Trang 2 / 5" with previous and next.
pub fn pager(lang: Lang, page: u32, per_page: u32, total: u64, on_page: Callback<u32>) -> Html {
    let t = texts(lang);
    let pages = total.div_ceil(u64::from(per_page.max(1))).max(1) as u32;
    if pages <= 1 {
        return html! {};
    }
    let to = |p: u32| {
        let on_page = on_page.clone();
        Callback::from(move |_| on_page.emit(p))
    };
    html! {
        <nav class="pager" aria-label={t.pages}>
            <button class="btn" disabled={page <= 1} onclick={to(page.saturating_sub(1).max(1))}>{ t.prev_page }</button>
            <span>{ format!("{} {page} / {pages}", t.page) }</span>
            <button class="btn" disabled={page >= pages} onclick={to(page + 1)}>{ t.next_page }</button>
        </nav>
    }
}

pub fn role_label(lang: Lang, role: Role) -> &'static str {
    let t = texts(lang);
    match role {
        Role::Admin => t.role_admin,
        Role::Supervisor => t.role_supervisor,
        Role::Collector => t.role_collector,
        Role::Other => "—",
    }
}

/// Communes by name, joined; "Toàn tỉnh" for the whole province.
pub fn communes_text(lang: Lang, whole_province: bool, communes: &[Commune]) -> String {
    let ctx_names = |c: &Commune| if c.name.is_empty() { c.unit_code.clone() } else { c.name.clone() };
    if whole_province {
        return texts(lang).whole_province.to_owned();
    }
    if communes.is_empty() {
        return "—".to_owned();
    }
    communes.iter().map(ctx_names).collect::<Vec<_>>().join(", ")
}

/// The catalog's list of agencies (`forms/reference/lists.toml`): records' `organiser`
/// answer, sign-offs and a supervisor's agency in charge name its codes.
const AGENCIES: &str = "agencies";

/// Every agency of the catalog, in its order: (code, name in `lang`). Empty until the
/// catalog has loaded.
pub fn agencies(reference: Option<&ReferenceData>, lang: Lang) -> Vec<(String, String)> {
    let list = reference.and_then(|r| r.lists.get(AGENCIES));
    list.map(|l| l.entries.iter().map(|e| (e.code.clone(), e.label.get(lang).to_owned())).collect()).unwrap_or_default()
}

/// An agency's name in `lang`; its code when the catalog lacks it (not loaded yet, or an
/// older list); a dash for none.
pub fn agency_name(reference: Option<&ReferenceData>, lang: Lang, code: Option<&str>) -> String {
    let Some(code) = code else { return "—".to_owned() };
    let entry = reference.and_then(|r| r.lists.get(AGENCIES)).and_then(|l| l.get(code));
    entry.map_or_else(|| code.to_owned(), |e| e.label.get(lang).to_owned())
}

/// A time or a dash.
pub fn when(ms: Option<i64>) -> String {
    ms.map_or_else(|| "—".to_owned(), crate::dates::date_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies_are_named_from_the_catalog() {
        let catalog = forms::Catalog::bundled().unwrap();
        let reference = Some(catalog.reference());
        let all = agencies(reference, Lang::Vi);
        assert!(all.iter().any(|(code, name)| code == "so_noi_vu" && name == "Sở Nội vụ"), "{all:?}");
        assert_eq!(agency_name(reference, Lang::En, Some("so_noi_vu")), "Department of Home Affairs");
        assert_eq!(agency_name(None, Lang::Vi, Some("so_noi_vu")), "so_noi_vu", "no catalog yet: the code");
        assert_eq!(agency_name(reference, Lang::Vi, None), "—");
        assert!(agencies(None, Lang::Vi).is_empty());
    }
}
