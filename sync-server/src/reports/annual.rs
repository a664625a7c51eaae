//! The annual report of plan section V: an overview, then one table per plan area
//! (communication, training, models, Action Month, schools, Project 8, then inspections,
//! awards, GBV support services and the Committees for the Advancement of Women), each by
//! commune with activities and participations by sex, Kinh / ethnic minority, group and
//! ethnic group, and the report figures of the area's forms.
//!
//! The report is laid out once, as [`Sheet`]s of header groups and typed cells, and written
//! by `xlsx` and `csv` alike.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use forms::grid::{BySex, KINH};
use forms::{Catalog, Localized, Location, PlanArea};

use super::query::{Cube, Tally, UnitKey};
use super::summary::{newest, participant_grid, AREAS};
use super::{unit_name, Period, ReportScope};

/// How the report names a plan area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaInfo {
    pub area: PlanArea,
    pub number: usize,
    pub title: &'static str,
    /// Items of the plan the area reports on.
    pub plan_items: &'static str,
    /// Worksheet name (at most 31 characters).
    pub sheet: &'static str,
}

pub fn area_info(area: PlanArea) -> AreaInfo {
    let (number, title, plan_items, sheet) = match area {
        PlanArea::Communication => {
            (1, "Truyền thông, phổ biến, giáo dục chính sách, pháp luật về bình đẳng giới", "II.2", "1. Truyền thông")
        }
        PlanArea::Training => {
            (2, "Tập huấn, bồi dưỡng kiến thức, kỹ năng về bình đẳng giới", "II.3.b, IV.1.d, IV.5.a", "2. Tập huấn")
        }
        PlanArea::Models => (
            3,
            "Kiểm tra mô hình địa chỉ tin cậy, nhà tạm lánh, phòng ngừa bạo lực trên cơ sở giới",
            "II.4.a, II.5",
            "3. Mô hình",
        ),
        PlanArea::ActionMonth => (
            4,
            "Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới (15/11–15/12)",
            "II.6, IV.14.b",
            "4. Tháng hành động",
        ),
        PlanArea::Schools => (5, "Lồng ghép nội dung giới, bình đẳng giới trong trường học", "IV.5", "5. Trường học"),
        PlanArea::Project8 => (
            6,
            "Dự án 8: Thực hiện bình đẳng giới và giải quyết những vấn đề cấp thiết đối với phụ nữ và trẻ em",
            "IV.9, IV.11.c",
            "6. Dự án 8",
        ),
        PlanArea::Inspections => (
            7,
            "Thanh tra, kiểm tra việc thực hiện pháp luật về bình đẳng giới",
            "II.3, IV.1.c, IV.14.c",
            "7. Thanh tra, kiểm tra",
        ),
        PlanArea::Awards => (
            8,
            "Khen thưởng, biểu dương trong công tác bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới",
            "II.3, IV.1.đ, IV.2.c",
            "8. Khen thưởng",
        ),
        PlanArea::GbvServices => {
            (9, "Cung cấp dịch vụ phòng ngừa và ứng phó với bạo lực trên cơ sở giới", "II.5", "9. Dịch vụ hỗ trợ")
        }
        PlanArea::AdvancementOfWomen => {
            (10, "Hoạt động của Ban vì sự tiến bộ của phụ nữ các cấp", "II.7", "10. Ban vì sự tiến bộ phụ nữ")
        }
    };
    AreaInfo { area, number, title, plan_items, sheet }
}

/// One row of an area's table: a commune, or the total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaRow {
    pub unit: Option<UnitKey>,
    pub name: String,
    pub tally: Tally,
    pub ethnicity: BTreeMap<String, BySex>,
    pub groups: BTreeMap<String, BySex>,
    /// Report figures by (form, field).
    pub figures: BTreeMap<(String, String), i64>,
}

/// A report figure's column in an area's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureColumn {
    pub form: String,
    pub field: String,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct AreaTable {
    pub info: AreaInfo,
    /// Titles of the area's forms.
    pub forms: Vec<String>,
    pub collects_participants: bool,
    /// The further grid dimension's values and labels, over the area's forms.
    pub groups: Vec<(String, String)>,
    /// Minority groups with participants, in list order.
    pub minorities: Vec<(String, String)>,
    /// The report figures of the area's forms, in the order their files list them.
    pub figures: Vec<FigureColumn>,
    pub rows: Vec<AreaRow>,
    pub total: AreaRow,
}

