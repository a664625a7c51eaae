//! Photo and GPS questions, and the photos waiting to be sent (issue 16).

use forms::Lang;

pub struct EvidenceTexts {
    pub take: &'static str,
    pub pick: &'static str,
    pub working: &'static str,
    pub remove: &'static str,
    pub not_an_image: &'static str,
    pub full: &'static str,
    pub failed: &'static str,
    /// A photo the record names that this phone does not hold: made on another phone, or
    /// sent long enough ago that the phone let it go (the server keeps it).
    pub elsewhere: &'static str,
    pub locate: &'static str,
    pub relocate: &'static str,
    pub locating: &'static str,
    pub skip: &'static str,
    pub denied: &'static str,
    pub unavailable: &'static str,
    pub no_position: &'static str,
    /// The badge of a record whose photos have not all reached the server.
    pub unsent: &'static str,
}

pub const VI: EvidenceTexts = EvidenceTexts {
    take: "Chụp ảnh",
    pick: "Chọn ảnh có sẵn",
    working: "Đang thu nhỏ ảnh…",
    remove: "Bỏ ảnh",
    not_an_image: "Tệp này không phải ảnh. Hãy chụp lại hoặc chọn một ảnh khác.",
    full: "Bộ nhớ điện thoại đã đầy nên ảnh chưa được lưu. Phiếu vẫn được giữ nguyên. Hãy xoá bớt ảnh hoặc ứng dụng khác rồi chụp lại.",
    failed: "Không lưu được ảnh. Phiếu vẫn được giữ nguyên; hãy thử lại.",
    elsewhere: "Ảnh không lưu trên máy này",
    locate: "Lấy vị trí",
    relocate: "Lấy lại vị trí",
    locating: "Đang tìm vị trí… (ra chỗ thoáng sẽ nhanh hơn)",
    skip: "Bỏ qua",
    denied: "Ứng dụng chưa được phép dùng vị trí. Hãy cho phép trong cài đặt trình duyệt, hoặc bỏ qua.",
    unavailable: "Chưa lấy được vị trí (GPS tắt, hoặc ở trong nhà). Hãy thử lại ở chỗ thoáng, hoặc bỏ qua.",
    no_position: "Chưa có vị trí",
    unsent: "Ảnh chưa gửi",
};

pub const EN: EvidenceTexts = EvidenceTexts {
    take: "Take a photo",
    pick: "Choose a photo",
    working: "Making the photo smaller…",
    remove: "Remove photo",
    not_an_image: "This file is not a picture. Take the photo again or choose another one.",
    full: "The phone's storage is full, so the photo was not saved. The record is kept as it was. Delete some photos or apps, then take it again.",
    failed: "The photo could not be saved. The record is kept as it was; please try again.",
    elsewhere: "Photo not kept on this phone",
    locate: "Get position",
    relocate: "Get position again",
    locating: "Finding the position… (faster in the open)",
    skip: "Skip",
    denied: "The app may not use the position. Allow it in the browser's settings, or skip.",
    unavailable: "No position yet (GPS off, or indoors). Try again in the open, or skip.",
    no_position: "No position yet",
    unsent: "Photos not sent",
};

pub fn texts(lang: Lang) -> &'static EvidenceTexts {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// A photo answer where pictures cannot be shown (a comparison, the server's copy).
pub fn photo_count(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!("{n} ảnh"),
        Lang::En => format!("{n} photos"),
    }
}

/// The sync bar while photos go: `Đang gửi ảnh 3/12`.
pub fn photo_progress(lang: Lang, sent: usize, total: usize) -> String {
    match lang {
        Lang::Vi => format!("Đang gửi ảnh {sent}/{total}"),
        Lang::En => format!("Sending photo {sent} of {total}"),
    }
}

/// The sync bar, home screen: photos not yet on the server.
pub fn unsent_n(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!("{n} ảnh chưa gửi"),
        Lang::En => format!("{n} photos not sent"),
    }
}
