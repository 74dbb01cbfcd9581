//! Money a double cannot carry to the ten-thousandth. Per-row arithmetic runs on
//! doubles; a money cell past [`EXACT_LIMIT`] ten-thousandths (about 56 billion) may
//! come out of it a few ten-thousandths off, and then so would a minimum, a sum of
//! differences or a comparison with it. An aggregate that reads such a cell through
//! row arithmetic is missing with [`missing::MONEY_TOO_LARGE`] instead of a rounded
//! number. (The sum or mean of a money column itself adds the exact integers and is
//! not affected.)

use crate::data::{Column, Dataset};
use crate::ir::{Aggregate, TExpr, TExprKind};
use std::cell::RefCell;
use std::collections::HashMap;

/// Largest amount, in ten-thousandths, that row arithmetic carries exactly: 2^49, so
/// that a sum or difference of a few such amounts stays well inside the 2^53 integers
/// a double holds exactly.
pub const EXACT_LIMIT: i64 = 1 << 49;

/// Which money columns hold an amount past [`EXACT_LIMIT`], each looked at once per
/// request.
#[derive(Default)]
pub struct LargeMoney {
    seen: RefCell<HashMap<(String, String), bool>>,
}

impl LargeMoney {
    /// Whether `agg`'s row expression or filter reads a money cell past the limit.
    pub fn read_by(&self, data: &Dataset, agg: &Aggregate) -> bool {
        let mut stack: Vec<&TExpr> = agg.arg.iter().chain(&agg.filter).collect();
        while let Some(e) = stack.pop() {
            if let TExprKind::Column { table, column, .. } = &e.kind {
                if self.column(data, table, column) {
                    return true;
                }
            } else {
                stack.extend(e.operands());
            }
        }
        false
    }

    fn column(&self, data: &Dataset, table: &str, column: &str) -> bool {
        let key = (table.to_string(), column.to_string());
        if let Some(large) = self.seen.borrow().get(&key) {
            return *large;
        }
        let large = match data.tables.get(table).and_then(|t| t.columns.get(column)) {
            Some(Column::Money { values, valid, .. }) => values
                .iter()
                .zip(valid)
                .any(|(v, ok)| *ok && v.unsigned_abs() > EXACT_LIMIT as u64),
            _ => false,
        };
        self.seen.borrow_mut().insert(key, large);
        large
    }
}
