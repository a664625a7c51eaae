//! The form engine explains a definition's mistakes in English (its messages are for the
//! people who write definition files); an upload's errors go to provincial staff in
//! Vietnamese too. The engine's common messages are translated here by their shape; any
//! other keeps its English after a Vietnamese lead-in, so nothing is lost.

/// A Vietnamese rendering of a form engine message.
pub fn vietnamese(en: &str) -> String {
    let quoted = |s: &str| s.split('\'').nth(1).unwrap_or("").to_owned();
    if let Some(rest) = en.strip_prefix("unknown field '") {
        let name = rest.split('\'').next().unwrap_or("");
        return format!("không có câu hỏi “{name}” (hoặc câu hỏi đó đứng sau câu này)");
    }
    if en.starts_with("unknown function '") {
        return format!("không có hàm “{}”", quoted(en));
    }
    if en == "'.' is only meaningful in a constraint" {
        return "“.” chỉ dùng trong constraint".into();
    }
    if en == "text is not closed by a matching quote" {
        return "chuỗi văn bản không có dấu nháy đóng lại".into();
    }
    if en == "comparisons cannot be chained; join them with 'and'" {
        return "không so sánh nối tiếp được; hãy nối bằng “and”".into();
    }
    if en == "the result is always empty (null)" {
        return "kết quả luôn rỗng (null)".into();
    }
    if en == "expression nested too deeply" {
        return "biểu thức lồng nhau quá sâu".into();
    }
    if en.ends_with("is not an option of that field") {
        return format!("“{}” không phải lựa chọn của câu hỏi đó", quoted(en));
    }
    if let Some((what, types)) = en.split_once(" needs a ") {
        if let Some((want, got)) = types.split_once(", not a ") {
            return format!("{what} cần {}, không phải {}", ty(want), ty(got));
        }
    }
    if let Some(types) = en.strip_prefix("must give a ") {
        if let Some((want, got)) = types.split_once(", not a ") {
            return format!("phải cho kết quả {}, không phải {}", ty(want), ty(got));
        }
    }
    if let Some((what, types)) = en.split_once(" cannot compare a ") {
        return match types.split_once(" with a ") {
            Some((a, b)) => format!("{what} không so sánh được {} với {}", ty(a), ty(b)),
            None => format!("{what} không so sánh được {}", ty(types)),
        };
    }
    if let Some(rest) = en.strip_prefix("unexpected ") {
        return format!("không mong đợi {rest} ở đây");
    }
    if let Some(rest) = en.strip_prefix("expected ") {
        if let Some((want, found)) = rest.split_once(", found ") {
            return format!("cần {want}, nhưng gặp {found}");
        }
    }
    if en.starts_with("date_field '") {
        return format!(
            "date_field “{}” phải là một câu date bắt buộc (required), luôn được hỏi (không có relevant)",
            quoted(en)
        );
    }
    if en == "the date_field cannot sit in a section with skip logic" {
        return "câu date_field không được nằm trong nhóm có relevant".into();
    }
    format!("lỗi trong định nghĩa biểu mẫu: {en}")
}

/// A type's name as the engine writes it (`Type::name`), in Vietnamese.
fn ty(name: &str) -> String {
    match name {
        "yes/no" => "có/không",
        "number" => "số",
        "text" => "văn bản",
        "date" => "ngày",
        "time" => "giờ",
        "multiple choice" => "nhiều lựa chọn",
        "count grid" => "bảng đếm",
        "null" => "rỗng",
        other => other,
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn common_messages_read_in_vietnamese() {
        use super::vietnamese;
        assert_eq!(
            vietnamese("unknown field 'topic' (or a field defined after this one)"),
            "không có câu hỏi “topic” (hoặc câu hỏi đó đứng sau câu này)"
        );
        assert_eq!(vietnamese("'+' needs a number, not a text"), "'+' cần số, không phải văn bản");
        assert_eq!(vietnamese("must give a yes/no, not a number"), "phải cho kết quả có/không, không phải số");
        assert!(vietnamese("something new").ends_with("something new"));
    }
}
