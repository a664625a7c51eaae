//! The report screens' figures: tiles of totals and bar charts by sex (by form, with each
//! form's report figures, by ethnic group, by month), each bar an inline SVG built with
//! `html!` like the rest of the app (names are text nodes: nothing to escape by hand).

use device::ReportSummary;
use forms::grid::BySex;
use forms::Lang;
use yew::prelude::*;

use crate::hooks::Answer;
use crate::i18n::{self, texts, Texts};
use crate::summary;

/// Ethnic groups shown by name in the chart; the others are summed as "Khác".
const TOP_GROUPS: usize = 5;

/// A period's answer: its figures and charts, or why they did not come. `year` is the
/// months' year, when the answer has them.
pub fn charts(lang: Lang, year: i32, answer: &Answer) -> Html {
    match answer {
        Answer::Figures(s, months) => html! {
            <>
                { figures(lang, s) }
                if let Some(months) = months { { trend(lang, year, months) } }
            </>
        },
        Answer::Failed(message) => html! { <p class="error banner" role="alert">{ message.clone() }</p> },
    }
}

/// A chart: its heading, legend and bars ([`bar`]).
fn chart(t: &Texts, title: &str, bars: impl IntoIterator<Item = Html>) -> Html {
    html! {
        <>
            <h2>{ title.to_owned() }</h2>
            <p class="legend"><span class="key m"></span>{ t.male }<span class="key f"></span>{ t.female }</p>
            <ul class="bars">{ for bars }</ul>
        </>
    }
}

/// One row of a chart: its label, a line of figures (and `more` lines under it) and a
/// stacked bar (men, women) in inline SVG, scaled so that `max` people fill the width.
fn bar(label: &str, sub: String, more: Html, p: BySex, max: u64) -> Html {
    let (m, f) = (p.male * 1000 / max, p.female * 1000 / max);
    html! {
        <li>
            <span class="title">{ label.to_owned() }</span><span class="sub">{ sub }</span>{ more }
            if p.total() > 0 {
                <svg viewBox="0 0 1000 16" preserveAspectRatio="none" aria-hidden="true">
                    <rect class="m" width={m.to_string()} height="16" />
                    <rect class="f" x={m.to_string()} width={f.to_string()} height="16" />
                </svg>
            }
        </li>
    }
}

fn tile(n: String, label: &str) -> Html {
    html! { <div class="tile"><span class="n">{ n }</span><span class="label">{ label.to_owned() }</span></div> }
}

/// The summary: totals, activities, participants and report figures by form, participants
/// by ethnic group.
pub fn figures(lang: Lang, s: &ReportSummary) -> Html {
    let t = texts(lang);
    let (activities, people) = summary::totals(s);
    let share = summary::female_share(people, if lang == Lang::Vi { ',' } else { '.' });
    let head = html! {
        <>
            <div class="tiles">
                { tile(activities.to_string(), t.activities) }
                { tile(people.total().to_string(), t.participants) }
                { tile(share, t.women_share) }
            </div>
            <p class="meta">{ i18n::by_sex(lang, people) }</p>
        </>
    };
    if activities == 0 {
        return html! { <>{ head }<p class="empty">{ t.no_activities }</p></> };
    }
    let max = s.forms.iter().map(|f| f.participants.total()).max().unwrap_or(0).max(1);
    let forms = s.forms.iter().filter(|f| f.activities > 0).map(|f| {
        let mut sub = i18n::activities_n(lang, f.activities);
        if f.participants.total() > 0 {
            sub = format!("{sub} · {}", i18n::by_sex(lang, f.participants));
        }
        let more = f.figures.iter().map(|figure| {
            html! { <span class="sub">{ figure.label.get(lang).to_owned() }{ ": " }<b>{ figure.value }</b></span> }
        });
        bar(f.title.get(lang), sub, more.collect(), f.participants, max)
    });
    let groups = s.ethnicities.iter().map(|e| (e.name.get(lang), BySex { male: e.male, female: e.female }));
    let (top, rest) = summary::top(groups.collect(), TOP_GROUPS);
    let by_group = top.first().map(|first| {
        let max = first.1.total().max(rest.map_or(0, |r| r.total())).max(1);
        let rows = top.iter().copied().chain(rest.map(|p| (t.others, p)));
        chart(t, t.by_ethnicity, rows.map(|(name, p)| bar(name, i18n::by_sex(lang, p), Html::default(), p, max)))
    });
    let by_agency = (!s.agencies.is_empty()).then(|| {
        let max = s.agencies.iter().map(|a| a.participants.total()).max().unwrap_or(0).max(1);
        let rows = s.agencies.iter().map(|a| {
            let sub = format!("{} · {}", i18n::activities_n(lang, a.activities), i18n::by_sex(lang, a.participants));
            bar(a.name.get(lang), sub, Html::default(), a.participants, max)
        });
        chart(t, t.by_agency, rows)
    });
    html! { <>{ head }{ chart(t, t.by_form, forms) }{ by_agency.unwrap_or_default() }{ by_group.unwrap_or_default() }</> }
}

