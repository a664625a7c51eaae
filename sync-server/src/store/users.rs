//! Users, roles and the communes each may read and write.

use std::collections::{HashMap, HashSet};

use forms::reference::ReferenceData;
use forms::Location;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{passwords, Db, StoreError};
use crate::db::{is_unique_violation, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records activities in one or more communes.
    Collector,
    /// Reads and corrects everything in a set of communes or the whole province.
    Supervisor,
    /// Manages users, enrolments and form versions; reads the whole province.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Collector => "collector",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Role, StoreError> {
        match s {
            "collector" => Ok(Role::Collector),
            "supervisor" => Ok(Role::Supervisor),
            "admin" => Ok(Role::Admin),
            other => Err(StoreError::Corrupt(format!("unknown role '{other}'"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub whole_province: bool,
    pub disabled: bool,
    pub communes: Vec<Location>,
    /// The code (of the catalog's `agencies`) of the agency this supervisor is the officer
    /// in charge of: they sign off its activities (migration `0015_user_agency`).
    #[serde(default)]
    pub agency: Option<String>,
    /// Gets the drafts of form versions on their phone, to fill in as test records
    /// (migration `0018_form_drafts`). Admins always do: [`User::tests_forms`].
    #[serde(default)]
    pub tester: bool,
}

impl User {
    /// Whether drafts of form versions are served to this user ("Bản thử").
    pub fn tests_forms(&self) -> bool {
        self.role == Role::Admin || self.tester
    }

    pub fn scope(&self) -> Scope {
        Scope {
            whole_province: self.whole_province || self.role == Role::Admin,
            communes: self.communes.iter().map(|l| (l.unit_list.clone(), l.unit_code.clone())).collect(),
        }
    }
}

/// Where a user may read and write.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub whole_province: bool,
    communes: HashSet<(String, String)>,
}

impl Scope {
    /// Everything, for administration commands.
    pub fn whole_province() -> Scope {
        Scope { whole_province: true, communes: HashSet::new() }
    }

    /// Just these communes (each with the pre-2025 units merged into it), such as one
    /// commune a report is narrowed to.
    pub fn of_communes(communes: impl IntoIterator<Item = Location>) -> Scope {
        Scope { whole_province: false, communes: communes.into_iter().map(|l| (l.unit_list, l.unit_code)).collect() }
    }

    /// Whether records at `location` are this scope's to read and correct: one of its
    /// communes, or a pre-2025 unit **every** part of which went into its communes. A unit
    /// split between two 2025 communes belongs to neither alone (docs/sync-protocol.md,
    /// "Scope"): its records are read by those who cover all its successors, and by their
    /// authors ([`Scope::may_change`]).
    pub fn allows(&self, location: &Location, reference: &ReferenceData) -> bool {
        if self.whole_province || self.has(location) {
            return true;
        }
        let mut successors = successors(location, reference).peekable();
        successors.peek().is_some() && successors.all(|new| self.has_2025(new))
    }

    /// Whether this scope may file a new record at `location` (its user becomes the
    /// author): one of its communes, or a pre-2025 unit any part of which went into them
    /// (an officer records where an activity was, under the old name people still use).
    pub fn may_file_at(&self, location: &Location, reference: &ReferenceData) -> bool {
        self.allows(location, reference) || successors(location, reference).any(|new| self.has_2025(new))
    }

    /// Whether `username` may correct or delete a stored record at `location` by `author`:
    /// in scope, or their own record at a unit they may file at.
    pub fn may_change(&self, location: &Location, author: &str, username: &str, reference: &ReferenceData) -> bool {
        self.allows(location, reference) || (author == username && self.may_file_at(location, reference))
    }

    /// The (unit list, code) pairs of [`Scope::allows`], for SQL filters: the communes and
    /// the pre-2025 units wholly within them. Empty for the whole province.
    pub fn pairs(&self, reference: &ReferenceData) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self.communes.iter().cloned().collect();
        pairs.extend(self.old_units(reference, true));
        pairs.sort();
        pairs.dedup();
        pairs
    }

    /// The pre-2025 units only partly within this scope: there, only the user's own
    /// records are theirs ([`Scope::may_change`]).
    pub fn partial_pairs(&self, reference: &ReferenceData) -> Vec<(String, String)> {
        let mut pairs = self.old_units(reference, false);
        pairs.sort();
        pairs.dedup();
        pairs
    }

    /// Pre-2025 units with a successor in scope, wholly within it (`whole`) or not.
    fn old_units(&self, reference: &ReferenceData, whole: bool) -> Vec<(String, String)> {
        let mut successors: HashMap<&str, Vec<&str>> = HashMap::new();
        for m in &reference.unit_mapping {
            successors.entry(m.old_code.as_str()).or_default().push(m.new_code.as_str());
        }
        successors
            .into_iter()
            .filter(|(_, new)| new.iter().any(|code| self.has_2025(code)))
            .filter(|(_, new)| new.iter().all(|code| self.has_2025(code)) == whole)
            .map(|(old, _)| ("units_pre2025".to_owned(), old.to_owned()))
            .collect()
    }

    fn has(&self, location: &Location) -> bool {
        self.communes.contains(&(location.unit_list.clone(), location.unit_code.clone()))
    }

    fn has_2025(&self, code: &str) -> bool {
        self.communes.contains(&("units_2025".to_owned(), code.to_owned()))
    }
}

/// The 2025 communes a pre-2025 unit went into (none for a location on another list).
fn successors<'a>(location: &'a Location, reference: &'a ReferenceData) -> impl Iterator<Item = &'a str> + 'a {
    let old = (location.unit_list == "units_pre2025").then_some(location.unit_code.as_str());
    reference.unit_mapping.iter().filter(move |m| Some(m.old_code.as_str()) == old).map(|m| m.new_code.as_str())
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: Option<&'a str>,
    pub whole_province: bool,
    pub communes: &'a [Location],
}

/// Whether a name could be a username: 3–64 characters, a–z, 0–9, '.', '_', '-'. Sign-in
/// refuses anything else before it writes or hashes anything.
pub fn valid_username(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

impl Db {
    /// Creates a user as the server's command line (see [`Actor::command_line`]), in
    /// charge of no agency.
    pub async fn create_user(&self, new: &NewUser<'_>, reference: &ReferenceData) -> Result<User, StoreError> {
        self.create_user_by(new, None, reference, &Actor::command_line()).await
    }

    /// Creates a user, the officer in charge of `agency` if given (a supervisor's only:
    /// [`super::user_admin::check_agency`]); the audit row commits with it. The agency is
    /// an argument rather than a field of [`NewUser`] because only the console sets one.
    pub async fn create_user_by(
        &self,
        new: &NewUser<'_>,
        agency: Option<&str>,
        reference: &ReferenceData,
        by: &Actor,
    ) -> Result<User, StoreError> {
        if !valid_username(new.username) {
            return Err(StoreError::Invalid("a username is 3–64 characters: a–z, 0–9, '.', '_', '-'".into()));
        }
        super::user_admin::check_display_name(new.display_name)?;
        if new.password.is_some_and(|p| p.chars().count() < 8) {
            return Err(StoreError::Invalid("a password has at least 8 characters".into()));
        }
        super::user_admin::check_communes(new.communes, reference)?;
        super::user_admin::check_agency(new.role, agency, reference)?;
        let hash = match new.password {
            Some(p) => Some(passwords::hash(p).await?),
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, whole_province, disabled, created_at, \
             agency) VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id",
        )
        .bind(new.username)
        .bind(new.display_name)
        .bind(hash)
        .bind(new.role.as_str())
        .bind(i64::from(new.whole_province))
        .bind(now_ms())
        .bind(agency)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(row) => row.try_get("id")?,
            Err(e) if is_unique_violation(&e) => return Err(StoreError::AlreadyExists("user")),
            Err(e) => return Err(e.into()),
        };
        for l in new.communes {
            sqlx::query("INSERT INTO user_communes (user_id, unit_list, unit_code) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(&l.unit_list)
                .bind(&l.unit_code)
                .execute(&mut *tx)
                .await?;
        }
        let created = User {
            id,
            username: new.username.to_owned(),
            display_name: new.display_name.to_owned(),
            role: new.role,
            whole_province: new.whole_province,
            disabled: false,
            communes: new.communes.to_vec(),
            agency: agency.map(str::to_owned),
            tester: false,
        };
        let entry = AuditEntry::on_user(by, AuditAction::UserCreated, &created).after(audit::user_state(&created));
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        self.user_by_name(new.username).await?.ok_or(StoreError::NotFound("user"))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row =
            sqlx::query("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&self.pool).await?;
        match row {
            Some(row) => self.user_by_id(row.try_get("id")?).await,
            None => Ok(None),
        }
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, username, display_name, role, whole_province, disabled, agency, tests_forms FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let communes = sqlx::query(
            "SELECT unit_list, unit_code FROM user_communes WHERE user_id = $1 ORDER BY unit_list, unit_code",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| Ok(Location { unit_list: r.try_get("unit_list")?, unit_code: r.try_get("unit_code")? }))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(User {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            role: Role::parse(&row.try_get::<String, _>("role")?)?,
            whole_province: row.try_get::<i64, _>("whole_province")? != 0,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
            communes,
            agency: row.try_get("agency")?,
            tester: row.try_get::<i64, _>("tests_forms")? != 0,
        }))
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let ids: Vec<i64> = sqlx::query("SELECT id FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut users = Vec::with_capacity(ids.len());
        for id in ids {
            users.extend(self.user_by_id(id).await?);
        }
        Ok(users)
    }

    /// The user when the password is right and the account active. An unknown or disabled
    /// user costs the same hash check as a known one, so the time taken tells nothing.
    pub async fn check_password(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1 AND disabled = 0")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let (id, hash) = match &row {
            Some(row) => (Some(row.try_get::<i64, _>("id")?), row.try_get::<Option<String>, _>("password_hash")?),
            None => (None, None),
        };
        // No hash (no such user, or no password set) checks a dummy and answers false.
        match (passwords::verify(hash, password).await?, id) {
            (true, Some(id)) => self.user_by_id(id).await,
            _ => Ok(None),
        }
    }

    /// [`Db::set_disabled_by`] as the server's command line.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), StoreError> {
        self.set_disabled_by(username, disabled, &Actor::command_line()).await
    }

    /// Disabling a user also revokes every token they hold. The last active admin cannot be
    /// disabled: no one could then manage users from the API. The check and the update run
    /// under the writers' lock, so two admins disabling each other cannot both succeed. The
    /// update, the revocation and the audit row commit together.
    pub async fn set_disabled_by(&self, username: &str, disabled: bool, by: &Actor) -> Result<(), StoreError> {
        let user = self.user_by_name(username).await?.ok_or(StoreError::NotFound("user"))?;
        let mut tx = self.pool.begin().await?;
        super::lock_writers(&mut tx).await?;
        if disabled {
            keeps_an_admin(&mut tx, &user).await?;
        }
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let mut after = json!({ "disabled": disabled });
        if disabled {
            after["sessions_ended"] = super::auth::revoke_user_tokens(&mut tx, user.id).await?.into();
        }
        let action = if disabled { AuditAction::UserDisabled } else { AuditAction::UserEnabled };
        let entry = AuditEntry::on_user(by, action, &user).before(json!({ "disabled": user.disabled })).after(after);
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// [`Db::reset_password_by`] as the server's command line.
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<(), StoreError> {
        self.reset_password_by(username, password, &Actor::command_line()).await
    }

    /// A new password revokes the old sessions: whoever knew the old one is signed out. The
    /// audit row says it happened and how many sessions ended, never the password.
    pub async fn reset_password_by(&self, username: &str, password: &str, by: &Actor) -> Result<(), StoreError> {
        if password.chars().count() < 8 {
            return Err(StoreError::Invalid("a password has at least 8 characters".into()));
        }
        let user = self.user_by_name(username).await?.ok_or(StoreError::NotFound("user"))?;
        let hash = passwords::hash(password).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let ended = super::auth::revoke_user_tokens(&mut tx, user.id).await?;
        let entry =
            AuditEntry::on_user(by, AuditAction::PasswordReset, &user).after(json!({ "sessions_ended": ended }));
        audit::write(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Active admins; see also [`Db::count_all_admins`].
    pub async fn count_admins(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Admins, active or not: a database with admins but none active needs a recovery, not
    /// a new `admin`.
    pub async fn count_all_admins(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").fetch_one(&self.pool).await?;
        Ok(row.try_get("n")?)
    }
}

/// Refuses (under the writers' lock the caller holds) to take `user` out of the active
/// admins when no other active admin is left: no one could then manage users from the API.
pub(super) async fn keeps_an_admin(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: &User,
) -> Result<(), StoreError> {
    if user.role != Role::Admin || user.disabled {
        return Ok(());
    }
    let others: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id <> $1")
        .bind(user.id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    if others == 0 {
        return Err(StoreError::LastAdmin);
    }
    Ok(())
}
