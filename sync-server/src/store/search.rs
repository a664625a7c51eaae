//! The console's reads of records (docs/console-api.md, "Records"): a search paged by
//! keyset, one record with its open conflict copies, the open conflicts, and what resolving
//! one needs besides the push write path.
//!
//! Every read is narrowed to what the caller may read by the rules of [`Scope`]: the
//! (unit list, code) pairs it [`Scope::allows`], and at pre-2025 units split between
//! communes only the caller's own records. Admins and province-wide users read everything.

use std::collections::HashSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::NaiveDate;
use forms::reference::ReferenceData;
use forms::{Location, Record, RecordStatus};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyArguments;
use sqlx::{Any, Row};
use uuid::Uuid;

use super::records::{parse_uuid, record_from_row, RECORD_COLUMNS};
use super::users::Scope;
use super::{Db, StoreError};
use crate::db::{now_ms, Backend};

/// Who asks: what they may read, and who they are (their own records at split units).
pub struct Viewer<'a> {
    pub scope: &'a Scope,
    pub username: &'a str,
    pub reference: &'a ReferenceData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Not deleted, saved as a draft.
    Draft,
    /// Not deleted, finished.
    Final,
    /// Tombstones.
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    DateDesc,
    DateAsc,
}

/// Where a page ends: the sort key of its last record. Records without an activity date
/// (tombstones, undated drafts) sort as `""`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCursor {
    sort: Sort,
    date: String,
    id: Uuid,
}

impl SearchCursor {
    /// Opaque to clients: base64url of `d|a`, the date and the id.
    pub fn encode(&self) -> String {
        let dir = if self.sort == Sort::DateAsc { 'a' } else { 'd' };
        URL_SAFE_NO_PAD.encode(format!("{dir}.{}.{}", self.date, self.id))
    }

    /// The cursor a previous page gave for `sort`; `None` when it is not one (or was given
    /// for the other order, where it would skip or repeat records).
    pub fn decode(text: &str, sort: Sort) -> Option<SearchCursor> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let mut parts = raw.splitn(3, '.');
        let dir = match parts.next()? {
            "a" => Sort::DateAsc,
            "d" => Sort::DateDesc,
            _ => return None,
        };
        let date = parts.next()?.to_owned();
        let id = Uuid::parse_str(parts.next()?).ok()?;
        let dated = date.is_empty() || NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_ok();
        (dir == sort && dated).then_some(SearchCursor { sort, date, id })
    }
}

/// What the console searches by; every filter optional.
#[derive(Debug, Clone, Default)]
pub struct RecordSearch {
    pub form_id: Option<String>,
    /// A commune of the 2025 list: its records and those of the pre-2025 units mapped into it.
    pub commune: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<StatusFilter>,
    pub author: Option<String>,
    /// Text found in the answers (case-insensitive as the database allows).
    pub text: Option<String>,
    pub sort: Sort,
    pub after: Option<SearchCursor>,
    pub limit: u32,
}

/// A record in a search answer: no answers, its unit named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordListItem {
    pub id: Uuid,
    pub form_id: String,
    pub form_version: u32,
    pub location: Location,
    pub commune_name: String,
    pub author: String,
    pub status: RecordStatus,
    pub deleted: bool,
    pub activity_date: Option<String>,
    /// Milliseconds since the epoch.
    pub updated_at: i64,
    pub revision: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchPage {
    pub items: Vec<RecordListItem>,
    /// Every record the filters select, on every page.
    pub total: i64,
    /// The `after` of the next page; `None` on the last.
    pub next: Option<String>,
}

/// A conflict copy with the record it lost to, as the console shows them side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictView {
    pub id: Uuid,
    pub record_id: Uuid,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// The username of who sent the incoming version.
    pub sender: String,
    pub base_revision: u64,
    pub server_revision: u64,
    pub incoming: Record,
    pub current: Record,
}

/// A conflict as stored, resolved or not.
#[derive(Debug, Clone)]
pub struct StoredConflict {
    pub id: Uuid,
    pub record_id: Uuid,
    pub incoming: Record,
    pub resolved_at: Option<i64>,
    /// The change that resolved it, from the console.
    pub resolved_change_id: Option<Uuid>,
}

/// Bound text values of a statement under construction, numbered `$1…` as they are added.
#[derive(Clone, Default)]
pub(super) struct Args(Vec<String>);

impl Args {
    pub(super) fn add(&mut self, value: impl Into<String>) -> String {
        self.0.push(value.into());
        format!("${}", self.0.len())
    }

    pub(super) fn query<'q>(&'q self, sql: &'q str) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
        self.0.iter().fold(sqlx::query(sql), |q, v| q.bind(v.as_str()))
    }
}

