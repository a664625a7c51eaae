//! What changed between two revisions of a record, field by field in the form's order,
//! and a count grid cell by cell (ethnicity × group × sex). The server sends it with a
//! record's history; the PWA and the console show it with the form's labels. Pure: both
//! sides see the same differences.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::definition::{FieldType, FormDefinition};
use crate::grid::{Grid, Sex};
use crate::Localized;

/// One answer that differs between two revisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    /// The field's label in the newer revision's form; the field name where the form no
    /// longer has it.
    pub label: Localized,
    #[serde(flatten)]
    pub change: ChangeKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A plain answer: `null` where it was (or became) unanswered.
    Value { before: Json, after: Json },
    /// A count grid: only the cells whose count changed, in order of ethnicity, group, sex.
    Grid { cells: Vec<CellChange> },
}

/// One grid cell whose count differs (0 where the cell was not written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellChange {
    pub ethnicity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub sex: Sex,
    pub before: u32,
    pub after: u32,
}

/// The answers that differ from `before` to `after`, in the order of `form`'s fields (those
/// it calculates aside), then
/// any answers the form does not know (or all, without the form) by name.
pub fn diff(form: Option<&FormDefinition>, before: &Map<String, Json>, after: &Map<String, Json>) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for field in form.into_iter().flat_map(|f| &f.sections).flat_map(|s| &s.fields) {
        seen.push(&field.name);
        // Worked out from other answers (totals of a grid): the answers they come from say
        // what the officer changed.
        if field.calculate.is_some() {
            continue;
        }
        let (old, new) = (before.get(&field.name), after.get(&field.name));
        let kind =
            if field.field_type == FieldType::CountGrid { grid_change(old, new) } else { value_change(old, new) };
        if let Some(change) = kind {
            changes.push(FieldChange { field: field.name.clone(), label: field.label.clone(), change });
        }
    }
    let mut unknown: Vec<&String> =
        before.keys().chain(after.keys()).filter(|name| !seen.contains(&name.as_str())).collect();
    unknown.sort();
    unknown.dedup();
    for name in unknown {
        if let Some(change) = value_change(before.get(name), after.get(name)) {
            changes.push(FieldChange { field: name.clone(), label: Localized::new(name, name), change });
        }
    }
    changes
}

fn value_change(old: Option<&Json>, new: Option<&Json>) -> Option<ChangeKind> {
    let (old, new) = (old.cloned().unwrap_or(Json::Null), new.cloned().unwrap_or(Json::Null));
    (old != new).then_some(ChangeKind::Value { before: old, after: new })
}

type CellKey = (String, Option<String>, Sex);

fn cells_of(value: Option<&Json>) -> BTreeMap<CellKey, u32> {
    let grid: Grid = value.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
    let mut cells = BTreeMap::new();
    for cell in grid.cells {
        *cells.entry((cell.ethnicity, cell.group, cell.sex)).or_insert(0) += cell.count;
    }
    cells
}

fn grid_change(old: Option<&Json>, new: Option<&Json>) -> Option<ChangeKind> {
    let (old, new) = (cells_of(old), cells_of(new));
    let mut keys: Vec<&CellKey> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let cells: Vec<CellChange> = keys
        .into_iter()
        .filter_map(|key| {
            let (before, after) = (old.get(key).copied().unwrap_or(0), new.get(key).copied().unwrap_or(0));
            (before != after).then(|| CellChange {
                ethnicity: key.0.clone(),
                group: key.1.clone(),
                sex: key.2,
                before,
                after,
            })
        })
        .collect();
    (!cells.is_empty()).then_some(ChangeKind::Grid { cells })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form() -> FormDefinition {
        serde_json::from_value(json!({
            "id": "f", "version": 1, "plan_area": "training", "title": {"vi": "F", "en": "F"},
            "date_field": "d",
            "sections": [{"id": "s", "title": {"vi": "S", "en": "S"}, "fields": [
                {"name": "d", "type": "date", "label": {"vi": "Ngày", "en": "Date"}},
                {"name": "notes", "type": "text", "label": {"vi": "Ghi chú", "en": "Notes"}},
                {"name": "total", "type": "integer", "label": {"vi": "Tổng", "en": "Total"}, "calculate": "grid_total(people)"},
                {"name": "people", "type": "count_grid", "label": {"vi": "Người", "en": "People"},
                 "grid": {"shortlist": "quang_ngai", "group": {"name": "age", "label": {"vi": "Tuổi", "en": "Age"},
                   "options": [{"value": "a", "label": {"vi": "A", "en": "A"}}, {"value": "b", "label": {"vi": "B", "en": "B"}}]}}}
            ]}]
        }))
        .expect("a valid definition")
    }

    fn answers(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn changes_are_listed_in_form_order_with_grid_cells() {
        let def = form();
        let cases: Vec<(&str, Json, Json, Json)> = vec![
            (
                "nothing changed",
                json!({"d": "2026-11-20", "notes": "x"}),
                json!({"d": "2026-11-20", "notes": "x"}),
                json!([]),
            ),
            (
                "a value edited and one cleared",
                json!({"d": "2026-11-20", "notes": "x"}),
                json!({"d": "2026-11-21"}),
                json!([
                    {"field": "d", "label": {"vi": "Ngày", "en": "Date"}, "kind": "value", "before": "2026-11-20", "after": "2026-11-21"},
                    {"field": "notes", "label": {"vi": "Ghi chú", "en": "Notes"}, "kind": "value", "before": "x", "after": null}
                ]),
            ),
            (
                "grid cells by ethnicity, group and sex; unchanged cells and calculations left out",
                json!({"total": 8, "people": [
                    {"ethnicity": "01", "sex": "female", "group": "a", "count": 5},
                    {"ethnicity": "01", "sex": "male", "group": "a", "count": 3}]}),
                json!({"total": 12, "people": [
                    {"ethnicity": "01", "sex": "female", "group": "a", "count": 7},
                    {"ethnicity": "01", "sex": "male", "group": "a", "count": 3},
                    {"ethnicity": "17", "sex": "male", "group": "b", "count": 2}]}),
                json!([{"field": "people", "label": {"vi": "Người", "en": "People"}, "kind": "grid", "cells": [
                    {"ethnicity": "01", "group": "a", "sex": "female", "before": 5, "after": 7},
                    {"ethnicity": "17", "group": "b", "sex": "male", "before": 0, "after": 2}]}]),
            ),
            (
                "a deletion clears every answer; unknown fields by name",
                json!({"notes": "x", "old_field": 3}),
                json!({}),
                json!([
                    {"field": "notes", "label": {"vi": "Ghi chú", "en": "Notes"}, "kind": "value", "before": "x", "after": null},
                    {"field": "old_field", "label": {"vi": "old_field", "en": "old_field"}, "kind": "value", "before": 3, "after": null}
                ]),
            ),
        ];
        for (name, before, after, want) in cases {
            let got = serde_json::to_value(diff(Some(&def), &answers(before), &answers(after))).unwrap();
            assert_eq!(got, want, "{name}");
        }
    }
}
