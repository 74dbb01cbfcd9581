//! Reading CSV files into typed columns, with every bad cell reported.

use super::mapping::{MAPPING_FILE, Mapping};
use super::{Column, Dataset, MONEY_SCALE, NO_TEXT, TableData};
use crate::ir::{Catalog, ColumnType, TableDef};
use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Errors reported in full; the rest are counted.
const MAX_ERRORS: usize = 50;

/// A problem in the data: where it is and what to do.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataError {
    pub file: String,
    /// 1-based line in the file (the header is line 1), 0 for the whole file.
    pub line: usize,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, " column `{c}`")?;
        }
        if let Some(v) = &self.value {
            write!(f, " value {v:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The outcome of loading: the dataset, or the errors (first [`MAX_ERRORS`]) and how
/// many more there were.
#[derive(Debug)]
pub struct LoadReport {
    pub errors: Vec<DataError>,
    pub more_errors: usize,
}

struct Errors {
    list: Vec<DataError>,
    more: usize,
}

impl Errors {
    fn push(&mut self, e: DataError) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(e);
        } else {
            self.more += 1;
        }
    }
}

/// Loads `dir/TABLE.csv` for every table the catalog declares.
pub fn load_dataset(catalog: &Catalog, dir: &Path) -> Result<Dataset, LoadReport> {
    load_dataset_with_progress(catalog, dir, &mut |_, _, _| {})
}

/// Like [`load_dataset`], calling `progress(file, index, total)` before each table.
pub fn load_dataset_with_progress(
    catalog: &Catalog,
    dir: &Path,
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
    let total = catalog.tables.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = std::sync::Mutex::new(progress);
    let loaded: Vec<(Option<TableData>, Errors)> = catalog
        .tables
        .values()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|table| {
            let mut errors = Errors {
                list: Vec::new(),
                more: 0,
            };
            let file_name = mapping.file(&table.name);
            if let Ok(mut p) = progress.lock() {
                p(&file_name, done.fetch_add(1, std::sync::atomic::Ordering::Relaxed), total);
            }
            let path = dir.join(&file_name);
            let file = path.display().to_string();
            if !path.exists() {
                errors.push(DataError {
                    file,
                    line: 0,
                    column: None,
                    value: None,
                    message: format!(
                        "no file for table `{}`; expected {file_name} in {} (or map another file in {MAPPING_FILE})",
                        table.name,
                        dir.display()
                    ),
                });
                return (None, errors);
            }
            // Is this table the target of a relation (so its key is looked up)?
            let referenced = catalog
                .tables
                .values()
                .any(|t| t.columns.values().any(|c| c.relation.as_deref() == Some(table.name.as_str())));
            (load_table(table, referenced, &path, &file, &mapping, &mut errors), errors)
        })
        .collect();
    let mut dataset = Dataset::default();
    for (table, (data, table_errors)) in catalog.tables.values().zip(loaded) {
        for e in table_errors.list {
            errors.push(e);
        }
        errors.more += table_errors.more;
        if let Some(data) = data {
            dataset.tables.insert(table.name.clone(), data);
        }
    }
    check_relations(catalog, &dataset, dir, &mapping, &mut errors);
    if errors.list.is_empty() {
        Ok(dataset)
    } else {
        Err(LoadReport {
            errors: errors.list,
            more_errors: errors.more,
        })
    }
}

enum Builder {
    Text(Vec<u32>, super::Interner),
    Number(Vec<f64>, Vec<bool>),
    Money(Vec<i64>, Vec<bool>),
    Date(Vec<f64>, Vec<bool>, bool),
    Bool(Vec<Option<bool>>),
}