/// The locations a viewer reads, within a commune filter: everywhere (`all: None`), or the
/// pairs of `all` in full and those of `own` where they are the author.
struct Places {
    all: Option<Vec<(String, String)>>,
    own: Vec<(String, String)>,
}

impl Places {
    fn new(viewer: &Viewer<'_>, commune: Option<&str>) -> Places {
        // A commune filter: the commune and every pre-2025 unit mapped into it, wholly or
        // in part (a record at a split unit is found from either side).
        let wanted: Option<HashSet<(String, String)>> = commune.map(|code| {
            let one = Scope::of_communes([Location { unit_list: "units_2025".into(), unit_code: code.into() }]);
            one.pairs(viewer.reference).into_iter().chain(one.partial_pairs(viewer.reference)).collect()
        });
        let keep = |pairs: Vec<(String, String)>| -> Vec<(String, String)> {
            pairs.into_iter().filter(|p| wanted.as_ref().is_none_or(|w| w.contains(p))).collect()
        };
        if viewer.scope.whole_province {
            let all = wanted.as_ref().map(|w| {
                let mut v: Vec<_> = w.iter().cloned().collect();
                v.sort();
                v
            });
            return Places { all, own: Vec::new() };
        }
        Places {
            all: Some(keep(viewer.scope.pairs(viewer.reference))),
            own: keep(viewer.scope.partial_pairs(viewer.reference)),
        }
    }

    /// Nothing at all to read.
    fn none(&self) -> bool {
        self.all.as_ref().is_some_and(|a| a.is_empty()) && self.own.is_empty()
    }

    /// The condition on columns prefixed `p` (`""` or `"r."`); `None` for everywhere.
    fn condition(&self, args: &mut Args, username: &str, p: &str) -> Option<String> {
        let all = self.all.as_ref()?;
        let mut pair = |(list, code): &(String, String)| {
            format!("({p}unit_list = {} AND {p}unit_code = {})", args.add(list), args.add(code))
        };
        let mut terms: Vec<String> = all.iter().map(&mut pair).collect();
        if !self.own.is_empty() {
            // One term per unit, each with the unit's equalities, so that every term of the
            // OR is a range of the place index.
            let me = args.add(username);
            terms.extend(self.own.iter().map(|(list, code)| {
                format!(
                    "({p}author = {me} AND {p}unit_list = {} AND {p}unit_code = {})",
                    args.add(list),
                    args.add(code)
                )
            }));
        }
        Some(format!("({})", terms.join(" OR ")))
    }
}

