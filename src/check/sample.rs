//! Lowering a KPI's `min_sample:` (the small-sample threshold of its values), K0510,
//! and the warning that it has no effect on a value without a sample, K0511.

use super::fields::Fields;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Catalog;
use crate::syntax::ast::Block;

/// The largest threshold accepted: far above any sample a flag is meant for, and
/// small enough that every engine's count compares with it exactly.
const MAX: f64 = 1_000_000_000.0;

/// The KPI's `min_sample`, a whole number from 1 to a billion; K0510 otherwise.
pub fn lower_min_sample(f: &Fields, diags: &mut Vec<Diagnostic>) -> Option<u64> {
    let field = f.get("min_sample")?;
    let bad = |span, label: &str| {
        Diagnostic::error(
            Code::InvalidMinSample,
            span,
            "`min_sample` must be a whole number of members, at least 1",
        )
        .label(label.to_string())
        .help("write how many members (rows, accounts, responses) a value needs to be trusted, e.g. `min_sample: 30`")
    };
    let e = match &field.value {
        crate::syntax::ast::Value::Expr(e) => e,
        crate::syntax::ast::Value::List { span, .. }
        | crate::syntax::ast::Value::Map { span, .. } => {
            diags.push(bad(*span, "not a number"));
            return None;
        }
    };
    use crate::syntax::ast::ExprKind;
    let value = match &e.kind {
        ExprKind::Number {
            value,
            percent: false,
            ..
        } => *value,
        ExprKind::Number { percent: true, .. } => {
            diags.push(bad(e.span, "a count, not a percentage"));
            return None;
        }
        ExprKind::Unary {
            op: crate::vocab::UnaryOp::Neg,
            ..
        } => {
            diags.push(bad(e.span, "negative"));
            return None;
        }
        _ => {
            diags.push(bad(e.span, "not a number"));
            return None;
        }
    };
    if value.fract() != 0.0 {
        diags.push(bad(e.span, "not a whole number"));
        return None;
    }
    if !(1.0..=MAX).contains(&value) {
        diags.push(bad(e.span, "must be from 1 to 1000000000"));
        return None;
    }
    Some(value as u64)
}

/// K0511 for each KPI of `blocks` whose `min_sample` can never flag a value: its
/// formula is not a ratio or an average (see [`crate::query::sample_of`]), so no count
/// of members is computed for it. Run once every KPI is in `catalog`, because a
/// formula is read through the KPIs it names.
pub fn lint_min_sample(catalog: &Catalog, blocks: &[&Block], diags: &mut Vec<Diagnostic>) {
    for b in blocks {
        // The KPI lowered from this block (not a duplicate of the same id).
        let Some(kpi) = catalog
            .kpis
            .get(&b.name.name)
            .filter(|k| k.span == b.name.span && k.min_sample.is_some())
        else {
            continue;
        };
        if crate::query::sample_of(catalog, kpi).is_some() {
            continue;
        }
        let Some(field) = b.fields.iter().find(|f| f.name.name == "min_sample") else {
            continue;
        };
        diags.push(
            Diagnostic::warning(
                Code::MinSampleUnused,
                field.span,
                format!(
                    "`min_sample` has no effect on `{}`: its value is not a ratio or an average",
                    kpi.id
                ),
            )
            .label("no sample count to compare with")
            .help(
                "a sum, a count or a difference is not computed from a sample; remove `min_sample`",
            ),
        );
    }
}
