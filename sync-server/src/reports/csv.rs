//! CSV: UTF-8 with a byte-order mark (without it Excel reads Vietnamese as mojibake),
//! comma-separated, CRLF line ends, fields quoted when they need it (RFC 4180).
//!
//! Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is written with
//! a leading apostrophe: raw exports hold what users typed.

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

fn field(out: &mut impl Write, text: &str) -> io::Result<()> {
    let formula = text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err();
    let text = if formula { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", text.replace('"', "\"\""))
    } else {
        out.write_all(text.as_bytes())
    }
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
}
