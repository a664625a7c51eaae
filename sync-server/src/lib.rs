//! # sotay sync server
//!
//! The server devices sync to when connectivity returns: exactly-once push of record
//! changes, scoped pull, users and enrolment, on SQLite (embedded default) or PostgreSQL.
//!
//! - [`db`]: connection, dialect, migrations;
//! - [`store`]: every query, behind typed functions;
//! - [`http`]: the router ([`http::app`]), handlers by resource, one `AppError`;
//! - [`photos`]: where evidence photos' bytes live (a folder or an S3 bucket);
//! - [`reports`]: summaries, the annual report and raw exports (JSON, XLSX, CSV).

pub mod catalog;
pub mod db;
pub mod http;
pub mod photos;
pub mod reports;
pub mod store;

pub use db::Db;
pub use http::{app, AppState, Settings};
