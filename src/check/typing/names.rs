//! Name resolution in formulas: `period.FIELD`, `table.column` and
//! `table.relation.column` (with the per-row rules of aggregates: own table, parent
//! tables through relations, see `relations.rs`), and bare names of measures and KPIs.

use super::{Checker, Facts, OutsideColumn, invalid, relations, texpr};
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::Ident;
use crate::vocab::AggregateId;

impl<'e, 'd> Checker<'e, 'd> {
    pub(super) fn path(
        &mut self,
        head: &Ident,
        member: Option<&Ident>,
        hops: &[Ident],
        span: Span,
    ) -> (TExpr, Facts) {
        let Some(member) = member else {
            return self.name_ref(head, span);
        };
        if head.name == "period" {
            if let Some(hop) = hops.first() {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        hop.span,
                        format!("`period.{}` has no fields", hop.name),
                    )
                    .label("the period is not a table")
                    .help("use `period.start`, `period.end` or `period.days`"),
                );
                return invalid(span);
            }
            let field = match member.name.as_str() {
                "start" => (PeriodField::Start, Type::Date),
                "end" => (PeriodField::End, Type::Date),
                "previous_start" => (PeriodField::PreviousStart, Type::Date),
                "days" => (PeriodField::Days, Type::Number(Dim::Days)),
                "months" => (PeriodField::Months, Type::Number(Dim::Plain)),
                "quarters" => (PeriodField::Quarters, Type::Number(Dim::Plain)),
                "years" => (PeriodField::Years, Type::Number(Dim::Plain)),
                other => {
                    let fields = [
                        "start",
                        "end",
                        "previous_start",
                        "days",
                        "months",
                        "quarters",
                        "years",
                    ];
                    let close = closest(other, fields);
                    let hint = close.as_deref().map(mean).unwrap_or_else(|| {
                        "use `period.start`, `period.end`, `period.days`, `period.months`, \
                         `period.quarters` or `period.years`"
                            .into()
                    });
                    self.diags.push(
                        Diagnostic::error(
                            Code::UnknownName,
                            member.span,
                            format!("the period has no field `{other}`"),
                        )
                        .label("unknown period field")
                        .help(hint)
                        .fix_name(member.span, close.as_deref()),
                    );
                    return invalid(span);
                }
            };
            return (
                texpr(TExprKind::Period(field.0), field.1, span),
                Facts::default(),
            );
        }
        let Some(table) = self.env.tables.get(&head.name) else {
            self.unknown_table(head);
            return invalid(span);
        };
        // `T.rel.….col`: the relations written are followed first, from `T`.
        let (explicit, last) = if hops.is_empty() {
            (Vec::new(), table)
        } else {
            match self.explicit_hops(table, hops) {
                Some(found) => found,
                None => return invalid(span),
            }
        };
        let Some(column) = last.columns.get(&member.name) else {
            let close = closest(&member.name, last.columns.keys().map(String::as_str));
            let hint = close.as_deref().map(mean).unwrap_or_else(|| {
                format!(
                    "columns of `{}`: {}",
                    last.name,
                    last.columns.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            });
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownName,
                    member.span,
                    format!("table `{}` has no column `{}`", last.name, member.name),
                )
                .label("unknown column")
                .with(last.span, format!("`{}` is declared here", last.name))
                .help(hint)
                .fix_name(member.span, close.as_deref()),
            );
            return invalid(span);
        };
        // `accounts.col` inside `per accounts`, outside an inner aggregate: the
        // member's own value.
        if let Some(attribute) = self.member_attribute(table, column, !hops.is_empty(), span) {
            return attribute;
        }
        // After `T.`: the relations and the column as written.
        let rest: Vec<&str> = hops
            .iter()
            .chain([member])
            .map(|i| i.name.as_str())
            .collect();
        let rest = rest.join(".");
        let Some(row) = &self.row else {
            // Reported after the walk (see `outside.rs`), grouped with the rest of the
            // row-level expression it belongs to.
            self.outside.push(OutsideColumn {
                span,
                table: head.name.clone(),
                column: rest,
            });
            return invalid(span);
        };
        let written = relations::guard_key(head, hops, member);
        let (row_table, guarded) = (row.table, row.guarded.contains(&written));
        // A table other than the aggregated one is reached by the short form.
        let mut via = if table.name == row_table.name {
            Vec::new()
        } else {
            match self.reach(row_table, table, head, &rest, span) {
                Some(hops) => hops,
                None => return invalid(span),
            }
        };
        via.extend(explicit);
        let optional =
            column.optional || relations::path_optional(self.env.tables, row_table, &via);
        (
            texpr(
                TExprKind::Column {
                    table: last.name.clone(),
                    column: column.name.clone(),
                    via,
                },
                column.value_type,
                span,
            ),
            Facts {
                flexible: false,
                optional: optional && !guarded,
            },
        )
    }

    pub(super) fn unknown_table(&mut self, head: &Ident) {
        let close = closest(
            &head.name,
            self.env.tables.keys().map(String::as_str).chain(["period"]),
        );
        let hint = close
            .as_deref()
            .map(mean)
            .unwrap_or_else(|| "columns are written `table.column`".into());
        self.diags.push(
            Diagnostic::error(
                Code::UnknownName,
                head.span,
                format!("no table named `{}`", head.name),
            )
            .label("unknown table")
            .help(hint)
            .fix_name(head.span, close.as_deref()),
        );
    }

    /// A bare name: a measure or KPI.
    pub(super) fn name_ref(&mut self, name: &Ident, span: Span) -> (TExpr, Facts) {
        if let Some(row) = &self.row
            && row.table.columns.contains_key(&name.name)
            && !self.env.declared.contains(&name.name)
        {
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownName,
                    name.span,
                    format!("`{}` needs its table", name.name),
                )
                .label("a column name without its table")
                .help(format!("write `{}.{}`", row.table.name, name.name)),
            );
            return invalid(span);
        }
        if let Some(info) = self.env.values.get(&name.name) {
            if self.row.is_some() {
                self.diags.push(
                    Diagnostic::error(
                        Code::NestedAggregate,
                        name.span,
                        format!(
                            "`{}` is a whole-scope value, used inside an aggregate",
                            name.name
                        ),
                    )
                    .label("one value for the scope, not per row")
                    .with(info.span, "defined here")
                    .help(match &self.row {
                        Some(row) if row.table.columns.contains_key(&name.name) => {
                            format!("for the column of each row, write `{}.{}`", row.table.name, name.name)
                        }
                        _ => format!(
                            "combine it with the aggregate outside, e.g. `{}(orders.revenue) / revenue`",
                            AggregateId::Sum.name()
                        ),
                    }),
                );
                return invalid(span);
            }
            self.refs.push(name.name.clone());
            self.tables.extend(info.tables.iter().cloned());
            return (
                texpr(TExprKind::Ref(name.name.clone()), info.ty, span),
                Facts::default(),
            );
        }
        if self.env.declared.contains(&name.name) {
            // Declared but failed to check (or in a cycle): already reported.
            self.refs.push(name.name.clone());
            return invalid(span);
        }
        let mut d = Diagnostic::error(
            Code::UnknownName,
            name.span,
            format!("unknown name `{}`", name.name),
        )
        .label("not a KPI or measure");
        if self.env.tables.contains_key(&name.name) {
            d = d.help(format!(
                "`{0}` is a table; aggregate it, e.g. `{1}({0})`",
                name.name,
                AggregateId::Count.name()
            ));
        } else if let Some(close) = closest(
            &name.name,
            self.env
                .declared
                .iter()
                .map(String::as_str)
                .chain(["true", "false"]),
        ) {
            d = d.help(mean(&close)).fix_name(name.span, Some(&close));
        } else {
            d = d.help("declare it as a `measure` or `kpi`, or write a column as `table.column`");
        }
        self.diags.push(d);
        invalid(span)
    }
}
