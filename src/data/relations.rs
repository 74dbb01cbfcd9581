//! Relations between tables: every relation cell must name an existing row of its
//! target table.

use super::assemble::Origins;
use super::errors::{DataError, Errors, MAX_ERRORS};
use super::lines::record_lines;
use super::mapping::Mapping;
use super::{Column, Dataset};
use crate::ir::Catalog;
use std::collections::HashMap;
use std::path::Path;

/// Every relation cell must name an existing row of the target table.
pub(super) fn check_relations(
    catalog: &Catalog,
    dataset: &Dataset,
    dir: &Path,
    mapping: &Mapping,
    origins: &HashMap<String, Origins>,
    errors: &mut Errors,
) {
    for table in catalog.tables.values() {
        let Some(data) = dataset.tables.get(&table.name) else {
            continue;
        };
        // (row, column, value, message) of every dangling cell of this table.
        let mut dangling: Vec<(usize, &str, String, String)> = Vec::new();
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
                        dangling.push((
                            row,
                            &col.name,
                            value.to_string(),
                            format!("no row of `{target}` has this `{key}`"),
                        ));
                    }
                }
            }
        }
        if dangling.is_empty() {
            continue;
        }
        dangling.sort_by_key(|d| d.0);
        let path = super::parquet::table_file(dir, &mapping.file(&table.name));
        // Lines are found again in the file only for the errors reported in full.
        let shown: Vec<usize> = dangling.iter().take(MAX_ERRORS).map(|d| d.0).collect();
        let lines = if super::parquet::is_parquet(&path.display().to_string()) {
            // A Parquet file's rows are numbered from 1 (no header line).
            shown.iter().map(|r| (*r, r + 1)).collect()
        } else {
            record_lines(&path, &shown)
        };
        let origins = origins.get(&table.name);
        for (row, column, value, message) in dangling {
            // An assembled table's rows come from several places (or some records
            // were filtered out): each row knows its own.
            if let Some((file, line, header)) = origins.and_then(|o| o.locate(row, column)) {
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
            errors.push(DataError {
                file: path.display().to_string(),
                line: lines.get(&row).copied().unwrap_or(0),
                column: Some(mapping.header(&table.name, column).to_string()),
                model_column: (mapping.header(&table.name, column) != column)
                    .then(|| column.to_string()),
                value: Some(value),
                message,
            });
        }
    }
}
