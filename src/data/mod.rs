//! Account datasets: one CSV or Parquet file per declared table, loaded into typed
//! columns.
//!
//! Loading checks every cell against the declared column type and collects every
//! problem (file, line, column, value) instead of stopping at the first; a dataset
//! with any error yields no [`Dataset`], so no KPI is computed from bad data.

mod assemble;
mod cells;
mod errors;
mod intern;
mod lines;
mod load;
mod mapping;
mod parquet;
mod relations;
mod rows;
mod simd_range;
mod split;
mod table;

pub use cells::{SECONDS_PER_DAY, parse_date, parse_money};
pub use errors::{DataError, LoadReport};
pub use intern::Interner;
pub use load::TimeRanges;
pub use load::{
    load_dataset, load_dataset_in_ranges, load_dataset_with_progress, load_needed,
    load_needed_within, load_read,
};
pub use mapping::{MAPPING_FILE, Mapping, OneOrMany, Scalar, SourceMapping, TableMapping};
pub use parquet::{DayRange, ROW_GROUP_ROWS, WriteReport, write_dataset};
pub use relations::{Matched, NO_ROW, rows_on};

use indexmap::IndexMap;

/// Money is held as integer ten-thousandths: sums are exact.
pub const MONEY_SCALE: i64 = 10_000;

/// An exact amount of ten-thousandths as the `f64` nearest to it, so that it prints
/// with the digits it has (5,912,575,343,754.39, not …754.391). Below 2^53
/// ten-thousandths the integer converts exactly and one division rounds correctly;
/// above, the decimal text is parsed, which rounds correctly too.
pub fn money_value(ten_thousandths: i128) -> f64 {
    const EXACT: i128 = 1 << 53;
    if (-EXACT..=EXACT).contains(&ten_thousandths) {
        return ten_thousandths as f64 / MONEY_SCALE as f64;
    }
    let scale = MONEY_SCALE as i128;
    let sign = if ten_thousandths < 0 { "-" } else { "" };
    let abs = ten_thousandths.unsigned_abs();
    let text = format!("{sign}{}.{:04}", abs / scale as u128, abs % scale as u128);
    text.parse().unwrap_or(f64::NAN)
}

/// A loaded dataset: every table of the catalog's model that was asked for and has a
/// file.
#[derive(Debug, Default)]
pub struct Dataset {
    pub tables: IndexMap<String, TableData>,
    /// Tables asked for that the dataset does not have, each with why ("no file
    /// service_costs.csv in data/"); only [`load_needed`] leaves tables out so.
    pub absent: IndexMap<String, String>,
    /// The rows matched through relations on several columns, once per dataset.
    pub matched: relations::MatchedRows,
}

/// One table's rows, column by column.
#[derive(Debug)]
pub struct TableData {
    pub rows: usize,
    pub columns: IndexMap<String, Column>,
}

/// A typed column. Dates are days since 1970-01-01, date-times whole seconds since
/// 1970-01-01 00:00:00 (the catalog's column type says which; both integers, exact in
/// an `f64`); a missing cell is `None` / `false` in `valid`.
#[derive(Debug)]
pub enum Column {
    Text { codes: Vec<u32>, dict: Interner },
    Number { values: Vec<f64>, valid: Vec<bool> },
    Money { values: Vec<i64>, valid: Vec<bool> },
    Date { values: Vec<f64>, valid: Vec<bool> },
    Bool { values: Vec<Option<bool>> },
}

/// The code that marks a missing text cell.
pub const NO_TEXT: u32 = u32::MAX;

impl Column {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_values_print_with_their_digits() {
        let total: i128 = 59_125_753_437_543_900;
        // Converting first and dividing after rounds twice.
        assert_eq!((total as f64 / 10_000.0).to_string(), "5912575343754.391");
        assert_eq!(money_value(total).to_string(), "5912575343754.39");
        assert_eq!(money_value(-total).to_string(), "-5912575343754.39");
        assert_eq!(money_value(12_345).to_string(), "1.2345");
        assert_eq!(money_value(0), 0.0);
    }
}
