//! Reading one cell: trimming, exact money, dates and date-times.

use super::MONEY_SCALE;
use chrono::NaiveDate;

/// The cell without surrounding white space; most cells have none, and checking the
/// two end bytes is cheaper than `str::trim`'s Unicode scan.
pub(super) fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// The largest amount a money cell may hold, in ten-thousandths: the databases' money
/// column is `DECIMAL(18,4)` (99,999,999,999,999.9999), so that whatever loads
/// natively loads into every engine and gives the same totals.
pub const MAX_MONEY_CELL: i64 = 999_999_999_999_999_999;

/// Parses a decimal string exactly into ten-thousandths; `None` for anything else, and
/// for an amount past [`MAX_MONEY_CELL`] either side of 0 (see [`money_too_large`]).
pub fn parse_money(s: &str) -> Option<i64> {
    parse_money_unbounded(s).filter(|v| v.abs() <= MAX_MONEY_CELL)
}

/// Whether `s` is written as an amount of money but is too large for a money cell.
pub(super) fn money_too_large(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !int.is_empty()
        && frac.len() <= 4
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    well_formed && parse_money(s).is_none()
}

fn parse_money_unbounded(s: &str) -> Option<i64> {
    // One pass over the bytes (a money column is read for millions of rows):
    // `-`? digits+ (`.` digit{0,4})?, anything else is not money.
    let (neg, bytes) = match s.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s.as_bytes()),
    };
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut int: i64 = 0;
    for b in &bytes[..digits] {
        int = int.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    // "5" is 5000 ten-thousandths, "05" is 500, ...
    let mut frac_value: i64 = 0;
    match &bytes[digits..] {
        [] => {}
        [b'.', frac @ ..] if frac.len() <= 4 && frac.iter().all(u8::is_ascii_digit) => {
            for place in 0..4 {
                frac_value = frac_value * 10 + frac.get(place).map_or(0, |b| i64::from(b - b'0'));
            }
        }
        _ => return None,
    }
    let v = int.checked_mul(MONEY_SCALE)?.checked_add(frac_value)?;
    Some(if neg { -v } else { v })
}

/// Like [`parse_date`], with a chrono format from the mapping file first.
pub(super) fn parse_date_as(s: &str, with_time: bool, format: Option<&str>) -> Option<f64> {
    match format {
        Some(f) => {
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
            // A date-time first: parsing as a date accepts a format with a time of day
            // and drops the time.
            if with_time && let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, f) {
                return Some((dt - epoch.and_hms_opt(0, 0, 0)?).num_seconds() as f64);
            }
            if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                let days = (d - epoch).num_days();
                return Some(if with_time {
                    days * SECONDS_PER_DAY
                } else {
                    days
                } as f64);
            }
            let dt = chrono::NaiveDateTime::parse_from_str(s, f).ok()?;
            if with_time {
                Some((dt - epoch.and_hms_opt(0, 0, 0)?).num_seconds() as f64)
            } else {
                // A date column whose format has a time of day: the day.
                Some((dt.date() - epoch).num_days() as f64)
            }
        }
        None => parse_date(s, with_time),
    }
}

/// Seconds in a day: a date-time's day is its seconds divided by this, rounded down.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// A date as days since 1970-01-01; with `with_time`, a date-time (or a date, at
/// midnight) as whole seconds since 1970-01-01 00:00:00. Both are integers, held
/// exactly in an `f64` (whole seconds up to 2^53, some 285 million years), so that
/// differences of date-times are exact and hours are one division of seconds.
pub fn parse_date(s: &str, with_time: bool) -> Option<f64> {
    let day_or_seconds = |days: f64| {
        if with_time {
            days * SECONDS_PER_DAY as f64
        } else {
            days
        }
    };
    // The common case, `YYYY-MM-DD`, without interpreting a format string per cell.
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        // Eight ASCII digits (nearly every cell): read them without `str::parse`.
        let digits = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, c| {
                let d = c.wrapping_sub(b'0');
                (d < 10).then_some(n * 10 + u32::from(d))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return days_from_civil(y, m, d).map(day_or_seconds);
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return days_from_civil(y, m, d).map(day_or_seconds);
        }
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(day_or_seconds((d - epoch).num_days() as f64));
    }
    if with_time {
        for fmt in [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
                return Some((dt - epoch.and_hms_opt(0, 0, 0)?).num_seconds() as f64);
            }
        }
    }
    None
}

