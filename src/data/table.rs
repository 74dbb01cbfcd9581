//! One CSV file read into typed columns for a model table, with every bad cell
//! reported (file, line, column as the file names it, value).

use super::assemble::{Part, Plan, Source};
use super::cells::{money_too_large, parse_date_as, parse_int, parse_money};
use super::errors::{DataError, Errors, whole_file};
use super::lines::LineFinder;
use super::mapping::{MAPPING_FILE, Mapping};
use super::{Column, NO_TEXT, TableData};
use crate::ir::{ColumnType, TableDef};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::path::Path;

/// One source of a table: its file checked and read.
pub(super) fn load_source(
    table: &TableDef,
    referenced: bool,
    dir: &Path,
    source: &Source<'_>,
    mapping: &Mapping,
    errors: &mut Errors,
) -> Option<Part> {
    let file_name = &source.file;
    let path = dir.join(file_name);
    let file = path.display().to_string();
    if path.exists() && !path.is_file() {
        // A folder, a FIFO or a device: reading it could block forever.
        errors.push(whole_file(
            &file,
            format!(
                "not a regular file; table `{}` must be a CSV file",
                table.name
            ),
        ));
        return None;
    }
    if !path.exists() {
        errors.push(DataError {
                    file,
                    line: 0,
                    column: None,
                    model_column: None,
                    value: None,
                    message: format!(
                        "no file for table `{}`; expected {file_name} in {} (or map another file in {MAPPING_FILE})",
                        table.name,
                        dir.display()
                    ),
                });
        return None;
    }
    let mut lines = Vec::new();
    let data = load_table(
        table, referenced, &path, &file, mapping, source, &mut lines, errors,
    )?;
    Some(Part { data, lines })
}

enum Builder {
    Text(Vec<u32>, super::Interner),
    Number(Vec<f64>, Vec<bool>),
    Money(Vec<i64>, Vec<bool>),
    Date(Vec<f64>, Vec<bool>, bool),
    Bool(Vec<Option<bool>>),
}

