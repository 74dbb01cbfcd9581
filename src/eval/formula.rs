//! Scope-level evaluation of a KPI's formula: one value per slot (group, or group x
//! breakdown key), from the aggregates the scans computed, with measures and KPIs
//! memoised and shared between the KPIs of a request.

use super::grain::MemberSet;
use super::groups::Groups;
use super::plan::{Computed, Split};
use super::{Val, date_days, output, period_value, scalar, scan};
use crate::data::Dataset;
use crate::ir::*;
use crate::query::{Period, ResultRow, YEAR_AGO};
use std::collections::HashMap;
use std::sync::Arc;

/// A scope-level value: the same for every slot, or one per slot (shared, not copied,
/// between the KPIs that use it).
#[derive(Debug, Clone)]
pub(super) enum Slots {
    Same(Val),
    Each(Arc<Vec<Val>>),
}

impl Slots {
    pub(super) fn get(&self, i: usize) -> &Val {
        const NO_SLOT: Val = Val::Missing("no group");
        match self {
            Slots::Same(v) => v,
            Slots::Each(v) => v.get(i).unwrap_or(&NO_SLOT),
        }
    }
}

/// Values of measures and KPIs (per period step) computed by any KPI of a request, for
/// KPIs without a breakdown.
pub(super) type Shared = std::sync::Mutex<HashMap<(String, u32), Slots>>;

/// Scope-level evaluation of one KPI's formula: one value per slot (group, or group x
/// breakdown key), from the computed aggregates.
pub(super) struct Evaluator<'a> {
    catalog: &'a Catalog,
    data: &'a Dataset,
    /// Inside `per`: the members this evaluator has one slot each for.
    members: Option<(Members, Arc<MemberSet>)>,
    groups: &'a Groups,
    computed: &'a Computed,
    /// Values of measures and KPIs (per period step) computed by any KPI of this
    /// request, for KPIs without a breakdown.
    shared: &'a Shared,
    period: Period,
    /// Which of the plan's base periods `period` is (a time series has several).
    base: usize,
    split: Option<Split<'a>>,
    memo: HashMap<(String, u32), Slots>,
    /// How each aggregate over members (node, period step) was obtained, per group.
    pub(super) member_counts: HashMap<(usize, u32), Arc<Vec<super::grain::MemberCounts>>>,
}

impl<'a> Evaluator<'a> {
    pub(super) fn new(
        catalog: &'a Catalog,
        data: &'a Dataset,
        groups: &'a Groups,
        computed: &'a Computed,
        shared: &'a Shared,
        period: Period,
        kpi: &'a KpiDef,
    ) -> Self {
        Evaluator {
            catalog,
            data,
            members: None,
            groups,
            computed,
            shared,
            period,
            base: 0,
            split: Split::of(data, kpi.breakdown.as_ref()),
            memo: HashMap::new(),
            member_counts: HashMap::new(),
        }
    }

    /// The evaluator splitting the KPI's aggregates of `by`'s table by its values
    /// instead of by the KPI's breakdown (a fact-table dimension as the grouping);
    /// `None` keeps the KPI's own.
    pub(super) fn split_by(mut self, data: &'a Dataset, by: Option<&'a ColumnRef>) -> Self {
        if by.is_some() {
            self.split = Split::of(data, by);
        }
        self
    }

    /// The evaluator for base period `base` of the plan (a sub-period of a time
    /// series), whose dates are `period`.
    pub(super) fn at_base(mut self, base: usize, period: Period) -> Self {
        self.base = base;
        self.period = period;
        self
    }

    fn slots(&self) -> usize {
        if let Some((_, set)) = &self.members {
            return set.len();
        }
        self.groups.names.len() * self.split.as_ref().map_or(1, Split::width)
    }

    /// The number of measures and KPIs (a bound for walks along references).
    pub(super) fn catalog_size(&self) -> usize {
        self.catalog.order.len()
    }

