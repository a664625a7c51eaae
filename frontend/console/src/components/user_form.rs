//! Create a user, or edit one's name, role and scope, and for a supervisor the agency they
//! are the officer in charge of (from the catalog's agencies). A supervisor may only make
//! collectors, inside their own communes (the server checks this too).

use yew::prelude::*;

use crate::api::{Commune, NewUser, Page, Role, UserPatch, UserRow};
use crate::components::commune_picker::CommunePicker;
use crate::components::{agencies, agency_name, error_box, loaded, role_label, Link};
use crate::hooks::{go, use_action, use_load};
use crate::i18n::{self, texts};
use crate::query;
use crate::route::Route;
use crate::state::{use_ctx, Action};
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// `None`: a new user.
    pub username: Option<AttrValue>,
}

#[derive(Clone, PartialEq)]
struct Draft {
    username: String,
    display_name: String,
    role: Role,
    password: String,
    whole_province: bool,
    communes: Vec<Commune>,
    /// An agency code; empty for none.
    agency: String,
    tester: bool,
}

impl Draft {
    fn of(u: &UserRow) -> Draft {
        Draft {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            password: String::new(),
            whole_province: u.whole_province,
            communes: u.communes.clone(),
            agency: u.agency.clone().unwrap_or_default(),
            tester: u.tester,
        }
    }
}

#[function_component(UserForm)]
pub fn user_form(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    // Editing: the user as the list has them (there is no single-user read).
    let wanted = p.username.as_ref().map(|u| u.to_string());
    let found = use_load(&ctx, wanted.clone(), |api, name: Option<String>| async move {
        match name {
            Some(n) => api.users(&query::build(&[("q", &n), ("per_page", "200")])).await,
            None => Ok(Page { items: Vec::new(), total: 0, page: 1, per_page: 1 }),
        }
    });
    let Some(name) = wanted else {
        return html! { <Editor existing={None::<UserRowProp>} /> };
    };
    loaded(lang, &found.load, &found.reload, |page| match page.items.iter().find(|u| u.username == name) {
        Some(u) => html! { <Editor existing={Some(UserRowProp(u.clone()))} /> },
        None => html! {
            <section>
                <p class="empty">{ t.user_not_found }</p>
                <Link route={Route::Users} class="btn">{ t.back_to_users }</Link>
            </section>
        },
    })
}

#[derive(Clone, PartialEq)]
struct UserRowProp(UserRow);

#[derive(Properties, PartialEq)]
struct EditorProps {
    existing: Option<UserRowProp>,
}

