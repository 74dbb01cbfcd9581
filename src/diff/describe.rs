//! A formula's change in one line where it can be said: the one place where the old
//! and new formula (measures expanded) differ, named — a filter added, an aggregate
//! changed, a constant, the period read, an operand added — or `None`.

use super::canon::{Forms, Interner};
use crate::fmt::one_line;
use crate::ir::{AggFunc, Aggregate, Catalog, TExpr, TExprKind, TimeFilter};
use crate::source::SourceMap;

/// One side of a diff as the describer reads it.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub forms: &'a Forms<'a>,
    pub sources: &'a SourceMap,
    pub interner: &'a Interner,
}

impl Ctx<'_> {
    /// The source text of an expression, on one line.
    pub fn text(&self, e: &TExpr) -> String {
        one_line(self.sources.text(e.span))
    }

    /// The deep number of `e` (`None` if it was never read, which then equals nothing).
    fn deep(&self, e: &TExpr) -> Option<u32> {
        self.forms.look(self.interner, e)
    }

    /// `e`, or the formula of the measure it names (followed to a non-measure).
    fn expand<'e>(&'e self, mut e: &'e TExpr) -> &'e TExpr {
        // Bounded: the checker refuses cycles, and each step is another measure.
        for _ in 0..=self.catalog.order.len() {
            match &e.kind {
                TExprKind::Ref(id) => match self.catalog.measures.get(id) {
                    Some(m) => e = &m.formula,
                    None => return e,
                },
                _ => return e,
            }
        }
        e
    }
}

/// Two deep numbers that are both known and equal.
fn equal(a: Option<u32>, b: Option<u32>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x == y)
}

/// The one-line description of how `b` (new) differs from `a` (old), if it can be said.
pub fn describe(old: &Ctx, new: &Ctx, a: &TExpr, b: &TExpr) -> Option<String> {
    let (a, b) = site(old, new, a, b);
    if let (TExprKind::Aggregate(x), TExprKind::Aggregate(y)) = (&a.kind, &b.kind) {
        return aggregate(old, new, x, y);
    }
    let same = |x: &TExpr, y: &TExpr| equal(old.deep(x), new.deep(y));
    match (&a.kind, &b.kind) {
        (TExprKind::Previous(x), TExprKind::YearAgo(y)) if same(x, y) => {
            return Some("period reading changed: `previous` → `year_ago`".into());
        }
        (TExprKind::YearAgo(x), TExprKind::Previous(y)) if same(x, y) => {
            return Some("period reading changed: `year_ago` → `previous`".into());
        }
        (_, TExprKind::Previous(y)) if same(a, y) => {
            return Some(format!(
                "now read over the previous period: `{}`",
                new.text(b)
            ));
        }
        (_, TExprKind::YearAgo(y)) if same(a, y) => {
            return Some(format!("now read a year earlier: `{}`", new.text(b)));
        }
        (TExprKind::Previous(x) | TExprKind::YearAgo(x), _) if same(x, b) => {
            return Some(format!(
                "now read over the current period: `{}`",
                new.text(b)
            ));
        }
        (TExprKind::Number(_), TExprKind::Number(_)) => {
            return Some(format!(
                "constant changed: {} → {}",
                old.text(a),
                new.text(b)
            ));
        }
        (
            TExprKind::Binary {
                op: p,
                left: l1,
                right: r1,
            },
            TExprKind::Binary {
                op: q,
                left: l2,
                right: r2,
            },
        ) if p != q && same(l1, l2) && same(r1, r2) => {
            return Some(format!(
                "operator changed: `{}` → `{}`",
                p.symbol(),
                q.symbol()
            ));
        }
        (TExprKind::Column { .. }, TExprKind::Column { .. }) => {
            return Some(format!(
                "column changed: `{}` → `{}`",
                old.text(a),
                new.text(b)
            ));
        }
        (TExprKind::Ref(x), TExprKind::Ref(y)) => {
            return Some(format!("reference changed: `{x}` → `{y}`"));
        }
        (TExprKind::Period(_), TExprKind::Period(_)) => {
            return Some(format!(
                "period field changed: `{}` → `{}`",
                old.text(a),
                new.text(b)
            ));
        }
        _ => {}
    }
    // An operand added to (or removed from) an operator.
    if let TExprKind::Binary { op, left, right } = &b.kind {
        if same(a, left) {
            return Some(format!(
                "operand added: `… {} {}`",
                op.symbol(),
                new.text(right)
            ));
        }
        if same(a, right) {
            return Some(format!(
                "operand added: `{} {} …`",
                new.text(left),
                op.symbol()
            ));
        }
    }
    if let TExprKind::Binary { op, left, right } = &a.kind {
        if same(left, b) {
            return Some(format!(
                "operand removed: `… {} {}`",
                op.symbol(),
                old.text(right)
            ));
        }
        if same(right, b) {
            return Some(format!(
                "operand removed: `{} {} …`",
                old.text(left),
                op.symbol()
            ));
        }
    }
    None
}

