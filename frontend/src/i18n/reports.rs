//! "My work" and the supervisors' reports: counts and the annual report's button.

use forms::Lang;

use super::texts;

/// "3 hoạt động" / "3 activities".
pub fn activities_n(lang: Lang, n: u64) -> String {
    match lang {
        Lang::Vi => format!("{n} hoạt động"),
        Lang::En => format!("{n} activities"),
    }
}

/// "Nam 12 · Nữ 30".
pub fn by_sex(lang: Lang, people: forms::grid::BySex) -> String {
    let t = texts(lang);
    format!("{} {} · {} {}", t.male, people.male, t.female, people.female)
}

pub fn annual_button(lang: Lang, year: i32) -> String {
    match lang {
        Lang::Vi => format!("Tải báo cáo năm {year} (Excel)"),
        Lang::En => format!("Download the {year} annual report (Excel)"),
    }
}
