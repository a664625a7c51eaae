//! Query strings for the console's lists: empty filters left out, values percent-encoded.

/// `key=value&…` of the pairs whose value is not empty, in the order given.
pub fn build(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but the unreserved characters (RFC 3986), UTF-8 bytewise.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Folds Vietnamese diacritics and case, so "cam thanh" finds "Phường Cẩm Thành".
pub fn fold(text: &str) -> String {
    const GROUPS: [(&str, char); 6] = [
        ("àáạảãâầấậẩẫăằắặẳẵ", 'a'),
        ("èéẹẻẽêềếệểễ", 'e'),
        ("ìíịỉĩ", 'i'),
        ("òóọỏõôồốộổỗơờớợởỡ", 'o'),
        ("ùúụủũưừứựửữ", 'u'),
        ("ỳýỵỷỹ", 'y'),
    ];
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'đ' => 'd',
            '-' => ' ',
            c => GROUPS.iter().find(|(set, _)| set.contains(c)).map_or(c, |(_, base)| *base),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_filters_are_left_out() {
        let q = build(&[("role", "collector"), ("commune", ""), ("q", " Lan Anh "), ("page", "2")]);
        assert_eq!(q, "role=collector&q=Lan%20Anh&page=2");
        assert_eq!(build(&[("q", " ")]), "");
    }

    #[test]
    fn vietnamese_is_encoded_bytewise() {
        assert_eq!(encode("Cẩm & Thành"), "C%E1%BA%A9m%20%26%20Th%C3%A0nh");
        assert_eq!(encode("a.b_c-d~"), "a.b_c-d~");
    }

    #[test]
    fn folding_ignores_marks_and_case() {
        assert_eq!(fold("Phường Cẩm Thành"), "phuong cam thanh");
        assert_eq!(fold("ĐỨC PHỔ"), "duc pho");
    }
}
