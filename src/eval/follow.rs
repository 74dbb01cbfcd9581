//! Following relations natively: for the scanned table, the parent row (through one
//! relation or a chain of them) of every row, built once per request and chain and
//! shared by every instruction that reads a column of that parent.

use super::NONE;
use crate::data::{Column, Dataset, TableData};
use crate::ir::{Catalog, Hop};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

// A row without a parent is marked alike by both.
const _: () = assert!(NONE == crate::data::NO_ROW);

/// The parent rows of one scanned table's rows, per chain of relations, built when
/// first asked for.
#[derive(Debug)]
pub struct Parents<'a> {
    catalog: &'a Catalog,
    data: &'a Dataset,
    /// The scanned table.
    from: &'a str,
    /// Chain -> the parent row of every row of `from` (`NONE` where there is none).
    built: RefCell<HashMap<Vec<Hop>, Arc<[u32]>>>,
}

impl<'a> Parents<'a> {
    /// Parent rows for the rows of table `from` of `data`.
    pub fn new(catalog: &'a Catalog, data: &'a Dataset, from: &'a str) -> Parents<'a> {
        Parents {
            catalog,
            data,
            from,
            built: RefCell::default(),
        }
    }

    /// The table at the end of `hops` and the row of it of every scanned row, or
    /// `None` when a table on the way is not loaded. A row whose relation cell is
    /// empty has no parent (`NONE`): its parent's columns read as missing.
    pub fn rows(&self, hops: &[Hop]) -> Option<(&'a TableData, Arc<[u32]>)> {
        let last = self.data.tables.get(&hops.last()?.table)?;
        if let Some(rows) = self.built.borrow().get(hops) {
            return Some((last, rows.clone()));
        }
        let mut name = self.from;
        let mut table = self.data.tables.get(name)?;
        // Row of the current table for every scanned row; `None` before the first hop.
        let mut rows: Option<Vec<u32>> = None;
        for hop in hops {
            let step: Arc<[u32]> = if hop.on.is_empty() {
                self.step(table, hop)?.into()
            } else {
                // A relation on several columns: rows matched on their values, once
                // per dataset (the load's check matched them already).
                self.data.rows_matched(name, &hop.table, &hop.on)?
            };
            rows = Some(match rows {
                None => step.to_vec(),
                Some(prev) => prev
                    .iter()
                    .map(|r| step.get(*r as usize).copied().unwrap_or(NONE))
                    .collect(),
            });
            name = &hop.table;
            table = self.data.tables.get(name)?;
        }
        let rows: Arc<[u32]> = rows?.into();
        self.built.borrow_mut().insert(hops.to_vec(), rows.clone());
        Some((last, rows))
    }

    /// One relation: the row of `hop.table` each row of `table` points to. Each
    /// distinct relation value is looked up once, in a map of the target's keys.
    fn step(&self, table: &TableData, hop: &Hop) -> Option<Vec<u32>> {
        let target = self.data.tables.get(&hop.table)?;
        let key = self.catalog.tables.get(&hop.table)?.key.as_ref()?;
        let (
            Some(Column::Text { codes, dict }),
            Some(Column::Text {
                codes: key_codes,
                dict: key_dict,
            }),
        ) = (table.columns.get(&hop.column), target.columns.get(key))
        else {
            return None;
        };
        let mut row_of_key: HashMap<&str, u32> = HashMap::with_capacity(key_codes.len());
        for (row, code) in key_codes.iter().enumerate() {
            if let Some(k) = key_dict.get(*code) {
                // Keys are unique when loaded; the first row wins otherwise.
                row_of_key.entry(k).or_insert(row as u32);
            }
        }
        let by_code: Vec<u32> = dict
            .iter()
            .map(|v| row_of_key.get(v).copied().unwrap_or(NONE))
            .collect();
        Some(
            codes
                .iter()
                .map(|c| by_code.get(*c as usize).copied().unwrap_or(NONE))
                .collect(),
        )
    }
}
