//! Dates, times and instants as sotay writes and reads them, by hand.
//!
//! chrono keeps the calendar arithmetic; its `format`/`parse` machinery (strftime items, a
//! general parser) is left out because every phone would download it and sotay only ever
//! needs four fixed shapes: `yyyy-mm-dd` and `HH:MM` in answers, `dd/mm/yyyy` on screen and
//! RFC 3339 instants on the wire.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};

/// Vietnam's offset from UTC. The country keeps no daylight saving time.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("7 hours is a valid offset")
}

/// A date as stored in answers: `yyyy-mm-dd`.
pub fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Reads exactly `yyyy-mm-dd`, a real calendar day.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[0..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// A time of day as stored in answers: `HH:MM`.
pub fn format_time(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Reads exactly `HH:MM` (24-hour clock).
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    NaiveTime::from_hms_opt(digits(&b[0..2])?, digits(&b[3..5])?, 0)
}

/// A date as a Vietnamese reader expects it: `dd/mm/yyyy`.
pub fn format_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// Reads a date typed as `dd/mm/yyyy` (or `d/m/yyyy`).
pub fn parse_date_vi(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(y.as_bytes())? as i32, digits(m.as_bytes())?, digits(d.as_bytes())?)
}

/// An instant as a Vietnamese reader expects it: `dd/mm/yyyy HH:MM`, Asia/Ho_Chi_Minh.
pub fn format_instant(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&vietnam_offset());
    format!("{} {}", format_date(local.date_naive()), format_time(local.time()))
}

/// RFC 3339 in UTC with `Z`, with as many fraction digits as the instant needs (0, 3, 6 or
/// 9), as chrono writes it, so stored values read back equal.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    let (d, t) = (at.date_naive(), at.time());
    let nanos = t.nanosecond();
    let fraction = match nanos {
        0 => String::new(),
        n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => format!(".{:06}", n / 1_000),
        n => format!(".{n:09}"),
    };
    format!("{}T{:02}:{:02}:{:02}{fraction}Z", iso_date(d), t.hour(), t.minute(), t.second())
}

/// Reads an RFC 3339 instant: `yyyy-mm-ddTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, a space and
/// a lowercase `z` are accepted as RFC 3339 allows.
pub fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = parse_iso_date(&text[..10])?;
    let (h, m, s) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        nanos = digits(&rest[1..=n])? * 10u32.pow(9 - n as u32);
        rest = &rest[n + 1..];
    }
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), hh @ .., b':', m1, m2] if hh.len() == 2 => {
            let minutes = digits(hh)? * 60 + digits(&[*m1, *m2])?;
            if minutes >= 24 * 60 {
                return None;
            }
            (minutes * 60) as i32 * if *sign == b'-' { -1 } else { 1 }
        }
        _ => return None,
    };
    let local = date.and_time(NaiveTime::from_hms_nano_opt(h, m, s, nanos)?);
    let utc = local.checked_sub_signed(chrono::TimeDelta::seconds(offset_seconds.into()))?;
    Some(utc.and_utc())
}

/// An ASCII decimal number of at most 9 digits; `None` for anything else.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// `#[serde(with = "forms::dates::serde_rfc3339")]` for `DateTime<Utc>` fields.
pub mod serde_rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_rfc3339(&text).ok_or_else(|| D::Error::custom("expected an RFC 3339 instant"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_back_as_chrono_writes_them() {
        for (text, millis) in [
            ("2026-11-29T12:41:50Z", 1_795_956_110_000),
            ("2026-11-29T12:41:50.123Z", 1_795_956_110_123),
            ("2026-11-29T19:41:50.123+07:00", 1_795_956_110_123),
            ("2026-11-29t05:41:50.5-07:00", 1_795_956_110_500),
            ("2026-11-29 12:41:50.000000001z", 1_795_956_110_000),
        ] {
            let at = parse_rfc3339(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(at.timestamp_millis(), millis, "{text}");
            assert_eq!(parse_rfc3339(&rfc3339(at)), Some(at), "{text} round trip");
            let chrono_text = serde_json::to_value(at).unwrap();
            assert_eq!(chrono_text.as_str(), Some(rfc3339(at).as_str()), "{text}: same text as chrono");
        }
    }

    #[test]
    fn malformed_instants_are_refused() {
        for text in [
            "",
            "2026-11-29",
            "2026-11-29T12:41:50",
            "2026-11-29T12:41:50+0700",
            "2026-11-29T24:00:00Z",
            "2026-02-30T12:00:00Z",
            "2026-11-29T12:41:50.Z",
            "2026-11-29T12:41:50.1234567890Z",
            "2026-11-29T12:41:50+24:00",
            "+2026-11-29T12:41:50Z",
            "2026-11-29T12:41:5xZ",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text:?}");
        }
    }

    #[test]
    fn dates_and_times_have_one_shape() {
        assert_eq!(parse_iso_date("2025-11-15").map(iso_date).as_deref(), Some("2025-11-15"));
        assert_eq!(parse_date_vi("5/1/2026").map(format_date).as_deref(), Some("05/01/2026"));
        assert_eq!(parse_time("07:05").map(format_time).as_deref(), Some("07:05"));
        for bad in ["2025-1-15", "2025-13-01", "2025-02-29", "20251115", "2025-11-15 ", "+025-11-15"] {
            assert_eq!(parse_iso_date(bad), None, "{bad:?}");
        }
        for bad in ["7:05", "24:00", "07:60", "07-05", " 7:05"] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
        for bad in ["1/1/26", "31/11/2025", "a/1/2025", "1/1/2025/1", "001/1/2025"] {
            assert_eq!(parse_date_vi(bad), None, "{bad:?}");
        }
        let at = parse_rfc3339("2026-11-29T17:30:00Z").unwrap();
        assert_eq!(format_instant(at), "30/11/2026 00:30");
    }
}
