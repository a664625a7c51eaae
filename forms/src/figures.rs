//! Report figures: numbers the reports add up from a form's answers, beside its activities
//! and participants — how many of the models checked were active, how many people a
//! trusted address took in. Which answers are figures is data, one file per form
//! (`definitions/<form>/figures.toml`), so a published form version is never edited to
//! say so, and a figure counts in every version of its form that has its field.
//!
//! A figure's field is a `yes_no` (a record counts 1 for yes) or an `integer` (its number);
//! the catalog checks that in every version holding the field.

use serde::{Deserialize, Serialize};

use crate::definition::FieldType;
use crate::form::{DefinitionError, Form};
use crate::Localized;

/// The figures of one form, in the order reports show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormFigures {
    pub form: String,
    pub figures: Vec<Figure>,
}

/// One figure: the field it adds up and what reports call the sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub field: String,
    pub label: Localized,
}

impl FormFigures {
    /// Checks these figures against every version of their form (`versions`); `file` names
    /// them in errors.
    pub fn check(&self, versions: &[&Form], file: &str) -> Result<(), DefinitionError> {
        let err = |field: Option<&str>, message: String| DefinitionError::in_file(file, field, message);
        if versions.is_empty() {
            return Err(err(None, format!("there is no form '{}' for these figures", self.form)));
        }
        if self.figures.is_empty() {
            return Err(err(None, "a figures file lists at least one figure".into()));
        }
        for (i, figure) in self.figures.iter().enumerate() {
            let field = Some(figure.field.as_str());
            if self.figures[..i].iter().any(|f| f.field == figure.field) {
                return Err(err(field, "is listed twice".into()));
            }
            if figure.label.vi.trim().is_empty() || figure.label.en.trim().is_empty() {
                return Err(err(field, "a figure's label needs both 'vi' and 'en'".into()));
            }
            let mut types = versions.iter().filter_map(|form| Some((form.version(), form.field(&figure.field)?)));
            let Some((_, first)) = types.next() else {
                return Err(err(field, format!("no version of '{}' has this field", self.form)));
            };
            let counted = first.field_type;
            if !matches!(counted, FieldType::YesNo | FieldType::Integer) {
                return Err(err(
                    field,
                    format!("a figure adds up a yes_no or integer field, not {}", counted.as_str()),
                ));
            }
            if let Some((version, other)) = types.find(|(_, f)| f.field_type != counted) {
                return Err(err(
                    field,
                    format!("is {} in version {version} but {} elsewhere", other.field_type.as_str(), counted.as_str()),
                ));
            }
        }
        Ok(())
    }

    /// What one record's answers (as stored: normalized) add to each figure its version
    /// has, in list order; a figure whose field is unanswered or not asked adds nothing.
    pub fn values<'f>(
        &'f self,
        form: &Form,
        answers: &serde_json::Map<String, serde_json::Value>,
    ) -> Vec<(&'f str, i64)> {
        self.figures
            .iter()
            .filter_map(|figure| {
                let field = form.field(&figure.field)?;
                let answer = answers.get(&figure.field)?;
                let value = match field.field_type {
                    FieldType::YesNo => i64::from(answer.as_bool()?),
                    FieldType::Integer => answer.as_i64()?,
                    _ => return None,
                };
                Some((figure.field.as_str(), value))
            })
            .collect()
    }
}

/// Parses one figures file; its path (`<form id>/figures.toml`) must match its content.
#[cfg(feature = "toml")]
pub fn parse_figures(file: &str, text: &str) -> Result<(String, FormFigures), DefinitionError> {
    let err = |message: String| DefinitionError::in_file(file, None, message);
    let figures: FormFigures = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    let expected = format!("{}/figures.toml", figures.form);
    if file != expected && !file.ends_with(&format!("/{expected}")) {
        return Err(err(format!("the figures of {} belong in {expected}", figures.form)));
    }
    Ok((file.to_owned(), figures))
}
