//! Typing aggregates over members (`avg(x per accounts where ...)`): the members, the
//! inner formula typed at scope level with the member's own attributes in reach, the
//! member filter, and the rules that keep the construct meaningful (no `per` inside
//! `per`, only tables that reach accounts, an aggregate before `per`).

use super::calls::call_help;
use super::{Checker, Facts, invalid, texpr};
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident, PerClause, TimeClause};
use crate::vocab::{self, AggregateId};

impl<'e, 'd> Checker<'e, 'd> {
    /// A call with a `per` clause.
    pub(super) fn grain(
        &mut self,
        name: &Ident,
        args: &[Expr],
        per: &PerClause,
        filter: Option<&Expr>,
        time: Option<&TimeClause>,
        span: Span,
    ) -> (TExpr, Facts) {
        let Some(info) = vocab::aggregate(&name.name) else {
            if vocab::function(&name.name).is_some() {
                self.bad_per(
                    per.span,
                    format!("`per` on `{}`, which is not an aggregate", name.name),
                    "`per` follows the argument of an aggregate",
                    format!(
                        "write it inside an aggregate, e.g. `{}(revenue per accounts)`",
                        AggregateId::Avg.name()
                    ),
                );
                return invalid(span);
            }
            // An unknown function: reported as such, clauses unchecked.
            return self.call(name, args, filter, time, span);
        };
        if let Some(row) = &self.row {
            self.diags.push(
                Diagnostic::error(
                    Code::NestedAggregate,
                    name.span,
                    format!("`{}` inside an aggregate over `{}`", name.name, row.table.name),
                )
                .label("aggregate within an aggregate")
                .help("an aggregate over members is a whole-scope value: combine it with aggregates outside them"),
            );
            return invalid(span);
        }
        if let Some(outer) = &self.grain {
            self.diags.push(
                Diagnostic::error(
                    Code::NestedPer,
                    per.span,
                    format!("`per` inside `per {}`", outer.label()),
                )
                .label("a second level of members")
                .help(format!(
                    "a member has no members of its own: aggregate over members once, e.g. `{}(sum(orders.revenue) per accounts)`",
                    AggregateId::Avg.name()
                )),
            );
            return invalid(span);
        }
        if let Some(t) = time {
            let s = match t {
                TimeClause::Dated { span, .. } | TimeClause::AllTime(span) => *span,
            };
            self.bad_per(
                s,
                "a period clause on an aggregate over members".into(),
                "members have no dates",
                "put `dated` or `all time` on the aggregates inside, e.g. `avg(sum(orders.revenue all time) per accounts)`".into(),
            );
            return invalid(span);
        }
        if info.id == AggregateId::CountDistinct {
            self.bad_per(
                name.span,
                format!("`{}` over members", name.name),
                "members are distinct already",
                format!(
                    "count members with `{}(accounts per accounts where CONDITION)`",
                    AggregateId::Count.name()
                ),
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
        let Some(members) = self.members(per) else {
            return invalid(span);
        };
        // `count(accounts per accounts ...)`, `count(deals per deals ...)`: the members
        // themselves are counted.
        let own = match &members {
            Members::Rows(t) => t.clone(),
            _ => "accounts".to_string(),
        };
        let counts_members = info.id == AggregateId::Count
            && matches!(&args[0].kind, ExprKind::Path { head, member: None, .. } if head.name == own
                && !self.env.declared.contains(&head.name));
        let refs_before = self.refs.len();
        let outside = std::mem::take(&mut self.tables);
        self.grain = Some(members.clone());
        let inner = (!counts_members).then(|| self.expr(&args[0]).0);
        let tfilter = filter.map(|f| self.condition(f, "the `where` filter of members"));
        self.grain = None;
        let read = std::mem::replace(&mut self.tables, outside);
        for t in &read {
            if let Members::Rows(of) = &members {
                if !self.reads_per_row(t, of, per.span) {
                    return invalid(span);
                }
                continue;
            }
            let related = t == "accounts"
                || self
                    .env
                    .tables
                    .get(t)
                    .is_some_and(|d| d.account_column.is_some());
            if !related {
                self.bad_per(
                    per.span,
                    format!("`{t}` has no relation to accounts, so it has no value per member"),
                    "members are accounts",
                    format!("give `{t}` a column `-> accounts`, or aggregate it outside `per`"),
                );
                return invalid(span);
            }
        }
        self.tables.extend(read);
        // A measure or KPI read inside that is itself over members.
        let nested = self.refs[refs_before..]
            .iter()
            .find(|r| self.env.values.get(*r).is_some_and(|v| v.per))
            .cloned();
        if let Some(r) = nested {
            let mut d = Diagnostic::error(
                Code::NestedPer,
                per.span,
                format!("`per` over a value that is itself over members: `{r}`"),
            )
            .label("a second level of members");
            if let Some(v) = self.env.values.get(&r) {
                d = d.with(v.span, "aggregates over members here");
            }
            self.diags.push(d.help(
                "a member has no members of its own: aggregate the per-member value once, and read that result outside `per`",
            ));
            return invalid(span);
        }
        self.per = true;
        let func = match info.id {
            AggregateId::Count if counts_members => AggFunc::CountRows,
            AggregateId::Count => AggFunc::Count,
            AggregateId::Sum => AggFunc::Sum,
            AggregateId::Avg => AggFunc::Avg,
            AggregateId::Min => AggFunc::Min,
            AggregateId::Max => AggFunc::Max,
            AggregateId::Median => AggFunc::Median,
            _ => AggFunc::Percentile,
        };
        let ty = match (&func, &inner) {
            (AggFunc::Count | AggFunc::CountRows, _) => Type::Number(Dim::Count),
            (_, Some(i)) => match i.ty {
                Type::Number(_) | Type::Error => i.ty,
                other => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            i.span,
                            format!("`{}` over members needs a number per member", name.name),
                        )
                        .label(format!("this is {}", other.describe()))
                        .help(format!(
                            "to count members where something holds, write `{}(accounts per accounts where CONDITION)`",
                            AggregateId::Count.name()
                        )),
                    );
                    Type::Error
                }
            },
            (_, None) => Type::Error,
        };
        let fraction = if func == AggFunc::Percentile {
            self.percentile_fraction(
                &args[1],
                &format!("`{}(x per accounts, 0.9)`", name.name),
                "members",
            )
        } else {
            None
        };
        let grain = Grain {
            func,
            members,
            inner,
            fraction,
            filter: tfilter,
        };
        (
            texpr(TExprKind::Grain(Box::new(grain)), ty, span),
            Facts::default(),
        )
    }

    /// The members a `per` clause names: `accounts`, a dimension of accounts, or the
    /// rows of a table.
    fn members(&mut self, per: &PerClause) -> Option<Members> {
        if per.table.name != "accounts" {
            return self.row_members(per);
        }
        let Some(column) = &per.column else {
            return Some(Members::Accounts);
        };
        let def = self.env.tables.get("accounts")?;
        let dims = || {
            def.columns
                .values()
                .filter(|c| c.dimension)
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
        };
        match def.columns.get(&column.name) {
            Some(c) if c.dimension => Some(Members::Dimension(c.name.clone())),
            Some(c) => {
                let list = dims();
                self.bad_per(
                    column.span,
                    format!("`accounts.{}` is not a dimension", c.name),
                    "members are the values of a `dimension` column",
                    if list.is_empty() {
                        format!("mark `{}` as `dimension` in the accounts table", c.name)
                    } else {
                        format!("dimensions of accounts: {}", list.join(", "))
                    },
                );
                None
            }
            None => {
                let close = closest(&column.name, dims());
                let hint = close
                    .as_deref()
                    .map(mean)
                    .unwrap_or_else(|| format!("dimensions of accounts: {}", dims().join(", ")));
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        column.span,
                        format!("table `accounts` has no column `{}`", column.name),
                    )
                    .label("unknown column")
                    .help(hint)
                    .fix_name(column.span, close.as_deref()),
                );
                None
            }
        }
    }

    /// `accounts.COLUMN` outside an aggregate, inside `per accounts` (or `T.COLUMN`
    /// inside `per T`): the member's own value. `None` when the path is not one.
    pub(super) fn member_attribute(
        &mut self,
        table: &TableDef,
        column: &ColumnDef,
        followed: bool,
        span: Span,
    ) -> Option<(TExpr, Facts)> {
        if self.row.is_some() {
            return None;
        }
        let members = self.grain.clone()?;
        if followed {
            return self.member_parent(&members, table, span);
        }
        if members.table().is_some_and(|t| t != table.name)
            || (members.table().is_none() && table.name != "accounts")
        {
            return None;
        }
        match members {
            Members::Accounts | Members::Rows(_) => Some((
                texpr(
                    TExprKind::Member(column.name.clone()),
                    column.value_type,
                    span,
                ),
                // An empty cell makes the member's value missing, and the member is
                // skipped: no guard needed, unlike an optional column in a row.
                Facts::default(),
            )),
            Members::Dimension(d) => {
                self.bad_per(
                    span,
                    format!("`accounts.{}` per value of `accounts.{d}`", column.name),
                    "an account's column, not the member's",
                    format!(
                        "a member is a value of `{d}`, not one account: read `accounts.{}` inside an aggregate over the member's accounts, or aggregate `per accounts`",
                        column.name
                    ),
                );
                Some(invalid(span))
            }
        }
    }

    fn bad_per(&mut self, at: Span, message: String, label: &str, help: String) {
        self.diags.push(
            Diagnostic::error(Code::InvalidPer, at, message)
                .label(label.to_string())
                .help(help),
        );
    }
}
