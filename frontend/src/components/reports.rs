//! Figures of a period: "My work" (an officer's finished activities, counted from the
//! records on the phone, offline too) and "Reports" (the province's summary from the server,
//! for supervisors and admins: a year also month by month, the Action Month of any year, and
//! the annual report to read, print or download). One screen for both: totals, and bar
//! charts by sex ([`charts`]).

use std::rc::Rc;

use chrono::{Datelike, NaiveDate};
use forms::dates::{format_date, parse_date_vi};
use forms::Lang;
use yew::prelude::*;

use super::charts::charts;
use crate::context::use_ctx;
use crate::hooks::use_figures;
use crate::i18n::{self, texts, Texts};
use crate::services;
use crate::summary::Period;
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The officer's own work, counted on the phone (offline too), rather than the
    /// province's summary from the server.
    pub mine: bool,
}

/// The preset periods; the choice after them is a range typed as dd/mm/yyyy.
const PERIODS: [Period; 4] = [Period::Month, Period::Quarter, Period::Year, Period::ActionMonth];
const YEAR: usize = 2;
const ACTION_MONTH: usize = 3;

/// The screen's state, owned by a reducer ([`Msg`]); the figures come from [`use_figures`].
#[derive(Default, Clone, PartialEq)]
struct View {
    pick: usize,
    range: Option<(NaiveDate, NaiveDate)>,
    /// The typed range is not two dates.
    bad_range: bool,
    /// The year chosen for "this year" and the Action Month, when not the current one.
    year: Option<i32>,
    /// Waiting for the annual report (file or page).
    downloading: bool,
    download_error: Option<AttrValue>,
    /// The annual report as a page, shown in place of the figures.
    page: Option<AttrValue>,
}

enum Msg {
    Pick(usize),
    Year(i32),
    /// The range as typed: two dates, or not.
    Range(Option<NaiveDate>, Option<NaiveDate>),
    Downloading,
    /// The annual report came as a page (`Some`) or as a saved file (`None`), or did not.
    Annual(Result<Option<AttrValue>, AttrValue>),
    Close,
}

impl Reducible for View {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut v = (*self).clone();
        match msg {
            Msg::Pick(i) => v.pick = i,
            Msg::Year(y) => v.year = Some(y),
            // Typed the wrong way round is still a range.
            Msg::Range(Some(a), Some(b)) => {
                v.range = Some((a.min(b), a.max(b)));
                v.bad_range = false;
            }
            Msg::Range(..) => v.bad_range = true,
            Msg::Downloading => v.downloading = true,
            Msg::Annual(result) => {
                v.downloading = false;
                match result {
                    Ok(page) => {
                        v.page = page;
                        v.download_error = None;
                    }
                    Err(e) => v.download_error = Some(e),
                }
            }
            Msg::Close => v.page = None,
        }
        Rc::new(v)
    }
}

impl View {
    /// Whether the period is a whole year ("this year" or the Action Month) whose year may
    /// be chosen: on the province's reports only.
    fn yearly(&self, mine: bool) -> bool {
        !mine && (self.pick == YEAR || self.pick == ACTION_MONTH)
    }

    /// The days of the period picked, as of `today`.
    fn dates(&self, mine: bool, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let period = PERIODS.get(self.pick).copied().or_else(|| self.range.map(|(a, b)| Period::Range(a, b)));
        period.map(|p| p.dates(today)).map(|(a, b)| match self.year {
            Some(y) if self.yearly(mine) => (a.with_year(y).unwrap_or(a), b.with_year(y).unwrap_or(b)),
            _ => (a, b),
        })
    }
}

