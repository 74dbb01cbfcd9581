//! What every engine is asked and answers: the request (KPIs, period, scope, account
//! filters), its validation against the catalog, periods, and results with the reasons
//! for missing values.
//!
//! The native engine (`eval`), the SQL compiler (`sql`) and the database engines
//! (`engine`) all read these types; none of them imports another to learn what a
//! request means. A request is validated here, once, with one wording for every engine
//! ([`validate`]).

mod benchmarks;
mod calendar;
mod filter;
pub mod missing;
mod money;
mod needs;
mod period;
mod results;
mod rules;
mod sample;
mod split;
mod status;
mod time_range;
mod validate;

pub use benchmarks::{Assessment, Position, Standing, apply_benchmarks};
pub use filter::parse_filters;
pub use money::Money;
pub use needs::{Reads, Unavailable, columns_read, split_available, tables_needed, tables_read};
pub use period::{DateBound, MAX_YEAR, MIN_YEAR, Period, YEAR_AGO};
pub use results::{MemberTally, Output, ResultRow, Results, change};
pub use rules::{RuleOutcome, apply_rules, with_rule_kpis};
pub use sample::{
    DEFAULT_MIN_SAMPLE, Interval, Sample, SampleOf, apply_samples, sample_of, set_min_sample,
    wilson, with_sample_kpis,
};
pub use split::{NOT_SPLIT, split_by_fact};
pub use status::{Status, apply_targets, with_target_kpis};
pub use time_range::time_ranges;
pub use validate::{Validated, validate};

use serde::Serialize;

/// Between the values of a group of several dimensions (`energy / north`), as every
/// engine labels it.
pub const GROUP_SEPARATOR: &str = " / ";

/// How results are grouped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One value for all accounts in scope.
    Portfolio,
    /// One value per value of an `accounts` dimension; several dimensions separated
    /// by commas (`industry,region`, as `--by` writes them) mean one value per
    /// combination of their values, labelled `energy / north`
    /// ([`Scope::dimensions`]).
    By(String),
    /// One value per account.
    PerAccount,
}

impl Scope {
    /// The `accounts` dimensions of a `By` scope, in order (empty for the others).
    pub fn dimensions(&self) -> Vec<&str> {
        match self {
            Scope::By(dims) => dims.split(',').map(str::trim).collect(),
            _ => Vec::new(),
        }
    }

    /// The name of the grouping, as a result row of a run with several groupings
    /// names it: `portfolio`, `account`, or the dimensions (`industry,region`).
    pub fn label(&self) -> String {
        match self {
            Scope::Portfolio => "portfolio".into(),
            Scope::PerAccount => "account".into(),
            Scope::By(_) => self.dimensions().join(","),
        }
    }
}

/// What a KPI's value is compared with (`--compare`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// The period just before, of the same kind and length (2025-Q3 against 2025-Q2).
    #[default]
    Previous,
    /// The same period one year earlier (2025-Q3 against 2024-Q3).
    YearAgo,
}

impl Compare {
    /// The period step of the comparison ([`Period::back`]).
    pub fn step(self) -> u32 {
        match self {
            Compare::Previous => 1,
            Compare::YearAgo => YEAR_AGO,
        }
    }

    /// The comparison as output formats name its column (`previous`, `year_ago`).
    pub fn name(self) -> &'static str {
        match self {
            Compare::Previous => "previous",
            Compare::YearAgo => "year_ago",
        }
    }
}

/// The length of the sub-periods of a time series (`--every`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Month,
    Quarter,
    Year,
}

impl Every {
    /// Months in one sub-period.
    pub fn months(self) -> u32 {
        match self {
            Every::Month => 1,
            Every::Quarter => 3,
            Every::Year => 12,
        }
    }

    /// The name as `--every` writes it.
    pub fn name(self) -> &'static str {
        match self {
            Every::Month => "month",
            Every::Quarter => "quarter",
            Every::Year => "year",
        }
    }
}

/// Keep only accounts whose column equals the value (`--where tier=strategic`;
/// `--account ID` is `account key = ID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub column: String,
    pub value: String,
}

/// What to compute, with the period fixed.
#[derive(Debug, Clone)]
pub struct Query {
    /// KPI ids; empty means every KPI of the catalog.
    pub kpis: Vec<String>,
    pub period: Period,
    pub scope: Scope,
    pub filters: Vec<Filter>,
    /// What each value is compared with.
    pub compare: Compare,
    /// `Some`: a time series, each KPI for each sub-period of `period`
    /// ([`Period::split`]).
    pub every: Option<Every>,
    /// Further groupings computed in the same run over the same data, after `scope`;
    /// each result row then names its grouping ([`ResultRow::grouping`]).
    pub groupings: Vec<Scope>,
}

impl Query {
    /// The base periods: the sub-periods of a time series ([`Period::split`]), else
    /// the period alone.
    pub fn periods(&self) -> Result<Vec<Period>, QueryError> {
        match self.every {
            None => Ok(vec![self.period]),
            Some(e) => self.period.split(e.months(), e.name()).map_err(QueryError),
        }
    }

    /// The KPIs asked for that `catalog` has (every KPI when none is named).
    pub fn asked<'c>(&self, catalog: &'c crate::ir::Catalog) -> Vec<&'c crate::ir::KpiDef> {
        if self.kpis.is_empty() {
            catalog.kpis.values().collect()
        } else {
            self.kpis
                .iter()
                .filter_map(|k| catalog.kpis.get(k))
                .collect()
        }
    }
}

/// What to compute, as a user asks it: the period may be left to the engine, which
/// then takes the latest complete (fiscal) year in the data ([`Period::default_for`]).
#[derive(Debug, Clone)]
pub struct Request {
    /// KPI ids; empty means every KPI of the catalog.
    pub kpis: Vec<String>,
    /// `None`: the latest complete year in the data.
    pub period: Option<Period>,
    /// First month of the fiscal year (1 = January), for the default period.
    pub fiscal_year_start: u32,
    pub scope: Scope,
    pub filters: Vec<Filter>,
    /// What each value is compared with.
    pub compare: Compare,
    /// `Some`: a time series, each KPI for each sub-period of the period.
    pub every: Option<Every>,
    /// Further groupings computed in the same run over the same data, after `scope`.
    pub groupings: Vec<Scope>,
    /// The day the default period is chosen on (`None`: today, by the system clock):
    /// dates after it (a contract's scheduled end, an open-ended 9999-12-31) are not
    /// events yet.
    pub today: Option<chrono::NaiveDate>,
}

impl Request {
    /// The day the default period is chosen on.
    pub fn today(&self) -> chrono::NaiveDate {
        self.today.unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_days(chrono::Days::new(secs / 86_400)))
                .unwrap_or(chrono::NaiveDate::MAX)
        })
    }

    /// The query for a fixed period.
    pub fn with_period(&self, period: Period) -> Query {
        Query {
            kpis: self.kpis.clone(),
            period,
            scope: self.scope.clone(),
            filters: self.filters.clone(),
            compare: self.compare,
            every: self.every,
            groupings: self.groupings.clone(),
        }
    }
}

/// An error about the request rather than a value (unknown KPI, dimension, filter
/// column, a period outside the data, a database that cannot be reached, ...): the
/// same wording whichever engine found it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError(pub String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl From<String> for QueryError {
    fn from(s: String) -> Self {
        QueryError(s)
    }
}
