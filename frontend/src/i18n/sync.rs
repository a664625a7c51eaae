//! The sync bar's phrases with numbers and times in them.

use forms::Lang;

pub fn waiting_n(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!("{n} phiếu chờ gửi"),
        Lang::En => format!("{n} waiting to send"),
    }
}

pub fn progress(lang: Lang, sent: usize, total: usize) -> String {
    match lang {
        Lang::Vi => format!("Đang gửi {sent}/{total} phiếu"),
        Lang::En => format!("Sending {sent} of {total}"),
    }
}

pub fn synced_at(lang: Lang, hhmm: &str) -> String {
    match lang {
        Lang::Vi => format!("Đã gửi hết lúc {hhmm}"),
        Lang::En => format!("All sent at {hhmm}"),
    }
}

pub fn attention_n(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!("{n} phiếu cần xử lý"),
        Lang::En => format!("{n} need attention"),
    }
}
