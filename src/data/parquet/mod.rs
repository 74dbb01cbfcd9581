//! Parquet input: a table's file may be `TABLE.parquet` instead of `TABLE.csv`, read
//! column by column with the stored types checked against the model's, and written
//! back by `kpic convert` ([`write_dataset`]).
//!
//! Parquet cells are typed, so they are converted without text: decimals to money
//! exactly, timestamps to whole seconds, dates to days. Where a mapping works on text
//! (value maps, templates, row filters), a cell is read as its text ([`cells::text_of`])
//! and then as a CSV cell would be. Errors name the file, the 1-based row (as
//! [`crate::data::DataError::line`]) and the column.

mod cells;
mod fast;
mod fill;
mod read;
mod write;

pub use write::{ROW_GROUP_ROWS, WriteReport, write_dataset};

use super::TableData;
use super::assemble::{Part, Piece, Rule, Source, parse_template};
use super::errors::{DataError, Errors, whole_file};
use super::mapping::{MAPPING_FILE, Mapping};
use crate::ir::TableDef;
use fill::{Builder, Cx, Raws, State};
use rayon::prelude::*;
use read::{File, Stored, find_column};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The days whose rows a request reads from a table: from `first` up to (not
/// including) `end`, days since 1970-01-01. Row groups of a Parquet file whose time
/// statistics fall entirely outside are not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: i64,
    pub end: i64,
}

