//! Parquet files written by the tests with the `parquet` crate, in any stored type
//! (money as DOUBLE, timestamps in nanoseconds, wide decimals): no binary fixture is
//! committed.

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FixedLenByteArray, FixedLenByteArrayType,
    Int32Type, Int64Type,
};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// A column's values, `None` for a null.
pub enum Values {
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<&'static str>>),
    /// Fixed-length big-endian bytes (wide decimals).
    Fixed(i32, Vec<Option<Vec<u8>>>),
}

/// One column: name, logical type, values (every column optional).
pub struct Col {
    pub name: &'static str,
    pub logical: Option<LogicalType>,
    pub values: Values,
}

/// A column with a logical type.
pub fn col(name: &'static str, logical: Option<LogicalType>, values: Values) -> Col {
    Col {
        name,
        logical,
        values,
    }
}

/// A text column.
pub fn text(name: &'static str, values: &[&'static str]) -> Col {
    col(
        name,
        Some(LogicalType::String),
        Values::Text(values.iter().map(|v| Some(*v)).collect()),
    )
}

/// A DATE column from ISO dates.
pub fn dates(name: &'static str, values: &[&str]) -> Col {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    let days = values
        .iter()
        .map(|d| {
            let d = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("ISO date");
            Some((d - epoch).num_days() as i32)
        })
        .collect();
    col(name, Some(LogicalType::Date), Values::I32(days))
}

/// A DECIMAL(18,`scale`) column of unscaled values in INT64.
pub fn decimals(name: &'static str, scale: i32, unscaled: &[i64]) -> Col {
    col(
        name,
        Some(LogicalType::decimal(scale, 18)),
        Values::I64(unscaled.iter().map(|v| Some(*v)).collect()),
    )
}

/// Writes `cols` to `path`, `group_rows` rows per row group.
pub fn write(path: &Path, cols: &[Col], group_rows: usize) {
    let fields = cols
        .iter()
        .map(|c| {
            let physical = match &c.values {
                Values::I32(_) => Physical::INT32,
                Values::I64(_) => Physical::INT64,
                Values::F64(_) => Physical::DOUBLE,
                Values::Bool(_) => Physical::BOOLEAN,
                Values::Text(_) => Physical::BYTE_ARRAY,
                Values::Fixed(..) => Physical::FIXED_LEN_BYTE_ARRAY,
            };
            let mut b = Type::primitive_type_builder(c.name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(c.logical.clone());
            if let Values::Fixed(len, _) = &c.values {
                b = b.with_length(*len);
            }
            if let Some(LogicalType::Decimal(d)) = &c.logical {
                b = b.with_precision(d.precision).with_scale(d.scale);
            }
            Arc::new(b.build().expect("a valid column type"))
        })
        .collect();
    let schema = Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .expect("schema"),
    );
    let file = std::fs::File::create(path).expect("create the Parquet file");
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, schema, props).expect("writer");
    let rows = cols.first().map_or(0, |c| len(&c.values));
    let mut start = 0;
    while start < rows {
        let end = (start + group_rows).min(rows);
        let mut g = w.next_row_group().expect("row group");
        for c in cols {
            let mut cw = g.next_column().expect("column").expect("a column left");
            macro_rules! put {
                ($ty:ty, $v:expr, $map:expr) => {{
                    let part = &$v[start..end];
                    let defs: Vec<i16> = part.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<_> = part.iter().flatten().map($map).collect();
                    cw.typed::<$ty>()
                        .write_batch(&vals, Some(&defs), None)
                        .expect("write values");
                }};
            }
            match &c.values {
                Values::I32(v) => put!(Int32Type, v, |x: &i32| *x),
                Values::I64(v) => put!(Int64Type, v, |x: &i64| *x),
                Values::F64(v) => put!(DoubleType, v, |x: &f64| *x),
                Values::Bool(v) => put!(BoolType, v, |x: &bool| *x),
                Values::Text(v) => put!(ByteArrayType, v, |x: &&str| ByteArray::from(*x)),
                Values::Fixed(_, v) => put!(FixedLenByteArrayType, v, |x: &Vec<u8>| {
                    FixedLenByteArray::from(x.clone())
                }),
            }
            cw.close().expect("close column");
        }
        g.close().expect("close row group");
        start = end;
    }
    w.close().expect("close file");
}

fn len(v: &Values) -> usize {
    match v {
        Values::I32(x) => x.len(),
        Values::I64(x) => x.len(),
        Values::F64(x) => x.len(),
        Values::Bool(x) => x.len(),
        Values::Text(x) => x.len(),
        Values::Fixed(_, x) => x.len(),
    }
}
