//! Users in the console: the filtered list, create, edit role, scope and the agency a
//! supervisor is in charge of, disable/enable, reset a password. Admins manage everyone; supervisors the collectors inside their scope
//! (`store::user_admin::manages`), and a user they may not manage is answered 404, as if
//! it did not exist.

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use forms::Location;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{commune_view, in_commune, page_of, require_console, search_term, CommuneView, Page, Paging};
use crate::http::auth::ClientAddress;
use crate::http::{ApiJson, AppError, AppResult, AppState, CurrentUser};
use crate::store::user_admin::{check_agency, check_communes, check_display_name, manages, may_assign, UserEdit};
use crate::store::users::{NewUser, Role, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{username}", patch(edit))
        .route("/admin/users/{username}/disable", post(disable))
        .route("/admin/users/{username}/enable", post(enable))
        .route("/admin/users/{username}/password", post(new_password))
}

/// A user as the console lists them.
#[derive(Serialize)]
struct UserView {
    id: i64,
    username: String,
    display_name: String,
    role: Role,
    whole_province: bool,
    disabled: bool,
    communes: Vec<CommuneView>,
    /// The code of the agency they are the officer in charge of (supervisors only).
    agency: Option<String>,
    /// Gets drafts of form versions on their phone ("Bản thử"); admins always do.
    tester: bool,
    /// The latest use of any of their sessions.
    last_seen_at: Option<i64>,
    /// Phones they have signed in on.
    devices: i64,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Status {
    Active,
    Disabled,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    role: Option<Role>,
    /// A 2025 commune code: users with it in their scope.
    commune: Option<String>,
    status: Option<Status>,
    /// Part of the username or display name, any case.
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Page<UserView>>> {
    require_console(&current)?;
    let Query(query) = query?;
    let reference = state.catalog.reference();
    let seen = state.db.last_seen().await?;
    let needle = search_term(query.q.as_deref());
    let users = state.db.all_users().await?.into_iter().filter(|u| {
        manages(&current.user, u, reference)
            && query.role.is_none_or(|r| u.role == r)
            && query.status.is_none_or(|s| u.disabled == (s == Status::Disabled))
            && in_commune(u, query.commune.as_deref())
            && needle.as_deref().is_none_or(|n| u.username.contains(n) || u.display_name.to_lowercase().contains(n))
    });
    let views: Vec<UserView> = users
        .map(|u| {
            let (last_seen_at, devices) = seen.get(&u.id).copied().unwrap_or_default();
            UserView {
                id: u.id,
                communes: u.communes.iter().map(|l| commune_view(l, reference)).collect(),
                username: u.username,
                display_name: u.display_name,
                role: u.role,
                whole_province: u.whole_province,
                disabled: u.disabled,
                agency: u.agency,
                tester: u.tester,
                last_seen_at,
                devices,
            }
        })
        .collect();
    Ok(Json(page_of(views, &Paging { page: query.page, per_page: query.per_page })?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    username: String,
    display_name: String,
    role: Role,
    password: Option<String>,
    #[serde(default)]
    whole_province: bool,
    #[serde(default)]
    communes: Vec<Location>,
    /// An agency code: the new supervisor is its officer in charge.
    agency: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    ApiJson(body): ApiJson<CreateUser>,
) -> AppResult<Json<User>> {
    require_console(&current)?;
    let reference = state.catalog.reference();
    check_communes(&body.communes, reference)?;
    check_agency(body.role, body.agency.as_deref(), reference)?;
    if !may_assign(&current.user, body.role, body.whole_province, &body.communes, reference) {
        return Err(AppError::Forbidden);
    }
    let new = NewUser {
        username: &body.username,
        display_name: &body.display_name,
        role: body.role,
        password: body.password.as_deref(),
        whole_province: body.whole_province,
        communes: &body.communes,
    };
    let user = state.db.create_user_by(&new, body.agency.as_deref(), reference, &current.actor(address)).await?;
    tracing::info!(by = ?current.user.username, user = ?user.username, role = user.role.as_str(), "user created");
    Ok(Json(user))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditUser {
    display_name: Option<String>,
    role: Option<Role>,
    whole_province: Option<bool>,
    communes: Option<Vec<Location>>,
    /// Absent: unchanged; `null`: in charge of no agency.
    #[serde(default, deserialize_with = "present")]
    agency: Option<Option<String>>,
    /// Whether drafts of form versions are served to them: admins name testers.
    tester: Option<bool>,
}

/// A field that is in the body, even as `null` (`Some(None)`), as opposed to absent (`None`,
/// through `#[serde(default)]`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

async fn edit(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<EditUser>,
) -> AppResult<Json<User>> {
    let user = managed_user(&state, &current, &username).await?;
    let reference = state.catalog.reference();
    if let Some(name) = &body.display_name {
        check_display_name(name)?;
    }
    if let Some(communes) = &body.communes {
        check_communes(communes, reference)?;
    }
    let edit = UserEdit {
        display_name: body.display_name,
        role: body.role,
        whole_province: body.whole_province,
        communes: body.communes,
        agency: body.agency,
        tester: body.tester,
    };
    if edit.tester.is_some() && current.user.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    // The user as the edit leaves them must still be the caller's to manage, and hold an
    // agency only as a supervisor (a role changed away from it takes `agency: null` too).
    let after = edit.applied_to(&user);
    check_agency(after.role, after.agency.as_deref(), reference)?;
    if !may_assign(&current.user, after.role, after.whole_province, &after.communes, reference) {
        return Err(AppError::Forbidden);
    }
    let updated = state.db.update_user(&user, &edit, &current.actor(address)).await?;
    tracing::info!(by = ?current.user.username, user = ?updated.username, role = updated.role.as_str(), "user edited");
    Ok(Json(updated))
}

async fn disable(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    let user = managed_user(&state, &current, &username).await?;
    state.db.set_disabled_by(&user.username, true, &current.actor(address)).await?;
    tracing::info!(by = ?current.user.username, user = ?user.username, "user disabled");
    Ok(Json(json!({ "username": user.username, "disabled": true })))
}

async fn enable(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    let user = managed_user(&state, &current, &username).await?;
    state.db.set_disabled_by(&user.username, false, &current.actor(address)).await?;
    tracing::info!(by = ?current.user.username, user = ?user.username, "user enabled");
    Ok(Json(json!({ "username": user.username, "disabled": false })))
}

/// A new password, made here and shown once: every session of the user ends.
async fn new_password(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    let user = managed_user(&state, &current, &username).await?;
    let password = generated_password();
    state.db.reset_password_by(&user.username, &password, &current.actor(address)).await?;
    tracing::info!(by = ?current.user.username, user = ?user.username, "password reset");
    Ok(Json(json!({ "username": user.username, "password": password })))
}

/// Twelve characters a person can read aloud and type on a phone: lower-case letters and
/// digits without the look-alikes (0/o, 1/l/i). About 61 bits.
fn generated_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// The user named in the path, if the caller manages them; otherwise 404 (a supervisor
/// learns nothing of users outside their scope) — 403 for collectors.
pub(super) async fn managed_user(state: &AppState, current: &CurrentUser, username: &str) -> AppResult<User> {
    require_console(current)?;
    let user = state.db.user_by_name(username).await?.ok_or(AppError::NotFound)?;
    if manages(&current.user, &user, state.catalog.reference()) {
        Ok(user)
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_are_long_enough_and_differ() {
        let (a, b) = (super::generated_password(), super::generated_password());
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_ne!(a, b);
    }
}
