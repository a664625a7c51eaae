//! The calendar buckets report sums are kept in ([`super::totals`]): year `y`, month `m`,
//! half-month `h` (days 1-14, 15 to the end: the Action Month starts on the 15th) and day
//! `d`, and the fewest of them a report reads to cover a period.

use chrono::{Datelike, NaiveDate};

/// The fewest buckets that cover a period exactly, as (grain, period) pairs, from its first
/// day on: a whole year where one fits, else a whole month, else a whole half-month, else a
/// day. A year is one bucket, a quarter three, the Action Month (15/11–15/12) three.
pub fn buckets(from: NaiveDate, to: NaiveDate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let (y, m, d) = (day.year(), day.month(), day.day());
        let month_end = first_of_next_month(day).and_then(|n| n.pred_opt()).unwrap_or(day);
        let year_end = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(day);
        let (grain, period, last) = if m == 1 && d == 1 && year_end <= to {
            ("y", format!("{y:04}"), year_end)
        } else if d == 1 && month_end <= to {
            ("m", format!("{y:04}-{m:02}"), month_end)
        } else if d == 1 && day.with_day(14).is_some_and(|e| e <= to) {
            ("h", format!("{y:04}-{m:02}-1"), day.with_day(14).unwrap_or(day))
        } else if d == 15 && month_end <= to {
            ("h", format!("{y:04}-{m:02}-2"), month_end)
        } else {
            ("d", forms::dates::iso_date(day), day)
        };
        out.push((grain, period));
        match last.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// The buckets a report reads for a period, each to be added (`true`) or taken away
/// (`false`). Per calendar year the period touches: the fewest [`buckets`] that cover its
/// part of that year, or, where that is fewer, the whole year less the buckets of the rest
/// of it. The count of buckets decides, as an estimate of the rows read: a month holds a
/// quarter of a year's keys on the generated million records (19,000 against 75,000), so
/// the reporting year up to 30/11, the year less December, reads 94,000 rows where its
/// eleven months read 210,000.
pub fn signed_buckets(from: NaiveDate, to: NaiveDate) -> Vec<(&'static str, String, bool)> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    for year in from.year()..=to.year() {
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            continue;
        };
        let (start, end) = (from.max(first), to.min(last));
        let plain = buckets(start, end);
        let before = start.pred_opt().map_or_else(Vec::new, |d| buckets(first, d));
        let after = end.succ_opt().map_or_else(Vec::new, |d| buckets(d, last));
        if 1 + before.len() + after.len() < plain.len() {
            out.push(("y", format!("{year:04}"), true));
            out.extend(before.into_iter().chain(after).map(|(grain, period)| (grain, period, false)));
        } else {
            out.extend(plain.into_iter().map(|(grain, period)| (grain, period, true)));
        }
    }
    out
}

