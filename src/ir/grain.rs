//! Aggregates over members (`avg(x per accounts)`): whose members, and the aggregate.

use super::{AggFunc, TExpr};
use serde::Serialize;

/// Whose members a [`Grain`] aggregates over.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Members {
    /// `per accounts`: each account in scope.
    Accounts,
    /// `per accounts.DIMENSION`: each value of that column among the scope's accounts.
    Dimension(String),
    /// `per TABLE`: each row of that table (it has a key and a relation to accounts)
    /// whose account is in scope and, when the table has a time column, whose time is
    /// in the period.
    Rows(String),
}

impl Members {
    /// As written after `per`.
    pub fn label(&self) -> String {
        match self {
            Members::Accounts => "accounts".into(),
            Members::Dimension(c) => format!("accounts.{c}"),
            Members::Rows(t) => t.clone(),
        }
    }

    /// The table whose row a member is, and whose columns are the member's own
    /// (`None` per dimension: a member is a value, not a row).
    pub fn table(&self) -> Option<&str> {
        match self {
            Members::Accounts => Some("accounts"),
            Members::Dimension(_) => None,
            Members::Rows(t) => Some(t),
        }
    }
}

/// An aggregate over members: `inner` is a scope-level formula evaluated once per
/// member (the scope narrowed to that member), members are kept by `filter` (also
/// per member), members whose inner value is missing are skipped, and `func` folds the
/// rest into one value per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grain {
    /// `Sum`, `Avg`, `Min`, `Max`, `Median`, `Percentile`, `Count` (members whose
    /// inner value is present) or `CountRows` (members kept: `count(accounts per
    /// accounts where ...)`, where `inner` is `None`).
    pub func: AggFunc,
    pub members: Members,
    pub inner: Option<TExpr>,
    /// For `percentile`, the fraction (0..=1).
    pub fraction: Option<f64>,
    pub filter: Option<TExpr>,
}
