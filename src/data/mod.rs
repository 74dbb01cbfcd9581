//! Account datasets: one CSV file per declared table, loaded into typed columns.
//!
//! Loading checks every cell against the declared column type and collects every
//! problem (file, line, column, value) instead of stopping at the first; a dataset
//! with any error yields no [`Dataset`], so no KPI is computed from bad data.

mod cells;
mod errors;
mod intern;
mod load;
mod mapping;
mod relations;

pub use cells::{parse_date, parse_money};
pub use errors::{DataError, LoadReport};
pub use intern::Interner;
pub use load::{load_dataset, load_dataset_with_progress};
pub use mapping::{MAPPING_FILE, Mapping, TableMapping};

use indexmap::IndexMap;

/// Money is held as integer ten-thousandths: sums are exact.
pub const MONEY_SCALE: i64 = 10_000;

/// A loaded dataset: every table of the catalog's model that has a file.
#[derive(Debug, Default)]
pub struct Dataset {
    pub tables: IndexMap<String, TableData>,
}

/// One table's rows, column by column.
#[derive(Debug)]
pub struct TableData {
    pub rows: usize,
    pub columns: IndexMap<String, Column>,
}

/// A typed column. Dates (and date-times) are days since 1970-01-01 (fractional for
/// date-times); a missing cell is `None` / `false` in `valid`.
#[derive(Debug)]
pub enum Column {
    Text {
        codes: Vec<u32>,
        dict: Interner,
    },
    Number {
        values: Vec<f64>,
        valid: Vec<bool>,
    },
    Money {
        values: Vec<i64>,
        valid: Vec<bool>,
        /// The values as `f64`, made on first use by arithmetic (sums use `values`).
        floats: std::sync::OnceLock<Vec<f64>>,
    },
    Date {
        values: Vec<f64>,
        valid: Vec<bool>,
    },
    Bool {
        values: Vec<Option<bool>>,
    },
}

/// The code that marks a missing text cell.
pub const NO_TEXT: u32 = u32::MAX;

impl Column {
    /// A money column's values as `f64` currency units.
    pub fn money_floats<'a>(
        values: &[i64],
        floats: &'a std::sync::OnceLock<Vec<f64>>,
    ) -> &'a [f64] {
        floats.get_or_init(|| {
            values
                .iter()
                .map(|v| *v as f64 / MONEY_SCALE as f64)
                .collect()
        })
    }

    /// Whether the cell of row `i` is missing (empty, or past the end).
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Text { codes, .. } => codes.get(i).is_none_or(|c| *c == NO_TEXT),
            Column::Number { valid, .. }
            | Column::Money { valid, .. }
            | Column::Date { valid, .. } => !valid.get(i).copied().unwrap_or(false),
            Column::Bool { values } => values.get(i).is_none_or(Option::is_none),
        }
    }

    /// The text of row `i`, if present (text columns only).
    pub fn text(&self, i: usize) -> Option<&str> {
        match self {
            Column::Text { codes, dict } => dict.get(*codes.get(i)?),
            _ => None,
        }
    }
}
