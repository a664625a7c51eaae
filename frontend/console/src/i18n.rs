//! Every string the console shows, in Vietnamese (first) and English. Plain, direct
//! Vietnamese: what happened and what to do next.

use forms::Lang;

use crate::api::ApiError;
use crate::dates::Kind;

pub mod form_screen;
pub mod reference_screen;

macro_rules! texts {
    ($($name:ident: $vi:expr, $en:expr;)*) => {
        pub struct Texts { $(pub $name: &'static str,)* }
        static VI: Texts = Texts { $($name: $vi,)* };
        static EN: Texts = Texts { $($name: $en,)* };
    };
}

texts! {
    app_name: "Bảng điều hành tỉnh", "Province console";
    page_title: "Sổ tay Bình đẳng giới — Bảng điều hành tỉnh", "Gender equality notebook — Province console";
    skip_to_content: "Bỏ qua, tới nội dung", "Skip to content";
    menu: "Chức năng", "Sections";
    loading: "Đang tải…", "Loading…";
    retry: "Thử lại", "Try again";
    sign_in_title: "Đăng nhập bảng điều hành", "Sign in to the console";
    sign_in_intro: "Dùng tài khoản quản trị hoặc giám sát của Sở Nội vụ.", "Use your Department of Home Affairs admin or supervisor account.";
    username: "Tên đăng nhập", "User name";
    password: "Mật khẩu", "Password";
    sign_in: "Đăng nhập", "Sign in";
    signing_in: "Đang đăng nhập…", "Signing in…";
    sign_out: "Đăng xuất", "Sign out";
    session_expired: "Phiên làm việc đã hết hạn. Hãy đăng nhập lại.", "Your session has ended. Please sign in again.";
    open_pwa: "Mở ứng dụng Sổ tay", "Open the notebook app";
    users: "Người dùng", "Users";
    enrolment: "Đăng ký điện thoại", "Enrolment";
    phones: "Điện thoại", "Phones";
    reporting: "Tình hình báo cáo", "Who has reported";
    records: "Phiếu", "Records";
    all: "Tất cả", "All";
    role: "Vai trò", "Role";
    role_admin: "Quản trị", "Admin";
    role_supervisor: "Giám sát", "Supervisor";
    role_collector: "Cán bộ thu thập", "Collector";
    status: "Trạng thái", "Status";
    active: "Đang hoạt động", "Active";
    disabled: "Đã vô hiệu hoá", "Disabled";
    commune: "Xã/phường", "Commune";
    communes: "Xã/phường phụ trách", "Communes";
    whole_province: "Toàn tỉnh", "Whole province";
    search: "Tìm", "Search";
    search_users_hint: "Tên đăng nhập hoặc họ tên", "User name or full name";
    filter: "Lọc", "Filter";
    display_name: "Họ và tên", "Full name";
    last_seen: "Lần dùng gần nhất", "Last seen";
    actions: "Thao tác", "Actions";
    new_user: "Tạo người dùng", "New user";
    edit_user: "Sửa người dùng", "Edit user";
    edit: "Sửa", "Edit";
    disable: "Vô hiệu hoá", "Disable";
    enable: "Kích hoạt lại", "Enable";
    reset_password: "Đặt lại mật khẩu", "Reset password";
    password_once: "Mật khẩu này chỉ hiện một lần. Hãy ghi lại và trao tận tay người dùng; mọi điện thoại của họ đã bị đăng xuất.", "This password is shown once only. Write it down and hand it over in person; all their phones have been signed out.";
    done: "Đã ghi lại", "Done";
    users_empty: "Không có người dùng nào khớp bộ lọc. Hãy bỏ bớt bộ lọc, hoặc bấm “Tạo người dùng”.", "No user matches these filters. Remove a filter, or press “New user”.";
    user_not_found: "Không tìm thấy người dùng này (có thể ngoài phạm vi bạn quản lý).", "This user was not found (it may be outside your scope).";
    back_to_users: "Về danh sách người dùng", "Back to users";
    username_hint: "3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang. Không đổi được sau này.", "3–64 characters: lower-case letters, digits, dot, underscore, hyphen. Cannot be changed later.";
    supervisor_makes_collectors: "Giám sát viên chỉ tạo được cán bộ thu thập trong các xã mình phụ trách.", "Supervisors can only create collectors within their own communes.";
    password_optional: "Mật khẩu (không bắt buộc)", "Password (optional)";
    password_hint: "Để trống nếu người dùng sẽ đăng ký điện thoại bằng liên kết hoặc mã QR.", "Leave empty if the user will enrol their phone with a link or QR code.";
    admin_whole_province: "Quản trị viên làm việc trên toàn tỉnh.", "Admins work across the whole province.";
    agency_in_charge: "Cơ quan phụ trách", "Agency in charge";
    no_agency: "Không phụ trách cơ quan nào", "None";
    agency_hint: "Giám sát viên phụ trách một cơ quan được chốt số liệu các hoạt động do cơ quan đó tổ chức, trên toàn tỉnh.", "A supervisor in charge of an agency signs off the activities that agency organised, across the province.";
    tester: "Thử biểu mẫu mới (nhận bản thử trên điện thoại)", "Tests new forms (gets drafts on their phone)";
    tester_hint: "Phiếu làm bằng bản thử chỉ để kiểm tra, không tính vào báo cáo. Quản trị viên luôn nhận bản thử.", "Records made with a draft are for checking it only and never count in reports. Admins always get drafts.";
    need_name: "Hãy nhập tên đăng nhập và họ tên.", "Enter a user name and a full name.";
    need_commune: "Hãy chọn ít nhất một xã/phường (hoặc “Toàn tỉnh” cho giám sát viên).", "Choose at least one commune (or “Whole province” for a supervisor).";
    save: "Lưu", "Save";
    create: "Tạo", "Create";
    cancel: "Huỷ", "Cancel";
    commune_search_hint: "Gõ tên xã, kể cả tên cũ trước 2025", "Type a commune name, pre-2025 names too";
    formerly: "gồm", "includes";
    no_commune_match: "Không có xã nào khớp. Thử gõ ít chữ hơn.", "No commune matches. Try fewer letters.";
    enrolment_intro: "Cấp liên kết dùng một lần để cán bộ đăng ký điện thoại mà không cần gõ mật khẩu. In phiếu, cắt rời và trao tận tay.", "Issue single-use links so officers can enrol a phone without typing a password. Print the sheet, cut it apart and hand it over.";
    valid_for: "Hiệu lực", "Valid for";
    link_for_user: "Cho một người", "For one person";
    links_for_commune: "Cho mọi cán bộ của một xã", "For every collector of a commune";
    collector: "Cán bộ thu thập", "Collector";
    find_collector: "Tìm cán bộ", "Find a collector";
    more_collectors: "Còn nhiều người nữa: gõ tên để tìm.", "There are more: type a name to find them.";
    choose: "— Chọn —", "— Choose —";
    issue_link: "Cấp liên kết", "Issue link";
    issue_links: "Cấp liên kết cho cả xã", "Issue links for the commune";
    print_sheet: "In phiếu (A4)", "Print sheet (A4)";
    sheet_title: "Phiếu đăng ký điện thoại", "Phone enrolment sheet";
    expires: "Hết hạn", "Expires";
    issued_at: "Ngày cấp", "Issued";
    slip_how: "Mở camera điện thoại, quét mã QR rồi làm theo hướng dẫn. Mã chỉ dùng được một lần.", "Open the phone's camera, scan the QR code and follow the steps. The code works once only.";
    no_collectors_in_commune: "Xã này chưa có cán bộ thu thập nào đang hoạt động. Hãy tạo tài khoản trước, rồi cấp liên kết.", "This commune has no active collector yet. Create the accounts first, then issue links.";
    unused_codes: "Mã chưa dùng", "Unused codes";
    unused_empty: "Không có mã nào đang chờ dùng.", "No code is waiting to be used.";
    user: "Người dùng", "User";
    revoke: "Thu hồi", "Revoke";
    silent_over: "Báo im lặng sau (ngày)", "Flag silent after (days)";
    device: "Máy, phiên bản", "Device, version";
    first_seen: "Đồng bộ lần đầu", "First sync";
    signed_in_on: "đăng nhập", "signed in";
    last_push: "Gửi gần nhất", "Last push";
    last_pull: "Nhận gần nhất", "Last pull";
    pending: "Chờ gửi", "Pending";
    refused: "Bị từ chối", "Refused";
    not_reported: "chưa báo", "not reported";
    in_touch: "Liên lạc tốt", "In touch";
    signed_out_badge: "Đã đăng xuất", "Signed out";
    sign_out_device: "Đăng xuất máy này", "Sign this phone out";
    phones_empty: "Chưa có điện thoại nào đăng nhập. Cấp liên kết ở mục “Đăng ký điện thoại”.", "No phone has signed in yet. Issue links under “Enrolment”.";
    period: "Kỳ", "Period";
    month: "Tháng", "Month";
    quarter: "Quý", "Quarter";
    year: "Năm", "Year";
    download_xlsx: "Tải về Excel (XLSX)", "Download Excel (XLSX)";
    downloading: "Đang tải về…", "Downloading…";
    activities: "Hoạt động", "Activities";
    participants: "Người tham gia", "Participants";
    women_share: "Tỷ lệ nữ", "Women";
    last_record: "Phiếu gần nhất", "Last record";
    last_sync: "Đồng bộ gần nhất", "Last sync";
    nothing_reported: "Chưa có hoạt động", "Nothing reported";
    reporting_empty: "Không có xã nào trong phạm vi của bạn.", "No commune is within your scope.";
    form: "Biểu mẫu", "Form";
    from_date: "Từ ngày", "From";
    to_date: "Đến ngày", "To";
    author: "Người nhập", "Author";
    text_search: "Có chữ", "Text";
    sort: "Sắp xếp", "Sort";
    newest_first: "Mới nhất trước", "Newest first";
    oldest_first: "Cũ nhất trước", "Oldest first";
    bad_date: "Ngày phải có dạng dd/mm/yyyy, ví dụ 20/11/2026.", "Dates are dd/mm/yyyy, e.g. 20/11/2026.";
    activity_date: "Ngày hoạt động", "Activity date";
    updated: "Cập nhật", "Updated";
    status_deleted: "Đã xoá", "Deleted";
    records_empty: "Không có phiếu nào khớp. Hãy bỏ bớt bộ lọc hoặc mở rộng khoảng ngày.", "No record matches. Remove a filter or widen the dates.";
    open_conflict: "Xem xung đột", "Open conflict";
    sent_by: "gửi bởi", "sent by";
    pages: "Trang", "Pages";
    page: "Trang", "Page";
    prev_page: "Trang trước", "Previous page";
    next_page: "Trang sau", "Next page";
    back_to_records: "← Về danh sách phiếu", "← Back to records";
    revision: "Lần sửa", "Revision";
    history: "Lịch sử sửa phiếu", "History";
    review: "Duyệt phiếu", "Review";
    review_submitted: "Đã nộp, chờ duyệt", "Submitted";
    review_needs_changes: "Cần sửa", "Needs changes";
    review_approved: "Đã duyệt", "Approved";
    review_approve: "Duyệt phiếu này", "Approve";
    review_return: "Trả lại để sửa…", "Return for changes…";
    review_reopen: "Mở lại phiếu", "Reopen";
    review_comment: "Cần sửa gì (cán bộ sẽ thấy trên điện thoại)", "What needs changing (the officer sees it on the phone)";
    review_fields: "Câu hỏi cần sửa", "Questions to fix";
    review_fields_pick: "Câu hỏi cần sửa (không bắt buộc)", "Questions to fix (optional)";
    review_send_return: "Trả lại cho cán bộ", "Return to the officer";
    review_comment_needed: "Hãy ghi rõ cần sửa gì trước khi trả lại.", "Say what needs changing before returning it.";
    review_confirm_reopen: "Mở lại phiếu đã duyệt? Cán bộ sẽ sửa được phiếu, và việc mở lại được ghi vào nhật ký.", "Reopen this approved record? Its officer can edit it again, and the reopening is logged.";
    history_empty: "Chưa có lịch sử cho phiếu này.", "No history for this record yet.";
    history_created: "tạo phiếu", "created";
    history_deleted: "đã xoá phiếu", "deleted";
    history_no_answer_change: "Không đổi câu trả lời nào (chỉ đổi trạng thái hoặc nơi).", "No answer changed (only the status or place).";
    sender_unknown: "(trước khi có lịch sử)", "(before history was kept)";
    from_device: "máy", "device";
    before: "Trước", "Before";
    after: "Sau", "After";
    answers: "Nội dung phiếu", "Answers";
    no_definition: "Máy chủ chưa gửi biểu mẫu của phiếu này; tải lại trang.", "The form of this record is not loaded; reload the page.";
    no_answer: "(không trả lời)", "(no answer)";
    yes: "Có", "Yes";
    no: "Không", "No";
    total: "Tổng", "Total";
    female: "Nữ", "Women";
    male: "Nam", "Men";
    group: "Nhóm", "Group";
    conflict_title: "Hai bản khác nhau của phiếu này", "Two versions of this record";
    field: "Câu hỏi", "Question";
    current_version: "Bản trên máy chủ", "Server's version";
    incoming_version: "Bản gửi đến sau", "Version sent later";
    keep_current: "Giữ bản trên máy chủ", "Keep the server's version";
    keep_incoming: "Giữ bản gửi đến sau", "Keep the later version";
    kept: "Đã giữ bản đã chọn. Điện thoại sẽ nhận bản này ở lần đồng bộ tới.", "The chosen version is kept. Phones get it at their next sync.";
    no_difference: "Hai bản có cùng câu trả lời.", "Both versions have the same answers.";
    audit: "Nhật ký", "Audit log";
    audit_intro: "Mọi thao tác quản trị: ai làm, lúc nào, từ địa chỉ nào, thay đổi gì. Nhật ký chỉ được ghi thêm, không ai sửa hay xoá được.", "Every administrative action: who, when, from which address, what changed. The log is append-only: no one can edit or delete it.";
    audit_empty: "Không có thao tác nào khớp bộ lọc.", "No action matches these filters.";
    at_time: "Thời gian", "Time";
    by_whom: "Người thực hiện", "By";
    address: "Địa chỉ", "Address";
    action: "Thao tác", "Action";
    target: "Đối tượng", "Target";
    change: "Thay đổi", "Change";
    command_line: "Dòng lệnh máy chủ", "Server command line";
    download_csv: "Tải về CSV", "Download CSV";
    key_disabled: "Khoá", "Disabled";
    key_sessions: "Phiên bị đăng xuất", "Sessions ended";
    key_enrollment: "Mã liên kết", "Link id";
    key_form: "Biểu mẫu", "Form";
    key_version: "Phiên bản", "Version";
    key_title: "Tên biểu mẫu", "Title";
    key_questions: "Số câu hỏi", "Questions";
    key_test_records_deleted: "Phiếu thử đã xóa", "Test records deleted";
    key_withdrawn: "Ngừng dùng", "Withdrawn";
    key_tester: "Thử biểu mẫu mới", "Tests new forms";
    key_file: "Tệp danh mục", "List file";
    key_lines: "Số dòng", "Lines";
    sign_off: "Chốt số liệu", "Sign-off";
    sign_off_intro: "Chốt số liệu của một xã (hoặc cơ quan) cho một kỳ: từ đó điện thoại không sửa được phiếu có ngày hoạt động trong kỳ, số liệu tổng hợp không còn thay đổi. Cần sửa thì mở lại, ghi rõ lý do.", "Sign a commune (or agency) off for a period: phones can then no longer change records dated inside it, so the consolidated figures stop moving. To change something, reopen it with a reason.";
    period_reporting_year: "Năm báo cáo (01/01–30/11)", "Reporting year (01/01–30/11)";
    period_action_month: "Tháng hành động (15/11–15/12)", "Action Month (15/11–15/12)";
    standing: "Tình trạng", "Standing";
    standing_nothing: "Chưa có số liệu", "Nothing yet";
    standing_in_progress: "Đang thực hiện", "In progress";
    standing_needs_changes: "Có phiếu cần sửa", "Records need changes";
    standing_signed_off: "Đã chốt", "Signed off";
    awaiting_review: "Chờ duyệt", "Awaiting review";
    signed_off_by: "Người chốt, lúc", "Signed off by";
    do_sign_off: "Chốt số liệu", "Sign off";
    do_reopen: "Mở lại", "Reopen";
    reopen_reason: "Lý do mở lại (bắt buộc, ghi vào nhật ký)", "Reason for reopening (required, kept in the audit log)";
    reopen_reason_needed: "Hãy ghi lý do mở lại.", "Give the reason for reopening.";
    by_commune: "Theo xã/phường", "By commune";
    by_agency: "Theo cơ quan, tổ chức", "By agency";
    agency: "Cơ quan", "Agency";
    agencies_note: "Với cơ quan, số phiếu chỉ gồm các phiếu đã được duyệt hoặc trả lại ít nhất một lần (số liệu theo cơ quan chưa được tổng hợp riêng). “Chưa có số liệu” có thể chỉ là chưa có phiếu nào được duyệt.", "For agencies, records counts only those approved or returned at least once (figures are not yet kept by agency). “Nothing yet” may only mean no record was reviewed.";
    reopened_title: "Đã mở lại trong kỳ", "Reopened in this period";
    reopened_empty: "Chưa có lần chốt nào bị mở lại trong kỳ này.", "No sign-off of this period has been reopened.";
    not_yours: "Không thuộc quyền của bạn", "Not within your rights";
}

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

pub const NOT_PERMITTED_TITLE_VI: &str = "Tài khoản này không dùng được bảng điều hành";
pub const NOT_PERMITTED_VI: &str = "Bảng điều hành chỉ dành cho quản trị viên và giám sát viên của Sở Nội vụ. \
    Cán bộ thu thập ghi phiếu bằng ứng dụng Sổ tay trên điện thoại. Nếu bạn cần quyền này, hãy liên hệ quản trị viên của tỉnh.";
pub const NOT_PERMITTED_TITLE_EN: &str = "This account cannot use the console";
pub const NOT_PERMITTED_EN: &str = "The console is for admins and supervisors of the Department of Home Affairs. \
    Collectors record activities with the notebook app on their phone. If you need access, ask the province's admin.";

fn pick(lang: Lang, vi: String, en: String) -> String {
    if lang == Lang::En {
        en
    } else {
        vi
    }
}

/// What an error means for the person at the desk, and what to do.
pub fn error_text(lang: Lang, e: &ApiError) -> String {
    match e {
        ApiError::Offline => pick(
            lang,
            "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.".into(),
            "The server cannot be reached. Check the network and try again.".into(),
        ),
        ApiError::Unauthorized => texts(lang).session_expired.to_owned(),
        ApiError::BadCredentials => {
            pick(lang, "Sai tên đăng nhập hoặc mật khẩu.".into(), "Wrong user name or password.".into())
        }
        ApiError::TooManyAttempts => pick(
            lang,
            "Đăng nhập sai quá nhiều lần. Hãy đợi vài phút rồi thử lại.".into(),
            "Too many attempts. Wait a few minutes and try again.".into(),
        ),
        ApiError::Forbidden => {
            pick(lang, "Tài khoản của bạn không có quyền làm việc này.".into(), "Your account may not do this.".into())
        }
        ApiError::NotFound => pick(
            lang,
            "Máy chủ chưa có chức năng này hoặc mục này không còn nữa.".into(),
            "The server does not offer this yet, or the item is gone.".into(),
        ),
        ApiError::Rejected { message, .. } => message.get(lang).to_owned(),
        ApiError::Server(status) => pick(
            lang,
            format!("Máy chủ gặp lỗi ({status}). Thử lại sau ít phút."),
            format!("The server failed ({status}). Try again in a few minutes."),
        ),
        ApiError::Decode(_) => pick(
            lang,
            "Máy chủ trả lời không như mong đợi. Hãy tải lại trang.".into(),
            "The server's answer was unexpected. Reload the page.".into(),
        ),
    }
}

pub fn confirm_disable(lang: Lang, user: &str) -> String {
    pick(lang, format!("Vô hiệu hoá tài khoản {user}? Mọi điện thoại của người này sẽ bị đăng xuất; phiếu chưa gửi vẫn nằm trên máy và được gửi khi tài khoản được kích hoạt lại."),
        format!("Disable {user}? Every phone of theirs is signed out; unsent records stay on the phone and are sent once the account is enabled again."))
}

pub fn confirm_enable(lang: Lang, user: &str) -> String {
    pick(lang, format!("Kích hoạt lại tài khoản {user}?"), format!("Enable {user} again?"))
}

pub fn confirm_reset(lang: Lang, user: &str) -> String {
    pick(lang, format!("Đặt lại mật khẩu của {user}? Mật khẩu cũ hết hiệu lực và mọi điện thoại của người này bị đăng xuất (phiếu chưa gửi vẫn giữ trên máy)."),
        format!("Reset {user}'s password? The old one stops working and all their phones are signed out (unsent records stay on the phone)."))
}

pub fn new_password_for(lang: Lang, user: &str) -> String {
    pick(lang, format!("Mật khẩu mới của {user}:"), format!("New password for {user}:"))
}

pub fn user_created(lang: Lang, user: &str) -> String {
    pick(
        lang,
        format!("Đã tạo tài khoản {user}. Cấp liên kết đăng ký ở mục “Đăng ký điện thoại”."),
        format!("Created {user}. Issue an enrolment link under “Enrolment”."),
    )
}

pub fn user_saved(lang: Lang, user: &str) -> String {
    pick(lang, format!("Đã lưu thay đổi của {user}."), format!("Saved {user}."))
}

pub fn n_users(lang: Lang, n: u64) -> String {
    pick(lang, format!("{n} người dùng"), format!("{n} users"))
}

pub fn remove_named(lang: Lang, name: &str) -> String {
    pick(lang, format!("Bỏ {name}"), format!("Remove {name}"))
}

pub fn more_matches(lang: Lang, n: usize) -> String {
    pick(lang, format!("… và {n} xã khác: gõ thêm để thu hẹp",), format!("… and {n} more: type more to narrow"))
}

pub fn n_days(lang: Lang, n: u32) -> String {
    pick(lang, format!("{n} ngày"), if n == 1 { "1 day".into() } else { format!("{n} days") })
}

pub fn n_issued(lang: Lang, n: usize) -> String {
    pick(lang, format!("Đã cấp {n} liên kết"), format!("{n} links issued"))
}

pub fn confirm_revoke(lang: Lang, user: &str) -> String {
    pick(
        lang,
        format!("Thu hồi mã đăng ký của {user}? Phiếu in ra có mã này sẽ không dùng được nữa."),
        format!("Revoke {user}'s enrolment code? A printed sheet with it will no longer work."),
    )
}

pub fn confirm_device_sign_out(lang: Lang, user: &str) -> String {
    pick(
        lang,
        format!(
            "Đăng xuất điện thoại này của {user}? Điện thoại vẫn giữ các phiếu chưa gửi và sẽ yêu cầu đăng nhập lại."
        ),
        format!("Sign this phone of {user} out? The phone keeps its unsent records and will ask for sign-in."),
    )
}

pub fn device_signed_out(lang: Lang, user: &str) -> String {
    pick(lang, format!("Đã đăng xuất điện thoại của {user}."), format!("{user}'s phone is signed out."))
}

pub fn silent_days(lang: Lang, days: Option<i64>) -> String {
    match days {
        Some(d) => pick(lang, format!("Im lặng {d} ngày"), format!("Silent {d} days")),
        None => pick(lang, "Im lặng".into(), "Silent".into()),
    }
}

pub fn n_phones(lang: Lang, total: u64, stale: u64, days: u32) -> String {
    pick(
        lang,
        format!("{total} điện thoại; {stale} máy im lặng quá {days} ngày (đứng đầu danh sách)"),
        format!("{total} phones; {stale} silent for over {days} days (listed first)"),
    )
}

pub fn kind_label(lang: Lang, k: Kind) -> &'static str {
    let en = lang == Lang::En;
    match k {
        Kind::Month => {
            if en {
                "Month"
            } else {
                "Tháng"
            }
        }
        Kind::Quarter => {
            if en {
                "Quarter"
            } else {
                "Quý"
            }
        }
        Kind::ActionMonth => {
            if en {
                "Action Month (15/11–15/12)"
            } else {
                "Tháng hành động (15/11–15/12)"
            }
        }
        Kind::YearToDeadline => {
            if en {
                "Year up to 30/11"
            } else {
                "Năm (đến 30/11)"
            }
        }
    }
}

pub fn n_silent_communes(lang: Lang, silent: usize, all: usize) -> String {
    pick(
        lang,
        format!("{silent} trên {all} xã/phường chưa có hoạt động nào trong kỳ (đứng đầu danh sách)."),
        format!("{silent} of {all} communes have nothing in this period (listed first)."),
    )
}

pub fn status_label(lang: Lang, status: &str) -> &'static str {
    let en = lang == Lang::En;
    match status {
        "final" => {
            if en {
                "Finished"
            } else {
                "Hoàn thành"
            }
        }
        "draft" => {
            if en {
                "Draft"
            } else {
                "Nháp"
            }
        }
        _ => "—",
    }
}

