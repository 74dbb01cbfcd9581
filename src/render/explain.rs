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
        if e.group.is_empty() {
            String::new()
        } else {
            format!(", {}", super::escape::terminal(&e.group))
        },
        e.previous_period
    );
    for (i, l) in e.lines.iter().enumerate() {
        let text: String = sources
            .text(l.span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = if text.chars().count() > 70 {
            format!("{}…", text.chars().take(69).collect::<String>())
        } else {
            text
        };
        let shown = match &l.value {
            Output::Value(v) if i == 0 => format_value(*v, e.unit),
            Output::Value(v) => format!("{}", (v * 1e6).round() / 1e6),
            Output::Missing(r) => format!("missing ({r})"),
        };
        let label = match &l.refers_to {
            Some(id) => format!("{id} := {text}"),
            None => text,
        };
        let rows = l
            .rows
            .map(|(all, period, kept)| {
                format!("   [{kept} of {period} rows in the period; {all} in the table]")
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "{}{label}  = {shown}{rows}\n",
            "  ".repeat(l.depth)
        ));
    }
    out
}
