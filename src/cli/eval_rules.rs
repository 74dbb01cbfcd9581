//! `kpic eval --rules` and `--fail-on-rule`: which KPIs a run computes so that every
//! rule is evaluated, and whether a fired rule fails the run.

use super::eval::Args;
use kpic::query::Results;
use kpic::vocab::Severity;

/// The severity `--fail-on-rule` fails at (or worse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleSeverity {
    /// Fail when any rule fired.
    Info,
    /// Fail when a warning or critical rule fired.
    Warning,
    /// Fail when a critical rule fired.
    Critical,
}

/// The KPIs to compute: those asked for, and with `--rules` the KPIs every rule reads.
pub fn kpis(args: &Args, catalog: &kpic::Catalog) -> Vec<String> {
    if args.rules {
        kpic::query::with_rule_kpis(catalog, &args.kpis)
    } else {
        args.kpis.clone()
    }
}

/// Whether a rule at the `--fail-on-rule` severity or worse fired.
pub fn fails(results: &Results, args: &Args) -> bool {
    let Some(at) = args.fail_on_rule else {
        return false;
    };
    let at = match at {
        RuleSeverity::Info => Severity::Info,
        RuleSeverity::Warning => Severity::Warning,
        RuleSeverity::Critical => Severity::Critical,
    };
    results.rules.iter().any(|o| o.fired && o.severity >= at)
}
