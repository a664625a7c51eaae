//! The annual report as one self-contained HTML page, to read on a screen and print: the same
//! tables as the workbook ([`AnnualReport::sheets`]), Vietnamese headings in two rows, counts
//! with Vietnamese digit grouping (`1.234`), shares with a decimal comma (`58,3`).
//!
//! No script, no external resource (styles inline), every text escaped: the PWA shows the
//! page in a frame of its own document. `@media print` puts each table on its own A4
//! landscape page with its headings repeated on every page.

use std::fmt::Write;

use super::annual::{AnnualReport, HeaderGroup, Sheet, Value};

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:12px;color:#000;background:#fff;font:15px/1.4 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif}\
h1{font-size:19px;margin:0 0 6px}h2{font-size:17px;margin:0 0 6px}\
p{margin:2px 0}.sub{color:#222}.note{font-style:italic;margin-top:4px}\
section{margin:0 0 28px}\
.wrap{overflow-x:auto;margin-top:8px}\
table{border-collapse:collapse}\
th,td{border:1px solid #555;padding:4px 6px;vertical-align:top}\
th{background:#ddebf7;text-align:center;vertical-align:middle}\
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
tfoot td{font-weight:bold;background:#f2f2f2}\
@page{size:A4 landscape;margin:10mm}\
@media print{body{margin:0;font-size:9pt}h1{font-size:13pt}h2{font-size:12pt}\
section{margin:0}section+section{break-before:page}.wrap{overflow:visible}\
thead{display:table-header-group}tr{break-inside:avoid}\
th,tfoot td{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// `text` safe in HTML text and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1234567` as `1.234.567`, as Vietnamese documents group digits.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(d);
    }
    out
}

/// A share 0–1 as a percentage with one decimal and a decimal comma (`58,3`); `–` without
/// participants.
pub fn share(s: Option<f64>) -> String {
    match s {
        Some(s) => {
            let tenths = (s * 1000.0).round() as u64;
            format!("{},{}", tenths / 10, tenths % 10)
        }
        None => "–".into(),
    }
}

fn cell(h: &mut String, v: &Value) {
    match v {
        Value::Text(t) => {
            let _ = write!(h, "<td>{}</td>", escape(t));
        }
        Value::Count(n) => {
            let _ = write!(h, "<td class=\"n\">{}</td>", count(*n));
        }
        Value::Number(n) => {
            let sign = if *n < 0 { "−" } else { "" };
            let _ = write!(h, "<td class=\"n\">{sign}{}</td>", count(n.unsigned_abs()));
        }
        Value::Share(s) => {
            let _ = write!(h, "<td class=\"n\">{}</td>", share(*s));
        }
    }
}

fn header(h: &mut String, groups: &[HeaderGroup]) {
    h.push_str("<thead><tr>");
    for g in groups {
        if g.columns.is_empty() {
            let _ = write!(h, "<th rowspan=\"2\" scope=\"col\">{}</th>", escape(&g.title));
        } else {
            let _ = write!(h, "<th colspan=\"{}\" scope=\"colgroup\">{}</th>", g.columns.len(), escape(&g.title));
        }
    }
    h.push_str("</tr><tr>");
    for c in groups.iter().flat_map(|g| &g.columns) {
        let _ = write!(h, "<th scope=\"col\">{}</th>", escape(c));
    }
    h.push_str("</tr></thead>");
}

fn sheet(h: &mut String, s: &Sheet, first: bool) {
    let level = if first { 1 } else { 2 };
    let _ = write!(h, "<section><h{level}>{}</h{level}>", escape(&s.title));
    for line in &s.subtitle {
        let _ = write!(h, "<p class=\"sub\">{}</p>", escape(line));
    }
    h.push_str("<div class=\"wrap\"><table>");
    header(h, &s.header);
    h.push_str("<tbody>");
    for row in &s.rows {
        h.push_str("<tr>");
        row.iter().for_each(|v| cell(h, v));
        h.push_str("</tr>");
    }
    h.push_str("</tbody><tfoot><tr>");
    s.total.iter().for_each(|v| cell(h, v));
    h.push_str("</tr></tfoot></table></div>");
    if let Some(note) = &s.note {
        let _ = write!(h, "<p class=\"note\">{}</p>", escape(note));
    }
    h.push_str("</section>");
}

/// The whole report as an HTML document (UTF-8).
pub fn annual(report: &AnnualReport) -> String {
    let sheets = report.sheets();
    let mut h = String::with_capacity(16 * 1024);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Báo cáo bình đẳng giới năm {} – {}</title><style>{STYLE}</style></head><body>",
        report.year,
        escape(&report.scope.vi)
    );
    for (i, s) in sheets.iter().enumerate() {
        sheet(&mut h, s, i == 0);
    }
    h.push_str("</body></html>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_vietnamese_way() {
        let cases = [(0, "0"), (7, "7"), (999, "999"), (1000, "1.000"), (1234567, "1.234.567"), (100000, "100.000")];
        for (n, text) in cases {
            assert_eq!(count(n), text);
        }
        assert_eq!(share(Some(0.5833)), "58,3");
        assert_eq!(share(Some(1.0)), "100,0");
        assert_eq!(share(Some(0.0)), "0,0");
        assert_eq!(share(None), "–");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<b>Họp \"dân\" & 'bản'</b>"), "&lt;b&gt;Họp &quot;dân&quot; &amp; &#39;bản&#39;&lt;/b&gt;");
    }
}
