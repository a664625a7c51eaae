//! Users: the list the caller manages, filtered and paged, with the agency a supervisor is
//! in charge of; disable and enable with a confirmation; a new password shown once.
//! Supervisors see only collectors (who hold no agency, so no such column).

use yew::prelude::*;

use crate::api::{NewPassword, Role, UserRow};
use crate::components::commune_picker::CommunePicker;
use crate::components::{agency_name, communes_text, error_box, loaded, pager, role_label, when, Link};
use crate::hooks::{use_action, use_load};
use crate::i18n::{self, texts};
use crate::query;
use crate::route::Route;
use crate::state::use_ctx;
use crate::web;

const PER_PAGE: u32 = 50;

#[derive(Clone, Default, PartialEq)]
struct Filters {
    role: String,
    commune: Option<String>,
    status: String,
    q: String,
    page: u32,
}

impl Filters {
    fn query(&self) -> String {
        let page = self.page.max(1).to_string();
        let per_page = PER_PAGE.to_string();
        let commune = self.commune.clone().unwrap_or_default();
        query::build(&[
            ("role", &self.role),
            ("commune", &commune),
            ("status", &self.status),
            ("q", &self.q),
            ("page", &page),
            ("per_page", &per_page),
        ])
    }
}

#[function_component(Users)]
pub fn users() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let is_admin = ctx.me().is_some_and(|m| m.role == Role::Admin);
    let filters = use_state(|| Filters { page: 1, ..Filters::default() });
    let typed = use_state(String::new);
    let list = use_load(&ctx, (*filters).clone(), |api, f: Filters| async move { api.users(&f.query()).await });
    let act = use_action(&ctx);
    let password = use_state(|| None::<NewPassword>);

    let set = |apply: fn(&mut Filters, String)| {
        let filters = filters.clone();
        Callback::from(move |e: Event| {
            let mut f = (*filters).clone();
            apply(&mut f, web::value_of(&e));
            f.page = 1;
            filters.set(f);
        })
    };
    let on_commune = {
        let filters = filters.clone();
        Callback::from(move |picked: Vec<crate::api::Commune>| {
            let mut f = (*filters).clone();
            f.commune = picked.first().map(|c| c.unit_code.clone());
            f.page = 1;
            filters.set(f);
        })
    };
    let on_search = {
        let (filters, typed) = (filters.clone(), typed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            filters.set(Filters { q: (*typed).clone(), page: 1, ..(*filters).clone() });
        })
    };
    let on_page = {
        let filters = filters.clone();
        Callback::from(move |page| filters.set(Filters { page, ..(*filters).clone() }))
    };
    let toggle = |u: &UserRow| {
        let (act, reload, name, disable) = (act.clone(), list.reload.clone(), u.username.clone(), !u.disabled);
        Callback::from(move |_| {
            let question = if disable { i18n::confirm_disable(lang, &name) } else { i18n::confirm_enable(lang, &name) };
            if !web::confirm(&question) {
                return;
            }
            let (reload, name) = (reload.clone(), name.clone());
            act.run(move |api| async move { api.set_disabled(&name, disable).await }, move |_| reload.emit(()));
        })
    };
    let reset = |u: &UserRow| {
        let (act, password, name) = (act.clone(), password.clone(), u.username.clone());
        Callback::from(move |_| {
            if !web::confirm(&i18n::confirm_reset(lang, &name)) {
                return;
            }
            let (password, name) = (password.clone(), name.clone());
            act.run(move |api| async move { api.reset_password(&name).await }, move |p| password.set(Some(p)));
        })
    };
    let reference = ctx.catalog.as_deref().map(|b| &b.reference);
    let row = |u: &UserRow| {
        let status = if u.disabled { t.disabled } else { t.active };
        html! {
            <tr class={classes!(u.disabled.then_some("muted-row"))}>
                <td data-label={t.username}><strong>{ u.username.clone() }</strong></td>
                <td data-label={t.display_name}>{ u.display_name.clone() }</td>
                <td data-label={t.role}>{ role_label(lang, u.role) }</td>
                <td data-label={t.communes}>{ communes_text(lang, u.whole_province, &u.communes) }</td>
                if is_admin {
                    <td data-label={t.agency_in_charge}>{ agency_name(reference, lang, u.agency.as_deref()) }</td>
                }
                <td data-label={t.status}><span class={classes!("badge", if u.disabled { "bad" } else { "ok" })}>{ status }</span></td>
                <td data-label={t.last_seen}>{ when(u.last_seen_at) }</td>
                <td data-label={t.phones}>{ u.devices }</td>
                <td class="actions">
                    <Link route={Route::User(u.username.clone())} class="btn small">{ t.edit }</Link>
                    <button class="btn small" disabled={act.busy()} onclick={toggle(u)}>
                        { if u.disabled { t.enable } else { t.disable } }
                    </button>
                    <button class="btn small" disabled={act.busy()} onclick={reset(u)}>{ t.reset_password }</button>
                </td>
            </tr>
        }
    };
    let f = (*filters).clone();
    html! {
        <section class="users">
            <div class="title-row">
                <h1>{ t.users }</h1>
                <Link route={Route::NewUser} class="btn primary">{ t.new_user }</Link>
            </div>
            <form class="filters" onsubmit={on_search} role="search">
                if is_admin {
                    <label>{ t.role }
                        <select onchange={set(|f, v| f.role = v)}>
                            <option value="" selected={f.role.is_empty()}>{ t.all }</option>
                            { for [Role::Collector, Role::Supervisor, Role::Admin].into_iter().map(|r| html! {
                                <option value={r.as_str()} selected={f.role == r.as_str()}>{ role_label(lang, r) }</option>
                            }) }
                        </select>
                    </label>
                }
                <label>{ t.status }
                    <select onchange={set(|f, v| f.status = v)}>
                        <option value="" selected={f.status.is_empty()}>{ t.all }</option>
                        <option value="active" selected={f.status == "active"}>{ t.active }</option>
                        <option value="disabled" selected={f.status == "disabled"}>{ t.disabled }</option>
                    </select>
                </label>
                <div class="filter-commune">
                    <CommunePicker id="users-commune" label={t.commune} multiple=false
                        selected={f.commune.iter().map(|c| crate::api::Commune { unit_list: crate::communes::UNITS_2025.into(), unit_code: c.clone(), name: String::new() }).collect::<Vec<_>>()}
                        onchange={on_commune} />
                </div>
                <label class="grow">{ t.search }
                    <input type="search" placeholder={t.search_users_hint} value={(*typed).clone()}
                        oninput={let typed = typed.clone(); move |e: InputEvent| typed.set(web::value_of(&e))} />
                </label>
                <button class="btn" type="submit">{ t.filter }</button>
            </form>
            if let Some(e) = act.error() { { error_box(lang, &e, None) } }
            if let Some(p) = &*password {
                <div class="card secret" role="status">
                    <p>{ i18n::new_password_for(lang, &p.username) }</p>
                    <p class="password"><code>{ p.password.clone() }</code></p>
                    <p>{ t.password_once }</p>
                    <button class="btn" onclick={let password = password.clone(); move |_| password.set(None)}>{ t.done }</button>
                </div>
            }
            { loaded(lang, &list.load, &list.reload, |page| if page.items.is_empty() {
                html! { <p class="empty">{ t.users_empty }</p> }
            } else {
                html! {
                    <>
                        <p class="count">{ i18n::n_users(lang, page.total) }</p>
                        <table class="list">
                            <thead><tr>
                                <th scope="col">{ t.username }</th><th scope="col">{ t.display_name }</th>
                                <th scope="col">{ t.role }</th><th scope="col">{ t.communes }</th>
                                if is_admin { <th scope="col">{ t.agency_in_charge }</th> }
                                <th scope="col">{ t.status }</th><th scope="col">{ t.last_seen }</th>
                                <th scope="col">{ t.phones }</th><th scope="col"><span class="sr">{ t.actions }</span></th>
                            </tr></thead>
                            <tbody>{ for page.items.iter().map(row) }</tbody>
                        </table>
                        { pager(lang, f.page, PER_PAGE, page.total, on_page.clone()) }
                    </>
                }
            }) }
        </section>
    }
}
