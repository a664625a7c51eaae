//! Text in both working languages. Vietnamese is the default everywhere.

use serde::{Deserialize, Serialize};

/// A language the UI and messages are available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

/// A text given in Vietnamese and English. Definitions must give both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub vi: String,
    pub en: String,
}

impl Localized {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self { vi: vi.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    pub(crate) fn is_complete(&self) -> bool {
        !self.vi.trim().is_empty() && !self.en.trim().is_empty()
    }
}

/// Lower case for Vietnamese and English text: ASCII and every letter of the Vietnamese
/// alphabet with its tone marks; other characters are kept. `str::to_lowercase` would do
/// it for all of Unicode with ~15 KB of tables every phone would download.
pub fn lowercase(text: &str) -> String {
    text.chars().map(lower_char).collect()
}

fn lower_char(c: char) -> char {
    let lower = match c as u32 {
        // A–Z and Latin-1 capitals À–Þ (except ×).
        u @ (0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE) => u + 0x20,
        // Ă Đ Ĩ Ũ: capital on the even code point, small right after.
        u @ (0x102 | 0x110 | 0x128 | 0x168) => u + 1,
        0x1A0 => 0x1A1, // Ơ
        0x1AF => 0x1B0, // Ư
        // Latin Extended Additional: Ạ … Ỹ alternate capital, small.
        u @ 0x1EA0..=0x1EF9 if u % 2 == 0 => u + 1,
        u => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn vietnamese_letters_lower_as_unicode_says() {
        let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯ ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ";
        assert_eq!(super::lowercase(upper), upper.to_lowercase());
        let mixed = "Dân tộc Ê Đê, H'Mông — Số NGƯỜI × 2 ĐỘ TUỔI";
        assert_eq!(super::lowercase(mixed), mixed.to_lowercase());
    }
}
