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
/// An aggregate read rows, but every row's value was missing: from empty cells.
pub const ALL_ROWS_EMPTY: &str = "every row's value is missing (empty cell)";
/// An aggregate read rows, but every row's value was missing: divisions by zero.
pub const ALL_ROWS_DIVISION_BY_ZERO: &str = "every row's value is missing (division by zero)";
/// An aggregate read rows, but every row's value was missing, from empty cells or
/// divisions by zero.
pub const ALL_ROWS_MISSING: &str =
    "every row's value is missing (an empty cell or a division by zero)";
