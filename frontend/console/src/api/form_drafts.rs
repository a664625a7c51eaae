//! Drafts of form versions (admins only): the drafts testers' phones have ("Bản thử"), with
//! the test records made so far; publishing one, or discarding it with its test records.
//! Uploading a draft is `Api::upload_form` with `draft` set.

use forms::Localized;
use serde::Deserialize;

use super::{decode, Api, ApiError};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FormDrafts {
    #[serde(default)]
    pub drafts: Vec<FormDraft>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FormDraft {
    pub form_id: String,
    /// The version it is published as.
    pub version: u32,
    #[serde(default, deserialize_with = "super::types::text")]
    pub title: Localized,
    #[serde(default)]
    pub questions: u32,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub uploaded_at: i64,
    #[serde(default)]
    pub test_records: u64,
}

/// What publishing or discarding a draft answers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DraftChanged {
    pub form_id: String,
    pub version: u32,
    #[serde(default)]
    pub test_records_deleted: u64,
}

fn draft_path(form_id: &str) -> String {
    format!("/admin/form-drafts/{}", crate::query::encode(form_id))
}

impl Api {
    pub async fn form_drafts(&self) -> Result<FormDrafts, ApiError> {
        self.get("/admin/form-drafts").await
    }

    /// Publishes the form's draft under the version it was drafted as.
    pub async fn publish_draft(&self, form_id: &str) -> Result<DraftChanged, ApiError> {
        decode(self.send("POST", &format!("{}/publish", draft_path(form_id)), None).await?)
    }

    /// Deletes the form's draft and its test records.
    pub async fn discard_draft(&self, form_id: &str) -> Result<DraftChanged, ApiError> {
        decode(self.send("DELETE", &draft_path(form_id), None).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drafts_read() {
        let list: FormDrafts = serde_json::from_str(
            r#"{"drafts":[{"form_id":"outreach_event","version":2,"title":{"vi":"Truyền thông","en":"Outreach"},
                "plan_area":"communication","questions":13,"uploaded_at":1764700000000,"test_records":3}]}"#,
        )
        .unwrap();
        let d = &list.drafts[0];
        assert_eq!((d.form_id.as_str(), d.version, d.questions, d.test_records), ("outreach_event", 2, 13, 3));
        assert_eq!(d.title.vi, "Truyền thông");
    }

    #[test]
    fn paths_name_the_form() {
        assert_eq!(draft_path("outreach_event"), "/admin/form-drafts/outreach_event");
    }
}
