//! The reasons a value is missing, worded once for every engine: the native evaluator
//! returns them, and the generated SQL writes them into its `value_reason` column.

/// An aggregate read no rows (in its period, scope and filter).
pub const NO_ROWS: &str = "no rows";
/// A division whose divisor is zero.
pub const DIVISION_BY_ZERO: &str = "division by zero";
/// An empty cell of an optional column.
pub const EMPTY_CELL: &str = "empty cell";
/// A database gave no value and no reason (the compiled query always gives one).
pub const IN_DATABASE: &str = "no value (no rows, an empty cell or a division by zero)";
/// The formula's own `missing` literal (e.g. `if count(orders) < 5 then missing else
/// ...`).
pub const SET_MISSING: &str = "set missing by the formula (`missing`)";
/// `period.months` (and `quarters`, `years`) of a period that is not whole months.
pub const PERIOD_NOT_WHOLE_MONTHS: &str =
    "the period is not whole calendar months (`period.months`)";
/// `period.quarters` of whole months that are not a multiple of three.
pub const PERIOD_NOT_WHOLE_QUARTERS: &str =
    "the period is not a whole number of quarters (`period.quarters`)";
/// `period.years` of whole months that are not a multiple of twelve.
pub const PERIOD_NOT_WHOLE_YEARS: &str =
    "the period is not a whole number of years (`period.years`)";
/// An aggregate read rows, but every row's value was missing: from empty cells.
pub const ALL_ROWS_EMPTY: &str = "every row's value is missing (empty cell)";
/// An aggregate read rows, but every row's value was missing: divisions by zero.
pub const ALL_ROWS_DIVISION_BY_ZERO: &str = "every row's value is missing (division by zero)";
/// An aggregate read rows, but every row's value was missing, from empty cells or
/// divisions by zero.
pub const ALL_ROWS_MISSING: &str =
    "every row's value is missing (an empty cell or a division by zero)";

/// An aggregate over members (`per`) had no member in the group (or its `where` kept
/// none).
/// An aggregate whose row arithmetic reads an amount of money too large for it to be
/// exact (see `eval::money_range`).
pub const MONEY_TOO_LARGE: &str =
    "an amount of money above 56,294,995,342 in row arithmetic cannot be computed exactly";
pub const NO_MEMBERS: &str = "no members";
/// An aggregate over members had members, but every member's value was missing.
pub const ALL_MEMBERS_MISSING: &str = "every member's value is missing";

/// Why every row's value of an aggregate's argument can be missing, read from the
/// expression (the kernels keep validity, not reasons): an optional column gives
/// empty cells, a division can divide by zero.
pub fn all_rows_missing(
    catalog: &crate::ir::Catalog,
    arg: Option<&crate::ir::TExpr>,
) -> &'static str {
    use crate::ir::TExprKind;
    let (mut empty, mut division) = (false, false);
    let mut stack: Vec<&crate::ir::TExpr> = arg.into_iter().collect();
    while let Some(e) = stack.pop() {
        match &e.kind {
            // A column read through a relation is missing where the relation cell is
            // empty (the loader refuses one naming no row).
            TExprKind::Column { via, .. } if !via.is_empty() => empty = true,
            TExprKind::Column { table, column, .. } => {
                empty |= catalog
                    .tables
                    .get(table)
                    .and_then(|t| t.columns.get(column))
                    .is_none_or(|c| c.optional);
            }
            TExprKind::Binary { op, .. } if *op == crate::vocab::BinaryOp::Div => {
                division = true;
                stack.extend(e.operands());
            }
            _ => stack.extend(e.operands()),
        }
    }
    match (empty, division) {
        (true, false) => ALL_ROWS_EMPTY,
        (false, true) => ALL_ROWS_DIVISION_BY_ZERO,
        _ => ALL_ROWS_MISSING,
    }
}
