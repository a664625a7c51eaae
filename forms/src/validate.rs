//! Validation of a record's values against a compiled form.
//!
//! One pass over the fields in order: skip logic, reading each answer into its typed form,
//! bounds, choices, grid cells, required, constraints, and calculated values. Every error is
//! collected; none stops the others. Any JSON at all is accepted as input without panicking.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveTime};
use serde_json::{Map, Value as Json};

use crate::definition::FieldType;
use crate::expr::{eval, Env, Value};
use crate::form::{CompiledField, CompiledGrid, Form};
use crate::grid::{Grid, GridCell, Sex};
use crate::messages::{self as msg, ErrorCode, FieldError};
use crate::value::{FieldValue, DATE_FORMAT, TIME_FORMAT};

/// How strict to be. A draft may be incomplete: only the shape of what is there is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Draft,
    Final,
}

/// The record's values as the server stores them: answers that are not relevant dropped,
/// calculated fields computed, grids without their zero cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub values: Map<String, Json>,
    /// Typed answers by field slot, for callers that aggregate (grid counts).
    pub typed: Vec<Option<FieldValue>>,
}

impl Form {
    pub fn validate(&self, values: &Json, mode: Mode) -> Result<Validated, Vec<FieldError>> {
        let Json::Object(input) = values else {
            return Err(vec![FieldError::new(
                "",
                ErrorCode::NotAnObject,
                msg::not_an_object(),
            )]);
        };
        let mut errors = Vec::new();
        for key in input.keys() {
            if self.field(key).is_none() {
                errors.push(FieldError::new(
                    key,
                    ErrorCode::UnknownField,
                    msg::unknown_field(key),
                ));
            }
        }

        let mut slots: Vec<Option<FieldValue>> = vec![None; self.fields.len()];
        let mut section_relevant = (usize::MAX, true);
        for (i, field) in self.fields.iter().enumerate() {
            if section_relevant.0 != field.section {
                let rel = self.sections[field.section].relevant.as_ref();
                section_relevant = (field.section, holds(rel.map(|r| &r.expr), &slots));
            }
            if !section_relevant.1 || !holds(field.relevant.as_ref().map(|r| &r.expr), &slots) {
                continue;
            }
            if let Some(calc) = &field.calculate {
                slots[i] = eval(
                    &calc.expr,
                    &Env {
                        slots: &slots,
                        current: None,
                    },
                )
                .to_field_value();
                continue;
            }
            if !field.field_type.holds_value() {
                continue;
            }
            let before = errors.len();
            let value = match input.get(&field.name) {
                None | Some(Json::Null) => None,
                Some(raw) => read(field, raw, &mut errors),
            };
            match &value {
                None if field.required && mode == Mode::Final && errors.len() == before => {
                    errors.push(FieldError::new(
                        &field.name,
                        ErrorCode::Required,
                        msg::required(),
                    ));
                }
                Some(v) if mode == Mode::Final && errors.len() == before => {
                    if let Some(c) = &field.constraint {
                        if eval(
                            &c.expr,
                            &Env {
                                slots: &slots,
                                current: Some(v),
                            },
                        ) == Value::Bool(false)
                        {
                            let message = field.constraint_message.clone();
                            errors.push(FieldError::new(
                                &field.name,
                                ErrorCode::Constraint,
                                message,
                            ));
                        }
                    }
                }
                _ => {}
            }
            slots[i] = value;
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        let values = self
            .fields
            .iter()
            .zip(&slots)
            .filter_map(|(f, v)| Some((f.name.clone(), v.as_ref()?.to_json())))
            .collect();
        Ok(Validated {
            values,
            typed: slots,
        })
    }
}

/// Skip logic holds only when the expression is `true`; no expression always holds.
fn holds(expr: Option<&crate::expr::Expr>, slots: &[Option<FieldValue>]) -> bool {
    expr.is_none_or(|e| {
        eval(
            e,
            &Env {
                slots,
                current: None,
            },
        ) == Value::Bool(true)
    })
}

/// Reads one answer into its typed form, pushing what is wrong with it.
fn read(field: &CompiledField, raw: &Json, errors: &mut Vec<FieldError>) -> Option<FieldValue> {
    let name = field.name.as_str();
    let wrong = |errors: &mut Vec<FieldError>| {
        errors.push(FieldError::new(
            name,
            ErrorCode::WrongType,
            msg::wrong_type(field.field_type),
        ));
        None
    };
    let value = match (field.field_type, raw) {
        (FieldType::Text | FieldType::LongText, Json::String(s)) => {
            let max = field.max_length.unwrap_or(usize::MAX);
            // Byte length bounds character count from above: count only when it might matter.
            if s.len() > max && s.chars().count() > max {
                errors.push(FieldError::new(
                    name,
                    ErrorCode::TooLong,
                    msg::too_long(max),
                ));
            }
            let trimmed = s.trim();
            if trimmed.is_empty() {
                return None;
            }
            FieldValue::Text(trimmed.to_owned())
        }
        (FieldType::Integer, Json::Number(n)) => match n.as_i64() {
            Some(i) => FieldValue::Number(i as f64),
            None => return wrong(errors),
        },
        (FieldType::Decimal, Json::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => FieldValue::Number(x),
            _ => return wrong(errors),
        },
        (FieldType::Date, Json::String(s)) => match NaiveDate::parse_from_str(s, DATE_FORMAT) {
            Ok(d) if s.len() == 10 => FieldValue::Date(d),
            _ => return wrong(errors),
        },
        (FieldType::Time, Json::String(s)) => match NaiveTime::parse_from_str(s, TIME_FORMAT) {
            Ok(t) if s.len() == 5 => FieldValue::Time(t),
            _ => return wrong(errors),
        },
        (FieldType::SelectOne, Json::String(s)) => {
            check_choice(field, s, errors);
            FieldValue::Text(s.clone())
        }
        (FieldType::SelectMultiple, Json::Array(items)) => {
            let mut chosen: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let Json::String(s) = item else {
                    return wrong(errors);
                };
                if chosen.contains(s) {
                    errors.push(FieldError::new(
                        name,
                        ErrorCode::RepeatedOption,
                        msg::repeated_option(s),
                    ));
                } else {
                    check_choice(field, s, errors);
                    chosen.push(s.clone());
                }
            }
            if chosen.is_empty() {
                return None;
            }
            FieldValue::Choices(chosen)
        }
        (FieldType::YesNo, Json::Bool(b)) => FieldValue::Bool(*b),
        (FieldType::CountGrid, Json::Array(cells)) => match &field.grid {
            Some(spec) => FieldValue::Grid(read_grid(name, spec, cells, errors)?),
            None => return wrong(errors),
        },
        _ => return wrong(errors),
    };
    if let FieldValue::Number(n) = value {
        if field.min.is_some_and(|min| n < min) {
            errors.push(FieldError::new(
                name,
                ErrorCode::BelowMin,
                msg::below_min(field.min.unwrap_or_default()),
            ));
        }
        if field.max.is_some_and(|max| n > max) {
            errors.push(FieldError::new(
                name,
                ErrorCode::AboveMax,
                msg::above_max(field.max.unwrap_or_default()),
            ));
        }
    }
    Some(value)
}