pub fn n_records(lang: Lang, n: u64) -> String {
    pick(lang, format!("{n} phiếu"), format!("{n} records"))
}

pub fn n_conflicts(lang: Lang, n: u64) -> String {
    pick(
        lang,
        format!("{n} phiếu có hai bản khác nhau cần chọn"),
        format!("{n} records have two versions to choose from"),
    )
}

pub fn conflict_intro(lang: Lang, sender: &str, at: &str) -> String {
    pick(lang, format!("{sender} gửi một bản khác lúc {at}, trong khi máy chủ đã có bản mới hơn. Không bản nào bị mất: hãy chọn bản giữ lại."),
        format!("{sender} sent a different version at {at}, while the server already had a newer one. Neither is lost: choose the one to keep."))
}

/// Who reviewed, when, which revision.
pub fn review_by(lang: Lang, by: &str, at: &str, revision: u64) -> String {
    pick(lang, format!("{by} · {at} · lần sửa {revision}"), format!("{by} · {at} · revision {revision}"))
}

/// The message after an action applied.
pub fn review_done(lang: Lang, action: forms::review::ReviewAction) -> String {
    use forms::review::ReviewAction as A;
    let (vi, en) = match action {
        A::Return => (
            "Đã trả lại phiếu; cán bộ sẽ thấy khi điện thoại đồng bộ.",
            "Returned; the officer sees it when the phone syncs.",
        ),
        A::Approve => ("Đã duyệt phiếu.", "Approved."),
        A::Reopen => ("Đã mở lại phiếu.", "Reopened."),
    };
    pick(lang, vi.to_owned(), en.to_owned())
}

