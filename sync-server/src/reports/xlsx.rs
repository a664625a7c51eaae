//! Excel workbooks: the annual report (a sheet per table, Vietnamese headings in two merged
//! rows, number formats, headings and commune columns frozen in view) and raw exports (one
//! sheet written row by row in constant memory).

use chrono::Datelike;
use forms::Record;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::annual::{AnnualReport, Sheet, Value};
use super::raw::{RawPlan, RawValue};
use super::ReportError;

const COUNT: &str = "#,##0";
const SHARE: &str = "0.0%";
const DATE: &str = "dd/mm/yyyy";

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
        let cell = Format::new().set_border(FormatBorder::Thin);
        let total = cell.clone().set_bold().set_background_color(Color::RGB(0xF2F2F2));
        Formats {
            title: Format::new().set_bold().set_font_size(13),
            subtitle: Format::new().set_italic(),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7)),
            text: cell.clone().set_text_wrap(),
            count: cell.clone().set_num_format(COUNT),
            share: cell.set_num_format(SHARE),
            total_text: total.clone(),
            total_count: total.clone().set_num_format(COUNT),
            total_share: total.set_num_format(SHARE),
            note: Format::new().set_italic().set_font_color(Color::RGB(0x595959)),
        }
    }
}

/// The annual report as an `.xlsx` file.
pub fn annual(report: &AnnualReport) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    for sheet in report.sheets() {
        let worksheet = workbook.add_worksheet();
        write_sheet(worksheet, &sheet, &formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    let width: u16 = sheet.header.iter().map(|g| g.width() as u16).sum();
    let last = width.saturating_sub(1).max(1);
    ws.merge_range(0, 0, 0, last, &sheet.title, &f.title)?;
    ws.set_row_height(0, 22)?;
    let mut row: u32 = 1;
    for line in &sheet.subtitle {
        ws.merge_range(row, 0, row, last, line, &f.subtitle)?;
        row += 1;
    }
    row += 1;

    // Two heading rows: a group's title merged over its columns, or over both rows.
    let top = row;
    let mut col: u16 = 0;
    for group in &sheet.header {
        if group.columns.is_empty() {
            ws.merge_range(top, col, top + 1, col, &group.title, &f.header)?;
            col += 1;
            continue;
        }
        let span = group.columns.len() as u16;
        if span > 1 {
            ws.merge_range(top, col, top, col + span - 1, &group.title, &f.header)?;
        } else {
            ws.write_string_with_format(top, col, &group.title, &f.header)?;
        }
        for (i, c) in group.columns.iter().enumerate() {
            ws.write_string_with_format(top + 1, col + i as u16, c, &f.header)?;
        }
        col += span;
    }
    ws.set_row_height(top, 45)?;
    ws.set_row_height(top + 1, 30)?;
    row = top + 2;
    ws.set_freeze_panes(row, sheet.frozen_columns)?;

    for (values, total) in sheet.rows.iter().map(|r| (r, false)).chain([(&sheet.total, true)]) {
        for (c, v) in values.iter().enumerate() {
            let c = c as u16;
            let (text, count, share) =
                if total { (&f.total_text, &f.total_count, &f.total_share) } else { (&f.text, &f.count, &f.share) };
            match v {
                Value::Text(t) => ws.write_string_with_format(row, c, t, text)?,
                Value::Count(n) => ws.write_number_with_format(row, c, *n as f64, count)?,
                Value::Number(n) => ws.write_number_with_format(row, c, *n as f64, count)?,
                Value::Share(Some(s)) => ws.write_number_with_format(row, c, *s, share)?,
                Value::Share(None) => ws.write_blank(row, c, share)?,
            };
        }
        row += 1;
    }
    if let Some(note) = &sheet.note {
        ws.write_string_with_format(row + 1, 0, note, &f.note)?;
    }

    let widths: Vec<f64> = sheet
        .header
        .iter()
        .flat_map(|g| {
            let w = match g.title.as_str() {
                "STT" => 5.0,
                "Mã xã" | "Mục Kế hoạch" => 12.0,
                "Xã, phường, đặc khu" => 26.0,
                "Lĩnh vực" => 48.0,
                _ => 10.0,
            };
            std::iter::repeat_n(w, g.width())
        })
        .collect();
    for (c, w) in widths.into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    Ok(())
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
