//! Disaggregated count grids: participants by sex × ethnicity (× a further dimension).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Nam / Nữ. The plan asks for sex-disaggregated figures, always both columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub const BOTH: [Sex; 2] = [Sex::Male, Sex::Female];

    pub fn parse(text: &str) -> Option<Sex> {
        match text {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// The code of the Kinh majority in the 121-TCTK list; every other group is a minority.
pub const KINH: &str = "01";

/// One non-empty cell of a grid. Cells not written count zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridCell {
    pub ethnicity: String,
    pub sex: Sex,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub count: u32,
}

/// A grid's value: its cells, each (ethnicity, sex, group) at most once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Grid {
    pub cells: Vec<GridCell>,
}

/// Counts split by sex: `[male, female]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BySex {
    pub male: u64,
    pub female: u64,
}

impl BySex {
    pub fn total(&self) -> u64 {
        self.male + self.female
    }

    fn add(&mut self, sex: Sex, n: u64) {
        match sex {
            Sex::Male => self.male += n,
            Sex::Female => self.female += n,
        }
    }
}

/// Row, column and grand totals, as the form shows them and reports sum them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridTotals {
    pub total: BySex,
    pub by_ethnicity: BTreeMap<String, BySex>,
    pub by_group: BTreeMap<String, BySex>,
    /// Everyone but Kinh.
    pub minority: BySex,
}

impl GridTotals {
    pub fn grand_total(&self) -> u64 {
        self.total.total()
    }
}

impl Grid {
    pub fn totals(&self) -> GridTotals {
        let mut t = GridTotals::default();
        for cell in &self.cells {
            let n = u64::from(cell.count);
            t.total.add(cell.sex, n);
            t.by_ethnicity.entry(cell.ethnicity.clone()).or_default().add(cell.sex, n);
            if let Some(group) = &cell.group {
                t.by_group.entry(group.clone()).or_default().add(cell.sex, n);
            }
            if cell.ethnicity != KINH {
                t.minority.add(cell.sex, n);
            }
        }
        t
    }

    /// Sum of the cells that match; the expression functions are built on this so they
    /// need no allocation.
    pub fn sum_where(&self, keep: impl Fn(&GridCell) -> bool) -> u64 {
        self.cells.iter().filter(|c| keep(c)).map(|c| u64::from(c.count)).sum()
    }

    pub fn total(&self) -> u64 {
        self.sum_where(|_| true)
    }

    pub fn total_sex(&self, sex: Sex) -> u64 {
        self.sum_where(|c| c.sex == sex)
    }
}
