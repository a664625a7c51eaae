//! The organising agency as a report dimension (plan section V: every department, mass
//! organisation and commune reports its results): activities and participants of the
//! records whose form names an agency (`organiser`), by agency. In the summary's
//! `agencies` and in the annual report's "Theo cơ quan" sheet.

use forms::{Catalog, Localized};
use serde::Serialize;

use super::annual::{people, people_header, AnnualReport, HeaderGroup, Sheet, Value};
use super::query::{Cube, Tally};
use super::summary::{newest, Figures};

/// The forms that ask for the organising agency, by their newest version.
pub fn organised_forms(catalog: &Catalog) -> Vec<String> {
    let mut ids: Vec<&str> = catalog.forms().map(|f| f.id()).collect();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| newest(catalog, id))
        .filter(|f| f.fields.iter().any(|field| field.name == "organiser"))
        .map(|f| f.definition.title.vi.clone())
        .collect()
}

/// One agency's activities and participants.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyLine {
    pub code: String,
    pub name: Localized,
    pub tally: Tally,
}

/// Every agency with activities in `cube` (of `form` only, if given), in the order of the
/// agencies list; codes the list no longer has come last, named by their code.
pub fn lines(catalog: &Catalog, cube: &Cube, form: Option<&str>) -> Vec<AgencyLine> {
    let mut by_agency: std::collections::BTreeMap<&str, Tally> = Default::default();
    for ((agency, form_id), tally) in &cube.agencies {
        if form.is_none_or(|f| f == form_id) {
            by_agency.entry(agency.as_str()).or_default().add(tally);
        }
    }
    let list = catalog.reference().lists.get("agencies");
    let rank = |code: &str| list.and_then(|l| l.entries.iter().position(|e| e.code == code)).unwrap_or(usize::MAX);
    let mut lines: Vec<AgencyLine> = by_agency
        .into_iter()
        .filter(|(_, tally)| tally.activities > 0)
        .map(|(code, tally)| AgencyLine {
            code: code.to_owned(),
            name: list.and_then(|l| l.get(code)).map_or_else(|| Localized::new(code, code), |e| e.label.clone()),
            tally,
        })
        .collect();
    lines.sort_by_key(|l| (rank(&l.code), l.code.clone()));
    lines
}

/// An agency's row of the summary.
#[derive(Debug, Clone, Serialize)]
pub struct AgencySummary {
    pub agency: String,
    pub name: Localized,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The summary's rows by agency.
pub fn summary(catalog: &Catalog, cube: &Cube, form: Option<&str>) -> Vec<AgencySummary> {
    lines(catalog, cube, form)
        .into_iter()
        .map(|l| AgencySummary { figures: Figures::from(&l.tally), agency: l.code, name: l.name })
        .collect()
}

impl AnnualReport {
    /// "Theo cơ quan": one row per organising agency with activities.
    pub(super) fn agency_sheet(&self) -> Sheet {
        let mut header =
            vec![HeaderGroup::one("STT"), HeaderGroup::one("Mã"), HeaderGroup::one("Cơ quan, đơn vị tổ chức")];
        header.push(HeaderGroup::one("Số hoạt động"));
        header.extend(people_header());
        let mut total = Tally::default();
        let rows = self
            .agencies
            .iter()
            .enumerate()
            .map(|(i, line)| {
                total.add(&line.tally);
                let mut row = vec![
                    Value::Count(i as u64 + 1),
                    Value::Text(line.code.clone()),
                    Value::Text(line.name.vi.clone()),
                    Value::Count(line.tally.activities),
                ];
                row.extend(people(&line.tally));
                row
            })
            .collect();
        let mut total_row =
            vec![Value::Text(String::new()), Value::Text(String::new()), Value::Text("Tổng cộng".into())];
        total_row.push(Value::Count(total.activities));
        total_row.extend(people(&total));
        let note = if self.agencies.is_empty() {
            "Không có hoạt động ghi cơ quan tổ chức trong kỳ báo cáo.".to_owned()
        } else {
            "Chỉ tính các phiếu có ghi cơ quan, đơn vị tổ chức; phiếu của các mẫu khác được tính theo xã ở các biểu lĩnh vực."
                .to_owned()
        };
        Sheet {
            name: "Theo cơ quan".into(),
            title: format!("KẾT QUẢ THEO CƠ QUAN, ĐƠN VỊ TỔ CHỨC NĂM {}", self.year),
            subtitle: self
                .subtitle(vec![format!("Mẫu phiếu ghi cơ quan tổ chức: {}", self.organised_forms.join("; "))]),
            scope: self.scope_line(),
            header,
            rows,
            total: total_row,
            note: Some(note),
            frozen_columns: 3,
        }
    }
}
