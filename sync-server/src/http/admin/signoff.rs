//! Sign-off (plan section V) in the console: for a period, every commune in scope (and, for
//! admins and province-wide supervisors, every agency; for an agency's officer in charge,
//! that agency) with where it stands — nothing yet,
//! in progress, records needing changes, signed off — the counts behind it, and the
//! actions: sign off, reopen (with a reason). Both are audited; while signed off, the push
//! refuses changes dated inside the period (`period_closed`).

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use forms::review::ReviewState;
use forms::Localized;
use serde::{Deserialize, Serialize};

use super::reporting::communes_in_scope;
use super::require_console;
use crate::http::auth::ClientAddress;
use crate::http::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::reports::query::CommuneMap;
use crate::reports::reporting::reporting_status;
use crate::reports::{Period, ReportScope};
use crate::store::reports::RecordFilter;
use crate::store::signoff::{ClosedPeriod, SignOff, SignOffKind};
use crate::store::user_admin::AGENCIES;
use crate::store::users::{Role, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/sign-offs", get(screen).post(sign_off))
        .route("/admin/sign-offs/{id}/reopen", post(reopen))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenQuery {
    period: ClosedPeriod,
    year: i32,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Standing {
    /// No finished record in the period.
    Nothing,
    InProgress,
    /// Some records were returned and wait for their officers.
    NeedsChanges,
    SignedOff,
}

#[derive(Serialize, Default)]
struct Counts {
    records: u64,
    approved: u64,
    needs_changes: u64,
    /// Finished, not (yet) approved or returned.
    submitted: u64,
}

#[derive(Serialize)]
struct Row {
    kind: SignOffKind,
    target: String,
    name: String,
    standing: Standing,
    counts: Counts,
    /// The open sign-off, if any.
    sign_off: Option<SignOff>,
    /// Whether the caller may sign it off or reopen it.
    may_act: bool,
}

#[derive(Serialize)]
struct Screen {
    period: Period,
    communes: Vec<Row>,
    /// The agencies the caller may sign off: every one for admins and province-wide
    /// supervisors, their own for an agency's officer in charge. `records` counts only the
    /// reviewed ones (the report sums are not kept by agency yet).
    agencies: Vec<Row>,
    /// Reopened sign-offs of the period, newest first: what was closed and opened again.
    reopened: Vec<SignOff>,
}

fn period_of(period: ClosedPeriod, year: i32) -> AppResult<Period> {
    Ok(match period {
        ClosedPeriod::ReportingYear => Period::reporting_year(year)?,
        ClosedPeriod::ActionMonth => Period::action_month(year)?,
    })
}

/// Whether `user` may sign off (or reopen) `target`: the province everything, a supervisor
/// the communes of their scope and the agency they are the officer in charge of.
fn may_act(user: &User, kind: SignOffKind, target: &str) -> bool {
    let province = user.role == Role::Admin || (user.role == Role::Supervisor && user.whole_province);
    match kind {
        SignOffKind::Agency => province || (user.role == Role::Supervisor && user.agency.as_deref() == Some(target)),
        SignOffKind::Commune => {
            province
                || (user.role == Role::Supervisor
                    && user.communes.iter().any(|l| l.unit_list == "units_2025" && l.unit_code == target))
        }
    }
}

fn standing(counts: &Counts, signed: bool) -> Standing {
    match (signed, counts.records, counts.needs_changes) {
        (true, _, _) => Standing::SignedOff,
        (false, 0, _) => Standing::Nothing,
        (false, _, 0) => Standing::InProgress,
        _ => Standing::NeedsChanges,
    }
}

async fn screen(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ScreenQuery>, QueryRejection>,
) -> AppResult<Json<Screen>> {
    require_console(&current)?;
    let Query(q) = query?;
    let period = period_of(q.period, q.year)?;
    let (from, to) = q.period.dates(q.year);
    let user = &current.user;
    let reference = state.catalog.reference();
    let scope = ReportScope::resolve(&user.scope(), &user.communes, reference, None)?;
    let communes = communes_in_scope(&state, &scope, user);
    // An agency's records: those it organised anywhere in the province (what its sign-off
    // closes), from the sums by agency.
    let of_agencies = RecordFilter { period: Some((period.from, period.to)), ..RecordFilter::default() };
    let (status, reviewed, signed, agency_sums) = tokio::try_join!(
        async {
            Ok::<_, AppError>(reporting_status(&state.db, &state.catalog, &scope, period.clone(), &communes).await?)
        },
        async { Ok(state.db.review_counts(&from, &to).await?) },
        async { Ok(state.db.sign_offs(q.period, q.year).await?) },
        async { Ok(state.db.agency_totals(&of_agencies).await?) },
    )?;
    let map = CommuneMap::new(reference);
    let mut by_commune: HashMap<String, Counts> = HashMap::new();
    let mut by_agency: HashMap<String, Counts> = HashMap::new();
    for r in &reviewed {
        let (_, code) = map.key(&r.location.unit_list, &r.location.unit_code);
        let tally = |c: &mut Counts| match r.state {
            ReviewState::Approved => c.approved += 1,
            ReviewState::NeedsChanges => c.needs_changes += 1,
            ReviewState::Submitted => {}
        };
        tally(by_commune.entry(code).or_default());
        if let Some(agency) = &r.organiser {
            tally(by_agency.entry(agency.clone()).or_default());
        }
    }
    for sum in agency_sums.iter().filter(|s| s.sex.is_none() && s.field.is_empty()) {
        by_agency.entry(sum.agency.clone()).or_default().records += sum.total.max(0) as u64;
    }
    let open = |kind: SignOffKind, target: &str| {
        signed.iter().find(|s| s.kind == kind && s.target == target && s.reopened_at.is_none()).cloned()
    };
    let communes: Vec<Row> = status
        .communes
        .iter()
        .map(|c| {
            let mut counts = by_commune.remove(&c.unit_code).unwrap_or_default();
            counts.records = c.activities;
            counts.submitted = counts.records.saturating_sub(counts.approved + counts.needs_changes);
            let sign_off = open(SignOffKind::Commune, &c.unit_code);
            Row {
                kind: SignOffKind::Commune,
                target: c.unit_code.clone(),
                name: c.name.clone(),
                standing: standing(&counts, sign_off.is_some()),
                counts,
                sign_off,
                may_act: may_act(user, SignOffKind::Commune, &c.unit_code),
            }
        })
        .collect();
    let agencies: Vec<Row> = reference
        .lists
        .get(AGENCIES)
        .map(|list| {
            list.entries
                .iter()
                .filter(|a| may_act(user, SignOffKind::Agency, &a.code))
                .map(|a| {
                    let mut counts = by_agency.remove(&a.code).unwrap_or_default();
                    counts.submitted = counts.records.saturating_sub(counts.approved + counts.needs_changes);
                    let sign_off = open(SignOffKind::Agency, &a.code);
                    Row {
                        kind: SignOffKind::Agency,
                        target: a.code.clone(),
                        name: a.label.vi.clone(),
                        standing: standing(&counts, sign_off.is_some()),
                        counts,
                        sign_off,
                        may_act: true,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let reopened = signed.into_iter().filter(|s| s.reopened_at.is_some()).collect();
    Ok(Json(Screen { period, communes, agencies, reopened }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignOffBody {
    kind: SignOffKind,
    target: String,
    period: ClosedPeriod,
    year: i32,
}

async fn sign_off(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    ApiJson(body): ApiJson<SignOffBody>,
) -> AppResult<(StatusCode, Json<SignOff>)> {
    require_console(&current)?;
    period_of(body.period, body.year)?;
    let reference = state.catalog.reference();
    let known = match body.kind {
        SignOffKind::Commune => {
            reference.unit_lists.get("units_2025").is_some_and(|l| l.communes().any(|u| u.code == body.target))
        }
        SignOffKind::Agency => reference.lists.get(AGENCIES).is_some_and(|l| l.get(&body.target).is_some()),
    };
    if !known {
        return Err(AppError::BadRequest(
            "unknown_target",
            Localized::new(
                format!("Không có xã hoặc cơ quan mã '{}'.", body.target),
                format!("No commune or agency has the code '{}'.", body.target),
            ),
        ));
    }
    if !may_act(&current.user, body.kind, &body.target) {
        return Err(AppError::Forbidden);
    }
    let actor = current.actor(address);
    let signed = state.db.sign_off(&actor, body.kind, &body.target, body.period, body.year).await?;
    tracing::info!(user = %current.user.username, target = %body.target, period = body.period.as_str(), "sign-off");
    Ok((StatusCode::CREATED, Json(signed)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReopenBody {
    reason: String,
}

async fn reopen(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReopenBody>,
) -> AppResult<Json<SignOff>> {
    require_console(&current)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2_000 {
        return Err(AppError::bad_request(
            "reason_required",
            "Hãy ghi lý do mở lại (tối đa 2.000 ký tự).",
            "Give the reason for reopening (2,000 characters at most).",
        ));
    }
    let open = state.db.open_sign_off(id).await?.ok_or(AppError::NotFound)?;
    if !may_act(&current.user, open.kind, &open.target) {
        return Err(AppError::NotFound);
    }
    let actor = current.actor(address);
    Ok(Json(state.db.reopen_sign_off(&actor, id, reason).await?))
}
