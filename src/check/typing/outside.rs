//! K0301, columns used outside an aggregate: one diagnostic per largest row-level
//! sub-expression (`orders.revenue - orders.cost` is one error suggesting
//! `sum(orders.revenue - orders.cost)`), not one per column.
//!
//! This runs only for formulas that have such a column, after they were typed, so the
//! common case pays nothing for it.

use super::{Checker, OutsideColumn};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind};
use crate::vocab::{self, AggregateId, FunctionId, UnaryOp};
use std::collections::HashMap;

/// Whether a sub-expression could be the argument of one aggregate.
#[derive(Debug, Clone, Copy)]
enum Level<'a> {
    /// Per-row: literals, `period`, columns of at most one table besides `accounts`,
    /// and operators and scalar functions over them.
    Row {
        /// The table other than `accounts` it reads, if any.
        table: Option<&'a str>,
        /// Whether it reads any column (else it is a constant).
        reads: bool,
    },
    /// Anything else: aggregates, `previous`, names of measures, errors, mixed tables.
    Scope,
}

impl Level<'_> {
    fn join(self, other: Self) -> Self {
        match (self, other) {
            (
                Level::Row {
                    table: a,
                    reads: ra,
                },
                Level::Row {
                    table: b,
                    reads: rb,
                },
            ) => match (a, b) {
                (Some(x), Some(y)) if x != y => Level::Scope,
                _ => Level::Row {
                    table: a.or(b),
                    reads: ra || rb,
                },
            },
            _ => Level::Scope,
        }
    }
}

/// The node's address: a key for the levels computed bottom-up.
fn key(e: &Expr) -> *const Expr {
    e
}

impl<'e, 'd> Checker<'e, 'd> {
    /// Reports every column in `outside` (all read outside an aggregate in `root`),
    /// grouped by the largest row-level sub-expression holding it.
    pub(super) fn report_outside(&mut self, root: &Expr, outside: &[OutsideColumn]) {
        let levels = self.levels(root);
        let level = |e: &Expr| levels.get(&key(e)).copied().unwrap_or(Level::Scope);
        let mut covered = vec![false; outside.len()];
        let mut stack = vec![root];
        while let Some(e) = stack.pop() {
            if let Level::Row { table, reads: true } = level(e) {
                let inside: Vec<&OutsideColumn> = outside
                    .iter()
                    .zip(covered.iter_mut())
                    .filter(|(c, _)| e.span.start <= c.span.start && c.span.end <= e.span.end)
                    .map(|(c, done)| {
                        *done = true;
                        c
                    })
                    .collect();
                if !inside.is_empty() {
                    self.outside_group(e, table.unwrap_or("accounts"), &inside);
                }
                continue;
            }
            // An aggregate's argument and filter are per-row by design.
            if let ExprKind::Call { name, .. } = &e.kind
                && vocab::aggregate(&name.name).is_some()
            {
                continue;
            }
            stack.extend(e.children().rev());
        }
        // Every column is a row-level expression itself, so each was covered above;
        // this is a safety net that keeps the error if the walk ever misses one.
        for (c, done) in outside.iter().zip(covered) {
            if !done {
                self.diags.push(single_column(c));
            }
        }
    }

