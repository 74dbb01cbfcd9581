//! How a KPI's value was obtained: every sub-expression of its formula, and of the
//! measures it uses, with its value and the rows each aggregate read.

use super::formula::{Evaluator, Shared};
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
    /// The group explained (empty for the portfolio).
    pub group: String,
    pub period: String,
    pub previous_period: String,
    /// The formula's sub-expressions, depth first.
    pub lines: Vec<ExplainLine>,
}

/// How a KPI's value was obtained in every group of the query's scope (each segment,
/// each account; one explanation for the portfolio), in the order of the results.
/// Each group is explained as the portfolio of its own accounts: the query's filters
/// plus one on the group's value, which gives the group's value and rows.
pub fn explain_groups(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
) -> Result<Vec<Explanation>, QueryError> {
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

/// How a KPI's value was obtained: every sub-expression of its formula (and of the
/// measures it uses) with its value for the first group of the query's scope.
pub fn explain(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
) -> Result<Explanation, QueryError> {
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
        &[(&def.formula, def.breakdown.as_ref())],
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
    );
    ev.warm(&def.formula, 0);
    let mut lines = Vec::new();
    // A measure used several times is written out once (its first use); else a chain
    // of measures that each use the one before twice would double at every step.
    let mut expanded = std::collections::HashSet::new();
    let mut stack: Vec<(&TExpr, usize, u32, Option<String>)> = vec![(&def.formula, 0, 0, None)];
    while let Some((e, depth, back, refers_to)) = stack.pop() {
        let values = ev.eval(e, back);
        let value = match values.get(0) {
            v @ (Val::Num(_) | Val::Money(_) | Val::Missing(_)) => super::output(v),
            other => Output::Missing(format!("{other:?}")),
        };
        let rows = match &e.kind {
            TExprKind::Aggregate(agg) => ev.aggregate_result(agg, back).map(|r| r.rows),
            _ => None,
        };
        let members = match &e.kind {
            TExprKind::Grain(g) => ev.grain_counts(g, back).first().cloned(),
            _ => None,
        };
        lines.push(ExplainLine {
            depth,
            span: e.span,
            refers_to: refers_to.clone(),
            value,
            unit: match e.ty {
                Type::Number(Dim::Money) => Some(Unit::Money),
                Type::Number(Dim::Count) => Some(Unit::Count),
                Type::Number(Dim::Days) => Some(Unit::Days),
                Type::Number(Dim::Hours) => Some(Unit::Hours),
                _ => None,
            },
            rows: None,
            members,
        });
        if let Some(last) = lines.last_mut() {
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
    Ok(Explanation {
        kpi: def.id.clone(),
        unit: def.unit,
        group: groups
            .names
            .first()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        period: query.period.label(),
        previous_period: query.period.previous().label(),
        lines,
    })
}
