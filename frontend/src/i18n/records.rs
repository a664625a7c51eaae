//! The records list and a record's page: sync states, paging, deletion.

use forms::Lang;

use super::texts;

pub fn delete_confirm(lang: Lang, title: &str, synced: bool) -> String {
    match (lang, synced) {
        (Lang::Vi, true) => {
            format!("Xoá phiếu “{title}”? Phiếu sẽ bị xoá cả trên máy chủ khi đồng bộ và không còn trong báo cáo.")
        }
        (Lang::Vi, false) => {
            format!("Xoá phiếu “{title}”? Mọi thông tin đã nhập trong phiếu này sẽ mất, không lấy lại được.")
        }
        (Lang::En, true) => {
            format!("Delete “{title}”? It will also be deleted on the server at the next sync and leave the reports.")
        }
        (Lang::En, false) => format!("Delete “{title}”? Everything typed in this record will be lost for good."),
    }
}

pub fn state_label(lang: Lang, state: device::SyncState) -> &'static str {
    use device::SyncState::*;
    let t = texts(lang);
    match state {
        Draft => t.drafts,
        Queued => t.waiting,
        Synced => t.synced,
        Rejected | Conflict => t.attention,
    }
}

/// The records list shows a page at a time: the button under it.
pub fn show_more(lang: Lang, shown: usize, total: usize) -> String {
    match lang {
        Lang::Vi => format!("Xem thêm (đang hiện {shown}/{total} phiếu)"),
        Lang::En => format!("Show more ({shown} of {total} shown)"),
    }
}
