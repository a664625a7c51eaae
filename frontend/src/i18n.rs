//! Every string the interface shows, in Vietnamese (default) and English, in one place.
//! Form texts come from the definitions; validation messages from `forms::messages`.

use forms::Lang;

/// Fixed interface texts for one language.
pub struct Texts {
    pub app_name: &'static str,
    pub loading: &'static str,
    pub sign_in_title: &'static str,
    pub sign_in_intro: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub enroll_title: &'static str,
    pub enroll_intro: &'static str,
    pub enroll_button: &'static str,
    pub bad_credentials: &'static str,
    pub too_many_attempts: &'static str,
    pub need_online: &'static str,
    pub server_error: &'static str,
    pub session_expired: &'static str,
    pub sign_in_again: &'static str,
    pub drafts: &'static str,
    pub waiting: &'static str,
    pub synced: &'static str,
    pub attention: &'static str,
    pub new_record: &'static str,
    pub no_forms: &'static str,
    pub records: &'static str,
    pub settings: &'static str,
    pub home: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub never_synced: &'static str,
    pub last_sync: &'static str,
    pub sync_now: &'static str,
    pub syncing: &'static str,
    pub sync_failed: &'static str,
    pub commune: &'static str,
    pub choose: &'static str,
    pub choose_commune: &'static str,
    pub finish: &'static str,
    pub saved_on_phone: &'static str,
    pub not_saved_yet: &'static str,
    pub fix_errors: &'static str,
    pub queued_ok: &'static str,
    pub personal_data_warning: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub date_hint: &'static str,
    pub time_hint: &'static str,
    pub bad_date: &'static str,
    pub bad_time: &'static str,
    pub bad_number: &'static str,
    pub male: &'static str,
    pub female: &'static str,
    pub total: &'static str,
    pub ethnicity: &'static str,
    pub other_ethnicity: &'static str,
    pub search_ethnicity: &'static str,
    pub grand_total: &'static str,
    pub history: &'static str,
    pub needs_changes: &'static str,
    pub period_closed: &'static str,
    pub needs_changes_hint: &'static str,
    pub review_flagged: &'static str,
    pub approved: &'static str,
    pub approved_note: &'static str,
    pub history_offline: &'static str,
    pub history_created: &'static str,
    pub history_deleted: &'static str,
    pub history_unknown_sender: &'static str,
    pub history_no_change: &'static str,
    pub revision_n: &'static str,
    pub computed: &'static str,
    pub search: &'static str,
    pub all_forms: &'static str,
    pub all_states: &'static str,
    pub no_records: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    pub deleted: &'static str,
    pub server_reasons: &'static str,
    pub conflict_title: &'static str,
    pub conflict_intro: &'static str,
    pub mine: &'static str,
    pub servers: &'static str,
    pub keep_mine: &'static str,
    pub take_servers: &'static str,
    pub not_found: &'static str,
    pub unknown_form: &'static str,
    pub language: &'static str,
    pub storage_title: &'static str,
    pub persisted_yes: &'static str,
    pub persisted_no: &'static str,
    pub persisted_unknown: &'static str,
    pub version: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    /// Signing out with nothing unsent: the records may leave the phone.
    pub all_sent: &'static str,
    pub sign_out_forget: &'static str,
    pub sign_out_keep: &'static str,
    pub sign_out_anyway: &'static str,
    pub cancel: &'static str,
    pub update_ready: &'static str,
    pub reload: &'static str,
    pub no_catalog: &'static str,
    pub empty_answer: &'static str,
    pub my_work: &'static str,
    pub my_work_note: &'static str,
    pub reports_title: &'static str,
    pub this_month: &'static str,
    pub this_quarter: &'static str,
    pub this_year: &'static str,
    pub action_month: &'static str,
    pub date_range: &'static str,
    pub from_date: &'static str,
    pub to_date: &'static str,
    pub show: &'static str,
    pub activities: &'static str,
    pub participants: &'static str,
    pub women_share: &'static str,
    pub by_form: &'static str,
    pub by_ethnicity: &'static str,
    pub others: &'static str,
    pub no_activities: &'static str,
    pub report_offline: &'static str,
    pub not_permitted: &'static str,
    pub downloading: &'static str,
    pub by_month: &'static str,
    pub month: &'static str,
    /// Opens the annual report (of the year that follows) as a page to read and print.
    pub view_annual: &'static str,
    pub print: &'static str,
    pub close: &'static str,
}

