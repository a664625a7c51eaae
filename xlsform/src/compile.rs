//! The definition read from the workbook, put through the form engine's own checks
//! (`Form::compile`, `FormFigures::check`): what a definition file would have to pass, with
//! each finding placed back on its sheet, row and cell.
//!
//! The engine stops at its first finding. To report every one at once, the finding's cause
//! is set aside — the faulty expression emptied, or the faulty question taken out — and the
//! engine asked again, until it has nothing more to say. What follows only from a question
//! set aside (its name now unknown to later expressions) is not reported: it is not a
//! mistake of its own.

use std::collections::HashSet;

use forms::definition::FormDefinition;
use forms::figures::FormFigures;
use forms::reference::ReferenceData;
use forms::{DefinitionError, Form};

use crate::error::{ErrorCode, ImportError};
use crate::messages::vietnamese;
use crate::settings::Settings;
use crate::survey::{Places, RowPlaces};

/// More rounds than any real upload needs; each one removes a cause, so this only bounds a
/// pathological workbook's cost.
const MAX_ROUNDS: usize = 200;

pub fn check(
    definition: &FormDefinition,
    figures: Option<&FormFigures>,
    places: &Places,
    settings: &Settings,
    reference: &ReferenceData,
) -> Vec<ImportError> {
    let file = format!("{}/v{}", definition.id, definition.version);
    let mut def = definition.clone();
    let mut errors = Vec::new();
    let mut set_aside: HashSet<String> = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let e = match Form::compile(def.clone(), reference, &file) {
            Ok(form) => {
                if let (true, Some(figures)) = (errors.is_empty(), figures) {
                    if let Err(e) = figures.check(&[&form], &file) {
                        errors.push(figure_error(&e, places));
                    }
                }
                return errors;
            }
            Err(e) => e,
        };
        let follows = set_aside.iter().any(|name| e.message.contains(&format!("unknown field '{name}'")));
        match (e.field.clone(), e.attribute) {
            (Some(field), attribute) => {
                if !follows {
                    errors.push(field_error(&e, places.fields.get(&field)));
                }
                let Some(f) = def.sections.iter_mut().flat_map(|s| s.fields.iter_mut()).find(|f| f.name == field)
                else {
                    break;
                };
                match attribute {
                    Some("relevant") => f.relevant = None,
                    Some("constraint") => {
                        f.constraint = None;
                        f.constraint_message = None;
                    }
                    _ => {
                        set_aside.insert(field.clone());
                        for s in &mut def.sections {
                            s.fields.retain(|f| f.name != field);
                        }
                    }
                }
            }
            (None, Some("relevant")) => {
                let Some(s) = failing_section(&def, reference, &file) else {
                    errors.push(form_error(&e, settings));
                    break;
                };
                if !follows {
                    errors.push(field_error(&e, places.sections.get(s)));
                }
                def.sections[s].relevant = None;
            }
            (None, _) => {
                // A form-level finding (the date field, no questions left) after questions
                // were set aside is most likely their consequence; one about a date field
                // the settings lack repeats what they were told.
                let date_missing = settings.date_field.is_none() && e.message.contains("date_field");
                if set_aside.is_empty() && !date_missing {
                    errors.push(form_error(&e, settings));
                }
                break;
            }
        }
    }
    errors
}

/// Which section's `relevant` the engine refused: the first whose prefix of the form fails
/// the same way (sections are checked in order).
fn failing_section(def: &FormDefinition, reference: &ReferenceData, file: &str) -> Option<usize> {
    (0..def.sections.len()).filter(|&s| def.sections[s].relevant.is_some()).find(|&s| {
        let mut prefix = def.clone();
        prefix.sections.truncate(s + 1);
        matches!(Form::compile(prefix, reference, file), Err(e) if e.field.is_none() && e.attribute == Some("relevant"))
    })
}

fn field_error(e: &DefinitionError, places: Option<&RowPlaces>) -> ImportError {
    let vi = vietnamese(&e.message);
    let Some(places) = places else {
        return crate::error::Place::sheet(crate::read::SURVEY).error(ErrorCode::Definition, vi, e.message.clone());
    };
    match e.attribute {
        Some(attribute) => {
            let at = places.cells.get(attribute).unwrap_or(&places.row);
            let c = match (places.exprs.get(attribute), e.column) {
                (Some(t), Some(column)) => t.xlsform_char(column.saturating_sub(1)),
                _ => 1,
            };
            // XLSForm asks "answered?" as `${x} != ''`; sotay's types say no to that.
            let empty_text =
                places.exprs.get(attribute).is_some_and(|t| t.sotay.contains("''") || t.sotay.contains("\"\""));
            let (hint_vi, hint_en) = if empty_text && e.message.contains("compare") {
                (
                    " (để hỏi đã trả lời chưa, hãy viết filled(${x}) hoặc empty(${x}))",
                    " (to ask whether it is answered, write filled(${x}) or empty(${x}))",
                )
            } else {
                ("", "")
            };
            at.error(
                ErrorCode::Expression,
                format!("Ký tự {c}: {vi}{hint_vi}"),
                format!("Character {c}: {}{hint_en}", e.message),
            )
        }
        None => places.row.error(ErrorCode::Definition, vi, e.message.clone()),
    }
}

fn form_error(e: &DefinitionError, settings: &Settings) -> ImportError {
    let at = if e.message.starts_with("date_field") || e.message.contains("the date_field") {
        &settings.date_field_place
    } else {
        &settings.place
    };
    at.error(ErrorCode::Definition, vietnamese(&e.message), e.message.clone())
}

fn figure_error(e: &DefinitionError, places: &Places) -> ImportError {
    let at = e.field.as_ref().and_then(|f| places.fields.get(f)).and_then(|p| p.cells.get("sotay_figure"));
    let at = at.cloned().unwrap_or_else(|| crate::error::Place::sheet(crate::read::SURVEY));
    at.error(ErrorCode::Figure, vietnamese(&e.message), e.message.clone())
}
