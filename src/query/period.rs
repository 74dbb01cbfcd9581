//! Evaluation periods: `2025`, `2025-Q3`, `2025-07`, `2025-01-01..2025-03-31`, and the
//! period before each.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// The first year a period may start in.
pub const MIN_YEAR: i32 = 1;
/// The last year a period may end in.
pub const MAX_YEAR: i32 = 9999;

/// Which end of the data's dates an engine is asked for (the native engine's
/// `eval::date_bound`, a database's `sql::compile_date_bound`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// The earliest date.
    Earliest,
    /// The latest date, however far in the future.
    Latest,
    /// The latest date on or before a day (today): later dates, such as a contract's
    /// scheduled end or an open-ended 9999-12-31, are not events yet.
    LatestBy(chrono::NaiveDate),
}

/// A period of whole days, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[serde(skip)]
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run of whole months (year, quarter, month): the previous period is the same
    /// number of months before, so the year before 2025 is all of 2024.
    Months(u32),
    /// A custom range: the previous period has the same number of days.
    Days,
}

impl Period {
    /// Parses a period as written on the command line. Years and quarters start in
    /// `fiscal_start` (1 = January); `FY2025` is the fiscal year that ends in 2025 when
    /// the fiscal year does not start in January.
    pub fn parse(text: &str, fiscal_start: u32) -> Result<Period, String> {
        let t = text.trim();
        let bad = || {
            format!(
                "`{text}` is not a period; write 2025, 2025-Q3, 2025-07 or 2025-01-01..2025-03-31"
            )
        };
        if let Some((a, b)) = t.split_once("..") {
            let start = NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            let end = NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            if end < start {
                return Err(format!("the period `{text}` ends before it starts"));
            }
            if start.year() < MIN_YEAR || end.year() > MAX_YEAR {
                return Err(format!(
                    "the period `{text}` is outside the years {MIN_YEAR} to {MAX_YEAR} kpic supports"
                ));
            }
            return Ok(Period {
                start,
                end,
                kind: Kind::Days,
            });
        }
        let months_from = |year: i32, month: u32, n: u32| -> Result<Period, String> {
            if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
                return Err(format!(
                    "the period `{text}` is outside the years {MIN_YEAR} to {MAX_YEAR} kpic supports"
                ));
            }
            let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
            let end = start
                .checked_add_months(Months::new(n))
                .and_then(|d| d.pred_opt())
                .ok_or_else(bad)?;
            Ok(Period {
                start,
                end,
                kind: Kind::Months(n),
            })
        };
        // Fiscal years are named by the calendar year they start in.
        if let Some((y, q)) = t.split_once("-Q").or_else(|| t.split_once("-q")) {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let q: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(format!("`{text}`: quarters are Q1 to Q4"));
            }
            let first = (fiscal_start - 1) + (q - 1) * 3;
            return months_from(year + (first / 12) as i32, first % 12 + 1, 3);
        }
        if let Some((y, m)) = t.split_once('-') {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let month: u32 = m.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&month) {
                return Err(format!("`{text}`: months are 01 to 12"));
            }
            return months_from(year, month, 1);
        }
        let year: i32 = t.parse().map_err(|_| bad())?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(bad());
        }
        months_from(year, fiscal_start, 12)
    }

    /// The whole year (from `fiscal_start`) of `year`.
    pub fn year(year: i32, fiscal_start: u32) -> Option<Period> {
        Period::parse(&year.to_string(), fiscal_start).ok()
    }

    /// The default period: the last whole (fiscal) year that ends on or before `last`,
    /// the latest date in the data (days since 1970-01-01, fractional for a
    /// date-time). `None` when the two years before it are not complete either.
    pub fn latest_complete_year(last: f64, fiscal_start: u32) -> Option<Period> {
        if !last.is_finite() {
            return None;
        }
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
        let last = epoch.checked_add_signed(chrono::Duration::try_days(last.floor() as i64)?)?;
        (last.year() - 2..=last.year())
            .rev()
            .find_map(|y| Period::year(y, fiscal_start).filter(|p| p.end <= last))
    }

    /// The period `steps` periods before this one (`previous` applied `steps` times).
    pub fn back(self, steps: u32) -> Period {
        (0..steps).fold(self, |p, _| p.previous())
    }

    /// The period just before, of the same kind and length.
    pub fn previous(self) -> Period {
        match self.kind {
            Kind::Months(n) => {
                let start = self
                    .start
                    .checked_sub_months(Months::new(n))
                    .unwrap_or(self.start);
                let end = self.start.pred_opt().unwrap_or(self.start);
                Period {
                    start,
                    end,
                    kind: self.kind,
                }
            }
            Kind::Days => {
                let len = self.days();
                let end = self.start.pred_opt().unwrap_or(self.start);
                let start = end - chrono::Duration::days(len - 1);
                Period {
                    start,
                    end,
                    kind: self.kind,
                }
            }
        }
    }

    /// Number of days, both ends included.
    pub fn days(self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// A readable label: `2025`, `2025-Q3`, `2025-07` or `2025-01-01..2025-03-31`.
    pub fn label(self) -> String {
        match self.kind {
            Kind::Months(12) if self.start.month() == 1 => self.start.year().to_string(),
            Kind::Months(3) if self.start.month() % 3 == 1 => {
                format!("{}-Q{}", self.start.year(), self.start.month() / 3 + 1)
            }
            Kind::Months(1) => format!("{}-{:02}", self.start.year(), self.start.month()),
            _ => format!("{}..{}", self.start, self.end),
        }
    }

    /// Start and end as days since 1970-01-01.
    pub fn epoch_days(self) -> (f64, f64) {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
        (
            (self.start - epoch).num_days() as f64,
            (self.end - epoch).num_days() as f64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s, 1).expect("valid period")
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            (p("2025").start.to_string(), p("2025").end.to_string()),
            ("2025-01-01".into(), "2025-12-31".into())
        );
        assert_eq!(p("2025-Q3").start.to_string(), "2025-07-01");
        assert_eq!(p("2025-Q3").end.to_string(), "2025-09-30");
        assert_eq!(p("2024-02").end.to_string(), "2024-02-29");
        assert_eq!(p("2025-01-10..2025-01-19").days(), 10);
        assert!(Period::parse("2025-Q5", 1).is_err());
        assert!(Period::parse("2025-02-01..2025-01-01", 1).is_err());
        assert!(Period::parse("last year", 1).is_err());
    }

    #[test]
    fn previous_periods() {
        // The year before 2025 is all of 2024 (366 days), not the 365 days before.
        assert_eq!(p("2025").previous().start.to_string(), "2024-01-01");
        assert_eq!(p("2025-Q1").previous().label(), "2024-Q4");
        assert_eq!(p("2025-03").previous().label(), "2025-02");
        let custom = p("2025-01-10..2025-01-19").previous();
        assert_eq!(
            (custom.start.to_string(), custom.end.to_string()),
            ("2024-12-31".into(), "2025-01-09".into())
        );
    }

    #[test]
    fn fiscal_years() {
        let fy = Period::parse("2025", 4).expect("valid");
        assert_eq!(
            (fy.start.to_string(), fy.end.to_string()),
            ("2025-04-01".into(), "2026-03-31".into())
        );
        let q4 = Period::parse("2025-Q4", 4).expect("valid");
        assert_eq!(q4.start.to_string(), "2026-01-01");
    }

    #[test]
    fn latest_complete_year_ends_on_or_before_the_last_date() {
        let day = |iso: &str| {
            let d = NaiveDate::parse_from_str(iso, "%Y-%m-%d").expect("date");
            (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as f64
        };
        let label =
            |last: f64, fiscal: u32| Period::latest_complete_year(last, fiscal).map(|p| p.label());
        assert_eq!(label(day("2025-12-31"), 1), Some("2025".into()));
        // A date-time late on the last day still counts as that day.
        assert_eq!(label(day("2025-12-31") + 0.9, 1), Some("2025".into()));
        assert_eq!(label(day("2025-12-30"), 1), Some("2024".into()));
        assert_eq!(
            label(day("2026-03-01"), 7),
            Period::parse("2025", 7).ok().map(|p| p.previous().label())
        );
        assert_eq!(label(f64::NAN, 1), None);
    }
}