pub const VI: Texts = Texts {
    app_name: "Sổ tay Bình đẳng giới",
    loading: "Đang mở…",
    sign_in_title: "Đăng nhập",
    sign_in_intro: "Cần có mạng cho lần đăng nhập đầu tiên. Sau đó có thể nhập phiếu khi không có mạng.",
    username: "Tên đăng nhập",
    password: "Mật khẩu",
    sign_in: "Đăng nhập",
    signing_in: "Đang đăng nhập…",
    enroll_title: "Kích hoạt máy",
    enroll_intro: "Máy này sẽ đăng nhập bằng mã kích hoạt do cán bộ tỉnh cấp.",
    enroll_button: "Kích hoạt và đăng nhập",
    bad_credentials: "Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra lại.",
    too_many_attempts: "Nhập sai quá nhiều lần. Hãy đợi vài phút rồi thử lại.",
    need_online: "Không có mạng. Hãy đến nơi có sóng rồi thử lại.",
    server_error: "Máy chủ đang gặp lỗi. Hãy thử lại sau.",
    session_expired: "Phiên đăng nhập đã hết hạn. Phiếu vẫn an toàn trên máy; hãy đăng nhập lại để gửi.",
    sign_in_again: "Đăng nhập lại",
    drafts: "Nháp",
    waiting: "Chờ gửi",
    synced: "Đã gửi",
    attention: "Cần xử lý",
    new_record: "Phiếu mới",
    no_forms: "Chưa có mẫu phiếu. Hãy kết nối mạng để tải về.",
    records: "Danh sách phiếu",
    settings: "Cài đặt",
    home: "Trang chính",
    online: "Có mạng",
    offline: "Không có mạng",
    never_synced: "Chưa đồng bộ lần nào",
    last_sync: "Đồng bộ lần cuối",
    sync_now: "Đồng bộ ngay",
    syncing: "Đang gửi",
    sync_failed: "Chưa gửi được, sẽ thử lại",
    commune: "Xã, phường",
    choose: "— Chọn —",
    choose_commune: "Hãy chọn xã, phường nơi diễn ra hoạt động.",
    finish: "Hoàn thành",
    saved_on_phone: "Đã lưu trên máy",
    not_saved_yet: "Đang lưu…",
    fix_errors: "Còn mục cần sửa (tô đỏ bên dưới).",
    queued_ok: "Đã hoàn thành, phiếu chờ gửi.",
    personal_data_warning: "Không ghi họ tên, số điện thoại, địa chỉ của người tham gia.",
    yes: "Có",
    no: "Không",
    date_hint: "ngày/tháng/năm, ví dụ 15/11/2025",
    time_hint: "giờ:phút, ví dụ 14:30",
    bad_date: "Ngày chưa đúng. Nhập dạng ngày/tháng/năm, ví dụ 15/11/2025.",
    bad_time: "Giờ chưa đúng. Nhập dạng giờ:phút (24 giờ), ví dụ 14:30.",
    bad_number: "Chỉ nhập số.",
    male: "Nam",
    female: "Nữ",
    total: "Cộng",
    ethnicity: "Dân tộc",
    other_ethnicity: "Dân tộc khác",
    search_ethnicity: "Tìm dân tộc (tên hoặc tên gọi khác)",
    grand_total: "Tổng cộng",
    history: "Lịch sử sửa phiếu",
    needs_changes: "Cần sửa",
    period_closed: "Kỳ báo cáo đã chốt",
    needs_changes_hint: "Sửa theo nhận xét rồi bấm Hoàn thành để gửi lại.",
    review_flagged: "Giám sát đề nghị xem lại câu này.",
    approved: "Đã duyệt",
    approved_note:
        "Phiếu đã được duyệt nên không sửa hay xoá được nữa. Nếu cần sửa, hãy nhờ cán bộ giám sát mở lại phiếu.",
    history_offline: "Cần có mạng để xem lịch sử sửa phiếu trên máy chủ.",
    history_created: "tạo phiếu",
    history_deleted: "xoá phiếu",
    history_unknown_sender: "(trước khi có lịch sử)",
    history_no_change: "Không đổi câu trả lời nào.",
    revision_n: "Lần sửa",
    computed: "Tự tính",
    search: "Tìm phiếu",
    all_forms: "Tất cả mẫu phiếu",
    all_states: "Mọi trạng thái",
    no_records: "Chưa có phiếu nào.",
    edit: "Sửa phiếu",
    delete: "Xoá phiếu",
    deleted: "Đã xoá",
    server_reasons: "Máy chủ chưa nhận phiếu vì:",
    conflict_title: "Phiếu đã được sửa ở nơi khác",
    conflict_intro: "Người khác đã sửa phiếu này trên máy chủ. Hãy xem hai bản và chọn bản giữ lại.",
    mine: "Bản của tôi",
    servers: "Bản trên máy chủ",
    keep_mine: "Giữ bản của tôi",
    take_servers: "Lấy bản máy chủ",
    not_found: "Không tìm thấy phiếu này trên máy.",
    unknown_form: "Máy chưa có mẫu phiếu này. Hãy đồng bộ khi có mạng.",
    language: "Ngôn ngữ",
    storage_title: "Lưu trữ trên máy",
    persisted_yes: "Trình duyệt sẽ không tự xoá dữ liệu của ứng dụng.",
    persisted_no: "Trình duyệt có thể xoá dữ liệu khi máy đầy bộ nhớ. Hãy gửi phiếu thường xuyên.",
    persisted_unknown: "Đang kiểm tra…",
    version: "Phiên bản",
    signed_in_as: "Đang đăng nhập",
    sign_out: "Đăng xuất",
    all_sent: "Mọi phiếu trên máy đã được gửi lên máy chủ.",
    sign_out_forget: "Đăng xuất và xoá dữ liệu trên máy",
    sign_out_keep: "Đăng xuất, giữ dữ liệu trên máy",
    sign_out_anyway: "Vẫn đăng xuất",
    cancel: "Huỷ",
    update_ready: "Có phiên bản mới",
    reload: "Tải lại",
    no_catalog: "Chưa tải được mẫu phiếu. Hãy kết nối mạng rồi bấm Đồng bộ ngay.",
    empty_answer: "(chưa nhập)",
    my_work: "Công việc của tôi",
    my_work_note: "Tính từ phiếu đã hoàn thành trên máy này, theo ngày hoạt động.",
    reports_title: "Báo cáo",
    this_month: "Tháng này",
    this_quarter: "Quý này",
    this_year: "Năm nay",
    action_month: "Tháng hành động",
    date_range: "Khoảng ngày",
    from_date: "Từ ngày",
    to_date: "Đến ngày",
    show: "Xem",
    activities: "Hoạt động",
    participants: "Người tham gia",
    women_share: "Tỷ lệ nữ",
    by_form: "Theo loại hoạt động",
    by_ethnicity: "Theo dân tộc",
    others: "Khác",
    no_activities: "Chưa có hoạt động nào trong kỳ này.",
    report_offline: "Cần có mạng để xem báo cáo.",
    not_permitted: "Chỉ cán bộ giám sát và quản trị được xem báo cáo.",
    downloading: "Đang tải báo cáo…",
    by_month: "Theo tháng",
    month: "Tháng",
    view_annual: "Xem và in báo cáo năm",
    print: "In báo cáo",
    close: "Đóng",
};

