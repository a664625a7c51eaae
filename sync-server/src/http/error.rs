//! One error type for every handler. Each becomes a precise status and a JSON body with a
//! stable code and a message in Vietnamese and English; internal details go to the log only.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use forms::Localized;
use serde::Serialize;

use crate::reports::ReportError;
use crate::store::user_admin::AgencyError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(&'static str, Localized),
    #[error("not signed in")]
    Unauthenticated,
    #[error("token revoked or unknown")]
    TokenInvalid,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("enrolment link invalid")]
    EnrollmentInvalid,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("already exists: {0}")]
    AlreadyExists(&'static str),
    #[error("the last active admin")]
    LastAdmin,
    /// The request is sound but the resource's state refuses it (a review action that does
    /// not apply to the record as it stands).
    #[error("refused: {0}")]
    Refused(&'static str, Localized),
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("body too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("database unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
    /// An uploaded form definition that does not compile: every mistake at once, each
    /// where it is (sheet, row and column, or TOML line) in Vietnamese and English.
    #[error("definition invalid ({} errors)", .0.len())]
    DefinitionInvalid(Vec<serde_json::Value>),
    /// Uploaded reference lists that do not hold together, or that a form cannot compile
    /// with: every problem at once, each with its file and line.
    #[error("reference lists invalid ({} problems)", .0.len())]
    ReferenceInvalid(Vec<serde_json::Value>),
    /// Uploaded lists that drop places or agencies records and users name.
    #[error("reference lists drop what is in use ({} codes)", .0.len())]
    ReferenceInUse(Vec<serde_json::Value>),
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: Localized,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [serde_json::Value]>,
}

impl AppError {
    pub fn bad_request(code: &'static str, vi: &str, en: &str) -> Self {
        AppError::BadRequest(code, Localized::new(vi, en))
    }

    fn parts(&self) -> (StatusCode, &str, Localized) {
        use AppError::*;
        let l = Localized::new;
        match self {
            BadRequest(code, message) => (StatusCode::BAD_REQUEST, code, message.clone()),
            Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", l("Cần đăng nhập.", "Sign-in required.")),
            TokenInvalid => (
                StatusCode::UNAUTHORIZED,
                "token_invalid",
                l(
                    "Phiên đăng nhập đã hết hiệu lực; hãy đăng nhập lại. Dữ liệu trên máy vẫn được giữ nguyên.",
                    "Your session is no longer valid; sign in again. Data on the device is kept.",
                ),
            ),
            BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                l("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
            ),
            EnrollmentInvalid => (
                StatusCode::UNAUTHORIZED,
                "enrollment_invalid",
                l(
                    "Mã kích hoạt không đúng, đã dùng hoặc đã hết hạn; hãy xin mã mới.",
                    "The enrolment code is wrong, used or expired; ask for a new one.",
                ),
            ),
            Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                l("Tài khoản không có quyền làm việc này.", "This account may not do that."),
            ),
            NotFound => (StatusCode::NOT_FOUND, "not_found", l("Không tìm thấy.", "Not found.")),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                l("Phương thức không được hỗ trợ ở địa chỉ này.", "This method is not allowed here."),
            ),
            AlreadyExists(what) => (
                StatusCode::CONFLICT,
                "already_exists",
                l(&format!("Đã có {what} này."), &format!("That {what} already exists.")),
            ),
            Refused(code, message) => (StatusCode::CONFLICT, code, message.clone()),
            LastAdmin => (
                StatusCode::CONFLICT,
                "last_admin",
                l(
                    "Không thể khóa hoặc bỏ quyền của quản trị viên cuối cùng đang hoạt động; hãy thêm hoặc mở khóa một quản trị viên khác trước.",
                    "The last active admin cannot be disabled or lose the role; add or enable another admin first.",
                ),
            ),
            TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                l(
                    "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.",
                    "Too many failed sign-ins; try again in a few minutes.",
                ),
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                l(
                    "Dữ liệu gửi lên quá lớn; hãy gửi từng đợt nhỏ hơn.",
                    "The request is too large; send smaller batches.",
                ),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                l(
                    "Cần gửi dữ liệu dạng JSON, không nén hoặc nén gzip.",
                    "The body must be JSON (Content-Type: application/json), plain or gzip-encoded.",
                ),
            ),
            InvalidJson(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_json",
                l("Dữ liệu gửi lên không đúng định dạng.", "The request body is not valid for this endpoint."),
            ),
            Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                l(
                    "Máy chủ tạm thời không sẵn sàng; dữ liệu trên máy sẽ được gửi lại sau.",
                    "The server is briefly unavailable; the device will retry.",
                ),
            ),
            DefinitionInvalid(errors) => (
                StatusCode::BAD_REQUEST,
                "definition_invalid",
                l(
                    &format!("Biểu mẫu có {} lỗi; chưa có gì được lưu. Hãy sửa rồi tải lên lại.", errors.len()),
                    &format!("The form has {} mistakes; nothing was stored. Fix them and upload again.", errors.len()),
                ),
            ),
            ReferenceInvalid(errors) => (
                StatusCode::BAD_REQUEST,
                "reference_invalid",
                l(
                    &format!("Danh mục có {} lỗi; chưa có gì được lưu. Hãy sửa rồi tải lên lại.", errors.len()),
                    &format!("The lists have {} problems; nothing was stored. Fix them and upload again.", errors.len()),
                ),
            ),
            ReferenceInUse(errors) => (
                StatusCode::CONFLICT,
                "reference_in_use",
                l(
                    &format!(
                        "Danh mục mới bỏ {} mã đang được phiếu hoặc người dùng sử dụng; chưa có gì được lưu.",
                        errors.len()
                    ),
                    &format!("The new lists drop {} codes records or users use; nothing was stored.", errors.len()),
                ),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                l(
                    "Lỗi máy chủ; dữ liệu trên máy được giữ nguyên và sẽ gửi lại sau.",
                    "Server error; data on the device is kept and will be sent again.",
                ),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let detail = match &self {
            AppError::InvalidJson(d) => Some(d.as_str()),
            _ => None,
        };
        if status.is_server_error() {
            // Debug, not Display: an error may quote what a client sent, and Debug escapes
            // newlines and control characters, so no one can forge a log line.
            tracing::error!(error = ?self, "request failed");
        }
        let errors = match &self {
            AppError::DefinitionInvalid(errors)
            | AppError::ReferenceInvalid(errors)
            | AppError::ReferenceInUse(errors) => Some(errors.as_slice()),
            _ => None,
        };
        let body = axum::Json(Body { error: code, message, detail, errors });
        let mut response = (status, body).into_response();
        if let AppError::TooManyAttempts { retry_after_secs } = self {
            response.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => AppError::Unavailable,
            // SQLite busy/locked past the busy timeout, PostgreSQL lock or statement timeouts:
            // momentary, and the device retries.
            sqlx::Error::Database(ref db) if matches!(db.code().as_deref(), Some("5" | "6" | "55P03" | "57014")) => {
                AppError::Unavailable
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// What the store refuses is the client's to fix (4xx); anything else is ours (5xx, logged).
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::AlreadyExists(what) => AppError::AlreadyExists(what),
            StoreError::Invalid(why) => AppError::bad_request("invalid", &why, &why),
            StoreError::LastAdmin => AppError::LastAdmin,
            StoreError::Sqlx(e) => e.into(),
            other @ (StoreError::Hashing(_) | StoreError::Corrupt(_)) => AppError::Internal(other.to_string()),
        }
    }
}

impl From<AgencyError> for AppError {
    fn from(e: AgencyError) -> Self {
        match e {
            AgencyError::Unknown(code) => AppError::BadRequest(
                "unknown_agency",
                Localized::new(
                    format!("Không có cơ quan mã '{code}' trong danh mục cơ quan, đơn vị."),
                    format!("No agency of the agencies list has the code '{code}'."),
                ),
            ),
            AgencyError::NotASupervisor => AppError::bad_request(
                "agency_needs_supervisor",
                "Chỉ người có vai trò giám sát mới được giao phụ trách một cơ quan; với vai trò khác, hãy để trống cơ quan phụ trách.",
                "Only a supervisor can be an agency's officer in charge; for any other role, leave the agency empty.",
            ),
        }
    }
}

impl From<ReportError> for AppError {
    fn from(e: ReportError) -> Self {
        let bad = |code, vi: String, en: String| AppError::BadRequest(code, Localized::new(vi, en));
        match e {
            ReportError::InvalidPeriod(why) => bad(
                "invalid_period",
                format!(
                    "Kỳ báo cáo không hợp lệ ({why}). Dùng from và to (YYYY-MM-DD), hoặc một trong month (YYYY-MM), \
                     quarter (YYYY-Qn), year (YYYY), action_month (YYYY)."
                ),
                format!("Invalid period: {why}."),
            ),
            ReportError::UnknownForm(id) => {
                bad("unknown_form", format!("Không có mẫu phiếu “{id}”."), format!("There is no form “{id}”."))
            }
            ReportError::UnknownCommune(code) => bad(
                "invalid_commune",
                format!("“{code}” không phải mã xã, phường, đặc khu trong danh mục từ 01/7/2025."),
                format!("“{code}” is not a commune code of the 2025 unit list."),
            ),
            ReportError::OutOfScope(_) => AppError::Forbidden,
            ReportError::Store(e) => e.into(),
            other @ (ReportError::Xlsx(_) | ReportError::Io(_)) => AppError::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
            _ => AppError::InvalidJson(rejection.body_text()),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::InvalidJson(rejection.body_text())
    }
}

pub type AppResult<T> = Result<T, AppError>;
