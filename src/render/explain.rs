//! An explanation as an indented tree: each sub-expression's source text, its value and
//! the rows its aggregate read.

use super::value::format_value;
use crate::eval::Explanation;
use crate::query::Output;
use crate::source::SourceMap;

/// The explanation of a KPI's value, one line per sub-expression.
pub fn explanation(sources: &SourceMap, e: &Explanation) -> String {
    let mut out = format!(
        "{} for {}{} (previous period: {})\n",
        e.kpi,
        e.period,
        match (&e.grouping, e.group.is_empty()) {
            (None, true) => String::new(),
            (None, false) => format!(", {}", super::escape::terminal(&e.group)),
            // Several groupings: say which one the group belongs to.
            (Some(g), true) => format!(", {}", super::escape::terminal(g)),
            (Some(g), false) => format!(
                ", {} {}",
                super::escape::terminal(g),
                super::escape::terminal(&e.group)
            ),
        },
        e.previous_period
    );
    for (i, l) in e.lines.iter().enumerate() {
        // On one line, as a formula `kpic fmt` broke over several reads written flat.
        let text = crate::fmt::one_line(sources.text(l.span));
        // In full: a cut could make two lines read the same (`count(surveys where
        // score >= 9)` and `… <= 6`).
        let shown = match (&l.value, l.unit) {
            (Output::Value(v), _) if i == 0 => format_value(*v, e.unit),
            (Output::Value(v), Some(unit)) => format_value(*v, unit),
            (Output::Value(v), None) => format!("{}", (v * 1e6).round() / 1e6),
            (Output::Money(m), _) => super::value::format_money(*m),
            (Output::Missing(r), _) => format!("missing ({r})"),
        };
        let label = match &l.refers_to {
            Some(id) => format!("{id} := {text}"),
            None => text,
        };
        let mut rows = l
            .rows
            .map(|r| format!("   [{}]", rows_line(&r)))
            .unwrap_or_default();
        if let Some(m) = &l.members {
            rows.push_str(&format!("   [{}]", m.describe()));
        }
        out.push_str(&format!(
            "{}{label}  = {shown}{rows}\n",
            "  ".repeat(l.depth)
        ));
    }
    out
}

/// Every row of an aggregate's table and why each was kept or not: of the table's rows,
/// those in the period, of those the ones in the scope explained, and of those the
/// ones its `where` kept.
fn rows_line(r: &crate::eval::RowCounts) -> String {
    let mut parts = vec![format!("{} rows in the table", r.table)];
    parts.push(format!("{} in the period", r.in_period));
    let out_of_scope = r.in_period - r.in_scope.min(r.in_period);
    parts.push(if out_of_scope == 0 {
        "all of these in scope".to_string()
    } else {
        format!(
            "{} of these in scope ({out_of_scope} not: their account is out of scope, or \
             they have none)",
            r.in_scope
        )
    });
    if r.kept != r.in_scope {
        parts.push(format!(
            "{} kept by the `where` ({} not)",
            r.kept,
            r.in_scope - r.kept.min(r.in_scope)
        ));
    }
    parts.join("; ")
}