#[derive(Debug, Clone)]
pub struct AnnualReport {
    pub year: i32,
    pub period: Period,
    pub scope: Localized,
    pub generated_at: DateTime<Utc>,
    pub tables: Vec<AreaTable>,
    /// Whether each commune (and agency) in scope signed off the year's periods
    /// ([`super::signoffs`]); empty until added.
    pub sign_offs: Vec<super::signoffs::SignOffLine>,
    /// Counts only the records a supervisor approved.
    pub approved_only: bool,
    /// Activities and participants by organising agency ([`super::agencies`]).
    pub agencies: Vec<super::agencies::AgencyLine>,
    /// Titles of the forms that name the organising agency.
    pub organised_forms: Vec<String>,
}

/// Builds the report of `year` from the cube of that year's records in `scope`.
pub fn build(catalog: &Catalog, cube: &Cube, year: i32, period: Period, scope: &ReportScope) -> AnnualReport {
    let reference = catalog.reference();
    // Areas by their position in the plan (`PlanArea` has no order of its own).
    let area_of =
        |form: &str| newest(catalog, form).and_then(|f| AREAS.iter().position(|a| *a == f.definition.plan_area));
    let rows = cube.tally_by(|f, u| Some((area_of(f)?, u.clone())));
    let ethnicity = cube.ethnicity_by(|f, u| Some((area_of(f)?, u.clone())));
    let groups = cube.groups_by(|f, u| Some((area_of(f)?, u.clone())));
    let figures = cube.figures_by(|f, u| Some((area_of(f)?, u.clone(), f.to_owned())));
    let tables = AREAS
        .iter()
        .enumerate()
        .map(|(index, &area)| {
            let forms: Vec<_> = {
                let mut ids: Vec<&str> =
                    catalog.forms().filter(|f| f.definition.plan_area == area).map(|f| f.id()).collect();
                ids.dedup();
                ids.into_iter().filter_map(|id| newest(catalog, id)).collect()
            };
            let mut group_options: Vec<(String, String)> = Vec::new();
            for grid in forms.iter().filter_map(|f| participant_grid(f)) {
                for o in grid.group.iter().flat_map(|g| &g.options) {
                    if !group_options.iter().any(|(v, _)| *v == o.value) {
                        group_options.push((o.value.clone(), o.label.vi.clone()));
                    }
                }
            }
            let mut units: Vec<UnitKey> = rows.keys().filter(|(a, _)| *a == index).map(|(_, u)| u.clone()).collect();
            for l in &scope.communes {
                let key = (l.unit_list.clone(), l.unit_code.clone());
                if !units.contains(&key) {
                    units.push(key);
                }
            }
            units.sort();
            let mut total = AreaRow { name: "Tổng cộng".into(), ..AreaRow::default() };
            let table_rows: Vec<AreaRow> = units
                .into_iter()
                .map(|unit| {
                    let key = (index, unit.clone());
                    let row = AreaRow {
                        name: unit_name(reference, &Location { unit_list: unit.0.clone(), unit_code: unit.1.clone() }),
                        unit: Some(unit),
                        tally: rows.get(&key).copied().unwrap_or_default(),
                        ethnicity: pick(&ethnicity, &key),
                        groups: pick(&groups, &key),
                        figures: figures
                            .iter()
                            .filter(|(((a, u, _), _), _)| (*a, u) == (key.0, &key.1))
                            .map(|(((_, _, form), field), n)| ((form.clone(), field.clone()), *n))
                            .collect(),
                    };
                    total.add(&row);
                    row
                })
                .collect();
            let minorities = reference
                .ethnic_groups()
                .entries
                .iter()
                .filter(|e| e.code != KINH && total.ethnicity.get(&e.code).is_some_and(|c| c.total() > 0))
                .map(|e| (e.code.clone(), e.label.vi.clone()))
                .collect();
            // Groups that no form offers any more but records still hold keep a column.
            for value in total.groups.keys() {
                if !group_options.iter().any(|(v, _)| v == value) {
                    group_options.push((value.clone(), value.clone()));
                }
            }
            let with_figures: Vec<_> = forms.iter().filter_map(|f| catalog.figures(f.id()).map(|x| (f, x))).collect();
            let figure_columns = with_figures
                .iter()
                .flat_map(|(form, figs)| {
                    figs.figures.iter().map(|g| FigureColumn {
                        form: form.id().to_owned(),
                        field: g.field.clone(),
                        // Two forms of one area may name alike figures: say whose.
                        title: if with_figures.len() > 1 {
                            format!("{} ({})", g.label.vi, form.definition.title.vi)
                        } else {
                            g.label.vi.clone()
                        },
                    })
                })
                .collect();
            AreaTable {
                info: area_info(area),
                figures: figure_columns,
                forms: forms.iter().map(|f| f.definition.title.vi.clone()).collect(),
                collects_participants: forms.iter().any(|f| participant_grid(f).is_some())
                    || total.tally.people.total() > 0,
                groups: group_options,
                minorities,
                rows: table_rows,
                total,
            }
        })
        .collect();
    AnnualReport {
        year,
        period,
        scope: scope.label(reference),
        generated_at: Utc::now(),
        tables,
        sign_offs: Vec::new(),
        approved_only: false,
        agencies: super::agencies::lines(catalog, cube, None),
        organised_forms: super::agencies::organised_forms(catalog),
    }
}

