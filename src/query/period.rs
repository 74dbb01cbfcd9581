//! Evaluation periods: `2025`, `2025-H1`, `2025-Q3`, `2025-07`,
//! `2025-01-01..2025-03-31`; the period before each, the same period a year earlier,
//! and the sub-periods of a time series.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// The period step of one year back ([`Period::back`]): a step counts `previous` in
/// its low 20 bits and `year_ago` above them, so `previous(x)` inside a formula is
/// `step + 1` and `year_ago(x)` is `step + YEAR_AGO` (saturating: thousands of chained
/// `year_ago` reach the first years kpic supports long before the step overflows).
pub const YEAR_AGO: u32 = 1 << 20;

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
    /// A run of whole months (year, half year, quarter, month): the previous period is the same
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
                "`{text}` is not a period; write 2025, 2025-H1, 2025-Q3, 2025-07 or 2025-01-01..2025-03-31"
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
        // Half years start in `fiscal_start` like years and quarters.
        if let Some((y, h)) = t.split_once("-H").or_else(|| t.split_once("-h")) {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let h: u32 = h.parse().map_err(|_| bad())?;
            if !(1..=2).contains(&h) {
                return Err(format!("`{text}`: half years are H1 and H2"));
            }
            let first = (fiscal_start - 1) + (h - 1) * 6;
            return months_from(year + (first / 12) as i32, first % 12 + 1, 6);
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

    /// The period `step` steps before this one: [`Period::year_ago`] applied once per
    /// [`YEAR_AGO`] in `step`, then [`Period::previous`] once per unit left. The year
    /// shifts come first whatever order a formula nests `previous` and `year_ago` in;
    /// the two commute for years, half years, quarters and months, and differ for a
    /// custom range only where a shift lands on 29 February.
    pub fn back(self, step: u32) -> Period {
        let years = (0..step / YEAR_AGO).fold(self, |p, _| p.year_ago());
        (0..step % YEAR_AGO).fold(years, |p, _| p.previous())
    }

    /// The same period one year earlier: 2024-Q3 for 2025-Q3, 2024-H1 for 2025-H1,
    /// and a custom range with both ends one year back. 29 February, which the year
    /// before lacks, becomes 28 February at either end, so
    /// 2024-02-01..2024-02-29 is compared with 2023-02-01..2023-02-28.
    pub fn year_ago(self) -> Period {
        let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        match self.kind {
            Kind::Months(n) => {
                let start = back(self.start);
                let end = start
                    .checked_add_months(Months::new(n))
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(self.end);
                Period {
                    start,
                    end,
                    kind: self.kind,
                }
            }
            Kind::Days => Period {
                start: back(self.start),
                end: back(self.end),
                kind: self.kind,
            },
        }
    }

    /// The sub-periods of a time series: this period cut into runs of `months`
    /// months from its start (the quarters of a fiscal year are fiscal quarters).
    /// Refused unless the period is a run of whole months (a year, half year,
    /// quarter or month) longer than `months` and a whole number of them; `every`
    /// names the length in the message.
    pub fn split(self, months: u32, every: &str) -> Result<Vec<Period>, String> {
        let Kind::Months(n) = self.kind else {
            return Err(format!(
                "`--every {every}` needs a period of whole months (a year, half year, \
                 quarter or month), not the custom range {}",
                self.label()
            ));
        };
        if months >= n {
            return Err(format!(
                "`--every {every}` must be finer than the period: {} is {}; \
                 ask e.g. `--period {} --every {every}`",
                self.label(),
                match n {
                    12 => "one year".to_string(),
                    6 => "one half year".to_string(),
                    3 => "one quarter".to_string(),
                    1 => "one month".to_string(),
                    _ => format!("{n} months"),
                },
                self.start.year()
            ));
        }
        if n % months != 0 {
            return Err(format!(
                "`--every {every}` does not divide {} into whole {every}s",
                self.label()
            ));
        }
        Ok((0..n / months)
            .filter_map(|i| {
                let start = self.start.checked_add_months(Months::new(i * months))?;
                let end = start.checked_add_months(Months::new(months))?.pred_opt()?;
                Some(Period {
                    start,
                    end,
                    kind: Kind::Months(months),
                })
            })
            .collect())
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

    /// A readable label: `2025`, `2025-H1`, `2025-Q3`, `2025-07` or
    /// `2025-01-01..2025-03-31`.
    pub fn label(self) -> String {
        match self.kind {
            Kind::Months(12) if self.start.month() == 1 => self.start.year().to_string(),
            Kind::Months(6) if self.start.month() % 6 == 1 => {
                format!("{}-H{}", self.start.year(), self.start.month() / 6 + 1)
            }
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
    fn half_years() {
        let h1 = p("2025-H1");
        assert_eq!(
            (h1.start.to_string(), h1.end.to_string(), h1.label()),
            ("2025-01-01".into(), "2025-06-30".into(), "2025-H1".into())
        );
        assert_eq!(p("2025-h2").end.to_string(), "2025-12-31");
        // H1's previous period is the year before's H2; H2's is H1.
        assert_eq!(h1.previous().label(), "2024-H2");
        assert_eq!(p("2025-H2").previous().label(), "2025-H1");
        assert_eq!(
            Period::parse("2025-H3", 1),
            Err("`2025-H3`: half years are H1 and H2".into())
        );
        assert!(Period::parse("2025-Hx", 1).is_err());
        // Fiscal halves start in the fiscal year's first month.
        let fh2 = Period::parse("2025-H2", 4).expect("valid");
        assert_eq!(
            (fh2.start.to_string(), fh2.end.to_string()),
            ("2025-10-01".into(), "2026-03-31".into())
        );
    }

    #[test]
    fn a_year_ago() {
        assert_eq!(p("2025-Q3").year_ago().label(), "2024-Q3");
        assert_eq!(p("2025-H1").year_ago().label(), "2024-H1");
        assert_eq!(p("2025").year_ago().label(), "2024");
        // February of a leap year is all of February a year before, and back.
        assert_eq!(p("2025-02").year_ago().end.to_string(), "2024-02-29");
        let leap = p("2024-02-01..2024-02-29").year_ago();
        assert_eq!(
            (leap.start.to_string(), leap.end.to_string()),
            ("2023-02-01".into(), "2023-02-28".into())
        );
        assert_eq!(p("2025-Q3").back(YEAR_AGO + 1).label(), "2024-Q2");
        assert_eq!(p("2025-Q3").back(2).label(), "2025-Q1");
        // The largest step (a saturated chain of year_ago) is far before year 1, not
        // a panic.
        assert!(p("2025").back(u32::MAX).start.year() < MIN_YEAR);
    }

    #[test]
    fn time_series_periods() {
        let labels = |s: &str, m: u32| {
            p(s).split(m, "x")
                .map(|v| v.iter().map(|p| p.label()).collect::<Vec<_>>())
        };
        assert_eq!(
            labels("2025", 3),
            Ok(vec![
                "2025-Q1".into(),
                "2025-Q2".into(),
                "2025-Q3".into(),
                "2025-Q4".into()
            ])
        );
        assert_eq!(labels("2025-H2", 1).map(|v| v.len()), Ok(6));
        assert!(labels("2025-Q1", 12).is_err());
        assert!(labels("2025-Q1", 3).is_err());
        assert!(labels("2025-01-01..2025-03-31", 1).is_err());
        let fiscal = Period::parse("2025", 4).expect("valid").split(3, "quarter");
        assert_eq!(
            fiscal.map(|v| v[3].start.to_string()),
            Ok("2026-01-01".into())
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
