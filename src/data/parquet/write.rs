//! Writing a loaded dataset as Parquet, one file per table with the model's column
//! names and types (money DECIMAL(18,4), dates DATE, date-times TIMESTAMP in
//! microseconds, texts dictionary-encoded strings), as `kpic convert` does.

use crate::data::{Column, Dataset, TableData};
use crate::ir::{Catalog, ColumnType};
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group: DuckDB's default, small enough that a period's row groups can
/// be skipped by their dates, large enough to compress well.
pub const ROW_GROUP_ROWS: usize = 122_880;

/// What was written: each table's file and row count.
#[derive(Debug, Default)]
pub struct WriteReport {
    pub files: Vec<(String, usize)>,
}

/// Writes every table of `data` to `out/TABLE.parquet` (the folder is created),
/// calling `progress(file, rows written, rows)` as row groups are written.
pub fn write_dataset(
    catalog: &Catalog,
    data: &Dataset,
    out: &Path,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<WriteReport, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: cannot create: {e}", out.display()))?;
    let mut report = WriteReport::default();
    for (name, table) in &data.tables {
        let Some(def) = catalog.tables.get(name) else {
            continue;
        };
        let file = format!("{name}.parquet");
        let path = out.join(&file);
        write_table(def, table, &path, &file, progress)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        report.files.push((file, table.rows));
    }
    Ok(report)
}

fn write_table(
    def: &crate::ir::TableDef,
    table: &TableData,
    path: &Path,
    file: &str,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<(), parquet::errors::ParquetError> {
    let mut fields = Vec::new();
    for (name, col) in &def.columns {
        let (physical, logical) = match col.ty {
            ColumnType::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            ColumnType::Int => (Physical::INT64, None),
            ColumnType::Number => (Physical::DOUBLE, None),
            ColumnType::Money => (Physical::INT64, Some(LogicalType::decimal(4, 18))),
            ColumnType::Date => (Physical::INT32, Some(LogicalType::Date)),
            // Not adjusted to UTC: kpic's date-times are wall-clock times, as in CSV.
            ColumnType::DateTime => (
                Physical::INT64,
                Some(LogicalType::timestamp(false, TimeUnit::MICROS)),
            ),
            ColumnType::Bool => (Physical::BOOLEAN, None),
        };
        let mut builder = Type::primitive_type_builder(name, physical)
            .with_repetition(if col.optional {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            })
            .with_logical_type(logical);
        if col.ty == ColumnType::Money {
            builder = builder.with_precision(18).with_scale(4);
        }
        fields.push(Arc::new(builder.build()?));
    }
    let schema = Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?,
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build(),
    );
    let out = std::fs::File::create(path)?;
    let mut writer = SerializedFileWriter::new(out, schema, props)?;
    let mut start = 0;
    loop {
        let end = (start + ROW_GROUP_ROWS).min(table.rows);
        let mut group = writer.next_row_group()?;
        for (name, col) in &def.columns {
            let Some(mut cw) = group.next_column()? else {
                break;
            };
            let required = !col.optional;
            match table.columns.get(name) {
                Some(Column::Text { codes, dict }) => {
                    let slice = codes.get(start..end).unwrap_or_default();
                    let values: Vec<ByteArray> = slice
                        .iter()
                        .filter_map(|c| dict.get(*c))
                        .map(|t| ByteArray::from(t.as_bytes().to_vec()))
                        .collect();
                    let defs = levels(slice.iter().map(|c| dict.get(*c).is_some()), required);
                    cw.typed::<ByteArrayType>()
                        .write_batch(&values, defs.as_deref(), None)?;
                }
                Some(Column::Number { values, valid }) => {
                    let (v, ok) = (
                        values.get(start..end).unwrap_or_default(),
                        valid.get(start..end).unwrap_or_default(),
                    );
                    let defs = levels(ok.iter().copied(), required);
                    if col.ty == ColumnType::Int {
                        let ints: Vec<i64> = present(v, ok).map(|x| x as i64).collect();
                        cw.typed::<Int64Type>()
                            .write_batch(&ints, defs.as_deref(), None)?;
                    } else {
                        let xs: Vec<f64> = present(v, ok).collect();
                        cw.typed::<DoubleType>()
                            .write_batch(&xs, defs.as_deref(), None)?;
                    }
                }
                Some(Column::Money { values, valid, .. }) => {
                    let (v, ok) = (
                        values.get(start..end).unwrap_or_default(),
                        valid.get(start..end).unwrap_or_default(),
                    );
                    let defs = levels(ok.iter().copied(), required);
                    let xs: Vec<i64> = present(v, ok).collect();
                    cw.typed::<Int64Type>()
                        .write_batch(&xs, defs.as_deref(), None)?;
                }
                Some(Column::Date { values, valid }) => {
                    let (v, ok) = (
                        values.get(start..end).unwrap_or_default(),
                        valid.get(start..end).unwrap_or_default(),
                    );
                    let defs = levels(ok.iter().copied(), required);
                    if col.ty == ColumnType::DateTime {
                        let xs: Vec<i64> = present(v, ok).map(|s| s as i64 * 1_000_000).collect();
                        cw.typed::<Int64Type>()
                            .write_batch(&xs, defs.as_deref(), None)?;
                    } else {
                        let xs: Vec<i32> = present(v, ok).map(|d| d as i32).collect();
                        cw.typed::<Int32Type>()
                            .write_batch(&xs, defs.as_deref(), None)?;
                    }
                }
                Some(Column::Bool { values }) => {
                    let slice = values.get(start..end).unwrap_or_default();
                    let xs: Vec<bool> = slice.iter().filter_map(|b| *b).collect();
                    let defs = levels(slice.iter().map(Option::is_some), required);
                    cw.typed::<BoolType>()
                        .write_batch(&xs, defs.as_deref(), None)?;
                }
                None => {
                    return Err(parquet::errors::ParquetError::General(format!(
                        "column `{name}` was not loaded"
                    )));
                }
            }
            cw.close()?;
        }
        group.close()?;
        progress(file, end, table.rows);
        start = end;
        if start >= table.rows {
            break;
        }
    }
    writer.close()?;
    Ok(())
}

/// The values of the valid rows.
fn present<'a, T: Copy>(values: &'a [T], valid: &'a [bool]) -> impl Iterator<Item = T> + 'a {
    values
        .iter()
        .zip(valid)
        .filter(|(_, ok)| **ok)
        .map(|(v, _)| *v)
}

/// Definition levels of an optional column (1 present, 0 null); none for a required
/// one.
fn levels(present: impl Iterator<Item = bool>, required: bool) -> Option<Vec<i16>> {
    (!required).then(|| present.map(i16::from).collect())
}
