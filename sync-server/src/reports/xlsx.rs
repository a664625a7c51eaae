//! Excel workbooks: the annual report (a sheet per table, Vietnamese headings in two merged
//! rows, number formats, headings and commune columns frozen in view, set up to print) and
//! raw exports (one sheet written row by row in constant memory).
//!
//! Printed, each annual sheet is A4 landscape, one page wide (as many pages down as it
//! needs), with its two heading rows on every page, the report's title and scope in the
//! page header and the sheet's name and page number in the footer. Neither Excel nor
//! LibreOffice works out the height of a row written here, so every row gets the height
//! its wrapped text needs, estimated from the column widths ([`lines`]).

use chrono::Datelike;
use forms::Record;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::annual::{AnnualReport, Sheet, Value};
use super::raw::{RawPlan, RawValue};
use super::ReportError;

const COUNT: &str = "#,##0";
const SHARE: &str = "0.0%";
const DATE: &str = "dd/mm/yyyy";

/// The annual workbook's font: the one Vietnamese administrative documents are set in
/// (Decree 30/2020/NĐ-CP), which has every Vietnamese letter; LibreOffice prints it with
/// the metric-compatible Liberation Serif (Debian's `fonts-liberation2`).
const FONT: &str = "Times New Roman";
const BODY_PT: f64 = 11.0;
const TITLE_PT: f64 = 13.0;
/// Paper size 9: A4.
const A4: u8 = 9;

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    count: Format,
    share: Format,
    total_text: Format,
    total_count: Format,
    total_share: Format,
    note: Format,
}

impl Formats {
    fn new() -> Formats {
        let font = Format::new().set_font_name(FONT).set_font_size(BODY_PT);
        let cell = font.clone().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        let total = cell.clone().set_bold().set_background_color(Color::RGB(0xF2F2F2));
        Formats {
            title: font.clone().set_bold().set_font_size(TITLE_PT).set_text_wrap().set_align(FormatAlign::Top),
            subtitle: font.clone().set_italic().set_text_wrap().set_align(FormatAlign::Top),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xDDEBF7)),
            text: cell.clone().set_text_wrap(),
            count: cell.clone().set_num_format(COUNT),
            share: cell.set_num_format(SHARE),
            total_text: total.clone().set_text_wrap(),
            total_count: total.clone().set_num_format(COUNT),
            total_share: total.set_num_format(SHARE),
            note: font.set_italic().set_text_wrap().set_align(FormatAlign::Top).set_font_color(Color::RGB(0x595959)),
        }
    }
}

/// The annual report as an `.xlsx` file.
pub fn annual(report: &AnnualReport) -> Result<Vec<u8>, ReportError> {
    sheets(&report.sheets())
}