#[function_component(Editor)]
fn editor(p: &EditorProps) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let is_admin = ctx.me().is_some_and(|m| m.role == Role::Admin);
    let editing = p.existing.is_some();
    let draft = use_state(|| match &p.existing {
        Some(u) => Draft::of(&u.0),
        None => Draft {
            username: String::new(),
            display_name: String::new(),
            role: Role::Collector,
            password: String::new(),
            whole_province: false,
            communes: Vec::new(),
            agency: String::new(),
            tester: false,
        },
    });
    let act = use_action(&ctx);
    let problem = use_state(|| None::<&'static str>);
    let edit = |apply: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let mut d = (*draft).clone();
            apply(&mut d, web::value_of(&e));
            draft.set(d);
        })
    };
    let on_communes = {
        let draft = draft.clone();
        Callback::from(move |communes| draft.set(Draft { communes, ..(*draft).clone() }))
    };
    let on_whole = {
        let draft = draft.clone();
        Callback::from(move |e: Event| draft.set(Draft { whole_province: web::checked_of(&e), ..(*draft).clone() }))
    };
    let on_tester = {
        let draft = draft.clone();
        Callback::from(move |e: Event| draft.set(Draft { tester: web::checked_of(&e), ..(*draft).clone() }))
    };
    let onsubmit = {
        let (ctx, draft, act, problem) = (ctx.clone(), draft.clone(), act.clone(), problem.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let d = (*draft).clone();
            let whole = d.whole_province && d.role != Role::Collector;
            if d.username.trim().is_empty() || d.display_name.trim().is_empty() {
                problem.set(Some(texts(ctx.lang).need_name));
                return;
            }
            if d.role != Role::Admin && !whole && d.communes.is_empty() {
                problem.set(Some(texts(ctx.lang).need_commune));
                return;
            }
            problem.set(None);
            let communes = if whole || d.role == Role::Admin { Vec::new() } else { d.communes.clone() };
            // Only a supervisor holds an agency: any other role sends none, which also takes
            // one away from a supervisor given another role.
            let agency = Some(d.agency.clone()).filter(|a| d.role == Role::Supervisor && !a.is_empty());
            let ctx = ctx.clone();
            let name = d.username.trim().to_lowercase();
            let done_name = name.clone();
            let done = move |_| {
                let msg = if editing {
                    i18n::user_saved(ctx.lang, &done_name)
                } else {
                    i18n::user_created(ctx.lang, &done_name)
                };
                go(&ctx, Route::Users);
                ctx.dispatch(Action::Flash(Some(msg)));
            };
            if editing {
                let patch = UserPatch {
                    display_name: d.display_name.trim().to_owned(),
                    role: d.role,
                    whole_province: whole,
                    communes,
                    agency,
                    tester: is_admin.then_some(d.tester),
                };
                act.run(move |api| async move { api.update_user(&name, &patch).await }, done);
            } else {
                let password = Some(d.password.clone()).filter(|p| !p.is_empty());
                let user = NewUser {
                    username: name,
                    display_name: d.display_name.trim().to_owned(),
                    role: d.role,
                    password,
                    whole_province: whole,
                    communes,
                    agency,
                };
                act.run(move |api| async move { api.create_user(&user).await }, done);
            }
        })
    };
    let roles: &[Role] = if is_admin { &[Role::Collector, Role::Supervisor, Role::Admin] } else { &[Role::Collector] };
    let d = (*draft).clone();
    let reference = ctx.catalog.as_deref().map(|b| &b.reference);
    let mut choices = agencies(reference, lang);
    // A code the catalog no longer lists stays visible rather than silently dropped.
    if !d.agency.is_empty() && !choices.iter().any(|(code, _)| *code == d.agency) {
        choices.push((d.agency.clone(), agency_name(reference, lang, Some(&d.agency))));
    }
    html! {
        <form class="card user-form" {onsubmit}>
            <h1>{ if editing { t.edit_user } else { t.new_user } }</h1>
            <label for="u-username">{ t.username }</label>
            <input id="u-username" autocomplete="off" autocapitalize="none" spellcheck="false" required=true
                readonly={editing} value={d.username.clone()} onchange={edit(|d, v| d.username = v)} />
            if !editing { <p class="hint">{ t.username_hint }</p> }
            <label for="u-name">{ t.display_name }</label>
            <input id="u-name" required=true value={d.display_name.clone()} onchange={edit(|d, v| d.display_name = v)} />
            <label for="u-role">{ t.role }</label>
            <select id="u-role" onchange={edit(|d, v| d.role = serde_json::from_value(v.into()).unwrap_or(Role::Collector))}>
                { for roles.iter().map(|r| html! {
                    <option value={r.as_str()} selected={d.role == *r}>{ role_label(lang, *r) }</option>
                }) }
            </select>
            if !is_admin { <p class="hint">{ t.supervisor_makes_collectors }</p> }
            if !editing {
                <label for="u-password">{ t.password_optional }</label>
                <input id="u-password" type="password" autocomplete="new-password" value={d.password.clone()}
                    onchange={edit(|d, v| d.password = v)} />
                <p class="hint">{ t.password_hint }</p>
            }
            if d.role == Role::Supervisor {
                <label class="check">
                    <input type="checkbox" checked={d.whole_province} onchange={on_whole} />
                    { t.whole_province }
                </label>
            }
            if d.role == Role::Supervisor && is_admin {
                <label for="u-agency">{ t.agency_in_charge }</label>
                <select id="u-agency" aria-describedby="u-agency-hint" onchange={edit(|d, v| d.agency = v)}>
                    <option value="" selected={d.agency.is_empty()}>{ t.no_agency }</option>
                    { for choices.iter().map(|(code, name)| html! {
                        <option value={code.clone()} selected={d.agency == *code}>{ name.clone() }</option>
                    }) }
                </select>
                <p class="hint" id="u-agency-hint">{ t.agency_hint }</p>
            }
            if editing && is_admin && d.role != Role::Admin {
                <label class="check">
                    <input type="checkbox" checked={d.tester} onchange={on_tester} />
                    { t.tester }
                </label>
                <p class="hint">{ t.tester_hint }</p>
            }
            if d.role == Role::Admin {
                <p class="hint">{ t.admin_whole_province }</p>
            } else if !(d.role == Role::Supervisor && d.whole_province) {
                <CommunePicker id="u-communes" label={t.communes} selected={d.communes.clone()} onchange={on_communes} />
            }
            if let Some(msg) = *problem { <p class="error" role="alert">{ msg }</p> }
            if let Some(e) = act.error() { { error_box(lang, &e, None) } }
            <div class="actions">
                <button class="btn primary" type="submit" disabled={act.busy()}>{ if editing { t.save } else { t.create } }</button>
                <Link route={Route::Users} class="btn">{ t.cancel }</Link>
            </div>
        </form>
    }
}
