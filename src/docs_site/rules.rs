//! The rules that mention a KPI, for the KPI's page: each rule whose condition or
//! message reads the KPI (`RuleDef::kpis`).

use crate::ir::{Catalog, MessagePart};

/// A rule that mentions a KPI, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMention {
    /// The rule's id.
    pub id: String,
    /// Its severity as written (e.g. `warning`).
    pub severity: String,
    /// Its condition as written.
    pub condition: String,
    /// Its message as written.
    pub message: String,
    /// The other KPIs the rule names (linked on the page).
    pub kpis: Vec<String>,
}

/// The rules of `catalog` that mention KPI `kpi`, in catalog order.
pub fn mentioning(catalog: &Catalog, kpi: &str) -> Vec<RuleMention> {
    catalog
        .rules
        .iter()
        .filter(|r| r.kpis.iter().any(|k| k == kpi))
        .map(|r| RuleMention {
            id: r.id.clone(),
            severity: r.severity.word().to_string(),
            condition: r.condition_source.clone(),
            message: r
                .message
                .iter()
                .map(|part| match part {
                    MessagePart::Text(text) => text.replace('{', "{{").replace('}', "}}"),
                    MessagePart::Value { source, .. } => format!("{{{source}}}"),
                })
                .collect(),
            kpis: r.kpis.iter().filter(|k| *k != kpi).cloned().collect(),
        })
        .collect()
}
