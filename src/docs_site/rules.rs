//! The rules that mention a KPI, for the KPI's page.
//!
//! RULES PLUG-IN: the `rule` item kind (issue 14, "Diagnostic rules") is being added
//! beside this site. When the checked catalog holds rules, [`mentioning`] returns each
//! rule whose condition or message names the KPI, and the page lists them (`kpi_page.rs`
//! already renders the list); nothing else in the site needs to change.

use crate::ir::Catalog;

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

/// The rules of `catalog` that mention KPI `kpi`, in catalog order. The catalog has no
/// rules yet: empty until the rule item kind lands (see the module's note).
pub fn mentioning(catalog: &Catalog, kpi: &str) -> Vec<RuleMention> {
    let _ = (catalog, kpi);
    Vec::new()
}
