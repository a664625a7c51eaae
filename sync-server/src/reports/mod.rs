//! Reports the province needs (plan section V): sex- and ethnicity-disaggregated results of
//! the final, non-deleted records in the caller's scope, by form, commune and period.
//!
//! - [`period`]: reporting periods (a range, a month, quarter, year, the Action Month);
//! - [`query`]: the grouped sums from the database (`GROUP BY` in SQL, in `store::reports`)
//!   gathered into a [`query::Cube`], with pre-2025 locations counted in their 2025 commune;
//! - [`summary`]: the JSON summary by form, commune, ethnicity and group;
//! - [`annual`]: the annual report, one table per plan area;
//! - [`raw`]: one row per record, one column per field and per grid cell;
//! - [`xlsx`] and [`csv`]: the files, for officials to open in Excel;
//! - [`trend`]: a year month by month;
//! - [`html`]: the annual report as a printable page;
//! - [`reporting`]: who has reported in a period, communes with nothing first.
//!
//! The HTTP handlers (`http::reports`) and the `report` command both call these.

pub mod agencies;
pub mod annual;
pub mod csv;
pub mod html;
pub mod period;
pub mod query;
pub mod raw;
pub mod reporting;
pub mod signoffs;
pub mod summary;
pub mod trend;
pub mod xlsx;

use forms::reference::ReferenceData;
use forms::{Catalog, Location};
use serde::Deserialize;

pub use period::{Period, PeriodParams};
pub use trend::trend;

use crate::store::reports::RecordFilter;
use crate::store::users::Scope;
use crate::store::StoreError;
use crate::Db;

/// Records a raw export reads per query.
pub const RAW_PAGE: i64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("invalid period: {0}")]
    InvalidPeriod(String),
    #[error("unknown form '{0}'")]
    UnknownForm(String),
    #[error("'{0}' is not a commune of units_2025")]
    UnknownCommune(String),
    #[error("commune {0} is outside the caller's scope")]
    OutOfScope(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
}

/// The file a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// An Excel workbook.
    Xlsx,
    /// UTF-8 with a byte-order mark (so Excel reads the Vietnamese right), comma-separated.
    Csv,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// Where a report looks: the caller's scope, or one commune of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    pub whole_province: bool,
    /// The 2025 communes the report covers (empty for the whole province).
    pub communes: Vec<Location>,
    /// The (unit list, code) pairs a record may carry: `None` for every location.
    pub pairs: Option<Vec<(String, String)>>,
}

impl ReportScope {
    /// `scope`, narrowed to `commune` (a code of the 2025 unit list) when given. A commune
    /// outside the scope is refused rather than reported as empty.
    pub fn resolve(
        scope: &Scope,
        communes: &[Location],
        reference: &ReferenceData,
        commune: Option<&str>,
    ) -> Result<ReportScope, ReportError> {
        if let Some(code) = commune {
            let location = Location { unit_list: "units_2025".into(), unit_code: code.trim().to_owned() };
            let known = reference.unit_lists.get("units_2025").and_then(|l| l.get(&location.unit_code));
            if !known.is_some_and(|u| u.is_commune_level()) {
                return Err(ReportError::UnknownCommune(code.to_owned()));
            }
            if !scope.allows(&location, reference) {
                return Err(ReportError::OutOfScope(code.to_owned()));
            }
            let pairs = Scope::of_communes([location.clone()]).pairs(reference);
            return Ok(ReportScope { whole_province: false, communes: vec![location], pairs: Some(pairs) });
        }
        if scope.whole_province {
            return Ok(ReportScope { whole_province: true, communes: Vec::new(), pairs: None });
        }
        Ok(ReportScope { whole_province: false, communes: communes.to_vec(), pairs: Some(scope.pairs(reference)) })
    }

    /// Everything, for the command line.
    pub fn whole_province() -> ReportScope {
        ReportScope { whole_province: true, communes: Vec::new(), pairs: None }
    }

    /// How a report names its scope: "toàn tỉnh" or the communes' names.
    pub fn label(&self, reference: &ReferenceData) -> forms::Localized {
        if self.whole_province {
            return forms::Localized::new("Toàn tỉnh", "Whole province");
        }
        if self.communes.is_empty() {
            return forms::Localized::new("Không có xã nào", "No commune");
        }
        let names: Vec<String> = self.communes.iter().map(|l| unit_name(reference, l)).collect();
        forms::Localized::new(names.join(", "), names.join(", "))
    }
}

/// A unit's name, or its code when the list does not know it.
pub fn unit_name(reference: &ReferenceData, location: &Location) -> String {
    reference
        .unit_lists
        .get(&location.unit_list)
        .and_then(|l| l.get(&location.unit_code))
        .map_or_else(|| location.unit_code.clone(), |u| u.name.clone())
}

