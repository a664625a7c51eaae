//! CSV: UTF-8 with a byte-order mark (without it Excel reads Vietnamese as mojibake),
//! comma-separated, CRLF line ends, fields quoted when they need it (RFC 4180).
//!
//! Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is written with
//! a leading apostrophe: raw exports hold what users typed. Spreadsheets set to split on
//! `;` or tab (Excel in many locales) cut a field there, so every part between separators
//! is defused, and a field holding any separator is quoted.

use std::io::{self, Write};

use forms::dates::iso_date;

use super::annual::{AnnualReport, Value};
use super::raw::{RawPlan, RawValue};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One CSV line.
pub fn line<S: AsRef<str>>(out: &mut impl Write, cells: impl IntoIterator<Item = S>) -> io::Result<()> {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        field(out, cell.as_ref())?;
    }
    out.write_all(b"\r\n")
}

/// Characters a spreadsheet program may split a line on, depending on its locale.
const SEPARATORS: [char; 3] = [',', ';', '\t'];

fn field(out: &mut impl Write, text: &str) -> io::Result<()> {
    let text = defused(text);
    if text.contains(SEPARATORS) || text.contains(['"', '\n', '\r']) {
        write!(out, "\"{}\"", text.replace('"', "\"\""))
    } else {
        out.write_all(text.as_bytes())
    }
}

/// `text` with an apostrophe before every part (between separators and line breaks) that
/// a spreadsheet would read as a formula. A number is left alone (`-5`), but only where it
/// is the whole part: `-5;=1` is not a number, so as one cell it is a formula too.
fn defused(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| SEPARATORS.contains(&c) || c == '\n' || c == '\r').unwrap_or(rest.len());
        let (part, after) = rest.split_at(end);
        let content = part.trim_start_matches([' ', '\u{a0}']);
        let lead = &part[..part.len() - content.len()];
        let first = out.is_empty() && lead.is_empty();
        // The first part stands for the whole field in a comma-separated program.
        let number = if first { text.trim().parse::<f64>().is_ok() } else { content.trim().parse::<f64>().is_ok() };
        out.push_str(lead);
        if content.starts_with(['=', '+', '-', '@']) && !number {
            out.push('\'');
        }
        out.push_str(content);
        let Some(separator) = after.chars().next() else { break };
        out.push(separator);
        rest = &after[separator.len_utf8()..];
    }
    out
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Count(n) => n.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Share(Some(s)) => format!("{:.1}", s * 100.0),
        Value::Share(None) => String::new(),
    }
}

/// The annual report: one block per table (title, notes, one heading line, rows, total),
/// blocks separated by an empty line.
pub fn annual(report: &AnnualReport) -> io::Result<Vec<u8>> {
    let mut out = BOM.to_vec();
    for sheet in report.sheets() {
        line(&mut out, [&sheet.title])?;
        for s in &sheet.subtitle {
            line(&mut out, [s])?;
        }
        let headings = sheet.header.iter().flat_map(|g| {
            if g.columns.is_empty() {
                vec![g.title.clone()]
            } else {
                g.columns.iter().map(|c| format!("{} - {c}", g.title)).collect()
            }
        });
        line(&mut out, headings)?;
        for row in sheet.rows.iter().chain([&sheet.total]) {
            line(&mut out, row.iter().map(value_text))?;
        }
        if let Some(note) = &sheet.note {
            line(&mut out, [format!("Ghi chú: {note}")])?;
        }
        out.write_all(b"\r\n")?;
    }
    Ok(out)
}

/// The heading line of a raw export, after the byte-order mark.
pub fn raw_header(plan: &RawPlan, out: &mut impl Write) -> io::Result<()> {
    out.write_all(BOM)?;
    line(out, plan.columns.iter().map(|c| c.csv_heading()))
}

/// Rows of a raw export.
pub fn raw_rows<'r>(
    plan: &RawPlan,
    records: impl IntoIterator<Item = &'r forms::Record>,
    out: &mut impl Write,
) -> io::Result<()> {
    for record in records {
        line(
            out,
            plan.row(record).into_iter().map(|v| match v {
                RawValue::Empty => String::new(),
                RawValue::Text(t) => t,
                RawValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => format!("{}", n as i64),
                RawValue::Number(n) => n.to_string(),
                RawValue::Date(d) => iso_date(d),
            }),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut out = Vec::new();
        line(&mut out, ["a", "b,c", "say \"hi\"", "=1+1", "-5", "Hrê\nCo", ""]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,\"b,c\",\"say \"\"hi\"\"\",'=1+1,-5,\"Hrê\nCo\",\r\n");
    }

    /// Each part a spreadsheet may split a field into is defused, and such a field quoted.
    #[test]
    fn every_part_a_spreadsheet_may_split_on_is_defused() {
        let cases = [
            ("+1;=2+2", "\"'+1;'=2+2\""),
            ("ghi chú;=HYPERLINK(\"x\")", "\"ghi chú;'=HYPERLINK(\"\"x\"\")\""),
            ("a\t@SUM(A1)", "\"a\t'@SUM(A1)\""),
            ("x, -2+3", "\"x, '-2+3\""),
            ("dòng 1\n=1", "\"dòng 1\n'=1\""),
            ("-5;=1", "\"'-5;'=1\""),
            ("-5", "-5"),
            ("+84 912", "'+84 912"),
            ("3;4", "\"3;4\""),
            (" =1", " '=1"),
            ("", ""),
        ];
        for (input, expected) in cases {
            let mut out = Vec::new();
            field(&mut out, input).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{input:?}");
        }
    }
}
