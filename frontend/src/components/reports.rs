//! Figures of a period: "My work" (an officer's finished activities, counted from the
//! records on the phone, offline too) and "Reports" (the province's summary from the server,
//! for supervisors and admins: a year also month by month, the Action Month of any year, and
//! the annual report to read, print or download). One screen for both: totals, and bar
//! charts by sex drawn as inline SVG.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use device::ApiError;
use forms::dates::{format_date, iso_date, parse_date_vi};
use forms::Lang;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::charts::{esc, figures, trend};
use crate::app::Ctx;
use crate::i18n::{self, texts, Texts};
use crate::services;
use crate::state::Action;
use crate::summary::{self, Period};
use crate::web;

/// Prints the annual report's frame (its own document, not the app around it).
fn print_page() {
    let get = |o: &wasm_bindgen::JsValue, key: &str| js_sys::Reflect::get(o, &key.into()).ok();
    let frame = gloo::utils::document().get_element_by_id("annual").map(wasm_bindgen::JsValue::from);
    if let Some(window) = frame.and_then(|f| get(&f, "contentWindow")) {
        if let Some(print) = get(&window, "print") {
            let _ = print.unchecked_ref::<js_sys::Function>().call0(&window);
        }
    }
}

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

/// The screen's state, in one cell (one hook rather than one per field: less code).
#[derive(Default)]
struct View {
    pick: usize,
    range: Option<(NaiveDate, NaiveDate)>,
    /// The typed range is not two dates.
    bad_range: bool,
    /// The period asked for last: a slower answer to an earlier question is dropped.
    asked: Option<(NaiveDate, NaiveDate)>,
    /// The period last answered and its answer, as HTML (figures or a message).
    answer: Option<((NaiveDate, NaiveDate), AttrValue)>,
    /// The year chosen for "this year" and the Action Month, when not the current one.
    year: Option<i32>,
    /// Waiting for the annual report (file or page).
    downloading: bool,
    download_error: Option<String>,
    /// The annual report as a page, shown in place of the figures.
    page: Option<String>,
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

/// The screen above the figures, as HTML: the periods, the year (back, and forward up to
/// this one), the typed range, the dates. Its buttons name their action in `data-a`
/// ([`figures_screen`] handles every click in one place): less code than a listener each.
fn chrome(t: &Texts, v: &View, mine: bool, today: NaiveDate) -> String {
    let mut h = format!("<h1>{}</h1><div class=\"choice-row wrap\">", if mine { t.my_work } else { t.reports_title });
    let labels = [t.this_month, t.this_quarter, t.this_year, t.action_month, t.date_range];
    for (i, label) in labels.into_iter().enumerate() {
        let on = v.pick == i;
        let _ = write!(
            h,
            "<button class=\"btn choice{}\" aria-pressed=\"{on}\" data-a=\"p{i}\">{label}</button>",
            if on { " selected" } else { "" }
        );
    }
    h.push_str("</div>");
    let dates = v.dates(mine, today);
    let year = dates.map_or(today, |d| d.0).year();
    if v.yearly(mine) {
        let _ = write!(
            h,
            "<div class=\"choice-row\"><button class=\"btn choice\" data-a=\"y{0}\">‹ {0}</button>",
            year - 1
        );
        if year < today.year() {
            let _ = write!(h, "<button class=\"btn choice\" data-a=\"y{0}\">{0} ›</button>", year + 1);
        }
        h.push_str("</div>");
    }
    if v.pick == PERIODS.len() {
        // Typed dates come back as read, so the range can be changed.
        let (from, to) = v.range.map_or((String::new(), String::new()), |(a, b)| (format_date(a), format_date(b)));
        let field = |h: &mut String, id: &str, label: &str, value: &str| {
            let _ = write!(
                h,
                "<label class=\"field\"><span class=\"label\">{label}</span><input id=\"{id}\" type=\"text\" \
                 inputmode=\"numeric\" placeholder=\"dd/mm/yyyy\" value=\"{value}\"></label>"
            );
        };
        h.push_str("<div class=\"range\">");
        field(&mut h, "from", t.from_date, &from);
        field(&mut h, "to", t.to_date, &to);
        let _ = write!(h, "<button class=\"btn secondary\" data-a=\"s\">{}</button></div>", t.show);
        if v.bad_range {
            let _ = write!(h, "<p class=\"error\" role=\"alert\">{}</p>", t.bad_date);
        }
    }
    if let Some((from, to)) = dates {
        let _ = write!(h, "<p class=\"meta\">{} – {}</p>", format_date(from), format_date(to));
    }
    h
}

/// Under the figures: the annual report of the period's year, to read and print or to save.
fn actions(lang: Lang, v: &View, year: i32, online: bool) -> String {
    let t = texts(lang);
    let mut h = String::from("<div class=\"actions\">");
    if v.downloading {
        let _ = write!(h, "<p>{}</p>", t.downloading);
    } else {
        let off = if online { "" } else { " disabled" };
        let _ = write!(
            h,
            "<button class=\"btn primary big\" data-a=\"v{year}\"{off}>{} {year}</button>\
             <button class=\"btn secondary big\" data-a=\"x{year}\"{off}>{}</button>",
            t.view_annual,
            i18n::annual_button(lang, year)
        );
    }
    if let Some(e) = &v.download_error {
        let _ = write!(h, "<p class=\"error\" role=\"alert\">{}</p>", esc(e));
    }
    h.push_str("</div>");
    h
}

/// The annual report's page in a frame of its own (the page has no script), to print.
fn annual_page(t: &Texts, year: i32, page: &str) -> String {
    format!(
        "<h1>{} {year}</h1><div class=\"choice-row\"><button class=\"btn primary choice\" data-a=\"i\">{}</button>\
         <button class=\"btn choice\" data-a=\"c\">{}</button></div>\
         <iframe id=\"annual\" class=\"page\" title=\"{0} {year}\" srcdoc=\"{}\"></iframe>",
        t.reports_title,
        t.print,
        t.close,
        esc(page)
    )
}

/// An error as the screen shows it.
fn alert(lang: Lang, e: &ApiError) -> String {
    format!("<p class=\"error banner\" role=\"alert\">{}</p>", esc(&services::report_error(lang, e)))
}

#[function_component(Figures)]
pub fn figures_screen(p: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let (lang, t, mine) = (ctx.state.lang, texts(ctx.state.lang), p.mine);
    let view = use_mut_ref(View::default);
    let redraw = use_force_update();
    let today = web::today();
    let dates = view.borrow().dates(mine, today);
    let year = dates.map_or(today, |d| d.0).year();
    let session = ctx.state.session.clone();
    let allowed = mine || session.as_ref().is_some_and(|s| services::reads_reports(s));
    let online = mine || ctx.state.online;
    let with_trend = !mine && view.borrow().pick == YEAR;
    let token = session.as_ref().map(|s| s.token.clone());
    {
        let (view, redraw, storage, catalog) =
            (view.clone(), redraw.clone(), ctx.storage.clone(), ctx.state.catalog.clone());
        let (session, dispatch) = (session.clone(), ctx.state.dispatcher());
        use_effect_with((dates, online && allowed, with_trend, ctx.state.data_version), move |(dates, go, _, _)| {
            if let (Some(dates), true, Some(session)) = (*dates, *go, session) {
                view.borrow_mut().asked = Some(dates);
                wasm_bindgen_futures::spawn_local(async move {
                    let html = if mine {
                        let records = storage.records().await.unwrap_or_default();
                        let user = &session.user.username;
                        figures(lang, &catalog.map(|c| summary::my_work(&c, &records, user, dates)).unwrap_or_default())
                    } else {
                        // The summary, then (for a year) its months: one request at a time.
                        let api = services::api(Some(session.token.clone()));
                        let year = dates.0.year();
                        let mut queries = vec![format!("summary?from={}&to={}", iso_date(dates.0), iso_date(dates.1))];
                        if with_trend {
                            queries.push(format!("trend?year={year}"));
                        }
                        let mut h = String::new();
                        for (i, query) in queries.iter().enumerate() {
                            let answer = api.report(query).await.and_then(|text| {
                                serde_json::from_str::<serde_json::Value>(&text)
                                    .map_err(|e| ApiError::Decode(e.to_string()))
                            });
                            match answer {
                                Ok(json) if i == 0 => h = figures(lang, &json.into()),
                                Ok(json) => h += &trend(lang, year, &device::api::trend_months(&json)),
                                Err(e) => {
                                    if let ApiError::Unauthorized = e {
                                        dispatch.dispatch(Action::SessionExpired);
                                    }
                                    h = alert(lang, &e);
                                    break;
                                }
                            }
                        }
                        h
                    };
                    {
                        let mut v = view.borrow_mut();
                        if v.asked == Some(dates) {
                            v.answer = Some((dates, html.into()));
                        }
                    }
                    redraw.force_update();
                });
            }
        });
    }
    // Every button of the screen: its `data-a` names what to do (`p2`: pick period 2,
    // `y2025`: that year, `s`: show the typed range, `v2026`/`x2026`: open/save the annual
    // report of 2026, `i`: print it, `c`: close it).
    let onclick = {
        let (view, redraw) = (view.clone(), redraw.clone());
        Callback::from(move |e: MouseEvent| {
            // A button holds only text: a click on it targets the button itself.
            let act = e.target().and_then(|b| b.unchecked_into::<web_sys::Element>().get_attribute("data-a"));
            let Some(act) = act else { return };
            let (key, arg) = act.split_at(1);
            let n: i32 = arg.parse().unwrap_or(0);
            {
                // Released before the redraw, which may render at once.
                let mut v = view.borrow_mut();
                match key {
                    "p" => v.pick = n as usize,
                    "y" => v.year = Some(n),
                    "c" => v.page = None,
                    "i" => return print_page(),
                    "s" => {
                        let typed = |id: &str| parse_date_vi(&web::input_value(id));
                        // Typed the wrong way round is still a range.
                        v.bad_range = match (typed("from"), typed("to")) {
                            (Some(a), Some(b)) => {
                                v.range = Some((a.min(b), a.max(b)));
                                false
                            }
                            _ => true,
                        };
                    }
                    _ => {
                        // The annual report: "v" opens it as a page, "x" saves the workbook.
                        v.downloading = true;
                        let (view, redraw, token, page) = (view.clone(), redraw.clone(), token.clone(), key == "v");
                        wasm_bindgen_futures::spawn_local(async move {
                            let result = if page {
                                services::api(token).report(&format!("annual?year={n}&format=html")).await.map(Some)
                            } else {
                                services::download_annual(token, n).await.map(|_| None)
                            };
                            let opened = {
                                let mut v = view.borrow_mut();
                                v.downloading = false;
                                match result {
                                    Ok(page) => {
                                        v.page = page;
                                        v.download_error = None;
                                    }
                                    Err(e) => v.download_error = Some(services::report_error(lang, &e)),
                                }
                                v.page.is_some()
                            };
                            redraw.force_update();
                            if opened {
                                web::scroll_top();
                            }
                        });
                    }
                }
            }
            redraw.force_update();
        })
    };
    let v = view.borrow();
    let para = |class: &str, text: &str| format!("<p class=\"{class}\">{text}</p>");
    // The annual report's page replaces the whole screen until closed.
    let (top, body, end) = match &v.page {
        Some(page) => (annual_page(t, year, page), AttrValue::Static(""), String::new()),
        None => (
            chrome(t, &v, mine, today),
            match &v.answer {
                _ if !allowed => para("warn", t.not_permitted).into(),
                _ if !online => para("warn", t.report_offline).into(),
                _ if dates.is_none() => AttrValue::Static(""),
                Some((d, html)) if Some(*d) == dates => html.clone(),
                _ => para("", t.loading).into(),
            },
            if mine {
                para("hint", t.my_work_note)
            } else if allowed {
                actions(lang, &v, year, online)
            } else {
                String::new()
            },
        ),
    };
    html! {
        <main class="screen report" {onclick}>
            { Html::from_html_unchecked(top.into()) }
            <section class="figures">{ Html::from_html_unchecked(body) }</section>
            { Html::from_html_unchecked(end.into()) }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_can_be_chosen_back_and_forward_to_this_one() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let t = texts(Lang::Vi);
        let mut v = View { pick: YEAR, ..View::default() };
        let h = chrome(t, &v, false, today);
        assert!(h.contains("data-a=\"y2025\">‹ 2025</button>") && !h.contains("2027"), "{h}");
        assert!(h.contains("aria-pressed=\"true\" data-a=\"p2\">Năm nay</button>"), "{h}");
        v.year = Some(2024);
        let h = chrome(t, &v, false, today);
        assert!(h.contains("<p class=\"meta\">01/01/2024 – 31/12/2024</p>") && h.contains("2025 ›"), "{h}");
        v.pick = ACTION_MONTH;
        assert_eq!(v.dates(false, today), Some((day(2024, 11, 15), day(2024, 12, 15))));
        assert_eq!(v.dates(true, today), Some((day(2025, 11, 15), day(2025, 12, 15))), "my work: no chosen year");
        assert!(!chrome(t, &v, true, today).contains("data-a=\"y"), "my work has no year to choose");
        let page = annual_page(t, 2026, "<p title=\"a&b\">x</p>");
        assert!(page.contains("srcdoc=\"&lt;p title=&quot;a&amp;b&quot;>x&lt;/p>\""), "{page}");
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
}