/// Whether a file name is read as Parquet.
pub(super) fn is_parquet(file: &str) -> bool {
    Path::new(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The file a table's default `T.csv` stands for: `T.parquet` when only that exists.
pub(super) fn table_file(dir: &Path, file: &str) -> PathBuf {
    let csv = dir.join(file);
    match file.strip_suffix(".csv") {
        Some(stem) if !csv.exists() && dir.join(format!("{stem}.parquet")).exists() => {
            dir.join(format!("{stem}.parquet"))
        }
        _ => csv,
    }
}

/// Picks each source's file: a table whose mapping names no file reads `T.csv` or
/// `T.parquet`, whichever exists (both: an error naming both, and `false`).
pub(super) fn choose_files(
    dir: &Path,
    table: &TableDef,
    mapping: &Mapping,
    sources: &mut [Source<'_>],
    errors: &mut Errors,
) -> bool {
    let tm = mapping.tables.get(&table.name);
    let default = format!("{}.csv", table.name);
    for (i, source) in sources.iter_mut().enumerate() {
        let named = tm.is_some_and(|t| {
            t.file.is_some() || t.sources.get(i).is_some_and(|s| s.file.is_some())
        });
        if named || source.file != default {
            continue;
        }
        let parquet = format!("{}.parquet", table.name);
        match (dir.join(&default).exists(), dir.join(&parquet).exists()) {
            (true, true) => {
                errors.push(whole_file(
                    &dir.join(&parquet).display().to_string(),
                    format!(
                        "both {default} and {parquet} are in {} for table `{}`; keep one (or name the file to read in {MAPPING_FILE})",
                        dir.display(),
                        table.name
                    ),
                ));
                return false;
            }
            (false, true) => source.file = parquet,
            _ => {}
        }
    }
    true
}

/// How a model column's cells come from the file.
enum Src<'a> {
    Field(&'a str, usize, Stored),
    Absent,
    Constant(String),
    Mapped(&'a str, usize, Stored, HashMap<&'a str, String>),
    Template(Vec<Result<&'a str, (usize, Stored)>>),
}

/// One source of a table read from its Parquet file, with every bad cell reported.
/// `range`: the days the request reads from this table, if row groups outside them
/// may be skipped.
pub(super) fn load_source<'t>(
    table: &'t TableDef,
    dir: &Path,
    source: &Source<'_>,
    mapping: &Mapping,
    range: Option<DayRange>,
    errors: &mut Errors,
) -> Option<Part> {
    let path = dir.join(&source.file);
    let file = path.display().to_string();
    if path.exists() && !path.is_file() {
        errors.push(whole_file(
            &file,
            format!(
                "not a regular file; table `{}` must be a Parquet file",
                table.name
            ),
        ));
        return None;
    }
    let pq = match File::open(&path) {
        Ok(f) => f,
        Err(message) => {
            errors.push(whole_file(&file, message));
            return None;
        }
    };
    let columns = pq.columns();
    let found = || {
        columns
            .iter()
            .map(|(n, ..)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Problems with the file's columns, reported together: (header, model, message).
    let mut problems: Vec<(String, Option<&'t str>, String)> = Vec::new();
    let mut srcs = Vec::new();
    for col in table.columns.values() {
        let name = col.name.as_str();
        let rule = source
            .rules
            .get(name)
            .copied()
            .unwrap_or(Rule::Header(name));
        let lookup = |h: &str, problems: &mut Vec<(String, Option<&'t str>, String)>| {
            let (index, stored, why) = find_column(&columns, h)?;
            if let Some(why) = why {
                problems.push((h.to_string(), Some(name), why));
            }
            Some((index, stored))
        };
        let src = match rule {
            Rule::Constant(v) => Src::Constant(v.text()),
            Rule::Template(t) => match parse_template(t) {
                Ok(pieces) => {
                    let mut parts = Vec::new();
                    for p in pieces {
                        match p {
                            Piece::Text(t) => parts.push(Ok(t)),
                            Piece::Header(h) => match lookup(h, &mut problems) {
                                Some(at) => parts.push(Err(at)),
                                None => problems.push((
                                    h.to_string(),
                                    Some(name),
                                    format!(
                                        "the template of `{name}` names `{h}`, which is not a column of the file (found: {})",
                                        found()
                                    ),
                                )),
                            },
                        }
                    }
                    Src::Template(parts)
                }
                Err(_) => Src::Absent, // reported when the mapping was read
            },
            Rule::Header(h) => match (lookup(h, &mut problems), source.values.get(name)) {
                (Some((i, stored)), None) => {
                    if let Some(why) = cells::misfit(col.ty, stored)
                        && !matches!(stored, Stored::Other(_))
                    {
                        problems.push((h.to_string(), Some(name), why));
                    }
                    Src::Field(h, i, stored)
                }
                (Some((i, stored)), Some(map)) => Src::Mapped(
                    h,
                    i,
                    stored,
                    map.iter().map(|(k, v)| (k.as_str(), v.text())).collect(),
                ),
                (None, _) if col.optional => Src::Absent,
                (None, _) => {
                    let hint = if h == name {
                        format!("; if the file names it otherwise, map it in {MAPPING_FILE}")
                    } else {
                        String::new()
                    };
                    problems.push((
                        h.to_string(),
                        Some(name),
                        format!(
                            "required column `{h}` is missing from the file (found: {}){hint}",
                            found()
                        ),
                    ));
                    Src::Absent
                }
            },
        };
        srcs.push(src);
    }
    let mut filters = Vec::new();
    for (keep, list) in [(true, &source.keep_where), (false, &source.drop_where)] {
        for (header, allowed) in list {
            match find_column(&columns, header) {
                Some((i, stored, why)) => {
                    if let Some(why) = why {
                        problems.push((header.to_string(), None, why));
                    }
                    filters.push((keep, i, stored, allowed.as_slice()));
                }
                None => problems.push((
                    header.to_string(),
                    None,
                    format!(
                        "`{}` names `{header}`, which is not a column of the file (found: {})",
                        if keep { "keep_where" } else { "drop_where" },
                        found()
                    ),
                )),
            }
        }
    }
    if !problems.is_empty() {
        for (header, model, message) in problems {
            errors.push(DataError {
                file: file.clone(),
                line: 0,
                column: Some(header.clone()),
                model_column: model.filter(|m| *m != header).map(str::to_string),
                value: None,
                message,
            });
        }
        return None;
    }
    // Row groups: all, or those the request's days may be in.
    let time = range.and_then(|r| {
        let index = table.columns.get_index_of(table.time_column.as_deref()?)?;
        match srcs.get(index)? {
            Src::Field(_, i, s @ (Stored::Date | Stored::Timestamp { .. })) => Some((*i, *s, r)),
            _ => None,
        }
    });
    let rows = pq.row_groups(time);
    let mut wanted: Vec<usize> = filters.iter().map(|f| f.1).collect();
    for s in &srcs {
        match s {
            Src::Field(_, i, _) | Src::Mapped(_, i, ..) => wanted.push(*i),
            Src::Template(parts) => {
                wanted.extend(parts.iter().filter_map(|p| p.err().map(|a| a.0)))
            }
            _ => {}
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let cx = Cx {
        file: &file,
        source,
        mapping,
    };
    let mut states: Vec<State> = table
        .columns
        .values()
        .map(|c| State {
            out: Builder::new(c.ty, rows.runs.iter().map(|r| r.1).sum()),
            keys: HashMap::new(),
            key_rows: Vec::new(),
        })
        .collect();
    let track = source.tracks_rows || rows.groups_skipped > 0;
    let mut lines = Vec::new();
    let mut total = 0;
    // As many row groups at a time as there are cores, decoded in parallel (so only
    // their values are held besides the columns built); then each group in the file's
    // order, its columns converted in parallel. The first error met is the one a
    // group-by-group read meets first.
    let groups: Vec<(usize, (usize, usize))> = rows
        .groups
        .iter()
        .copied()
        .zip(rows.runs.iter().copied())
        .collect();
    for batch in groups.chunks(rayon::current_num_threads().max(1)) {
        let decoded: Vec<Result<Raws, String>> = batch
            .par_iter()
            .map(|(group, (_, count))| {
                let mut raws: Raws = (0..columns.len()).map(|_| None).collect();
                for &i in &wanted {
                    raws[i] = Some(pq.read_group(i, *group, *count)?);
                }
                Ok(raws)
            })
            .collect();
        for ((_, (first, count)), raws) in batch.iter().zip(decoded) {
            let raws = match raws {
                Ok(raws) => raws,
                Err(message) => {
                    errors.push(whole_file(&file, message));
                    return None;
                }
            };
            // Rows kept by the mapping's filters, as indices into the group.
            let kept: Vec<usize> = (0..*count)
                .filter(|&r| {
                    filters.iter().all(|(keep, i, stored, allowed)| {
                        let text = raws
                            .get(*i)
                            .and_then(Option::as_ref)
                            .and_then(|raw| cells::text_of(raw, *stored, r))
                            .unwrap_or_default();
                        allowed.contains(&text) == *keep
                    })
                })
                .collect();
            // Each column's errors apart, merged in column order as a sequential fill
            // reports them.
            let columns: Vec<_> = table.columns.values().zip(&srcs).collect();
            let found: Vec<Errors> = columns
                .par_iter()
                .zip(states.par_iter_mut())
                .map(|((col, src), state)| {
                    let mut own = Errors::default();
                    cx.fill(col, src, &raws, &kept, *first, state, &mut own);
                    own
                })
                .collect();
            for own in found {
                own.list.into_iter().for_each(|e| errors.push(e));
                errors.more += own.more;
            }
            if track {
                lines.extend(
                    kept.iter()
                        .map(|r| u32::try_from(first + r + 1).unwrap_or(u32::MAX)),
                );
            }
            total += kept.len();
        }
    }
    let data_columns = table
        .columns
        .keys()
        .cloned()
        .zip(states.into_iter().map(|s| s.out.finish()))
        .collect();
    Some(Part {
        data: TableData {
            rows: total,
            columns: data_columns,
        },
        lines,
    })
}