/// A workbook of these sheets, each laid out and set up to print as the annual report's.
pub fn sheets(sheets: &[Sheet]) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        write_sheet(worksheet, sheet, &formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Column widths (in Excel's units, about a digit of the default font each).
fn column_widths(sheet: &Sheet) -> Vec<f64> {
    sheet
        .header
        .iter()
        .flat_map(|g| {
            let w = match g.title.as_str() {
                "STT" => 5.0,
                "Mã xã" | "Mục Kế hoạch" => 12.0,
                "Xã, phường, đặc khu" => 24.0,
                "Lĩnh vực" => 48.0,
                "Số hoạt động" => 9.0,
                // The audit log's (http/admin/audit.rs).
                "Thời gian" | "Người thực hiện" | "Địa chỉ" | "Đối tượng" => 16.0,
                "Thao tác" => 22.0,
                "Trước" | "Sau" => 36.0,
                // Who signed off (reports/signoffs.rs): a code of an agency, a name, a time
                // and a person under each period.
                "Mã" => 20.0,
                "Xã, phường / Cơ quan" => 34.0,
                // By agency (reports/agencies.rs).
                "Cơ quan, đơn vị tổ chức" => 40.0,
                "Năm báo cáo" | "Tháng hành động" => 17.0,
                // A report figure: one column under a heading of a few words.
                _ if g.columns.is_empty() => 12.0,
                // Counts up to 99,999 and headings of one or two words ("Nam", "Tỷ lệ nữ").
                _ => 7.5,
            };
            std::iter::repeat_n(w, g.width())
        })
        .collect()
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    let widths = column_widths(sheet);
    let span = |from: usize, n: usize| widths[from..from + n].iter().sum::<f64>();
    let full = span(0, widths.len());
    let last = (widths.len() as u16).saturating_sub(1).max(1);
    ws.merge_range(0, 0, 0, last, &sheet.title, &f.title)?;
    ws.set_row_height(0, height(lines(&sheet.title, full, TITLE_PT, true), TITLE_PT).max(22.0))?;
    let mut row: u32 = 1;
    for line in &sheet.subtitle {
        ws.merge_range(row, 0, row, last, line, &f.subtitle)?;
        ws.set_row_height(row, height(lines(line, full, BODY_PT, false), BODY_PT))?;
        row += 1;
    }
    row += 1;

    // Two heading rows: a group's title merged over its columns, or over both rows. Each
    // row as high as its longest heading; the second made higher when a heading over both
    // needs more than the two give.
    let top = row;
    let mut col: usize = 0;
    let (mut top_lines, mut sub_lines, mut both_lines) = (1, 1, 1);
    for group in &sheet.header {
        let c = col as u16;
        if group.columns.is_empty() {
            ws.merge_range(top, c, top + 1, c, &group.title, &f.header)?;
            both_lines = both_lines.max(lines(&group.title, widths[col], BODY_PT, true));
            col += 1;
            continue;
        }
        let n = group.columns.len();
        if n > 1 {
            ws.merge_range(top, c, top, c + n as u16 - 1, &group.title, &f.header)?;
        } else {
            ws.write_string_with_format(top, c, &group.title, &f.header)?;
        }
        top_lines = top_lines.max(lines(&group.title, span(col, n), BODY_PT, true));
        for (i, title) in group.columns.iter().enumerate() {
            ws.write_string_with_format(top + 1, c + i as u16, title, &f.header)?;
            sub_lines = sub_lines.max(lines(title, widths[col + i], BODY_PT, true));
        }
        col += n;
    }
    let (top_height, sub_height) = (height(top_lines, BODY_PT), height(sub_lines, BODY_PT));
    let sub_height = sub_height.max(height(both_lines, BODY_PT) - top_height);
    ws.set_row_height(top, top_height)?;
    ws.set_row_height(top + 1, sub_height)?;
    row = top + 2;
    ws.set_freeze_panes(row, sheet.frozen_columns)?;

    for (values, total) in sheet.rows.iter().map(|r| (r, false)).chain([(&sheet.total, true)]) {
        let mut most = 1;
        for (c, v) in values.iter().enumerate() {
            let (text, count, share) =
                if total { (&f.total_text, &f.total_count, &f.total_share) } else { (&f.text, &f.count, &f.share) };
            let col = c as u16;
            match v {
                Value::Text(t) => {
                    most = most.max(lines(t, widths.get(c).copied().unwrap_or(10.0), BODY_PT, total));
                    ws.write_string_with_format(row, col, t, text)?
                }
                Value::Count(n) => ws.write_number_with_format(row, col, *n as f64, count)?,
                Value::Number(n) => ws.write_number_with_format(row, col, *n as f64, count)?,
                Value::Share(Some(s)) => ws.write_number_with_format(row, col, *s, share)?,
                Value::Share(None) => ws.write_blank(row, col, share)?,
            };
        }
        ws.set_row_height(row, height(most, BODY_PT))?;
        row += 1;
    }
    if let Some(note) = &sheet.note {
        ws.merge_range(row + 1, 0, row + 1, last, note, &f.note)?;
        ws.set_row_height(row + 1, height(lines(note, full, BODY_PT, false), BODY_PT))?;
    }

    for (c, w) in widths.into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    page_setup(ws, sheet, top)
}

/// A4 landscape, one page wide, the heading rows (`top` and the one under it) on every page;
/// the title and scope in the page header, the sheet and page number in the footer.
fn page_setup(ws: &mut Worksheet, sheet: &Sheet, top: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        // Inches: left, right, top, bottom, header, footer.
        .set_margins(0.4, 0.4, 0.85, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(top, top + 1)?;
    ws.set_header(page_header(&sheet.title, &sheet.scope));
    ws.set_footer(format!(r#"&L&"{FONT},Regular"&9&A&R&"{FONT},Regular"&9Trang &P/&N"#));
    Ok(())
}

/// The page header: the title over the scope, centred. Excel takes at most 255 characters
/// (its codes counted), so a long scope (a list of communes) is cut short.
fn page_header(title: &str, scope: &str) -> String {
    let code = |s: &str| s.replace('&', "&&");
    let head = format!(r#"&C&"{FONT},Bold"&9{}"#, code(title));
    let tail = format!("\n&\"{FONT},Regular\"&9");
    let room = 255usize.saturating_sub(head.chars().count() + tail.chars().count());
    let mut scope = code(scope);
    if scope.chars().count() > room {
        scope = scope.chars().take(room.saturating_sub(1)).collect::<String>();
        // Never end on half of an escaped `&&`.
        if scope.ends_with('&') && !scope.ends_with("&&") {
            scope.pop();
        }
        scope.push('…');
    }
    format!("{head}{tail}{scope}")
}

/// The lines `text` takes wrapped in a column (or merged columns) `width` units wide, at
/// `pt` points, bold or not. An estimate, made on the safe side (a line too many rather
/// than one too few): a column `w` units wide is `7w + 5` pixels in Excel (7: the default
/// Calibri 11's digit, at 96 dpi), less 4 pixels of padding; a letter is as wide as Times New Roman's average — lower case
/// 0.46 em, capitals 0.70 em, digits 0.50 em, a space 0.25 em, other signs 0.40 em — 7%
/// more in bold; words wrap greedily at spaces, a word too long for a line is broken.
pub(crate) fn lines(text: &str, width: f64, pt: f64, bold: bool) -> usize {
    let room = width * 7.0 + 1.0;
    let em = pt * 96.0 / 72.0 * if bold { 1.07 } else { 1.0 };
    let px = |c: char| {
        em * if c == ' ' {
            0.25
        } else if c.is_ascii_digit() {
            0.5
        } else if c.is_uppercase() {
            0.7
        } else if c.is_lowercase() {
            0.46
        } else {
            0.4
        }
    };
    let mut total = 0;
    for paragraph in text.split('\n') {
        let (mut n, mut used) = (1, 0.0);
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let w: f64 = word.chars().map(px).sum();
            let gap = if used > 0.0 { px(' ') } else { 0.0 };
            if used + gap + w <= room {
                used += gap + w;
            } else if w <= room {
                n += usize::from(used > 0.0);
                used = w;
            } else {
                // Broken letter by letter over as many lines as it needs.
                n += usize::from(used > 0.0);
                used = 0.0;
                for c in word.chars() {
                    if used + px(c) > room && used > 0.0 {
                        n += 1;
                        used = 0.0;
                    }
                    used += px(c);
                }
            }
        }
        total += n;
    }
    total.max(1)
}

/// A row's height in points for `lines` lines at `pt` points: 1.25 line spacing and a
/// little padding, never below Excel's default 15.
fn height(lines: usize, pt: f64) -> f64 {
    (lines as f64 * pt * 1.25 + 3.0).max(15.0)
}

/// A raw export being written: one worksheet, row by row, in constant memory (rows go to a
/// temporary file; only the finished, compressed file is held).
pub struct RawWorkbook {
    workbook: Workbook,
    next_row: u32,
    text: Format,
    date: Format,
    number: Format,
}

impl RawWorkbook {
    /// A workbook with `plan`'s two heading rows: groups (a grid's label merged over its
    /// cells), then each column's own heading.
    pub fn new(plan: &RawPlan) -> Result<RawWorkbook, ReportError> {
        let mut workbook = Workbook::new();
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xDDEBF7));
        let ws = workbook.add_worksheet_with_constant_memory();
        ws.set_name(sheet_name(&plan.form_id))?;
        for (c, column) in plan.columns.iter().enumerate() {
            let wide = column.group_id == 0 && c == 0 || column.label.chars().count() > 20;
            ws.set_column_width(c as u16, if wide { 24.0 } else { 14.0 })?;
        }
        // Row 0 first, whole: in constant memory mode a row is final once the next is begun.
        let mut c = 0;
        while c < plan.columns.len() {
            let group = plan.columns[c].group_id;
            let end = c + plan.columns[c..].iter().take_while(|x| x.group_id == group).count();
            if end - c > 1 {
                ws.merge_range(0, c as u16, 0, (end - 1) as u16, &plan.columns[c].group, &header)?;
            } else {
                ws.write_string_with_format(0, c as u16, &plan.columns[c].group, &header)?;
            }
            c = end;
        }
        for (c, column) in plan.columns.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, &column.label, &header)?;
        }
        ws.set_row_height(0, 45)?;
        ws.set_freeze_panes(2, 1)?;
        Ok(RawWorkbook {
            workbook,
            next_row: 2,
            text: Format::new(),
            date: Format::new().set_num_format(DATE),
            number: Format::new(),
        })
    }

    /// Appends the rows of `records`.
    pub fn push<'r>(
        &mut self,
        plan: &RawPlan,
        records: impl IntoIterator<Item = &'r Record>,
    ) -> Result<(), ReportError> {
        let ws = self.workbook.worksheet_from_index(0)?;
        for record in records {
            for (c, value) in plan.row(record).into_iter().enumerate() {
                let c = c as u16;
                match value {
                    RawValue::Empty => {}
                    RawValue::Text(t) => {
                        ws.write_string_with_format(self.next_row, c, &t, &self.text)?;
                    }
                    RawValue::Number(n) => {
                        ws.write_number_with_format(self.next_row, c, n, &self.number)?;
                    }
                    RawValue::Date(d) => {
                        let at = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        ws.write_date_with_format(self.next_row, c, &at, &self.date)?;
                    }
                }
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, ReportError> {
        Ok(self.workbook.save_to_buffer()?)
    }
}

/// A worksheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_takes_a_line_and_long_text_wraps_at_words() {
        assert_eq!(lines("Xã An Phú", 24.0, BODY_PT, false), 1);
        assert_eq!(lines("", 5.0, BODY_PT, false), 1);
        // 48 units ≈ 330 px: a plan area's title of 85 letters takes two lines, not one.
        let area = "Kiểm tra mô hình địa chỉ tin cậy, nhà tạm lánh, phòng ngừa bạo lực trên cơ sở giới";
        assert_eq!(lines(area, 48.0, BODY_PT, false), 2);
        assert_eq!(lines(area, 12.0, BODY_PT, false), 7);
        assert!(lines(area, 12.0, BODY_PT, true) >= lines(area, 12.0, BODY_PT, false));
        assert_eq!(lines("a\nb\nc", 10.0, BODY_PT, false), 3);
        // A word wider than the column is broken over lines.
        assert_eq!(lines(&"0".repeat(30), 7.5, BODY_PT, false), 5);
    }

    #[test]
    fn the_page_header_stays_within_excels_255_characters() {
        let h = page_header("Biểu 1. A & B năm 2026", "Phạm vi: Xã A");
        assert!(h.contains("A && B") && h.ends_with("\n&\"Times New Roman,Regular\"&9Phạm vi: Xã A"), "{h}");
        let long = format!("Phạm vi: {}", vec!["Xã Đặng Thùy Trâm & Co"; 40].join(", "));
        let h = page_header("Biểu 1. Truyền thông năm 2026", &long);
        assert!(h.chars().count() <= 255 && h.ends_with('…'), "{} {h}", h.chars().count());
    }
}
