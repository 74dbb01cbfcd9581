//! Relations between tables: every relation cell must name an existing row of its
//! target table, and the parent rows of a relation on several columns must be unique
//! on those columns. Also the matching of such a relation's rows, shared with the
//! native evaluator ([`rows_on`]).

use super::assemble::Origins;
use super::errors::{DataError, Errors, MAX_ERRORS};
use super::intern::Interner;
use super::lines::record_lines;
use super::mapping::Mapping;
use super::{Column, Dataset, NO_TEXT, TableData};
use crate::ir::{Catalog, ColumnDef, ColumnType, RelationDef, TableDef};
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The code of a row without a parent in [`Matched::rows`].
pub const NO_ROW: u32 = u32::MAX;

/// A key part no parent row holds (a text the parent column never has).
const UNMATCHED: u64 = u64::MAX;

/// The rows of a child table matched with its parent's through a relation on
/// several columns.
#[derive(Debug, Default)]
pub struct Matched {
    /// The parent row of every child row, [`NO_ROW`] where a cell of the relation is
    /// empty or no parent row holds its values.
    pub rows: Vec<u32>,
    /// Child rows with every cell present and no parent row holding them.
    pub dangling: Vec<usize>,
    /// Parent rows holding the same values as an earlier one: (earlier, this).
    pub duplicates: Vec<(usize, usize)>,
}

/// One column of a relation's key, read as numbers row by row in place (an orders
/// table has millions of rows: no copy of the column is made).
enum KeyPart<'d> {
    /// Text codes, with (child side) the parent's code of each of the child's strings,
    /// looked up once per distinct string; `UNMATCHED` where the parent has none.
    Text(&'d [u32], Option<Vec<u64>>),
    Float(&'d [f64], &'d [bool]),
    Money(&'d [i64], &'d [bool]),
    Bool(&'d [Option<bool>]),
}

impl<'d> KeyPart<'d> {
    /// `column` as a key part; `to`: the parent column's strings (child side).
    fn of(column: &'d Column, to: Option<&Interner>) -> KeyPart<'d> {
        match column {
            Column::Text { codes, dict } => KeyPart::Text(
                codes,
                to.map(|parent| {
                    let mut index = HashMap::with_hasher(FixedState::default());
                    index.extend(parent.iter().zip(0u32..));
                    dict.iter()
                        .map(|s| index.get(s).map_or(UNMATCHED, |p| u64::from(*p)))
                        .collect()
                }),
            ),
            Column::Number { values, valid } | Column::Date { values, valid } => {
                KeyPart::Float(values, valid)
            }
            Column::Money { values, valid, .. } => KeyPart::Money(values, valid),
            Column::Bool { values } => KeyPart::Bool(values),
        }
    }

    /// The key value of `row`: the value's bits, or a text's code in the parent
    /// column; `None` for an empty cell.
    fn at(&self, row: usize) -> Option<u64> {
        match self {
            KeyPart::Text(codes, map) => match (*codes.get(row)?, map) {
                (NO_TEXT, _) => None,
                (c, None) => Some(u64::from(c)),
                (c, Some(map)) => Some(map.get(c as usize).copied().unwrap_or(UNMATCHED)),
            },
            KeyPart::Float(values, valid) => valid
                .get(row)
                .copied()
                .unwrap_or(false)
                // -0.0 and 0.0 are the same value.
                .then(|| {
                    values
                        .get(row)
                        .map(|v| (if *v == 0.0 { 0.0f64 } else { *v }).to_bits())
                })
                .flatten(),
            KeyPart::Money(values, valid) => valid
                .get(row)
                .copied()
                .unwrap_or(false)
                .then(|| values.get(row).map(|v| *v as u64))
                .flatten(),
            KeyPart::Bool(values) => values.get(row).copied().flatten().map(u64::from),
        }
    }
}

/// The key columns of one side of a relation.
struct Keys<'d>(Vec<KeyPart<'d>>);

impl Keys<'_> {
    /// The hash of `row`'s key; `None` when a cell of it is empty.
    fn hash(&self, state: &FixedState, row: usize) -> Option<u64> {
        let mut h = state.build_hasher();
        for part in &self.0 {
            h.write_u64(part.at(row)?);
        }
        Some(h.finish())
    }

    /// Whether `row` holds the same key as `other`'s row `at`.
    fn same(&self, row: usize, other: &Keys, at: usize) -> bool {
        self.0
            .iter()
            .zip(&other.0)
            .all(|(a, b)| a.at(row) == b.at(at))
    }

    /// Whether every cell of `row`'s key is present.
    fn complete(&self, row: usize) -> bool {
        self.0.iter().all(|p| p.at(row).is_some())
    }
}

