//! Figures of a period: "My work" (an officer's finished activities, counted from the
//! records on the phone, offline too) and "Reports" (the province's summary from the server,
//! for supervisors and admins, with the annual report's download). One screen for both:
//! totals, and bar charts by sex drawn as inline SVG.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use device::{ApiError, ReportSummary};
use forms::dates::{format_date, parse_date_vi};
use forms::grid::BySex;
use forms::Lang;
use yew::prelude::*;

use crate::app::Ctx;
use crate::i18n::{self, texts, Texts};
use crate::services;
use crate::state::Action;
use crate::summary::{self, Period};
use crate::web;

/// `text` safe inside HTML text and quoted attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A chart's heading, legend and list; its bars follow ([`bar`]), then `</ul>`.
fn chart(h: &mut String, t: &Texts, title: &str) {
    let _ = write!(
        h,
        "<h2>{title}</h2><p class=\"legend\"><span class=\"key m\"></span>{}<span class=\"key f\"></span>{}</p><ul class=\"bars\">",
        t.male, t.female
    );
}

/// One row of a chart: its label, a line of figures and a stacked bar (men, women) in
/// inline SVG, scaled so that `max` people fill the width.
fn bar(h: &mut String, label: &str, sub: &str, p: BySex, max: u64) {
    let _ = write!(h, "<li><span class=\"title\">{}</span><span class=\"sub\">{sub}</span>", esc(label));
    if p.total() > 0 {
        let (m, f) = (p.male * 1000 / max, p.female * 1000 / max);
        let _ = write!(
            h,
            "<svg viewBox=\"0 0 1000 16\" preserveAspectRatio=\"none\" aria-hidden=\"true\">\
             <rect class=\"m\" width=\"{m}\" height=\"16\"/><rect class=\"f\" x=\"{m}\" width=\"{f}\" height=\"16\"/></svg>"
        );
    }
    h.push_str("</li>");
}

/// The summary as HTML: totals, activities and participants by form, participants by
/// ethnic group. Built as text (every name escaped) and set as the section's content: the
/// same markup as `html!` nodes would take several times the code on every phone.
fn figures(lang: Lang, s: &ReportSummary) -> String {
    let t = texts(lang);
    let (activities, people) = summary::totals(s);
    let share = summary::female_share(people, if lang == Lang::Vi { ',' } else { '.' });
    let mut h = String::new();
    let _ = write!(
        h,
        "<div class=\"tiles\"><div class=\"tile\"><span class=\"n\">{activities}</span><span class=\"label\">{}</span></div>\
         <div class=\"tile\"><span class=\"n\">{}</span><span class=\"label\">{}</span></div>\
         <div class=\"tile\"><span class=\"n\">{share}</span><span class=\"label\">{}</span></div></div><p class=\"meta\">{}</p>",
        t.activities,
        people.total(),
        t.participants,
        t.women_share,
        i18n::by_sex(lang, people)
    );
    if activities == 0 {
        let _ = write!(h, "<p class=\"empty\">{}</p>", t.no_activities);
        return h;
    }
    chart(&mut h, t, t.by_form);
    let max = s.forms.iter().map(|f| f.participants.total()).max().unwrap_or(0).max(1);
    for f in s.forms.iter().filter(|f| f.activities > 0) {
        let mut sub = i18n::activities_n(lang, f.activities);
        if f.participants.total() > 0 {
            sub = format!("{sub} · {}", i18n::by_sex(lang, f.participants));
        }
        bar(&mut h, f.title.get(lang), &sub, f.participants, max);
    }
    h.push_str("</ul>");
    let groups = s.ethnicities.iter().map(|e| (e.name.get(lang), BySex { male: e.male, female: e.female }));
    let (top, rest) = summary::top(groups.collect(), TOP_GROUPS);
    if let Some(first) = top.first() {
        chart(&mut h, t, t.by_ethnicity);
        let max = first.1.total().max(rest.map_or(0, |r| r.total())).max(1);
        for (name, p) in top.iter().copied().chain(rest.map(|p| (t.others, p))) {
            bar(&mut h, name, &i18n::by_sex(lang, p), p, max);
        }
        h.push_str("</ul>");
    }
    h
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The officer's own work, counted on the phone (offline too), rather than the
    /// province's summary from the server.
    pub mine: bool,
}