/// The screen above the figures: the periods, the year (back, and forward up to this one),
/// the typed range, the dates.
fn chrome(t: &Texts, v: &View, mine: bool, today: NaiveDate, send: &Callback<Msg>) -> Html {
    let labels = [t.this_month, t.this_quarter, t.this_year, t.action_month, t.date_range];
    let periods = labels.into_iter().enumerate().map(|(i, label)| {
        let on = v.pick == i;
        html! {
            <button class={classes!("btn", "choice", on.then_some("selected"))} aria-pressed={on.to_string()}
                onclick={send.reform(move |_| Msg::Pick(i))}>{ label }</button>
        }
    });
    let dates = v.dates(mine, today);
    let year = dates.map_or(today, |d| d.0).year();
    let years = v.yearly(mine).then(|| {
        let (back, on) = (year - 1, year + 1);
        html! {
            <div class="choice-row">
                <button class="btn choice" onclick={send.reform(move |_| Msg::Year(back))}>{ format!("‹ {back}") }</button>
                if year < today.year() {
                    <button class="btn choice" onclick={send.reform(move |_| Msg::Year(on))}>{ format!("{on} ›") }</button>
                }
            </div>
        }
    });
    let range = (v.pick == PERIODS.len()).then(|| {
        // Typed dates come back as read, so the range can be changed.
        let (from, to) = v.range.map_or((String::new(), String::new()), |(a, b)| (format_date(a), format_date(b)));
        let field = |id: &'static str, label: &'static str, value: String| {
            html! {
                <label class="field"><span class="label">{ label }</span>
                    <input {id} type="text" inputmode="numeric" placeholder="dd/mm/yyyy" {value} /></label>
            }
        };
        let show = send.reform(|_| {
            let typed = |id: &str| parse_date_vi(&web::input_value(id));
            Msg::Range(typed("from"), typed("to"))
        });
        html! {
            <>
                <div class="range">
                    { field("from", t.from_date, from) }
                    { field("to", t.to_date, to) }
                    <button class="btn secondary" onclick={show}>{ t.show }</button>
                </div>
                if v.bad_range { <p class="error" role="alert">{ t.bad_date }</p> }
            </>
        }
    });
    html! {
        <>
            <h1>{ if mine { t.my_work } else { t.reports_title } }</h1>
            <div class="choice-row wrap">{ for periods }</div>
            { years.unwrap_or_default() }
            { range.unwrap_or_default() }
            if let Some((from, to)) = dates { <p class="meta">{ format!("{} – {}", format_date(from), format_date(to)) }</p> }
        </>
    }
}

/// Under the figures: the annual report of the period's year, to read and print or to save.
fn actions(lang: Lang, v: &View, year: i32, online: bool, annual: &Callback<(i32, bool)>) -> Html {
    let t = texts(lang);
    html! {
        <div class="actions">
            if v.downloading {
                <p>{ t.downloading }</p>
            } else {
                <button class="btn primary big" disabled={!online} onclick={annual.reform(move |_| (year, true))}>
                    { format!("{} {year}", t.view_annual) }
                </button>
                <button class="btn secondary big" disabled={!online} onclick={annual.reform(move |_| (year, false))}>
                    { i18n::annual_button(lang, year) }
                </button>
            }
            if let Some(e) = &v.download_error { <p class="error" role="alert">{ e.clone() }</p> }
        </div>
    }
}

/// The annual report's page in a frame of its own, to print. The page comes from the
/// server with no script; the sandbox makes sure none would run (no `allow-scripts`), while
/// the app may still reach the frame (`allow-same-origin`) to print it (`allow-modals`).
fn annual_page(t: &Texts, year: i32, page: &AttrValue, send: &Callback<Msg>) -> Html {
    let title = format!("{} {year}", t.reports_title);
    html! {
        <>
            <h1>{ title.clone() }</h1>
            <div class="choice-row">
                <button class="btn primary choice" onclick={Callback::from(|_| web::print_frame("annual"))}>{ t.print }</button>
                <button class="btn choice" onclick={send.reform(|_| Msg::Close)}>{ t.close }</button>
            </div>
            <iframe id="annual" class="page" {title} srcdoc={page.clone()} sandbox="allow-same-origin allow-modals"></iframe>
        </>
    }
}

