//! The survey's `type` column: XLSForm's types sotay has (`image` is sotay's `photo`), sotay's
//! own (`yes_no`, `count_grid`), and the ones it refuses, each by name with the reason.

use forms::definition::FieldType;

/// What a survey row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    BeginGroup,
    EndGroup,
    /// A question; for `select_one`/`select_multiple`, the list it names.
    Field(FieldType, Option<String>),
}

/// Why a type cannot be read: sotay knows it and does not support it, or does not know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    Unsupported { vi: String, en: String },
    Unknown,
}

/// Types of XLSForm sotay refuses, and what they are in both languages.
const REFUSED: [(&[&str], &str, &str); 11] = [
    (
        &["begin_repeat", "end_repeat"],
        "nhóm lặp lại (repeat); mỗi lần lặp hãy ghi một phiếu",
        "repeat groups; make one record per repetition",
    ),
    (&["begin_table", "end_table"], "bảng (table-list)", "tables (table-list)"),
    (
        &["geotrace", "geoshape", "start-geopoint", "background-geopoint"],
        "đường, vùng trên bản đồ hay vị trí ghi ngầm; một điểm thì dùng câu geopoint",
        "lines or shapes on a map, or positions recorded in the background; for one point, use a geopoint question",
    ),
    (&["audio", "video", "background-audio"], "ghi âm, ghi hình", "audio and video recordings"),
    (&["file"], "tệp đính kèm", "file attachments"),
    (&["barcode"], "mã vạch", "barcodes"),
    (&["range", "rank"], "thang trượt và xếp hạng", "ranges and rankings"),
    (&["acknowledge", "trigger"], "ô xác nhận; hãy dùng yes_no", "acknowledgements; use yes_no"),
    (
        &["datetime"],
        "ngày giờ trong một câu; hãy dùng một câu date và một câu time",
        "a date and time in one question; use a date and a time question",
    ),
    (
        &[
            "start",
            "end",
            "today",
            "deviceid",
            "phonenumber",
            "username",
            "email",
            "audit",
            "simserial",
            "subscriberid",
        ],
        "siêu dữ liệu: sotay tự ghi ai nhập, khi nào, ở đâu",
        "metadata: sotay records who, when and where by itself",
    ),
    (
        &[
            "hidden",
            "xml-external",
            "csv-external",
            "select_one_from_file",
            "select_multiple_from_file",
            "select_one_external",
        ],
        "dữ liệu từ tệp bên ngoài",
        "data from external files",
    ),
];

/// Reads a `type` cell.
pub fn parse(text: &str) -> Result<Kind, TypeError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let simple = |t: FieldType| Ok(Kind::Field(t, None));
    match lower.as_slice() {
        ["begin", "group"] | ["begin_group"] => Ok(Kind::BeginGroup),
        ["end", "group"] | ["end_group"] => Ok(Kind::EndGroup),
        ["text"] => simple(FieldType::Text),
        ["integer"] => simple(FieldType::Integer),
        ["decimal"] => simple(FieldType::Decimal),
        ["date"] => simple(FieldType::Date),
        ["time"] => simple(FieldType::Time),
        ["note"] => simple(FieldType::Note),
        ["calculate"] => simple(FieldType::Calculate),
        ["yes_no"] => simple(FieldType::YesNo),
        ["count_grid"] => simple(FieldType::CountGrid),
        ["image"] => simple(FieldType::Photo),
        ["geopoint"] => simple(FieldType::Geopoint),
        [select, rest @ ..] if select_type(select, rest).is_some() => {
            let (t, skip) = select_type(select, rest).unwrap_or((FieldType::SelectOne, 0));
            match &words[1 + skip..] {
                [list] => Ok(Kind::Field(t, Some((*list).to_owned()))),
                [_, extra, ..] if extra.eq_ignore_ascii_case("or_other") => Err(TypeError::Unsupported {
                    vi: "“or_other”: hãy thêm lựa chọn other vào danh sách và một câu text có relevant".into(),
                    en: "“or_other”: add an option other to the list and a text question with a relevant".into(),
                }),
                [] => Err(TypeError::Unsupported {
                    vi: format!("{} không kèm tên danh sách (ví dụ: {} topics)", t.as_str(), t.as_str()),
                    en: format!("{} without a list name (e.g. {} topics)", t.as_str(), t.as_str()),
                }),
                _ => Err(TypeError::Unknown),
            }
        }
        _ => {
            // `begin repeat` by its words joined, `select_one_from_file x.csv` by its first.
            let key = lower.join("_");
            let first = lower.first().copied().unwrap_or("");
            match REFUSED.iter().find(|(names, _, _)| names.contains(&key.as_str()) || names.contains(&first)) {
                Some((_, vi, en)) => Err(TypeError::Unsupported { vi: (*vi).to_owned(), en: (*en).to_owned() }),
                None => Err(TypeError::Unknown),
            }
        }
    }
}

/// `select_one`, `select one`, `select_multiple`, `select multiple`: the type and how many
/// more words it took.
fn select_type(first: &str, rest: &[&str]) -> Option<(FieldType, usize)> {
    match (first, rest.first().copied()) {
        ("select_one", _) => Some((FieldType::SelectOne, 0)),
        ("select_multiple", _) => Some((FieldType::SelectMultiple, 0)),
        ("select", Some("one")) => Some((FieldType::SelectOne, 1)),
        ("select", Some("multiple")) => Some((FieldType::SelectMultiple, 1)),
        _ => None,
    }
}

/// The `type` sotay writes for a field (the list name follows a select's).
pub fn type_text(t: FieldType) -> &'static str {
    match t {
        FieldType::LongText => "text",
        FieldType::Photo => "image",
        other => other.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_read() {
        assert_eq!(parse("begin group"), Ok(Kind::BeginGroup));
        assert_eq!(parse("end_group"), Ok(Kind::EndGroup));
        assert_eq!(parse("select_one topics"), Ok(Kind::Field(FieldType::SelectOne, Some("topics".into()))));
        assert_eq!(parse("select multiple Topics"), Ok(Kind::Field(FieldType::SelectMultiple, Some("Topics".into()))));
        assert_eq!(parse("count_grid"), Ok(Kind::Field(FieldType::CountGrid, None)));
        assert_eq!(parse("image"), Ok(Kind::Field(FieldType::Photo, None)));
        assert_eq!(parse("Geopoint"), Ok(Kind::Field(FieldType::Geopoint, None)));
        assert_eq!(type_text(FieldType::Photo), "image");
        assert_eq!(type_text(FieldType::Geopoint), "geopoint");
        assert!(matches!(parse("geotrace"), Err(TypeError::Unsupported { .. })));
        assert!(matches!(parse("begin repeat"), Err(TypeError::Unsupported { .. })));
        assert!(matches!(parse("select_one topics or_other"), Err(TypeError::Unsupported { .. })));
        assert!(matches!(parse("select_one_from_file a.csv"), Err(TypeError::Unsupported { .. })));
        assert!(matches!(parse("select_one"), Err(TypeError::Unsupported { .. })));
        assert_eq!(parse("long_text"), Err(TypeError::Unknown));
    }
}