/// Descends both trees while they have the same form and exactly one operand differs:
/// the smallest pair of sub-expressions holding the whole difference.
fn site<'e>(
    old: &'e Ctx,
    new: &'e Ctx,
    mut a: &'e TExpr,
    mut b: &'e TExpr,
) -> (&'e TExpr, &'e TExpr) {
    // Bounded by the depth of the smaller tree (each step goes one level down).
    loop {
        a = old.expand(a);
        b = new.expand(b);
        // Two aggregates are described as such (`filter of sum(x) changed`), not by
        // the sub-expression of their filter that differs.
        if matches!(
            (&a.kind, &b.kind),
            (TExprKind::Aggregate(_), TExprKind::Aggregate(_))
        ) {
            return (a, b);
        }
        let (Some(xs), Some(ys)) = (children(a, b), children(b, a)) else {
            return (a, b);
        };
        if xs.len() != ys.len() {
            return (a, b);
        }
        let differing: Vec<usize> = (0..xs.len())
            .filter(|&i| !equal(old.deep(xs[i]), new.deep(ys[i])))
            .collect();
        match differing.as_slice() {
            [i] => {
                a = xs[*i];
                b = ys[*i];
            }
            _ => return (a, b),
        }
    }
}

/// The operands of `e` when `other` has the same form (same operator, function,
/// aggregate, table and period filter), else `None`.
fn children<'e>(e: &'e TExpr, other: &TExpr) -> Option<Vec<&'e TExpr>> {
    use TExprKind as K;
    Some(match (&e.kind, &other.kind) {
        (K::Neg(x), K::Neg(_))
        | (K::Not(x), K::Not(_))
        | (K::Previous(x), K::Previous(_))
        | (K::YearAgo(x), K::YearAgo(_)) => vec![x],
        (K::Binary { op: p, .. }, K::Binary { op: q, .. }) if p == q => e.operands(),
        (K::IsMissing { negated: p, .. }, K::IsMissing { negated: q, .. }) if p == q => {
            e.operands()
        }
        (K::If { .. }, K::If { .. }) => e.operands(),
        (K::Func { func: f, args: x }, K::Func { func: g, args: y })
            if f == g && x.len() == y.len() =>
        {
            e.operands()
        }
        (K::Aggregate(x), K::Aggregate(y))
            if x.func == y.func
                && x.table == y.table
                && x.time == y.time
                && x.fraction == y.fraction
                && x.arg.is_some() == y.arg.is_some()
                && x.filter.is_some() == y.filter.is_some() =>
        {
            x.arg.iter().chain(x.filter.iter()).collect()
        }
        (K::Grain(x), K::Grain(y))
            if x.func == y.func
                && x.members == y.members
                && x.fraction == y.fraction
                && x.inner.is_some() == y.inner.is_some()
                && x.filter.is_some() == y.filter.is_some() =>
        {
            x.inner.iter().chain(x.filter.iter()).collect()
        }
        _ => return None,
    })
}

/// The name of an aggregate as written.
fn func_name(f: AggFunc) -> &'static str {
    match f {
        AggFunc::CountRows | AggFunc::Count => "count",
        AggFunc::CountDistinct => "count_distinct",
        AggFunc::Sum => "sum",
        AggFunc::Avg => "avg",
        AggFunc::Min => "min",
        AggFunc::Max => "max",
        AggFunc::Median => "median",
        AggFunc::Percentile => "percentile",
    }
}

/// `sum(orders.amount)` or `count(orders)`: an aggregate without its clauses.
fn head(ctx: &Ctx, a: &Aggregate) -> String {
    let arg = a.arg.as_ref().map_or(a.table.clone(), |e| ctx.text(e));
    format!("{}({arg})", func_name(a.func))
}

fn time(t: &TimeFilter) -> String {
    match t {
        TimeFilter::Column(c) => format!("by `{c}`"),
        TimeFilter::None => "all time".into(),
    }
}

/// Two aggregates that differ in one of their parts.
fn aggregate(old: &Ctx, new: &Ctx, x: &Aggregate, y: &Aggregate) -> Option<String> {
    let differ = |a: &Option<TExpr>, b: &Option<TExpr>| match (a, b) {
        (None, None) => false,
        (Some(a), Some(b)) => !equal(old.deep(a), new.deep(b)),
        _ => true,
    };
    let func = x.func != y.func || x.fraction != y.fraction;
    let table = x.table != y.table;
    let period = x.time != y.time;
    let arg = differ(&x.arg, &y.arg);
    let filter = differ(&x.filter, &y.filter);
    let parts = [func, table, period, arg, filter]
        .iter()
        .filter(|p| **p)
        .count();
    if parts != 1 {
        return None;
    }
    let on = head(new, y);
    Some(if func {
        format!("aggregate changed: `{}` → `{}`", head(old, x), head(new, y))
    } else if table {
        format!("aggregate reads `{}` instead of `{}`", y.table, x.table)
    } else if period {
        format!(
            "period filter of `{on}` changed: {} → {}",
            time(&x.time),
            time(&y.time)
        )
    } else if arg {
        format!("aggregated value changed: `{}` → `{}`", head(old, x), on)
    } else {
        match (&x.filter, &y.filter) {
            (None, Some(f)) => format!("filter added to `{on}`: `where {}`", new.text(f)),
            (Some(f), None) => format!("filter removed from `{on}`: `where {}`", old.text(f)),
            (Some(f), Some(g)) => format!(
                "filter of `{on}` changed: `{}` → `{}`",
                old.text(f),
                new.text(g)
            ),
            (None, None) => return None,
        }
    })
}
