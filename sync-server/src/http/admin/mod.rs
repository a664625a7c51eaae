//! The province console's API (`docs/console-api.md`): users, enrolment, phones and sync
//! health, who has reported, and records server-side. Admins see the whole province;
//! supervisors their scope and the collectors inside it; collectors get 403 everywhere.

mod audit;
mod devices;
mod enrollments;
mod form_drafts;
mod form_versions;
mod records;
mod reference;
mod reporting;
mod signoff;
mod users;

use axum::Router;
use forms::reference::ReferenceData;
use forms::Location;
use serde::Serialize;

use super::{AppError, AppResult, AppState, CurrentUser};
use crate::store::users::{Role, User};

pub use enrollments::enrollment_link;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(enrollments::routes())
        .merge(devices::routes())
        .merge(reporting::routes())
        .merge(records::routes())
        .merge(audit::routes())
        .merge(signoff::routes())
        .merge(form_versions::routes())
        .merge(form_drafts::routes())
        .merge(reference::routes())
}

/// Admins only: the audit log (it names every user and address), forms, drafts and
/// reference lists.
pub(crate) fn require_admin(current: &CurrentUser) -> AppResult<()> {
    match current.user.role {
        Role::Admin => Ok(()),
        Role::Supervisor | Role::Collector => Err(AppError::Forbidden),
    }
}

/// Admins and supervisors only: the console is not for collectors.
pub(crate) fn require_console(current: &CurrentUser) -> AppResult<()> {
    match current.user.role {
        Role::Admin | Role::Supervisor => Ok(()),
        Role::Collector => Err(AppError::Forbidden),
    }
}

/// `page` (from 1) and `per_page` (1–200, default 50) of a listing. Each query struct
/// names the two fields itself: serde's `flatten` would take every value as a string, and
/// `deny_unknown_fields` does not combine with it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl Paging {
    /// (page, per_page), with the defaults, or `invalid_paging`.
    pub(crate) fn checked(&self) -> AppResult<(u32, u32)> {
        let (page, per_page) = (self.page.unwrap_or(1), self.per_page.unwrap_or(50));
        if page == 0 || !(1..=200).contains(&per_page) {
            return Err(AppError::bad_request(
                "invalid_paging",
                "Trang bắt đầu từ 1; mỗi trang có từ 1 đến 200 dòng.",
                "page starts at 1; per_page is 1–200.",
            ));
        }
        Ok((page, per_page))
    }
}

/// One page of a listing, with the total it was cut from.
#[derive(Serialize)]
pub(crate) struct Page<T> {
    items: Vec<T>,
    total: usize,
    page: u32,
    per_page: u32,
}

/// The page `paging` asks of `all` (already filtered and ordered).
pub(crate) fn page_of<T>(all: Vec<T>, paging: &Paging) -> AppResult<Page<T>> {
    let (page, per_page) = paging.checked()?;
    let total = all.len();
    let skip = (page as usize - 1).saturating_mul(per_page as usize);
    let items = all.into_iter().skip(skip).take(per_page as usize).collect();
    Ok(Page { items, total, page, per_page })
}

/// A commune as answers name it: its list, code and name.
#[derive(Serialize, Clone, Debug)]
pub(crate) struct CommuneView {
    unit_list: String,
    unit_code: String,
    name: String,
}

pub(crate) fn commune_view(location: &Location, reference: &ReferenceData) -> CommuneView {
    let name = reference
        .unit_lists
        .get(&location.unit_list)
        .and_then(|list| list.get(&location.unit_code))
        .map_or_else(|| location.unit_code.clone(), |u| u.name.clone());
    CommuneView { unit_list: location.unit_list.clone(), unit_code: location.unit_code.clone(), name }
}

/// The console's commune filter: whether `user` works in the 2025 commune `code` (no
/// filter keeps everyone).
pub(crate) fn in_commune(user: &User, code: Option<&str>) -> bool {
    code.is_none_or(|code| user.communes.iter().any(|l| l.unit_list == "units_2025" && l.unit_code == code))
}

/// A `q` parameter as lists match it: trimmed and lower case; `None` when empty.
pub(crate) fn search_term(q: Option<&str>) -> Option<String> {
    q.map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase)
}
