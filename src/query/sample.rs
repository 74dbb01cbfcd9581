//! Small-sample flags: the count each ratio and average is computed from, found
//! statically from the checked formula, evaluated by every engine as a hidden KPI
//! `__n__ID`, folded back into each row's [`Sample`], and the Wilson score interval of
//! proportions.
//!
//! What "the count" is, by the shape of the formula (literal factors such as `* 100`,
//! `round`, `abs` and references to measures and KPIs are looked through):
//!
//! | formula | the count |
//! |---------|-----------|
//! | `a / b` | the count of `b`: `b` itself when it is a count (`count(T)`, `count(T.c)`, `count_distinct`, `count(... per ...)`); the non-missing values `b` aggregates for `sum`, `avg`, `min`, `max`, `median`, `percentile` over a table (`count(T.x where ...)`); the members with a value for an aggregate over members; the same in the period before for `previous(b)` (a growth rate) |
//! | `avg(x)`, `median(x)`, `percentile(x, p)` | the rows averaged: `count(T.x where ...)` |
//! | `avg(x per M)` (and the other statistics over members) | the members folded |
//! | anything else (a sum, a plain count, a money total, a difference) | none: not a sample |

use super::{ResultRow, Results};
use crate::ir::{
    AggFunc, Aggregate, Catalog, Dim, Func, Grain, KpiDef, TExpr, TExprKind, Type, Unit,
};
use crate::vocab::BinaryOp;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The id prefix of the hidden KPI holding a KPI's sample count (not a name a `.kpi`
/// file can declare, so it never clashes).
const HIDDEN: &str = "__n__";

/// The threshold below which a value is flagged when neither the KPI (`min_sample`)
/// nor the project (`[eval] min_sample`) sets one: the usual rule of thumb under
/// which a normal approximation of a mean or a proportion is not trusted.
pub const DEFAULT_MIN_SAMPLE: u64 = 30;

/// The z of a two-sided 95% interval (the normal distribution's 0.975 quantile).
const Z95: f64 = 1.959964;

/// The count a value was computed from, against its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sample {
    /// Members (rows, accounts, ...) the value was computed from.
    pub n: u64,
    /// The threshold: the KPI's `min_sample`, else the project's, else 30.
    pub min: u64,
    /// `n < min`: the value rests on too few members to be read as a trend.
    pub small: bool,
}

/// A confidence interval of a proportion, in the KPI's unit (a fraction for
/// `percent` and `ratio`, times the formula's literal factor).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    /// The confidence level (0.95).
    pub level: f64,
}

/// What a KPI's sample is: the formula counting it (`None`: the members its
/// aggregate over members folded, which every engine reports already in
/// [`super::MemberTally`]), and whether the KPI is a proportion of integer counts (then
/// the literal the fraction is multiplied by, `value = factor * successes / n`).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleOf {
    pub count: Option<TExpr>,
    pub proportion: Option<f64>,
}

/// The sample of a KPI, or `None` for a KPI that is not a ratio or an average.
pub fn sample_of(catalog: &Catalog, kpi: &KpiDef) -> Option<SampleOf> {
    // An average over members, directly or through the names it refers to: its rows
    // already carry the members folded, on every engine; counting them again would
    // evaluate the inner formula once more per member.
    if let Some(g) = catalog.grain_of(&kpi.formula) {
        return matches!(g.func, AggFunc::Avg | AggFunc::Median | AggFunc::Percentile).then_some(
            SampleOf {
                count: None,
                proportion: None,
            },
        );
    }
    let (factor, shape) = peel(catalog, &kpi.formula, 1.0, true);
    match &shape.kind {
        TExprKind::Binary {
            op: BinaryOp::Div,
            left,
            right,
        } => {
            let count = Some(count_of(catalog, right, 0)?);
            let proportion = (matches!(kpi.unit, Unit::Percent | Unit::Ratio)
                && factor.is_some()
                && is_integer_count(catalog, left, 0)
                && is_integer_count(catalog, right, 0))
            .then_some(factor)
            .flatten();
            Some(SampleOf { count, proportion })
        }
        TExprKind::Aggregate(a)
            if matches!(a.func, AggFunc::Avg | AggFunc::Median | AggFunc::Percentile) =>
        {
            Some(SampleOf {
                count: Some(count_of(catalog, shape, 0)?),
                proportion: None,
            })
        }
        TExprKind::Grain(g)
            if matches!(g.func, AggFunc::Avg | AggFunc::Median | AggFunc::Percentile) =>
        {
            Some(SampleOf {
                count: Some(count_of(catalog, shape, 0)?),
                proportion: None,
            })
        }
        _ => None,
    }
}

