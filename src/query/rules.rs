//! Diagnostic rules evaluated over the result rows, once, after any engine returned
//! (as targets are, in `status.rs`): for every scope row (group, grouping, sub-period)
//! each rule whose KPIs the results hold says whether it fired, with its message, or
//! why it was not evaluated. `Results::rules` holds the outcomes.

use super::{Output, ResultRow, Results};
use crate::eval::Val;
use crate::ir::{Catalog, MessagePart, RuleDef, TExpr, TExprKind, Unit};
use crate::vocab::Severity;
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One rule over one scope row: fired with its message, did not fire, or was not
/// evaluated (an input is missing) and why.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOutcome {
    /// The rule's id.
    pub rule: Arc<str>,
    pub name: Arc<str>,
    pub severity: Severity,
    /// In a run of several groupings, the grouping of `group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouping: Option<Arc<str>>,
    /// The segment or account (empty for the portfolio).
    pub group: Arc<str>,
    /// In a time series, the sub-period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Arc<str>>,
    /// Whether the condition was true (false also when not evaluated).
    pub fired: bool,
    /// The message with its values, when it fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why the rule was not evaluated: `churn_rate missing (no rows)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_evaluated: Option<String>,
}

/// The KPIs a run needs so that every rule of the catalog is evaluated (`kpic eval
/// --rules`): `kpis` (every KPI when empty, as a request reads it) followed by the
/// rules' KPIs not in it yet.
pub fn with_rule_kpis(catalog: &Catalog, kpis: &[String]) -> Vec<String> {
    if kpis.is_empty() {
        return Vec::new();
    }
    let mut out = kpis.to_vec();
    for k in catalog.rules.iter().flat_map(|r| &r.kpis) {
        if !out.contains(k) {
            out.push(k.clone());
        }
    }
    out
}

/// Evaluates the rules whose KPIs all were asked for (computed, or listed as
/// unavailable) over every scope row of `results`, into `results.rules`.
pub fn apply_rules(catalog: &Catalog, results: &mut Results) {
    if catalog.rules.is_empty() {
        return;
    }
    let unavailable: HashMap<&str, &str> = results
        .unavailable
        .iter()
        .map(|u| (u.kpi.as_str(), u.reason.as_str()))
        .collect();
    let present: HashSet<&str> = results.rows.iter().map(|r| &*r.kpi).collect();
    let rules: Vec<(&RuleDef, Vec<Input>)> = catalog
        .rules
        .iter()
        .filter(|r| {
            !r.kpis.is_empty()
                && r.kpis
                    .iter()
                    .all(|k| present.contains(k.as_str()) || unavailable.contains_key(k.as_str()))
        })
        .map(|r| (r, inputs(r)))
        .collect();
    if rules.is_empty() {
        return;
    }
    // Scope rows in the order the results first name them; a breakdown KPI's rows are
    // per key, not per scope (the checker keeps rules off breakdown KPIs).
    type Key = (Option<Arc<str>>, Arc<str>, Option<Arc<str>>);
    let mut scopes: IndexMap<Key, HashMap<&str, &ResultRow>> = IndexMap::new();
    for row in results.rows.iter().filter(|r| r.breakdown.is_none()) {
        scopes
            .entry((row.grouping.clone(), row.group.clone(), row.period.clone()))
            .or_default()
            .insert(&row.kpi, row);
    }
    let mut outcomes = Vec::with_capacity(scopes.len() * rules.len());
    for ((grouping, group, period), values) in &scopes {
        for (rule, inputs) in &rules {
            let mut outcome = RuleOutcome {
                rule: rule.id.as_str().into(),
                name: rule.name.as_str().into(),
                severity: rule.severity,
                grouping: grouping.clone(),
                group: group.clone(),
                period: period.clone(),
                fired: false,
                message: None,
                not_evaluated: None,
            };
            match evaluate(rule, inputs, values, &unavailable) {
                Ok(true) => {
                    outcome.fired = true;
                    outcome.message = Some(message(rule, values));
                }
                Ok(false) => {}
                Err(why) => outcome.not_evaluated = Some(why),
            }
            outcomes.push(outcome);
        }
    }
    results.rules = outcomes;
}

/// A value a rule reads: a KPI in the period (`previous: false`) or in the period
/// compared with.
#[derive(Debug, Clone, PartialEq)]
struct Input {
    kpi: String,
    previous: bool,
}

