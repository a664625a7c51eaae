//! Every validation message, in Vietnamese and English, in one place. Messages are said
//! next to the field they concern, so they speak of "this answer", and say what to do.

use serde::{Deserialize, Serialize};

use crate::definition::FieldType;
use crate::localized::{lowercase, Localized};
use crate::value::number_text;

/// Machine-readable reason, stable across releases; clients may branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotAnObject,
    UnknownField,
    WrongType,
    Required,
    BelowMin,
    AboveMax,
    TooLong,
    NotAnOption,
    RepeatedOption,
    Constraint,
    UnknownEthnicity,
    GroupMissing,
    UnknownGroup,
    RepeatedCell,
    CellTooLarge,
    UnknownForm,
    FormWithdrawn,
    UnknownUnitList,
    UnknownUnit,
    NotACommune,
    OutOfScope,
    InvalidRecord,
    /// Text holding a control character (U+0000–U+001F but tab, line feed and carriage
    /// return; U+007F–U+009F): see [`crate::validate::control_character`].
    ControlCharacter,
    /// A change id already used for another change: by another user, for another record, or
    /// with other content. Not stored; queue the record again under a new change id.
    ChangeIdReused,
    /// The record is approved ([`crate::review`]): read-only for collectors until a
    /// supervisor reopens it. Kept on the phone like any refused change.
    RecordApproved,
    /// The record is dated inside a period a supervisor signed off: no change until it is
    /// reopened. Kept on the phone like any refused change.
    PeriodClosed,
    /// A code this build does not know, from a newer server: read, not refused, so that a
    /// phone that has not updated yet still reads the push answer (the message says what is
    /// wrong). Never sent.
    #[serde(other)]
    Other,
}

/// One problem with one field (or with the record, where `field` names a record attribute
/// such as `location`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    /// For count grids: which cell (0-based) of the list the problem is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub message: Localized,
}

impl FieldError {
    pub fn new(field: &str, code: ErrorCode, message: Localized) -> Self {
        Self { field: field.to_owned(), code, cell: None, message }
    }

    pub fn in_cell(mut self, cell: usize) -> Self {
        self.cell = Some(cell);
        self
    }
}

pub(crate) fn required() -> Localized {
    Localized::new("Cần nhập mục này.", "This answer is required.")
}

pub(crate) fn wrong_type(t: FieldType) -> Localized {
    let (vi, en) = match t {
        FieldType::Text | FieldType::LongText => ("chữ", "text"),
        FieldType::Integer => ("số nguyên", "a whole number"),
        FieldType::Decimal => ("số", "a number"),
        FieldType::Date => ("ngày dạng yyyy-mm-dd", "a date written yyyy-mm-dd"),
        FieldType::Time => ("giờ dạng HH:MM", "a time written HH:MM"),
        FieldType::SelectOne => ("một lựa chọn", "one choice"),
        FieldType::SelectMultiple => ("danh sách lựa chọn", "a list of choices"),
        FieldType::YesNo => ("Có hoặc Không", "yes or no"),
        FieldType::CountGrid => ("bảng số người", "a table of counts"),
        FieldType::Calculate | FieldType::Note => ("không có giá trị", "no value"),
        FieldType::Photo => ("danh sách ảnh", "a list of photos"),
        FieldType::Geopoint => ("vị trí GPS (vĩ độ, kinh độ)", "a GPS position (latitude, longitude)"),
    };
    Localized::new(format!("Giá trị không hợp lệ: cần {vi}."), format!("Invalid value: expected {en}."))
}

pub(crate) fn too_many_photos(max: u32) -> Localized {
    Localized::new(format!("Nhiều nhất {max} ảnh."), format!("At most {max} photos."))
}

pub(crate) fn repeated_photo() -> Localized {
    Localized::new("Một ảnh được chọn hai lần.", "The same photo is attached twice.")
}

