//! The report screens' figures as HTML: tiles of totals and bar charts by sex (by form, with
//! each form's report figures, by ethnic group, by month) drawn as inline SVG. Built as text,
//! every name escaped, and set as a section's content: the same markup as `html!` nodes
//! would take several times the code on every phone.

use std::fmt::Write;

use device::ReportSummary;
use forms::grid::BySex;
use forms::Lang;

use crate::i18n::{self, texts, Texts};
use crate::summary;

/// Ethnic groups shown by name in the chart; the others are summed as "Khác".
const TOP_GROUPS: usize = 5;

/// `text` safe inside HTML text and quoted attributes.
pub fn esc(text: &str) -> String {
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

/// The summary as HTML: totals, activities, participants and report figures by form,
/// participants by ethnic group. Built as text (every name escaped) and set as the section's content: the
/// same markup as `html!` nodes would take several times the code on every phone.
pub fn figures(lang: Lang, s: &ReportSummary) -> String {
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
        for figure in &f.figures {
            let _ = write!(sub, "</span><span class=\"sub\">{}: <b>{}</b>", esc(figure.label.get(lang)), figure.value);
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

/// A year month by month, as the other charts: a stacked bar (men, women) a month, with its
/// activities and participants by sex written under the month.
pub fn trend(lang: Lang, year: i32, months: &[(u64, BySex)]) -> String {
    let t = texts(lang);
    let mut h = String::new();
    chart(&mut h, t, t.by_month);
    let max = months.iter().map(|(_, p)| p.total()).max().unwrap_or(0).max(1);
    for (i, (activities, people)) in months.iter().enumerate() {
        let sub = format!("{} · {}", i18n::activities_n(lang, *activities), i18n::by_sex(lang, *people));
        bar(&mut h, &format!("{} {}/{year}", t.month, i + 1), &sub, *people, max);
    }
    h.push_str("</ul>");
    h
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
            figures: Vec::new(),
        };
        let mut check = form("Kiểm tra", 1, 0, 0);
        check.figures = vec![device::ReportFigure {
            field: "model_active".into(),
            label: Localized::new("Đang <hoạt động>", "Active"),
            value: 1,
        }];
        let s = ReportSummary {
            forms: vec![form("Họp <dân> & \"hội\"", 2, 10, 30), check, form("Không có", 0, 0, 0)],
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
        assert!(
            h.contains("Kiểm tra</span><span class=\"sub\">1 hoạt động</span><span class=\"sub\">Đang &lt;hoạt động>: <b>1</b></span></li>"),
            "a report figure on a line of its own, escaped: {h}"
        );
        assert!(!h.contains("Không có"), "forms without activities are left out: {h}");
        let empty = figures(Lang::En, &ReportSummary::default());
        assert!(empty.contains("No activities in this period.") && !empty.contains("<svg"), "{empty}");
    }
    #[test]
    fn a_year_by_month_is_a_bar_a_month_to_scale() {
        let mut months = vec![(0, BySex::default()); 12];
        months[10] = (2, BySex { male: 3, female: 7 });
        months[1] = (1, BySex { male: 5, female: 0 });
        let h = trend(Lang::Vi, 2026, &months);
        assert_eq!(h.matches("<li>").count(), 12, "{h}");
        assert!(h.starts_with("<h2>Theo tháng</h2>"), "{h}");
        assert!(h.contains("Tháng 11/2026</span><span class=\"sub\">2 hoạt động · Nam 3 · Nữ 7</span>"), "{h}");
        assert!(h.contains("width=\"300\" height=\"16\"/><rect class=\"f\" x=\"300\" width=\"700\""), "{h}");
        assert!(h.contains("Tháng 1/2026</span><span class=\"sub\">0 hoạt động · Nam 0 · Nữ 0</span></li>"), "{h}");
    }
}