    /// The catalog evaluated.
    pub(super) fn catalog(&self) -> &'a Catalog {
        self.catalog
    }

    /// The formula of a measure or KPI.
    pub(super) fn formula_of(&self, id: &str) -> Option<&'a TExpr> {
        self.catalog.formula(id)
    }

    /// The number of groups of the scope.
    pub(super) fn group_count(&self) -> usize {
        self.groups.names.len()
    }

    /// The members of one kind, as planned.
    pub(super) fn members_of(&self, members: &Members) -> Option<Arc<MemberSet>> {
        self.computed.members(members).cloned()
    }

    /// The members this evaluator has a slot each for (inside `per`).
    pub(super) fn member_set(&self) -> Option<&MemberSet> {
        self.members.as_ref().map(|(_, s)| &**s)
    }

    /// The table whose rows the members are (inside `per accounts` or `per TABLE`).
    pub(super) fn member_table(&self) -> Option<&str> {
        self.members.as_ref().and_then(|(m, _)| m.table())
    }

    /// The groups of the scope.
    pub(super) fn groups(&self) -> &'a Groups {
        self.groups
    }

    /// The dataset evaluated.
    pub(super) fn data(&self) -> &'a Dataset {
        self.data
    }

    /// An evaluator with one slot per member of `set`: the scope narrowed to each
    /// member in turn, with its own memo (a measure per member is another value than
    /// per group) and no breakdown.
    pub(super) fn for_members(&self, members: Members, set: Arc<MemberSet>) -> Evaluator<'a> {
        Evaluator {
            catalog: self.catalog,
            data: self.data,
            members: Some((members, set)),
            groups: self.groups,
            computed: self.computed,
            shared: self.shared,
            period: self.period,
            base: self.base,
            split: None,
            memo: HashMap::new(),
            member_counts: HashMap::new(),
        }
    }

    /// One value per group as one per slot (a group's breakdown keys share it).
    pub(super) fn spread(&self, per_group: Vec<Val>) -> Slots {
        let width = self.split.as_ref().map_or(1, Split::width);
        if width == 1 {
            return Slots::Each(Arc::new(per_group));
        }
        Slots::Each(Arc::new(
            (0..self.slots())
                .map(|s| {
                    per_group
                        .get(s / width)
                        .cloned()
                        .unwrap_or(Val::missing("no group"))
                })
                .collect(),
        ))
    }

    pub(super) fn period_at(&self, back: u32) -> Period {
        self.period.back(back)
    }

    /// A scope-level expression: one value per slot (group, or group x breakdown key).
    /// Computes every measure and KPI that `root` refers to (at period step `back` and
    /// through `previous`), dependencies first, so that evaluating `root` finds them
    /// all memoised: recursion then only follows one formula's own nesting, which the
    /// parser bounds, however long a chain of references is.
    pub(super) fn warm(&mut self, root: &TExpr, back: u32) {
        let mut refs: Vec<(&str, u32)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![(root, back)];
        while let Some((e, back)) = stack.pop() {
            match &e.kind {
                TExprKind::Ref(id) => {
                    if seen.insert((id.as_str(), back))
                        && let Some(f) = self.catalog.formula(id)
                    {
                        refs.push((id.as_str(), back));
                        stack.push((f, back));
                    }
                }
                TExprKind::Previous(inner) => stack.push((inner, back + 1)),
                TExprKind::YearAgo(inner) => stack.push((inner, back.saturating_add(YEAR_AGO))),
                TExprKind::Aggregate(_) => {}
                _ => stack.extend(e.operands().into_iter().map(|c| (c, back))),
            }
        }
        // A formula depends on names computed at the same or a later period step, and
        // at the same step on names earlier in the catalog's dependency order.
        let position: HashMap<&str, usize> = self
            .catalog
            .order
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        refs.sort_by_key(|(id, back)| {
            (
                std::cmp::Reverse(*back),
                position.get(id).copied().unwrap_or(usize::MAX),
            )
        });
        for (id, back) in refs {
            let reference = TExpr {
                kind: TExprKind::Ref(id.to_string()),
                ty: root.ty,
                span: root.span,
            };
            self.eval(&reference, back);
        }
    }

    pub(super) fn eval(&mut self, e: &TExpr, back: u32) -> Slots {
        let n = self.slots();
        match &e.kind {
            TExprKind::Number(v) => Slots::Same(Val::Num(*v)),
            TExprKind::Text(t) => Slots::Same(Val::Text(t.as_str().into())),
            TExprKind::Date(d) => Slots::Same(Val::Date(date_days(*d))),
            TExprKind::Bool(b) => Slots::Same(Val::Bool(*b)),
            TExprKind::Missing => Slots::Same(Val::missing(crate::query::missing::SET_MISSING)),
            TExprKind::Period(f) => Slots::Same(period_value(self.period_at(back), *f)),
            TExprKind::Ref(id) => {
                let key = (id.clone(), back);
                if let Some(v) = self.memo.get(&key) {
                    return v.clone();
                }
                let shared = self.split.is_none() && self.members.is_none();
                if shared
                    && let Some(v) = self.shared.lock().ok().and_then(|m| m.get(&key).cloned())
                {
                    return v;
                }
                let Some(formula) = self.catalog.formula(id) else {
                    return Slots::Same(Val::missing("unknown name"));
                };
                let v = self.eval(formula, back);
                if shared && let Ok(mut m) = self.shared.lock() {
                    m.insert(key.clone(), v.clone());
                }
                self.memo.insert(key, v.clone());
                v
            }
            TExprKind::Previous(inner) => self.eval(inner, back + 1),
            TExprKind::YearAgo(inner) => self.eval(inner, back.saturating_add(YEAR_AGO)),
            TExprKind::Aggregate(agg) => self.aggregate(agg, back),
            TExprKind::Grain(g) => self.grain(g, back),
            TExprKind::Member(column) => self.member_attribute(self.data, column),
            TExprKind::Invalid | TExprKind::Column { .. } => {
                Slots::Same(Val::missing("invalid expression"))
            }
            _ => {
                let kids: Vec<Slots> = e
                    .operands()
                    .into_iter()
                    .map(|child| self.eval(child, back))
                    .collect();
                let mut args: Vec<&Val> = Vec::with_capacity(kids.len());
                if kids.iter().all(|k| matches!(k, Slots::Same(_))) {
                    args.extend(kids.iter().map(|k| k.get(0)));
                    return Slots::Same(scalar::combine(e, &args));
                }
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    args.clear();
                    args.extend(kids.iter().map(|k| k.get(i)));
                    out.push(scalar::combine(e, &args));
                }
                Slots::Each(Arc::new(out))
            }
        }
    }

    /// The computed aggregate, split by the KPI's breakdown when it reads the breakdown's
    /// table.
    pub(super) fn aggregate_result(
        &self,
        agg: &Aggregate,
        back: u32,
    ) -> Option<&'a scan::AggResult> {
        let split = self.split.as_ref().is_some_and(|s| s.table == agg.table);
        let members = self.members.as_ref().map(|(m, _)| m);
        self.computed.get(agg, self.base, back, split, members)
    }

    /// One value per slot; an aggregate that is not split by the breakdown has one
    /// value per group, shared by the group's breakdown keys.
    fn aggregate(&self, agg: &Aggregate, back: u32) -> Slots {
        let n = self.slots();
        let Some(r) = self.aggregate_result(agg, back) else {
            return Slots::Same(Val::missing("not planned"));
        };
        if r.values.len() == n {
            return Slots::Each(r.values.clone());
        }
        let width = self.split.as_ref().map_or(1, Split::width);
        Slots::Each(Arc::new(
            (0..n)
                .map(|s| {
                    r.values
                        .get(s / width)
                        .cloned()
                        .unwrap_or(Val::missing("no group"))
                })
                .collect(),
        ))
    }

    /// The result rows of one KPI: its value `now` and its comparison `before` per
    /// slot; `series` labels them with their sub-period and the period it is compared
    /// with.
    pub(super) fn result_rows(
        &mut self,
        kpi: &KpiDef,
        now: &Slots,
        before: &Slots,
        series: Option<(Arc<str>, Arc<str>)>,
    ) -> Vec<ResultRow> {
        let notes = self.member_notes(&kpi.formula);
        let tallies = self.member_tallies(&kpi.formula);
        let width = self.split.as_ref().map_or(1, |s| s.keys.len().max(1));
        let mut out = Vec::new();
        let id: Arc<str> = kpi.id.as_str().into();
        let display: Arc<str> = kpi.name.as_str().into();
        for (g, name) in self.groups.names.iter().enumerate() {
            let mut keys: Vec<(Option<String>, usize)> = match &self.split {
                Some(s) => s
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(k, key)| (Some(key.to_string()), g * width + k))
                    .collect(),
                None => vec![(None, g)],
            };
            keys.sort();
            for (key, slot) in keys {
                let value = output(now.get(slot));
                let previous = output(before.get(slot));
                if key.is_some() && value.number().is_none() && previous.number().is_none() {
                    continue;
                }
                let change = crate::query::change(kpi.unit, &value, &previous);
                out.push(ResultRow {
                    kpi: id.clone(),
                    name: display.clone(),
                    unit: kpi.unit,
                    group: name.clone(),
                    breakdown: key,
                    period: series.as_ref().map(|s| s.0.clone()),
                    compared_with: series.as_ref().map(|s| s.1.clone()),
                    grouping: None,
                    value,
                    previous,
                    change,
                    note: notes.as_ref().and_then(|n| n.get(g).cloned()),
                    members: tallies.as_ref().and_then(|t| t.get(g).cloned()),
                    target: None,
                    target_source: None,
                    gap: None,
                    status: None,
                    benchmarks: Vec::new(),
                    sample: None,
                    interval: None,
                });
            }
        }
        out
    }
}
