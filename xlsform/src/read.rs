//! Bytes in, sheets of text out. An upload is untrusted: its size, its unpacked size and its
//! cells' positions are bounded before anything is kept, and whatever calamine or zip say
//! about a damaged file becomes an `Unreadable` error rather than a failure of the caller.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use crate::error::{ErrorCode, ImportError, Place};

/// Larger than any form: a 300-question XLSForm is about 30 KB.
pub const MAX_BYTES: usize = 5 << 20;
/// What the zip may unpack to, all parts together (checked by unpacking, not by trusting the
/// sizes the zip declares, which a crafted file can understate).
const MAX_UNPACKED: u64 = 64 << 20;
const MAX_PARTS: usize = 1_000;
/// A sheet's cells must lie within these (0-based) bounds: a form has hundreds of rows and
/// a few dozen columns, and a stray cell at XFD1048576 must not cost memory.
pub const MAX_ROWS: u32 = 5_000;
pub const MAX_COLUMNS: u32 = 200;

/// The sheets sotay reads.
pub const SURVEY: &str = "survey";
pub const CHOICES: &str = "choices";
pub const SETTINGS: &str = "settings";
/// XLSForm sheets for features sotay does not have.
const REFUSED_SHEETS: [&str; 3] = ["external_choices", "entities", "osm"];

/// One sheet's non-empty cells as text, by 0-based row then column.
#[derive(Debug, Default)]
pub struct Sheet {
    /// As the workbook spells it, for error messages.
    pub name: String,
    pub rows: BTreeMap<u32, BTreeMap<u32, String>>,
}

impl Sheet {
    pub fn cell(&self, row: u32, column: u32) -> Option<&str> {
        self.rows.get(&row)?.get(&column).map(String::as_str)
    }
}

/// The three sheets of an XLSForm that sotay reads; `None` where the workbook has none.
#[derive(Debug, Default)]
pub struct Workbook {
    pub survey: Option<Sheet>,
    pub choices: Option<Sheet>,
    pub settings: Option<Sheet>,
}

fn unreadable(vi: impl Into<String>, en: impl Into<String>) -> Vec<ImportError> {
    vec![Place::sheet("").error(ErrorCode::Unreadable, vi, en)]
}

/// Reads the workbook: `Err` when there is no workbook to read; otherwise the sheets, and
/// what is wrong in them already (cells holding what a form cannot — Excel dates, error
/// values —, sheets sotay refuses), to be reported with everything found later.
pub fn read(bytes: &[u8]) -> Result<(Workbook, Vec<ImportError>), Vec<ImportError>> {
    if bytes.len() > MAX_BYTES {
        return Err(unreadable(
            format!("Tệp quá lớn ({} byte); một biểu mẫu không quá {} MB.", bytes.len(), MAX_BYTES >> 20),
            format!("The file is too large ({} bytes); a form is at most {} MB.", bytes.len(), MAX_BYTES >> 20),
        ));
    }
    check_unpacked_size(bytes)?;
    // calamine is a parser of untrusted input written by others: should a crafted file find
    // a panic in it, the upload is refused as unreadable instead of taking the request down.
    match std::panic::catch_unwind(|| read_sheets(bytes)) {
        Ok(result) => result,
        Err(_) => Err(unreadable(
            "Không đọc được tệp: tệp hỏng hoặc không phải bảng tính .xlsx.",
            "The file cannot be read: it is damaged or not an .xlsx workbook.",
        )),
    }
}

/// Unpacks every part once, counting, and refuses the file past [`MAX_UNPACKED`]: calamine
/// unpacks the parts it reads without a bound.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), Vec<ImportError>> {
    let not_xlsx = || {
        unreadable(
            "Tệp không phải bảng tính .xlsx (XLSForm) hoặc đã hỏng.",
            "The file is not an .xlsx workbook (XLSForm), or it is damaged.",
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    if zip.len() > MAX_PARTS {
        return Err(not_xlsx());
    }
    let mut total = 0u64;
    let mut buf = [0u8; 16 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| not_xlsx())?;
        loop {
            let n = part.read(&mut buf).map_err(|_| not_xlsx())?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_UNPACKED {
                return Err(unreadable(
                    format!("Tệp giải nén ra quá {} MB: không phải một biểu mẫu.", MAX_UNPACKED >> 20),
                    format!("The file unpacks to more than {} MB: not a form.", MAX_UNPACKED >> 20),
                ));
            }
        }
    }
    Ok(())
}

