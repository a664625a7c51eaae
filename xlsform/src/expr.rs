//! XLSForm expressions ↔ sotay expressions, token by token, keeping the spacing: `${name}`
//! is a field (`name`), `div` divides (`/`), `count-selected` and `string-length` are
//! `count_selected` and `len`, `true()` and `false()` are `true` and `false`. sotay's own
//! functions (`days_between`, `total`…) and `null` are written as they are. XPath that sotay
//! lacks — paths, predicates, `mod`, and every function not in its list — is refused with
//! its position, never guessed at.

use forms::expr::Func;

use crate::error::ErrorCode;
use crate::table::is_identifier;

/// An XLSForm expression in sotay's syntax, and the way back from a position in it.
#[derive(Debug, Clone)]
pub struct Translated {
    pub sotay: String,
    xlsform: String,
    /// Each piece written: its offset in `sotay`, its offset in `xlsform`, and whether it
    /// was copied as it is (so offsets inside it correspond).
    pieces: Vec<(usize, usize, bool)>,
}

/// Why an XLSForm expression cannot be translated; `at` is a 1-based character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub at: usize,
    pub code: ErrorCode,
    pub vi: String,
    pub en: String,
}

impl Translated {
    /// The 1-based character of the XLSForm text that a byte offset of the sotay text
    /// (where the form engine found a mistake) came from.
    pub fn xlsform_char(&self, sotay_offset: usize) -> usize {
        let byte = match self.pieces.iter().rev().find(|(s, _, _)| *s <= sotay_offset) {
            Some(&(s, x, true)) => x + (sotay_offset - s),
            Some(&(_, x, false)) => x,
            None => 0,
        };
        char_at(&self.xlsform, byte)
    }
}

/// 1-based character number of a byte offset.
pub fn char_at(text: &str, byte: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < byte).count() + 1
}

struct Out {
    sotay: String,
    pieces: Vec<(usize, usize, bool)>,
}