fn pick(map: &BTreeMap<((usize, UnitKey), String), BySex>, key: &(usize, UnitKey)) -> BTreeMap<String, BySex> {
    map.iter().filter(|((k, _), _)| k == key).map(|((_, inner), c)| (inner.clone(), *c)).collect()
}

impl AreaRow {
    fn add(&mut self, other: &AreaRow) {
        self.tally.activities += other.tally.activities;
        for (mine, theirs) in [
            (&mut self.tally.people, other.tally.people),
            (&mut self.tally.kinh, other.tally.kinh),
            (&mut self.tally.minority, other.tally.minority),
        ] {
            mine.male += theirs.male;
            mine.female += theirs.female;
        }
        for (key, n) in &other.figures {
            *self.figures.entry(key.clone()).or_default() += n;
        }
        for (map, theirs) in [(&mut self.ethnicity, &other.ethnicity), (&mut self.groups, &other.groups)] {
            for (k, c) in theirs {
                let sum = map.entry(k.clone()).or_default();
                sum.male += c.male;
                sum.female += c.female;
            }
        }
    }
}

// ---- layout --------------------------------------------------------------------------

/// A cell of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Count(u64),
    /// A report figure: a sum of answers, which may be below 0.
    Number(i64),
    /// A share 0–1, shown as a percentage; empty when undefined.
    Share(Option<f64>),
}

/// A heading over one column, or over several (with a heading for each below it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderGroup {
    pub title: String,
    /// Empty: one column whose heading spans both header rows.
    pub columns: Vec<String>,
}

impl HeaderGroup {
    pub(super) fn one(title: &str) -> Self {
        HeaderGroup { title: title.to_owned(), columns: Vec::new() }
    }

    pub(super) fn split(title: &str, columns: &[&str]) -> Self {
        HeaderGroup { title: title.to_owned(), columns: columns.iter().map(|c| (*c).to_owned()).collect() }
    }

    pub fn width(&self) -> usize {
        self.columns.len().max(1)
    }
}

/// One table as written to a worksheet, or to a block of a CSV file.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub title: String,
    /// Lines under the title: plan items, forms, period, scope, date made.
    pub subtitle: Vec<String>,
    /// Whose records the table counts ("Phạm vi: …"), also in the printed page header.
    pub scope: String,
    pub header: Vec<HeaderGroup>,
    pub rows: Vec<Vec<Value>>,
    pub total: Vec<Value>,
    pub note: Option<String>,
    /// Columns at the left that stay in view (row number, code, name).
    pub frozen_columns: u16,
}

const PEOPLE: &str = "Số lượt người tham gia";
const SEXES: [&str; 2] = ["Nam", "Nữ"];

fn sexes(c: Option<&BySex>) -> [Value; 2] {
    let c = c.copied().unwrap_or_default();
    [Value::Count(c.male), Value::Count(c.female)]
}

pub(super) fn people(t: &Tally) -> Vec<Value> {
    let mut v = vec![Value::Count(t.people.total()), Value::Count(t.people.male), Value::Count(t.people.female)];
    v.push(Value::Share(t.female_share()));
    v.extend(sexes(Some(&t.kinh)));
    v.extend(sexes(Some(&t.minority)));
    v
}

pub(super) fn people_header() -> Vec<HeaderGroup> {
    vec![
        HeaderGroup::split(PEOPLE, &["Tổng số", "Nam", "Nữ", "Tỷ lệ nữ (%)"]),
        HeaderGroup::split("Dân tộc Kinh", &SEXES),
        HeaderGroup::split("Dân tộc thiểu số", &SEXES),
    ]
}

impl AnnualReport {
    pub(super) fn scope_line(&self) -> String {
        format!("Phạm vi: {}", self.scope.vi)
    }

    pub(super) fn subtitle(&self, extra: Vec<String>) -> Vec<String> {
        let mut lines = extra;
        lines.push(format!("Kỳ báo cáo: {} ({})", self.period.label.vi, self.period.label.en));
        lines.push(self.scope_line());
        let which = if self.approved_only { "đã được duyệt" } else { "đã hoàn thành" };
        lines
            .push(format!("Số liệu từ các phiếu {which}, lập lúc {}", forms::dates::format_instant(self.generated_at)));
        lines
    }

    /// The overview, then one sheet per plan area.
    pub fn sheets(&self) -> Vec<Sheet> {
        let mut sheets = vec![self.overview()];
        sheets.extend(self.tables.iter().map(|t| self.area_sheet(t)));
        sheets.push(self.agency_sheet());
        if !self.sign_offs.is_empty() {
            sheets.push(self.sign_off_sheet());
        }
        sheets
    }

