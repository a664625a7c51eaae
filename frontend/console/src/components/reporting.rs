//! Who has reported: every commune of the caller's scope for a period, the ones with
//! nothing first (highlighted), activities by form, participants and women's share, the
//! last record and sync; the same table as an XLSX file.

use chrono::Datelike;
use serde_json::Value as Json;
use yew::prelude::*;

use crate::api::{ReportingCommune, ReportingForm};
use crate::components::{error_box, loaded, when};
use crate::dates::{self, Kind, Period};
use crate::hooks::{use_action, use_load};
use crate::i18n::{self, texts};
use crate::state::use_ctx;
use crate::web;

#[function_component(Reporting)]
pub fn reporting() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let today = dates::today(web::now_ms());
    let period = use_state(|| Period::this_month(today));
    let table = use_load(&ctx, *period, |api, p: Period| async move { api.reporting(&p.query()).await });
    let download = use_action(&ctx);

    let p = *period;
    let set = |apply: fn(&mut Period, &str)| {
        let period = period.clone();
        Callback::from(move |e: Event| {
            let mut next = *period;
            apply(&mut next, &web::value_of(&e));
            period.set(next);
        })
    };
    let on_download = {
        let download = download.clone();
        Callback::from(move |_| {
            download.run(
                move |api| async move { api.reporting_xlsx(&p.query()).await },
                move |blob| web::save_file(&blob, &p.file_name()),
            );
        })
    };
    let years: Vec<i32> = (today.year() - 4..=today.year()).rev().collect();
    html! {
        <section class="reporting">
            <h1>{ t.reporting }</h1>
            <form class="filters" onsubmit={|e: SubmitEvent| e.prevent_default()}>
                <label>{ t.period }
                    <select onchange={set(|p, v| {
                        p.kind = Kind::from_key(v);
                        p.n = if p.kind == Kind::Quarter { p.n.div_ceil(3).clamp(1, 4) } else { p.n.clamp(1, 12) };
                    })}>
                        { for Kind::ALL.iter().map(|k| html! {
                            <option value={k.key()} selected={p.kind == *k}>{ i18n::kind_label(lang, *k) }</option>
                        }) }
                    </select>
                </label>
                if p.kind == Kind::Month {
                    <label>{ t.month }
                        <select onchange={set(|p, v| p.n = v.parse().unwrap_or(1))}>
                            { for (1..=12).map(|m| html! { <option value={m.to_string()} selected={p.n == m}>{ format!("{} {m}", t.month) }</option> }) }
                        </select>
                    </label>
                }
                if p.kind == Kind::Quarter {
                    <label>{ t.quarter }
                        <select onchange={set(|p, v| p.n = v.parse().unwrap_or(1))}>
                            { for (1..=4).map(|q| html! { <option value={q.to_string()} selected={p.n == q}>{ format!("{} {q}", t.quarter) }</option> }) }
                        </select>
                    </label>
                }
                <label>{ t.year }
                    <select onchange={set(|p, v| p.year = v.parse().unwrap_or(p.year))}>
                        { for years.iter().map(|y| html! { <option value={y.to_string()} selected={p.year == *y}>{ y.to_string() }</option> }) }
                    </select>
                </label>
                <p class="range">{ p.range() }</p>
                <button type="button" class="btn" disabled={download.busy()} onclick={on_download}>
                    { if download.busy() { t.downloading } else { t.download_xlsx } }
                </button>
            </form>
            if let Some(e) = download.error() { { error_box(lang, &e, None) } }
            { loaded(lang, &table.load, &table.reload, |r| {
                if r.communes.is_empty() {
                    return html! { <p class="empty">{ t.reporting_empty }</p> };
                }
                let silent = r.communes.iter().filter(|c| c.activities == 0).count();
                html! {
                    <>
                        <p class={classes!("count", (silent > 0).then_some("bad-text"))}>{ i18n::n_silent_communes(lang, silent, r.communes.len()) }</p>
                        <div class="table-scroll">
                            <table class="list reporting-table">
                                <thead><tr>
                                    <th scope="col">{ t.commune }</th>
                                    <th scope="col" class="num">{ t.activities }</th>
                                    <th scope="col" class="num">{ t.participants }</th>
                                    <th scope="col" class="num">{ t.women_share }</th>
                                    { for r.forms.iter().map(|f| html! { <th scope="col" class="num">{ f.title.get(lang).to_owned() }</th> }) }
                                    <th scope="col">{ t.last_record }</th>
                                    <th scope="col">{ t.last_sync }</th>
                                    <th scope="col">{ t.users }</th>
                                </tr></thead>
                                <tbody>{ for r.communes.iter().map(|c| row(lang, &r.forms, c)) }</tbody>
                            </table>
                        </div>
                    </>
                }
            }) }
        </section>
    }
}

fn row(lang: forms::Lang, forms: &[ReportingForm], c: &ReportingCommune) -> Html {
    let t = texts(lang);
    let nothing = c.activities == 0;
    let share = if c.participants == 0 {
        "—".to_owned()
    } else {
        format!("{:.0} %", c.female as f64 * 100.0 / c.participants as f64)
    };
    html! {
        <tr class={classes!(nothing.then_some("nothing"))}>
            <th scope="row" data-label={t.commune}>
                { if c.name.is_empty() { c.unit_code.clone() } else { c.name.clone() } }
                if nothing { <br /><span class="badge bad">{ t.nothing_reported }</span> }
            </th>
            <td data-label={t.activities} class="num">{ c.activities }</td>
            <td data-label={t.participants} class="num">{ c.participants }</td>
            <td data-label={t.women_share} class="num">{ share }</td>
            { for forms.iter().map(|f| {
                let n = c.by_form.iter().find(|b| b.form_id == f.id).map_or(0, |b| b.activities);
                html! { <td data-label={f.title.get(lang).to_owned()} class="num">{ n }</td> }
            }) }
            <td data-label={t.last_record}>{ c.last_activity_date.as_deref().map_or_else(|| "—".to_owned(), dates::iso_to_vi) }</td>
            <td data-label={t.last_sync}>{ when(c.last_sync_at) }</td>
            <td data-label={t.users}>{ users(&c.users) }</td>
        </tr>
    }
}

/// A count, or each user with their last sync.
fn users(v: &Json) -> Html {
    match v {
        Json::Array(list) => html! {
            <ul class="plain">{ for list.iter().map(|u| {
                let name = u["display_name"].as_str().or(u["username"].as_str()).unwrap_or_default().to_owned();
                let at = dates::millis(&u["last_sync_at"]);
                html! { <li>{ format!("{name}: {}", when(at)) }</li> }
            }) }</ul>
        },
        Json::Number(n) => html! { { n.to_string() } },
        _ => html! { "—" },
    }
}
