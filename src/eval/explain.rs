//! How a KPI's value was obtained: every sub-expression of its formula, and of the
//! measures it uses, with its value and the rows each aggregate read.

use super::formula::{Evaluator, Shared, Slots};
use super::groups::Groups;
use super::{Val, plan};
use crate::data::Dataset;
use crate::ir::*;
use crate::query::{Output, Query, QueryError};
use serde::Serialize;

/// One line of an explanation: a sub-expression and its value for the group explained.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainLine {
    pub depth: usize,
    /// Where the sub-expression is written.
    pub span: crate::source::Span,
    /// For a reference, the measure or KPI it names.
    pub refers_to: Option<String>,
    pub value: Output,
    /// The unit the value is in, where the sub-expression has one (money, a count,
    /// days, hours); `None` for a plain number.
    pub unit: Option<Unit>,
    /// For aggregates: every row of the table, and why each was kept or not.
    pub rows: Option<super::scan::RowCounts>,
    /// For aggregates over members (`per`): the members, those kept, and those
    /// skipped because their value was missing, by reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<super::grain::MemberCounts>,
}

/// How one KPI's value was obtained, for one group of a query's scope.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub kpi: String,
    pub unit: Unit,
    /// The group explained (empty for the portfolio; with `--by TABLE.COLUMN`, a
    /// value of that column).
    pub group: String,
    /// In a run of several groupings, the grouping of `group` (as results name it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouping: Option<String>,
    pub period: String,
    pub previous_period: String,
    /// The formula's sub-expressions, depth first.
    pub lines: Vec<ExplainLine>,
}

/// How a KPI's value was obtained in every group of the query's scope (each segment,
/// each account, each value of a fact table's dimension; one explanation for the
/// portfolio), in the order of the results, and so for each further grouping of the
/// query (`--by a --by b`), each explanation naming its grouping.
/// Each group of accounts is explained as the portfolio of its own accounts: the
/// query's filters plus one on the group's value, which gives the group's value and
/// rows; each value of a fact table's dimension as the portfolio split by it.
pub fn explain_groups(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
) -> Result<Vec<Explanation>, QueryError> {
    let several = !query.groupings.is_empty();
    let mut all = Vec::new();
    for scope in std::iter::once(&query.scope).chain(&query.groupings) {
        let mut one = query.clone();
        one.scope = scope.clone();
        one.groupings = Vec::new();
        let mut explained = explain_scope(catalog, data, &one, kpi)?;
        if several {
            for e in &mut explained {
                e.grouping = Some(scope.label());
            }
        }
        all.extend(explained);
    }
    Ok(all)
}

/// [`explain_groups`] for the query's one grouping.
fn explain_scope(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
) -> Result<Vec<Explanation>, QueryError> {
    if let Some(by) = query.scope.fact_dimension() {
        return explain_split(catalog, data, query, kpi, &by);
    }
    let checked = crate::query::validate(
        catalog,
        std::slice::from_ref(&kpi.to_string()),
        &query.scope,
        &query.filters,
    )?;
    super::groups::check_portfolio_tables(catalog, &checked.kpis, &query.scope, &query.filters)?;
    let column = match &query.scope {
        crate::query::Scope::Portfolio => return Ok(vec![explain(catalog, data, query, kpi)?]),
        crate::query::Scope::By(dim) => dim.clone(),
        crate::query::Scope::PerAccount => checked.key.to_string(),
    };
    let groups = Groups::new(catalog, data, &query.scope, &query.filters)?;
    groups
        .names
        .iter()
        .map(|name| {
            let mut one = query.clone();
            one.scope = crate::query::Scope::Portfolio;
            one.filters.push(crate::query::Filter {
                column: column.clone(),
                value: name.to_string(),
            });
            let mut e = explain(catalog, data, &one, kpi)?;
            e.group = name.to_string();
            Ok(e)
        })
        .collect()
}

/// `--by TABLE.COLUMN`: the KPI over the portfolio split by the column (as every
/// engine computes it), one explanation per value of the column that has a value or a
/// previous value, as the results list them.
fn explain_split(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
    by: &ColumnRef,
) -> Result<Vec<Explanation>, QueryError> {
    let mut portfolio = query.clone();
    portfolio.scope = crate::query::Scope::Portfolio;
    let checked = crate::query::validate(
        catalog,
        std::slice::from_ref(&kpi.to_string()),
        &portfolio.scope,
        &portfolio.filters,
    )?;
    let (_, not) = crate::query::split_by_fact(catalog, &checked.kpis, by)?;
    if let Some(u) = not.first() {
        return Err(QueryError(format!(
            "cannot explain `{}`: {}",
            u.kpi, u.reason
        )));
    }
    explain_at(catalog, data, &portfolio, kpi, Some(by))
}

/// How a KPI's value was obtained: every sub-expression of its formula (and of the
/// measures it uses) with its value for the first group of the query's scope.
pub fn explain(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
) -> Result<Explanation, QueryError> {
    explain_at(catalog, data, query, kpi, None)?
        .into_iter()
        .next()
        .ok_or_else(|| QueryError(format!("`{kpi}` has no value to explain")))
}