/// A version that lost to this revision and was kept.
pub fn lost_version(lang: Lang, sender: &str, at: &str, base: u64, resolved: bool) -> String {
    let (vi, en) =
        if resolved { ("đã giải quyết", "resolved") } else { ("chưa giải quyết", "not resolved yet") };
    pick(
        lang,
        format!("{sender} gửi lúc {at} một bản sửa từ lần sửa {base}; bản đó đến sau lần sửa này nên được giữ riêng ({vi})."),
        format!("{sender} sent at {at} an edit of revision {base}; it came after this revision and is kept apart ({en})."),
    )
}

pub fn confirm_keep(lang: Lang, incoming: bool) -> String {
    match (lang, incoming) {
        (Lang::En, false) => "Keep the server's version? The other stays in the history.".into(),
        (Lang::En, true) => "Keep the later version? It becomes the record's next revision.".into(),
        (_, false) => "Giữ bản trên máy chủ? Bản kia vẫn được lưu trong lịch sử.".into(),
        (_, true) => "Giữ bản gửi đến sau? Bản này sẽ thành phiên bản mới của phiếu.".into(),
    }
}

/// What a resolution's outcome (a push outcome) means when it did not apply; `None` when it did.
pub fn resolution_problem(lang: Lang, result: &serde_json::Value) -> Option<String> {
    match result["outcome"].as_str() {
        Some("applied") | None => None,
        Some("conflict") => Some(pick(
            lang,
            "Phiếu vừa được sửa thêm trong lúc bạn chọn. Hãy xem lại hai bản bên dưới rồi chọn lại.".into(),
            "The record changed again while you chose. Look at both versions below and choose again.".into(),
        )),
        Some(_) => {
            let key = if lang == Lang::En { "en" } else { "vi" };
            let reasons: Vec<String> = result["errors"]
                .as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|e| e["message"][key].as_str().map(str::to_owned))
                .collect();
            Some(pick(
                lang,
                format!("Máy chủ không nhận bản này: {}", reasons.join("; ")),
                format!("The server refused this version: {}", reasons.join("; ")),
            ))
        }
    }
}