    fn overview(&self) -> Sheet {
        let mut header = vec![HeaderGroup::one("STT"), HeaderGroup::one("Lĩnh vực"), HeaderGroup::one("Mục Kế hoạch")];
        header.push(HeaderGroup::one("Số hoạt động"));
        header.extend(people_header());
        let mut total = Tally::default();
        let rows = self
            .tables
            .iter()
            .map(|t| {
                let tally = t.total.tally;
                total.activities += tally.activities;
                for (mine, theirs) in [
                    (&mut total.people, tally.people),
                    (&mut total.kinh, tally.kinh),
                    (&mut total.minority, tally.minority),
                ] {
                    mine.male += theirs.male;
                    mine.female += theirs.female;
                }
                let mut row = vec![
                    Value::Count(t.info.number as u64),
                    Value::Text(t.info.title.to_owned()),
                    Value::Text(t.info.plan_items.to_owned()),
                    Value::Count(tally.activities),
                ];
                row.extend(people(&tally));
                row
            })
            .collect();
        let mut total_row =
            vec![Value::Text(String::new()), Value::Text("Tổng cộng".into()), Value::Text(String::new())];
        total_row.push(Value::Count(total.activities));
        total_row.extend(people(&total));
        Sheet {
            name: "Tổng hợp".into(),
            title: format!("BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH BÌNH ĐẲNG GIỚI NĂM {}", self.year),
            subtitle: self.subtitle(vec!["Tổng hợp theo lĩnh vực (Kế hoạch mục V, chế độ báo cáo)".into()]),
            scope: self.scope_line(),
            header,
            rows,
            total: total_row,
            note: Some("Một người tham gia nhiều hoạt động được tính nhiều lượt.".into()),
            frozen_columns: 2,
        }
    }

    fn area_sheet(&self, t: &AreaTable) -> Sheet {
        let mut header = vec![
            HeaderGroup::one("STT"),
            HeaderGroup::one("Mã xã"),
            HeaderGroup::one("Xã, phường, đặc khu"),
            HeaderGroup::one("Số hoạt động"),
        ];
        if t.collects_participants {
            header.extend(people_header());
            header.extend(t.groups.iter().map(|(_, label)| HeaderGroup::split(label, &SEXES)));
            header.extend(t.minorities.iter().map(|(_, name)| HeaderGroup::split(name, &SEXES)));
        }
        header.extend(t.figures.iter().map(|f| HeaderGroup::one(&f.title)));
        let cells = |row: &AreaRow, number: Option<usize>| {
            let (list, code) = row.unit.clone().unwrap_or_default();
            let code = if list == "units_pre2025" { format!("{code} (trước 2025)") } else { code };
            let mut v = vec![
                number.map_or(Value::Text(String::new()), |n| Value::Count(n as u64)),
                Value::Text(code),
                Value::Text(row.name.clone()),
                Value::Count(row.tally.activities),
            ];
            if t.collects_participants {
                v.extend(people(&row.tally));
                v.extend(t.groups.iter().flat_map(|(value, _)| sexes(row.groups.get(value))));
                v.extend(t.minorities.iter().flat_map(|(code, _)| sexes(row.ethnicity.get(code))));
            }
            v.extend(
                t.figures
                    .iter()
                    .map(|f| Value::Number(row.figures.get(&(f.form.clone(), f.field.clone())).copied().unwrap_or(0))),
            );
            v
        };
        let note = if !t.collects_participants && t.figures.is_empty() {
            Some("Mẫu phiếu của lĩnh vực này không thu thập số người theo giới tính, dân tộc: chỉ thống kê số hoạt động.".into())
        } else if !t.collects_participants {
            Some("Mẫu phiếu của lĩnh vực này không thu thập số người tham gia theo giới tính, dân tộc: thống kê số hoạt động và các chỉ số của phiếu.".into())
        } else if t.rows.iter().all(|r| r.tally.activities == 0) {
            Some("Không có hoạt động trong kỳ báo cáo.".into())
        } else {
            None
        };
        Sheet {
            name: t.info.sheet.into(),
            title: format!("Biểu {}. {} năm {}", t.info.number, t.info.title, self.year),
            subtitle: self.subtitle(vec![
                format!("Kế hoạch mục {}", t.info.plan_items),
                format!("Mẫu phiếu: {}", t.forms.join("; ")),
            ]),
            scope: self.scope_line(),
            header,
            rows: t.rows.iter().enumerate().map(|(i, r)| cells(r, Some(i + 1))).collect(),
            total: cells(&t.total, None),
            note,
            frozen_columns: 3,
        }
    }
}
