//! Calendar lengths of a period (`period.months`, `period.quarters`, `period.years`),
//! computed once for every engine: the native evaluator reads them, and the SQL
//! compiler writes them as constants.

use super::Period;
use super::missing;
use chrono::{Datelike, Months};

impl Period {
    /// The number of calendar months from the first day of a month to the last day of
    /// a month, `None` when the period does not start on a 1st or end on a month's
    /// last day. Any such period counts, a custom range included: 2025-02-01..2025-04-30
    /// is three months.
    pub fn whole_months(self) -> Option<u32> {
        if self.start.day() != 1 {
            return None;
        }
        let after = self.end.succ_opt()?;
        if after.day() != 1 {
            return None;
        }
        let months = (after.year() - self.start.year()) * 12 + after.month() as i32
            - self.start.month() as i32;
        let months = u32::try_from(months).ok().filter(|m| *m > 0)?;
        // Guard the arithmetic: stepping forward lands exactly on the day after.
        (self.start.checked_add_months(Months::new(months)) == Some(after)).then_some(months)
    }

    /// The period's length in units of `per` months (1: months, 3: quarters, 12: years),
    /// or why it has none: the period is not whole months, or not a whole number of
    /// the unit.
    pub fn length_in_months(self, per: u32) -> Result<f64, &'static str> {
        let Some(months) = self.whole_months() else {
            return Err(missing::PERIOD_NOT_WHOLE_MONTHS);
        };
        match per {
            0 | 1 => Ok(months as f64),
            per if months % per == 0 => Ok((months / per) as f64),
            3 => Err(missing::PERIOD_NOT_WHOLE_QUARTERS),
            _ => Err(missing::PERIOD_NOT_WHOLE_YEARS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(text: &str) -> Period {
        Period::parse(text, 1).expect("a valid period")
    }

    #[test]
    fn whole_months_of_every_kind_of_period() {
        assert_eq!(period("2025").whole_months(), Some(12));
        assert_eq!(period("2025-Q2").whole_months(), Some(3));
        assert_eq!(period("2024-02").whole_months(), Some(1));
        assert_eq!(period("2025-02-01..2025-04-30").whole_months(), Some(3));
        assert_eq!(period("2025-01-01..2025-01-30").whole_months(), None);
        assert_eq!(period("2025-01-02..2025-01-31").whole_months(), None);
        assert_eq!(
            Period::parse("2025", 4).map(Period::whole_months),
            Ok(Some(12))
        );
    }

    #[test]
    fn lengths_in_quarters_and_years() {
        assert_eq!(period("2025").length_in_months(3), Ok(4.0));
        assert_eq!(period("2025").length_in_months(12), Ok(1.0));
        assert_eq!(period("2025-Q3").length_in_months(3), Ok(1.0));
        assert_eq!(
            period("2025-Q3").length_in_months(12),
            Err(missing::PERIOD_NOT_WHOLE_YEARS)
        );
        assert_eq!(
            period("2025-05").length_in_months(3),
            Err(missing::PERIOD_NOT_WHOLE_QUARTERS)
        );
        assert_eq!(
            period("2025-01-01..2025-01-15").length_in_months(1),
            Err(missing::PERIOD_NOT_WHOLE_MONTHS)
        );
    }
}
