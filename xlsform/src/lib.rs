//! # sotay XLSForm
//!
//! Form definitions to and from XLSForm workbooks (`.xlsx`: `survey`, `choices`, `settings`),
//! and to the TOML of `forms/definitions`. Bytes in, bytes out: no files, no network, so
//! the server's console upload, a command-line tool and the tests all use it alike.
//!
//! - [`import`]: a workbook to a [`FormDefinition`] (and its report figures), checked by
//!   the form engine exactly as a definition file is; every mistake reported at once, each
//!   with its sheet, row and column and a Vietnamese and English message ([`ImportError`]);
//! - [`export`]: a definition to a workbook that [`import`] reads back to the same
//!   definition;
//! - [`definition_toml`], [`figures_toml`]: the definition files' TOML.
//!
//! The XLSForm convention — sotay's count grid, report figures, plan areas, what is
//! refused — is `xlsform/README.md`.

mod choices;
mod compile;
mod error;
mod expr;
mod messages;
mod params;
mod read;
mod settings;
mod survey;
mod table;
mod toml;
mod types;
mod write;

use forms::definition::FormDefinition;
use forms::figures::FormFigures;
use forms::reference::ReferenceData;
use forms::{Localized, PlanArea};

pub use error::{column_letter, ErrorCode, ExportError, ImportError};
pub use read::{MAX_BYTES, MAX_COLUMNS, MAX_ROWS};
pub use toml::{definition_toml, figures_toml};
pub use write::export;

/// What a workbook defines: one version of one form, and the report figures it marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub definition: FormDefinition,
    /// The `sotay_figure` rows, in order; `None` when the workbook marks none. They are the
    /// form's figures (`<form>/figures.toml`), for every version that has their fields.
    pub figures: Option<FormFigures>,
}

/// Reads an XLSForm workbook against the catalog's reference data (the lists a
/// `select_one` may name, the ethnicity shortlists a count grid may use). Either the whole
/// definition compiles, or every error found is returned: nothing partial.
pub fn import(bytes: &[u8], reference: &ReferenceData) -> Result<Imported, Vec<ImportError>> {
    let (book, mut errors) = read::read(bytes)?;
    let settings = settings::read(book.settings.as_ref(), &mut errors);
    let mut questions = Vec::new();
    let mut lists = choices::read(book.choices.as_ref(), settings.lang, reference, &mut questions);
    let (survey, survey_errors) = survey::read(book.survey.as_ref(), settings.lang, &mut lists, reference);
    // A list is "unused" only if every question was read: a refused row may have named it.
    if survey_errors.is_empty() {
        lists.unused(&mut questions);
    }
    questions.extend(survey_errors);
    if !questions.is_empty() {
        errors.extend(questions);
        return Err(sorted(errors));
    }
    // The questions and lists read cleanly: the form engine checks them even when the
    // settings have mistakes (a stand-in for each missing value), so those mistakes and the
    // engine's findings come back together.
    let definition = FormDefinition {
        id: settings.id.clone().unwrap_or_else(|| "form".to_owned()),
        version: settings.version.unwrap_or(1),
        plan_area: settings.plan_area.unwrap_or(PlanArea::Communication),
        title: settings.title.clone().unwrap_or_else(|| Localized::new("-", "-")),
        help: settings.help.clone(),
        date_field: settings.date_field.clone().unwrap_or_default(),
        withdrawn: settings.withdrawn,
        draft: false,
        sections: survey.sections,
    };
    let figures =
        (!survey.figures.is_empty()).then(|| FormFigures { form: definition.id.clone(), figures: survey.figures });
    errors.extend(compile::check(&definition, figures.as_ref(), &survey.places, &settings, reference));
    if errors.is_empty() {
        Ok(Imported { definition, figures })
    } else {
        Err(sorted(errors))
    }
}

/// In the order a person fixes them: the settings, the questions, the lists; by row.
fn sorted(mut errors: Vec<ImportError>) -> Vec<ImportError> {
    let rank = |sheet: &str| match sheet.to_lowercase().as_str() {
        "" => 0,
        read::SETTINGS => 1,
        read::SURVEY => 2,
        read::CHOICES => 3,
        _ => 4,
    };
    errors.sort_by_key(|e| (rank(&e.sheet), e.row.unwrap_or(0)));
    errors
}
