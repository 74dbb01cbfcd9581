//! Reading CSV files into typed columns, with every bad cell reported.

use super::assemble::{self, Origins, Part, Plan, Source};
use super::cells::{parse_date_as, parse_money};
use super::errors::{DataError, Errors, LoadReport, whole_file};
use super::mapping::{MAPPING_FILE, Mapping};
use super::relations::check_relations;
use super::{Column, Dataset, NO_TEXT, TableData};
use crate::ir::{Catalog, ColumnType, TableDef};
use indexmap::{IndexMap, IndexSet};
use std::collections::HashMap;
use std::path::Path;
/// Loads `dir/TABLE.csv` for every table the catalog declares; a table without a file
/// is an error.
pub fn load_dataset(catalog: &Catalog, dir: &Path) -> Result<Dataset, LoadReport> {
    load_dataset_with_progress(catalog, dir, &mut |_, _, _| {})
}

/// Like [`load_dataset`], calling `progress(file, index, total)` before each file.
pub fn load_dataset_with_progress(
    catalog: &Catalog,
    dir: &Path,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<Dataset, LoadReport> {
    load(catalog, dir, None, progress)
}

/// Loads only the tables in `needed` (what a request reads: see
/// [`crate::query::tables_needed`]), calling `progress(file, index, total)` before each.
/// A needed table without a file is not an error but listed in [`Dataset::absent`]
/// with the reason, so that only the KPIs reading it are unavailable; `accounts`, which
/// every request reads, must have its file. A relation to a table not loaded is not
/// checked. Every bad cell of a loaded table is an error, as with [`load_dataset`].
///
/// With `time_columns`, every other table that has a file is loaded too, but only its
/// time column: the default period is the latest complete year of every table's
/// dates, whichever KPIs are asked for (as on a database).
pub fn load_needed(
    catalog: &Catalog,
    dir: &Path,
    needed: &IndexSet<String>,
    time_columns: bool,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<Dataset, LoadReport> {
    load(catalog, dir, Some((needed, time_columns)), progress)
}

/// A table to load: whole, or only its time column (`whole` false), where a missing
/// file is no error.
struct Wanted<'a> {
    def: std::borrow::Cow<'a, TableDef>,
    whole: bool,
}

/// `table` with its time column only (no key, no relation).
fn time_column_only(table: &TableDef, time: &str) -> TableDef {
    TableDef {
        columns: table
            .columns
            .iter()
            .filter(|(name, _)| *name == time)
            .map(|(name, c)| (name.clone(), c.clone()))
            .collect(),
        key: None,
        account_column: None,
        ..table.clone()
    }
}

/// What loading one table gave: its data, where its rows came from, its errors, and
/// why it is absent when it may be.
type Loaded = (Option<TableData>, Option<Origins>, Errors, Option<String>);

fn load(
    catalog: &Catalog,
    dir: &Path,
    needed: Option<(&IndexSet<String>, bool)>,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<Dataset, LoadReport> {
    let mut errors = Errors {
        list: Vec::new(),
        more: 0,
    };
    let mapping = match Mapping::load(dir, catalog) {
        Ok(m) => m,
        Err(messages) => {
            for m in messages {
                errors.push(whole_file(&dir.join(MAPPING_FILE).display().to_string(), m));
            }
            return Err(LoadReport {
                errors: errors.list,
                more_errors: errors.more,
            });
        }
    };
    // Tables are independent: they load in parallel, each collecting its own errors,
    // merged afterwards in the model's order so reports are stable.
    use rayon::prelude::*;
    use std::borrow::Cow;
    let tables: Vec<Wanted> = catalog
        .tables
        .values()
        .filter_map(|t| match needed {
            None => Some(Wanted {
                def: Cow::Borrowed(t),
                whole: true,
            }),
            Some((n, _)) if n.contains(&t.name) => Some(Wanted {
                def: Cow::Borrowed(t),
                whole: true,
            }),
            Some((_, true)) => t.time_column.as_ref().map(|c| Wanted {
                def: Cow::Owned(time_column_only(t, c)),
                whole: false,
            }),
            Some((_, false)) => None,
        })
        .collect();
    // Files to read (a mapping may assemble a table from several).
    let total: usize = tables
        .iter()
        .map(|t| assemble::sources(&mapping, &t.def).len())
        .sum();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = std::sync::Mutex::new(progress);
    let loaded: Vec<Loaded> = tables
        .par_iter()
        .map(|wanted| {
            let table: &TableDef = &wanted.def;
            let mut errors = Errors {
                list: Vec::new(),
                more: 0,
            };
            // Is this table the target of a relation (so its key is looked up)?
            let referenced = catalog.tables.values().any(|t| {
                t.columns
                    .values()
                    .any(|c| c.relation.as_deref() == Some(table.name.as_str()))
            });
            // Most tables are one file; a mapping may assemble one from several sources.
            let sources = assemble::sources(&mapping, table);
            if let Some(missing) = sources.iter().find(|s| !dir.join(&s.file).exists()) {
                if !wanted.whole {
                    return (None, None, errors, None);
                }
                if needed.is_some() && table.name != "accounts" {
                    let why = format!("no file {} in {}", missing.file, dir.display());
                    return (None, None, errors, Some(why));
                }
            }
            let mut parts = Vec::new();
            let mut files = Vec::new();
            for source in &sources {
                let path = dir.join(&source.file);
                files.push(path.display().to_string());
                if let Ok(mut p) = progress.lock() {
                    let index = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    p(&source.file, index, total);
                }
                parts.push(load_source(
                    table,
                    referenced,
                    dir,
                    source,
                    &mapping,
                    &mut errors,
                ));
            }
            let (data, origins) = assemble::combine(table, &sources, files, parts, &mut errors);
            (data, origins, errors, None)
        })
        .collect();
    let mut dataset = Dataset::default();
    let mut origins = HashMap::new();
    for (wanted, (data, table_origins, table_errors, absent)) in tables.iter().zip(loaded) {
        let table = &wanted.def;
        for e in table_errors.list {
            errors.push(e);
        }
        errors.more += table_errors.more;
        if let Some(data) = data {
            dataset.tables.insert(table.name.clone(), data);
        }
        if let Some(o) = table_origins {
            origins.insert(table.name.clone(), o);
        }
        if let Some(why) = absent {
            dataset.absent.insert(table.name.clone(), why);
        }
    }
    check_relations(catalog, &dataset, dir, &mapping, &origins, &mut errors);
    if errors.list.is_empty() {
        Ok(dataset)
    } else {
        Err(LoadReport {
            errors: errors.list,
            more_errors: errors.more,
        })
    }
}

/// One source of a table: its file checked and read.
fn load_source(
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

/// The 1-based line a record starts on. The `csv` reader counts a record of a file
/// with CRLF line ends from the `\n` of the line end before it, one line too early;
/// whether a file ends its lines so is seen once, at its first record, from the byte
/// the reader says the record starts at.
struct LineFinder<'a> {
    path: &'a Path,
    crlf: Option<bool>,
}

impl<'a> LineFinder<'a> {
    fn new(path: &'a Path) -> Self {
        LineFinder { path, crlf: None }
    }

    fn line(&mut self, pos: &csv::Position) -> usize {
        let crlf = *self
            .crlf
            .get_or_insert_with(|| byte_at(self.path, pos.byte()) == Some(b'\n'));
        pos.line() as usize + usize::from(crlf)
    }
}

/// One byte of a file.
fn byte_at(path: &Path, offset: u64) -> Option<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(offset)).ok()?;
    let mut b = [0u8; 1];
    f.read_exact(&mut b).ok()?;
    Some(b[0])
}

