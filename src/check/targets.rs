//! Lowering a KPI's `target:` and `status:` fields: each target value checked against
//! the KPI's unit (K0501), the shape of a per-segment or per-period target (K0502),
//! and the status thresholds against the KPI's direction (K0503).

use super::fields::Fields;
use super::typing::{Env, type_formula};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Amount, Catalog, Direction, Target, TargetKind, Thresholds, Type, Unit};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{Expr, ExprKind, Field, MapEntry, Value};
use crate::vocab::UnaryOp;

/// What a KPI's definition says about its target and status.
pub struct KpiContext<'a> {
    pub id: &'a str,
    pub unit: Unit,
    pub better: Direction,
}

/// The KPI's target and thresholds, `(None, None)` when it declares neither (or
/// they had errors, reported).
pub fn lower_targets(
    f: &Fields,
    kpi: &KpiContext,
    env: &Env,
    catalog: &Catalog,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> (Option<Target>, Option<Thresholds>) {
    let fields = TargetFields {
        target: f.get("target"),
        status: f.get("status"),
    };
    lower_target_fields(&fields, kpi, env, catalog, sources, diags)
}

/// The two fields that say a target and its thresholds: a KPI's `target:` and
/// `status:`, or a `target` item's `value:` and `status:`.
pub struct TargetFields<'a> {
    pub target: Option<&'a Field>,
    pub status: Option<&'a Field>,
}