fn first_of_next_month(d: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_covered_by_the_fewest_buckets() {
        #[rustfmt::skip]
        let cases: [(&str, &str, &str); 12] = [
            ("2026-01-01", "2026-12-31", "y2026"),
            ("2026-10-01", "2026-12-31", "m2026-10 m2026-11 m2026-12"),
            ("2028-02-01", "2028-02-29", "m2028-02"),
            ("2028-02-15", "2028-02-29", "h2028-02-2"),
            ("2028-02-01", "2028-02-28", "h2028-02-1 d2028-02-15 d2028-02-16 d2028-02-17 d2028-02-18 d2028-02-19 d2028-02-20 d2028-02-21 d2028-02-22 d2028-02-23 d2028-02-24 d2028-02-25 d2028-02-26 d2028-02-27 d2028-02-28"),
            // The Action Month.
            ("2026-11-15", "2026-12-15", "h2026-11-2 h2026-12-1 d2026-12-15"),
            ("2025-12-30", "2027-01-02", "d2025-12-30 d2025-12-31 y2026 d2027-01-01 d2027-01-02"),
            ("2026-01-15", "2026-03-14", "h2026-01-2 m2026-02 h2026-03-1"),
            ("2026-03-05", "2026-03-07", "d2026-03-05 d2026-03-06 d2026-03-07"),
            ("2026-01-31", "2026-02-01", "d2026-01-31 d2026-02-01"),
            ("2026-05-31", "2026-05-31", "d2026-05-31"),
            ("2026-05-02", "2026-05-01", ""),
        ];
        for (from, to, want) in cases {
            let got: Vec<String> = buckets(from.parse().unwrap(), to.parse().unwrap())
                .into_iter()
                .map(|(grain, period)| format!("{grain}{period}"))
                .collect();
            assert_eq!(got.join(" "), want, "{from}..{to}");
        }
    }

    #[test]
    fn a_year_less_its_rest_is_read_where_that_is_fewer() {
        #[rustfmt::skip]
        let cases: [(&str, &str, &str); 6] = [
            ("2026-01-01", "2026-11-30", "+y2026 -m2026-12"),
            ("2026-01-01", "2026-12-14", "+y2026 -h2026-12-2"),
            ("2026-02-01", "2026-12-31", "+y2026 -m2026-01"),
            ("2026-11-15", "2026-12-15", "+h2026-11-2 +h2026-12-1 +d2026-12-15"),
            ("2026-10-01", "2026-12-31", "+m2026-10 +m2026-11 +m2026-12"),
            ("2025-12-31", "2026-11-30", "+d2025-12-31 +y2026 -m2026-12"),
        ];
        for (from, to, want) in cases {
            let got: Vec<String> = signed_buckets(from.parse().unwrap(), to.parse().unwrap())
                .into_iter()
                .map(|(grain, period, add)| format!("{}{grain}{period}", if add { '+' } else { '-' }))
                .collect();
            assert_eq!(got.join(" "), want, "{from}..{to}");
        }
    }

    /// The days of a bucket.
    fn days_of(grain: &str, period: &str) -> Vec<NaiveDate> {
        let first: NaiveDate = match grain {
            "y" => format!("{period}-01-01"),
            "m" => format!("{period}-01"),
            "h" if period.ends_with("-1") => format!("{}-01", &period[..7]),
            "h" => format!("{}-15", &period[..7]),
            _ => period.to_owned(),
        }
        .parse()
        .unwrap();
        first
            .iter_days()
            .take_while(|day| match grain {
                "y" => day.year() == first.year(),
                "m" => day.month() == first.month() && day.year() == first.year(),
                "h" => day.month() == first.month() && (day.day() < 15) == (first.day() == 1),
                _ => *day == first,
            })
            .collect()
    }

    #[test]
    fn signed_buckets_count_every_day_of_the_period_once_and_no_other() {
        let start: NaiveDate = "2027-12-20".parse().unwrap();
        for a in (0..400).step_by(3) {
            for b in (a..800).step_by(11) {
                let (from, to) = (start + chrono::Duration::days(a), start + chrono::Duration::days(b));
                let mut net: std::collections::BTreeMap<NaiveDate, i32> = Default::default();
                for (grain, period, add) in signed_buckets(from, to) {
                    for day in days_of(grain, &period) {
                        *net.entry(day).or_default() += if add { 1 } else { -1 };
                    }
                }
                net.retain(|_, n| *n != 0);
                let want: std::collections::BTreeMap<NaiveDate, i32> =
                    from.iter_days().take_while(|d| *d <= to).map(|d| (d, 1)).collect();
                assert_eq!(net, want, "{from}..{to}");
                let plain = buckets(from, to).len();
                assert!(signed_buckets(from, to).len() <= plain, "{from}..{to}: never more buckets");
            }
        }
    }

    #[test]
    fn buckets_cover_every_day_once() {
        // Every range within two years around a leap day, checked day by day.
        let start: NaiveDate = "2027-12-20".parse().unwrap();
        for a in 0..90 {
            for b in (a..500).step_by(7) {
                let (from, to) = (start + chrono::Duration::days(a), start + chrono::Duration::days(b));
                let mut covered = Vec::new();
                for (grain, period) in buckets(from, to) {
                    let first: NaiveDate = match grain {
                        "y" => format!("{period}-01-01"),
                        "m" => format!("{period}-01"),
                        "h" if period.ends_with("-1") => format!("{}-01", &period[..7]),
                        "h" => format!("{}-15", &period[..7]),
                        _ => period.clone(),
                    }
                    .parse()
                    .unwrap();
                    let mut day = first;
                    loop {
                        let inside = match grain {
                            "y" => day.year() == first.year(),
                            "m" => day.month() == first.month() && day.year() == first.year(),
                            "h" => day.month() == first.month() && (day.day() < 15) == (first.day() == 1),
                            _ => day == first,
                        };
                        if !inside {
                            break;
                        }
                        covered.push(day);
                        day = day.succ_opt().unwrap();
                    }
                }
                let want: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
                assert_eq!(covered, want, "{from}..{to}");
            }
        }
    }
}
