//! Reading a Parquet file's columns: what each stored column is, its row groups
//! (skipped when their time statistics fall outside the dates wanted), and its values
//! with nulls, as plain vectors.

use super::DayRange;
use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as Physical};
use parquet::column::reader::get_typed_column_reader;
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DataType, DoubleType, FixedLenByteArray,
    FixedLenByteArrayType, FloatType, Int32Type, Int64Type,
};
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::statistics::Statistics;
use parquet::schema::types::ColumnDescriptor;

/// What a stored column holds, read from its physical and logical types.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Stored {
    Bool,
    /// A whole number; `unsigned` when the bits are to be read as unsigned.
    Int {
        unsigned: bool,
    },
    Float,
    Double,
    /// A decimal of `scale` digits after the point.
    Decimal {
        scale: i32,
        precision: i32,
    },
    /// Days since 1970-01-01.
    Date,
    /// A count of `per_second` units since 1970-01-01 00:00:00.
    Timestamp {
        per_second: i64,
        utc: bool,
    },
    Text,
    /// Anything kpic does not read (binary, INT96, time of day, ...), described.
    Other(&'static str),
}

impl Stored {
    /// The type as a user reads it in a message.
    pub(super) fn describe(self) -> String {
        match self {
            Stored::Bool => "BOOLEAN".into(),
            Stored::Int { unsigned: false } => "INTEGER".into(),
            Stored::Int { unsigned: true } => "UNSIGNED INTEGER".into(),
            Stored::Float => "FLOAT".into(),
            Stored::Double => "DOUBLE".into(),
            Stored::Decimal { scale, precision } => format!("DECIMAL({precision},{scale})"),
            Stored::Date => "DATE".into(),
            Stored::Timestamp { per_second, utc } => format!(
                "TIMESTAMP({}{})",
                match per_second {
                    1_000 => "MILLIS",
                    1_000_000 => "MICROS",
                    _ => "NANOS",
                },
                if utc { ", UTC" } else { "" }
            ),
            Stored::Text => "STRING".into(),
            Stored::Other(what) => what.into(),
        }
    }
}

/// The kind of a stored column from its descriptor.
pub(super) fn stored(descr: &ColumnDescriptor) -> Stored {
    let physical = descr.physical_type();
    match (physical, descr.logical_type_ref()) {
        (_, Some(LogicalType::Decimal(d))) => Stored::Decimal {
            scale: d.scale,
            precision: d.precision,
        },
        (Physical::INT32, Some(LogicalType::Date)) => Stored::Date,
        (Physical::INT64, Some(LogicalType::Timestamp(t))) => Stored::Timestamp {
            per_second: match t.unit {
                TimeUnit::MILLIS => 1_000,
                TimeUnit::MICROS => 1_000_000,
                _ => 1_000_000_000,
            },
            utc: t.is_adjusted_to_u_t_c,
        },
        (Physical::INT32 | Physical::INT64, Some(LogicalType::Integer(i))) => Stored::Int {
            unsigned: !i.is_signed,
        },
        (
            Physical::BYTE_ARRAY,
            Some(LogicalType::String | LogicalType::Enum | LogicalType::Json),
        ) => Stored::Text,
        (_, Some(LogicalType::Time { .. })) => Stored::Other("TIME (a time of day)"),
        (_, Some(_)) => Stored::Other("a type kpic does not read"),
        (physical, None) => from_converted(physical, descr),
    }
}

/// A stored column by name: its index, what it holds, and why kpic cannot read it
/// (nested, or a type kpic does not read), if so.
pub(super) fn find_column(
    columns: &[(String, usize, &parquet::schema::types::ColumnDescriptor)],
    header: &str,
) -> Option<(usize, Stored, Option<String>)> {
    let (_, index, descr) = columns.iter().find(|(n, ..)| n == header)?;
    let stored = stored(descr);
    if descr.max_rep_level() > 0 || descr.path().parts().len() > 1 {
        let why = "a nested column (list or struct); kpic reads flat columns".to_string();
        return Some((*index, Stored::Other("nested"), Some(why)));
    }
    let why = match stored {
        Stored::Other(what) => Some(format!("the file stores {what}, which kpic does not read")),
        _ => None,
    };
    Some((*index, stored, why))
}

