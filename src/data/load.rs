//! Loading a dataset: which tables (all, or what a request needs), each loaded in
//! parallel from its files, then the relations between them checked.

use super::assemble::{self, Origins};
use super::errors::{Errors, LoadReport, whole_file};
use super::mapping::{MAPPING_FILE, Mapping};
use super::parquet;
use super::relations::check_relations;
use super::table::load_source;
use super::{Dataset, TableData};
use crate::ir::{Catalog, TableDef};
use crate::query::Reads;
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
    load(catalog, dir, None, None, &TimeRanges::new(), progress)
}

/// Like [`load_dataset`], parsing every file in byte ranges of `bytes` (the ranges a
/// large file is cut into, made small): tests compare it with reading in one piece.
#[doc(hidden)]
pub fn load_dataset_in_ranges(
    catalog: &Catalog,
    dir: &Path,
    bytes: u64,
) -> Result<Dataset, LoadReport> {
    load(
        catalog,
        dir,
        None,
        Some(bytes),
        &TimeRanges::new(),
        &mut |_, _, _| {},
    )
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
    // No ranges: every table read whole.
    load_needed_within(
        catalog,
        dir,
        needed,
        time_columns,
        &TimeRanges::new(),
        progress,
    )
}

/// The days a request reads of each table whose rows it reads only by their time
/// column (see `query::time_ranges`); a table not listed is read whole.
pub type TimeRanges = HashMap<String, super::DayRange>;

/// Like [`load_needed`]; a Parquet file of a table in `ranges` skips the row groups
/// whose time statistics fall outside the table's days.
pub fn load_needed_within(
    catalog: &Catalog,
    dir: &Path,
    needed: &IndexSet<String>,
    time_columns: bool,
    ranges: &TimeRanges,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<Dataset, LoadReport> {
    load(
        catalog,
        dir,
        Some((needed, None, time_columns)),
        None,
        ranges,
        progress,
    )
}

/// Like [`load_needed_within`] for the tables of `reads`, converting only the columns
/// it lists for each ([`crate::query::columns_read`]): the other fields of a row are
/// skipped (the row's field count is still checked), so a bad cell in a column no
/// requested KPI reads is not an error.
pub fn load_read(
    catalog: &Catalog,
    dir: &Path,
    reads: &Reads,
    time_columns: bool,
    ranges: &TimeRanges,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<Dataset, LoadReport> {
    let needed = Some((&reads.tables, Some(&reads.columns), time_columns));
    load(catalog, dir, needed, None, ranges, progress)
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

/// `table` with only the columns in `read` (its key and account column only when
/// read).
fn projected(table: &TableDef, read: &IndexSet<String>) -> TableDef {
    let keep = |c: &Option<String>| c.clone().filter(|c| read.contains(c));
    TableDef {
        columns: table
            .columns
            .iter()
            .filter(|(name, _)| read.contains(*name))
            .map(|(name, c)| (name.clone(), c.clone()))
            .collect(),
        key: keep(&table.key),
        account_column: keep(&table.account_column),
        ..table.clone()
    }
}

/// Per table, the columns to convert.
type Projection = IndexMap<String, IndexSet<String>>;

/// What loading one table gave: its data, where its rows came from, its errors, and
/// why it is absent when it may be.
type Loaded = (Option<TableData>, Option<Origins>, Errors, Option<String>);

fn load(
    catalog: &Catalog,
    dir: &Path,
    needed: Option<(&IndexSet<String>, Option<&Projection>, bool)>,
    split: Option<u64>,
    ranges: &TimeRanges,
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
            Some((n, columns, _)) if n.contains(&t.name) => Some(Wanted {
                def: match columns.and_then(|c| c.get(&t.name)) {
                    Some(read) => Cow::Owned(projected(t, read)),
                    None => Cow::Borrowed(t),
                },
                whole: true,
            }),
            Some((_, _, true)) => t.time_column.as_ref().map(|c| Wanted {
                def: Cow::Owned(time_column_only(t, c)),
                whole: false,
            }),
            Some((_, _, false)) => None,
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
            let mut sources = assemble::sources(&mapping, table);
            // TABLE.parquet may stand in for TABLE.csv.
            if !parquet::choose_files(dir, table, &mapping, &mut sources, &mut errors) {
                return (None, None, errors, None);
            }
            let range = ranges.get(&table.name).copied();
            if range.is_some() {
                // Skipped row groups: each row keeps its row number in the file.
                for s in sources.iter_mut().filter(|s| parquet::is_parquet(&s.file)) {
                    s.tracks_rows = true;
                }
            }
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
                parts.push(if parquet::is_parquet(&source.file) {
                    parquet::load_source(table, dir, source, &mapping, range, &mut errors)
                } else {
                    load_source(table, referenced, dir, source, &mapping, split, &mut errors)
                });
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