    /// The level of every node of `root`, computed bottom-up without recursion.
    fn levels<'x>(&self, root: &'x Expr) -> HashMap<*const Expr, Level<'x>> {
        let mut levels: HashMap<*const Expr, Level<'x>> = HashMap::new();
        let mut stack: Vec<(&'x Expr, bool)> = vec![(root, false)];
        while let Some((e, children_done)) = stack.pop() {
            if !children_done {
                stack.push((e, true));
                stack.extend(e.children().map(|c| (c, false)));
                continue;
            }
            let children = || {
                e.children().fold(
                    Level::Row {
                        table: None,
                        reads: false,
                    },
                    |acc, c| acc.join(levels.get(&key(c)).copied().unwrap_or(Level::Scope)),
                )
            };
            let level = match &e.kind {
                ExprKind::Number { .. }
                | ExprKind::Text(_)
                | ExprKind::Date(_)
                | ExprKind::Bool(_)
                | ExprKind::Missing => Level::Row {
                    table: None,
                    reads: false,
                },
                ExprKind::Error | ExprKind::Path { member: None, .. } => Level::Scope,
                ExprKind::Path {
                    head,
                    member: Some(member),
                    hops,
                } => {
                    // A followed relation (`T.rel.col`) is a row value of `T` too.
                    let known =
                        self.env.tables.get(&head.name).is_some_and(|t| {
                            !hops.is_empty() || t.columns.contains_key(&member.name)
                        });
                    if head.name == "period" {
                        Level::Row {
                            table: None,
                            reads: false,
                        }
                    } else if known {
                        Level::Row {
                            table: (head.name != "accounts").then_some(head.name.as_str()),
                            reads: true,
                        }
                    } else {
                        Level::Scope
                    }
                }
                ExprKind::Unary { .. }
                | ExprKind::Binary { .. }
                | ExprKind::IsMissing { .. }
                | ExprKind::If { .. } => children(),
                ExprKind::Call {
                    name,
                    filter: None,
                    time: None,
                    ..
                } if vocab::function(&name.name).is_some_and(|f| {
                    !matches!(f.id, FunctionId::Previous | FunctionId::YearAgo)
                }) =>
                {
                    children()
                }
                ExprKind::Call { .. } => Level::Scope,
            };
            levels.insert(key(e), level);
        }
        levels
    }

    /// One K0301 for the row-level expression `e` over `table`, holding `columns`.
    fn outside_group(&mut self, e: &Expr, table: &str, columns: &[&OutsideColumn]) {
        if let (ExprKind::Path { .. }, [column]) = (&e.kind, columns) {
            self.diags.push(single_column(column));
            return;
        }
        let mut names: Vec<String> = Vec::new();
        for c in columns {
            let name = format!("`{}.{}`", c.table, c.column);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let message = match names.split_last() {
            Some((last, [])) => format!("column {last} is used outside an aggregate"),
            Some((last, rest)) => format!(
                "columns {} and {last} are used outside an aggregate",
                rest.join(", ")
            ),
            None => "columns are used outside an aggregate".to_string(),
        };
        let text = self.quoted(e.span);
        let condition = is_condition(e);
        let help = match (&text, condition) {
            (Some(t), true) => format!(
                "to count the rows where it holds, write `{}({table} where {t})`",
                AggregateId::Count.name()
            ),
            (Some(t), false) => format!(
                "wrap the whole expression in one aggregate, e.g. `{}({t})` or `{}({t})`",
                AggregateId::Sum.name(),
                AggregateId::Avg.name()
            ),
            (None, _) => format!(
                "wrap the whole expression in one aggregate, e.g. `{}( ... )` around it",
                AggregateId::Sum.name()
            ),
        };
        // The help's first suggestion, as edits around the expression; parentheses
        // around the whole of it become the aggregate's.
        let written = self.env.sources.text(e.span);
        let enclosed = written.starts_with('(') && strip_parens(written) != written;
        let fix = if condition {
            let count = AggregateId::Count.name();
            wrap(e.span, enclosed, format!("{count}({table} where "), count)
        } else {
            let sum = AggregateId::Sum.name();
            wrap(e.span, enclosed, format!("{sum}("), sum)
        };
        self.diags.push(
            Diagnostic::error(Code::ColumnOutsideAggregate, e.span, message)
                .label("one value per row, but a formula needs one value")
                .help(help)
                .fix_edits(fix.0, fix.1),
        );
    }

    /// The source text of `span` on one line, without enclosing parentheses; `None`
    /// when it holds a comment or is too long to quote in a help line.
    fn quoted(&self, span: Span) -> Option<String> {
        let text = self.env.sources.text(span);
        if text.contains("//") {
            return None;
        }
        let text = strip_parens(text.trim());
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (text.chars().count() <= 80).then_some(text)
    }
}

/// A fix that writes `open` before `span` and `)` after it, titled after `func`; when
/// `enclosed` (the span is a parenthesised expression), `open` replaces its `(`.
fn wrap(span: Span, enclosed: bool, open: String, func: &str) -> (String, Vec<(Span, String)>) {
    let (start, end) = (span.start as usize, span.end as usize);
    let title = format!("Wrap in `{func}(...)`");
    if enclosed {
        return (title, vec![(Span::new(span.file, start, start + 1), open)]);
    }
    let before = Span::new(span.file, start, start);
    let after = Span::new(span.file, end, end);
    (title, vec![(before, open), (after, ")".to_string())])
}

/// The message for one column on its own (`orders.revenue`).
fn single_column(c: &OutsideColumn) -> Diagnostic {
    let x = format!("{}.{}", c.table, c.column);
    let sum = AggregateId::Sum.name();
    let (title, edits) = wrap(c.span, false, format!("{sum}("), sum);
    Diagnostic::error(
        Code::ColumnOutsideAggregate,
        c.span,
        format!("column `{x}` is used outside an aggregate"),
    )
    .label("one value per row, but a formula needs one value")
    .help(format!(
        "wrap it in an aggregate, e.g. `{}({x})`, `{}({x})` or `{}({x})`",
        AggregateId::Sum.name(),
        AggregateId::Avg.name(),
        AggregateId::Max.name(),
    ))
    .fix_edits(title, edits)
}

/// Whether the expression is written as a condition (its value is true/false).
fn is_condition(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Binary { op, .. } => {
            op.is_comparison() || matches!(op, vocab::BinaryOp::And | vocab::BinaryOp::Or)
        }
        ExprKind::Unary { op, .. } => *op == UnaryOp::Not,
        ExprKind::IsMissing { .. } | ExprKind::Bool(_) => true,
        _ => false,
    }
}

/// `(x)` → `x` when the outer parentheses enclose the whole text.
fn strip_parens(text: &str) -> &str {
    let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return text;
    };
    // The first `(` must close at the very end: `(a) + (b)` keeps its parentheses.
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 && i + 1 < text.len() {
                    return text;
                }
            }
            _ => {}
        }
    }
    inner.trim()
}

#[cfg(test)]
mod tests {
    use super::strip_parens;

    #[test]
    fn strips_only_enclosing_parentheses() {
        assert_eq!(strip_parens("(a - b)"), "a - b");
        assert_eq!(strip_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_parens("a - b"), "a - b");
        assert_eq!(strip_parens("((a))"), "(a)");
        assert_eq!(strip_parens("(\")\" + a)"), "\")\" + a");
    }
}
