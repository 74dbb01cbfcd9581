//! The answer to a query, the same from every engine: one row per KPI, group and
//! breakdown key, with the period's value, the previous period's and the change.

use super::Scope;
use crate::ir::Unit;
use serde::Serialize;
use std::sync::Arc;

/// One computed value, with the previous period's and the change.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    /// Shared by every row of the KPI (per account, there are millions of rows).
    pub kpi: Arc<str>,
    pub name: Arc<str>,
    pub unit: Unit,
    /// The segment or account (empty for the portfolio), shared by its KPIs' rows.
    pub group: Arc<str>,
    /// The breakdown key, for breakdown KPIs.
    pub breakdown: Option<String>,
    pub value: Output,
    pub previous: Output,
    /// `value - previous`, when both exist.
    pub change: Option<f64>,
}

/// A computed value or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    Value(f64),
    Missing(String),
}

/// The result of a query.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub period: String,
    pub previous_period: String,
    pub scope: Scope,
    pub rows: Vec<ResultRow>,
}
