//! Sign-off (plan section V): for a period — the reporting year (01/01–30/11) or the
//! Action Month (15/11–15/12) of a year — every commune in scope, and for admins and
//! province-wide supervisors every agency (for an agency's officer in charge, theirs), with
//! where it stands, the counts behind it, who signed it off and when, and the action (sign
//! off, or reopen with a reason). Below, the sign-offs of the period that were reopened, and
//! why.

use chrono::Datelike;
use forms::Lang;
use yew::prelude::*;

use crate::api::{ClosedPeriod, SignOff as SignOffEntry, SignOffRow, SignOffScreen, Standing};
use crate::components::sign_off_table::SignOffTable;
use crate::components::{loaded, when};
use crate::dates;
use crate::hooks::use_load;
use crate::i18n::texts;
use crate::state::{use_ctx, Action};
use crate::web;

/// The period and year the screen shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Asked {
    period: ClosedPeriod,
    year: i32,
}

/// The reporting year whose sign-off is due: this year's (it runs 01/01–30/11 and is signed
/// off from 30/11, so this year's is the one in progress or the one just ended). Like "who
/// has reported", the screen opens on the current period; earlier years are in the list.
pub fn default_year(today: chrono::NaiveDate) -> i32 {
    today.year()
}

#[function_component(SignOff)]
pub fn sign_off() -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let today = dates::today(web::now_ms());
    let asked = use_state(|| Asked { period: ClosedPeriod::ReportingYear, year: default_year(today) });
    let screen = use_load(&ctx, *asked, |api, a: Asked| async move { api.sign_offs(a.period, a.year).await });

    let a = *asked;
    let on_period = {
        let asked = asked.clone();
        Callback::from(move |e: Event| {
            asked.set(Asked {
                period: ClosedPeriod::parse(&web::value_of(&e)).unwrap_or(ClosedPeriod::ReportingYear),
                ..*asked
            });
        })
    };
    let on_year = {
        let asked = asked.clone();
        Callback::from(move |e: Event| {
            let year = web::value_of(&e).parse().unwrap_or(asked.year);
            asked.set(Asked { year, ..*asked });
        })
    };
    // After an action: the message at the top (where the flash is drawn), the screen read again.
    let on_done = {
        let (ctx, reload) = (ctx.clone(), screen.reload.clone());
        Callback::from(move |message: String| {
            ctx.dispatch(Action::Flash(Some(message)));
            web::scroll_top();
            reload.emit(());
        })
    };
    let last = default_year(today);
    let years: Vec<i32> = (last - 4..=last).rev().collect();
    html! {
        <section class="sign-off">
            <h1>{ t.sign_off }</h1>
            <p class="hint">{ t.sign_off_intro }</p>
            <form class="filters" onsubmit={|e: SubmitEvent| e.prevent_default()}>
                <label>{ t.period }
                    <select onchange={on_period}>
                        { for ClosedPeriod::ALL.iter().map(|p| html! {
                            <option value={p.as_str()} selected={a.period == *p}>{ period_label(lang, *p) }</option>
                        }) }
                    </select>
                </label>
                <label>{ t.year }
                    <select onchange={on_year}>
                        { for years.iter().map(|y| html! { <option value={y.to_string()} selected={a.year == *y}>{ y.to_string() }</option> }) }
                    </select>
                </label>
            </form>
            { loaded(lang, &screen.load, &screen.reload, |s| body(lang, a, s, &on_done)) }
        </section>
    }
}

