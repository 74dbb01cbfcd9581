//! Appending the rows of a table's sources into one table, and remembering where each
//! row came from.

use super::Source;
use crate::data::errors::{DataError, Errors};
use crate::data::{Column, Interner, NO_TEXT, TableData};
use crate::ir::TableDef;
use indexmap::IndexMap;
use std::collections::HashMap;

/// Where each row of an assembled table came from.
pub(in crate::data) struct Origins {
    /// Per source: the file (as errors show it) and each model column's header.
    sources: Vec<(String, HashMap<String, String>)>,
    /// Per row: (source, line).
    rows: Vec<(u32, u32)>,
}

impl Origins {
    /// The file, line and header of a model column's cell in a row.
    pub(in crate::data) fn locate<'a>(
        &'a self,
        row: usize,
        column: &'a str,
    ) -> Option<(&'a str, usize, &'a str)> {
        let (source, line) = *self.rows.get(row)?;
        let (file, headers) = self.sources.get(source as usize)?;
        let header = headers.get(column).map_or(column, String::as_str);
        Some((file, line as usize, header))
    }
}

/// One source as loaded: its rows and, when tracked, each row's line.
pub(in crate::data) struct Part {
    pub(in crate::data) data: TableData,
    pub(in crate::data) lines: Vec<u32>,
}

/// The table made of its sources' rows in order (the one source's rows as they are
/// when nothing is tracked). `None` when a source failed to load.
pub(in crate::data) fn combine(
    table: &TableDef,
    sources: &[Source<'_>],
    files: Vec<String>,
    parts: Vec<Option<Part>>,
    errors: &mut Errors,
) -> (Option<TableData>, Option<Origins>) {
    if parts.is_empty() || parts.iter().any(Option::is_none) {
        return (None, None);
    }
    let mut parts: Vec<Part> = parts.into_iter().flatten().collect();
    if !sources.iter().any(|s| s.tracks_rows) && parts.len() == 1 {
        return (parts.pop().map(|p| p.data), None);
    }
    let origins = Origins {
        sources: sources
            .iter()
            .zip(files)
            .map(|(s, f)| {
                let headers = table
                    .columns
                    .keys()
                    .map(|c| (c.clone(), s.header(c).to_string()))
                    .collect();
                (f, headers)
            })
            .collect(),
        rows: parts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.lines.iter().map(move |l| (i as u32, *l)))
            .collect(),
    };
    if parts.len() == 1 {
        // One source: its columns as they are (appending them into new ones would copy
        // and re-intern every cell to the same codes); only where its rows came from.
        return (parts.pop().map(|p| p.data), Some(origins));
    }
    let rows = parts.iter().map(|p| p.data.rows).sum();
    let mut columns = IndexMap::new();
    for name in table.columns.keys() {
        let key = table.key.as_deref() == Some(name.as_str());
        let mut merged: Option<Column> = None;
        let mut start = 0;
        for (i, part) in parts.iter_mut().enumerate() {
            let Some(column) = part.data.columns.shift_remove(name) else {
                continue;
            };
            let into = merged.get_or_insert_with(|| empty_like(&column));
            for row in append(into, column, key && i > 0) {
                // A key an earlier source holds already: the first row with it.
                let at = start + row;
                let first = first_row_of(into, at);
                let value = into.text(at).map(str::to_string);
                let (file, line, header) = origins.locate(at, name).unwrap_or(("", 0, name));
                let first_at = origins
                    .locate(first, name)
                    .map(|(f, l, _)| format!("line {l} of {f}"))
                    .unwrap_or_default();
                errors.push(DataError {
                    file: file.to_string(),
                    line,
                    column: Some(header.to_string()),
                    model_column: (header != name).then(|| name.clone()),
                    value,
                    message: format!("duplicate key: the same `{name}` is on {first_at}"),
                });
            }
            start += part.data.rows;
        }
        if let Some(c) = merged {
            columns.insert(name.clone(), c);
        }
    }
    (Some(TableData { rows, columns }), Some(origins))
}

/// An empty column of the same type (text: an indexed dictionary, so that keys
/// repeated across sources are found while appending).
fn empty_like(c: &Column) -> Column {
    match c {
        Column::Text { .. } => Column::Text {
            codes: Vec::new(),
            dict: Interner::default(),
        },
        Column::Number { .. } => Column::Number {
            values: Vec::new(),
            valid: Vec::new(),
        },
        Column::Money { .. } => Column::Money {
            values: Vec::new(),
            valid: Vec::new(),
        },
        Column::Date { .. } => Column::Date {
            values: Vec::new(),
            valid: Vec::new(),
        },
        Column::Bool { .. } => Column::Bool { values: Vec::new() },
    }
}

/// The first row holding the same text as `row`.
fn first_row_of(column: &Column, row: usize) -> usize {
    match column {
        Column::Text { codes, .. } => {
            let code = codes.get(row).copied();
            codes.iter().position(|c| Some(*c) == code).unwrap_or(row)
        }
        _ => row,
    }
}

/// Appends `from`'s rows to `into`; when `check_key`, the rows (of `from`) whose text
/// `into` held already (repeats inside `from` were reported when it was read).
fn append(into: &mut Column, from: Column, check_key: bool) -> Vec<usize> {
    let mut repeats = Vec::new();
    match (into, from) {
        (
            Column::Text { codes, dict },
            Column::Text {
                codes: c2,
                dict: d2,
            },
        ) => {
            let before = dict.len() as u32;
            codes.reserve(c2.len());
            for (row, code) in c2.into_iter().enumerate() {
                match d2.get(code) {
                    Some(text) => {
                        let (code, _) = dict.intern(text);
                        if check_key && code < before {
                            repeats.push(row);
                        }
                        codes.push(code);
                    }
                    None => codes.push(NO_TEXT),
                }
            }
        }
        (
            Column::Number { values, valid },
            Column::Number {
                values: v2,
                valid: ok2,
            },
        )
        | (
            Column::Date { values, valid },
            Column::Date {
                values: v2,
                valid: ok2,
            },
        ) => {
            values.extend(v2);
            valid.extend(ok2);
        }
        (
            Column::Money { values, valid, .. },
            Column::Money {
                values: v2,
                valid: ok2,
                ..
            },
        ) => {
            values.extend(v2);
            valid.extend(ok2);
        }
        (Column::Bool { values }, Column::Bool { values: v2 }) => values.extend(v2),
        _ => {}
    }
    repeats
}
