//! Forms on the server (admins only): the published versions, publishing a new one from an
//! XLSForm workbook or a sotay TOML file, each version downloaded in either shape, and
//! withdrawing a version (or restoring it).

use forms::Localized;
use serde::Deserialize;
use serde_json::Value as Json;

use super::{check, decode, Api, ApiError, ErrorBody, TIMEOUT};
use crate::fetch::Call;

/// The media type of an `.xlsx` workbook.
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const TOML_MEDIA_TYPE: &str = "application/toml";

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FormVersions {
    #[serde(default)]
    pub catalog_version: String,
    #[serde(default)]
    pub forms: Vec<FormVersion>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FormVersion {
    pub form_id: String,
    pub version: u32,
    #[serde(default, deserialize_with = "super::types::text")]
    pub title: Localized,
    #[serde(default)]
    pub withdrawn: bool,
    #[serde(default)]
    pub questions: u32,
}

/// What `POST /admin/forms` (or `/admin/form-drafts`) answers: the version the server gave
/// the upload (a draft's once published).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Published {
    pub form_id: String,
    pub version: u32,
    /// A draft replacing another: the test records made with that one, deleted.
    #[serde(default)]
    pub test_records_deleted: u64,
}

/// `400 definition_invalid`: the server's summary and every mistake, each where it is.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Invalid {
    pub message: Localized,
    #[serde(default)]
    pub errors: Vec<Mistake>,
}

/// One mistake: in a workbook (sheet, row, column letter, header), a TOML file (line) or
/// the compiled definition (field, attribute, column in its expression).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Mistake {
    /// A reference file or list (`units_2025`, `agencies.csv`…), for lists' problems.
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub row: Option<u32>,
    /// A letter in a workbook, a number in an expression.
    #[serde(default)]
    pub column: Json,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub line: Option<u32>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub attribute: Option<String>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message_vi: String,
    #[serde(default)]
    pub message_en: String,
}

/// The media type of a file to publish, from its name: `None` for neither `.xlsx` nor `.toml`.
pub fn media_type(file_name: &str) -> Option<&'static str> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".xlsx") {
        Some(XLSX_MEDIA_TYPE)
    } else if lower.ends_with(".toml") {
        Some(TOML_MEDIA_TYPE)
    } else {
        None
    }
}

/// `POST /admin/forms/{form_id}/{version}/withdraw` or `…/restore`.
fn state_path(form_id: &str, version: u32, withdraw: bool) -> String {
    let what = if withdraw { "withdraw" } else { "restore" };
    format!("/admin/forms/{}/{version}/{what}", crate::query::encode(form_id))
}

/// A `400 definition_invalid` body read as the mistakes; `None` for any other answer.
pub fn invalid(status: u16, text: &str) -> Option<Invalid> {
    invalid_as(status, text, &[(400, "definition_invalid")])
}

/// An answer with one of the `(status, error)` pairs read as the mistakes it lists.
pub fn invalid_as(status: u16, text: &str, kinds: &[(u16, &str)]) -> Option<Invalid> {
    let body: ErrorBody = serde_json::from_str(text).ok()?;
    if !kinds.iter().any(|(s, e)| *s == status && *e == body.error) {
        return None;
    }
    let mut invalid: Invalid = serde_json::from_str(text).ok()?;
    invalid.message = body.message;
    Some(invalid)
}

impl Api {
    /// Every published version of every form.
    pub async fn form_versions(&self) -> Result<FormVersions, ApiError> {
        self.get("/admin/forms").await
    }

    /// Publishes `file` as the next version of its form, or (`draft`) stores it as the
    /// form's draft for testers: `Ok(Err(_))` when the definition has mistakes (nothing was
    /// stored); other refusals as errors.
    pub async fn upload_form(
        &self,
        file: &web_sys::Blob,
        media_type: &str,
        draft: bool,
    ) -> Result<Result<Published, Invalid>, ApiError> {
        let url = self.url(if draft { "/admin/form-drafts" } else { "/admin/forms" });
        let call = Call {
            method: "POST",
            url: &url,
            token: self.token.as_deref(),
            json: None,
            timeout: TIMEOUT,
            file: false,
            upload: Some((file, media_type)),
        };
        let reply = call.send().await.map_err(|_| ApiError::Offline)?;
        if let Some(mistakes) = invalid(reply.status, &reply.text) {
            return Ok(Err(mistakes));
        }
        decode(check(reply)?).map(Ok)
    }

