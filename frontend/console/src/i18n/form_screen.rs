//! The words of the "Biểu mẫu" screen (publishing form versions), Vietnamese and English.

use forms::Lang;
use serde_json::Value as Json;

use super::pick;
use crate::api::Mistake;

macro_rules! form_texts {
    ($($name:ident: $vi:expr, $en:expr;)*) => {
        pub struct FormTexts { $(pub $name: &'static str,)* }
        static VI: FormTexts = FormTexts { $($name: $vi,)* };
        static EN: FormTexts = FormTexts { $($name: $en,)* };
    };
}

form_texts! {
    nav: "Biểu mẫu", "Forms";
    intro: "Các biểu mẫu điện thoại dùng để ghi phiếu, mọi phiên bản đã phát hành. Phiếu đã ghi giữ phiên bản của mình; điện thoại nhận phiên bản mới khi đồng bộ.",
        "The forms phones record with, every published version. A record keeps its version; phones get a new version when they sync.";
    upload_title: "Phát hành phiên bản mới", "Publish a new version";
    choose_file: "Tệp biểu mẫu: XLSForm (.xlsx) hoặc TOML của sotay (.toml)", "Form file: XLSForm (.xlsx) or sotay TOML (.toml)";
    upload_hint: "Máy chủ tự đánh số phiên bản tiếp theo của biểu mẫu. Nếu tệp có lỗi thì chưa có gì được lưu, và mọi lỗi được liệt kê bên dưới.",
        "The server numbers the form's next version itself. If the file has mistakes nothing is stored, and every mistake is listed below.";
    publish: "Tải lên và phát hành", "Upload and publish";
    publishing: "Đang tải lên và kiểm tra…", "Uploading and checking…";
    need_file: "Hãy chọn một tệp .xlsx hoặc .toml.", "Choose an .xlsx or .toml file.";
    wrong_file: "Chỉ nhận tệp .xlsx (XLSForm) hoặc .toml (sotay). Hãy chọn tệp khác.", "Only .xlsx (XLSForm) or .toml (sotay) files. Choose another file.";
    fix_and_retry: "Tệp vẫn đang được chọn. Sửa các lỗi trong tệp, lưu lại, chọn lại tệp rồi bấm “Tải lên và phát hành”.",
        "The file is still selected. Fix the mistakes in the file, save it, choose it again and press “Upload and publish”.";
    position: "Vị trí", "Where";
    mistake: "Lỗi", "Mistake";
    version: "Phiên bản", "Version";
    title: "Tên", "Title";
    questions: "Số câu hỏi", "Questions";
    status: "Trạng thái", "Status";
    in_use: "Đang dùng", "In use";
    withdrawn: "Đã ngừng dùng", "Withdrawn";
    files: "Tải về", "Download";
    download_xlsform: "Tải XLSForm", "Download XLSForm";
    download_toml: "Tải TOML", "Download TOML";
    actions: "Thao tác", "Actions";
    withdraw: "Ngừng dùng", "Withdraw";
    restore: "Dùng lại", "Restore";
    empty: "Máy chủ chưa có biểu mẫu nào. Hãy tải lên biểu mẫu đầu tiên ở trên.", "The server has no form yet. Upload the first one above.";
    whole_file: "Cả tệp", "The whole file";
}

pub fn form_texts(lang: Lang) -> &'static FormTexts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// "Đã phát hành … phiên bản 2. Điện thoại sẽ nhận khi đồng bộ."
pub fn published(lang: Lang, title: &str, version: u32) -> String {
    pick(
        lang,
        format!("Đã phát hành {title} phiên bản {version}. Điện thoại sẽ nhận khi đồng bộ."),
        format!("Published {title} version {version}. Phones will get it when they sync."),
    )
}

/// The question before withdrawing a version: what stops, what stays.
pub fn confirm_withdraw(lang: Lang, title: &str, version: u32) -> String {
    pick(
        lang,
        format!("Ngừng dùng {title} phiên bản {version}? Điện thoại sẽ không tạo phiếu mới bằng phiên bản này sau lần đồng bộ tới; phiếu đã ghi vẫn sửa được. Có thể dùng lại sau."),
        format!("Withdraw {title} version {version}? After their next sync, phones make no new record with this version; records already made stay editable. It can be restored later."),
    )
}

/// The question before restoring a withdrawn version.
pub fn confirm_restore(lang: Lang, title: &str, version: u32) -> String {
    pick(
        lang,
        format!("Dùng lại {title} phiên bản {version}? Điện thoại sẽ tạo được phiếu mới bằng phiên bản này sau lần đồng bộ tới."),
        format!("Restore {title} version {version}? After their next sync, phones can make new records with this version again."),
    )
}

/// What happened, once the server has it.
pub fn state_changed(lang: Lang, title: &str, version: u32, withdrawn: bool) -> String {
    match withdrawn {
        true => pick(
            lang,
            format!("Đã ngừng dùng {title} phiên bản {version}. Điện thoại sẽ nhận khi đồng bộ."),
            format!("Withdrew {title} version {version}. Phones will get it when they sync."),
        ),
        false => pick(
            lang,
            format!("Đã dùng lại {title} phiên bản {version}. Điện thoại sẽ nhận khi đồng bộ."),
            format!("Restored {title} version {version}. Phones will get it when they sync."),
        ),
    }
}

pub fn n_versions(lang: Lang, n: usize) -> String {
    pick(lang, format!("{n} phiên bản"), format!("{n} versions"))
}

/// Where a mistake is, as a person finds it: "Trang survey, dòng 12, cột D (constraint)" in
/// a workbook, "Dòng 3" in a TOML file, "Câu hỏi participants (relevant)" in the definition.
pub fn mistake_place(lang: Lang, m: &Mistake) -> String {
    let en = lang == Lang::En;
    let mut parts = Vec::new();
    let sheet = m.sheet.as_deref().filter(|s| !s.is_empty());
    if let Some(sheet) = sheet {
        parts.push(format!("{} {sheet}", if en { "Sheet" } else { "Trang" }));
        if let Some(row) = m.row {
            parts.push(format!("{} {row}", if en { "row" } else { "dòng" }));
        }
        if let Json::String(letter) = &m.column {
            parts.push(format!("{} {letter}", if en { "column" } else { "cột" }));
        }
    } else if let Some(line) = m.line {
        parts.push(format!("{} {line}", if en { "Line" } else { "Dòng" }));
    } else if let Some(field) = m.field.as_deref().filter(|f| !f.is_empty()) {
        parts.push(format!("{} {field}", if en { "Question" } else { "Câu hỏi" }));
        if let Some(at) = m.column.as_u64() {
            parts.push(format!("{} {at}", if en { "character" } else { "ký tự" }));
        }
    }
    let mut place = if parts.is_empty() { form_texts(lang).whole_file.to_owned() } else { parts.join(", ") };
    if let Some(extra) = m.header.as_deref().or(m.attribute.as_deref()).filter(|h| !h.is_empty()) {
        place += &format!(" ({extra})");
    }
    place
}

/// The mistake in the page's language (the other when the server left it empty).
pub fn mistake_message(lang: Lang, m: &Mistake) -> String {
    let (mine, other) = if lang == Lang::En { (&m.message_en, &m.message_vi) } else { (&m.message_vi, &m.message_en) };
    if mine.is_empty() {
        other.clone()
    } else {
        mine.clone()
    }
}
