//! A KPI's target and its status thresholds (`target:` and `status:`), as checked.

use super::TExpr;
use chrono::NaiveDate;
use serde::Serialize;

/// One target value in the KPI's unit: a percentage as its fraction (30% is 0.3),
/// money in ten-thousandths as well, so a gap in money is exact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Amount {
    pub value: f64,
    /// The exact amount in ten-thousandths, for a money KPI's target.
    #[serde(skip)]
    pub money: Option<i128>,
}

/// What a KPI's value is measured against.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// `target: 30%`: the same everywhere.
    Fixed(Amount),
    /// `target: by accounts.segment { "enterprise": 35%, else: 25% }`: per value of one
    /// `accounts` dimension; `otherwise` for any other group (the portfolio included).
    BySegment {
        column: String,
        values: Vec<(String, Amount)>,
        otherwise: Option<Amount>,
    },
    /// `target: by period { 2025: 28%, "2026-Q1": 30% }`: per period, matched by its
    /// first and last day.
    ByPeriod {
        values: Vec<(NaiveDate, NaiveDate, String, Amount)>,
        otherwise: Option<Amount>,
    },
    /// `target: sum(plans.revenue)`: a formula over the dataset (a plan table),
    /// evaluated by every engine for the same period and group as the value.
    Formula(TExpr),
}

/// A KPI's target, with how it was written (what `kpic show` prints).
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub kind: TargetKind,
    pub source: String,
    /// The `target` item that attached this target to its KPI, and where it says the
    /// target comes from; `None` for a KPI's own `target:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<TargetOrigin>,
}

/// Where a target attached by a `target` item comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetOrigin {
    /// The `target` item's id.
    pub item: String,
    /// Its `source:`: the plan, who set it, the year.
    pub source: String,
}

/// When a value is green, amber or red.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Green at or past this (a fraction of the target, or a value when `absolute`).
    pub green: Amount,
    /// Amber at or past this; red beyond.
    pub amber: Amount,
    /// The thresholds are values in the KPI's unit, not fractions of the target.
    pub absolute: bool,
}

impl Thresholds {
    /// The thresholds when a KPI has a target and no `status:`: green at the target,
    /// amber within 10% of it (below it, or above it when lower is better).
    pub fn default_for(better: super::Direction) -> Thresholds {
        let plain = |value| Amount { value, money: None };
        Thresholds {
            green: plain(1.0),
            amber: plain(match better {
                super::Direction::Higher => 0.9,
                super::Direction::Lower => 1.1,
            }),
            absolute: false,
        }
    }
}
