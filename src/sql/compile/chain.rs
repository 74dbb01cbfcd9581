//! Chains of `+` and `-` over numbers (`a + b - c + ...`, left-nested as parsed),
//! written in SQL whose size is linear in the number of terms.
//!
//! Written operator by operator, a chain of N terms repeats itself: the NULL reason of
//! each `+` names its left operand's SQL and that operand's reason, so the SQL grows
//! as N² (700 terms were 5.4 MB), and N nested parentheses pass DuckDB's expression
//! depth limit (1,000). Here a chain is read as one list of terms: its reason is one
//! `CASE` naming the first missing term (as the native engine does, left to right), and
//! a chain longer than [`LEFT_DEEP_MAX`] is grouped as a balanced tree.

use super::Compiler;
use crate::ir::*;
use crate::vocab::BinaryOp;
use std::collections::BTreeSet;

/// Longest chain written left to right, `(((a + b) + c) + d)`, exactly as the native
/// engine adds it. Longer chains are grouped as a balanced tree (depth log₂ N), so a
/// floating-point sum may differ from the native one in its last bits; money and
/// counts are exact either way.
pub(super) const LEFT_DEEP_MAX: usize = 64;

/// One term of a chain: subtracted or added, and its expression.
type Term<'e> = (bool, &'e TExpr);

/// The terms of `e` when it is a chain of `+`/`-` over numbers (at least two), in
/// source order; the first term is always added. `None` for anything else.
pub(super) fn terms(e: &TExpr) -> Option<Vec<Term<'_>>> {
    let is_link = |x: &TExpr| match &x.kind {
        TExprKind::Binary {
            op: BinaryOp::Add | BinaryOp::Sub,
            left,
            right,
        } => [x.ty, left.ty, right.ty]
            .iter()
            .all(|t| matches!(t, Type::Number(_))),
        _ => false,
    };
    if !is_link(e) {
        return None;
    }
    // Down the left spine, iteratively: a 100,000-term chain needs no stack.
    let mut rights = Vec::new();
    let mut cur = e;
    while is_link(cur) {
        if let TExprKind::Binary { op, left, right } = &cur.kind {
            rights.push((*op == BinaryOp::Sub, &**right));
            cur = left;
        }
    }
    rights.push((false, cur));
    rights.reverse();
    Some(rights)
}

impl Compiler<'_> {
    /// The SQL value of a chain: left to right up to [`LEFT_DEEP_MAX`] terms (the text
    /// the operator-by-operator writer gave), else a balanced tree.
    pub(super) fn chain_value(
        &mut self,
        terms: &[Term<'_>],
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> String {
        let sql: Vec<(bool, String)> = terms
            .iter()
            .map(|(minus, t)| (*minus, self.scope(t, back, split, used)))
            .collect();
        if sql.len() <= LEFT_DEEP_MAX {
            let mut out = sql[0].1.clone();
            for (minus, s) in &sql[1..] {
                out = format!("({out} {} {s})", if *minus { "-" } else { "+" });
            }
            return out;
        }
        balanced(&sql)
    }

    /// Why a chain is NULL: the first missing term's reason, in one `CASE` (for two
    /// terms, the text the operator-by-operator writer gave).
    pub(super) fn chain_reason(
        &mut self,
        terms: &[Term<'_>],
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> String {
        let mut arms = String::from("(CASE");
        let last = terms.len() - 1;
        for (i, (_, t)) in terms.iter().enumerate() {
            let r = self
                .reason(t, back, split, used)
                .unwrap_or_else(|| "NULL".to_string());
            if i == last {
                arms.push_str(&format!(" ELSE {r} END)"));
            } else {
                let v = self.scope(t, back, split, used);
                arms.push_str(&format!(" WHEN {v} IS NULL THEN {r}"));
            }
        }
        arms
    }
}

/// `Σ ±term` grouped as a balanced tree; the first term is added. The right half is
/// written relative to its own first sign: `L - (b + c)` for `L - b - c`.
fn balanced(terms: &[(bool, String)]) -> String {
    if terms.len() == 1 {
        return terms[0].1.clone();
    }
    let mid = terms.len() / 2;
    let left = balanced(&terms[..mid]);
    let minus = terms[mid].0;
    let right: Vec<(bool, String)> = terms[mid..]
        .iter()
        .map(|(m, s)| (*m != minus, s.clone()))
        .collect();
    let right = balanced(&right);
    format!("({left} {} {right})", if minus { "-" } else { "+" })
}