/// Matches each row of `child` with the row of `parent` holding its values in the
/// column pairs `on` (child column, parent column). `None` when a column is not
/// loaded or the two columns of a pair hold different kinds of values.
///
/// Rows are matched through a hash table of parent row numbers, keyed by the row's
/// values and compared in place: no key is allocated per row, and the child's rows
/// are matched in parallel (an orders table has millions).
pub fn rows_on(child: &TableData, parent: &TableData, on: &[(String, String)]) -> Option<Matched> {
    let mut child_parts = Vec::with_capacity(on.len());
    let mut parent_parts = Vec::with_capacity(on.len());
    for (c, p) in on {
        let (c, p) = (child.columns.get(c)?, parent.columns.get(p)?);
        if std::mem::discriminant(c) != std::mem::discriminant(p) {
            return None;
        }
        let strings = match p {
            Column::Text { dict, .. } => Some(dict),
            _ => None,
        };
        child_parts.push(KeyPart::of(c, strings));
        parent_parts.push(KeyPart::of(p, None));
    }
    let (child_keys, parent_keys) = (Keys(child_parts), Keys(parent_parts));
    let state = FixedState::default();
    let mut out = Matched::default();
    let mut row_of: HashTable<u32> = HashTable::with_capacity(parent.rows);
    for row in 0..parent.rows {
        // A parent column of a relation is never optional (checked); an empty cell
        // could not be matched anyway.
        let Some(hash) = parent_keys.hash(&state, row) else {
            continue;
        };
        match row_of.find(hash, |r| parent_keys.same(*r as usize, &parent_keys, row)) {
            Some(first) => out.duplicates.push((*first as usize, row)),
            None => {
                row_of.insert_unique(hash, row as u32, |r| {
                    parent_keys.hash(&state, *r as usize).unwrap_or(0)
                });
            }
        }
    }
    out.rows = (0..child.rows)
        .into_par_iter()
        .map(|row| {
            child_keys
                .hash(&state, row)
                .and_then(|hash| {
                    row_of.find(hash, |r| child_keys.same(row, &parent_keys, *r as usize))
                })
                .copied()
                .unwrap_or(NO_ROW)
        })
        .collect();
    out.dangling = (0..child.rows)
        .filter(|r| out.rows[*r] == NO_ROW && child_keys.complete(*r))
        .collect();
    Some(out)
}

/// The parent rows of the relations on several columns, matched once per dataset (by
/// the load's checks) and reused by every scan and request over it.
#[derive(Debug, Default)]
pub struct MatchedRows(Mutex<HashMap<MatchKey, Arc<[u32]>>>);

/// (child table, parent table, column pairs).
type MatchKey = (String, String, Vec<(String, String)>);

impl MatchedRows {
    fn remember(&self, key: MatchKey, rows: Arc<[u32]>) {
        if let Ok(mut known) = self.0.lock() {
            known.insert(key, rows);
        }
    }
}

impl Dataset {
    /// The row of table `parent` each row of table `child` matches on the column pairs
    /// `on` ([`NO_ROW`] where none), as [`rows_on`] finds them; computed once per
    /// dataset. `None` when a table or column is not loaded.
    pub fn rows_matched(
        &self,
        child: &str,
        parent: &str,
        on: &[(String, String)],
    ) -> Option<Arc<[u32]>> {
        let key = (child.to_string(), parent.to_string(), on.to_vec());
        if let Some(rows) = self.matched.0.lock().ok()?.get(&key) {
            return Some(rows.clone());
        }
        let rows: Arc<[u32]> = rows_on(self.tables.get(child)?, self.tables.get(parent)?, on)?
            .rows
            .into();
        self.matched.remember(key, rows.clone());
        Some(rows)
    }
}

/// One bad row: (row, column, value, message).
type Bad = (usize, String, String, String);