#[function_component(Figures)]
pub fn figures_screen(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t, mine) = (ctx.state.lang, texts(ctx.state.lang), p.mine);
    let view = use_reducer(View::default);
    let today = web::today();
    let dates = view.dates(mine, today);
    let year = dates.map_or(today, |d| d.0).year();
    let session = ctx.state.session.clone();
    let allowed = mine || session.as_ref().is_some_and(|s| services::reads_reports(s));
    let online = mine || ctx.state.online;
    let with_trend = !mine && view.pick == YEAR;
    let answer = use_figures(&ctx, mine, dates, online && allowed, with_trend);
    let send = {
        let d = view.dispatcher();
        Callback::from(move |m| d.dispatch(m))
    };
    // The annual report of a year: as a page to show (`true`) or the workbook to save.
    let annual = {
        let (send, token) = (send.clone(), session.as_ref().map(|s| s.token.clone()));
        Callback::from(move |(year, page): (i32, bool)| {
            send.emit(Msg::Downloading);
            let (send, token) = (send.clone(), token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = if page {
                    services::annual_page(token, year).await.map(|p| Some(AttrValue::from(p)))
                } else {
                    services::download_annual(token, year).await.map(|_| None)
                };
                let opened = matches!(result, Ok(Some(_)));
                send.emit(Msg::Annual(result.map_err(|e| services::report_error(lang, &e).into())));
                if opened {
                    web::scroll_top();
                }
            });
        })
    };
    let para = |class: &'static str, text: &'static str| html! { <p {class}>{ text }</p> };
    // The annual report's page replaces the whole screen until closed.
    let (top, body, end) = match &view.page {
        Some(page) => (annual_page(t, year, page, &send), Html::default(), Html::default()),
        None => (
            chrome(t, &view, mine, today, &send),
            match answer {
                _ if !allowed => para("warn", t.not_permitted),
                _ if !online => para("warn", t.report_offline),
                _ if dates.is_none() => Html::default(),
                Some(answer) => charts(lang, year, &answer),
                None => para("", t.loading),
            },
            if mine {
                para("hint", t.my_work_note)
            } else if allowed {
                actions(lang, &view, year, online, &annual)
            } else {
                Html::default()
            },
        ),
    };
    html! {
        <main class="screen report">
            { top }
            <section class="figures">{ body }</section>
            { end }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::markup::markup;

    #[test]
    fn the_year_can_be_chosen_back_and_forward_to_this_one() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let (t, send) = (texts(Lang::Vi), Callback::noop());
        let mut v = View { pick: YEAR, ..View::default() };
        let h = markup(&chrome(t, &v, false, today, &send));
        assert!(h.contains("<button class=\"btn choice\">‹ 2025</button>") && !h.contains("2027"), "{h}");
        assert!(h.contains("aria-pressed=\"true\" class=\"btn choice selected\">Năm nay</button>"), "{h}");
        v.year = Some(2024);
        let h = markup(&chrome(t, &v, false, today, &send));
        assert!(h.contains("<p class=\"meta\">01/01/2024 – 31/12/2024</p>") && h.contains("2025 ›"), "{h}");
        v.pick = ACTION_MONTH;
        assert_eq!(v.dates(false, today), Some((day(2024, 11, 15), day(2024, 12, 15))));
        assert_eq!(v.dates(true, today), Some((day(2025, 11, 15), day(2025, 12, 15))), "my work: no chosen year");
        assert!(!markup(&chrome(t, &v, true, today, &send)).contains("‹"), "my work has no year to choose");
        let page = markup(&annual_page(t, 2026, &"<p title=\"a&b\">x</p>".into(), &send));
        assert!(page.contains("srcdoc=\"&lt;p title=&quot;a&amp;b&quot;>x&lt;/p>\""), "{page}");
        assert!(page.contains("sandbox=\"allow-same-origin allow-modals\""), "no script runs in the page: {page}");
    }

    #[test]
    fn a_range_typed_the_wrong_way_round_is_still_a_range() {
        let v = Rc::new(View { pick: PERIODS.len(), ..View::default() });
        let v = v.reduce(Msg::Range(Some(day(2026, 10, 31)), Some(day(2026, 10, 1))));
        assert_eq!((v.range, v.bad_range), (Some((day(2026, 10, 1), day(2026, 10, 31))), false));
        let v = v.reduce(Msg::Range(Some(day(2026, 10, 1)), None));
        assert!(v.bad_range && v.range.is_some(), "the last good range stays");
        let h = markup(&chrome(texts(Lang::Vi), &v, true, day(2026, 11, 29), &Callback::noop()));
        assert!(
            h.contains(
                "id=\"from\" type=\"text\" inputmode=\"numeric\" placeholder=\"dd/mm/yyyy\" value=\"01/10/2026\""
            ),
            "{h}"
        );
        assert!(h.contains("<p role=\"alert\" class=\"error\">Ngày chưa đúng"), "{h}");
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
}