/// The formula under references, `round`/`abs` and multiplication or division by
/// literals, and the product of those literals (`None` once a `round` or `abs` was
/// passed: the value is then no exact multiple of the fraction).
fn peel<'c>(
    catalog: &'c Catalog,
    e: &'c TExpr,
    factor: f64,
    exact: bool,
) -> (Option<f64>, &'c TExpr) {
    let mut e = e;
    let mut factor = factor;
    let mut exact = exact;
    // Bounded: the checker refuses cycles, and each step goes one level down.
    for _ in 0..=catalog.order.len() + 64 {
        let literal = |x: &TExpr| match x.kind {
            TExprKind::Number(v) => Some(v),
            _ => None,
        };
        match &e.kind {
            TExprKind::Ref(id) => match catalog.formula(id) {
                Some(f) => e = f,
                None => break,
            },
            TExprKind::Func {
                func: Func::Round | Func::Abs,
                args,
            } if !args.is_empty() => {
                exact = false;
                e = &args[0];
            }
            TExprKind::Binary {
                op: BinaryOp::Mul,
                left,
                right,
            } => match (literal(left), literal(right)) {
                (Some(v), None) => {
                    factor *= v;
                    e = right;
                }
                (None, Some(v)) => {
                    factor *= v;
                    e = left;
                }
                _ => break,
            },
            TExprKind::Binary {
                op: BinaryOp::Div,
                left,
                right,
            } => match literal(right) {
                Some(v) if v != 0.0 => {
                    factor /= v;
                    e = left;
                }
                _ => break,
            },
            _ => break,
        }
    }
    (exact.then_some(factor), e)
}

/// A count of `x`'s kind, as a formula every engine evaluates.
fn counted(x: &TExpr, kind: TExprKind) -> TExpr {
    TExpr {
        kind,
        ty: Type::Number(Dim::Count),
        span: x.span,
    }
}

/// The formula counting the members `e` is computed from (see the module's table).
fn count_of(catalog: &Catalog, e: &TExpr, depth: usize) -> Option<TExpr> {
    if depth > catalog.order.len() + 64 {
        return None;
    }
    let (_, e) = peel(catalog, e, 1.0, true);
    match &e.kind {
        TExprKind::Aggregate(a) => match a.func {
            AggFunc::CountRows | AggFunc::Count | AggFunc::CountDistinct => Some(e.clone()),
            _ => {
                let arg = a.arg.clone()?;
                Some(counted(
                    e,
                    TExprKind::Aggregate(Box::new(Aggregate {
                        func: AggFunc::Count,
                        table: a.table.clone(),
                        arg: Some(arg),
                        fraction: None,
                        filter: a.filter.clone(),
                        time: a.time.clone(),
                    })),
                ))
            }
        },
        TExprKind::Grain(g) => match g.func {
            AggFunc::CountRows | AggFunc::Count => Some(e.clone()),
            _ => Some(counted(
                e,
                TExprKind::Grain(Box::new(Grain {
                    func: AggFunc::Count,
                    members: g.members.clone(),
                    inner: Some(g.inner.clone()?),
                    fraction: None,
                    filter: g.filter.clone(),
                })),
            )),
        },
        TExprKind::Previous(x) => {
            let inner = count_of(catalog, x, depth + 1)?;
            Some(counted(e, TExprKind::Previous(Box::new(inner))))
        }
        TExprKind::YearAgo(x) => {
            let inner = count_of(catalog, x, depth + 1)?;
            Some(counted(e, TExprKind::YearAgo(Box::new(inner))))
        }
        TExprKind::Neg(x) => count_of(catalog, x, depth + 1),
        _ => None,
    }
}