pub const EN: Texts = Texts {
    app_name: "Gender Equality Notebook",
    loading: "Opening…",
    sign_in_title: "Sign in",
    sign_in_intro: "The first sign-in needs a connection. After that, records can be entered offline.",
    username: "User name",
    password: "Password",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    enroll_title: "Set up this phone",
    enroll_intro: "This phone will sign in with the enrolment code the province gave you.",
    enroll_button: "Set up and sign in",
    bad_credentials: "Wrong user name or password. Please check them.",
    too_many_attempts: "Too many failed attempts. Wait a few minutes and try again.",
    need_online: "No connection. Go where there is signal and try again.",
    server_error: "The server has a problem. Try again later.",
    session_expired: "Your sign-in has expired. Records are safe on this phone; sign in again to send them.",
    sign_in_again: "Sign in again",
    drafts: "Drafts",
    waiting: "Waiting",
    synced: "Sent",
    attention: "Needs attention",
    new_record: "New record",
    no_forms: "No forms yet. Connect to download them.",
    records: "Records",
    settings: "Settings",
    home: "Home",
    online: "Online",
    offline: "Offline",
    never_synced: "Never synced",
    last_sync: "Last sync",
    sync_now: "Sync now",
    syncing: "Sending",
    sync_failed: "Not sent yet, will retry",
    commune: "Commune, ward",
    choose: "— Choose —",
    choose_commune: "Choose the commune where the activity took place.",
    finish: "Finish",
    saved_on_phone: "Saved on this phone",
    not_saved_yet: "Saving…",
    fix_errors: "Some answers need fixing (marked in red below).",
    queued_ok: "Finished; the record is waiting to be sent.",
    personal_data_warning: "Do not write participants' names, phone numbers or addresses.",
    yes: "Yes",
    no: "No",
    date_hint: "day/month/year, e.g. 15/11/2025",
    time_hint: "hour:minute, e.g. 14:30",
    bad_date: "Not a valid date. Type day/month/year, e.g. 15/11/2025.",
    bad_time: "Not a valid time. Type hour:minute (24-hour), e.g. 14:30.",
    bad_number: "Numbers only.",
    male: "Male",
    female: "Female",
    total: "Total",
    ethnicity: "Ethnicity",
    other_ethnicity: "Other ethnic group",
    search_ethnicity: "Find a group (name or other name)",
    grand_total: "Grand total",
    history: "Edit history",
    needs_changes: "Needs changes",
    period_closed: "Period signed off",
    needs_changes_hint: "Fix it as the comment says, then tap Finish to send it again.",
    review_flagged: "Your supervisor asks you to check this question.",
    approved: "Approved",
    approved_note: "This record is approved, so it can no longer be edited or deleted. If it needs a fix, ask your supervisor to reopen it.",
    history_offline: "Go online to see the record's history on the server.",
    history_created: "created",
    history_deleted: "deleted",
    history_unknown_sender: "(before history was kept)",
    history_no_change: "No answer changed.",
    revision_n: "Revision",
    computed: "Computed",
    search: "Search records",
    all_forms: "All forms",
    all_states: "Any state",
    no_records: "No records yet.",
    edit: "Edit",
    delete: "Delete",
    deleted: "Deleted",
    server_reasons: "The server did not accept this record because:",
    conflict_title: "Changed elsewhere",
    conflict_intro: "Someone else changed this record on the server. Compare both and choose which to keep.",
    mine: "Mine",
    servers: "Server's",
    keep_mine: "Keep mine",
    take_servers: "Take server's",
    not_found: "This record is not on this phone.",
    unknown_form: "This phone does not have this form yet. Sync when online.",
    language: "Language",
    storage_title: "Storage on this phone",
    persisted_yes: "The browser will not clear the app's data by itself.",
    persisted_no: "The browser may clear data when the phone is full. Send records often.",
    persisted_unknown: "Checking…",
    version: "Version",
    signed_in_as: "Signed in as",
    sign_out: "Sign out",
    all_sent: "Every record on this phone is on the server.",
    sign_out_forget: "Sign out and remove the data from this phone",
    sign_out_keep: "Sign out, keep the data on this phone",
    sign_out_anyway: "Sign out anyway",
    cancel: "Cancel",
    update_ready: "A new version is available",
    reload: "Reload",
    no_catalog: "Forms not downloaded yet. Connect and press Sync now.",
    empty_answer: "(not answered)",
    my_work: "My work",
    my_work_note: "From the records finished on this phone, by activity date.",
    reports_title: "Reports",
    this_month: "This month",
    this_quarter: "This quarter",
    this_year: "This year",
    action_month: "Action Month",
    date_range: "Date range",
    from_date: "From",
    to_date: "To",
    show: "Show",
    activities: "Activities",
    participants: "Participants",
    women_share: "Women's share",
    by_form: "By activity type",
    by_ethnicity: "By ethnic group",
    others: "Others",
    no_activities: "No activities in this period.",
    report_offline: "Reports need a connection.",
    not_permitted: "Only supervisors and admins may see reports.",
    downloading: "Downloading the report…",
    by_month: "By month",
    month: "Month",
    view_annual: "View and print the annual report of",
    print: "Print",
    close: "Close",
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

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

/// "3 hoạt động" / "3 activities".
pub fn activities_n(lang: Lang, n: u64) -> String {
    match lang {
        Lang::Vi => format!("{n} hoạt động"),
        Lang::En => format!("{n} activities"),
    }
}

/// "Nam 12 · Nữ 30".
pub fn by_sex(lang: Lang, people: forms::grid::BySex) -> String {
    let t = texts(lang);
    format!("{} {} · {} {}", t.male, people.male, t.female, people.female)
}

pub fn annual_button(lang: Lang, year: i32) -> String {
    match lang {
        Lang::Vi => format!("Tải báo cáo năm {year} (Excel)"),
        Lang::En => format!("Download the {year} annual report (Excel)"),
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
