//! What the consolidated report of 10/12 is made of: for each commune in scope (and, for
//! the whole province, each agency), whether it signed off the reporting year and the
//! Action Month, by whom and when. A sheet of the annual report.

use forms::reference::ReferenceData;

use super::annual::{AnnualReport, HeaderGroup, Sheet, Value};
use super::{unit_name, ReportError, ReportScope};
use crate::store::signoff::{ClosedPeriod, SignOff, SignOffKind};
use crate::Db;

/// One commune or agency and its sign-offs of the year.
#[derive(Debug, Clone)]
pub struct SignOffLine {
    pub kind: SignOffKind,
    pub code: String,
    pub name: String,
    pub reporting_year: Option<SignOff>,
    pub action_month: Option<SignOff>,
}

/// The lines of `year` for `scope`: every commune of it, then (for the whole province)
/// every agency.
pub async fn lines(
    db: &Db,
    reference: &ReferenceData,
    scope: &ReportScope,
    year: i32,
) -> Result<Vec<SignOffLine>, ReportError> {
    let (year_offs, month_offs) = tokio::try_join!(
        db.sign_offs(ClosedPeriod::ReportingYear, year),
        db.sign_offs(ClosedPeriod::ActionMonth, year)
    )?;
    let open = |list: &[SignOff], kind: SignOffKind, code: &str| {
        list.iter().find(|s| s.kind == kind && s.target == code && s.reopened_at.is_none()).cloned()
    };
    let communes: Vec<forms::Location> = if scope.whole_province {
        reference
            .unit_lists
            .get("units_2025")
            .map(|l| {
                l.communes()
                    .map(|u| forms::Location { unit_list: "units_2025".into(), unit_code: u.code.clone() })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        scope.communes.clone()
    };
    let mut lines: Vec<SignOffLine> = communes
        .iter()
        .map(|c| SignOffLine {
            kind: SignOffKind::Commune,
            code: c.unit_code.clone(),
            name: unit_name(reference, c),
            reporting_year: open(&year_offs, SignOffKind::Commune, &c.unit_code),
            action_month: open(&month_offs, SignOffKind::Commune, &c.unit_code),
        })
        .collect();
    if scope.whole_province {
        for agency in reference.lists.get("agencies").map(|l| l.entries.as_slice()).unwrap_or_default() {
            lines.push(SignOffLine {
                kind: SignOffKind::Agency,
                code: agency.code.clone(),
                name: agency.label.vi.clone(),
                reporting_year: open(&year_offs, SignOffKind::Agency, &agency.code),
                action_month: open(&month_offs, SignOffKind::Agency, &agency.code),
            });
        }
    }
    Ok(lines)
}

fn when(s: &Option<SignOff>) -> [Value; 2] {
    match s {
        Some(s) => [
            Value::Text(
                chrono::DateTime::from_timestamp_millis(s.signed_at)
                    .map(forms::dates::format_instant)
                    .unwrap_or_default(),
            ),
            Value::Text(s.signed_by.display_name.clone()),
        ],
        None => [Value::Text("Chưa chốt".into()), Value::Text(String::new())],
    }
}

impl AnnualReport {
    /// "Tình trạng chốt số liệu": one row per commune or agency.
    pub(super) fn sign_off_sheet(&self) -> Sheet {
        let header = vec![
            HeaderGroup::one("STT"),
            HeaderGroup::one("Mã"),
            HeaderGroup::one("Xã, phường / Cơ quan"),
            HeaderGroup::split("Năm báo cáo", &["Chốt lúc", "Người chốt"]),
            HeaderGroup::split("Tháng hành động", &["Chốt lúc", "Người chốt"]),
        ];
        let rows = self
            .sign_offs
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let mut row =
                    vec![Value::Count(i as u64 + 1), Value::Text(line.code.clone()), Value::Text(line.name.clone())];
                row.extend(when(&line.reporting_year));
                row.extend(when(&line.action_month));
                row
            })
            .collect();
        let signed =
            |pick: fn(&SignOffLine) -> &Option<SignOff>| self.sign_offs.iter().filter(|l| pick(l).is_some()).count();
        Sheet {
            name: "Chốt số liệu".into(),
            title: format!("TÌNH TRẠNG CHỐT SỐ LIỆU NĂM {}", self.year),
            subtitle: self.subtitle(vec![format!(
                "Đã chốt năm báo cáo (01/01–30/11/{y}): {} / {}; đã chốt Tháng hành động (15/11–15/12/{y}): {} / {}",
                signed(|l| &l.reporting_year),
                self.sign_offs.len(),
                signed(|l| &l.action_month),
                self.sign_offs.len(),
                y = self.year
            )]),
            scope: self.scope_line(),
            header,
            rows,
            total: Vec::new(),
            note: Some(
                "Số liệu của đơn vị đã chốt không còn thay đổi; đơn vị chưa chốt có thể còn cập nhật đến khi chốt."
                    .into(),
            ),
            frozen_columns: 3,
        }
    }
}