/// Files written before logical types name them by converted type only.
fn from_converted(physical: Physical, descr: &ColumnDescriptor) -> Stored {
    match (physical, descr.converted_type()) {
        (_, ConvertedType::DECIMAL) => Stored::Decimal {
            scale: descr.type_scale(),
            precision: descr.type_precision(),
        },
        (Physical::INT32, ConvertedType::DATE) => Stored::Date,
        (Physical::INT64, ConvertedType::TIMESTAMP_MILLIS) => Stored::Timestamp {
            per_second: 1_000,
            utc: true,
        },
        (Physical::INT64, ConvertedType::TIMESTAMP_MICROS) => Stored::Timestamp {
            per_second: 1_000_000,
            utc: true,
        },
        (Physical::BYTE_ARRAY, ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON) => {
            Stored::Text
        }
        (Physical::INT32 | Physical::INT64, ConvertedType::UINT_32 | ConvertedType::UINT_64) => {
            Stored::Int { unsigned: true }
        }
        (Physical::INT32 | Physical::INT64, ConvertedType::NONE)
        | (
            Physical::INT32 | Physical::INT64,
            ConvertedType::INT_8
            | ConvertedType::INT_16
            | ConvertedType::INT_32
            | ConvertedType::INT_64
            | ConvertedType::UINT_8
            | ConvertedType::UINT_16,
        ) => Stored::Int { unsigned: false },
        (Physical::BOOLEAN, ConvertedType::NONE) => Stored::Bool,
        (Physical::FLOAT, ConvertedType::NONE) => Stored::Float,
        (Physical::DOUBLE, ConvertedType::NONE) => Stored::Double,
        (Physical::INT96, _) => Stored::Other(
            "INT96 (a legacy timestamp; write TIMESTAMP instead, e.g. Spark's \
             spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS)",
        ),
        (Physical::BYTE_ARRAY, ConvertedType::NONE) => {
            Stored::Other("BINARY (bytes without a text annotation)")
        }
        _ => Stored::Other("a type kpic does not read"),
    }
}

/// A stored column's values over the rows read, `None` for a null.
pub(super) enum Raw {
    Bool(Vec<Option<bool>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    F32(Vec<Option<f32>>),
    F64(Vec<Option<f64>>),
    Bytes(Vec<Option<ByteArray>>),
    Fixed(Vec<Option<FixedLenByteArray>>),
}

impl Raw {
    pub(super) fn len(&self) -> usize {
        match self {
            Raw::Bool(v) => v.len(),
            Raw::I32(v) => v.len(),
            Raw::I64(v) => v.len(),
            Raw::F32(v) => v.len(),
            Raw::F64(v) => v.len(),
            Raw::Bytes(v) => v.len(),
            Raw::Fixed(v) => v.len(),
        }
    }

    fn empty(physical: Physical) -> Option<Raw> {
        Some(match physical {
            Physical::BOOLEAN => Raw::Bool(Vec::new()),
            Physical::INT32 => Raw::I32(Vec::new()),
            Physical::INT64 => Raw::I64(Vec::new()),
            Physical::FLOAT => Raw::F32(Vec::new()),
            Physical::DOUBLE => Raw::F64(Vec::new()),
            Physical::BYTE_ARRAY => Raw::Bytes(Vec::new()),
            Physical::FIXED_LEN_BYTE_ARRAY => Raw::Fixed(Vec::new()),
            Physical::INT96 => return None,
        })
    }
}

/// An open Parquet file.
pub(super) struct File {
    reader: SerializedFileReader<At>,
}

/// A file read at explicit offsets (`pread`), so that several threads can decode its
/// row groups at once: the `parquet` crate's reader of a `std::fs::File` seeks clones
/// of one descriptor, which share one offset.
pub(super) struct At(std::fs::File);

fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::read_at(file, buf, offset);
    #[cfg(windows)]
    return std::os::windows::fs::FileExt::seek_read(file, buf, offset);
}

impl parquet::file::reader::Length for At {
    fn len(&self) -> u64 {
        self.0.metadata().map_or(0, |m| m.len())
    }
}

/// What [`At`] hands the decoder: the bytes from an offset on, through its own handle.
pub(super) struct AtRead {
    file: std::fs::File,
    offset: u64,
}