/// An integer cell held exactly as `f64`: optional sign, digits, and an optional
/// fraction of zeros (`12.0`, as spreadsheets write whole numbers); at most 2^53 either
/// side of 0, so that no two different cells become the same number.
pub(super) fn parse_int(cell: &str) -> Option<f64> {
    const EXACT: i64 = 1 << 53;
    let (whole, frac) = cell.split_once('.').unwrap_or((cell, ""));
    if !frac.bytes().all(|b| b == b'0') {
        return None;
    }
    let digits = whole.strip_prefix(['+', '-']).unwrap_or(whole);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = whole.parse().ok()?;
    (-EXACT..=EXACT).contains(&v).then_some(v as f64)
}

/// The line each of the given data rows (0-based, sorted) starts on, read again from
/// the file: relations are checked after loading, when only row numbers are left.
pub(super) fn record_lines(path: &Path, rows: &[usize]) -> HashMap<usize, usize> {
    let mut out = HashMap::new();
    let Ok(mut reader) = csv::ReaderBuilder::new().flexible(true).from_path(path) else {
        return out;
    };
    let mut lines = LineFinder::new(path);
    let mut record = csv::StringRecord::new();
    let mut wanted = rows.iter().peekable();
    let mut row = 0;
    while wanted.peek().is_some() {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            _ => break,
        }
        if wanted.peek() == Some(&&row) {
            while wanted.peek() == Some(&&row) {
                wanted.next();
            }
            if let Some(p) = record.position() {
                out.insert(row, lines.line(p));
            }
        }
        row += 1;
    }
    out
}