/// The explanations of `kpi` for the first group of the query's scope: one, or with
/// `split` one per value of that column (the slots of the split evaluation).
fn explain_at(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
    split: Option<&ColumnRef>,
) -> Result<Vec<Explanation>, QueryError> {
    let checked = crate::query::validate(
        catalog,
        std::slice::from_ref(&kpi.to_string()),
        &query.scope,
        &query.filters,
    )?;
    let Some(def) = checked.kpis.first().copied() else {
        return Err(QueryError(format!("no KPI named `{kpi}`")));
    };
    let groups = Groups::new(catalog, data, &query.scope, &query.filters)?;
    let computed = plan::compute(
        catalog,
        data,
        &groups,
        query.period,
        &[(&def.formula, split.or(def.breakdown.as_ref()))],
    );
    let shared = Shared::default();
    let mut ev = Evaluator::new(
        catalog,
        data,
        &groups,
        &computed,
        &shared,
        query.period,
        def,
    )
    .split_by(data, split);
    ev.warm(&def.formula, 0);
    // The slots explained: the group's one, or each value of the split column.
    let keys: Vec<(String, usize)> = match split.and_then(|b| plan::Split::of(data, Some(b))) {
        Some(s) => s
            .keys
            .iter()
            .enumerate()
            .map(|(k, key)| (key.to_string(), k))
            .collect(),
        None => vec![(
            groups
                .names
                .first()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            0,
        )],
    };
    let mut lines: Vec<(Slots, ExplainLine)> = Vec::new();
    // A measure used several times is written out once (its first use); else a chain
    // of measures that each use the one before twice would double at every step.
    let mut expanded = std::collections::HashSet::new();
    let mut stack: Vec<(&TExpr, usize, u32, Option<String>)> = vec![(&def.formula, 0, 0, None)];
    while let Some((e, depth, back, refers_to)) = stack.pop() {
        let values = ev.eval(e, back);
        let rows = match &e.kind {
            TExprKind::Aggregate(agg) => ev.aggregate_result(agg, back).map(|r| r.rows),
            _ => None,
        };
        let members = match &e.kind {
            TExprKind::Grain(g) => ev.grain_counts(g, back).first().cloned(),
            _ => None,
        };
        lines.push((
            values,
            ExplainLine {
                depth,
                span: e.span,
                refers_to: refers_to.clone(),
                value: Output::Missing("".into()),
                unit: match e.ty {
                    Type::Number(Dim::Money) => Some(Unit::Money),
                    Type::Number(Dim::Count) => Some(Unit::Count),
                    Type::Number(Dim::Days) => Some(Unit::Days),
                    Type::Number(Dim::Hours) => Some(Unit::Hours),
                    _ => None,
                },
                rows: None,
                members,
            },
        ));
        if let Some((_, last)) = lines.last_mut() {
            last.rows = rows;
        }
        match &e.kind {
            TExprKind::Ref(id) => {
                if expanded.insert((id.as_str(), back))
                    && let Some(f) = catalog.formula(id)
                {
                    stack.push((f, depth + 1, back, Some(id.clone())));
                }
            }
            TExprKind::Previous(inner) => stack.push((inner, depth + 1, back + 1, None)),
            TExprKind::YearAgo(inner) => stack.push((
                inner,
                depth + 1,
                back.saturating_add(crate::query::YEAR_AGO),
                None,
            )),
            TExprKind::Aggregate(_) => {}
            _ => {
                for child in e.operands().into_iter().rev() {
                    stack.push((child, depth + 1, back, None));
                }
            }
        }
    }
    let value = |v: &Val| match v {
        v @ (Val::Num(_) | Val::Money(_) | Val::Missing(_)) => super::output(v),
        other => Output::Missing(format!("{other:?}").into()),
    };
    // Per value of a split column, the values the results list (a value or a previous
    // one), as the results do.
    let previous = split.map(|_| ev.eval(&def.formula, query.compare.step()));
    let mut keys = keys;
    keys.sort();
    Ok(keys
        .into_iter()
        .filter(|(_, slot)| match &previous {
            None => true,
            Some(before) => {
                let now = lines.first().map(|(v, _)| value(v.get(*slot)));
                now.is_some_and(|o| o.number().is_some())
                    || value(before.get(*slot)).number().is_some()
            }
        })
        .map(|(group, slot)| Explanation {
            kpi: def.id.clone(),
            unit: def.unit,
            group,
            grouping: None,
            period: query.period.label(),
            previous_period: query.period.previous().label(),
            lines: lines
                .iter()
                .map(|(values, line)| ExplainLine {
                    value: value(values.get(slot)),
                    // The row counts are the whole table's, not one value's of the
                    // split column: left out rather than shown beside its value.
                    rows: if split.is_some() { None } else { line.rows },
                    ..line.clone()
                })
                .collect(),
        })
        .collect())
}