/// The cells of relation column `col` of `table` that name no row of its target (none
/// when either table is not loaded).
fn dangling_cells(
    catalog: &Catalog,
    dataset: &Dataset,
    table: &TableDef,
    col: &ColumnDef,
) -> Vec<Bad> {
    let mut out = Vec::new();
    let (Some(data), Some(target)) = (dataset.tables.get(&table.name), &col.relation) else {
        return out;
    };
    let Some(target_def) = catalog.tables.get(target) else {
        return out;
    };
    let (Some(key), Some(target_data)) = (&target_def.key, dataset.tables.get(target)) else {
        return out;
    };
    let Some(Column::Text { dict: key_dict, .. }) = target_data.columns.get(key) else {
        return out;
    };
    if let Some(Column::Text { codes, dict }) = data.columns.get(&col.name) {
        // Each distinct value is looked up once, not once per row.
        let mut index = std::collections::HashSet::with_hasher(FixedState::default());
        index.extend(key_dict.iter());
        let known: Vec<bool> = dict.iter().map(|v| index.contains(v)).collect();
        for (row, code) in codes.iter().enumerate() {
            if known.get(*code as usize).copied().unwrap_or(true) {
                continue;
            }
            let Some(value) = dict.get(*code) else {
                continue;
            };
            out.push((
                row,
                col.name.clone(),
                value.to_string(),
                format!("no row of `{target}` has this `{key}`"),
            ));
        }
    }
    out
}

/// Every relation cell must name an existing row of the target table; the parent
/// rows of a relation on several columns must be unique on them.
pub(super) fn check_relations(
    catalog: &Catalog,
    dataset: &Dataset,
    dir: &Path,
    mapping: &Mapping,
    origins: &HashMap<String, Origins>,
    errors: &mut Errors,
) {
    // Bad rows of each table, reported together per table.
    let mut bad: HashMap<&str, Vec<Bad>> = HashMap::new();
    // (parent, its columns) already checked for duplicates.
    let mut unique_checked: Vec<(&str, &[String])> = Vec::new();
    // The relation columns' checks are independent: they run in parallel, and their
    // bad rows are reported in the model's order below.
    let columns: Vec<(&TableDef, &ColumnDef)> = catalog
        .tables
        .values()
        .flat_map(|t| t.columns.values().map(move |c| (t, c)))
        .filter(|(_, c)| c.relation.is_some())
        .collect();
    let mut column_bad: Vec<Vec<Bad>> = columns
        .par_iter()
        .map(|(table, col)| dangling_cells(catalog, dataset, table, col))
        .collect::<Vec<_>>();
    let mut next = 0;
    for table in catalog.tables.values() {
        let Some(data) = dataset.tables.get(&table.name) else {
            next += columns.iter().filter(|(t, _)| t.name == table.name).count();
            continue;
        };
        for _ in table.columns.values().filter(|c| c.relation.is_some()) {
            let found = std::mem::take(&mut column_bad[next]);
            next += 1;
            if !found.is_empty() {
                bad.entry(&table.name).or_default().extend(found);
            }
        }
        for relation in &table.relations {
            let (Some(target_def), Some(target_data)) = (
                catalog.tables.get(&relation.target),
                dataset.tables.get(&relation.target),
            ) else {
                continue;
            };
            let on: Vec<(String, String)> = relation
                .columns
                .iter()
                .cloned()
                .zip(relation.target_columns.iter().cloned())
                .collect();
            let Some(mut matched) = rows_on(data, target_data, &on) else {
                continue;
            };
            dataset.matched.remember(
                (table.name.clone(), relation.target.clone(), on),
                std::mem::take(&mut matched.rows).into(),
            );
            let written = format!("({})", relation.columns.join(", "));
            for row in matched.dangling {
                bad.entry(&table.name).or_default().push((
                    row,
                    relation.columns.first().cloned().unwrap_or_default(),
                    values(table, data, &relation.columns, row),
                    format!(
                        "no row of `{}` has these {written} (relation `{}`)",
                        relation.target, relation.name
                    ),
                ));
            }
            let parent_columns = relation.target_columns.as_slice();
            if unique_checked.contains(&(relation.target.as_str(), parent_columns)) {
                continue;
            }
            unique_checked.push((&relation.target, parent_columns));
            let firsts: Vec<usize> = matched
                .duplicates
                .iter()
                .take(MAX_ERRORS)
                .map(|d| d.0)
                .collect();
            let first_lines = match origins.get(&target_def.name) {
                Some(_) => HashMap::new(),
                None => {
                    let path = super::parquet::table_file(dir, &mapping.file(&target_def.name));
                    file_lines(&path, &firsts)
                }
            };
            for (first, row) in matched.duplicates {
                bad.entry(&target_def.name).or_default().push((
                    row,
                    parent_columns.first().cloned().unwrap_or_default(),
                    values(target_def, target_data, parent_columns, row),
                    duplicate_message(relation, table, first_lines.get(&first).copied()),
                ));
            }
        }
    }
    for table in catalog.tables.values() {
        if let Some(rows) = bad.remove(table.name.as_str()) {
            report(&table.name, rows, dir, mapping, origins, errors);
        }
    }
}

