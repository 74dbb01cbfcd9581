//! One CSV file read into typed columns for a model table, with every bad cell
//! reported (file, line, column as the file names it, value).

use super::TableData;
use super::assemble::{Part, Plan, Source};
use super::errors::{DataError, Errors, whole_file};
use super::lines::LineFinder;
use super::mapping::{MAPPING_FILE, Mapping};
use super::rows::{Record, Rows};
use super::split;
use crate::ir::TableDef;
use std::path::Path;

/// One source of a table: its file checked and read.
pub(super) fn load_source(
    table: &TableDef,
    referenced: bool,
    dir: &Path,
    source: &Source<'_>,
    mapping: &Mapping,
    split: Option<u64>,
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
        table, referenced, &path, &file, mapping, source, split, &mut lines, errors,
    )?;
    Some(Part { data, lines })
}

#[allow(clippy::too_many_arguments)]
fn load_table(
    table: &TableDef,
    referenced: bool,
    path: &Path,
    file: &str,
    mapping: &Mapping,
    source: &Source<'_>,
    split: Option<u64>,
    row_lines: &mut Vec<u32>,
    errors: &mut Errors,
) -> Option<TableData> {
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
    let new_rows = || {
        Rows::new(
            table,
            referenced,
            &plan,
            mapping,
            file,
            source.date_format,
            headers.len(),
        )
    };
    let file_len = std::fs::metadata(path).map_or(0, |m| m.len());
    // A large file is parsed in byte ranges on every core when nothing needs each
    // row's line (any error makes it read again below, in one piece, for exact lines).
    let mut rows = new_rows();
    let data_start = reader.position().byte();
    if !plan.tracks_rows()
        && !rows.has_other_key()
        && let Some(split) = split::read_ranges(path, data_start, file_len, split, &new_rows)
    {
        return Some(split.finish(errors));
    }
    let mut lines = LineFinder::new(path);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(whole_file(file, format!("malformed CSV: {e}")));
                return None;
            }
        }
        let fields = Record::new(&record);
        if !rows.keeps(&fields) {
            continue;
        }
        let line = record.position().map_or(rows.rows + 2, |p| lines.line(p));
        if plan.tracks_rows() {
            row_lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        }
        let at = record.position().map_or(1, |p| p.byte());
        rows.push(&fields, line, file_len, at, errors);
    }
    Some(rows.finish(errors))
}
