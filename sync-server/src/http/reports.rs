//! Reports, for supervisors and admins: a period's summary (JSON), a year month by month
//! (JSON), the annual report of plan section V (XLSX, CSV, or a printable HTML page) and raw
//! exports of one form (CSV streamed, or XLSX). Each covers the caller's scope, optionally
//! narrowed to one of its communes.

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::{AppError, AppResult, AppState, CurrentUser};
use crate::reports::period::parse_year;
use crate::reports::summary::{Filter, Summary};
use crate::reports::trend::Trend;
use crate::reports::{self, csv, Format, PeriodParams, RawPages, ReportError, ReportScope};
use crate::store::users::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/summary", get(summary))
        .route("/reports/trend", get(trend))
        .route("/reports/annual", get(annual))
        .route("/reports/raw", get(raw))
}

/// Reports are for supervisors and admins; a collector's device has its own records.
fn require_reader(current: &CurrentUser) -> AppResult<()> {
    if current.user.role == Role::Collector {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

fn scope(state: &AppState, current: &CurrentUser, commune: Option<&str>) -> AppResult<ReportScope> {
    let user = &current.user;
    Ok(ReportScope::resolve(&user.scope(), &user.communes, state.catalog.reference(), commune)?)
}

/// A downloaded file: never cached (it holds records), named for saving.
fn file(format: Format, name: &str, body: Body) -> Response {
    let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
struct SummaryQuery {
    #[serde(flatten)]
    period: PeriodParams,
    form: Option<String>,
    commune: Option<String>,
    /// `true`: only the records a supervisor approved. A string: `flatten` reads every
    /// value as one.
    approved: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The parameters no field took. `deny_unknown_fields` cannot be combined with `flatten`,
/// so a query that flattens [`PeriodParams`] collects the rest here and refuses them.
#[derive(Deserialize, Default)]
#[serde(transparent)]
struct Unknown(std::collections::BTreeMap<String, String>);

impl Unknown {
    fn refuse(&self) -> AppResult<()> {
        match self.0.keys().next() {
            Some(name) => Err(AppError::InvalidJson(format!("unknown parameter `{name}`"))),
            None => Ok(()),
        }
    }
}

async fn summary(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<SummaryQuery>, QueryRejection>,
) -> AppResult<Json<Summary>> {
    require_reader(&current)?;
    let Query(q) = query?;
    q.unknown.refuse()?;
    let period = q.period.required()?;
    let scope = scope(&state, &current, q.commune.as_deref())?;
    let approved_only = flag(q.approved.as_deref())?;
    let filter = Filter { form: q.form, commune: q.commune, approved_only };
    let summary = reports::summary(&state.db, &state.catalog, &scope, period, filter).await?;
    Ok(Json(summary))
}

/// `true` / `false` (absent: false).
fn flag(value: Option<&str>) -> AppResult<bool> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(AppError::InvalidJson(format!("approved must be true or false, not `{other}`"))),
    }
}

fn required_year(year: Option<String>) -> AppResult<i32> {
    let year = year.ok_or_else(|| ReportError::InvalidPeriod("year is required (YYYY)".into()));
    Ok(year.and_then(|y| parse_year(&y))?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrendQuery {
    year: Option<String>,
    form: Option<String>,
    commune: Option<String>,
}

/// The twelve months of a year: activities and participants of each, as the summary of that
/// month counts them.
async fn trend(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<TrendQuery>, QueryRejection>,
) -> AppResult<Json<Trend>> {
    require_reader(&current)?;
    let Query(q) = query?;
    let year = required_year(q.year)?;
    let scope = scope(&state, &current, q.commune.as_deref())?;
    let filter = Filter { form: q.form, commune: q.commune, approved_only: false };
    let trend = reports::trend(&state.db, &state.catalog, &scope, year, filter).await?;
    Ok(Json(trend))
}

/// How the annual report is sent: a file (XLSX, CSV), or a page to read and print.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum AnnualFormat {
    Xlsx,
    Csv,
    Html,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnualQuery {
    year: Option<String>,
    format: Option<AnnualFormat>,
    commune: Option<String>,
    /// `true`: only the records a supervisor approved.
    approved: Option<bool>,
}

/// The page has no script and loads nothing: its policy says so, whatever frames it.
const HTML_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

async fn annual(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<AnnualQuery>, QueryRejection>,
) -> AppResult<Response> {
    require_reader(&current)?;
    let Query(q) = query?;
    let year = required_year(q.year)?;
    let scope = scope(&state, &current, q.commune.as_deref())?;
    let report = reports::annual_report(&state.db, &state.catalog, &scope, year, q.approved.unwrap_or(false)).await?;
    tracing::info!(user = %current.user.username, year, format = ?q.format, "annual report");
    let format = match q.format.unwrap_or(AnnualFormat::Xlsx) {
        AnnualFormat::Xlsx => Format::Xlsx,
        AnnualFormat::Csv => Format::Csv,
        AnnualFormat::Html => {
            let page = reports::html::annual(&report);
            return Ok((
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                    (header::CONTENT_SECURITY_POLICY, HTML_CSP),
                ],
                page,
            )
                .into_response());
        }
    };
    let bytes = reports::annual_file(&report, format)?;
    Ok(file(format, &format!("bao-cao-binh-dang-gioi-{year}"), Body::from(bytes)))
}

#[derive(Deserialize)]
struct RawQuery {
    form: Option<String>,
    format: Option<Format>,
    #[serde(flatten)]
    period: PeriodParams,
    commune: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

async fn raw(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<RawQuery>, QueryRejection>,
) -> AppResult<Response> {
    require_reader(&current)?;
    let Query(q) = query?;
    q.unknown.refuse()?;
    let Some(form) = q.form else {
        return Err(AppError::bad_request(
            "unknown_form",
            "Cần chọn mẫu phiếu (form).",
            "The form parameter is required.",
        ));
    };
    let period = q.period.period()?;
    let scope = scope(&state, &current, q.commune.as_deref())?;
    let filter = reports::record_filter(&scope, period.as_ref(), Some(&form));
    let plan = reports::raw_plan(&state.db, &state.catalog, &filter).await?.with_links(&state.settings.public_url);
    let format = q.format.unwrap_or(Format::Csv);
    let name = format!("{form}-phieu");
    tracing::info!(user = %current.user.username, form = ?form, ?format, "raw export");
    match format {
        Format::Xlsx => {
            let bytes = reports::raw_xlsx(&state.db, &plan, &filter).await?;
            Ok(file(format, &name, Body::from(bytes)))
        }
        Format::Csv => {
            // Streamed a page at a time: memory stays bounded whatever the number of records.
            let start = (state.db.clone(), plan, filter, RawPages::default(), false);
            let stream = futures_util::stream::unfold(start, |(db, plan, filter, mut pages, header)| async move {
                let mut chunk = Vec::new();
                if !header {
                    let written = csv::raw_header(&plan, &mut chunk).map(|_| Bytes::from(chunk));
                    return Some((written, (db, plan, filter, pages, true)));
                }
                match pages.next(&db, &filter).await {
                    Ok(None) => None,
                    Ok(Some(page)) => {
                        let written =
                            csv::raw_rows(&plan, page.iter().map(|(_, r)| r), &mut chunk).map(|_| Bytes::from(chunk));
                        Some((written, (db, plan, filter, pages, true)))
                    }
                    Err(e) => {
                        // The response has begun: ending it early is all that is left.
                        tracing::error!(error = ?e, "raw export failed");
                        let ended = RawPages::finished();
                        Some((Err(std::io::Error::other("raw export failed")), (db, plan, filter, ended, true)))
                    }
                }
            });
            // Fused: the compression layer may poll the body again after its end (seen with
            // `Accept-Encoding: gzip, deflate`), and an unfold panics when polled past it.
            Ok(file(format, &name, Body::from_stream(futures_util::StreamExt::fuse(stream))))
        }
    }
}