/// Checks that a form id names a form of the catalog.
pub fn known_form(catalog: &Catalog, form_id: &str) -> Result<(), ReportError> {
    if catalog.forms().any(|f| f.id() == form_id) {
        Ok(())
    } else {
        Err(ReportError::UnknownForm(form_id.to_owned()))
    }
}

/// The records a report reads: final, not deleted, in `scope`, `period` and `form`.
pub fn record_filter(scope: &ReportScope, period: Option<&Period>, form: Option<&str>) -> RecordFilter {
    RecordFilter {
        period: period.map(|p| (p.from, p.to)),
        form_id: form.map(str::to_owned),
        locations: scope.pairs.clone(),
        approved_only: false,
    }
}

/// The summary of `period` in `scope`, optionally of one form.
pub async fn summary(
    db: &Db,
    catalog: &Catalog,
    scope: &ReportScope,
    period: Period,
    filter: summary::Filter,
) -> Result<summary::Summary, ReportError> {
    if let Some(form) = &filter.form {
        known_form(catalog, form)?;
    }
    let records = RecordFilter {
        approved_only: filter.approved_only,
        ..record_filter(scope, Some(&period), filter.form.as_deref())
    };
    let cube = query::Cube::load(db, catalog, &records).await?;
    Ok(summary::build(catalog, &cube, period, scope, filter))
}

/// The annual report of `year` in `scope`, of the approved records only with
/// `approved_only`.
pub async fn annual_report(
    db: &Db,
    catalog: &Catalog,
    scope: &ReportScope,
    year: i32,
    approved_only: bool,
) -> Result<annual::AnnualReport, ReportError> {
    let period = Period::year(year)?;
    let filter = RecordFilter { approved_only, ..record_filter(scope, Some(&period), None) };
    let (cube, sign_offs) = tokio::try_join!(
        query::Cube::load(db, catalog, &filter),
        signoffs::lines(db, catalog.reference(), scope, year)
    )?;
    Ok(annual::AnnualReport { sign_offs, approved_only, ..annual::build(catalog, &cube, year, period, scope) })
}

/// The annual report as a file.
pub fn annual_file(report: &annual::AnnualReport, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Xlsx => xlsx::annual(report),
        Format::Csv => Ok(csv::annual(report)?),
    }
}

/// The records of a raw export, [`RAW_PAGE`] at a time in `seq` order: the one loop the CSV
/// file, the streamed CSV answer and the XLSX file all read through.
#[derive(Debug, Default, Clone)]
pub struct RawPages {
    after: i64,
    done: bool,
}

impl RawPages {
    /// The next page, `None` after the last (an empty page is never returned).
    pub async fn next(
        &mut self,
        db: &Db,
        filter: &RecordFilter,
    ) -> Result<Option<Vec<(i64, forms::Record)>>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let page = db.report_records(filter, self.after, RAW_PAGE).await?;
        self.done = page.len() < RAW_PAGE as usize;
        self.after = page.last().map_or(self.after, |(seq, _)| *seq);
        Ok((!page.is_empty()).then_some(page))
    }

    /// Pages that are over: what a stream that failed midway goes on with.
    pub fn finished() -> RawPages {
        RawPages { after: 0, done: true }
    }
}

/// The columns of a raw export of the records `filter` selects (one form).
pub async fn raw_plan(db: &Db, catalog: &Catalog, filter: &RecordFilter) -> Result<raw::RawPlan, ReportError> {
    let form = filter.form_id.as_deref().ok_or_else(|| ReportError::UnknownForm(String::new()))?;
    known_form(catalog, form)?;
    raw::RawPlan::new(catalog, form, db.cell_keys(filter).await?)
}

/// Writes a raw export as CSV to `out`, page by page.
pub async fn raw_csv(
    db: &Db,
    plan: &raw::RawPlan,
    filter: &RecordFilter,
    out: &mut impl std::io::Write,
) -> Result<(), ReportError> {
    csv::raw_header(plan, out)?;
    let mut pages = RawPages::default();
    while let Some(page) = pages.next(db, filter).await? {
        csv::raw_rows(plan, page.iter().map(|(_, r)| r), out)?;
    }
    Ok(())
}

/// A raw export as an XLSX file, read page by page.
pub async fn raw_xlsx(db: &Db, plan: &raw::RawPlan, filter: &RecordFilter) -> Result<Vec<u8>, ReportError> {
    let mut workbook = xlsx::RawWorkbook::new(plan)?;
    let mut pages = RawPages::default();
    while let Some(page) = pages.next(db, filter).await? {
        workbook.push(plan, page.iter().map(|(_, r)| r))?;
    }
    // Compressing a large sheet takes a while: not on the async workers.
    tokio::task::spawn_blocking(move || workbook.finish())
        .await
        .map_err(|e| ReportError::Io(std::io::Error::other(e.to_string())))?
}
