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
    upload_title: "Tải lên phiên bản mới", "Upload a new version";
    choose_file: "Tệp biểu mẫu: XLSForm (.xlsx) hoặc TOML của sotay (.toml)", "Form file: XLSForm (.xlsx) or sotay TOML (.toml)";
    upload_hint: "Máy chủ tự đánh số phiên bản tiếp theo của biểu mẫu. Nếu tệp có lỗi thì chưa có gì được lưu, và mọi lỗi được liệt kê bên dưới.",
        "The server numbers the form's next version itself. If the file has mistakes nothing is stored, and every mistake is listed below.";
    publish: "Tải lên và phát hành", "Upload and publish";
    publishing: "Đang tải lên và kiểm tra…", "Uploading and checking…";
    need_file: "Hãy chọn một tệp .xlsx hoặc .toml.", "Choose an .xlsx or .toml file.";
    wrong_file: "Chỉ nhận tệp .xlsx (XLSForm) hoặc .toml (sotay). Hãy chọn tệp khác.", "Only .xlsx (XLSForm) or .toml (sotay) files. Choose another file.";
    fix_and_retry: "Tệp vẫn đang được chọn. Sửa các lỗi trong tệp, lưu lại, chọn lại tệp rồi tải lên lại.",
        "The file is still selected. Fix the mistakes in the file, save it, choose it again and upload it again.";
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
    upload_draft: "Tải lên bản thử", "Upload as a draft";
    upload_draft_hint: "Bản thử chỉ đến điện thoại của quản trị viên và người thử (chọn ở Người dùng); phiếu làm bằng bản thử không tính vào báo cáo. Phát hành khi đã thử xong.",
        "A draft reaches only admins' and testers' phones (chosen under Users); records made with it never count in reports. Publish it once tested.";
    drafts_title: "Bản thử đang chờ phát hành", "Drafts waiting to be published";
    drafts_hint: "Quản trị viên và người thử thấy các bản thử này trên điện thoại, đánh dấu “Bản thử”. Phát hành để mọi điện thoại nhận; hủy để xóa bản thử cùng các phiếu thử.",
        "Admins and testers see these drafts on their phones, marked “Draft”. Publish one for every phone to get it; discard it to delete it with its test records.";
    draft_badge: "Bản thử", "Draft";
    uploaded: "Tải lên lúc", "Uploaded";
    test_records: "Phiếu thử", "Test records";
    publish_draft: "Phát hành", "Publish";
    discard_draft: "Hủy bản thử", "Discard";
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
    if let Some(file) = m.file.as_deref().filter(|f| !f.is_empty()) {
        parts.push(format!("{} {file}", if en { "List" } else { "Danh mục" }));
        if let Some(line) = m.line.filter(|l| *l > 0) {
            parts.push(format!("{} {line}", if en { "line" } else { "dòng" }));
        }
    } else if let Some(sheet) = sheet {
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

/// Asked before a draft is published.
pub fn confirm_publish_draft(lang: Lang, title: &str, version: u32) -> String {
    pick(
        lang,
        format!("Phát hành bản thử {title} thành phiên bản {version}? Mọi điện thoại sẽ nhận khi đồng bộ; các phiếu thử vẫn không được tính."),
        format!("Publish the draft of {title} as version {version}? Every phone gets it when it syncs; the test records still never count."),
    )
}

/// Asked before a draft is discarded.
pub fn confirm_discard_draft(lang: Lang, title: &str, test_records: u64) -> String {
    pick(
        lang,
        format!("Hủy bản thử {title}? {test_records} phiếu thử làm bằng bản thử này sẽ bị xóa."),
        format!("Discard the draft of {title}? The {test_records} test record(s) made with it will be deleted."),
    )
}

/// "Đã tải lên bản thử …": where it goes next.
pub fn draft_uploaded(lang: Lang, title: &str, version: u32, replaced_tests: u64) -> String {
    let (vi_more, en_more) = match replaced_tests {
        0 => (String::new(), String::new()),
        n => (
            format!(" Đã xóa {n} phiếu thử của bản thử cũ."),
            format!(" {n} test record(s) of the earlier draft were deleted."),
        ),
    };
    pick(
        lang,
        format!("Đã tải lên bản thử {title} (phiên bản {version} khi phát hành). Quản trị viên và người thử nhận khi đồng bộ.{vi_more}"),
        format!("Uploaded the draft of {title} (version {version} once published). Admins and testers get it when they sync.{en_more}"),
    )
}

pub fn draft_published(lang: Lang, title: &str, version: u32) -> String {
    published(lang, title, version)
}

pub fn draft_discarded(lang: Lang, title: &str, deleted: u64) -> String {
    pick(
        lang,
        format!("Đã hủy bản thử {title} và xóa {deleted} phiếu thử."),
        format!("Discarded the draft of {title} and deleted {deleted} test record(s)."),
    )
}
