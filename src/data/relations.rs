//! Relations between tables: every relation cell must name an existing row of its
//! target table.

use super::errors::{DataError, Errors};
use super::mapping::Mapping;
use super::{Column, Dataset};
use crate::ir::Catalog;
use std::path::Path;

/// Every relation cell must name an existing row of the target table.
pub(super) fn check_relations(
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
