//! Dates and periods as the console shows and asks for them: dd/mm/yyyy, 24-hour, in
//! Asia/Ho_Chi_Minh (UTC+7, no daylight saving), whatever the computer's own time zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use forms::dates::{format_date, parse_iso_date, vietnam_offset};
use serde_json::Value as Json;

/// Milliseconds since the epoch from a number or an RFC 3339 text.
pub fn millis(v: &Json) -> Option<i64> {
    match v {
        Json::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Json::String(s) => DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp_millis()),
        _ => None,
    }
}

fn local(ms: i64) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.with_timezone(&vietnam_offset()))
}

/// `dd/mm/yyyy HH:MM` in Vietnam.
pub fn date_time(ms: i64) -> String {
    local(ms).map_or_else(String::new, |t| format!("{} {}", format_date(t.date_naive()), t.format("%H:%M")))
}

/// `2026-11-20` → `20/11/2026` (anything else as it came).
pub fn iso_to_vi(iso: &str) -> String {
    parse_iso_date(iso).map_or_else(|| iso.to_owned(), format_date)
}

/// `20/11/2026` (or `20/11/2026` typed with single digits) → `2026-11-20`; `None` if not a date.
pub fn vi_to_iso(text: &str) -> Option<String> {
    forms::record::parse_date_vi(text).map(|d| d.format("%Y-%m-%d").to_string())
}

/// Today in Vietnam.
pub fn today(now_ms: i64) -> NaiveDate {
    local(now_ms).map_or(NaiveDate::MIN, |t| t.date_naive())
}

/// What "who has reported" covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Month,
    Quarter,
    /// The Action Month for gender equality: 15/11–15/12.
    ActionMonth,
    /// The reporting year: 01/01 up to the report's deadline, 30/11.
    YearToDeadline,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Month, Kind::Quarter, Kind::ActionMonth, Kind::YearToDeadline];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Month => "month",
            Kind::Quarter => "quarter",
            Kind::ActionMonth => "action_month",
            Kind::YearToDeadline => "until_deadline",
        }
    }

    pub fn from_key(key: &str) -> Kind {
        Kind::ALL.into_iter().find(|k| k.key() == key).unwrap_or(Kind::Month)
    }
}

/// A period: its kind, year and (month 1–12 or quarter 1–4) number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub kind: Kind,
    pub year: i32,
    pub n: u32,
}

impl Period {
    /// The current month.
    pub fn this_month(today: NaiveDate) -> Period {
        Period { kind: Kind::Month, year: today.year(), n: today.month() }
    }

    /// The first and last day.
    pub fn dates(self) -> (NaiveDate, NaiveDate) {
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(self.year, m, day).unwrap_or(NaiveDate::MIN);
        let month_end = |m: u32| {
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(self.year, m + 1, 1)
            };
            next.and_then(|n| n.pred_opt()).unwrap_or(NaiveDate::MIN)
        };
        match self.kind {
            Kind::Month => {
                let m = self.n.clamp(1, 12);
                (d(m, 1), month_end(m))
            }
            Kind::Quarter => {
                let q = self.n.clamp(1, 4);
                (d(q * 3 - 2, 1), month_end(q * 3))
            }
            Kind::ActionMonth => (d(11, 15), d(12, 15)),
            Kind::YearToDeadline => (d(1, 1), d(11, 30)),
        }
    }

    /// `from=YYYY-MM-DD&to=YYYY-MM-DD`: every kind of period asked the same way.
    pub fn query(self) -> String {
        let (from, to) = self.dates();
        format!("from={}&to={}", from.format("%Y-%m-%d"), to.format("%Y-%m-%d"))
    }

    /// `dd/mm/yyyy – dd/mm/yyyy`.
    pub fn range(self) -> String {
        let (from, to) = self.dates();
        format!("{} – {}", format_date(from), format_date(to))
    }

    /// The downloaded file's name, as the server names it:
    /// `tinh-hinh-bao-cao-2026-11-15-2026-12-15.xlsx`.
    pub fn file_name(self) -> String {
        let (from, to) = self.dates();
        format!("tinh-hinh-bao-cao-{}-{}.xlsx", from.format("%Y-%m-%d"), to.format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(kind: Kind, year: i32, n: u32) -> Period {
        Period { kind, year, n }
    }

    #[test]
    fn periods_cover_their_days() {
        assert_eq!(p(Kind::Month, 2026, 2).range(), "01/02/2026 – 28/02/2026");
        assert_eq!(p(Kind::Month, 2028, 2).range(), "01/02/2028 – 29/02/2028");
        assert_eq!(p(Kind::Month, 2026, 12).range(), "01/12/2026 – 31/12/2026");
        assert_eq!(p(Kind::Quarter, 2026, 4).query(), "from=2026-10-01&to=2026-12-31");
        assert_eq!(p(Kind::Quarter, 2026, 1).range(), "01/01/2026 – 31/03/2026");
        assert_eq!(p(Kind::ActionMonth, 2026, 0).query(), "from=2026-11-15&to=2026-12-15");
        assert_eq!(p(Kind::YearToDeadline, 2026, 0).range(), "01/01/2026 – 30/11/2026");
        assert_eq!(Kind::from_key("quarter"), Kind::Quarter);
        assert_eq!(Kind::from_key("nonsense"), Kind::Month);
    }

    #[test]
    fn times_are_shown_in_vietnam() {
        // 2026-11-30T17:30:00Z is 01/12/2026 00:30 in Hanoi.
        let ms = 1_796_059_800_000;
        assert_eq!(date_time(ms), "01/12/2026 00:30");
        assert_eq!(millis(&Json::from("2026-11-30T17:30:00Z")), Some(ms));
        assert_eq!(millis(&Json::from(ms)), Some(ms));
        assert_eq!(millis(&Json::Null), None);
        assert_eq!(today(ms), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    }

    #[test]
    fn dates_typed_and_stored() {
        assert_eq!(iso_to_vi("2026-11-20"), "20/11/2026");
        assert_eq!(vi_to_iso("20/11/2026").as_deref(), Some("2026-11-20"));
        assert_eq!(vi_to_iso("1/5/2026").as_deref(), Some("2026-05-01"));
        assert_eq!(vi_to_iso("2026-11-20"), None);
    }
}
