//! Typing aggregates: which table one reads, its per-row argument and `where` filter
//! (typed in the row context), its period clause, and the aggregate-level rules
//! (no nesting; one table, plus the parent tables its relations lead to).

use super::calls::call_help;
use super::{Checker, Facts, Row, invalid, relations, texpr};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident, TimeClause};
use crate::vocab::{AggregateId, AggregateInfo, ArgKind, BinaryOp};
use std::collections::HashSet;

impl<'e, 'd> Checker<'e, 'd> {
    /// The fraction of `percentile(x, F)` (0 to 1), or a diagnostic on `arg`;
    /// `example` is the call as written for this kind of aggregate, `what` what it
    /// reads ("rows", "members").
    pub(super) fn percentile_fraction(
        &mut self,
        arg: &Expr,
        example: &str,
        what: &str,
    ) -> Option<f64> {
        match &arg.kind {
            ExprKind::Number { value, .. } if (0.0..=1.0).contains(value) => Some(*value),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        arg.span,
                        "the percentile must be a number from 0 to 1",
                    )
                    .label("expected e.g. 0.9 or 90%")
                    .help(format!(
                        "{example} is the value 90% of {what} are at or below"
                    )),
                );
                None
            }
        }
    }

    pub(super) fn aggregate(
        &mut self,
        info: &AggregateInfo,
        name: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        time: Option<&TimeClause>,
        span: Span,
    ) -> (TExpr, Facts) {
        if let Some(row) = &self.row {
            self.diags.push(
                Diagnostic::error(
                    Code::NestedAggregate,
                    name.span,
                    format!("`{}` inside an aggregate over `{}`", name.name, row.table.name),
                )
                .label("aggregate within an aggregate")
                .help("compute the inner aggregate as its own measure and combine the results outside"),
            );
            return invalid(span);
        }
        if !self.arity_ok(
            name,
            info.arity,
            args.len(),
            &call_help(&info.signature(), info.example),
        ) {
            return invalid(span);
        }
        // `count(orders)`: a bare table name counts rows.
        let counts_rows = counted_table(&name.name, args, self.env.tables).is_some();
        let Some(table) = self.aggregated_table(name, args, filter, counts_rows) else {
            return invalid(span);
        };
        self.tables.insert(table.name.clone());
        let guarded = filter.map(present_columns).unwrap_or_default();
        self.row = Some(Row { table, guarded });
        let arg = if counts_rows {
            None
        } else if info.id == AggregateId::CountDistinct && args.len() > 1 {
            let whole = args[0].span.to(args[args.len() - 1].span);
            Some(self.distinct_tuple(args, whole))
        } else {
            Some(self.expr(&args[0]))
        };
        let tfilter = filter.map(|f| self.condition(f, "the `where` filter"));
        self.row = None;

        let (func, ty) = match (info.id, &arg) {
            (AggregateId::Count, None) => (AggFunc::CountRows, Type::Number(Dim::Count)),
            (AggregateId::Count, Some(_)) => (AggFunc::Count, Type::Number(Dim::Count)),
            (AggregateId::CountDistinct, _) => (AggFunc::CountDistinct, Type::Number(Dim::Count)),
            (id, Some((a, _))) => {
                let func = match id {
                    AggregateId::Sum => AggFunc::Sum,
                    AggregateId::Avg => AggFunc::Avg,
                    AggregateId::Min => AggFunc::Min,
                    AggregateId::Max => AggFunc::Max,
                    AggregateId::Median => AggFunc::Median,
                    _ => AggFunc::Percentile,
                };
                let ok = match a.ty {
                    Type::Number(_) | Type::Error => true,
                    Type::Date | Type::DateTime => info.params[0].kind == ArgKind::NumberOrDate,
                    _ => false,
                };
                if !ok {
                    let count = AggregateId::Count.name();
                    self.diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            a.span,
                            format!("`{}` needs numbers", name.name),
                        )
                        .label(format!("this is {}", a.ty.describe()))
                        .help(if a.ty == Type::Bool {
                            format!(
                                "to count rows where something holds, write `{count}(TABLE where CONDITION)`"
                            )
                        } else {
                            format!(
                                "aggregate a numeric column, or use `{count}` / `{}`",
                                AggregateId::CountDistinct.name()
                            )
                        }),
                    );
                }
                (func, if ok { a.ty } else { Type::Error })
            }
            (_, None) => (AggFunc::Sum, Type::Error),
        };
        let fraction = if func == AggFunc::Percentile {
            self.percentile_fraction(&args[1], &format!("`{}(x, 0.9)`", name.name), "rows")
        } else {
            None
        };
        let time = self.time_filter(table, time);
        let agg = Aggregate {
            func,
            table: table.name.clone(),
            arg: arg.map(|(t, _)| t),
            fraction,
            filter: tfilter,
            time,
        };
        (
            texpr(TExprKind::Aggregate(Box::new(agg)), ty, span),
            Facts::default(),
        )
    }

    /// The table an aggregate runs over: the table named in `count(T)`, else the one
    /// table (other than `accounts`) its argument and filter read, else `accounts`.
    fn aggregated_table(
        &mut self,
        name: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        counts_rows: bool,
    ) -> Option<&'e TableDef> {
        let arg = &args[0];
        let tables = self.env.tables;
        if counts_rows && let ExprKind::Path { head, .. } = &arg.kind {
            return tables.get(&head.name);
        }
        let mut named = Vec::new();
        for a in args {
            collect_tables(a, &mut named);
        }
        if let Some(f) = filter {
            collect_tables(f, &mut named);
        }
        // The aggregated table is the one from which every other table named is
        // reached through many-to-one relations (`accounts` from any table related
        // to it; `leads` from `opportunities` with a `-> leads` column).
        let known: Vec<&Ident> = named
            .iter()
            .copied()
            .filter(|i| tables.contains_key(&i.name))
            .collect();
        let root = known.iter().find(|c| {
            let from = &tables[&c.name];
            known
                .iter()
                .all(|u| relations::reaches(tables, from, &u.name))
        });
        if let (None, Some(first)) = (root, known.first()) {
            // No such table: as before relations, the first table other than
            // `accounts` is the aggregated one, and a table it does not reach is
            // another table's rows (a missing `-> accounts` is reported per column).
            let chosen = known.iter().find(|i| i.name != "accounts").unwrap_or(first);
            let from = &tables[&chosen.name];
            let stray = known
                .iter()
                .find(|u| u.name != "accounts" && !relations::reaches(tables, from, &u.name));
            if let Some(u) = stray {
                let other = &tables[&u.name];
                if relations::reaches(tables, other, &chosen.name) {
                    self.one_to_many(from, other, u.span);
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            Code::MixedTables,
                            u.span,
                            format!("`{}` reads both `{}` and `{}`", name.name, chosen.name, u.name),
                        )
                        .label(format!("column of `{}`", u.name))
                        .with(chosen.span, format!("column of `{}`", chosen.name))
                        .help("one aggregate reads one table (plus the tables its relations lead to, such as `accounts`); aggregate each table separately"),
                    );
                }
                return None;
            }
        }
        let table_name = root
            .or(known.iter().find(|i| i.name != "accounts"))
            .or(known.first())
            .map(|i| i.name.as_str());
        match table_name {
            Some(t) => tables.get(t),
            None => {
                // No table at all: report unknown tables, or say what is needed.
                let bare = match &arg.kind {
                    ExprKind::Path {
                        head, member: None, ..
                    } => Some(head),
                    _ => None,
                };
                if let Some(unknown) = named.first() {
                    self.unknown_table(unknown);
                } else if let Some(head) = bare
                    && tables.contains_key(&head.name)
                {
                    self.diags.push(
                        Diagnostic::error(
                            Code::MixedTables,
                            head.span,
                            format!(
                                "`{}` needs a column of `{}`, not the table",
                                name.name, head.name
                            ),
                        )
                        .label("a table")
                        .help(format!(
                            "write a column, e.g. `{}({}.COLUMN)`; only `{}` takes a bare table{}",
                            name.name,
                            head.name,
                            AggregateId::Count.name(),
                            if self.env.declared.contains(&head.name) {
                                format!(
                                    " (the measure or KPI also named `{}` is one value for the \
                                     whole scope and cannot be read per row)",
                                    head.name
                                )
                            } else {
                                String::new()
                            }
                        )),
                    );
                } else if let Some(head) = bare
                    && self.env.declared.contains(&head.name)
                {
                    // A bare name in a table position that is a measure or KPI and no
                    // table: the syntax says "table", the catalog says otherwise.
                    self.diags.push(
                        Diagnostic::error(
                            Code::MixedTables,
                            head.span,
                            format!(
                                "`{}` is a measure or KPI, not a table: `{}` reads a table",
                                head.name, name.name
                            ),
                        )
                        .label("a whole-scope value, not rows")
                        .help(format!(
                            "count rows with `{}(TABLE)` or aggregate a column, e.g. `{}(orders.revenue)`; \
                             combine `{}` with aggregates outside them",
                            AggregateId::Count.name(),
                            name.name,
                            head.name
                        )),
                    );
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            Code::MixedTables,
                            arg.span,
                            format!("`{}` does not read any table", name.name),
                        )
                        .label("no column here")
                        .help(format!(
                            "aggregate a column, e.g. `{}(orders.revenue)`",
                            name.name
                        )),
                    );
                }
                None
            }
        }
    }

    fn time_filter(&mut self, table: &TableDef, clause: Option<&TimeClause>) -> TimeFilter {
        match clause {
            None => table
                .time_column
                .clone()
                .map_or(TimeFilter::None, TimeFilter::Column),
            Some(TimeClause::AllTime(span)) => {
                if table.time_column.is_none() {
                    self.diags.push(
                        Diagnostic::error(
                            Code::InvalidTimeClause,
                            *span,
                            format!(
                                "`{}` has no time column, so `all time` changes nothing",
                                table.name
                            ),
                        )
                        .label("nothing to turn off")
                        .help("remove `all time`"),
                    );
                }
                TimeFilter::None
            }
            Some(TimeClause::Dated {
                table: t,
                column,
                span,
            }) => {
                let col = (t.name == table.name)
                    .then(|| table.columns.get(&column.name))
                    .flatten();
                match col {
                    Some(c) if matches!(c.ty, ColumnType::Date | ColumnType::DateTime) => {
                        TimeFilter::Column(c.name.clone())
                    }
                    _ => {
                        let dates: Vec<&str> = table
                            .columns
                            .values()
                            .filter(|c| matches!(c.ty, ColumnType::Date | ColumnType::DateTime))
                            .map(|c| c.name.as_str())
                            .collect();
                        self.diags.push(
                            Diagnostic::error(
                                Code::InvalidTimeClause,
                                *span,
                                format!("`dated` needs a date column of `{}`", table.name),
                            )
                            .label(format!("`{}.{}` is not one", t.name, column.name))
                            .help(if dates.is_empty() {
                                format!("`{}` has no date columns", table.name)
                            } else {
                                format!("date columns of `{}`: {}", table.name, dates.join(", "))
                            }),
                        );
                        TimeFilter::None
                    }
                }
            }
        }
    }
}

