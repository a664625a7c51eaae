//! Enrolment: a single-use link for one collector or for every collector of a commune, the
//! printable sheet of what was issued, and the unused codes (revocable).

use yew::prelude::*;

use crate::api::{Commune, Enrollment, PendingEnrollment};
use crate::components::commune_picker::CommunePicker;
use crate::components::print_sheet::PrintSheet;
use crate::components::{communes_text, error_box, loaded, pager, when};
use crate::hooks::{use_action, use_load, Load};
use crate::i18n::{self, texts};
use crate::query;
use crate::state::use_ctx;
use crate::web;

const PER_PAGE: u32 = 50;
const DAYS: [u32; 5] = [1, 3, 7, 14, 30];

#[function_component(Enrolment)]
pub fn enrolment() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let days = use_state(|| 7u32);
    let user = use_state(String::new);
    let commune = use_state(Vec::<Commune>::new);
    let issued = use_state(|| None::<Vec<Enrollment>>);
    let page = use_state(|| 1u32);
    let act = use_action(&ctx);
    // The collectors to choose from: the first 50 by user name, or those matching what is typed.
    let user_q = use_state(String::new);
    let collectors = use_load(&ctx, (*user_q).clone(), |api, q: String| async move {
        api.users(&query::build(&[("role", "collector"), ("status", "active"), ("q", &q), ("per_page", "50")])).await
    });
    let pending = use_load(&ctx, *page, |api, page: u32| async move {
        api.enrollments(&query::build(&[("page", &page.to_string()), ("per_page", &PER_PAGE.to_string())])).await
    });

    let ttl = *days * 24 * 60;
    let for_user = {
        let (act, user, issued, reload) = (act.clone(), user.clone(), issued.clone(), pending.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = (*user).clone();
            if name.is_empty() {
                return;
            }
            let (issued, reload) = (issued.clone(), reload.clone());
            act.run(
                move |api| async move { api.enroll_user(&name, ttl).await },
                move |e| {
                    issued.set(Some(vec![e]));
                    reload.emit(());
                },
            );
        })
    };
    let for_commune = {
        let (act, commune, issued, reload) = (act.clone(), commune.clone(), issued.clone(), pending.reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(c) = commune.first().cloned() else { return };
            let (issued, reload) = (issued.clone(), reload.clone());
            act.run(
                move |api| async move { api.enroll_commune(&c, ttl).await },
                move |items| {
                    issued.set(Some(items));
                    reload.emit(());
                },
            );
        })
    };
    let revoke = |e: &PendingEnrollment| {
        let (act, reload, id, who) = (act.clone(), pending.reload.clone(), e.id.clone(), e.username.clone());
        Callback::from(move |_| {
            if !web::confirm(&i18n::confirm_revoke(lang, &who)) {
                return;
            }
            let (id, reload) = (id.clone(), reload.clone());
            act.run(move |api| async move { api.revoke_enrollment(&id).await }, move |_| reload.emit(()));
        })
    };
    let on_page = {
        let page = page.clone();
        Callback::from(move |p| page.set(p))
    };
    let (user_options, more): (Vec<(String, String)>, bool) = match &collectors.load {
        Load::Ready(p) => (
            p.items.iter().map(|u| (u.username.clone(), format!("{} ({})", u.display_name, u.username))).collect(),
            p.total > p.items.len() as u64,
        ),
        _ => (Vec::new(), false),
    };
    html! {
        <section class="enrolment">
            <div class="no-print">
                <h1>{ t.enrolment }</h1>
                <p>{ t.enrolment_intro }</p>
                <label class="inline">{ t.valid_for }
                    <select onchange={let days = days.clone(); move |e: Event| days.set(web::value_of(&e).parse().unwrap_or(7))}>
                        { for DAYS.iter().map(|d| html! {
                            <option value={d.to_string()} selected={*d == *days}>{ i18n::n_days(lang, *d) }</option>
                        }) }
                    </select>
                </label>
                <div class="two">
                    <form class="card" onsubmit={for_user}>
                        <h2>{ t.link_for_user }</h2>
                        <label for="e-user-q">{ t.find_collector }</label>
                        <input id="e-user-q" type="search" autocomplete="off" placeholder={t.search_users_hint} value={(*user_q).clone()}
                            oninput={let (q, user) = (user_q.clone(), user.clone()); move |e: InputEvent| {
                                // A choice from the earlier list is not kept: the list changes.
                                user.set(String::new());
                                q.set(web::value_of(&e));
                            }} />
                        <label for="e-user">{ t.collector }</label>
                        <select id="e-user" onchange={let user = user.clone(); move |e: Event| user.set(web::value_of(&e))}>
                            <option value="" selected={user.is_empty()}>{ t.choose }</option>
                            { for user_options.into_iter().map(|(name, label)| html! {
                                <option value={name.clone()} selected={*user == name}>{ label }</option>
                            }) }
                        </select>
                        if more { <p class="hint">{ t.more_collectors }</p> }
                        <button class="btn primary" type="submit" disabled={act.busy() || user.is_empty()}>{ t.issue_link }</button>
                    </form>
                    <form class="card" onsubmit={for_commune}>
                        <h2>{ t.links_for_commune }</h2>
                        <CommunePicker id="e-commune" label={t.commune} multiple=false selected={(*commune).clone()}
                            onchange={let commune = commune.clone(); move |c| commune.set(c)} />
                        <button class="btn primary" type="submit" disabled={act.busy() || commune.is_empty()}>{ t.issue_links }</button>
                    </form>
                </div>
                if let Some(e) = act.error() { { error_box(lang, &e, None) } }
            </div>
            if let Some(items) = (*issued).clone().filter(|i| !i.is_empty()) {
                <div class="no-print title-row">
                    <h2>{ i18n::n_issued(lang, items.len()) }</h2>
                    <button class="btn primary" onclick={|_| web::print()}>{ t.print_sheet }</button>
                </div>
                <PrintSheet items={items} lang={lang} />
            } else if issued.is_some() {
                <p class="empty no-print" role="status">{ t.no_collectors_in_commune }</p>
            }
            <div class="no-print">
                <h2>{ t.unused_codes }</h2>
                { loaded(lang, &pending.load, &pending.reload, |p| if p.items.is_empty() {
                    html! { <p class="empty">{ t.unused_empty }</p> }
                } else {
                    html! {
                        <>
                            <table class="list">
                                <thead><tr>
                                    <th scope="col">{ t.user }</th><th scope="col">{ t.communes }</th>
                                    <th scope="col">{ t.issued_at }</th><th scope="col">{ t.expires }</th>
                                    <th scope="col"><span class="sr">{ t.actions }</span></th>
                                </tr></thead>
                                <tbody>{ for p.items.iter().map(|e| html! {
                                    <tr>
                                        <td data-label={t.user}><span><strong>{ e.display_name.clone() }</strong>{ format!(" ({})", e.username) }</span></td>
                                        <td data-label={t.communes}>{ communes_text(lang, false, &e.communes) }</td>
                                        <td data-label={t.issued_at}>{ when(e.created_at) }</td>
                                        <td data-label={t.expires}>{ when(e.expires_at) }</td>
                                        <td class="actions"><button class="btn small danger" disabled={act.busy()} onclick={revoke(e)}>{ t.revoke }</button></td>
                                    </tr>
                                }) }</tbody>
                            </table>
                            { pager(lang, *page, PER_PAGE, p.total, on_page.clone()) }
                        </>
                    }
                }) }
            </div>
        </section>
    }
}
