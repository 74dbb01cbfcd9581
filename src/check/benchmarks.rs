//! Lowering benchmark items: the KPI they refer to, a value or a range, and the value
//! checked against the KPI's unit; what they apply to (`applies_to`, `period`), checked
//! against the `accounts` table (K0504) and the period lengths (K0505).

use super::Set;
use super::fields::{Fields, as_word};
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{Block, Expr, ExprKind};
use crate::vocab::BinaryOp;
use crate::vocab::ItemKind;

/// A benchmark item, its value checked against the KPI's unit.
pub fn lower_benchmark(
    b: &Block,
    catalog: &Catalog,
    kpi_ids: &Set<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<BenchmarkDef> {
    let f = Fields::new(b, ItemKind::Benchmark, diags);
    f.require(diags);
    let kpi = f.word("kpi", diags)?;
    if !kpi_ids.contains(kpi.name.as_str()) {
        let close = closest(&kpi.name, kpi_ids.iter().copied());
        let hint = close
            .as_deref()
            .map(mean)
            .unwrap_or_else(|| "name a declared KPI".into());
        diags.push(
            Diagnostic::error(
                Code::UnknownName,
                kpi.span,
                format!("no KPI named `{}`", kpi.name),
            )
            .label("unknown KPI")
            .help(hint)
            .fix_name(kpi.span, close.as_deref()),
        );
        return None;
    }
    let value = f.number("value", diags);
    let low = f.number("low", diags);
    let high = f.number("high", diags);
    match (&value, &low, &high) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => {}
        _ => diags.push(
            Diagnostic::error(
                Code::MissingField,
                b.name.span,
                "a benchmark has either `value` or both `low` and `high`",
            )
            .label("give one value or a range")
            .help("e.g. `value: 21%`, or `low: 15%` and `high: 25%`"),
        ),
    }
    if let (Some((lo, _, _)), Some((hi, _, e))) = (&low, &high)
        && lo > hi
    {
        diags.push(
            Diagnostic::error(Code::InvalidValue, e.span, "`high` is below `low`")
                .label("the range is reversed")
                .help("swap `low` and `high`"),
        );
    }
    if let Some(def) = catalog.kpis.get(&kpi.name) {
        for (_, percent, e) in [&value, &low, &high].into_iter().flatten() {
            let plain = matches!(def.unit, Unit::Percent | Unit::Ratio | Unit::Number);
            if *percent && !plain {
                diags.push(
                    Diagnostic::error(
                        Code::DeclaredUnit,
                        e.span,
                        format!(
                            "a percentage for `{}`, which is measured in {}",
                            def.id,
                            def.unit.as_str()
                        ),
                    )
                    .label("a percentage")
                    .help(format!("give the benchmark in {}", def.unit.as_str())),
                );
            } else if def.unit == Unit::Percent && !*percent {
                diags.push(
                    Diagnostic::error(
                        Code::DeclaredUnit,
                        e.span,
                        format!(
                            "`{}` is a percent KPI; write the benchmark with `%`",
                            def.id
                        ),
                    )
                    .label("a plain number")
                    .help("e.g. `value: 21%` (not 21 or 0.21), so the unit is unmistakable"),
                );
            }
        }
    }
    Some(BenchmarkDef {
        id: b.name.name.clone(),
        kpi: kpi.name,
        value: value.map(|v| v.0),
        low: low.map(|v| v.0),
        high: high.map(|v| v.0),
        segment: f.text("segment", diags),
        applies_to: f
            .expr("applies_to", diags)
            .and_then(|e| applies_to(e, catalog, diags))
            .unwrap_or_default(),
        period: f
            .word("period", diags)
            .and_then(|w| period_basis(&w.name, w.span, diags)),
        source: f.text("source", diags)?,
        url: f.text("url", diags),
        as_of: f.date("as_of", diags),
        note: f.text("note", diags),
        span: b.name.span,
    })
}

const APPLIES_HELP: &str = "write `applies_to: accounts.COLUMN == \"VALUE\"` (several joined by `and`), or `applies_to: any`";

