//! # sotay forms
//!
//! The form engine shared by the sotay PWA and sync server, so the two can never disagree
//! about what a valid record is. Pure logic: no IO, no clock, no randomness; it compiles
//! for `wasm32-unknown-unknown` and natively.
//!
//! - [`definition`]: the definition file format (TOML for authors, JSON for the PWA);
//! - [`Form`]: a definition checked and compiled, with [`Form::validate`];
//! - [`expr`]: the expression language of skip logic, constraints and calculations;
//! - [`evidence`]: photo and GPS answers (the pictures travel apart from the record);
//! - [`grid`]: disaggregated count grids and their totals;
//! - [`history`]: what changed between two revisions of a record;
//! - [`figures`]: the numbers reports add up from answers (models active, people supported);
//! - [`reference`]: ethnic groups, administrative units, agencies, model types;
//! - [`review`]: review states of finished records and the actions between them;
//! - [`Catalog`]: every form version plus reference data, and whole-record validation;
//! - [`record`] and [`sync`]: the record model and the sync protocol's wire types.

pub mod catalog;
pub mod dates;
pub mod definition;
pub mod evidence;
pub mod expr;
pub mod figures;
pub mod form;
pub mod grid;
pub mod history;
pub mod localized;
pub mod messages;
pub mod order;
pub mod record;
pub mod reference;
pub mod reference_check;
pub mod review;
pub mod sync;
pub mod validate;
pub mod value;

pub use catalog::{Bundle, Catalog, CatalogError};
pub use definition::{FieldType, FormDefinition, PlanArea};
pub use form::{DefinitionError, Form};
pub use grid::{Grid, GridCell, GridTotals, Sex};
pub use localized::{Lang, Localized};
pub use messages::{ErrorCode, FieldError};
pub use record::{Location, Record, RecordStatus};
pub use validate::{Mode, Validated};
pub use value::FieldValue;