/// The preset periods; the choice after them is a range typed as dd/mm/yyyy.
const PERIODS: [Period; 4] = [Period::Month, Period::Quarter, Period::Year, Period::ActionMonth];

/// Ethnic groups shown by name in the chart; the others are summed as "Khác".
const TOP_GROUPS: usize = 5;

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
    downloading: bool,
    download_error: Option<String>,
}

#[function_component(Figures)]
pub fn figures_screen(p: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let (lang, t, mine) = (ctx.state.lang, texts(ctx.state.lang), p.mine);
    let view = use_mut_ref(View::default);
    let redraw = use_force_update();
    let today = web::today();
    let (pick, range) = {
        let v = view.borrow();
        (v.pick, v.range)
    };
    let period = PERIODS.get(pick).copied().or_else(|| range.map(|(from, to)| Period::Range(from, to)));
    let dates = period.map(|p| p.dates(today));
    let session = ctx.state.session.clone();
    let allowed = mine || session.as_ref().is_some_and(|s| services::reads_reports(s));
    let online = mine || ctx.state.online;
    {
        let (view, redraw, storage, catalog) =
            (view.clone(), redraw.clone(), ctx.storage.clone(), ctx.state.catalog.clone());
        let (session, dispatch) = (session.clone(), ctx.state.dispatcher());
        use_effect_with((dates, online && allowed, ctx.state.data_version), move |(dates, go, _)| {
            if let (Some(dates), true, Some(session)) = (*dates, *go, session) {
                view.borrow_mut().asked = Some(dates);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = if mine {
                        let records = storage.records().await.unwrap_or_default();
                        let user = &session.user.username;
                        Ok(catalog.map(|c| summary::my_work(&c, &records, user, dates)).unwrap_or_default())
                    } else {
                        services::api(Some(session.token.clone())).report_summary(dates.0, dates.1).await
                    };
                    let html = match result {
                        Ok(s) => figures(lang, &s),
                        Err(e) => {
                            if let ApiError::Unauthorized = e {
                                dispatch.dispatch(Action::SessionExpired);
                            }
                            format!(
                                "<p class=\"error banner\" role=\"alert\">{}</p>",
                                esc(&services::report_error(lang, &e))
                            )
                        }
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
    let year = dates.map_or(today, |d| d.0).year();
    let v = view.borrow();
    let on_download = {
        let (view, redraw, token) = (view.clone(), redraw.clone(), session.map(|s| s.token.clone()));
        Callback::from(move |_| {
            view.borrow_mut().downloading = true;
            redraw.force_update();
            let (view, redraw, token) = (view.clone(), redraw.clone(), token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = services::download_annual(token, year).await;
                {
                    let mut v = view.borrow_mut();
                    v.downloading = false;
                    v.download_error = result.err().map(|e| services::report_error(lang, &e));
                }
                redraw.force_update();
            });
        })
    };
    let on_show = {
        let (view, redraw) = (view.clone(), redraw.clone());
        Callback::from(move |_| {
            let typed = |id: &str| parse_date_vi(&web::input_value(id));
            {
                // Released before the redraw, which may render at once.
                let mut v = view.borrow_mut();
                // Typed the wrong way round is still a range.
                v.bad_range = match (typed("from"), typed("to")) {
                    (Some(a), Some(b)) => {
                        v.range = Some((a.min(b), a.max(b)));
                        false
                    }
                    _ => true,
                };
            }
            redraw.force_update();
        })
    };
    let body = match &v.answer {
        _ if !allowed => html! { <p class="warn">{ t.not_permitted }</p> },
        _ if !online => html! { <p class="warn">{ t.report_offline }</p> },
        _ if dates.is_none() => html! {},
        Some((d, html)) if Some(*d) == dates => Html::from_html_unchecked(html.clone()),
        _ => html! { <p>{ t.loading }</p> },
    };
    let labels = [t.this_month, t.this_quarter, t.this_year, t.action_month, t.date_range];
    html! {
        <main class="screen report">
            <h1>{ if mine { t.my_work } else { t.reports_title } }</h1>
            <div class="choice-row wrap">
                { for labels.into_iter().enumerate().map(|(i, label)| {
                    let (view, redraw) = (view.clone(), redraw.clone());
                    let onclick = Callback::from(move |_| {
                        view.borrow_mut().pick = i;
                        redraw.force_update();
                    });
                    html! {
                        <button class={if pick == i { "btn choice selected" } else { "btn choice" }}
                            aria-pressed={if pick == i { "true" } else { "false" }} {onclick}>{ label }</button>
                    }
                }) }
            </div>
            if pick == PERIODS.len() {
                <div class="range">
                    <label class="field"><span class="label">{ t.from_date }</span>
                        <input id="from" type="text" inputmode="numeric" placeholder="dd/mm/yyyy" />
                    </label>
                    <label class="field"><span class="label">{ t.to_date }</span>
                        <input id="to" type="text" inputmode="numeric" placeholder="dd/mm/yyyy" />
                    </label>
                    <button class="btn secondary" onclick={on_show}>{ t.show }</button>
                </div>
                if v.bad_range { <p class="error" role="alert">{ t.bad_date }</p> }
            }
            if let Some((from, to)) = dates { <p class="meta">{ format!("{} – {}", format_date(from), format_date(to)) }</p> }
            <section class="figures">{ body }</section>
            if mine {
                <p class="hint">{ t.my_work_note }</p>
            } else if allowed {
                <div class="actions">
                    <button class="btn primary big" disabled={!online || v.downloading} onclick={on_download}>
                        { if v.downloading { t.downloading.to_owned() } else { i18n::annual_button(lang, year) } }
                    </button>
                    if let Some(e) = &v.download_error { <p class="error" role="alert">{ e.clone() }</p> }
                </div>
            }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use device::{ReportEthnicity, ReportForm};
    use forms::Localized;

    use super::*;

    #[test]
    fn figures_are_escaped_html_with_bars_to_scale() {
        let form = |title: &str, activities, male, female| ReportForm {
            form_id: "f".into(),
            title: Localized::new(title, title),
            activities,
            participants: BySex { male, female },
        };
        let s = ReportSummary {
            forms: vec![form("Họp <dân> & \"hội\"", 2, 10, 30), form("Kiểm tra", 1, 0, 0), form("Không có", 0, 0, 0)],
            ethnicities: vec![ReportEthnicity {
                code: "01".into(),
                name: Localized::new("Kinh", "Kinh"),
                male: 10,
                female: 30,
            }],
        };
        let h = figures(Lang::Vi, &s);
        assert!(h.contains("<span class=\"n\">3</span><span class=\"label\">Hoạt động</span>"), "{h}");
        assert!(h.contains("<span class=\"n\">40</span><span class=\"label\">Người tham gia</span>"), "{h}");
        assert!(h.contains("<span class=\"n\">75,0%</span><span class=\"label\">Tỷ lệ nữ</span>"), "{h}");
        assert!(h.contains("<p class=\"meta\">Nam 10 · Nữ 30</p>"), "{h}");
        assert!(h.contains("Họp &lt;dân> &amp; &quot;hội&quot;"), "{h}");
        assert!(h.contains("2 hoạt động · Nam 10 · Nữ 30"), "{h}");
        assert!(h.contains("width=\"250\" height=\"16\"/><rect class=\"f\" x=\"250\" width=\"750\""), "{h}");
        assert!(h.contains("Kiểm tra</span><span class=\"sub\">1 hoạt động</span></li>"), "{h}");
        assert!(!h.contains("Không có"), "forms without activities are left out: {h}");
        let empty = figures(Lang::En, &ReportSummary::default());
        assert!(empty.contains("No activities in this period.") && !empty.contains("<svg"), "{empty}");
    }
}