/// Days since 1970-01-01 of a valid calendar date (Howard Hinnant's `days_from_civil`),
/// without building a `NaiveDate` per cell.
fn days_from_civil(y: u32, m: u32, d: u32) -> Option<f64> {
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > month_days[(m - 1) as usize] {
        return None;
    }
    let (y, m, d) = (y as i64 - i64::from(m <= 2), m as i64, d as i64);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) as f64)
}

/// An integer cell held exactly as `f64`: optional sign, digits, and an optional
/// fraction of zeros (`12.0`, as spreadsheets write whole numbers); at most 2^53 either
/// side of 0, so that no two different cells become the same number.
pub(super) fn parse_int(cell: &str) -> Option<f64> {
    const EXACT: i64 = 1 << 53;
    let (whole, frac) = cell.split_once('.').unwrap_or((cell, ""));
    if !frac.bytes().all(|b| b == b'0') {
        return None;
    }
    let digits = whole.strip_prefix(['+', '-']).unwrap_or(whole);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = whole.parse().ok()?;
    (-EXACT..=EXACT).contains(&v).then_some(v as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_agree_with_chrono() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
        for y in [
            0, 1, 1899, 1900, 1969, 1970, 1999, 2000, 2024, 2025, 2100, 2400, 9999,
        ] {
            for m in 0..=13 {
                for d in 0..=32 {
                    let want = NaiveDate::from_ymd_opt(y as i32, m, d)
                        .map(|date| (date - epoch).num_days() as f64);
                    assert_eq!(days_from_civil(y, m, d), want, "{y}-{m}-{d}");
                }
            }
        }
    }

    #[test]
    fn money_cells_are_digits_with_at_most_four_decimals() {
        let cases = [
            ("5", Some(50_000)),
            ("5.", Some(50_000)),
            ("05.5", Some(55_000)),
            ("1250.50", Some(12_505_000)),
            ("-0.0001", Some(-1)),
            ("-0", Some(0)),
            ("0.1234", Some(1_234)),
            ("1.23456", None),
            ("+1", None),
            (".5", None),
            ("-", None),
            ("", None),
            ("1e3", None),
            ("1.2.3", None),
            ("1,5", None),
            ("12 ", None),
            (" 12", None),
            ("1.-2", None),
            ("\u{661}", None),
            ("9223372036854775808", None),
        ];
        for (cell, want) in cases {
            assert_eq!(parse_money(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn money_cells_stop_at_the_databases_decimal() {
        assert_eq!(parse_money("99999999999999.9999"), Some(MAX_MONEY_CELL));
        assert_eq!(parse_money("-99999999999999.9999"), Some(-MAX_MONEY_CELL));
        assert_eq!(parse_money("100000000000000"), None);
        assert!(money_too_large("100000000000000"));
        assert!(money_too_large("-922337203685477.5808"));
        assert!(money_too_large("99999999999999999999999"));
        assert!(!money_too_large("1e15"));
        assert!(!money_too_large("12.34567"));
        assert!(!money_too_large("99999999999999.9999"));
    }

    #[test]
    fn date_times_are_whole_seconds() {
        // 2024-02-29 is day 19782; a date in a date-time column is its midnight.
        assert_eq!(parse_date("2024-02-29", false), Some(19_782.0));
        assert_eq!(parse_date("2024-02-29", true), Some(19_782.0 * 86_400.0));
        assert_eq!(
            parse_date("2024-02-29 23:59:59", true),
            Some(19_782.0 * 86_400.0 + 86_399.0)
        );
        assert_eq!(
            parse_date_as("29/02/2024 00:00:01", true, Some("%d/%m/%Y %H:%M:%S")),
            Some(19_782.0 * 86_400.0 + 1.0)
        );
        assert_eq!(parse_date("2024-02-29 00:00:01", false), None);
    }

    #[test]
    fn trim_keeps_plain_cells_and_trims_others() {
        assert_eq!(trim("abc"), "abc");
        assert_eq!(trim(" abc\t"), "abc");
        assert_eq!(trim("\u{a0}x\u{a0}"), "x");
        assert_eq!(trim(""), "");
    }
}
