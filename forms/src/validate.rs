//! Validation of a record's values against a compiled form.
//!
//! One pass over the fields in order: skip logic, reading each answer into its typed form,
//! bounds, choices, grid cells, required, constraints, and calculated values. Every error is
//! collected; none stops the others. Any JSON at all is accepted as input without panicking.

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use crate::definition::FieldType;
use crate::expr::{eval, Env, Value};
use crate::form::{CompiledField, CompiledGrid, Form};
use crate::grid::{Grid, GridCell, Sex};
use crate::messages::{self as msg, ErrorCode, FieldError};
use crate::value::FieldValue;

/// How strict to be. A draft may be incomplete: only the shape of what is there is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Draft,
    Final,
}

/// A record's answers once valid: answers that are not relevant dropped, calculated fields
/// computed, grids without their zero cells. Typed, so callers that aggregate (grid counts)
/// need not read JSON again; [`Validated::values`] gives the JSON to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    names: Arc<[String]>,
    /// Typed answers by field slot.
    pub typed: Vec<Option<FieldValue>>,
}

impl Validated {
    /// The answers as stored: field name → JSON value, only answered fields.
    pub fn values(&self) -> Map<String, Json> {
        // Inserted one by one: `collect` into a map sorts first, a sort compiled for this
        // type alone, in every phone's download.
        let mut values = Map::new();
        for (name, v) in self.answers() {
            values.insert(name.to_owned(), v.to_json());
        }
        values
    }

    /// Answered fields by name, in form order.
    pub fn answers(&self) -> impl Iterator<Item = (&str, &FieldValue)> {
        self.names.iter().zip(&self.typed).filter_map(|(n, v)| Some((n.as_str(), v.as_ref()?)))
    }

    /// A tombstone keeps no answers: what was deleted is not kept around.
    pub(crate) fn empty() -> Self {
        Self { names: Arc::from(Vec::new()), typed: Vec::new() }
    }
}

impl Form {
    /// Validates any JSON; only an object can hold a record's answers.
    pub fn validate(&self, values: &Json, mode: Mode) -> Result<Validated, Vec<FieldError>> {
        match values {
            Json::Object(input) => self.validate_answers(input, mode),
            _ => Err(vec![FieldError::new("", ErrorCode::NotAnObject, msg::not_an_object())]),
        }
    }

