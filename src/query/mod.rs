//! What every engine is asked and answers: the request (KPIs, period, scope, account
//! filters), its validation against the catalog, periods, and results with the reasons
//! for missing values.
//!
//! The native engine (`eval`), the SQL compiler (`sql`) and the database engines
//! (`engine`) all read these types; none of them imports another to learn what a
//! request means. A request is validated here, once, with one wording for every engine
//! ([`validate`]).

mod calendar;
pub mod missing;
mod needs;
mod period;
mod results;
mod validate;

pub use needs::{Unavailable, split_available, tables_needed, tables_read};
pub use period::{DateBound, MAX_YEAR, MIN_YEAR, Period};
pub use results::{Output, ResultRow, Results, change};
pub use validate::{Validated, validate};

use serde::Serialize;

/// How results are grouped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One value for all accounts in scope.
    Portfolio,
    /// One value per value of an `accounts` dimension.
    By(String),
    /// One value per account.
    PerAccount,
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
