//! Reference lists on the server (admins only): the stored files and the lists made of them,
//! each file downloadable, and one replaced by an upload. A refusal lists every problem.

use forms::Localized;
use serde::Deserialize;

use super::{check, invalid_as, Api, ApiError, Invalid, TIMEOUT};
use crate::fetch::Call;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReferenceListing {
    #[serde(default)]
    pub files: Vec<ReferenceFileRow>,
    #[serde(default)]
    pub lists: Vec<ReferenceListRow>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReferenceFileRow {
    pub name: String,
    /// `bundled` (shipped with sotay) or `upload`.
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReferenceListRow {
    pub id: String,
    #[serde(default)]
    pub version: String,
    #[serde(default, deserialize_with = "super::types::text")]
    pub title: Localized,
    #[serde(default)]
    pub size: u64,
}

/// The refusals that list problems: lists that do not hold together, or that drop what
/// records and users use.
const LISTED: [(u16, &str); 2] = [(400, "reference_invalid"), (409, "reference_in_use")];

fn file_path(name: &str) -> String {
    format!("/admin/reference/{}", crate::query::encode(name))
}

impl Api {
    pub async fn reference(&self) -> Result<ReferenceListing, ApiError> {
        self.get("/admin/reference").await
    }

    pub async fn reference_file(&self, name: &str) -> Result<web_sys::Blob, ApiError> {
        self.file(&file_path(name)).await
    }

    /// Replaces reference file `name` with `file`: `Ok(Err(_))` with every problem when
    /// the server refuses it (nothing stored).
    pub async fn upload_reference(&self, name: &str, file: &web_sys::Blob) -> Result<Result<(), Invalid>, ApiError> {
        let url = self.url(&file_path(name));
        let media = if name.ends_with(".toml") { "application/toml" } else { "text/csv" };
        let call = Call {
            method: "PUT",
            url: &url,
            token: self.token.as_deref(),
            json: None,
            timeout: TIMEOUT,
            file: false,
            upload: Some((file, media)),
        };
        let reply = call.send().await.map_err(|_| ApiError::Offline)?;
        if let Some(problems) = invalid_as(reply.status, &reply.text, &LISTED) {
            return Ok(Err(problems));
        }
        check(reply).map(|_| Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_and_its_problems_read() {
        let listing: ReferenceListing = serde_json::from_str(
            r#"{"files":[{"name":"agencies.csv","origin":"upload","bytes":812,"updated_at":1764700000000}],
                "lists":[{"id":"units_2025","version":"qn-2025-07-01","title":{"vi":"Xã","en":"Communes"},"size":97}],
                "catalog_version":"c"}"#,
        )
        .unwrap();
        assert_eq!((listing.files[0].name.as_str(), listing.files[0].origin.as_str()), ("agencies.csv", "upload"));
        assert_eq!((listing.lists[0].id.as_str(), listing.lists[0].size), ("units_2025", 97));
        let body = r#"{"error":"reference_in_use","message":{"vi":"a","en":"b"},
            "errors":[{"file":"agencies","line":0,"message_vi":"Cơ quan “x”","message_en":"Agency “x”"}]}"#;
        let problems = invalid_as(409, body, &LISTED).unwrap();
        assert_eq!(problems.errors[0].file.as_deref(), Some("agencies"));
        assert!(invalid_as(400, body, &LISTED).is_none(), "the status must match too");
        assert_eq!(file_path("lists.toml"), "/admin/reference/lists.toml");
    }
}