pub(crate) fn photo_too_large() -> Localized {
    let mb = crate::evidence::MAX_PHOTO_BYTES / (1024 * 1024);
    Localized::new(format!("Ảnh lớn hơn {mb} MB."), format!("The photo is larger than {mb} MB."))
}

pub(crate) fn position_out_of_range() -> Localized {
    Localized::new(
        "Vị trí không hợp lệ: vĩ độ từ -90 đến 90, kinh độ từ -180 đến 180.",
        "Not a position: latitude runs from -90 to 90, longitude from -180 to 180.",
    )
}

pub(crate) fn below_min(min: f64) -> Localized {
    let (vi, en) = (number_text(min, ','), number_text(min, '.'));
    Localized::new(format!("Không được nhỏ hơn {vi}."), format!("Must be at least {en}."))
}

pub(crate) fn above_max(max: f64) -> Localized {
    let (vi, en) = (number_text(max, ','), number_text(max, '.'));
    Localized::new(format!("Không được lớn hơn {vi}."), format!("Must be at most {en}."))
}

pub(crate) fn too_long(max: usize) -> Localized {
    Localized::new(
        format!("Dài quá {max} ký tự, hãy viết ngắn lại."),
        format!("Longer than {max} characters; please shorten it."),
    )
}

/// `U+0000`: how a character nobody can see is named in a message.
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

pub(crate) fn control_character(c: char) -> Localized {
    let c = code_point(c);
    Localized::new(
        format!("Câu trả lời có một ký tự điều khiển không nhìn thấy được ({c}); hãy xoá rồi gõ lại đoạn chữ này."),
        format!("This answer holds an invisible control character ({c}); delete the text and type it again."),
    )
}

pub(crate) fn control_character_in_device_id(c: char) -> Localized {
    let c = code_point(c);
    Localized::new(
        format!("Mã thiết bị của phiếu có ký tự điều khiển ({c}); hãy cập nhật ứng dụng rồi gửi lại."),
        format!("The record's device id holds a control character ({c}); update the app and send it again."),
    )
}

pub(crate) fn not_an_option(value: &str) -> Localized {
    Localized::new(
        format!("“{value}” không có trong danh sách lựa chọn."),
        format!("“{value}” is not one of the choices."),
    )
}

pub(crate) fn repeated_option(value: &str) -> Localized {
    Localized::new(format!("“{value}” được chọn hai lần."), format!("“{value}” is chosen twice."))
}

pub(crate) fn unknown_field(name: &str) -> Localized {
    Localized::new(format!("Mẫu phiếu này không có mục “{name}”."), format!("This form has no field “{name}”."))
}

pub(crate) fn not_an_object() -> Localized {
    Localized::new("Dữ liệu phiếu phải là một đối tượng JSON.", "Record values must be a JSON object.")
}

pub(crate) fn unknown_ethnicity(code: &str) -> Localized {
    Localized::new(
        format!("Mã dân tộc “{code}” không có trong danh mục 54 dân tộc."),
        format!("Ethnic group code “{code}” is not in the list of 54 groups."),
    )
}

pub(crate) fn group_missing(label: &Localized) -> Localized {
    Localized::new(
        format!("Mỗi ô cần ghi rõ {}.", lowercase(&label.vi)),
        format!("Every cell needs its {}.", lowercase(&label.en)),
    )
}

pub(crate) fn unknown_group(value: &str, label: &Localized) -> Localized {
    Localized::new(
        format!("“{value}” không thuộc mục {}.", lowercase(&label.vi)),
        format!("“{value}” is not a value of {}.", lowercase(&label.en)),
    )
}

pub(crate) fn repeated_cell() -> Localized {
    Localized::new(
        "Ô này (dân tộc, giới tính) được nhập hai lần; hãy gộp thành một.",
        "This cell (ethnicity, sex) is entered twice; merge them into one.",
    )
}

pub(crate) fn cell_too_large(max: u32) -> Localized {
    Localized::new(
        format!("Số người trong một ô không được lớn hơn {max}; hãy kiểm tra lại."),
        format!("A cell cannot count more than {max} people; please check it."),
    )
}
