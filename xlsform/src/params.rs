//! The survey's `parameters` column (XLSForm's place for a type's settings, `key=value`
//! separated by spaces): where sotay keeps what XLSForm has no column for.
//!
//! | type | parameters |
//! |---|---|
//! | `text` | `max_length=200` |
//! | `text` with appearance `multiline` | `max_length=3000 personal_data_warning=no` |
//! | `integer`, `decimal` | `min=0 max=100` |
//! | `count_grid` | `shortlist=quang_ngai` (required) `max_cell=2000 ethnicity_list=ethnic_groups group=age_group group_name=age_group` |
//! | `image` | `max_photos=3` (1 to 10; 1 when not given) |

use std::collections::BTreeMap;

use forms::definition::{FieldType, GridGroup, GridSpec};
use forms::evidence::MAX_PHOTOS_PER_FIELD;
use forms::reference::ReferenceData;
use forms::Localized;

use crate::error::{ErrorCode, ImportError, Place};
use crate::table::{is_identifier, yes_no};
use crate::types::type_text;

/// What the parameters set on a field, beside its type.
#[derive(Debug, Default)]
pub struct Applied {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub max_length: Option<u32>,
    pub personal_data_warning: Option<bool>,
    pub grid: Option<GridSpec>,
    pub max_photos: Option<u32>,
}

/// Which keys a type takes.
fn keys(t: FieldType) -> &'static [&'static str] {
    match t {
        FieldType::Text => &["max_length"],
        FieldType::LongText => &["max_length", "personal_data_warning"],
        FieldType::Integer | FieldType::Decimal => &["min", "max"],
        FieldType::CountGrid => &["shortlist", "max_cell", "ethnicity_list", "group", "group_name"],
        FieldType::Photo => &["max_photos"],
        _ => &[],
    }
}

/// The grid's further dimension, as the survey row and the `choices` sheet give it.
pub struct GroupSource<'a> {
    /// The options of the `choices` list `group=` names (`None`: no such list).
    pub options: &'a mut dyn FnMut(&str) -> Option<Vec<forms::definition::ChoiceOption>>,
    /// The `group_label::…` columns of the row, and where they are.
    pub label: Option<Localized>,
    pub label_at: Place,
}

/// Reads `text` (the parameters cell at `at`) for a field of type `t`.
pub fn apply(
    t: FieldType,
    text: Option<&str>,
    at: &Place,
    reference: &ReferenceData,
    group: GroupSource<'_>,
    errors: &mut Vec<ImportError>,
) -> Applied {
    let mut applied = Applied::default();
    let bad = |vi: String, en: String| at.error(ErrorCode::InvalidParameter, vi, en);
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    for piece in text.unwrap_or("").split(|c: char| c.is_whitespace() || c == ';' || c == ',') {
        if piece.is_empty() {
            continue;
        }
        let Some((key, value)) = piece.split_once('=').filter(|(k, v)| !k.is_empty() && !v.is_empty()) else {
            errors.push(bad(
                format!("“{piece}”: tham số viết dạng khoá=giá_trị, ví dụ max_length=200."),
                format!("“{piece}”: a parameter is written key=value, such as max_length=200."),
            ));
            continue;
        };
        let key = key.to_lowercase();
        if !keys(t).contains(&key.as_str()) {
            let (known, shown) = (keys(t).join(", "), type_text(t));
            errors.push(bad(
                format!("Tham số “{key}” không dùng cho loại {shown}{}.", list_vi(&known)),
                format!("The parameter “{key}” does not apply to type {shown}{}.", list_en(&known)),
            ));
            continue;
        }
        if given.insert(key.clone(), value.to_owned()).is_some() {
            errors.push(bad(format!("Tham số “{key}” có hai lần."), format!("The parameter “{key}” is given twice.")));
        }
    }
    let whole = |key: &str, value: &str, errors: &mut Vec<ImportError>| match value.parse::<u32>() {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            errors.push(bad(
                format!("{key}={value}: cần một số nguyên từ 1."),
                format!("{key}={value}: needs a whole number from 1."),
            ));
            None
        }
    };
    let number = |key: &str, value: &str, errors: &mut Vec<ImportError>| match value.parse::<f64>() {
        Ok(n) if n.is_finite() && (t != FieldType::Integer || n.fract() == 0.0) => Some(n),
        _ => {
            let (vi, en) = if t == FieldType::Integer { ("số nguyên", "whole number") } else { ("số", "number") };
            errors.push(bad(format!("{key}={value}: cần một {vi}."), format!("{key}={value}: needs a {en}.")));
            None
        }
    };
    for (key, value) in &given {
        match key.as_str() {
            "max_length" => applied.max_length = whole(key, value, errors),
            "personal_data_warning" => match yes_no(value) {
                Some(b) => applied.personal_data_warning = Some(b),
                None => errors
                    .push(bad(format!("{key}={value}: ghi yes hoặc no."), format!("{key}={value}: write yes or no."))),
            },
            "min" => applied.min = number(key, value, errors),
            "max" => applied.max = number(key, value, errors),
            "max_photos" => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_PHOTOS_PER_FIELD).contains(&n) => applied.max_photos = Some(n),
                _ => errors.push(bad(
                    format!("{key}={value}: cần một số nguyên từ 1 đến {MAX_PHOTOS_PER_FIELD}."),
                    format!("{key}={value}: needs a whole number from 1 to {MAX_PHOTOS_PER_FIELD}."),
                )),
            },
            _ => {}
        }
    }
    if let (Some(min), Some(max)) = (applied.min, applied.max) {
        if min > max {
            errors.push(bad(format!("min={min} lớn hơn max={max}."), format!("min={min} is above max={max}.")));
        }
    }
    if t == FieldType::CountGrid {
        applied.grid = grid(&given, at, reference, group, errors);
    }
    applied
}

