//! "Who has reported" in the console: every commune in the caller's scope for a period,
//! communes with nothing first, as JSON or as a workbook to print and phone down.

use std::collections::{HashMap, HashSet};

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use forms::Location;
use serde::Deserialize;

use super::require_console;
use crate::http::{AppResult, AppState, CurrentUser};
use crate::reports::reporting::{reporting_status, Officers};
use crate::reports::{xlsx, PeriodParams, ReportScope};
use crate::store::users::Role;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/reporting", get(status))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
enum Format {
    #[default]
    Json,
    Xlsx,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusQuery {
    from: Option<String>,
    to: Option<String>,
    month: Option<String>,
    quarter: Option<String>,
    year: Option<String>,
    action_month: Option<String>,
    reporting_year: Option<String>,
    format: Option<Format>,
}

async fn status(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<StatusQuery>, QueryRejection>,
) -> AppResult<Response> {
    require_console(&current)?;
    let Query(q) = query?;
    let period = PeriodParams {
        from: q.from,
        to: q.to,
        month: q.month,
        quarter: q.quarter,
        year: q.year,
        action_month: q.action_month,
        reporting_year: q.reporting_year,
    }
    .required()?;
    let reference = state.catalog.reference();
    let user = &current.user;
    let scope = ReportScope::resolve(&user.scope(), &user.communes, reference, None)?;
    let communes = communes_in_scope(&state, &scope, user);
    // Officers and sums read side by side.
    let (officers, report) = tokio::try_join!(officers_by_commune(&state, &communes), async {
        Ok(reporting_status(&state.db, &state.catalog, &scope, period, &communes).await?)
    })?;
    let report = report.with_officers(&officers);
    if q.format.unwrap_or_default() == Format::Json {
        return Ok(Json(report).into_response());
    }
    let file = xlsx::sheets(&[report.sheet(chrono::Utc::now())])?;
    let name = format!("tinh-hinh-bao-cao-{}-{}.xlsx", report.period.from, report.period.to);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from(file),
    )
        .into_response())
}

/// The 2025 communes the caller answers for: the whole list, or their own.
pub(super) fn communes_in_scope(
    state: &AppState,
    scope: &ReportScope,
    user: &crate::store::users::User,
) -> Vec<Location> {
    if scope.whole_province {
        state
            .catalog
            .reference()
            .unit_lists
            .get("units_2025")
            .map(|list| {
                list.communes()
                    .map(|u| Location { unit_list: "units_2025".into(), unit_code: u.code.clone() })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        user.communes.iter().filter(|l| l.unit_list == "units_2025").cloned().collect()
    }
}

/// Per commune code: its active collectors and their phones' latest sync.
async fn officers_by_commune(state: &AppState, communes: &[Location]) -> AppResult<HashMap<String, Officers>> {
    let wanted: HashSet<&str> = communes.iter().map(|l| l.unit_code.as_str()).collect();
    let users: Vec<_> =
        state.db.all_users().await?.into_iter().filter(|u| u.role == Role::Collector && !u.disabled).collect();
    let mut last_sync: HashMap<i64, i64> = HashMap::new();
    for device in state.db.list_devices().await? {
        if let Some(at) = device.last_sync_at {
            let best = last_sync.entry(device.user_id).or_insert(at);
            *best = (*best).max(at);
        }
    }
    let mut out: HashMap<String, Officers> = HashMap::new();
    for user in &users {
        for l in user.communes.iter().filter(|l| l.unit_list == "units_2025" && wanted.contains(l.unit_code.as_str())) {
            let officers = out.entry(l.unit_code.clone()).or_default();
            officers.users += 1;
            officers.last_sync_at = officers.last_sync_at.max(last_sync.get(&user.id).copied());
        }
    }
    Ok(out)
}