    /// Validates a record's answers, by field name.
    pub fn validate_answers(&self, input: &Map<String, Json>, mode: Mode) -> Result<Validated, Vec<FieldError>> {
        let mut errors = Vec::new();
        for key in input.keys() {
            if !self.field(key).is_some_and(|f| f.field_type.holds_value()) {
                errors.push(FieldError::new(key, ErrorCode::UnknownField, msg::unknown_field(key)));
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
                slots[i] = eval(&calc.expr, &Env { slots: &slots, current: None }).to_field_value();
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
            // An answer with an error counts as empty for the fields after it, so that one
            // mistake gives one message rather than a cascade.
            let value = if errors.len() > before { None } else { value };
            match &value {
                None if field.required && mode == Mode::Final && errors.len() == before => {
                    errors.push(FieldError::new(&field.name, ErrorCode::Required, msg::required()));
                }
                Some(v) if mode == Mode::Final => {
                    if let Some(c) = &field.constraint {
                        if eval(&c.expr, &Env { slots: &slots, current: Some(v) }) == Value::Bool(false) {
                            let message = field.constraint_message.clone();
                            errors.push(FieldError::new(&field.name, ErrorCode::Constraint, message));
                            continue;
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
        Ok(Validated { names: self.names.clone(), typed: slots })
    }
}

/// Skip logic holds only when the expression is `true`; no expression always holds.
fn holds(expr: Option<&crate::expr::Expr>, slots: &[Option<FieldValue>]) -> bool {
    expr.is_none_or(|e| eval(e, &Env { slots, current: None }) == Value::Bool(true))
}

fn evidence_problem(
    field: &CompiledField,
    problem: crate::evidence::EvidenceProblem,
    errors: &mut Vec<FieldError>,
) -> Option<FieldValue> {
    use crate::evidence::EvidenceProblem as P;
    let (code, message) = match problem {
        P::WrongShape => (ErrorCode::WrongType, msg::wrong_type(field.field_type)),
        P::TooMany(max) => (ErrorCode::AboveMax, msg::too_many_photos(max)),
        P::Repeated => (ErrorCode::RepeatedOption, msg::repeated_photo()),
        P::TooLarge => (ErrorCode::TooLong, msg::photo_too_large()),
        P::OutOfRange => (ErrorCode::AboveMax, msg::position_out_of_range()),
    };
    errors.push(FieldError::new(&field.name, code, message));
    None
}

/// Reads one answer into its typed form, pushing what is wrong with it.
fn read(field: &CompiledField, raw: &Json, errors: &mut Vec<FieldError>) -> Option<FieldValue> {
    let name = field.name.as_str();
    let wrong = |errors: &mut Vec<FieldError>| {
        errors.push(FieldError::new(name, ErrorCode::WrongType, msg::wrong_type(field.field_type)));
        None
    };
    let value = match (field.field_type, raw) {
        (FieldType::Text | FieldType::LongText, Json::String(s)) => {
            let text = s.trim();
            let max = field.max_length.unwrap_or(usize::MAX);
            // Byte length bounds character count from above: count only when it might matter.
            if text.len() > max && text.chars().count() > max {
                errors.push(FieldError::new(name, ErrorCode::TooLong, msg::too_long(max)));
            }
            if let Some(c) = control_character(text, true) {
                errors.push(FieldError::new(name, ErrorCode::ControlCharacter, msg::control_character(c)));
            }
            if text.is_empty() {
                return None;
            }
            FieldValue::Text(text.to_owned())
        }
        (FieldType::Integer, Json::Number(n)) => match n.as_i64() {
            Some(i) => FieldValue::Number(i as f64),
            None => return wrong(errors),
        },
        (FieldType::Decimal, Json::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => FieldValue::Number(x),
            _ => return wrong(errors),
        },
        (FieldType::Date, Json::String(s)) => match crate::dates::parse_iso_date(s) {
            Some(d) => FieldValue::Date(d),
            _ => return wrong(errors),
        },
        (FieldType::Time, Json::String(s)) => match crate::dates::parse_time(s) {
            Some(t) => FieldValue::Time(t),
            _ => return wrong(errors),
        },
        (FieldType::SelectOne, Json::String(s)) => {
            if s.is_empty() {
                return None;
            }
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
                    errors.push(FieldError::new(name, ErrorCode::RepeatedOption, msg::repeated_option(s)));
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
        (FieldType::Photo, _) => match crate::evidence::read_photos(raw, field.max_photos) {
            Ok(photos) if photos.is_empty() => return None,
            Ok(photos) => FieldValue::Photos(photos),
            Err(problem) => return evidence_problem(field, problem, errors),
        },
        (FieldType::Geopoint, _) => match crate::evidence::read_geopoint(raw) {
            Ok(point) => FieldValue::Point(point),
            Err(problem) => return evidence_problem(field, problem, errors),
        },
        _ => return wrong(errors),
    };
    if let FieldValue::Number(n) = value {
        if field.min.is_some_and(|min| n < min) {
            errors.push(FieldError::new(name, ErrorCode::BelowMin, msg::below_min(field.min.unwrap_or_default())));
        }
        if field.max.is_some_and(|max| n > max) {
            errors.push(FieldError::new(name, ErrorCode::AboveMax, msg::above_max(field.max.unwrap_or_default())));
        }
    }
    Some(value)
}

/// The first control character in `text`, if any: U+0000–U+001F, U+007F (DEL) and
/// U+0080–U+009F (C1). Tab, line feed and carriage return are text where `whitespace` is
/// true (answers: people type and paste them, in multi-line answers above all, and every
/// store and export keeps them). Every other control is refused, never stripped: nobody
/// types one, so it comes from a broken keyboard, paste or client (C1 mostly from
/// Windows-1252 read as Latin-1), and the officer is better told than given text silently
/// changed. U+0000 above all cannot be stored by PostgreSQL (`text` and `jsonb` both refuse
/// it), where SQLite would store it: refusing it here, the same on the phone and the server,
/// is what keeps the two databases alike; nor can XML 1.0 (the XLSX export) hold C0 controls
/// other than tab and line breaks. Format characters (zero-width joiners, bidi marks) are
/// not controls and stay.
pub fn control_character(text: &str, whitespace: bool) -> Option<char> {
    text.chars().find(|&c| match c {
        '\t' | '\n' | '\r' => !whitespace,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        _ => false,
    })
}

fn check_choice(field: &CompiledField, value: &str, errors: &mut Vec<FieldError>) {
    if field.choices.as_ref().is_some_and(|c| !c.contains(value)) {
        errors.push(FieldError::new(&field.name, ErrorCode::NotAnOption, msg::not_an_option(value)));
    }
}

/// A grid's cells: each names a known ethnic group, a sex, the further dimension where the
/// grid has one, and a count within bounds; each (ethnicity, sex, group) appears once.
fn read_grid(name: &str, spec: &CompiledGrid, cells: &[Json], errors: &mut Vec<FieldError>) -> Option<Grid> {
    let before = errors.len();
    let mut out = Vec::with_capacity(cells.len());
    // (ethnicity, sex, group, cell index): sorted afterwards to find repeats without hashing.
    let mut keys: Vec<(&str, Sex, Option<&str>, usize)> = Vec::with_capacity(cells.len());
    for (i, raw) in cells.iter().enumerate() {
        let mut err = |code, message| errors.push(FieldError::new(name, code, message).in_cell(i));
        let Json::Object(cell) = raw else {
            err(ErrorCode::WrongType, msg::wrong_type(FieldType::CountGrid));
            continue;
        };
        let text = |key: &str| cell.get(key).and_then(Json::as_str);
        let sex = text("sex").and_then(Sex::parse);
        let count = cell.get("count").and_then(Json::as_u64).and_then(|n| u32::try_from(n).ok());
        let known_keys = cell.keys().all(|k| matches!(k.as_str(), "ethnicity" | "sex" | "group" | "count"));
        let (Some(ethnicity), Some(sex), Some(count), true) = (text("ethnicity"), sex, count, known_keys) else {
            err(ErrorCode::WrongType, msg::wrong_type(FieldType::CountGrid));
            continue;
        };
        if !spec.ethnicities.contains(ethnicity) {
            err(ErrorCode::UnknownEthnicity, msg::unknown_ethnicity(ethnicity));
        }
        let group = match (&spec.group, cell.get("group")) {
            (None, None | Some(Json::Null)) => None,
            (Some((_, label, _)), None | Some(Json::Null)) => {
                err(ErrorCode::GroupMissing, msg::group_missing(label));
                None
            }
            (Some((_, label, values)), Some(g)) => match g.as_str() {
                Some(g) if values.contains(g) => Some(g),
                _ => {
                    err(ErrorCode::UnknownGroup, msg::unknown_group(g.as_str().unwrap_or(&g.to_string()), label));
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
        keys.push((ethnicity, sex, group, i));
        if count > 0 {
            out.push(GridCell { ethnicity: ethnicity.to_owned(), sex, group: group.map(str::to_owned), count });
        }
    }
    crate::order::sort_by(&mut keys, |a, b| a.cmp(b));
    for pair in keys.windows(2) {
        if pair[0].0 == pair[1].0 && pair[0].1 == pair[1].1 && pair[0].2 == pair[1].2 {
            errors.push(FieldError::new(name, ErrorCode::RepeatedCell, msg::repeated_cell()).in_cell(pair[1].3));
        }
    }
    if errors.len() > before {
        return None;
    }
    (!out.is_empty()).then_some(Grid { cells: out })
}
