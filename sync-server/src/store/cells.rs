//! A record's grid cells and report figures as `record_cells` rows: what reports sum.

use uuid::Uuid;

use super::apply::Param;
use super::records::PreparedChange;

pub(super) const CELL_COLUMNS: [&str; 6] = ["record_id", "field", "ethnicity", "sex", "grp", "count"];

/// One grid cell of a record, or one of its report figures (ethnicity, sex and group all
/// `""`): a `record_cells` row, and what the report sums add up.
pub(super) struct CellRow {
    pub(super) field: String,
    pub(super) ethnicity: String,
    /// `""` for a figure.
    pub(super) sex: &'static str,
    /// `""` where the grid has no further dimension.
    pub(super) group: String,
    pub(super) count: i64,
}

impl CellRow {
    /// The row of a report figure; `None` for 0, which adds nothing.
    pub(super) fn figure(field: &str, value: i64) -> Option<CellRow> {
        (value != 0).then(|| CellRow {
            field: field.to_owned(),
            ethnicity: String::new(),
            sex: "",
            group: String::new(),
            count: value,
        })
    }

    /// As a `record_cells` row of record `id`, laid out as `CELL_COLUMNS`.
    pub(super) fn params(&self, id: &Uuid) -> Vec<Param> {
        vec![
            Param::Text(id.to_string()),
            Param::Text(self.field.clone()),
            Param::Text(self.ethnicity.clone()),
            Param::Text(self.sex.to_owned()),
            Param::Text(self.group.clone()),
            Param::Int(self.count),
        ]
    }
}

/// A record's grid cells and report figures.
pub(super) fn cell_rows(prepared: &PreparedChange) -> Vec<CellRow> {
    let mut rows = Vec::new();
    for (field, grid) in &prepared.cells {
        for cell in &grid.cells {
            let sex = match cell.sex {
                forms::Sex::Male => "male",
                forms::Sex::Female => "female",
            };
            rows.push(CellRow {
                field: field.clone(),
                ethnicity: cell.ethnicity.clone(),
                sex,
                group: cell.group.clone().unwrap_or_default(),
                count: i64::from(cell.count),
            });
        }
    }
    rows.extend(prepared.figures.iter().filter_map(|(field, value)| CellRow::figure(field, *value)));
    rows
}