/// The audit log's actions (`docs/console-api.md`): the API's name, Vietnamese, English.
const AUDIT_ACTIONS: [(&str, &str, &str); 20] = [
    ("user_created", "Tạo người dùng", "User created"),
    ("user_changed", "Sửa tên, vai trò, phạm vi", "Name, role or scope changed"),
    ("user_disabled", "Khoá tài khoản", "Account disabled"),
    ("user_enabled", "Mở khoá tài khoản", "Account enabled"),
    ("password_reset", "Đặt lại mật khẩu", "Password reset"),
    ("enrolment_issued", "Cấp liên kết đăng ký", "Enrolment link issued"),
    ("enrolment_used", "Dùng liên kết đăng ký", "Enrolment link used"),
    ("enrolment_revoked", "Thu hồi liên kết", "Enrolment link revoked"),
    ("device_signed_out", "Đăng xuất điện thoại", "Phone signed out"),
    ("record_returned", "Trả phiếu để sửa", "Record returned"),
    ("record_approved", "Duyệt phiếu", "Record approved"),
    ("record_reopened", "Mở lại phiếu", "Record reopened"),
    ("period_signed_off", "Chốt số liệu kỳ", "Period signed off"),
    ("period_reopened", "Mở lại kỳ", "Period reopened"),
    ("form_published", "Phát hành biểu mẫu", "Form published"),
    ("form_withdrawn", "Ngừng dùng biểu mẫu", "Form version withdrawn"),
    ("form_restored", "Dùng lại biểu mẫu", "Form version restored"),
    ("form_draft_uploaded", "Tải lên bản thử biểu mẫu", "Form draft uploaded"),
    ("form_draft_discarded", "Hủy bản thử biểu mẫu", "Form draft discarded"),
    ("reference_uploaded", "Tải lên danh mục", "Reference list uploaded"),
];

/// Every action's API name, in the order the filter lists them.
pub fn audit_actions() -> impl Iterator<Item = &'static str> {
    AUDIT_ACTIONS.iter().map(|a| a.0)
}

/// An action in words; an unknown one as the server named it.
pub fn audit_action(lang: Lang, name: &str) -> String {
    AUDIT_ACTIONS
        .iter()
        .find(|a| a.0 == name)
        .map_or_else(|| name.to_owned(), |a| if lang == Lang::En { a.2 } else { a.1 }.to_owned())
}

pub fn n_entries(lang: Lang, n: u64) -> String {
    pick(lang, format!("{n} thao tác"), format!("{n} actions"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_say_something() {
        assert_eq!(texts(Lang::Vi).next_page, "Trang sau");
        assert!(confirm_device_sign_out(Lang::En, "lan").contains("keeps its unsent records and will ask for sign-in"));
        assert!(error_text(Lang::Vi, &ApiError::Offline).starts_with("Không kết nối"));
    }
}