/// The message of a parent row holding the same values as an earlier one, at
/// `first_line` of the same file when known.
fn duplicate_message(
    relation: &RelationDef,
    child: &TableDef,
    first_line: Option<usize>,
) -> String {
    let earlier = first_line.map_or("an earlier row".to_string(), |l| format!("line {l}"));
    format!(
        "the same ({}) as {earlier}: the relation `{}.{}` needs one row of `{}` per value",
        relation.target_columns.join(", "),
        child.name,
        relation.name,
        relation.target
    )
}

/// The values of `columns` in `row`, as "a, b".
fn values(table: &TableDef, data: &TableData, columns: &[String], row: usize) -> String {
    let cell = |name: &String| -> String {
        let ty = table.columns.get(name).map(|c| c.ty);
        match data.columns.get(name) {
            Some(Column::Text { codes, dict }) => codes
                .get(row)
                .and_then(|c| dict.get(*c))
                .unwrap_or("")
                .to_string(),
            Some(Column::Number { values, .. }) => {
                values.get(row).map(f64::to_string).unwrap_or_default()
            }
            Some(Column::Money { values, .. }) => values
                .get(row)
                .map(|v| format!("{}", *v as f64 / 10_000.0))
                .unwrap_or_default(),
            Some(Column::Date { values, .. }) => {
                let v = values.get(row).copied().unwrap_or_default() as i64;
                let days = if ty == Some(ColumnType::DateTime) {
                    v.div_euclid(86_400)
                } else {
                    v
                };
                chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|d| d.checked_add_signed(chrono::TimeDelta::try_days(days)?))
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            }
            Some(Column::Bool { values }) => values
                .get(row)
                .copied()
                .flatten()
                .map(|b| b.to_string())
                .unwrap_or_default(),
            None => String::new(),
        }
    };
    columns.iter().map(cell).collect::<Vec<_>>().join(", ")
}

/// Reports the bad rows of one table at their file, line and column.
fn report(
    table: &str,
    mut bad: Vec<Bad>,
    dir: &Path,
    mapping: &Mapping,
    origins: &HashMap<String, Origins>,
    errors: &mut Errors,
) {
    bad.sort_by_key(|d| d.0);
    let path = super::parquet::table_file(dir, &mapping.file(table));
    // Lines are found again in the file only for the errors reported in full.
    let shown: Vec<usize> = bad.iter().take(MAX_ERRORS).map(|d| d.0).collect();
    let lines = file_lines(&path, &shown);
    let origins = origins.get(table);
    for (row, column, value, message) in bad {
        // An assembled table's rows come from several places (or some records were
        // filtered out): each row knows its own.
        if let Some((file, line, header)) = origins.and_then(|o| o.locate(row, &column)) {
            errors.push(DataError {
                file: file.to_string(),
                line,
                column: Some(header.to_string()),
                model_column: (header != column).then(|| column.to_string()),
                value: Some(value),
                message,
            });
            continue;
        }
        let header = mapping.header(table, &column);
        errors.push(DataError {
            file: path.display().to_string(),
            line: lines.get(&row).copied().unwrap_or(0),
            column: Some(header.to_string()),
            model_column: (header != column).then(|| column.to_string()),
            value: Some(value),
            message,
        });
    }
}

/// The line (CSV) or row number (Parquet, from 1: no header line) of each row.
fn file_lines(path: &Path, rows: &[usize]) -> HashMap<usize, usize> {
    if super::parquet::is_parquet(&path.display().to_string()) {
        rows.iter().map(|r| (*r, r + 1)).collect()
    } else {
        record_lines(path, rows)
    }
}