fn list_vi(known: &str) -> String {
    if known.is_empty() {
        " (loại này không có tham số)".into()
    } else {
        format!(" (dùng được: {known})")
    }
}

fn list_en(known: &str) -> String {
    if known.is_empty() {
        " (this type takes none)".into()
    } else {
        format!(" (it takes: {known})")
    }
}

fn grid(
    given: &BTreeMap<String, String>,
    at: &Place,
    reference: &ReferenceData,
    group: GroupSource<'_>,
    errors: &mut Vec<ImportError>,
) -> Option<GridSpec> {
    let bad = |vi: String, en: String| at.error(ErrorCode::InvalidParameter, vi, en);
    let start = errors.len();
    let shortlist = given.get("shortlist").cloned();
    match &shortlist {
        None => errors.push(bad(
            "count_grid cần tham số shortlist (danh sách dân tộc hiện sẵn, ví dụ shortlist=quang_ngai).".into(),
            "count_grid needs the parameter shortlist (the ethnic groups shown as rows, e.g. shortlist=quang_ngai)."
                .into(),
        )),
        Some(s) if !reference.ethnicity_shortlists.contains_key(s) => errors.push(bad(
            format!("shortlist={s}: không có danh sách rút gọn dân tộc này."),
            format!("shortlist={s}: there is no such ethnicity shortlist."),
        )),
        Some(_) => {}
    }
    let ethnicity_list = given.get("ethnicity_list").cloned().unwrap_or_else(|| "ethnic_groups".to_owned());
    if !reference.lists.contains_key(&ethnicity_list) {
        errors.push(bad(
            format!("ethnicity_list={ethnicity_list}: không có danh mục này."),
            format!("ethnicity_list={ethnicity_list}: there is no such reference list."),
        ));
    }
    let max_cell = match given.get("max_cell") {
        None => 100_000,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                errors.push(bad(
                    format!("max_cell={v}: cần một số nguyên từ 1."),
                    format!("max_cell={v}: needs a whole number from 1."),
                ));
                1
            }
        },
    };
    let group = match (given.get("group"), given.get("group_name")) {
        (None, None) => {
            if group.label.is_some() {
                errors.push(group.label_at.error(
                    ErrorCode::NotApplicable,
                    "group_label cần tham số group (danh sách các giá trị của chiều thứ ba).",
                    "group_label needs the parameter group (the list of the third dimension's values).",
                ));
            }
            None
        }
        (None, Some(_)) => {
            errors.push(bad(
                "group_name cần tham số group (tên danh sách trong trang choices).".into(),
                "group_name needs the parameter group (a list of the choices sheet).".into(),
            ));
            None
        }
        (Some(list), name) => {
            let name = name.unwrap_or(list).clone();
            if !is_identifier(&name) {
                errors.push(bad(
                    format!("“{name}”: tên chiều thứ ba chỉ gồm chữ thường, số và _."),
                    format!("“{name}”: the third dimension's name is lower-case letters, digits and _."),
                ));
            }
            let options = (group.options)(list);
            if options.is_none() {
                errors.push(at.error(
                    ErrorCode::UnknownList,
                    format!("group={list}: trang choices không có danh sách “{list}”."),
                    format!("group={list}: the choices sheet has no list “{list}”."),
                ));
            }
            if group.label.is_none() {
                errors.push(group.label_at.error(
                    ErrorCode::MissingValue,
                    "Chiều thứ ba của bảng đếm cần nhãn (cột group_label::Tiếng Việt (vi) và group_label::English (en)).",
                    "The grid's third dimension needs a label (columns group_label::Tiếng Việt (vi) and group_label::English (en)).",
                ));
            }
            Some(GridGroup { name, label: group.label.unwrap_or_default(), options: options.unwrap_or_default() })
        }
    };
    (errors.len() == start).then(|| GridSpec {
        ethnicity_list,
        shortlist: shortlist.unwrap_or_default(),
        group,
        max_cell,
    })
}