    /// Withdraws a published version (`withdraw`) or restores a withdrawn one.
    pub async fn set_form_withdrawn(&self, form_id: &str, version: u32, withdraw: bool) -> Result<(), ApiError> {
        self.send("POST", &state_path(form_id, version, withdraw), None).await.map(drop)
    }

    /// A published version as a file: `shape` is `xlsform` (a workbook) or `toml`.
    pub async fn form_file(&self, form_id: &str, version: u32, shape: &str) -> Result<web_sys::Blob, ApiError> {
        self.file(&format!("/admin/forms/{}/{version}/{shape}", crate::query::encode(form_id))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads() {
        let list: FormVersions = serde_json::from_str(
            r#"{"catalog_version":"c-7","forms":[
                {"form_id":"outreach_event","version":1,"title":{"vi":"Truyền thông","en":"Outreach"},"plan_area":"communication","withdrawn":true,"questions":12},
                {"form_id":"outreach_event","version":2,"title":{"vi":"Truyền thông","en":"Outreach event"},"plan_area":"communication","withdrawn":false,"questions":13}]}"#,
        )
        .unwrap();
        assert_eq!(list.catalog_version, "c-7");
        assert_eq!(list.forms.len(), 2);
        assert!(list.forms[0].withdrawn);
        assert_eq!((list.forms[1].version, list.forms[1].questions), (2, 13));
        assert_eq!(list.forms[1].title.en, "Outreach event");
    }

    #[test]
    fn every_mistake_reads() {
        let body = r#"{"error":"definition_invalid","message":{"vi":"Biểu mẫu có 3 lỗi","en":"The form has 3 mistakes"},"errors":[
            {"sheet":"survey","row":12,"column":"D","header":"constraint","code":"expression","message_vi":"Biểu thức sai","message_en":"Bad expression"},
            {"line":3,"code":"toml","message_vi":"Tệp TOML chưa đúng","message_en":"Bad TOML"},
            {"field":"participants","attribute":"relevant","column":5,"code":"definition","message_vi":"Sai","message_en":"Wrong"}]}"#;
        let got = invalid(400, body).unwrap();
        assert_eq!(got.message.en, "The form has 3 mistakes");
        assert_eq!(got.errors.len(), 3);
        let e = &got.errors[0];
        assert_eq!((e.sheet.as_deref(), e.row, e.column.as_str()), (Some("survey"), Some(12), Some("D")));
        assert_eq!(got.errors[1].line, Some(3));
        assert_eq!((got.errors[2].field.as_deref(), got.errors[2].column.as_u64()), (Some("participants"), Some(5)));
        // Other refusals are not mistakes to list.
        assert!(invalid(409, r#"{"error":"version_taken","message":{"vi":"a","en":"b"}}"#).is_none());
        assert!(invalid(400, r#"{"error":"unsupported_form_file","message":{"vi":"a","en":"b"}}"#).is_none());
        assert!(invalid(400, "not json").is_none());
    }

    #[test]
    fn withdraw_and_restore_paths() {
        assert_eq!(state_path("outreach_event", 2, true), "/admin/forms/outreach_event/2/withdraw");
        assert_eq!(state_path("outreach_event", 1, false), "/admin/forms/outreach_event/1/restore");
    }

    #[test]
    fn the_media_type_follows_the_extension() {
        assert_eq!(media_type("Mau-truyen-thong.XLSX"), Some(XLSX_MEDIA_TYPE));
        assert_eq!(media_type("v1.toml"), Some(TOML_MEDIA_TYPE));
        assert_eq!(media_type("form.xls"), None);
    }
}