fn body(lang: Lang, a: Asked, s: &SignOffScreen, on_done: &Callback<String>) -> Html {
    let t = texts(lang);
    let label = s.period.label.get(lang).to_owned();
    html! {
        <>
            <p class="range">{ label.clone() }</p>
            <h2>{ t.by_commune }</h2>
            if s.communes.is_empty() {
                <p class="empty">{ t.reporting_empty }</p>
            } else {
                <p class="count">{ summary(lang, &s.communes) }</p>
                <SignOffTable rows={s.communes.clone()} period={a.period} year={a.year}
                    period_label={label.clone()} on_done={on_done.clone()} />
            }
            if !s.agencies.is_empty() {
                <h2>{ t.by_agency }</h2>
                <p class="hint">{ t.agencies_note }</p>
                <SignOffTable rows={s.agencies.clone()} period={a.period} year={a.year}
                    period_label={label} on_done={on_done.clone()} />
            }
            <h2>{ t.reopened_title }</h2>
            if s.reopened.is_empty() {
                <p class="empty">{ t.reopened_empty }</p>
            } else {
                <ul class="plain reopened">
                    { for s.reopened.iter().map(|r| html! { <li>{ reopened_line(lang, s, r) }</li> }) }
                </ul>
            }
        </>
    }
}

pub fn period_label(lang: Lang, p: ClosedPeriod) -> &'static str {
    let t = texts(lang);
    match p {
        ClosedPeriod::ReportingYear => t.period_reporting_year,
        ClosedPeriod::ActionMonth => t.period_action_month,
    }
}

/// "2 có phiếu cần sửa · 5 đang thực hiện · 3 chưa có số liệu · 10 đã chốt": the standings
/// present, in the table's order.
pub fn summary(lang: Lang, rows: &[SignOffRow]) -> String {
    use crate::components::sign_off_table::{rank, standing_label};
    let mut standings: Vec<Standing> = rows.iter().map(|r| r.standing).collect();
    standings.sort_by_key(|s| rank(*s));
    standings.dedup();
    standings
        .into_iter()
        .map(|s| {
            let n = rows.iter().filter(|r| r.standing == s).count();
            format!("{n} {}", standing_label(lang, s).to_lowercase())
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// "Phường Cẩm Thành — chốt bởi Lan (01/12/2026 09:00), mở lại bởi Hùng (02/12/2026 10:15):
/// thiếu phiếu tháng 11".
fn reopened_line(lang: Lang, s: &SignOffScreen, r: &SignOffEntry) -> Html {
    let name = s
        .communes
        .iter()
        .chain(&s.agencies)
        .find(|row| row.kind == r.kind && row.target == r.target)
        .map_or_else(|| r.target.clone(), |row| row.display_name().to_owned());
    let by = r.reopened_by.as_ref().map_or("—", |b| b.name()).to_owned();
    let (signed, reopened) = (when(Some(r.signed_at)), when(r.reopened_at));
    let text = if lang == Lang::En {
        format!("signed off by {} ({signed}), reopened by {by} ({reopened})", r.signed_by.name())
    } else {
        format!("chốt bởi {} ({signed}), mở lại bởi {by} ({reopened})", r.signed_by.name())
    };
    html! {
        <>
            <strong>{ name }</strong>{ " — " }{ text }
            if let Some(reason) = &r.reopen_reason { <blockquote>{ reason.clone() }</blockquote> }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{SignOffCounts, SignOffKind};
    use chrono::NaiveDate;

    fn row(name: &str, standing: Standing) -> SignOffRow {
        SignOffRow {
            kind: SignOffKind::Commune,
            target: name.to_owned(),
            name: name.to_owned(),
            standing,
            counts: SignOffCounts::default(),
            sign_off: None,
            may_act: true,
        }
    }

    #[test]
    fn the_year_and_the_summary() {
        for (date, year) in [((2026, 3, 1), 2026), ((2026, 11, 30), 2026), ((2026, 12, 5), 2026), ((2027, 1, 2), 2027)]
        {
            let d = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
            assert_eq!(default_year(d), year, "{d}");
        }
        let rows = [
            row("A", Standing::SignedOff),
            row("B", Standing::Nothing),
            row("C", Standing::NeedsChanges),
            row("D", Standing::SignedOff),
        ];
        assert_eq!(summary(Lang::Vi, &rows), "1 có phiếu cần sửa · 1 chưa có số liệu · 2 đã chốt");
        assert_eq!(summary(Lang::En, &rows), "1 records need changes · 1 nothing yet · 2 signed off");
        assert_eq!(period_label(Lang::Vi, ClosedPeriod::ActionMonth), "Tháng hành động (15/11–15/12)");
    }
}