/// The table of `count(TABLE ...)`: the aggregate's first argument when it is a bare
/// name of a table. There the name is a table even when a KPI or measure has the same
/// name (tables and KPIs are separate namespaces where the syntax tells them apart);
/// the dependency graph and the typing both read this one rule.
pub(in crate::check) fn counted_table<'a>(
    call: &str,
    args: &'a [Expr],
    tables: &indexmap::IndexMap<String, TableDef>,
) -> Option<&'a Ident> {
    if crate::vocab::aggregate(call)?.id != AggregateId::Count {
        return None;
    }
    match &args.first()?.kind {
        ExprKind::Path {
            head, member: None, ..
        } if tables.contains_key(&head.name) => Some(head),
        _ => None,
    }
}

/// Heads of `table.column` paths in `e` (not descending into nested calls' clauses
/// matters not: nested aggregates are reported separately).
fn collect_tables<'a>(e: &'a Expr, out: &mut Vec<&'a Ident>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if let ExprKind::Path {
            head,
            member: Some(_),
            ..
        } = &e.kind
            && head.name != "period"
        {
            out.push(head);
        }
        stack.extend(e.children());
    }
    // Source order for stable messages.
    out.sort_by_key(|i| i.span.start);
}

/// Paths a filter proves present: `T.c is not missing` (or `T.rel.c is not missing`)
/// among its top-level `and`s, as written.
fn present_columns(filter: &Expr) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut stack = vec![filter];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::And,
                left,
                right,
                ..
            } => {
                stack.push(left);
                stack.push(right);
            }
            ExprKind::IsMissing {
                operand,
                negated: true,
            } => {
                if let ExprKind::Path {
                    head,
                    member: Some(member),
                    hops,
                } = &operand.kind
                {
                    out.insert(relations::guard_key(head, hops, member));
                }
            }
            _ => {}
        }
    }
    out
}