/// A year month by month, as the other charts: a stacked bar (men, women) a month, with its
/// activities and participants by sex written under the month.
pub fn trend(lang: Lang, year: i32, months: &[(u64, BySex)]) -> Html {
    let t = texts(lang);
    let max = months.iter().map(|(_, p)| p.total()).max().unwrap_or(0).max(1);
    let bars = months.iter().enumerate().map(|(i, (activities, people))| {
        let sub = format!("{} · {}", i18n::activities_n(lang, *activities), i18n::by_sex(lang, *people));
        bar(&format!("{} {}/{year}", t.month, i + 1), sub, Html::default(), *people, max)
    });
    chart(t, t.by_month, bars)
}

#[cfg(test)]
mod tests {
    use device::{ReportEthnicity, ReportForm};
    use forms::Localized;

    use super::*;
    use crate::components::markup::markup;

    #[test]
    fn figures_are_escaped_html_with_bars_to_scale() {
        let form = |title: &str, activities, male, female| ReportForm {
            form_id: "f".into(),
            title: Localized::new(title, title),
            activities,
            participants: BySex { male, female },
            figures: Vec::new(),
        };
        let mut check = form("Kiểm tra", 1, 0, 0);
        check.figures = vec![device::ReportFigure {
            field: "model_active".into(),
            label: Localized::new("Đang <hoạt động>", "Active"),
            value: 1,
        }];
        let mut s = ReportSummary {
            forms: vec![form("Họp <dân> & \"hội\"", 2, 10, 30), check, form("Không có", 0, 0, 0)],
            ethnicities: vec![ReportEthnicity {
                code: "01".into(),
                name: Localized::new("Kinh", "Kinh"),
                male: 10,
                female: 30,
            }],
            agencies: vec![device::ReportAgency {
                code: "hoi_lhpn_xa".into(),
                name: Localized::new("Hội <LHPN> xã", "Women's Union"),
                activities: 2,
                participants: BySex { male: 10, female: 20 },
            }],
        };
        let h = markup(&figures(Lang::Vi, &s));
        assert!(h.contains("Theo cơ quan tổ chức"), "a chart by agency: {h}");
        assert!(h.contains("Hội &lt;LHPN> xã</span><span class=\"sub\">2 hoạt động · Nam 10 · Nữ 20"), "{h}");
        assert!(h.contains("<span class=\"n\">3</span><span class=\"label\">Hoạt động</span>"), "{h}");
        assert!(h.contains("<span class=\"n\">40</span><span class=\"label\">Người tham gia</span>"), "{h}");
        assert!(h.contains("<span class=\"n\">75,0%</span><span class=\"label\">Tỷ lệ nữ</span>"), "{h}");
        assert!(h.contains("<p class=\"meta\">Nam 10 · Nữ 30</p>"), "{h}");
        assert!(h.contains("Họp &lt;dân> &amp; &quot;hội&quot;"), "names are text, never markup: {h}");
        assert!(h.contains("2 hoạt động · Nam 10 · Nữ 30"), "{h}");
        assert!(h.contains("<rect width=\"250\" height=\"16\" class=\"m\"></rect><rect x=\"250\" width=\"750\" height=\"16\" class=\"f\">"), "{h}");
        assert!(
            h.contains("Kiểm tra</span><span class=\"sub\">1 hoạt động</span><span class=\"sub\">Đang &lt;hoạt động>: <b>1</b></span></li>"),
            "a report figure on a line of its own, escaped: {h}"
        );
        assert!(!h.contains("Không có"), "forms without activities are left out: {h}");
        let empty = markup(&figures(Lang::En, &ReportSummary::default()));
        assert!(empty.contains("No activities in this period.") && !empty.contains("<svg"), "{empty}");
        s.agencies.clear();
        assert!(!markup(&figures(Lang::Vi, &s)).contains("Theo cơ quan"), "no agency chart without agencies");
    }

    #[test]
    fn a_year_by_month_is_a_bar_a_month_to_scale() {
        let mut months = vec![(0, BySex::default()); 12];
        months[10] = (2, BySex { male: 3, female: 7 });
        months[1] = (1, BySex { male: 5, female: 0 });
        let h = markup(&trend(Lang::Vi, 2026, &months));
        assert_eq!(h.matches("<li>").count(), 12, "{h}");
        assert!(h.starts_with("<h2>Theo tháng</h2>"), "{h}");
        assert!(h.contains("Tháng 11/2026</span><span class=\"sub\">2 hoạt động · Nam 3 · Nữ 7</span>"), "{h}");
        assert!(h.contains("<rect width=\"300\" height=\"16\" class=\"m\"></rect><rect x=\"300\" width=\"700\" height=\"16\" class=\"f\">"), "{h}");
        assert!(h.contains("Tháng 1/2026</span><span class=\"sub\">0 hoạt động · Nam 0 · Nữ 0</span></li>"), "{h}");
    }
}
