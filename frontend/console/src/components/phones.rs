//! Phones: every device that has signed in, stalest first, with what it last reported;
//! the ones silent for more than N days flagged; one device signed out on request.

use yew::prelude::*;

use crate::api::{Commune, Device};
use crate::components::commune_picker::CommunePicker;
use crate::components::{communes_text, error_box, loaded, pager, when};
use crate::hooks::{use_action, use_load};
use crate::i18n::{self, texts};
use crate::query;
use crate::state::{use_ctx, Action};
use crate::web;

const PER_PAGE: u32 = 50;

#[derive(Clone, PartialEq)]
struct Filters {
    stale_days: u32,
    commune: Vec<Commune>,
    q: String,
    page: u32,
}

impl Filters {
    fn query(&self) -> String {
        let commune = self.commune.first().map(|c| c.unit_code.clone()).unwrap_or_default();
        query::build(&[
            ("stale_days", &self.stale_days.to_string()),
            ("commune", &commune),
            ("q", &self.q),
            ("page", &self.page.to_string()),
            ("per_page", &PER_PAGE.to_string()),
        ])
    }
}

#[function_component(Phones)]
pub fn phones() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let filters = use_state(|| Filters { stale_days: 7, commune: Vec::new(), q: String::new(), page: 1 });
    let typed_days = use_state(|| "7".to_owned());
    let typed_q = use_state(String::new);
    let list = use_load(&ctx, (*filters).clone(), |api, f: Filters| async move { api.devices(&f.query()).await });
    let act = use_action(&ctx);

    let apply = {
        let (filters, typed_days, typed_q) = (filters.clone(), typed_days.clone(), typed_q.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let stale_days = typed_days.trim().parse().unwrap_or(7).clamp(1, 365);
            filters.set(Filters { stale_days, q: (*typed_q).clone(), page: 1, ..(*filters).clone() });
        })
    };
    let on_commune = {
        let filters = filters.clone();
        Callback::from(move |commune| filters.set(Filters { commune, page: 1, ..(*filters).clone() }))
    };
    let on_page = {
        let filters = filters.clone();
        Callback::from(move |page| filters.set(Filters { page, ..(*filters).clone() }))
    };
    let sign_out = |d: &Device| {
        let (act, ctx, reload) = (act.clone(), ctx.clone(), list.reload.clone());
        let (user, device) = (d.username.clone(), d.device_id.clone());
        Callback::from(move |_| {
            if !web::confirm(&i18n::confirm_device_sign_out(lang, &user)) {
                return;
            }
            let (ctx, reload, user, device) = (ctx.clone(), reload.clone(), user.clone(), device.clone());
            let msg = i18n::device_signed_out(lang, &user);
            act.run(
                move |api| async move { api.sign_out_device(&user, &device).await },
                move |_| {
                    ctx.dispatch(Action::Flash(Some(msg)));
                    reload.emit(());
                },
            );
        })
    };
    let number = |n: Option<u64>| n.map_or_else(|| t.not_reported.to_owned(), |n| n.to_string());
    let row = |d: &Device| {
        let silent = d.stale.then(|| i18n::silent_days(lang, d.silent_days));
        html! {
            <tr class={classes!(d.stale.then_some("stale"))}>
                <td data-label={t.user}><div><strong>{ d.display_name.clone() }</strong><br />{ d.username.clone() }</div></td>
                <td data-label={t.commune}>{ communes_text(lang, false, &d.communes) }</td>
                <td data-label={t.device}><div><code title={d.device_id.clone()}>{ short(&d.device_id) }</code>
                    <br />{ d.app_version.clone().unwrap_or_else(|| "—".into()) }</div></td>
                <td data-label={t.first_seen}><div>{ when(d.first_sync_at) }
                    <br /><small>{ format!("{} {}", t.signed_in_on, when(d.first_seen_at)) }</small></div></td>
                <td data-label={t.last_push}>{ when(d.last_push_at) }</td>
                <td data-label={t.last_pull}>{ when(d.last_pull_at) }</td>
                <td data-label={t.pending} class="num">{ number(d.pending) }</td>
                <td data-label={t.refused} class={classes!("num", d.refused.is_some_and(|n| n > 0).then_some("bad-text"))}>{ number(d.refused) }</td>
                <td data-label={t.status}><div>
                    if let Some(s) = silent { <span class="badge bad">{ s }</span> }
                    else { <span class="badge ok">{ t.in_touch }</span> }
                    if !d.signed_in { <br /><span class="badge">{ t.signed_out_badge }</span> }
                </div></td>
                <td class="actions">
                    if d.signed_in {
                        <button class="btn small danger" disabled={act.busy()} onclick={sign_out(d)}>{ t.sign_out_device }</button>
                    }
                </td>
            </tr>
        }
    };
    let f = (*filters).clone();
    html! {
        <section class="phones">
            <h1>{ t.phones }</h1>
            <form class="filters" onsubmit={apply}>
                <label>{ t.silent_over }
                    <input type="number" inputmode="numeric" min="1" max="365" class="days" value={(*typed_days).clone()}
                        oninput={let d = typed_days.clone(); move |e: InputEvent| d.set(web::value_of(&e))} />
                </label>
                <div class="filter-commune">
                    <CommunePicker id="p-commune" label={t.commune} multiple=false selected={f.commune.clone()} onchange={on_commune} />
                </div>
                <label class="grow">{ t.search }
                    <input type="search" placeholder={t.search_users_hint} value={(*typed_q).clone()}
                        oninput={let q = typed_q.clone(); move |e: InputEvent| q.set(web::value_of(&e))} />
                </label>
                <button class="btn" type="submit">{ t.filter }</button>
            </form>
            if let Some(e) = act.error() { { error_box(lang, &e, None) } }
            { loaded(lang, &list.load, &list.reload, |page| if page.items.is_empty() {
                html! { <p class="empty">{ t.phones_empty }</p> }
            } else {
                let stale = page.stale_total.unwrap_or_else(|| page.items.iter().filter(|d| d.stale).count() as u64);
                html! {
                    <>
                        <p class="count">{ i18n::n_phones(lang, page.total, stale, f.stale_days) }</p>
                        <table class="list">
                            <thead><tr>
                                <th scope="col">{ t.user }</th><th scope="col">{ t.commune }</th>
                                <th scope="col">{ t.device }</th><th scope="col">{ t.first_seen }</th>
                                <th scope="col">{ t.last_push }</th><th scope="col">{ t.last_pull }</th>
                                <th scope="col">{ t.pending }</th><th scope="col">{ t.refused }</th>
                                <th scope="col">{ t.status }</th><th scope="col"><span class="sr">{ t.actions }</span></th>
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

/// The end of a long device id: enough to tell two phones apart.
fn short(id: &str) -> String {
    let n = id.chars().count();
    if n <= 14 {
        id.to_owned()
    } else {
        format!("…{}", id.chars().skip(n - 12).collect::<String>())
    }
}