impl std::io::Read for AtRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(&self.file, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl parquet::file::reader::ChunkReader for At {
    type T = std::io::BufReader<AtRead>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(std::io::BufReader::new(AtRead {
            file: self.0.try_clone()?,
            offset: start,
        }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut buffer = vec![0; length];
        let mut done = 0;
        while done < length {
            match read_at(&self.0, &mut buffer[done..], start + done as u64)? {
                0 => {
                    return Err(parquet::errors::ParquetError::EOF(format!(
                        "Expected to read {length} bytes, read only {done}"
                    )));
                }
                n => done += n,
            }
        }
        Ok(buffer.into())
    }
}

/// Row groups of the file to read: each one's index, and its (first row in the file,
/// row count), in order.
#[derive(Debug, Default)]
pub(super) struct RowsRead {
    pub(super) groups: Vec<usize>,
    pub(super) runs: Vec<(usize, usize)>,
    /// Row groups skipped by their statistics.
    pub(super) groups_skipped: usize,
}

impl File {
    pub(super) fn open(path: &std::path::Path) -> Result<File, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
        let reader = SerializedFileReader::new(At(file)).map_err(|e| damaged(&e))?;
        Ok(File { reader })
    }

    /// Top-level columns by name with their index, in the file's order; nested
    /// columns (lists, structs) are named with their path and cannot be read.
    pub(super) fn columns(&self) -> Vec<(String, usize, &ColumnDescriptor)> {
        let schema = self.reader.metadata().file_metadata().schema_descr();
        schema
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.path().string(), i, c.as_ref()))
            .collect()
    }

    /// Which row groups to read: all, or those whose statistics of column `time` (a
    /// date or timestamp) may hold a day in `range`.
    pub(super) fn row_groups(&self, time: Option<(usize, Stored, DayRange)>) -> RowsRead {
        let mut read = RowsRead::default();
        let mut first = 0usize;
        for (g, rg) in self.reader.metadata().row_groups().iter().enumerate() {
            let rows = usize::try_from(rg.num_rows()).unwrap_or(0);
            let skip = time.is_some_and(|(column, stored, range)| {
                let Some(stats) = rg.columns().get(column).and_then(|c| c.statistics()) else {
                    return false;
                };
                match day_bounds(stats, stored) {
                    Some((lo, hi)) => hi < range.first || lo >= range.end,
                    None => false,
                }
            });
            if skip {
                read.groups_skipped += 1;
            } else {
                read.groups.push(g);
                read.runs.push((first, rows));
            }
            first += rows;
        }
        read
    }

    /// Column `index` of row group `group` (of `count` rows), nulls as `None`.
    pub(super) fn read_group(
        &self,
        index: usize,
        group: usize,
        count: usize,
    ) -> Result<Raw, String> {
        let descr = self
            .reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .column(index);
        let max_def = descr.max_def_level();
        let mut raw = Raw::empty(descr.physical_type())
            .ok_or_else(|| "INT96 values cannot be read".to_string())?;
        let rg = self.reader.get_row_group(group).map_err(|e| damaged(&e))?;
        match &mut raw {
            Raw::Bool(v) => chunk::<BoolType>(rg.as_ref(), index, count, max_def, v),
            Raw::I32(v) => chunk::<Int32Type>(rg.as_ref(), index, count, max_def, v),
            Raw::I64(v) => chunk::<Int64Type>(rg.as_ref(), index, count, max_def, v),
            Raw::F32(v) => chunk::<FloatType>(rg.as_ref(), index, count, max_def, v),
            Raw::F64(v) => chunk::<DoubleType>(rg.as_ref(), index, count, max_def, v),
            Raw::Bytes(v) => chunk::<ByteArrayType>(rg.as_ref(), index, count, max_def, v),
            Raw::Fixed(v) => chunk::<FixedLenByteArrayType>(rg.as_ref(), index, count, max_def, v),
        }
        .map_err(|e| damaged(&e))?;
        if raw.len() != count {
            return Err(format!(
                "the file is damaged: row group {} holds {} values of a column where its header says {count} rows",
                group + 1,
                raw.len()
            ));
        }
        Ok(raw)
    }
}

/// Values decoded per call.
const BATCH: usize = 8192;

/// One column chunk appended to `out`.
fn chunk<T: DataType>(
    rg: &dyn RowGroupReader,
    index: usize,
    rows: usize,
    max_def: i16,
    out: &mut Vec<Option<T::T>>,
) -> parquet::errors::Result<()> {
    let mut reader = get_typed_column_reader::<T>(rg.get_column_reader(index)?);
    let mut values: Vec<T::T> = Vec::with_capacity(BATCH);
    let mut defs: Vec<i16> = Vec::with_capacity(BATCH);
    let end = out.len() + rows;
    out.reserve(rows);
    while out.len() < end {
        values.clear();
        defs.clear();
        let want = (end - out.len()).min(BATCH);
        let (records, _, levels) = reader.read_records(want, Some(&mut defs), None, &mut values)?;
        if records == 0 {
            break;
        }
        if max_def == 0 {
            out.extend(values.drain(..).map(Some));
        } else {
            let mut it = values.drain(..);
            for d in defs.iter().take(levels) {
                out.push(if *d == max_def { it.next() } else { None });
            }
        }
    }
    Ok(())
}

/// The days a row group's time statistics span (a timestamp's day rounded down).
fn day_bounds(stats: &Statistics, stored: Stored) -> Option<(i64, i64)> {
    match (stats, stored) {
        (Statistics::Int32(s), Stored::Date) => {
            Some((i64::from(*s.min_opt()?), i64::from(*s.max_opt()?)))
        }
        (Statistics::Int64(s), Stored::Timestamp { per_second, .. }) => {
            let per_day = per_second.checked_mul(86_400)?;
            Some((
                s.min_opt()?.div_euclid(per_day),
                s.max_opt()?.div_euclid(per_day),
            ))
        }
        _ => None,
    }
}

/// A reading error worded for a user: the file is damaged or not Parquet.
fn damaged(e: &parquet::errors::ParquetError) -> String {
    let text = e.to_string();
    if text.contains("Disabled feature") || text.contains("codec") {
        format!(
            "cannot read: compressed with a codec kpic does not read ({text}); kpic reads \
             uncompressed, SNAPPY and ZSTD Parquet files"
        )
    } else {
        format!("not a readable Parquet file (damaged or truncated?): {text}")
    }
}