/// As [`lower_targets`], from the fields wherever they are written: a `target` item's
/// are checked exactly as if written on its KPI.
pub fn lower_target_fields(
    fields: &TargetFields,
    kpi: &KpiContext,
    env: &Env,
    catalog: &Catalog,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> (Option<Target>, Option<Thresholds>) {
    let target = fields.target.and_then(|field| {
        let kind = target_kind(&field.value, kpi, env, catalog, diags)?;
        let source = crate::fmt::one_line(sources.text(field.value.span()));
        Some(Target {
            kind,
            source,
            origin: None,
        })
    });
    let status = match fields.status {
        // A target with errors was reported: no second error for want of it.
        Some(field) => thresholds(&field.value, kpi, fields.target.is_some(), diags),
        None => target.as_ref().map(|_| Thresholds::default_for(kpi.better)),
    };
    (target, status)
}

fn target_kind(
    value: &Value,
    kpi: &KpiContext,
    env: &Env,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Option<TargetKind> {
    match value {
        Value::Expr(e) => match literal(e) {
            Some(_) => amount(e, kpi, "target", diags).map(TargetKind::Fixed),
            None => formula(e, kpi, env, diags).map(TargetKind::Formula),
        },
        Value::List { span, .. } => {
            diags.push(invalid(
                *span,
                "a target is one value, a map or a formula, not a list",
                "write `target: 30%`, `target: by accounts.segment { \"enterprise\": 35%, else: 25% }` or `target: by period { 2025: 28% }`",
            ));
            None
        }
        Value::Map { by: None, span, .. } => {
            diags.push(invalid(
                *span,
                "a target map says what it is keyed by",
                "write `by accounts.DIMENSION { ... }` or `by period { ... }`",
            ));
            None
        }
        Value::Map {
            by: Some(by),
            entries,
            ..
        } => keyed(by, entries, kpi, catalog, diags),
    }
}

/// `by accounts.DIMENSION { ... }` or `by period { ... }`.
fn keyed(
    by: &Expr,
    entries: &[MapEntry],
    kpi: &KpiContext,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Option<TargetKind> {
    let ExprKind::Path {
        head, member, hops, ..
    } = &by.kind
    else {
        diags.push(invalid(by.span, "not a dimension", BY_HELP));
        return None;
    };
    let is_period = head.name == "period" && member.is_none();
    let column = match (head.name.as_str(), member, hops.is_empty()) {
        _ if is_period => None,
        ("accounts", Some(col), true) => {
            let decl = catalog
                .tables
                .get("accounts")
                .and_then(|t| t.columns.get(&col.name));
            match decl {
                Some(c) if c.dimension => Some(col.name.clone()),
                Some(_) => {
                    diags.push(invalid(
                        by.span,
                        &format!("`accounts.{}` is not a dimension", col.name),
                        "mark the column `dimension` in the `accounts` table",
                    ));
                    return None;
                }
                None => {
                    diags.push(invalid(
                        by.span,
                        &format!("no column `accounts.{}`", col.name),
                        BY_HELP,
                    ));
                    return None;
                }
            }
        }
        _ => {
            diags.push(invalid(by.span, "not a dimension of `accounts`", BY_HELP));
            return None;
        }
    };
    let mut otherwise = None;
    let mut keys: Vec<(String, Span, Amount)> = Vec::new();
    let mut periods = Vec::new();
    let mut ok = true;
    for entry in entries {
        let Some(value) = &entry.value else {
            diags.push(invalid(
                entry.span,
                "an entry without a value",
                "write `KEY: VALUE`",
            ));
            ok = false;
            continue;
        };
        let amount = amount(value, kpi, "target", diags);
        ok &= amount.is_some();
        let key = match &entry.key.kind {
            ExprKind::Path { head, .. } if head.name == "else" => {
                if otherwise.is_some() {
                    diags.push(invalid(entry.key.span, "`else` given twice", "keep one"));
                    ok = false;
                }
                otherwise = amount;
                continue;
            }
            ExprKind::Text(t) => t.clone(),
            ExprKind::Number { text, .. } if is_period => text.clone(),
            _ => {
                let what = if is_period {
                    "a period key is a year (`2025`) or a period in quotes (`\"2025-Q1\"`)"
                } else {
                    "a segment key is a value in quotes (`\"enterprise\"`) or `else`"
                };
                diags.push(invalid(entry.key.span, "not a key", what));
                ok = false;
                continue;
            }
        };
        if let Some((_, first, _)) = keys.iter().find(|(k, _, _)| *k == key) {
            diags.push(
                invalid(
                    entry.key.span,
                    &format!("`{key}` is given twice"),
                    "keep one value per key",
                )
                .with(*first, "first here"),
            );
            ok = false;
            continue;
        }
        if is_period {
            match crate::query::Period::parse(&key, 1) {
                Ok(p) => {
                    if let Some(a) = amount {
                        periods.push((p.start, p.end, p.label(), a));
                    }
                }
                Err(e) => {
                    diags.push(invalid(
                        entry.key.span,
                        "not a period",
                        &format!("{e}; a quarter or month goes in quotes"),
                    ));
                    ok = false;
                }
            }
        }
        if let Some(a) = amount {
            keys.push((key, entry.key.span, a));
        }
    }
    if !ok {
        return None;
    }
    Some(match column {
        Some(column) => TargetKind::BySegment {
            column,
            values: keys.into_iter().map(|(k, _, a)| (k, a)).collect(),
            otherwise,
        },
        None => TargetKind::ByPeriod {
            values: periods,
            otherwise,
        },
    })
}

const BY_HELP: &str =
    "a target is keyed `by accounts.DIMENSION` (a `dimension` column of `accounts`) or `by period`";

/// A formula target: it must yield a number in the KPI's unit.
fn formula(
    e: &Expr,
    kpi: &KpiContext,
    env: &Env,
    diags: &mut Vec<Diagnostic>,
) -> Option<crate::ir::TExpr> {
    let typed = type_formula(env, e, diags);
    match typed.expr.ty {
        Type::Number(dim) if kpi.unit.accepts(dim) => Some(typed.expr),
        Type::Error => None,
        Type::Number(dim) => {
            diags.push(
                Diagnostic::error(
                    Code::TargetUnit,
                    e.span,
                    format!(
                        "the target yields {}, but `{}` is declared `{}`",
                        dim.name(),
                        kpi.id,
                        kpi.unit.as_str()
                    ),
                )
                .label(format!("this is {}", dim.name()))
                .help("a target is in the KPI's own unit; read a column of that unit"),
            );
            None
        }
        ty => {
            diags.push(
                Diagnostic::error(
                    Code::TargetUnit,
                    e.span,
                    format!("the target is {}, not a number", ty.describe()),
                )
                .label("not a number")
                .help("a target is a number in the KPI's unit, e.g. `avg(plans.win_rate)`"),
            );
            None
        }
    }
}

/// A number literal, possibly negative: its text (without `%`), value and whether it
/// is a percentage.
fn literal(e: &Expr) -> Option<(String, f64, bool)> {
    match &e.kind {
        ExprKind::Number {
            text,
            value,
            percent,
        } => Some((text.trim_end_matches('%').to_string(), *value, *percent)),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => literal(operand).map(|(t, v, p)| (format!("-{t}"), -v, p)),
        _ => None,
    }
}

/// A literal target or threshold value, checked against the KPI's unit (K0501).
fn amount(e: &Expr, kpi: &KpiContext, field: &str, diags: &mut Vec<Diagnostic>) -> Option<Amount> {
    let Some((text, value, percent)) = literal(e) else {
        diags.push(invalid(
            e.span,
            &format!("a {field} value here is a number"),
            "write a number such as 1200 or 35%",
        ));
        return None;
    };
    let unit = kpi.unit;
    let mismatch = |msg: String, help: String| {
        Diagnostic::error(Code::TargetUnit, e.span, msg)
            .label(format!("`{}` is `{}`", kpi.id, unit.as_str()))
            .help(help)
    };
    match (unit, percent) {
        (Unit::Percent, false) => {
            diags.push(mismatch(
                format!("`{}` is a percentage; write this {field} with `%`", kpi.id),
                format!(
                    "write `{text}%` for {text} percent; a bare `{text}` is the fraction {text}, {}%",
                    trim(value * 100.0)
                ),
            ));
            return None;
        }
        (Unit::Percent | Unit::Ratio, _) => {}
        (_, true) => {
            diags.push(mismatch(
                format!(
                    "a percentage is not {}: `{}` is declared `{}`",
                    unit.dim().name(),
                    kpi.id,
                    unit.as_str()
                ),
                format!("write the {field} in {} without `%`", unit.dim().name()),
            ));
            return None;
        }
        _ => {}
    }
    let money = if unit == Unit::Money {
        match crate::query::Money::parse(&text) {
            Some(m) => Some(m.ten_thousandths()),
            None => {
                diags.push(mismatch(
                    format!("`{text}` is not an amount of money"),
                    "money has at most four decimals".into(),
                ));
                return None;
            }
        }
    } else {
        None
    };
    Some(Amount { value, money })
}

fn trim(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `status: { green: 100%, amber: 90% }` (fractions of the target) or
/// `status: { green: 30%, amber: 25%, absolute }` (values in the KPI's unit).
fn thresholds(
    value: &Value,
    kpi: &KpiContext,
    has_target: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<Thresholds> {
    let (by, entries, span) = match value {
        Value::Map { by, entries, span } => (by, entries, *span),
        other => {
            diags.push(status_error(
                other.span(),
                "`status` is a map of thresholds",
                STATUS_HELP,
            ));
            return None;
        }
    };
    if let Some(by) = by {
        diags.push(status_error(
            by.span,
            "thresholds are not keyed by anything",
            STATUS_HELP,
        ));
        return None;
    }
    let absolute = entries.iter().any(|e| {
        e.value.is_none()
            && matches!(&e.key.kind, ExprKind::Path { head, .. } if head.name == "absolute")
    });
    let (mut green, mut amber) = (None, None);
    let mut ok = true;
    for entry in entries {
        let name = match &entry.key.kind {
            ExprKind::Path { head, .. } => head.name.as_str(),
            _ => "",
        };
        let slot = match (name, &entry.value) {
            ("absolute", None) => continue,
            ("green", Some(v)) => (&mut green, v),
            ("amber", Some(v)) => (&mut amber, v),
            _ => {
                diags.push(status_error(entry.span, "not a threshold", STATUS_HELP));
                ok = false;
                continue;
            }
        };
        let amount = if absolute {
            amount(slot.1, kpi, "threshold", diags)
        } else {
            relative(slot.1, diags)
        };
        ok &= amount.is_some();
        *slot.0 = amount;
    }
    if !ok {
        return None;
    }
    let (Some(green), Some(amber)) = (green, amber) else {
        diags.push(status_error(
            span,
            "`status` needs both `green` and `amber`",
            STATUS_HELP,
        ));
        return None;
    };
    if !absolute && !has_target {
        diags.push(status_error(
            span,
            "relative thresholds need a target",
            "add `target: ...`, or make the thresholds values with `absolute`",
        ));
        return None;
    }
    let in_order = match kpi.better {
        Direction::Higher => green.value >= amber.value,
        Direction::Lower => green.value <= amber.value,
    };
    if !in_order {
        let (word, help) = match kpi.better {
            Direction::Higher => (
                "higher",
                "higher is better: green is at or above amber (`green: 100%, amber: 90%`)",
            ),
            Direction::Lower => (
                "lower",
                "lower is better: green is at or below amber (`green: 100%, amber: 110%`)",
            ),
        };
        diags.push(status_error(
            span,
            &format!("`green` is past `amber` the wrong way for `better: {word}`"),
            help,
        ));
        return None;
    }
    Some(Thresholds {
        green,
        amber,
        absolute,
    })
}

const STATUS_HELP: &str = "write `status: { green: 100%, amber: 90% }` (fractions of the target) or `status: { green: 30%, amber: 25%, absolute }` (values)";

/// A threshold relative to the target: a percentage of it.
fn relative(e: &Expr, diags: &mut Vec<Diagnostic>) -> Option<Amount> {
    match literal(e) {
        Some((_, value, true)) => Some(Amount { value, money: None }),
        _ => {
            diags.push(status_error(
                e.span,
                "a threshold relative to the target is a percentage of it",
                "e.g. `green: 100%, amber: 90%`; add `absolute` for thresholds in the KPI's unit",
            ));
            None
        }
    }
}

fn invalid(span: Span, msg: &str, help: &str) -> Diagnostic {
    Diagnostic::error(Code::InvalidTarget, span, format!("invalid target: {msg}"))
        .label(msg.to_string())
        .help(help.to_string())
}

fn status_error(span: Span, msg: &str, help: &str) -> Diagnostic {
    Diagnostic::error(Code::InvalidStatus, span, format!("invalid status: {msg}"))
        .label(msg.to_string())
        .help(help.to_string())
}
