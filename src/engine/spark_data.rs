//! A loaded table written as the CSV file Spark reads (`engine::spark::Session::load`):
//! the cells kpic validated, in a form Spark parses back to the same values.

use crate::data::{Column, TableData};
use crate::ir::{ColumnType, TableDef};
use crate::query::Money;
use crate::sql::Dialect;
use std::path::Path;

/// What Spark needs to read a written table.
pub(crate) struct Written {
    /// The columns as Spark DDL: `` `a` STRING, `b` DECIMAL(18,4) ``, in file order.
    pub schema: String,
    /// Whether a cell holds a line break (Spark must then read the file whole).
    pub multiline: bool,
}

/// Writes `data` (the loaded columns of table `def`; no rows when it was not loaded) to
/// `path`: a header, then one line per row, a missing cell empty. Money keeps its
/// ten-thousandths, a date is `yyyy-MM-dd`, a date-time `yyyy-MM-dd HH:mm:ss`, a number
/// the shortest text that reads back as the same `f64`.
pub(crate) fn write_table(
    def: &TableDef,
    data: Option<&TableData>,
    path: &Path,
) -> Result<Written, String> {
    let d = Dialect::Spark;
    // The columns loaded (a table read only for its time column has just that one),
    // or, for a table not loaded, every column of the model.
    let columns: Vec<(&str, ColumnType, Option<&Column>)> = match data {
        Some(t) => t
            .columns
            .iter()
            .filter_map(|(name, col)| {
                let ty = def.columns.get(name)?.ty;
                Some((name.as_str(), ty, Some(col)))
            })
            .collect(),
        None => def
            .columns
            .values()
            .map(|c| (c.name.as_str(), c.ty, None))
            .collect(),
    };
    let schema = columns
        .iter()
        .map(|(name, ty, _)| format!("{} {}", d.ident(name), d.column_type(*ty)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut w = csv::Writer::from_path(path).map_err(|e| e.to_string())?;
    w.write_record(columns.iter().map(|(name, ..)| *name))
        .map_err(|e| e.to_string())?;
    let rows = data.map_or(0, |t| t.rows);
    let mut multiline = false;
    let mut record: Vec<String> = Vec::with_capacity(columns.len());
    for i in 0..rows {
        record.clear();
        for (_, ty, col) in &columns {
            let cell = col.map(|c| cell(c, *ty, i)).unwrap_or_default();
            multiline |= cell.contains(['\n', '\r']);
            record.push(cell);
        }
        w.write_record(&record).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    Ok(Written { schema, multiline })
}

/// Row `i` of `col` as Spark reads it for a column of type `ty`; empty when missing.
fn cell(col: &Column, ty: ColumnType, i: usize) -> String {
    if col.is_missing(i) {
        return String::new();
    }
    match col {
        Column::Text { .. } => col.text(i).unwrap_or_default().to_string(),
        Column::Number { values, .. } => values[i].to_string(),
        Column::Money { values, .. } => {
            Money::from_ten_thousandths(i128::from(values[i])).to_string()
        }
        Column::Date { values, .. } => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            let at = epoch.and_hms_opt(0, 0, 0).unwrap_or_default();
            if ty == ColumnType::DateTime {
                let t = at + chrono::Duration::seconds(values[i] as i64);
                t.format("%Y-%m-%d %H:%M:%S").to_string()
            } else {
                let day = epoch + chrono::Duration::days(values[i] as i64);
                day.format("%Y-%m-%d").to_string()
            }
        }
        Column::Bool { values } => match values[i] {
            Some(true) => "true".into(),
            _ => "false".into(),
        },
    }
}