/// `text` as it appears inside the stored answers (JSON: quotes, backslashes and control
/// characters escaped), as a LIKE pattern with `!` escaping LIKE's wildcards.
fn text_pattern(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_default();
    let inner = json.get(1..json.len().saturating_sub(1)).unwrap_or_default();
    let mut pattern = String::from("%");
    for ch in inner.chars() {
        if matches!(ch, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

const SORT_KEY: &str = "COALESCE(activity_date, '')";
const LIST_COLUMNS: &str =
    "id, form_id, form_version, unit_list, unit_code, author, status, deleted, activity_date, updated_at, revision";

fn unit_name(reference: &ReferenceData, location: &Location) -> String {
    let unit = reference.unit_lists.get(&location.unit_list).and_then(|l| l.get(&location.unit_code));
    unit.map(|u| u.name.clone()).unwrap_or_default()
}

fn list_item(row: &sqlx::any::AnyRow, reference: &ReferenceData) -> Result<RecordListItem, StoreError> {
    let location = Location { unit_list: row.try_get("unit_list")?, unit_code: row.try_get("unit_code")? };
    let status: String = row.try_get("status")?;
    Ok(RecordListItem {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        form_id: row.try_get("form_id")?,
        form_version: u32::try_from(row.try_get::<i64, _>("form_version")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        commune_name: unit_name(reference, &location),
        location,
        author: row.try_get("author")?,
        status: if status == "draft" { RecordStatus::Draft } else { RecordStatus::Final },
        deleted: row.try_get::<i64, _>("deleted")? != 0,
        activity_date: row.try_get("activity_date")?,
        updated_at: row.try_get("updated_at")?,
        revision: row.try_get::<i64, _>("revision")? as u64,
    })
}

impl Db {
    /// One page of the records `search` selects that `viewer` may read, in activity-date
    /// order (then id), after `search.after`; the number of them all; the next page's cursor.
    /// Keyset paging: a record pushed meanwhile lands before or after the cursor, so it
    /// never shifts or repeats the records of the pages still to come.
    pub async fn search_records(&self, viewer: &Viewer<'_>, search: &RecordSearch) -> Result<SearchPage, StoreError> {
        let places = Places::new(viewer, search.commune.as_deref());
        if places.none() {
            return Ok(SearchPage { items: Vec::new(), total: 0, next: None });
        }
        // SQLite plans without statistics: left alone it reads a whole form, or every final
        // record, through the index of one equality and sorts them. So it is told: with
        // places, the place index (each term of their OR a range of it); without, the index
        // of the form or author and the date order, never the status (`+` keeps a column's
        // index out). PostgreSQL plans from its statistics.
        let sqlite = self.backend == Backend::Sqlite;
        let plus = if sqlite { "+" } else { "" };
        let mut args = Args::default();
        let place = places.condition(&mut args, viewer.username, "");
        let table = if sqlite && place.is_some() { "records INDEXED BY records_search_place" } else { "records" };
        let mut conditions: Vec<String> = place.into_iter().collect();
        if let Some(form) = &search.form_id {
            let by_author = table == "records" && search.author.is_some();
            conditions.push(format!("{}form_id = {}", if by_author { plus } else { "" }, args.add(form)));
        }
        // The sort key rather than the column: the same records (a date is never ''), and a
        // range of the indexes.
        let day = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
        if let Some(from) = &search.from {
            conditions.push(format!("{SORT_KEY} >= {}", args.add(day(from))));
        }
        if let Some(to) = &search.to {
            // Undated records sort as '': not up to any day.
            conditions.push(format!("{SORT_KEY} <= {} AND {SORT_KEY} > ''", args.add(day(to))));
        }
        conditions.extend(search.status.map(|s| match s {
            StatusFilter::Draft => format!("{plus}status = 'draft' AND {plus}deleted = 0"),
            StatusFilter::Final => format!("{plus}status = 'final' AND {plus}deleted = 0"),
            StatusFilter::Deleted => format!("{plus}deleted = 1"),
        }));
        if let Some(author) = &search.author {
            conditions.push(format!("author = {}", args.add(author)));
        }
        if let Some(text) = &search.text {
            // SQLite's LIKE ignores case for ASCII letters only; PostgreSQL's ILIKE for every
            // letter its locale knows (Vietnamese included under a UTF-8 locale).
            let like = if self.backend == Backend::Postgres { "ILIKE" } else { "LIKE" };
            conditions.push(format!("answers {like} {} ESCAPE '!'", args.add(text_pattern(text))));
        }
        let filters = if conditions.is_empty() { "1 = 1".to_owned() } else { conditions.join(" AND ") };
        let count_args = args.clone();
        let count_sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {filters}");

        let (order, before) = match search.sort {
            Sort::DateDesc => ("DESC", "<"),
            Sort::DateAsc => ("ASC", ">"),
        };
        let mut page_filters = filters;
        if let Some(after) = &search.after {
            // (key, id) before the cursor, written out so that its first half is a range.
            let (date, id) = (args.add(&after.date), args.add(after.id.to_string()));
            page_filters +=
                &format!(" AND {SORT_KEY} {before}= {date} AND ({SORT_KEY} {before} {date} OR id {before} {id})");
        }
        let limit = search.limit.max(1) as usize;
        let page_sql = format!(
            "SELECT {LIST_COLUMNS} FROM {table} WHERE {page_filters} ORDER BY {SORT_KEY} {order}, id {order} LIMIT {}",
            limit + 1
        );
        // Two reads on two connections at once: the page and the count.
        let (rows, count) = tokio::try_join!(
            args.query(&page_sql).fetch_all(&self.pool),
            count_args.query(&count_sql).fetch_one(&self.pool)
        )?;
        let mut items =
            rows.iter().map(|row| list_item(row, viewer.reference)).collect::<Result<Vec<_>, StoreError>>()?;
        let next = (items.len() > limit).then(|| {
            items.truncate(limit);
            let last = &items[limit - 1];
            let date = last.activity_date.clone().unwrap_or_default();
            SearchCursor { sort: search.sort, date, id: last.id }.encode()
        });
        Ok(SearchPage { items, total: count.try_get("n")?, next })
    }

    /// A record and its open conflict copies, oldest first; `None` when there is no such
    /// record or `viewer` may not read it (the same answer: existence is not revealed).
    pub async fn record_with_conflicts(
        &self,
        viewer: &Viewer<'_>,
        id: Uuid,
    ) -> Result<Option<(Record, Vec<ConflictView>)>, StoreError> {
        let Some(record) = self.record(id).await? else { return Ok(None) };
        if !viewer.scope.may_change(&record.location, &record.author, viewer.username, viewer.reference) {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT c.id, c.record_id, c.created_at, c.base_revision, c.server_revision, c.incoming, \
             COALESCE(u.username, '') AS sender FROM conflicts c LEFT JOIN users u ON u.id = c.user_id \
             WHERE c.record_id = $1 AND c.resolved_at IS NULL ORDER BY c.created_at, c.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let conflicts =
            rows.iter().map(|row| conflict_view(row, "id", "created_at", record.clone())).collect::<Result<_, _>>()?;
        Ok(Some((record, conflicts)))
    }

    /// The open conflicts on records `viewer` may read, newest first: page `page` (from 1)
    /// of `per_page`, and how many there are.
    pub async fn list_conflicts(
        &self,
        viewer: &Viewer<'_>,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<ConflictView>, i64), StoreError> {
        let places = Places::new(viewer, None);
        if places.none() {
            return Ok((Vec::new(), 0));
        }
        let mut args = Args::default();
        let place = places.condition(&mut args, viewer.username, "r.").map_or(String::new(), |c| format!(" AND {c}"));
        let from = format!(
            "FROM conflicts c JOIN records r ON r.id = c.record_id LEFT JOIN users u ON u.id = c.user_id \
             WHERE c.resolved_at IS NULL{place}"
        );
        let columns: Vec<String> = RECORD_COLUMNS.split(',').map(|c| format!("r.{}", c.trim())).collect();
        let offset = u64::from(page.max(1) - 1) * u64::from(per_page);
        let page_sql = format!(
            "SELECT {}, c.id AS conflict_id, c.created_at AS conflict_at, c.base_revision, c.server_revision, \
             c.incoming, COALESCE(u.username, '') AS sender {from} ORDER BY c.created_at DESC, c.id DESC \
             LIMIT {per_page} OFFSET {offset}",
            columns.join(", ")
        );
        let count_sql = format!("SELECT COUNT(*) AS n {from}");
        let (rows, count) = tokio::try_join!(
            args.query(&page_sql).fetch_all(&self.pool),
            args.query(&count_sql).fetch_one(&self.pool)
        )?;
        let items = rows
            .iter()
            .map(|row| conflict_view(row, "conflict_id", "conflict_at", record_from_row(row)?))
            .collect::<Result<_, _>>()?;
        Ok((items, count.try_get("n")?))
    }

    /// A conflict copy, resolved or not.
    pub async fn conflict(&self, id: Uuid) -> Result<Option<StoredConflict>, StoreError> {
        let row =
            sqlx::query("SELECT id, record_id, incoming, resolved_at, resolved_change_id FROM conflicts WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let resolved_change_id: Option<String> = row.try_get("resolved_change_id")?;
        Ok(Some(StoredConflict {
            id,
            record_id: parse_uuid(&row.try_get::<String, _>("record_id")?)?,
            incoming: serde_json::from_str(&row.try_get::<String, _>("incoming")?)?,
            resolved_at: row.try_get("resolved_at")?,
            resolved_change_id: resolved_change_id.as_deref().map(parse_uuid).transpose()?,
        }))
    }

    /// The conflict that change `change_id` resolved, if any.
    pub async fn conflict_resolved_by(&self, change_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        let row = sqlx::query("SELECT id FROM conflicts WHERE resolved_change_id = $1")
            .bind(change_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| parse_uuid(&r.try_get::<String, _>("id")?)).transpose()
    }

    /// Marks a conflict resolved by `change_id` (once: a later call keeps the first), and
    /// returns when it was resolved.
    pub async fn mark_resolved(&self, id: Uuid, change_id: Uuid) -> Result<i64, StoreError> {
        sqlx::query(
            "UPDATE conflicts SET resolved_at = $1, resolved_change_id = $2 WHERE id = $3 AND resolved_at IS NULL",
        )
        .bind(now_ms())
        .bind(change_id.to_string())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT resolved_at FROM conflicts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("conflict"))?;
        row.try_get::<Option<i64>, _>("resolved_at")?.ok_or(StoreError::Corrupt(format!("conflict {id} unresolved")))
    }
}

fn conflict_view(row: &sqlx::any::AnyRow, id: &str, at: &str, current: Record) -> Result<ConflictView, StoreError> {
    Ok(ConflictView {
        id: parse_uuid(&row.try_get::<String, _>(id)?)?,
        record_id: current.id,
        created_at: row.try_get(at)?,
        sender: row.try_get("sender")?,
        base_revision: row.try_get::<i64, _>("base_revision")? as u64,
        server_revision: row.try_get::<i64, _>("server_revision")? as u64,
        incoming: serde_json::from_str(&row.try_get::<String, _>("incoming")?)?,
        current,
    })
}