/// Whether `e` is a whole count of members in the current period (the successes or
/// trials of a proportion).
fn is_integer_count(catalog: &Catalog, e: &TExpr, depth: usize) -> bool {
    if depth > catalog.order.len() + 64 {
        return false;
    }
    match &e.kind {
        TExprKind::Ref(id) => catalog
            .formula(id)
            .is_some_and(|f| is_integer_count(catalog, f, depth + 1)),
        TExprKind::Aggregate(a) => matches!(
            a.func,
            AggFunc::CountRows | AggFunc::Count | AggFunc::CountDistinct
        ),
        TExprKind::Grain(g) => matches!(g.func, AggFunc::CountRows | AggFunc::Count),
        _ => false,
    }
}

/// The catalog and query an engine runs so that every requested ratio and average
/// also yields its count: each as a hidden KPI `__n__ID` (unit count, the KPI's
/// breakdown kept so the counts split alike). `None` when no requested KPI has a
/// sample. Hidden KPIs of other passes (`__target__...`) are left alone.
pub fn with_sample_kpis(
    catalog: &Catalog,
    query: &super::Query,
) -> Option<(Catalog, super::Query)> {
    let asked = query.asked(catalog);
    let hidden: Vec<KpiDef> = asked
        .iter()
        .filter(|k| !k.id.starts_with("__"))
        .filter_map(|k| {
            sample_of(catalog, k)
                .and_then(|s| s.count)
                .map(|c| hidden_kpi(k, c))
        })
        .collect();
    super::status::with_hidden(catalog, query, hidden)
}

fn hidden_kpi(kpi: &KpiDef, count: TExpr) -> KpiDef {
    KpiDef {
        unit: Unit::Count,
        ..super::status::hidden_kpi_as(HIDDEN, kpi, count)
    }
}

/// Row key: KPI (its id as the catalog holds it), grouping, group, period, breakdown.
/// The texts are the rows' own shared ones (per account there are millions of rows,
/// and a key of owned strings cost five allocations each).
type Key<'c> = (
    &'c str,
    Option<Arc<str>>,
    Arc<str>,
    Option<Arc<str>>,
    Option<String>,
);

fn key<'c>(kpi: &'c str, r: &ResultRow) -> Key<'c> {
    (
        kpi,
        r.grouping.clone(),
        r.group.clone(),
        r.period.clone(),
        r.breakdown.clone(),
    )
}

/// Takes the rows (and unavailability) of the hidden count KPIs out of the results and
/// sets each ratio's and average's [`Sample`] (against the KPI's `min_sample`, else
/// `default_min`) and, for a proportion, its 95% Wilson interval.
pub fn apply_samples(catalog: &Catalog, results: &mut Results, default_min: u64) {
    // Sized once: growing it rehashed every key's texts several times over.
    let hidden = results.count_kpis_prefixed(HIDDEN);
    let mut counts: HashMap<Key, u64> = HashMap::with_capacity(hidden);
    results
        .rows
        .retain_mut(|r| match r.kpi.strip_prefix(HIDDEN) {
            Some(base) => {
                // A count is a whole number; a missing one (no rows at all) is zero.
                let n = r.value.number().unwrap_or(0.0);
                if n.is_finite()
                    && n >= 0.0
                    && let Some((id, _)) = catalog.kpis.get_key_value(base)
                {
                    // The row goes: its breakdown moves into the key.
                    let k = (
                        id.as_str(),
                        r.grouping.clone(),
                        r.group.clone(),
                        r.period.clone(),
                        r.breakdown.take(),
                    );
                    counts.insert(k, n.round() as u64);
                }
                false
            }
            None => true,
        });
    results.unavailable.retain(|u| !u.kpi.starts_with(HIDDEN));
    let mut shapes: HashMap<&str, Option<SampleOf>> = HashMap::new();
    for row in &mut results.rows {
        let Some(kpi) = catalog.kpis.get(&*row.kpi) else {
            continue;
        };
        let shape = shapes
            .entry(kpi.id.as_str())
            .or_insert_with(|| sample_of(catalog, kpi));
        let n = match shape {
            None => continue,
            Some(SampleOf { count: None, .. }) => row.members.as_ref().map(|m| m.counted),
            Some(SampleOf { count: Some(_), .. }) => counts.get(&key(&kpi.id, row)).copied(),
        };
        let Some(n) = n else {
            continue;
        };
        let min = kpi.min_sample.unwrap_or(default_min);
        row.sample = Some(Sample {
            n,
            min,
            small: n < min,
        });
        if let (Some(factor), Some(v)) = (
            shape.as_ref().and_then(|s| s.proportion),
            row.value.number(),
        ) {
            row.interval = proportion_interval(v, factor, n);
        }
    }
}

