//! Lowering a KPI's `min_sample:` (the small-sample threshold of its values), K0510.

use super::fields::Fields;
use crate::diagnostic::{Code, Diagnostic};

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
