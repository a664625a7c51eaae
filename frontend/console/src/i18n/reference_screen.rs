//! The words of the "Danh mục" screen (reference lists), Vietnamese and English.

use forms::Lang;

use super::pick;

macro_rules! reference_texts {
    ($($name:ident: $vi:expr, $en:expr;)*) => {
        pub struct ReferenceTexts { $(pub $name: &'static str,)* }
        static VI: ReferenceTexts = ReferenceTexts { $($name: $vi,)* };
        static EN: ReferenceTexts = ReferenceTexts { $($name: $en,)* };
    };
}

reference_texts! {
    nav: "Danh mục", "Lists";
    intro: "Các danh mục biểu mẫu và phiếu dựa vào: đơn vị hành chính, bảng chuyển đổi đơn vị cũ sang mới, cơ quan, loại mô hình, dân tộc và danh sách dân tộc hay gặp. Tỉnh khác triển khai bằng cách tải lên danh mục của mình.",
        "The lists forms and records rely on: administrative units, the old-to-new unit mapping, agencies, model types, ethnic groups and the shortlist of common ones. Another province deploys by uploading its own.";
    lists_title: "Danh mục đang dùng", "Lists in use";
    files_title: "Các tệp", "Files";
    list: "Danh mục", "List";
    version: "Phiên bản", "Version";
    size: "Số dòng", "Rows";
    file: "Tệp", "File";
    origin: "Nguồn", "Source";
    bundled: "Kèm sotay", "Shipped with sotay";
    uploaded: "Đã tải lên", "Uploaded";
    updated: "Cập nhật", "Updated";
    download: "Tải về", "Download";
    upload_title: "Thay một tệp danh mục", "Replace a list file";
    choose_file: "Tệp danh mục (.csv UTF-8, hoặc lists.toml), cùng tên với tệp cần thay", "List file (.csv UTF-8, or lists.toml), named as the file it replaces";
    upload_hint: "Máy chủ chỉ lưu khi cả bộ danh mục vẫn khớp nhau, mọi biểu mẫu vẫn dùng được và không mất mã nào phiếu hoặc người dùng đang dùng. Nếu không, mọi lỗi được liệt kê bên dưới.",
        "The server stores it only if the whole set still holds together, every form still works and no code records or users use is lost. Otherwise every problem is listed below.";
    upload: "Tải lên", "Upload";
    uploading: "Đang tải lên và kiểm tra…", "Uploading and checking…";
    need_file: "Hãy chọn một tệp .csv hoặc lists.toml.", "Choose a .csv file or lists.toml.";
    fix_and_retry: "Chưa có gì được lưu. Sửa tệp rồi tải lên lại.", "Nothing was stored. Fix the file and upload it again.";
}

pub fn reference_texts(lang: Lang) -> &'static ReferenceTexts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

pub fn replaced(lang: Lang, name: &str) -> String {
    pick(
        lang,
        format!("Đã thay {name}. Điện thoại nhận danh mục mới khi đồng bộ."),
        format!("Replaced {name}. Phones get the new lists when they sync."),
    )
}
