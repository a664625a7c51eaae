//! The HTTP API, driven through `app()` without a socket, on SQLite and on PostgreSQL.
//!
//! Every test runs twice (`<test>::sqlite`, `<test>::postgres`) through [`both!`]. The
//! PostgreSQL variant needs `SOTAY_TEST_DATABASE_URL` (`cargo xtask pg-up`); it skips without
//! it, except in CI, where it fails.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod audit;
mod auth;
mod catalog;
mod console;
mod console_records;
mod console_reporting;
mod form_drafts;
mod form_versions;
mod history;
mod input;
mod photos;
mod reference;
mod reports;
mod review;
mod scope;
mod signoff;
mod sync;
mod throttle;
mod totals;

pub(crate) use std::io::{Read, Write};

pub(crate) use axum::http::{Method, StatusCode};
pub(crate) use common::{change, commune, new_change, old_commune, record_in, record_of, TestApp};
pub(crate) use forms::sync::PullResponse;
pub(crate) use forms::{Catalog, Record};
pub(crate) use serde_json::{json, Value};
pub(crate) use sync_server::store::users::Role;
pub(crate) use uuid::Uuid;

/// Two 2025 communes (wards of the former Quảng Ngãi city).
pub(crate) const A: &str = "21025";
pub(crate) const B: &str = "21028";
/// Pre-2025 wards merged into A (21019 Nghĩa Chánh) and into B (21010 Lê Hồng Phong).
pub(crate) const OLD_IN_A: &str = "21019";
pub(crate) const OLD_IN_B: &str = "21010";
/// The province: a unit, but not a commune.
pub(crate) const PROVINCE: &str = "51";

/// The versions of `form` the bundled catalog ships, oldest first.
pub(crate) fn shipped_versions(form: &str) -> Vec<u64> {
    let catalog = Catalog::bundled().expect("the bundled catalog loads");
    let mut versions: Vec<u64> = catalog.forms().filter(|f| f.id() == form).map(|f| u64::from(f.version())).collect();
    versions.sort_unstable();
    assert!(!versions.is_empty(), "the bundled catalog ships no {form}");
    versions
}

/// The newest version of `form` the bundled catalog ships.
pub(crate) fn latest_shipped(form: &str) -> u32 {
    let catalog = Catalog::bundled().expect("the bundled catalog loads");
    let latest = catalog.latest(form).unwrap_or_else(|| panic!("the bundled catalog ships no {form}")).version();
    assert_eq!(
        shipped_versions(form).last(),
        Some(&u64::from(latest)),
        "{form}: the newest shipped version takes records"
    );
    latest
}

/// The number a version of `form` published on a fresh server takes: one past the newest
/// shipped, whatever the upload says.
pub(crate) fn next_version(form: &str) -> u32 {
    latest_shipped(form) + 1
}

pub(crate) fn errors_of(result: &Value) -> Vec<(String, String)> {
    result["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {result}"))
        .iter()
        .map(|e| {
            for lang in ["vi", "en"] {
                assert!(e["message"][lang].as_str().is_some_and(|m| !m.is_empty()), "message.{lang} missing in {e}");
            }
            (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

pub(crate) fn assert_applied(result: &Value, record: &Record, revision: u64) {
    assert_eq!(result["outcome"], "applied", "{result}");
    assert_eq!(result["record_id"], record.id.to_string(), "{result}");
    assert_eq!(result["revision"], revision, "{result}");
}

pub(crate) fn assert_rejected_with(result: &Value, field: &str, code: &str) {
    assert_eq!(result["outcome"], "rejected", "{result}");
    assert_eq!(result["duplicate"], false, "{result}");
    let errors = errors_of(result);
    assert!(errors.contains(&(field.to_owned(), code.to_owned())), "expected {field}/{code} in {errors:?}");
}

pub(crate) fn with_value(record: &Record, field: &str, value: Value) -> Record {
    let mut r = record.clone();
    r.values.insert(field.into(), value);
    r
}
