//! The settings screen's sign-out questions.

use forms::Lang;

pub fn sign_out_warning(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!(
            "Còn {n} phiếu chưa gửi lên máy chủ. Đăng xuất không xoá phiếu nào: các phiếu vẫn ở trên máy này và sẽ được gửi khi đăng nhập lại."
        ),
        Lang::En => format!(
            "{n} records are not on the server yet. Signing out removes none of them: they stay on this phone and are sent after the next sign-in."
        ),
    }
}

/// Offered at sign-out when nothing is unsent: what removing the data takes off the phone.
pub fn forget_question(lang: Lang, synced: usize) -> String {
    match lang {
        Lang::Vi => format!(
            "Xoá dữ liệu của tài khoản này khỏi máy ({synced} phiếu)? Các phiếu vẫn còn trên máy chủ và được tải lại khi đăng nhập. Nên xoá nếu máy dùng chung hoặc có thể bị mất."
        ),
        Lang::En => format!(
            "Remove this account's data from this phone ({synced} records)? They stay on the server and come back at the next sign-in. Do remove them on a shared phone."
        ),
    }
}
