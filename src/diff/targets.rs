//! A KPI's target and status thresholds compared as checked (so a target written
//! another way, or attached by another item, compares by what it means): metadata
//! that changes output, never a change of the KPI's value, each difference in one
//! line (`target 30% → 35%`, `status amber 90% → 85%`).

use super::canon::same_shallow;
use super::compare::detail;
use super::report::{Class, Detail};
use crate::ir::{Amount, KpiDef, Target, TargetKind, Thresholds, Unit};
use crate::render::value::exact;
use std::collections::HashMap;

/// Whether target and status are plainly the same (none, or one fixed value, on both
/// sides and the same thresholds): the usual case, settled without writing any text.
/// `false` means "look closer" ([`compare`]), not "differs".
pub fn unchanged(w: &KpiDef, k: &KpiDef) -> bool {
    w.status == k.status
        && match (w.target.as_ref(), k.target.as_ref()) {
            (None, None) => true,
            (Some(a), Some(b)) => match (&a.kind, &b.kind) {
                (TargetKind::Fixed(x), TargetKind::Fixed(y)) => x == y,
                _ => false,
            },
            _ => false,
        }
}

/// The differences of target and status between `w` (old) and `k` (new); `rename`
/// maps old names to new, for a target formula naming a renamed item.
pub fn compare(
    w: &KpiDef,
    k: &KpiDef,
    rename: &HashMap<String, String>,
    details: &mut Vec<Detail>,
) {
    if !same_target(w.target.as_ref(), k.target.as_ref(), rename) {
        details.push(detail(
            Class::Output,
            format!(
                "target {} → {}",
                target(w.target.as_ref(), w.unit),
                target(k.target.as_ref(), k.unit)
            ),
        ));
    }
    match (&w.status, &k.status) {
        (Some(a), Some(b)) if a == b && w.unit == k.unit => {}
        (Some(a), Some(b)) if a.absolute == b.absolute => {
            let mut parts = Vec::new();
            if a.green != b.green {
                parts.push(format!(
                    "green {} → {}",
                    threshold(a, a.green, w.unit),
                    threshold(b, b.green, k.unit)
                ));
            }
            if a.amber != b.amber {
                parts.push(format!(
                    "amber {} → {}",
                    threshold(a, a.amber, w.unit),
                    threshold(b, b.amber, k.unit)
                ));
            }
            if !parts.is_empty() {
                details.push(detail(
                    Class::Output,
                    format!("status {}", parts.join(", ")),
                ));
            }
        }
        (None, None) => {}
        (a, b) => details.push(detail(
            Class::Output,
            format!(
                "status {} → {}",
                status(a.as_ref(), w.unit),
                status(b.as_ref(), k.unit)
            ),
        )),
    }
}

/// Whether two targets mean the same: values compared as numbers, a formula by its
/// checked tree.
fn same_target(a: Option<&Target>, b: Option<&Target>, rename: &HashMap<String, String>) -> bool {
    match (a.map(|t| &t.kind), b.map(|t| &t.kind)) {
        (None, None) => true,
        (Some(TargetKind::Formula(x)), Some(TargetKind::Formula(y))) => same_shallow(x, y, rename),
        (Some(x), Some(y)) => {
            // Written as one line from the checked values, keys in order: equal text,
            // equal values (every digit kept), whatever the layout, the order of the
            // keys or the way a number was written.
            target_text(x, Unit::Number, true) == target_text(y, Unit::Number, true)
        }
        _ => false,
    }
}

/// A target as shown: `none`, `30%`, `by accounts.tier { "key": 30%, else: 25% }`.
fn target(t: Option<&Target>, unit: Unit) -> String {
    match t {
        None => "none".into(),
        Some(Target {
            kind: TargetKind::Formula(_),
            source,
            ..
        }) => format!("`{}`", crate::fmt::one_line(source)),
        Some(t) => target_text(&t.kind, unit, false),
    }
}

/// A target's values in one line; `sorted`: its keys in order (to compare).
fn target_text(kind: &TargetKind, unit: Unit, sorted: bool) -> String {
    let amount = |a: &Amount| exact(a.value, unit);
    let otherwise = |o: &Option<Amount>| o.as_ref().map(|a| format!("else: {}", amount(a)));
    match kind {
        TargetKind::Fixed(a) => amount(a),
        TargetKind::BySegment {
            column,
            values,
            otherwise: o,
        } => {
            let mut parts: Vec<String> = values
                .iter()
                .map(|(key, a)| format!("{key:?}: {}", amount(a)))
                .collect();
            if sorted {
                parts.sort();
            }
            parts.extend(otherwise(o));
            format!("by accounts.{column} {{ {} }}", parts.join(", "))
        }
        TargetKind::ByPeriod {
            values,
            otherwise: o,
        } => {
            let mut parts: Vec<String> = values
                .iter()
                .map(|(_, _, label, a)| format!("{label:?}: {}", amount(a)))
                .collect();
            if sorted {
                parts.sort();
            }
            parts.extend(otherwise(o));
            format!("by period {{ {} }}", parts.join(", "))
        }
        TargetKind::Formula(_) => "a formula".into(),
    }
}

/// A threshold as shown: a percentage of the target, or a value in the KPI's unit.
fn threshold(t: &Thresholds, a: Amount, unit: Unit) -> String {
    if t.absolute {
        exact(a.value, unit)
    } else {
        exact(a.value, Unit::Percent)
    }
}

fn status(t: Option<&Thresholds>, unit: Unit) -> String {
    match t {
        None => "none".into(),
        Some(t) => format!(
            "{{ green: {}, amber: {}{} }}",
            threshold(t, t.green, unit),
            threshold(t, t.amber, unit),
            if t.absolute { ", absolute" } else { "" }
        ),
    }
}
