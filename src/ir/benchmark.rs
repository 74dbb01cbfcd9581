//! What a benchmark applies to: the accounts (`applies_to`) and the length of period
//! (`period`) its figure describes.

use serde::Serialize;

/// One condition of a benchmark's `applies_to`: `accounts.COLUMN == "VALUE"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentValue {
    pub column: String,
    pub value: String,
}

/// The length of period a benchmark's figure describes (`period: year`): a yearly
/// churn rate is not compared with a quarter's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodBasis {
    Month,
    Quarter,
    Year,
}

impl PeriodBasis {
    /// Every basis, as `period:` writes it.
    pub const ALL: [PeriodBasis; 3] = [PeriodBasis::Month, PeriodBasis::Quarter, PeriodBasis::Year];

    /// The word `period:` takes (`year`).
    pub fn name(self) -> &'static str {
        match self {
            PeriodBasis::Month => "month",
            PeriodBasis::Quarter => "quarter",
            PeriodBasis::Year => "year",
        }
    }

    /// How a figure of this basis is called (`yearly`).
    pub fn adjective(self) -> &'static str {
        match self {
            PeriodBasis::Month => "monthly",
            PeriodBasis::Quarter => "quarterly",
            PeriodBasis::Year => "yearly",
        }
    }

    /// Calendar months in one period of this basis.
    pub fn months(self) -> u32 {
        match self {
            PeriodBasis::Month => 1,
            PeriodBasis::Quarter => 3,
            PeriodBasis::Year => 12,
        }
    }
}
