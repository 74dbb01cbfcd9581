//! Name resolution in formulas: `period.FIELD`, `table.column` (with the per-row rules
//! of aggregates: own table, `accounts` through the relation), and bare names of
//! measures and KPIs.

use super::{Checker, Facts, OutsideColumn, invalid, texpr};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::Ident;
use crate::vocab::AggregateId;

impl<'e, 'd> Checker<'e, 'd> {
    pub(super) fn path(
        &mut self,
        head: &Ident,
        member: Option<&Ident>,
        span: Span,
    ) -> (TExpr, Facts) {
        let Some(member) = member else {
            return self.name_ref(head, span);
        };
        if head.name == "period" {
            let field = match member.name.as_str() {
                "start" => (PeriodField::Start, Type::Date),
                "end" => (PeriodField::End, Type::Date),
                "days" => (PeriodField::Days, Type::Number(Dim::Days)),
                "months" => (PeriodField::Months, Type::Number(Dim::Plain)),
                "quarters" => (PeriodField::Quarters, Type::Number(Dim::Plain)),
                "years" => (PeriodField::Years, Type::Number(Dim::Plain)),
                other => {
                    let fields = ["start", "end", "days", "months", "quarters", "years"];
                    let hint = did_you_mean(other, fields).unwrap_or_else(|| {
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
                        .help(hint),
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
        let Some(column) = table.columns.get(&member.name) else {
            let hint = did_you_mean(&member.name, table.columns.keys().map(String::as_str))
                .unwrap_or_else(|| {
                    format!(
                        "columns of `{}`: {}",
                        table.name,
                        table.columns.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                });
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownName,
                    member.span,
                    format!("table `{}` has no column `{}`", table.name, member.name),
                )
                .label("unknown column")
                .with(table.span, format!("`{}` is declared here", table.name))
                .help(hint),
            );
            return invalid(span);
        };
        let Some(row) = &self.row else {
            // Reported after the walk (see `outside.rs`), grouped with the rest of the
            // row-level expression it belongs to.
            self.outside.push(OutsideColumn {
                span,
                table: head.name.clone(),
                column: member.name.clone(),
            });
            return invalid(span);
        };
        let via = if table.name == row.table.name {
            None
        } else if table.name == "accounts" && row.table.account_column.is_some() {
            row.table.account_column.clone()
        } else {
            let help = if table.name == "accounts" {
                format!(
                    "`{}` has no `-> accounts` column; add one to reach account columns",
                    row.table.name
                )
            } else {
                format!(
                    "an aggregate over `{}` can read its own columns and those of `accounts`; aggregate `{}` separately",
                    row.table.name, table.name
                )
            };
            self.diags.push(
                Diagnostic::error(
                    Code::MixedTables,
                    span,
                    format!(
                        "aggregate over `{}` reads a column of `{}`",
                        row.table.name, table.name
                    ),
                )
                .label(format!("column of `{}`", table.name))
                .help(help),
            );
            return invalid(span);
        };
        let guarded = row
            .guarded
            .contains(&(table.name.clone(), column.name.clone()));
        (
            texpr(
                TExprKind::Column {
                    table: table.name.clone(),
                    column: column.name.clone(),
                    via,
                },
                column.value_type,
                span,
            ),
            Facts {
                flexible: false,
                optional: column.optional && !guarded,
            },
        )
    }

    pub(super) fn unknown_table(&mut self, head: &Ident) {
        let hint = did_you_mean(
            &head.name,
            self.env.tables.keys().map(String::as_str).chain(["period"]),
        )
        .unwrap_or_else(|| "columns are written `table.column`".into());
        self.diags.push(
            Diagnostic::error(
                Code::UnknownName,
                head.span,
                format!("no table named `{}`", head.name),
            )
            .label("unknown table")
            .help(hint),
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
        } else if let Some(hint) = did_you_mean(
            &name.name,
            self.env
                .declared
                .iter()
                .map(String::as_str)
                .chain(["true", "false"]),
        ) {
            d = d.help(hint);
        } else {
            d = d.help("declare it as a `measure` or `kpi`, or write a column as `table.column`");
        }
        self.diags.push(d);
        invalid(span)
    }
}