fn read_sheets(bytes: &[u8]) -> Result<(Workbook, Vec<ImportError>), Vec<ImportError>> {
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        unreadable(format!("Không đọc được bảng tính: {e}."), format!("The workbook cannot be read: {e}."))
    })?;
    let mut book = Workbook::default();
    let mut errors = Vec::new();
    for name in xlsx.sheet_names() {
        let key = name.trim().to_lowercase();
        if REFUSED_SHEETS.contains(&key.as_str()) {
            errors.push(Place::sheet(&name).error(
                ErrorCode::UnsupportedSheet,
                format!("sotay không hỗ trợ trang “{name}” của XLSForm; hãy xoá trang này."),
                format!("sotay does not support XLSForm's “{name}” sheet; remove it."),
            ));
            continue;
        }
        let slot = match key.as_str() {
            SURVEY => &mut book.survey,
            CHOICES => &mut book.choices,
            SETTINGS => &mut book.settings,
            // Other sheets (notes, instructions) are not part of an XLSForm: left alone, as
            // pyxform leaves them.
            _ => continue,
        };
        if slot.is_some() {
            errors.push(Place::sheet(&name).error(
                ErrorCode::MissingSheet,
                format!("Có hai trang “{key}”; chỉ được có một."),
                format!("There are two “{key}” sheets; keep one."),
            ));
            continue;
        }
        match read_sheet(&mut xlsx, &name, &mut errors) {
            Ok(sheet) => *slot = Some(sheet),
            Err(e) => errors.push(Place::sheet(&name).error(
                ErrorCode::Unreadable,
                format!("Không đọc được trang “{name}”: {e}."),
                format!("The sheet “{name}” cannot be read: {e}."),
            )),
        }
    }
    Ok((book, errors))
}

/// One sheet, cell by cell (never as a dense range: its size would be the file's to choose).
fn read_sheet<R: Read + std::io::Seek>(
    xlsx: &mut Xlsx<R>,
    name: &str,
    errors: &mut Vec<ImportError>,
) -> Result<Sheet, calamine::XlsxError> {
    let mut sheet = Sheet { name: name.to_owned(), rows: BTreeMap::new() };
    let mut cells = xlsx.worksheet_cells_reader(name)?;
    while let Some(cell) = cells.next_cell()? {
        let (row, column) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::SharedString(s) => (*s).to_owned(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) => number_text(*f),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(_) => {
                errors.push(Place::cell(name, row, column, "").error(
                    ErrorCode::InvalidValue,
                    "Ô này chứa ngày tháng kiểu Excel; hãy nhập dưới dạng văn bản.",
                    "This cell holds an Excel date; enter it as text.",
                ));
                continue;
            }
            DataRef::Error(e) => {
                errors.push(Place::cell(name, row, column, "").error(
                    ErrorCode::InvalidValue,
                    format!("Ô này chứa lỗi của bảng tính ({e})."),
                    format!("This cell holds a spreadsheet error ({e})."),
                ));
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
            errors.push(Place::cell(name, row, column, "").error(
                ErrorCode::Unreadable,
                format!("Trang “{name}” có dữ liệu ngoài {MAX_ROWS} dòng, {MAX_COLUMNS} cột đầu tiên."),
                format!("The sheet “{name}” has content beyond its first {MAX_ROWS} rows and {MAX_COLUMNS} columns."),
            ));
            break;
        }
        sheet.rows.entry(row).or_default().insert(column, text);
    }
    Ok(sheet)
}

/// A number cell as its text: `2.0` → `2`, as the person typed it.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}
