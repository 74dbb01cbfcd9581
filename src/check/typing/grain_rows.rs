//! Typing `per TABLE` (the members are the rows of a table): which tables qualify
//! (a key and a relation to accounts), which tables an inner aggregate may read (the
//! member's table and its child tables, through their one relation to it), and the
//! member's parent rows, which are not read directly.

use super::{Checker, Facts, invalid};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::PerClause;

impl<'e, 'd> Checker<'e, 'd> {
    /// The members of `per TABLE` (a table other than `accounts`): its rows.
    pub(super) fn row_members(&mut self, per: &PerClause) -> Option<Members> {
        let name = &per.table.name;
        let Some(def) = self.env.tables.get(name) else {
            self.unknown_table(&per.table);
            return None;
        };
        if let Some(column) = &per.column {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidPer,
                    column.span,
                    format!("`per {name}.{}`: members are accounts, a dimension of accounts, or the rows of a table", column.name),
                )
                .label("a column of a table other than accounts")
                .help(format!(
                    "aggregate per row of `{name}` (`per {name}`), per account (`per accounts`) or per a dimension of accounts (`per accounts.DIMENSION`)"
                )),
            );
            return None;
        }
        if def.key.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidPer,
                    per.table.span,
                    format!("`per {name}`: `{name}` has no key column, so its rows cannot be told apart"),
                )
                .label("a table without a `key`")
                .with(def.span, format!("`{name}` is declared here"))
                .help(format!(
                    "mark the column that identifies a row of `{name}` as `key`, e.g. `{name}_id: text key`"
                )),
            );
            return None;
        }
        if def.account_column.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidPer,
                    per.table.span,
                    format!("`per {name}`: `{name}` has no relation to accounts, so its rows belong to no segment or account"),
                )
                .label("a table without `-> accounts`")
                .with(def.span, format!("`{name}` is declared here"))
                .help(format!(
                    "give `{name}` a column `-> accounts`, or aggregate its rows directly (`avg({name}.COLUMN)`)"
                )),
            );
            return None;
        }
        Some(Members::Rows(name.clone()))
    }

    /// Whether an aggregate inside `per of` may read `table`: the member's own table
    /// (each member is one row of it), or a table with exactly one relation to it (a
    /// child row belongs to the member its relation names). Reports it otherwise.
    pub(super) fn reads_per_row(&mut self, table: &str, of: &str, at: Span) -> bool {
        if table == of {
            return true;
        }
        let links: Vec<&str> = self
            .env
            .tables
            .get(table)
            .map(|d| {
                d.columns
                    .values()
                    .filter(|c| c.relation.as_deref() == Some(of))
                    .map(|c| c.name.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let (message, label, help) = match links.len() {
            1 => return true,
            0 => (
                format!(
                    "`{table}` has no relation to `{of}`, so it has no value per row of `{of}`"
                ),
                format!("members are rows of `{of}`"),
                format!("give `{table}` a column `-> {of}`, or aggregate `{table}` outside `per`"),
            ),
            _ => (
                format!(
                    "`{table}` has several relations to `{of}` ({}), so its rows belong to more than one member",
                    links.join(", ")
                ),
                format!("members are rows of `{of}`"),
                format!(
                    "aggregate `{table}` outside `per`; per row of `{of}`, read a table with one relation to it"
                ),
            ),
        };
        self.diags.push(
            Diagnostic::error(Code::InvalidPer, at, message)
                .label(label)
                .help(help),
        );
        false
    }

    /// `T.relation.COLUMN` outside an aggregate inside `per T`: a parent row's column
    /// is not read per member (refused with the way to say it); `None` for paths that
    /// are not about the member (reported as columns outside an aggregate).
    pub(super) fn member_parent(
        &mut self,
        members: &Members,
        table: &TableDef,
        span: Span,
    ) -> Option<(TExpr, Facts)> {
        let Members::Rows(of) = members else {
            return None;
        };
        if *of != table.name {
            return None;
        }
        self.diags.push(
            Diagnostic::error(
                Code::InvalidPer,
                span,
                format!("a parent row's column per row of `{of}`"),
            )
            .label("read through a relation of the member")
            .help(format!(
                "an aggregate over `{of}` inside `per {of}` reads the member's one row, relations included: e.g. `max({of}.RELATION.COLUMN)`, or for text `count({of} where {of}.RELATION.COLUMN == \"VALUE\") > 0`"
            )),
        );
        Some(invalid(span))
    }
}
