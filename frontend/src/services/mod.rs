//! Everything that reads or writes the phone's storage or talks to the server, as plain async
//! functions. Components call these from event handlers and hooks, never during rendering.

use std::rc::Rc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use device::{Api, ApiError, Counts, ReportSummary, Role, Session};
use device::{LocalRecord, OutboxEntry, Storage, StorageError, SyncState};
use forms::dates::iso_date;
use forms::grid::BySex;
use forms::sync::Change;
use forms::{Bundle, Catalog, Lang, Location, Record, RecordStatus};
use uuid::Uuid;

use crate::i18n::texts;

pub mod photos;
pub mod review;

pub const META_LANG: &str = "lang";
pub const META_SESSION: &str = "session";
pub const META_CATALOG: &str = "catalog";
pub const META_LAST_SYNC: &str = "last_sync";
pub const META_PERSIST_ASKED: &str = "persist_asked";
pub const UNITS: &str = "units_2025";

/// What the app needs from storage before it shows anything.
pub struct Boot {
    pub lang: Lang,
    pub device_id: String,
    pub session: Option<Session>,
    pub catalog: Option<Rc<Catalog>>,
    pub last_sync: Option<DateTime<Utc>>,
}

/// Opens the phone's database (creating or upgrading it).
pub async fn open() -> Result<Rc<Storage>, StorageError> {
    Storage::open().await.map(Rc::new)
}

pub async fn boot(storage: &Storage) -> Boot {
    let lang = storage.get_meta::<Lang>(META_LANG).await.ok().flatten().unwrap_or_default();
    let device_id = storage.device_id().await.unwrap_or_default();
    let session = storage.get_meta::<Option<Session>>(META_SESSION).await.ok().flatten().flatten();
    let catalog = storage.get_meta::<Bundle>(META_CATALOG).await.ok().flatten().and_then(load_catalog);
    let last_sync =
        storage.get_meta::<String>(META_LAST_SYNC).await.ok().flatten().and_then(|s| forms::dates::parse_rfc3339(&s));
    Boot { lang, device_id, session, catalog, last_sync }
}

fn load_catalog(bundle: Bundle) -> Option<Rc<Catalog>> {
    match Catalog::from_bundle(bundle) {
        Ok(c) => Some(Rc::new(c)),
        Err(e) => {
            gloo::console::error!(format!("catalog rejected: {e}"));
            None
        }
    }
}

/// The catalog `sync_once` stored in meta `catalog` (after it fetched a new one).
pub async fn stored_catalog(storage: &Storage) -> Option<Rc<Catalog>> {
    storage.get_meta::<Bundle>(META_CATALOG).await.ok().flatten().and_then(load_catalog)
}

/// How many records are where (drafts, waiting, sent, needing attention).
pub async fn counts(storage: &Storage) -> Option<Counts> {
    storage.counts().await.ok()
}

/// Every record on the phone but tombstones, most recently edited first.
pub async fn records(storage: &Storage) -> Vec<LocalRecord> {
    storage.records().await.unwrap_or_default()
}

pub async fn record(storage: &Storage, id: Uuid) -> Option<LocalRecord> {
    storage.record(id).await.ok().flatten()
}

pub async fn set_lang(storage: &Storage, lang: Lang) {
    let _ = storage.put_meta(META_LANG, &lang).await;
}

/// Notes that a sync round ended well now; returns when.
pub async fn synced_now(storage: &Storage) -> DateTime<Utc> {
    let now = Utc::now();
    let _ = storage.put_meta(META_LAST_SYNC, &forms::dates::rfc3339(now)).await;
    now
}

pub fn api(token: Option<String>) -> Api {
    Api::new(None, token)
}

/// Signs in (password or enrolment code) and keeps the session; asks once for persistent storage.
pub async fn sign_in(storage: &Storage, session: Session) -> Session {
    let _ = storage.put_meta(META_SESSION, &Some(session.clone())).await;
    if storage.get_meta::<bool>(META_PERSIST_ASKED).await.ok().flatten().is_none() {
        let granted = crate::web::request_persist().await.unwrap_or(false);
        let _ = storage.put_meta(META_PERSIST_ASKED, &granted).await;
    }
    session
}

/// How many records on the phone are not on the server yet (drafts, waiting, refused,
/// conflicts): what sign-out never removes.
pub async fn unsent(storage: &Storage) -> Option<usize> {
    storage.unsent().await.ok()
}

/// Ends the session on this phone (and on the server, when it can be reached). With
/// `forget`, this account's records, outbox and refused changes leave the phone too, in one
/// transaction with the session, but only if nothing on it is unsent: storage checks that
/// in the same transaction. Returns whether they were removed; an unsent record never is.
pub async fn sign_out(storage: &Storage, token: Option<String>, forget: bool) -> bool {
    if token.is_some() {
        let _ = api(token).sign_out().await;
    }
    if forget && storage.forget(&[META_SESSION, META_LAST_SYNC]).await.is_ok() {
        return true;
    }
    let _ = storage.put_meta(META_SESSION, &None::<Session>).await;
    false
}

pub fn error_text(lang: Lang, e: &ApiError) -> String {
    let t = texts(lang);
    match e {
        ApiError::BadCredentials | ApiError::Unauthorized => t.bad_credentials.into(),
        ApiError::TooManyAttempts => t.too_many_attempts.into(),
        ApiError::Offline => t.need_online.into(),
        ApiError::Rejected { message, .. } => message.get(lang).to_owned(),
        _ => t.server_error.into(),
    }
}