impl Out {
    fn push(&mut self, text: &str, from: usize, copied: bool) {
        self.pieces.push((self.sotay.len(), from, copied));
        self.sotay.push_str(text);
    }
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// Reads an XPath name (letters, digits, `_`, `-`, `:`), as function names like
/// `count-selected` and `jr:choice-name` are.
fn name_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-' | b':')) {
        i += 1;
    }
    i
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Translates an XLSForm expression into sotay's syntax.
pub fn from_xlsform(text: &str) -> Result<Translated, Fault> {
    let bytes = text.as_bytes();
    let fault = |at: usize, code, vi: String, en: String| Fault { at: char_at(text, at), code, vi, en };
    let unsupported = |at: usize, what_vi: &str, what_en: &str| {
        fault(
            at,
            ErrorCode::UnsupportedExpression,
            format!("Biểu thức của sotay không có {what_vi}."),
            format!("sotay's expressions have no {what_en}."),
        )
    };
    let mut out = Out { sotay: String::with_capacity(text.len()), pieces: Vec::new() };
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                out.push(&text[start..i], start, true);
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let Some(close) = text[i + 2..].find('}') else {
                    return Err(fault(
                        start,
                        ErrorCode::Expression,
                        "“${” không có “}” đóng lại.".into(),
                        "“${” is not closed by “}”.".into(),
                    ));
                };
                let name = &text[i + 2..i + 2 + close];
                if !is_identifier(name) {
                    return Err(fault(
                        start,
                        ErrorCode::Expression,
                        format!("“${{{name}}}”: tên câu hỏi của sotay chỉ gồm chữ thường, số và _, bắt đầu bằng chữ."),
                        format!("“${{{name}}}”: sotay question names are lower-case letters, digits and _, starting with a letter."),
                    ));
                }
                i += close + 3;
                out.push(name, start, false);
            }
            b'\'' | b'"' => {
                let Some(close) = text[i + 1..].find(c as char) else {
                    return Err(fault(
                        start,
                        ErrorCode::Expression,
                        "Chuỗi văn bản không có dấu nháy đóng lại.".into(),
                        "The text is not closed by a matching quote.".into(),
                    ));
                };
                i += close + 2;
                out.push(&text[start..i], start, true);
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                out.push(&text[start..i], start, true);
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                out.push(&text[start..i], start, true);
            }
            b'.' if bytes.get(i + 1) == Some(&b'.') => {
                return Err(unsupported(start, "“..” (nút cha của XPath)", "“..” (XPath's parent)"));
            }
            b'.' | b'(' | b')' | b',' | b'+' | b'-' | b'*' | b'=' | b'<' | b'>' => {
                i += 1;
                out.push(&text[start..i], start, true);
            }
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                out.push("!=", start, true);
            }
            b'/' => {
                return Err(unsupported(
                    start,
                    "đường dẫn XPath; chia viết là div, câu hỏi viết là ${tên}",
                    "XPath paths; write div to divide and ${name} for a question",
                ));
            }
            c if is_name_start(c) => {
                i = name_end(bytes, start);
                let word = &text[start..i];
                let after = skip_spaces(bytes, i);
                let call = bytes.get(after) == Some(&b'(');
                match (word, call) {
                    ("and" | "or" | "not", _) | ("true" | "false" | "null", false) => out.push(word, start, true),
                    ("div", false) => out.push("/", start, false),
                    ("mod", false) => return Err(unsupported(start, "phép chia lấy dư (mod)", "remainder (mod)")),
                    ("true" | "false", true) => {
                        let close = skip_spaces(bytes, after + 1);
                        if bytes.get(close) != Some(&b')') {
                            return Err(fault(
                                start,
                                ErrorCode::Expression,
                                format!("{word}() không nhận giá trị nào."),
                                format!("{word}() takes nothing."),
                            ));
                        }
                        i = close + 1;
                        out.push(word, start, false);
                    }
                    ("count-selected", true) => out.push("count_selected", start, false),
                    ("string-length", true) => out.push("len", start, false),
                    (word, true) if Func::from_name(word).is_some() => out.push(word, start, true),
                    (word, true) => {
                        return Err(fault(
                            start,
                            ErrorCode::UnsupportedFunction,
                            format!("Biểu thức của sotay không có hàm {word}()."),
                            format!("sotay's expressions have no function {word}()."),
                        ))
                    }
                    (word, false) => {
                        return Err(fault(
                            start,
                            ErrorCode::UnsupportedExpression,
                            format!("“{word}”: câu hỏi viết là ${{{word}}}; sotay không có đường dẫn XPath."),
                            format!("“{word}”: write a question as ${{{word}}}; sotay has no XPath paths."),
                        ))
                    }
                }
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(fault(
                    start,
                    ErrorCode::UnsupportedExpression,
                    format!("Biểu thức của sotay không có “{ch}”."),
                    format!("sotay's expressions have no “{ch}”."),
                ));
            }
        }
    }
    Ok(Translated { sotay: out.sotay, xlsform: text.to_owned(), pieces: out.pieces })
}