fn load_table(
    table: &TableDef,
    referenced: bool,
    path: &Path,
    file: &str,
    mapping: &Mapping,
    errors: &mut Errors,
) -> Option<TableData> {
    let date_format = mapping.date_format(&table.name);
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
    let mut positions = Vec::new();
    let mut ok = true;
    for col in table.columns.values() {
        let header = mapping.header(&table.name, &col.name);
        match headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == header)
        {
            Some(p) => positions.push(p),
            None => {
                ok = false;
                errors.push(DataError {
                    file: file.to_string(),
                    line: 1,
                    column: Some(col.name.clone()),
                    value: None,
                    message: format!(
                        "required column `{header}` is missing from the header (found: {}){}",
                        headers.iter().collect::<Vec<_>>().join(", "),
                        if header == col.name {
                            format!("; if the file names it otherwise, map it in {MAPPING_FILE}")
                        } else {
                            String::new()
                        }
                    ),
                });
            }
        }
    }
    if !ok {
        return None;
    }
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
        let line = record.position().map_or(rows + 1, |p| p.line() as usize);
        for (((col, pos), builder), key_lines) in table
            .columns
            .values()
            .zip(&positions)
            .zip(&mut builders)
            .zip(&mut key_lines)
        {
            let cell = trim(record.get(*pos).unwrap_or(""));
            let err = |message: String| DataError {
                file: file.to_string(),
                line,
                column: Some(col.name.clone()),
                value: Some(cell.to_string()),
                message,
            };
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
                Builder::Number(values, valid) => match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() && (col.ty != ColumnType::Int || v.fract() == 0.0) => {
                        values.push(v);
                        valid.push(true);
                    }
                    _ => {
                        let what = if col.ty == ColumnType::Int {
                            "a whole number"
                        } else {
                            "a number"
                        };
                        errors.push(err(format!("not {what}")));
                        values.push(0.0);
                        valid.push(false);
                    }
                },
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
                            errors.push(err(if *with_time {
                                "not a date-time (YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS])"
                                    .into()
                            } else {
                                "not a date (YYYY-MM-DD)".into()
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
    for ((col, builder), lines) in table.columns.values().zip(&builders).zip(&key_lines) {
        if let Builder::Text(_, dict) = builder {
            for (first, repeat) in dict.duplicates() {
                errors.push(DataError {
                    file: file.to_string(),
                    line: lines.get(repeat as usize).copied().unwrap_or(0),
                    column: Some(mapping.header(&table.name, &col.name).to_string()),
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

/// The cell without surrounding white space; most cells have none, and checking the
/// two end bytes is cheaper than `str::trim`'s Unicode scan.
fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
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

fn whole_file(file: &str, message: String) -> DataError {
    DataError {
        file: file.to_string(),
        line: 0,
        column: None,
        value: None,
        message,
    }
}

/// Parses a decimal string exactly into ten-thousandths.
pub fn parse_money(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty()
        || frac.len() > 4
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: i64 = int.parse().ok()?;
    // "5" is 5000 ten-thousandths, "05" is 500, ...
    let frac_value = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(4)
        .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
    let v = int.checked_mul(MONEY_SCALE)?.checked_add(frac_value)?;
    Some(if neg { -v } else { v })
}

/// Like [`parse_date`], with a chrono format from the mapping file first.
fn parse_date_as(s: &str, with_time: bool, format: Option<&str>) -> Option<f64> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    match format {
        Some(f) => {
            if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                return Some((d - epoch).num_days() as f64);
            }
            let dt = chrono::NaiveDateTime::parse_from_str(s, f).ok()?;
            Some((dt - epoch.and_hms_opt(0, 0, 0)?).num_seconds() as f64 / 86_400.0)
        }
        None => parse_date(s, with_time),
    }
}

/// Days since 1970-01-01 of a date, or of a date-time (fractional).
pub fn parse_date(s: &str, with_time: bool) -> Option<f64> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    // The common case, `YYYY-MM-DD`, without interpreting a format string per cell.
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return days_from_civil(y, m, d);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some((d - epoch).num_days() as f64);
    }
    if with_time {
        for fmt in [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
                let secs = (dt - epoch.and_hms_opt(0, 0, 0)?).num_seconds();
                return Some(secs as f64 / 86_400.0);
            }
        }
    }
    None
}

/// Days since 1970-01-01 of a valid calendar date (Howard Hinnant's `days_from_civil`),
/// without building a `NaiveDate` per cell.
fn days_from_civil(y: u32, m: u32, d: u32) -> Option<f64> {
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > month_days[(m - 1) as usize] {
        return None;
    }
    let (y, m, d) = (y as i64 - i64::from(m <= 2), m as i64, d as i64);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) as f64)
}

/// Every relation cell must name an existing row of the target table.
fn check_relations(
    catalog: &Catalog,
    dataset: &Dataset,
    dir: &Path,
    mapping: &Mapping,
    errors: &mut Errors,
) {
    for table in catalog.tables.values() {
        let Some(data) = dataset.tables.get(&table.name) else {
            continue;
        };
        for col in table.columns.values() {
            let Some(target) = &col.relation else {
                continue;
            };
            let Some(target_def) = catalog.tables.get(target) else {
                continue;
            };
            let (Some(key), Some(target_data)) = (&target_def.key, dataset.tables.get(target))
            else {
                continue;
            };
            let Some(Column::Text { dict: key_dict, .. }) = target_data.columns.get(key) else {
                continue;
            };

            if let Some(Column::Text { codes, dict }) = data.columns.get(&col.name) {
                for (row, code) in codes.iter().enumerate() {
                    let Some(value) = dict.get(*code) else {
                        continue;
                    };
                    if key_dict.code(value).is_none() {
                        errors.push(DataError {
                            file: dir
                                .join(format!("{}.csv", table.name))
                                .display()
                                .to_string(),
                            line: row + 2,
                            column: Some(mapping.header(&table.name, &col.name).to_string()),
                            value: Some(value.to_string()),
                            message: format!("no row of `{target}` has this `{key}`"),
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_agree_with_chrono() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
        for y in [
            0, 1, 1899, 1900, 1969, 1970, 1999, 2000, 2024, 2025, 2100, 2400, 9999,
        ] {
            for m in 0..=13 {
                for d in 0..=32 {
                    let want = NaiveDate::from_ymd_opt(y as i32, m, d)
                        .map(|date| (date - epoch).num_days() as f64);
                    assert_eq!(days_from_civil(y, m, d), want, "{y}-{m}-{d}");
                }
            }
        }
    }

    #[test]
    fn trim_keeps_plain_cells_and_trims_others() {
        assert_eq!(trim("abc"), "abc");
        assert_eq!(trim(" abc\t"), "abc");
        assert_eq!(trim("\u{a0}x\u{a0}"), "x");
        assert_eq!(trim(""), "");
    }
}
