//! A diagnostic rule (`rule NAME { ... }`), as checked: its condition over KPI values
//! and its message with the values it shows.

use super::{TExpr, Unit};
use crate::source::Span;
use crate::vocab::Severity;
use serde::Serialize;

/// A checked rule. Its condition and placeholders name only KPIs (their values in the
/// request's period, and `previous(KPI)`: their values in the period compared with),
/// so it is evaluated from the result rows of any engine (`query::apply_rules`).
#[derive(Debug, Clone, Serialize)]
pub struct RuleDef {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    /// True/false: the rule fires when it is true.
    pub condition: TExpr,
    /// The condition as written, on one line.
    pub condition_source: String,
    /// The message: text and the values it shows.
    pub message: Vec<MessagePart>,
    pub description: Option<String>,
    /// Every KPI the condition and the message read, in order of first use, each once:
    /// the rule is evaluated only where all of them were computed.
    pub kpis: Vec<String>,
    pub file: String,
    pub span: Span,
}

/// A piece of a rule's message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessagePart {
    /// Text as written (`{{` and `}}` already read as braces).
    Text(String),
    /// `{expression}`: a value shown in `unit`.
    Value {
        expr: TExpr,
        /// The unit it is shown in: a KPI's own, or what the arithmetic yields.
        unit: Unit,
        /// The expression as written.
        source: String,
    },
}