fn check_choice(field: &CompiledField, value: &str, errors: &mut Vec<FieldError>) {
    if field.choices.as_ref().is_some_and(|c| !c.contains(value)) {
        errors.push(FieldError::new(
            &field.name,
            ErrorCode::NotAnOption,
            msg::not_an_option(value),
        ));
    }
}

/// A grid's cells: each names a known ethnic group, a sex, the further dimension where the
/// grid has one, and a count within bounds; each (ethnicity, sex, group) appears once.
fn read_grid(
    name: &str,
    spec: &CompiledGrid,
    cells: &[Json],
    errors: &mut Vec<FieldError>,
) -> Option<Grid> {
    let before = errors.len();
    let mut out = Vec::with_capacity(cells.len());
    let mut seen = HashSet::with_capacity(cells.len());
    for (i, raw) in cells.iter().enumerate() {
        let mut err = |code, message| errors.push(FieldError::new(name, code, message).in_cell(i));
        let Json::Object(cell) = raw else {
            err(ErrorCode::WrongType, msg::wrong_type(FieldType::CountGrid));
            continue;
        };
        let text = |key: &str| cell.get(key).and_then(Json::as_str);
        let sex = text("sex").and_then(Sex::parse);
        let count = cell
            .get("count")
            .and_then(Json::as_u64)
            .and_then(|n| u32::try_from(n).ok());
        let known_keys = cell
            .keys()
            .all(|k| matches!(k.as_str(), "ethnicity" | "sex" | "group" | "count"));
        let (Some(ethnicity), Some(sex), Some(count), true) =
            (text("ethnicity"), sex, count, known_keys)
        else {
            err(ErrorCode::WrongType, msg::wrong_type(FieldType::CountGrid));
            continue;
        };
        if !spec.ethnicities.contains(ethnicity) {
            err(
                ErrorCode::UnknownEthnicity,
                msg::unknown_ethnicity(ethnicity),
            );
        }
        let group = match (&spec.group, cell.get("group")) {
            (None, None | Some(Json::Null)) => None,
            (Some((_, label, _)), None | Some(Json::Null)) => {
                err(ErrorCode::GroupMissing, msg::group_missing(label));
                None
            }
            (Some((_, label, values)), Some(g)) => match g.as_str() {
                Some(g) if values.contains(g) => Some(g.to_owned()),
                _ => {
                    err(
                        ErrorCode::UnknownGroup,
                        msg::unknown_group(&g.to_string(), label),
                    );
                    None
                }
            },
            (None, Some(_)) => {
                err(ErrorCode::WrongType, msg::wrong_type(FieldType::CountGrid));
                None
            }
        };
        if count > spec.max_cell {
            err(ErrorCode::CellTooLarge, msg::cell_too_large(spec.max_cell));
        }
        if !seen.insert((ethnicity, sex, group.clone())) {
            err(ErrorCode::RepeatedCell, msg::repeated_cell());
        }
        if count > 0 {
            out.push(GridCell {
                ethnicity: ethnicity.to_owned(),
                sex,
                group,
                count,
            });
        }
    }
    if errors.len() > before {
        return None;
    }
    (!out.is_empty()).then_some(Grid { cells: out })
}
