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