/// Every value the condition and the message read, in order, each once.
fn inputs(rule: &RuleDef) -> Vec<Input> {
    let mut out: Vec<Input> = Vec::new();
    let mut stack: Vec<(&TExpr, bool)> = vec![(&rule.condition, false)];
    for part in rule.message.iter().rev() {
        if let MessagePart::Value { expr, .. } = part {
            stack.push((expr, false));
        }
    }
    stack.reverse();
    while let Some((e, previous)) = stack.pop() {
        match &e.kind {
            TExprKind::Ref(kpi) => {
                let input = Input {
                    kpi: kpi.clone(),
                    previous,
                };
                if !out.contains(&input) {
                    out.push(input);
                }
            }
            TExprKind::Previous(inner) => stack.push((inner, true)),
            _ => stack.extend(e.operands().into_iter().rev().map(|o| (o, previous))),
        }
    }
    out
}

/// Whether the condition holds in one scope row, or why it could not be told.
fn evaluate(
    rule: &RuleDef,
    inputs: &[Input],
    values: &HashMap<&str, &ResultRow>,
    unavailable: &HashMap<&str, &str>,
) -> Result<bool, String> {
    let mut why = Vec::new();
    for input in inputs {
        let name = match input.previous {
            true => format!("previous({})", input.kpi),
            false => input.kpi.clone(),
        };
        match values.get(input.kpi.as_str()) {
            None => why.push(match unavailable.get(input.kpi.as_str()) {
                Some(reason) => format!("{name} not computed ({reason})"),
                None => format!("{name} not computed for this group"),
            }),
            Some(row) => {
                if let Output::Missing(reason) = pick(row, input.previous) {
                    why.push(format!("{name} missing ({reason})"));
                }
            }
        }
    }
    if !why.is_empty() {
        return Err(why.join("; "));
    }
    match value(&rule.condition, values) {
        Val::Bool(b) => Ok(b),
        Val::Missing(reason) => Err(format!("the condition is missing ({reason})")),
        _ => Err("the condition is not true or false".into()),
    }
}

/// A row's value in the period or in the period compared with.
fn pick(row: &ResultRow, previous: bool) -> &Output {
    if previous { &row.previous } else { &row.value }
}

/// An expression of a rule over one scope row's values, by the scope-level rules of
/// the native engine (`eval::scalar`), so that missing values, division by zero and
/// three-valued `and`/`or` behave as in formulas. Post-order over an explicit stack.
fn value(e: &TExpr, values: &HashMap<&str, &ResultRow>) -> Val {
    let read = |kpi: &str, previous: bool| match values.get(kpi).map(|r| pick(r, previous)) {
        Some(Output::Value(v)) => Val::Num(*v),
        Some(Output::Money(m)) => Val::Money(*m),
        _ => Val::missing(super::missing::SET_MISSING),
    };
    let mut stack: Vec<(&TExpr, bool)> = vec![(e, false)];
    let mut done: Vec<Val> = Vec::new();
    while let Some((e, visited)) = stack.pop() {
        match &e.kind {
            TExprKind::Number(x) => done.push(Val::Num(*x)),
            TExprKind::Bool(b) => done.push(Val::Bool(*b)),
            TExprKind::Missing => done.push(Val::missing(super::missing::SET_MISSING)),
            TExprKind::Ref(kpi) => done.push(read(kpi, false)),
            TExprKind::Previous(inner) => done.push(match &inner.kind {
                TExprKind::Ref(kpi) => read(kpi, true),
                _ => Val::missing("invalid expression"),
            }),
            _ if !visited => {
                stack.push((e, true));
                stack.extend(e.operands().into_iter().rev().map(|o| (o, false)));
            }
            _ => {
                let n = e.operands().len().min(done.len());
                let kids = done.split_off(done.len() - n);
                let refs: Vec<&Val> = kids.iter().collect();
                done.push(crate::eval::combine(e, &refs));
            }
        }
    }
    done.pop().unwrap_or(Val::missing("invalid expression"))
}

/// The message with its values, each shown in its unit by the one formatter of values
/// (`render::value`).
fn message(rule: &RuleDef, values: &HashMap<&str, &ResultRow>) -> String {
    use crate::render::value::{format_money, format_value};
    let mut out = String::new();
    for part in &rule.message {
        match part {
            MessagePart::Text(t) => out.push_str(t),
            MessagePart::Value { expr, unit, .. } => match value(expr, values) {
                Val::Num(x) => out.push_str(&format_value(x, *unit)),
                Val::Money(m) if *unit == Unit::Money => out.push_str(&format_money(m)),
                Val::Money(m) => out.push_str(&format_value(m.to_f64(), *unit)),
                Val::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                Val::Missing(reason) => out.push_str(&format!("missing ({reason})")),
                Val::Date(_) | Val::Text(_) => out.push('?'),
            },
        }
    }
    out
}
