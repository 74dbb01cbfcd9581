//! Walks over checked formulas that several readers share (docs, `kpic show`).

use super::{TExpr, TExprKind};

impl TExpr {
    /// The tables this formula reads itself, not through the measures and KPIs it
    /// names: each aggregated table, and for a column read through relations every
    /// table on the way (in the order followed, then the column's own table). In order
    /// of appearance, each once.
    ///
    /// The documentation's dependency graph and `kpic show` both list these, so they
    /// agree on what "reads table T" means.
    pub fn tables_read(&self) -> Vec<String> {
        let mut tables: Vec<String> = Vec::new();
        let mut add = |t: &str| {
            if !tables.iter().any(|x| x == t) {
                tables.push(t.to_string());
            }
        };
        // Iterative, like every walk over formulas: a deep formula must not overflow.
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match &e.kind {
                TExprKind::Column { table, via, .. } => {
                    via.iter().for_each(|h| add(&h.table));
                    add(table)
                }
                TExprKind::Previous(x) | TExprKind::YearAgo(x) => stack.push(x),
                TExprKind::Grain(g) => stack.extend(g.inner.iter().chain(&g.filter)),
                TExprKind::Aggregate(agg) => {
                    add(&agg.table);
                    stack.extend(agg.filter.iter());
                    stack.extend(agg.arg.iter());
                }
                _ => stack.extend(e.operands().into_iter().rev()),
            }
        }
        tables
    }
}