/// The conditions of `applies_to`: `any` (none), or `accounts.COLUMN == "VALUE"`
/// joined by `and`, each column a text column of `accounts` given once. `None` after a
/// diagnostic.
fn applies_to(
    e: &Expr,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<SegmentValue>> {
    if let ExprKind::Path {
        head, member: None, ..
    } = &e.kind
        && head.name == "any"
    {
        return Some(Vec::new());
    }
    let mut conditions: Vec<SegmentValue> = Vec::new();
    let mut stack = vec![e];
    let mut parts = Vec::new();
    // `a and b and c` nests to the left; walk it into its conditions, in source order.
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::And,
                left,
                right,
                ..
            } => {
                stack.push(right);
                stack.push(left);
            }
            _ => parts.push(e),
        }
    }
    let mut ok = true;
    for part in parts {
        match condition(part, catalog, diags) {
            Some((c, span)) => {
                if conditions.iter().any(|d| d.column == c.column) {
                    diags.push(scope_error(
                        span,
                        format!("`accounts.{}` is named twice", c.column),
                        "named again",
                        "an account has one value per column: keep one condition per column",
                    ));
                    ok = false;
                } else {
                    conditions.push(c);
                }
            }
            None => ok = false,
        }
    }
    ok.then_some(conditions)
}

/// One `accounts.COLUMN == "VALUE"`, with the span of its column.
fn condition(
    e: &Expr,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Option<(SegmentValue, Span)> {
    let ExprKind::Binary {
        op: BinaryOp::Eq,
        left,
        right,
        ..
    } = &e.kind
    else {
        diags.push(scope_error(
            e.span,
            "not a condition on accounts".into(),
            "not `accounts.COLUMN == \"VALUE\"`",
            APPLIES_HELP,
        ));
        return None;
    };
    let column = match &left.kind {
        ExprKind::Path {
            head,
            member: Some(col),
            hops,
        } if head.name == "accounts" && hops.is_empty() => col,
        _ => {
            diags.push(scope_error(
                left.span,
                "not a column of `accounts`".into(),
                "not `accounts.COLUMN`",
                APPLIES_HELP,
            ));
            return None;
        }
    };
    let accounts = catalog.tables.get("accounts");
    match accounts.and_then(|t| t.columns.get(&column.name)) {
        Some(c) if c.ty == ColumnType::Text => {}
        Some(c) => {
            diags.push(scope_error(
                left.span,
                format!(
                    "`accounts.{}` is {}, not text",
                    column.name,
                    c.ty.as_str()
                ),
                &format!("a {} column", c.ty.as_str()),
                "a benchmark applies to accounts by a text column, as `--where` and `--by` select them",
            ));
            return None;
        }
        None => {
            let close = accounts.and_then(|t| {
                closest(
                    &column.name,
                    t.columns
                        .values()
                        .filter(|c| c.ty == ColumnType::Text)
                        .map(|c| c.name.as_str()),
                )
            });
            diags.push(
                scope_error(
                    column.span,
                    format!("no column `accounts.{}`", column.name),
                    "unknown column",
                    &close
                        .as_deref()
                        .map(mean)
                        .unwrap_or_else(|| "name a text column of `accounts`".into()),
                )
                .fix_name(column.span, close.as_deref()),
            );
            return None;
        }
    }
    let ExprKind::Text(value) = &right.kind else {
        // A bare word is most likely the value without its quotes.
        let quoted = as_word(right).map(|w| format!("\"{}\"", w.name));
        let mut d = scope_error(
            right.span,
            "the value is not text in quotes".into(),
            "not text",
            &match &quoted {
                Some(q) => format!(
                    "write the value in quotes: `accounts.{} == {q}`",
                    column.name
                ),
                None => format!(
                    "write the value in quotes: `accounts.{} == \"...\"`",
                    column.name
                ),
            },
        );
        if let Some(q) = &quoted {
            d = d.fix(format!("Write {q}"), right.span, q);
        }
        diags.push(d);
        return None;
    };
    Some((
        SegmentValue {
            column: column.name.clone(),
            value: value.clone(),
        },
        left.span,
    ))
}

/// `year`, `quarter` or `month`, else K0505.
fn period_basis(word: &str, span: Span, diags: &mut Vec<Diagnostic>) -> Option<PeriodBasis> {
    if let Some(b) = PeriodBasis::ALL.into_iter().find(|b| b.name() == word) {
        return Some(b);
    }
    let names: Vec<&str> = PeriodBasis::ALL.iter().map(|b| b.name()).collect();
    let close = closest(word, names.iter().copied());
    diags.push(
        Diagnostic::error(
            Code::BenchmarkPeriod,
            span,
            format!("`{word}` is not a period length"),
        )
        .label("not year, quarter or month")
        .help(close.as_deref().map(mean).unwrap_or_else(|| {
            "the figure is yearly (`year`), quarterly (`quarter`) or monthly (`month`)".into()
        }))
        .fix_name(span, close.as_deref()),
    );
    None
}

fn scope_error(span: Span, message: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::error(Code::BenchmarkScope, span, message)
        .label(label.to_string())
        .help(help.to_string())
}
