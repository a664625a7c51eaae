//! Field values once read from a record's JSON and checked against their field's type.

use chrono::{NaiveDate, NaiveTime};

use crate::grid::Grid;

/// A typed answer. Which variant a field holds follows from its `FieldType`.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    Time(NaiveTime),
    Choices(Vec<String>),
    Grid(Grid),
    /// The photos a `photo` field names, in the order taken.
    Photos(Vec<crate::evidence::PhotoRef>),
    Point(crate::evidence::GeoPoint),
}

impl FieldValue {
    /// The JSON a record stores for this value (the inverse of reading it).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            FieldValue::Text(t) => J::String(t.clone()),
            FieldValue::Number(n) => number_json(*n),
            FieldValue::Bool(b) => J::Bool(*b),
            FieldValue::Date(d) => J::String(crate::dates::iso_date(*d)),
            FieldValue::Time(t) => J::String(crate::dates::format_time(*t)),
            FieldValue::Choices(c) => J::Array(c.iter().cloned().map(J::String).collect()),
            FieldValue::Grid(g) => J::Array(g.cells.iter().map(cell_json).collect()),
            FieldValue::Photos(p) => crate::evidence::photos_json(p),
            FieldValue::Point(p) => crate::evidence::geopoint_json(p),
        }
    }
}

/// A grid cell as stored, built directly: the serde path costs several times more, and
/// normalizing grids is most of what storing a record costs.
fn cell_json(cell: &crate::grid::GridCell) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("ethnicity".into(), cell.ethnicity.clone().into());
    m.insert("sex".into(), if cell.sex == crate::grid::Sex::Male { "male" } else { "female" }.into());
    if let Some(group) = &cell.group {
        m.insert("group".into(), group.clone().into());
    }
    m.insert("count".into(), cell.count.into());
    serde_json::Value::Object(m)
}

/// Whole numbers stay integers in JSON so a record round-trips byte for byte.
fn number_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// A number as people read it: whole numbers without a fraction, others rounded to at most
/// six decimals with `decimal_mark` (`,` in Vietnamese, `.` in English). Written by hand
/// because Rust's float formatting is ~15 KB of code every phone would download.
pub fn number_text(n: f64, decimal_mark: char) -> String {
    if !n.is_finite() {
        return "?".into();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let micros = (n.abs() * 1e6).round();
    if micros >= 9.0e15 {
        return format!("{sign}{}", n.abs() as u64);
    }
    let micros = micros as u64;
    let (whole, fraction) = (micros / 1_000_000, micros % 1_000_000);
    let sign = if whole == 0 && fraction == 0 { "" } else { sign };
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{fraction:06}");
    format!("{sign}{whole}{decimal_mark}{}", digits.trim_end_matches('0'))
}

/// Reads a decimal written with digits, at most one `.` and an optional sign: `12`, `-0.5`,
/// `.5`, `5.`. The digits go through serde_json's number reader, which every phone has
/// anyway; `str::parse::<f64>` would add ~15 KB of tables to the PWA for the same answer.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, fraction) = body.split_once('.').unwrap_or((body, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.len() + fraction.len() == 0 || !all_digits(int) || !all_digits(fraction) {
        return None;
    }
    // JSON's grammar wants a digit before the point and no leading zeros.
    let int = match int.trim_start_matches('0') {
        "" => "0",
        digits => digits,
    };
    let json = if fraction.is_empty() { int.to_owned() } else { format!("{int}.{fraction}") };
    let n: f64 = serde_json::from_str(&json).ok()?;
    n.is_finite().then_some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_read_as_people_write_them() {
        for (n, vi, en) in [
            (0.0, "0", "0"),
            (-0.0, "0", "0"),
            (12.0, "12", "12"),
            (-3.0, "-3", "-3"),
            (0.5, "0,5", "0.5"),
            (2.25, "2,25", "2.25"),
            (-1.125, "-1,125", "-1.125"),
            (1.0 / 3.0, "0,333333", "0.333333"),
            (0.0000001, "0", "0"),
            (1e16, "10000000000000000", "10000000000000000"),
        ] {
            assert_eq!(super::number_text(n, ','), vi, "{n}");
            assert_eq!(super::number_text(n, '.'), en, "{n}");
        }
    }

    #[test]
    fn decimals_are_read_as_typed() {
        for (text, n) in
            [("12", 12.0), ("-0.5", -0.5), (".5", 0.5), ("5.", 5.0), ("007.250", 7.25), (" +3 ", 3.0), ("0", 0.0)]
        {
            assert_eq!(super::parse_decimal(text), Some(n), "{text:?}");
        }
        for text in ["", ".", "-", "1.2.3", "1e3", "inf", "NaN", "1,5", "--1", "0x10", "1 000"] {
            assert_eq!(super::parse_decimal(text), None, "{text:?}");
        }
        assert_eq!(super::parse_decimal(&"9".repeat(400)), None, "beyond f64");
    }
}