/// Writes a sotay expression the XLSForm way: the inverse of [`from_xlsform`], so a
/// definition exported and imported again has the same expressions, character for character
/// (but for a `/` written without spaces, which comes back with them).
pub fn to_xlsform(sotay: &str) -> String {
    let bytes = sotay.as_bytes();
    let mut out = String::with_capacity(sotay.len() + 16);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b'\'' | b'"' => {
                i = sotay[i + 1..].find(c as char).map_or(bytes.len(), |close| i + close + 2);
                out.push_str(&sotay[start..i]);
            }
            b'/' => {
                if !out.ends_with(|c: char| c.is_whitespace()) {
                    out.push(' ');
                }
                out.push_str("div");
                i += 1;
                if bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                    out.push(' ');
                }
            }
            c if is_name_start(c) => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &sotay[start..i];
                let call = bytes.get(skip_spaces(bytes, i)) == Some(&b'(');
                match (word, call) {
                    ("count_selected", true) => out.push_str("count-selected"),
                    ("len", true) => out.push_str("string-length"),
                    (_, true) | ("and" | "or" | "not" | "null", false) => out.push_str(word),
                    ("true" | "false", false) => {
                        out.push_str(word);
                        out.push_str("()");
                    }
                    (name, false) => {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                }
            }
            _ => {
                let ch = sotay[i..].chars().next().unwrap_or(' ');
                i += ch.len_utf8().max(1);
                out.push(ch);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsform_becomes_sotay_and_back() {
        let cases = [
            ("${a} > 3 and selected(${b}, 'x')", "a > 3 and selected(b, 'x')"),
            ("count-selected(${topics}) >= 1", "count_selected(topics) >= 1"),
            ("string-length(.) <= 20", "len(.) <= 20"),
            ("not(${x}) or true()", "not(x) or true"),
            ("not selected(${t}, 'b') or . > 0", "not selected(t, 'b') or . > 0"),
            ("${a} div 2 != null", "a / 2 != null"),
            (". >= ${start_date}", ". >= start_date"),
            ("days_between(${a}, ${b}) + 1", "days_between(a, b) + 1"),
            ("total_sex(., 'female') <= total(.)", "total_sex(., 'female') <= total(.)"),
            ("if(${a} = 'x', 1.5, .5)", "if(a = 'x', 1.5, .5)"),
            ("${a}=date('2025-11-15')", "a=date('2025-11-15')"),
        ];
        for (xls, sotay) in cases {
            assert_eq!(from_xlsform(xls).unwrap().sotay, sotay, "{xls}");
            assert_eq!(to_xlsform(sotay), xls, "{sotay}");
        }
    }

    #[test]
    fn what_sotay_lacks_is_refused_where_it_is() {
        let cases = [
            ("regex(., '[0-9]+')", 1, ErrorCode::UnsupportedFunction),
            ("${a} + concat('x', 'y')", 8, ErrorCode::UnsupportedFunction),
            ("today() > ${d}", 1, ErrorCode::UnsupportedFunction),
            ("/data/a > 1", 1, ErrorCode::UnsupportedExpression),
            ("${a} mod 2 = 0", 6, ErrorCode::UnsupportedExpression),
            ("age > 3", 1, ErrorCode::UnsupportedExpression),
            ("${a} | ${b}", 6, ErrorCode::UnsupportedExpression),
            ("..", 1, ErrorCode::UnsupportedExpression),
            ("jr:choice-name(${a}, '${a}')", 1, ErrorCode::UnsupportedFunction),
            ("'Tiếng ' = ${bad-name}", 12, ErrorCode::Expression),
            ("${a = 1", 1, ErrorCode::Expression),
            ("'open", 1, ErrorCode::Expression),
            ("true(1)", 1, ErrorCode::Expression),
        ];
        for (xls, at, code) in cases {
            let fault = from_xlsform(xls).unwrap_err();
            assert_eq!((fault.at, fault.code), (at, code), "{xls}: {}", fault.en);
        }
    }

    #[test]
    fn positions_map_back_to_the_xlsform_text() {
        let t = from_xlsform("${năm} + 'Hà Nội' + ${b}").unwrap_err();
        assert_eq!(t.at, 1, "a name with a non-ASCII letter is refused at its start");
        let t = from_xlsform("'Hà Nội' + ${b} + x1").unwrap_err();
        assert_eq!(t.at, 19);
        let t = from_xlsform("${alpha} + ${b}").unwrap();
        // sotay: "alpha + b": the `+` (offset 6) is the XLSForm's character 10, `b` (8) its 12.
        assert_eq!(t.xlsform_char(6), 10);
        assert_eq!(t.xlsform_char(8), 12);
    }
}
