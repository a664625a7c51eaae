//! The province console's API (`docs/console-api.md`): users, enrolment, phones and sync
//! health, who has reported, and records server-side. Admins see the whole province;
//! supervisors their scope and the collectors inside it; collectors get 403 everywhere.

mod users;

use axum::Router;

use super::{AppError, AppResult, AppState, CurrentUser};
use crate::store::users::Role;

pub use users::enrollment_link;

pub fn routes() -> Router<AppState> {
    Router::new().merge(users::routes())
}

/// Admins and supervisors only: the console is not for collectors.
pub(crate) fn require_console(current: &CurrentUser) -> AppResult<()> {
    match current.user.role {
        Role::Admin | Role::Supervisor => Ok(()),
        Role::Collector => Err(AppError::Forbidden),
    }
}