/// Whether the user may see the province's reports (the server checks again).
pub fn reads_reports(session: &Session) -> bool {
    matches!(session.user.role, Role::Supervisor | Role::Admin)
}

/// What to tell a supervisor whose report did not come.
pub fn report_error(lang: Lang, e: &ApiError) -> String {
    let t = texts(lang);
    match e {
        ApiError::Offline => t.report_offline.into(),
        ApiError::Unauthorized => t.session_expired.into(),
        ApiError::Rejected { status: 403, .. } => t.not_permitted.into(),
        _ => error_text(lang, e),
    }
}

/// The province's figures of a period from the server: the summary and, for a year, its
/// months (one request at a time).
pub async fn province_figures(
    token: String,
    dates: (NaiveDate, NaiveDate),
    with_trend: bool,
) -> Result<(ReportSummary, Option<Vec<(u64, BySex)>>), ApiError> {
    let api = api(Some(token));
    let json =
        |text: String| serde_json::from_str::<serde_json::Value>(&text).map_err(|e| ApiError::Decode(e.to_string()));
    let summary = json(api.report(&format!("summary?from={}&to={}", iso_date(dates.0), iso_date(dates.1))).await?)?;
    let trend = match with_trend {
        true => Some(device::api::trend_months(&json(api.report(&format!("trend?year={}", dates.0.year())).await?)?)),
        false => None,
    };
    Ok((summary.into(), trend))
}

/// The annual report of `year` as a page (HTML with no script), to read and print.
pub async fn annual_page(token: Option<String>, year: i32) -> Result<String, ApiError> {
    api(token).report(&format!("annual?year={year}&format=html")).await
}

/// Fetches the annual report of `year` (XLSX) with the session's token and saves it.
pub async fn download_annual(token: Option<String>, year: i32) -> Result<(), ApiError> {
    let file = api(token).annual_report(year).await?;
    crate::web::save_file(&file, &format!("bao-cao-binh-dang-gioi-{year}.xlsx"));
    Ok(())
}

/// A fresh record of the newest version of a form, placed in the user's commune if they have one.
pub fn new_record(form: &forms::Form, session: &Session, device_id: &str) -> LocalRecord {
    let now = Utc::now();
    let location = match session.user.communes.as_slice() {
        [only] => only.clone(),
        _ => Location { unit_list: UNITS.into(), unit_code: String::new() },
    };
    LocalRecord {
        record: Record {
            id: Uuid::new_v4(),
            form_id: form.id().to_owned(),
            form_version: form.version(),
            location,
            author: session.user.username.clone(),
            device_id: device_id.to_owned(),
            created_at: now,
            updated_at: now,
            status: RecordStatus::Draft,
            deleted: false,
            revision: 0,
            values: Default::default(),
        },
        state: SyncState::Draft,
        errors: Vec::new(),
        conflict: None,
        review: None,
    }
}

pub async fn save_draft(storage: &Storage, local: &LocalRecord) -> bool {
    storage.save_draft(local).await.is_ok()
}

/// Puts a record in the outbox, based on `base_revision` (what the server last had).
pub async fn queue(storage: &Storage, mut record: Record, base_revision: u64) -> bool {
    record.updated_at = Utc::now();
    record.revision = base_revision;
    // Sent again: a return is answered by this (the server marks it resubmitted).
    let local = LocalRecord {
        record: record.clone(),
        state: SyncState::Queued,
        errors: Vec::new(),
        conflict: None,
        review: None,
    };
    let entry =
        OutboxEntry { change: Change { change_id: Uuid::new_v4(), base_revision, record }, queued_at: Utc::now() };
    storage.queue(&local, &entry).await.is_ok()
}

/// Deletes a record: a draft the server never saw simply goes; anything else becomes a
/// tombstone that syncs like any change.
pub async fn delete(storage: &Storage, local: &LocalRecord) -> bool {
    if local.state == SyncState::Draft
        && local.record.revision == 0
        && storage.delete_draft(local.record.id).await.is_ok()
    {
        // Its photos never left the phone and nothing names them any more.
        let _ = storage.remove_photos_of(local.record.id).await;
        return true;
    }
    let mut record = local.record.clone();
    record.deleted = true;
    let base = record.revision;
    queue(storage, record, base).await
}

/// The two ways out of a conflict.
#[derive(Clone, Copy, PartialEq)]
pub enum Resolution {
    KeepMine,
    TakeServers,
}

pub async fn resolve(storage: &Storage, local: &LocalRecord, how: Resolution) -> bool {
    match how {
        Resolution::KeepMine => keep_mine(storage, local).await,
        Resolution::TakeServers => take_servers(storage, local).await,
    }
}

/// Conflict, keep mine: my version goes again, based on the server's current revision.
async fn keep_mine(storage: &Storage, local: &LocalRecord) -> bool {
    let base = local.conflict.as_ref().map_or(local.record.revision, |s| s.revision);
    let mut record = local.record.clone();
    record.revision = base;
    queue(storage, record, base).await
}

/// Conflict, take the server's: its version replaces mine on the phone, and my queued
/// changes of the record are dropped, in one storage transaction. Nothing is sent: the server
/// already has this version.
async fn take_servers(storage: &Storage, local: &LocalRecord) -> bool {
    storage.take_theirs(local.record.id).await.is_ok()
}