/// Sets the threshold of the rows of KPIs without a `min_sample` of their own to
/// `min` (the project's `[eval] min_sample`), recomputing their flag.
pub fn set_min_sample(catalog: &Catalog, results: &mut Results, min: u64) {
    for row in &mut results.rows {
        let own = catalog.kpis.get(&*row.kpi).and_then(|k| k.min_sample);
        if let (Some(s), None) = (row.sample.as_mut(), own) {
            s.min = min;
            s.small = s.n < min;
        }
    }
}

/// The Wilson interval of a proportion whose value is `factor * x / n`, when `x` is
/// a whole number of successes between 0 and `n`.
fn proportion_interval(value: f64, factor: f64, n: u64) -> Option<Interval> {
    if n == 0 || factor == 0.0 {
        return None;
    }
    let x = value / factor * n as f64;
    let whole = x.round();
    if (x - whole).abs() > 1e-6 * (n as f64).max(1.0) || whole < 0.0 || whole > n as f64 {
        return None;
    }
    let (low, high) = wilson(whole as u64, n, Z95)?;
    let (a, b) = (low * factor, high * factor);
    Some(Interval {
        low: a.min(b),
        high: a.max(b),
        level: 0.95,
    })
}

/// The Wilson score interval of `x` successes in `n` trials at normal quantile `z`
/// (E. B. Wilson, "Probable inference, the law of succession, and statistical
/// inference", JASA 22, 1927; formula 3 of R. G. Newcombe, "Two-sided confidence
/// intervals for the single proportion: comparison of seven methods", Statistics in
/// Medicine 17, 1998). Unlike the textbook `p ± z·√(p(1-p)/n)` it stays inside
/// [0, 1] and is not empty at 0 or n successes, which is exactly where small samples
/// sit.
pub fn wilson(x: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || x > n {
        return None;
    }
    let (n, p) = (n as f64, x as f64 / n as f64);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn wilson_matches_newcombe_1998() {
        // Newcombe (1998), table I, method 3 (score interval without continuity
        // correction): 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605;
        // 0/20 → 0.0000–0.1611; 1/29 → 0.0061–0.1718.
        for (x, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(x, n, Z95).expect("an interval");
            assert!(close(l, lo) && close(h, hi), "{x}/{n}: {l}–{h}");
        }
    }

    #[test]
    fn wilson_refuses_impossible_counts() {
        assert_eq!(wilson(1, 0, Z95), None);
        assert_eq!(wilson(5, 4, Z95), None);
        let (l, h) = wilson(4, 4, Z95).expect("an interval");
        // All successes: the low end is 1 / (1 + z²/n), the high end 1 (to rounding).
        assert!(
            close(l, 1.0 / (1.0 + Z95 * Z95 / 4.0)) && close(h, 1.0),
            "{l}–{h}"
        );
    }

    #[test]
    fn proportion_intervals_need_whole_successes() {
        // 3 of 10 as a fraction and as a percentage written `* 100`.
        let a = proportion_interval(0.3, 1.0, 10).expect("3 of 10");
        let b = proportion_interval(30.0, 100.0, 10).expect("3 of 10, in points");
        assert!(close(a.low * 100.0, b.low) && close(a.high * 100.0, b.high));
        // 0.35 of 10 is 3.5 successes: not a count, so no interval.
        assert_eq!(proportion_interval(0.35, 1.0, 10), None);
        assert_eq!(proportion_interval(0.3, 1.0, 0), None);
    }
}
