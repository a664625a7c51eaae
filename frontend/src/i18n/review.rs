//! The review section of a record's page (supervisors and admins, online): its states,
//! actions and answers. The wording follows the console's, so both name things alike.

use forms::review::{ReviewAction, ReviewState};
use forms::Lang;

pub struct ReviewTexts {
    pub title: &'static str,
    pub submitted: &'static str,
    pub approve: &'static str,
    pub return_: &'static str,
    pub reopen: &'static str,
    pub comment: &'static str,
    pub fields_pick: &'static str,
    pub send_return: &'static str,
    pub comment_needed: &'static str,
    pub confirm_reopen: &'static str,
    pub awaiting_officer: &'static str,
    pub sending: &'static str,
    /// Offline: no button, and why.
    pub offline: &'static str,
    /// No answer (no signal, a timeout, a server error): what the server did is unknown.
    pub retry: &'static str,
    pub forbidden: &'static str,
    /// Opened by link on a phone that does not hold the record, with no signal.
    pub not_here_offline: &'static str,
    pub not_found: &'static str,
}

pub const VI: ReviewTexts = ReviewTexts {
    title: "Duyệt phiếu",
    submitted: "Đã nộp, chờ duyệt",
    approve: "Duyệt",
    return_: "Trả lại để sửa",
    reopen: "Mở lại",
    comment: "Cần sửa gì (bắt buộc)",
    fields_pick: "Câu hỏi cần sửa (không bắt buộc)",
    send_return: "Trả lại cho cán bộ",
    comment_needed: "Hãy ghi rõ cần sửa gì để cán bộ biết mà sửa.",
    confirm_reopen: "Mở lại phiếu đã duyệt? Cán bộ sẽ sửa được phiếu, và phiếu cần được duyệt lại.",
    awaiting_officer: "Đang chờ cán bộ sửa và gửi lại phiếu.",
    sending: "Đang gửi…",
    offline: "Cần có mạng để duyệt, trả lại hoặc mở lại phiếu. Hãy đến nơi có sóng.",
    retry: "Chưa gửi được. Bấm lại để thử: gửi lại không bị tính hai lần.",
    forbidden: "Chỉ cán bộ giám sát và quản trị phụ trách nơi này được duyệt phiếu.",
    not_here_offline: "Phiếu này không có trên máy. Cần có mạng để mở phiếu của cán bộ khác từ máy chủ.",
    not_found: "Phiếu này không có trên máy, và trên máy chủ không có phiếu này trong phạm vi bạn phụ trách.",
};

pub const EN: ReviewTexts = ReviewTexts {
    title: "Review",
    submitted: "Submitted, awaiting review",
    approve: "Approve",
    return_: "Return for changes",
    reopen: "Reopen",
    comment: "What needs changing (required)",
    fields_pick: "Questions to fix (optional)",
    send_return: "Return to the officer",
    comment_needed: "Say what needs changing, so the officer knows what to fix.",
    confirm_reopen: "Reopen this approved record? Its officer can edit it again, and it must be approved again.",
    awaiting_officer: "Waiting for the officer to fix and resend it.",
    sending: "Sending…",
    offline: "Approving, returning or reopening needs a connection. Go where there is signal.",
    retry: "Not sent. Tap again to retry: a retry is never counted twice.",
    forbidden: "Only supervisors and admins responsible for this place may review records.",
    not_here_offline:
        "This record is not on this phone. Opening another officer's record from the server needs a connection.",
    not_found: "This record is not on this phone, and the server has no such record within your scope.",
};

pub fn texts(lang: Lang) -> &'static ReviewTexts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The state's name; "Cần sửa" and "Đã duyệt" as the officer's screens say them.
pub fn state_label(lang: Lang, state: ReviewState) -> &'static str {
    match state {
        ReviewState::Submitted => texts(lang).submitted,
        ReviewState::NeedsChanges => super::texts(lang).needs_changes,
        ReviewState::Approved => super::texts(lang).approved,
    }
}

/// What the section says once an action applied.
pub fn done(lang: Lang, action: ReviewAction) -> &'static str {
    match (lang, action) {
        (Lang::Vi, ReviewAction::Return) => "Đã trả lại phiếu; cán bộ sẽ thấy khi điện thoại đồng bộ.",
        (Lang::Vi, ReviewAction::Approve) => "Đã duyệt phiếu.",
        (Lang::Vi, ReviewAction::Reopen) => "Đã mở lại phiếu; cán bộ sửa được phiếu.",
        (Lang::En, ReviewAction::Return) => "Returned; the officer sees it when the phone syncs.",
        (Lang::En, ReviewAction::Approve) => "Approved.",
        (Lang::En, ReviewAction::Reopen) => "Reopened; the officer can edit it again.",
    }
}

/// "Nguyễn Thị Hoà · 25/11/2026 09:10 · lần sửa 2": who acted last, when, on which revision.
pub fn by(lang: Lang, who: &str, when: &str, revision: u64) -> String {
    match lang {
        Lang::Vi => format!("{who} · {when} · lần sửa {revision}"),
        Lang::En => format!("{who} · {when} · revision {revision}"),
    }
}

/// Above a record read from the server, not kept on the phone.
pub fn from_server(lang: Lang, author: &str) -> String {
    match lang {
        Lang::Vi => format!("Phiếu của {author}, đọc từ máy chủ (không lưu trên máy này)."),
        Lang::En => format!("A record by {author}, read from the server (not kept on this phone)."),
    }
}
