//! User administration for the console: who manages whom, the filtered users list, edits
//! of role, scope and the agency a supervisor is in charge of. Reading every user is two queries (users, their communes), whatever
//! their number; a province has thousands, not millions.

use std::collections::HashMap;

use forms::reference::ReferenceData;
use forms::Location;
use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::users::{Role, User};
use super::{Db, StoreError};

/// Whether `actor` may see and manage `target`: an admin everyone; a supervisor the
/// collectors whose communes all lie in the supervisor's scope (and who have one at least:
/// a collector with none is the admins' to place). Collectors manage no one.
pub fn manages(actor: &User, target: &User, reference: &ReferenceData) -> bool {
    may_assign(actor, target.role, target.whole_province, &target.communes, reference)
}

/// Whether `actor` may give a user this role and scope (the rule of [`manages`], for a user
/// as an edit or a creation would leave them).
pub fn may_assign(
    actor: &User,
    role: Role,
    whole_province: bool,
    communes: &[Location],
    reference: &ReferenceData,
) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::Supervisor => {
            let scope = actor.scope();
            role == Role::Collector
                && !whole_province
                && !communes.is_empty()
                && communes.iter().all(|l| scope.allows(l, reference))
        }
        Role::Collector => false,
    }
}

/// An edit of a user: what is `Some` changes.
#[derive(Debug, Default)]
pub struct UserEdit {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub whole_province: Option<bool>,
    pub communes: Option<Vec<Location>>,
    /// `Some(None)` takes the agency away.
    pub agency: Option<Option<String>>,
    /// Whether drafts of form versions are served to them.
    pub tester: Option<bool>,
}

impl UserEdit {
    /// The user as this edit would leave them.
    pub fn applied_to(&self, user: &User) -> User {
        User {
            display_name: self.display_name.clone().unwrap_or_else(|| user.display_name.clone()),
            role: self.role.unwrap_or(user.role),
            whole_province: self.whole_province.unwrap_or(user.whole_province),
            communes: self.communes.clone().unwrap_or_else(|| user.communes.clone()),
            agency: self.agency.clone().unwrap_or_else(|| user.agency.clone()),
            tester: self.tester.unwrap_or(user.tester),
            ..user.clone()
        }
    }
}

/// A display name is shown in lists and logs and stored as text: 1–200 characters, no
/// control characters (PostgreSQL cannot store NUL at all).
pub fn check_display_name(name: &str) -> Result<(), StoreError> {
    let chars = name.chars().count();
    if !(1..=200).contains(&chars) || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid("a display name is 1–200 characters, none of them control characters".into()));
    }
    Ok(())
}

/// Every location must be a commune-level unit of its list.
pub fn check_communes(communes: &[Location], reference: &ReferenceData) -> Result<(), StoreError> {
    for l in communes {
        let known = reference.unit_lists.get(&l.unit_list).and_then(|list| list.get(&l.unit_code));
        if !known.is_some_and(|u| u.is_commune_level()) {
            return Err(StoreError::Invalid(format!("'{}' is not a commune of {}", l.unit_code, l.unit_list)));
        }
    }
    Ok(())
}

/// The catalog's list of agencies (`forms/reference/lists.toml`), whose codes records'
/// `organiser` answers and sign-offs name.
pub const AGENCIES: &str = "agencies";

/// Why a user cannot be put in charge of an agency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyError {
    #[error("no agency has the code '{0}'")]
    Unknown(String),
    /// Admins sign off every agency already, and collectors sign off nothing.
    #[error("only a supervisor can be an agency's officer in charge")]
    NotASupervisor,
}

impl From<AgencyError> for StoreError {
    fn from(e: AgencyError) -> Self {
        StoreError::Invalid(e.to_string())
    }
}

/// Whether a user of `role` may be in charge of `agency`: a known code, on a supervisor.
pub fn check_agency(role: Role, agency: Option<&str>, reference: &ReferenceData) -> Result<(), AgencyError> {
    let Some(code) = agency else { return Ok(()) };
    if reference.lists.get(AGENCIES).and_then(|list| list.get(code)).is_none() {
        return Err(AgencyError::Unknown(code.to_owned()));
    }
    if role != Role::Supervisor {
        return Err(AgencyError::NotASupervisor);
    }
    Ok(())
}

impl Db {
    /// Every user with their communes, by username: two queries.
    pub async fn all_users(&self) -> Result<Vec<User>, StoreError> {
        let mut communes: HashMap<i64, Vec<Location>> = HashMap::new();
        let rows = sqlx::query("SELECT user_id, unit_list, unit_code FROM user_communes ORDER BY unit_list, unit_code")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let location = Location { unit_list: r.try_get("unit_list")?, unit_code: r.try_get("unit_code")? };
            communes.entry(r.try_get("user_id")?).or_default().push(location);
        }
        let rows = sqlx::query(
            "SELECT id, username, display_name, role, whole_province, disabled, agency, tests_forms FROM users ORDER BY username",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                Ok(User {
                    id,
                    username: row.try_get("username")?,
                    display_name: row.try_get("display_name")?,
                    role: Role::parse(&row.try_get::<String, _>("role")?)?,
                    whole_province: row.try_get::<i64, _>("whole_province")? != 0,
                    disabled: row.try_get::<i64, _>("disabled")? != 0,
                    communes: communes.remove(&id).unwrap_or_default(),
                    agency: row.try_get("agency")?,
                    tester: row.try_get::<i64, _>("tests_forms")? != 0,
                })
            })
            .collect()
    }

    /// Changes a user's name, role, scope and agency in one transaction, with its audit row
    /// (what changed, before and after). Taking admin away from the last active admin is refused,
    /// under the writers' lock (as disabling is).
    pub async fn update_user(&self, user: &User, edit: &UserEdit, by: &Actor) -> Result<User, StoreError> {
        let after = edit.applied_to(user);
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        if after.role != Role::Admin {
            super::users::keeps_an_admin(&mut tx, user).await?;
        }
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, whole_province = $3, agency = $4, tests_forms = $5 \
             WHERE id = $6",
        )
        .bind(&after.display_name)
        .bind(after.role.as_str())
        .bind(i64::from(after.whole_province))
        .bind(after.agency.as_deref())
        .bind(i64::from(after.tester))
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
        if edit.communes.is_some() {
            sqlx::query("DELETE FROM user_communes WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
            let mut communes = after.communes.clone();
            communes.sort_by(|a, b| (&a.unit_list, &a.unit_code).cmp(&(&b.unit_list, &b.unit_code)));
            communes.dedup();
            for l in &communes {
                sqlx::query("INSERT INTO user_communes (user_id, unit_list, unit_code) VALUES ($1, $2, $3)")
                    .bind(user.id)
                    .bind(&l.unit_list)
                    .bind(&l.unit_code)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let (before, after) = audit::changed(&audit::user_state(user), &audit::user_state(&after));
        let entry = AuditEntry::on_user(by, AuditAction::UserChanged, user).before(before).after(after);
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        self.user_by_id(user.id).await?.ok_or(StoreError::NotFound("user"))
    }
}