#[allow(clippy::too_many_arguments)]
fn load_table(
    table: &TableDef,
    referenced: bool,
    path: &Path,
    file: &str,
    mapping: &Mapping,
    source: &Source<'_>,
    row_lines: &mut Vec<u32>,
    errors: &mut Errors,
) -> Option<TableData> {
    let date_format = source.date_format;
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(r) => r,
        Err(e) => {
            errors.push(whole_file(file, format!("cannot read: {e}")));
            return None;
        }
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(whole_file(file, format!("cannot read the header row: {e}")));
            return None;
        }
    };
    let mut lines = LineFinder::new(path);
    let names: Vec<&str> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}'))
        .collect();
    let mut ok = true;
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            ok = false;
            errors.push(DataError {
                file: file.to_string(),
                line: 1,
                column: Some(name.to_string()),
                model_column: None,
                value: None,
                message: format!(
                    "the header names `{name}` twice (fields {} and {}); which one holds the data is ambiguous",
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    // Where each model column's text is in a record (a field, or what the mapping
    // makes of it).
    let plan = match Plan::new(source, table, &names, file) {
        Ok(plan) => Some(plan),
        Err(missing) => {
            for e in missing {
                errors.push(e);
            }
            None
        }
    };
    let plan = plan.filter(|_| ok)?;
    let mut scratch = String::new();

    let mut builders: Vec<Builder> = table
        .columns
        .values()
        .map(|c| match c.ty {
            // A key column no relation points at is never looked up by value: its
            // strings are stored without a hash index, and duplicates are found by
            // sorting hashes once at the end.
            ColumnType::Text if c.key && !referenced => {
                Builder::Text(Vec::new(), super::Interner::unindexed())
            }
            ColumnType::Text => Builder::Text(Vec::new(), Default::default()),
            ColumnType::Int | ColumnType::Number => Builder::Number(Vec::new(), Vec::new()),
            ColumnType::Money => Builder::Money(Vec::new(), Vec::new()),
            ColumnType::Date => Builder::Date(Vec::new(), Vec::new(), false),
            ColumnType::DateTime => Builder::Date(Vec::new(), Vec::new(), true),
            ColumnType::Bool => Builder::Bool(Vec::new()),
        })
        .collect();
    let mut keys: HashMap<String, usize> = HashMap::new();
    // Line of the first occurrence of each code of the (text) key column.
    let mut key_lines: Vec<Vec<usize>> = vec![Vec::new(); table.columns.len()];
    let mut rows = 0;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(whole_file(file, format!("malformed CSV: {e}")));
                return None;
            }
        }
        if !plan.keeps(&record) {
            continue;
        }
        rows += 1;
        if rows == SAMPLE_ROWS {
            // Size every column for the whole file now, from the bytes per row so far:
            // growing vectors and hash tables row by row costs more than reading.
            let file_len = std::fs::metadata(path).map_or(0, |m| m.len());
            let read = record.position().map_or(1, |p| p.byte().max(1));
            let expected = (file_len / read * SAMPLE_ROWS as u64) as usize;
            for b in builders.iter_mut() {
                b.reserve(expected.saturating_sub(rows), rows);
            }
        }
        let line = record.position().map_or(rows + 1, |p| lines.line(p));
        if plan.tracks_rows() {
            row_lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        }
        if record.len() != headers.len() {
            errors.push(DataError {
                file: file.to_string(),
                line,
                column: None,
                model_column: None,
                value: None,
                message: format!(
                    "the row has {} fields where the header has {}; a number written with a \
                     thousands separator (`40,069.27`) must be quoted, or the file exported \
                     with another delimiter",
                    record.len(),
                    headers.len()
                ),
            });
            for b in builders.iter_mut() {
                push_missing(b);
            }
            continue;
        }
        for (index, ((col, builder), key_lines)) in table
            .columns
            .values()
            .zip(&mut builders)
            .zip(&mut key_lines)
            .enumerate()
        {
            let header = plan.header(index);
            let err = |cell: &str, message: String| DataError {
                file: file.to_string(),
                line,
                column: Some(header.to_string()),
                model_column: (header != col.name).then(|| col.name.clone()),
                value: Some(cell.to_string()),
                message,
            };
            let cell = match plan.cell(index, &record, &mut scratch) {
                Ok(cell) => cell,
                Err(message) => {
                    let raw = plan.raw(index, &record);
                    errors.push(err(raw, message));
                    push_missing(builder);
                    continue;
                }
            };
            let err = |message: String| err(cell, message);
            if cell.is_empty() {
                if !col.optional {
                    errors.push(DataError {
                        value: None,
                        ..err(format!(
                            "required cell is empty; fill it, or declare `{}` optional in the model",
                            col.name
                        ))
                    });
                }
                push_missing(builder);
                continue;
            }
            // Text keys are checked by their dictionary code below, without a copy.
            if col.key
                && !matches!(builder, Builder::Text(..))
                && let Some(first) = keys.insert(cell.to_string(), line)
            {
                errors.push(err(format!(
                    "duplicate key: the same `{}` is on line {first}",
                    col.name
                )));
            }
            match builder {
                Builder::Text(codes, dict) => {
                    let (code, new) = dict.intern(cell);
                    if col.key {
                        if new {
                            key_lines.push(line);
                        } else {
                            let first = key_lines.get(code as usize).copied().unwrap_or(0);
                            errors.push(err(format!(
                                "duplicate key: the same `{}` is on line {first}",
                                col.name
                            )));
                        }
                    }
                    codes.push(code);
                }
                Builder::Number(values, valid) => {
                    let parsed = if col.ty == ColumnType::Int {
                        parse_int(cell).ok_or(
                            "not a whole number kpic holds exactly (digits, at most 9007199254740992 either side of 0)",
                        )
                    } else {
                        cell.parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or("not a number")
                    };
                    match parsed {
                        Ok(v) => {
                            values.push(v);
                            valid.push(true);
                        }
                        Err(what) => {
                            errors.push(err(what.to_string()));
                            values.push(0.0);
                            valid.push(false);
                        }
                    }
                }
                Builder::Money(values, valid) => {
                    match parse_money(cell) {
                        Some(v) => {
                            values.push(v);
                            valid.push(true);
                        }
                        None if money_too_large(cell) => {
                            errors.push(err("an amount of money too large: a money cell holds at most 99,999,999,999,999.9999 either side of 0 (the databases' DECIMAL(18,4)); totals may be larger".into()));
                            values.push(0);
                            valid.push(false);
                        }
                        None => {
                            errors.push(err("not an amount of money (digits with at most 4 decimals, e.g. 1250.50)".into()));
                            values.push(0);
                            valid.push(false);
                        }
                    }
                }
                Builder::Date(values, valid, with_time) => {
                    match parse_date_as(cell, *with_time, date_format) {
                        Some(d) => {
                            values.push(d);
                            valid.push(true);
                        }
                        None => {
                            errors.push(err(match (date_format, *with_time) {
                                (Some(f), true) => format!(
                                    "not a date-time in the format `{f}` set in {MAPPING_FILE}"
                                ),
                                (Some(f), false) => format!(
                                    "not a date in the format `{f}` set in {MAPPING_FILE}"
                                ),
                                (None, true) => "not a date-time (YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS])"
                                    .into(),
                                (None, false) => "not a date (YYYY-MM-DD)".into(),
                            }));
                            values.push(0.0);
                            valid.push(false);
                        }
                    }
                }
                Builder::Bool(values) => match mapping.boolean(cell) {
                    Some(b) => values.push(Some(b)),
                    None => {
                        errors.push(err(format!(
                            "not true or false (other spellings can be set in {MAPPING_FILE})"
                        )));
                        values.push(None);
                    }
                },
            }
        }
    }
    // Repeated keys in columns stored without an index.
    for (index, ((col, builder), lines)) in table
        .columns
        .values()
        .zip(&builders)
        .zip(&key_lines)
        .enumerate()
    {
        if let Builder::Text(_, dict) = builder {
            for (first, repeat) in dict.duplicates() {
                errors.push(DataError {
                    file: file.to_string(),
                    line: lines.get(repeat as usize).copied().unwrap_or(0),
                    column: Some(plan.header(index).to_string()),
                    model_column: None,
                    value: dict.get(repeat).map(str::to_string),
                    message: format!(
                        "duplicate key: the same `{}` is on line {}",
                        col.name,
                        lines.get(first as usize).copied().unwrap_or(0)
                    ),
                });
            }
        }
    }
    let columns: IndexMap<String, Column> = table
        .columns
        .keys()
        .cloned()
        .zip(builders.into_iter().map(|b| match b {
            Builder::Text(codes, dict) => Column::Text { codes, dict },
            Builder::Number(values, valid) => Column::Number { values, valid },
            Builder::Money(values, valid) => Column::Money {
                values,
                valid,
                floats: std::sync::OnceLock::new(),
            },
            Builder::Date(values, valid, _) => Column::Date { values, valid },
            Builder::Bool(values) => Column::Bool { values },
        }))
        .collect();
    Some(TableData { rows, columns })
}
/// Rows read before columns are sized for the whole file.
const SAMPLE_ROWS: usize = 1024;

impl Builder {
    /// Room for `more` rows; a text column whose values were all distinct so far (an
    /// id) gets room for as many new strings.
    fn reserve(&mut self, more: usize, seen: usize) {
        match self {
            Builder::Text(codes, dict) => {
                codes.reserve(more);
                if dict.len() * 2 > seen {
                    dict.reserve(more);
                }
            }
            Builder::Number(v, ok) | Builder::Date(v, ok, _) => {
                v.reserve(more);
                ok.reserve(more);
            }
            Builder::Money(v, ok) => {
                v.reserve(more);
                ok.reserve(more);
            }
            Builder::Bool(v) => v.reserve(more),
        }
    }
}

fn push_missing(b: &mut Builder) {
    match b {
        Builder::Text(codes, ..) => codes.push(NO_TEXT),
        Builder::Number(v, valid) => {
            v.push(0.0);
            valid.push(false)
        }
        Builder::Money(v, valid) => {
            v.push(0);
            valid.push(false)
        }
        Builder::Date(v, valid, _) => {
            v.push(0.0);
            valid.push(false)
        }
        Builder::Bool(v) => v.push(None),
    }
}
