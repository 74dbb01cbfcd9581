//! The records of one CSV file (or of one byte range of it) converted into typed
//! columns, every bad cell reported at its file, line and column.

use super::assemble::Plan;
use super::cells::{money_too_large, parse_date_as, parse_int, parse_money};
use super::errors::{DataError, Errors};
use super::mapping::{MAPPING_FILE, Mapping};
use super::{Column, Interner, NO_TEXT, TableData};
use crate::ir::{ColumnType, TableDef};
use indexmap::IndexMap;
use std::collections::HashMap;

/// The fields of a record as text, for the mapping's [`Plan`].
pub(super) trait Fields {
    /// Field `i`, if the record has it and it is UTF-8.
    fn get(&self, i: usize) -> Option<&str>;
}

/// A record as [`Rows::push`] reads it: its fields as text, and as bytes for the
/// message about a field that is not UTF-8.
pub(super) trait RecordFields: Fields {
    /// Number of fields.
    fn len(&self) -> usize;
    /// Field `i`'s bytes.
    fn bytes(&self, i: usize) -> Option<&[u8]>;
    /// Whether every field is known to be UTF-8 without asking each.
    fn all_text(&self) -> bool {
        false
    }
}

/// A record read as bytes. Its bytes are checked to be UTF-8 at once (one pass, as
/// the `csv` crate's text records do); only when they are not are the fields a plan
/// reads checked one by one (see [`Rows::push`]), so that a byte no KPI reads is not
/// an error.
pub(super) struct Record<'r> {
    record: &'r csv::ByteRecord,
    /// The whole record as text, when it is UTF-8.
    text: Option<&'r str>,
}

impl<'r> Record<'r> {
    pub(super) fn new(record: &'r csv::ByteRecord) -> Record<'r> {
        Record {
            record,
            text: std::str::from_utf8(record.as_slice()).ok(),
        }
    }
}

impl Fields for Record<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        match self.text {
            // `None` (not a field's bounds in the text) only if a character's bytes
            // straddle two fields: each field alone is then not UTF-8.
            Some(text) => text.get(self.record.range(i)?),
            None => std::str::from_utf8(self.record.get(i)?).ok(),
        }
    }
}

impl RecordFields for Record<'_> {
    fn len(&self) -> usize {
        self.record.len()
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.record.get(i)
    }
}

enum Builder {
    Text(Vec<u32>, Interner),
    Number(Vec<f64>, Vec<bool>),
    Money(Vec<i64>, Vec<bool>),
    Date(Vec<f64>, Vec<bool>, bool),
    Bool(Vec<Option<bool>>),
}

/// Rows read before columns are sized for the whole file (or range).
const SAMPLE_ROWS: usize = 1024;

/// The typed columns of one model table being filled record by record.
pub(super) struct Rows<'a> {
    table: &'a TableDef,
    plan: &'a Plan<'a>,
    mapping: &'a Mapping,
    file: &'a str,
    date_format: Option<&'a str>,
    /// Fields of the header: every record must have as many.
    width: usize,
    /// The fields the plan reads, checked to be UTF-8 in every record.
    read: Vec<usize>,
    builders: Vec<Builder>,
    keys: HashMap<String, usize>,
    /// Line of the first occurrence of each code of a (text) key column.
    key_lines: Vec<Vec<usize>>,
    scratch: String,
    pub(super) rows: usize,
}

impl<'a> Rows<'a> {
    /// Empty columns for `table`'s model columns; `referenced`: a relation points at the
    /// table, so its key is looked up by value.
    pub(super) fn new(
        table: &'a TableDef,
        referenced: bool,
        plan: &'a Plan<'a>,
        mapping: &'a Mapping,
        file: &'a str,
        date_format: Option<&'a str>,
        width: usize,
    ) -> Rows<'a> {
        let builders = table
            .columns
            .values()
            .map(|c| match c.ty {
                // A key column no relation points at is never looked up by value: its
                // strings are stored without a hash index, and duplicates are found by
                // sorting hashes once at the end.
                ColumnType::Text if c.key && !referenced => {
                    Builder::Text(Vec::new(), Interner::unindexed())
                }
                ColumnType::Text => Builder::Text(Vec::new(), Default::default()),
                ColumnType::Int | ColumnType::Number => Builder::Number(Vec::new(), Vec::new()),
                ColumnType::Money => Builder::Money(Vec::new(), Vec::new()),
                ColumnType::Date => Builder::Date(Vec::new(), Vec::new(), false),
                ColumnType::DateTime => Builder::Date(Vec::new(), Vec::new(), true),
                ColumnType::Bool => Builder::Bool(Vec::new()),
            })
            .collect();
        let mut read = plan.fields();
        read.sort_unstable();
        read.dedup();
        Rows {
            table,
            plan,
            mapping,
            file,
            date_format,
            width,
            read,
            builders,
            keys: HashMap::new(),
            key_lines: vec![Vec::new(); table.columns.len()],
            scratch: String::new(),
            rows: 0,
        }
    }

    /// Whether the table has a key column that is not text (its duplicates are found
    /// by the cell's text in a hash map, which a byte range cannot share).
    pub(super) fn has_other_key(&self) -> bool {
        self.table
            .columns
            .values()
            .zip(&self.builders)
            .any(|(c, b)| c.key && !matches!(b, Builder::Text(..)))
    }

    /// Whether `record` is a row of the table (the mapping's row filters hold).
    pub(super) fn keeps(&self, record: &impl Fields) -> bool {
        self.plan.keeps(record)
    }

    /// Sizes the columns for `bytes` of input, from the bytes the rows so far took
    /// (`read`): growing vectors and hash tables row by row costs more than reading.
    fn size_for(&mut self, bytes: u64, read: u64) {
        if self.rows == SAMPLE_ROWS {
            // 2% more than the sample suggests: a column that outgrows its room is
            // copied whole into one twice as large.
            let expected =
                u128::from(bytes) * SAMPLE_ROWS as u128 * 102 / 100 / u128::from(read.max(1));
            // No more rows than bytes, whatever the sample.
            let expected = expected.min(u128::from(bytes));
            let expected = usize::try_from(expected).unwrap_or(usize::MAX);
            let rows = self.rows;
            for b in self.builders.iter_mut() {
                b.reserve(expected.saturating_sub(rows), rows);
            }
        }
    }

    /// Converts one record (a row the plan keeps) on `line`; `bytes` is the size of the
    /// input and `read` how far into it the record ends, for sizing the columns.
    pub(super) fn push(
        &mut self,
        fields: &impl RecordFields,
        line: usize,
        bytes: u64,
        read: u64,
        errors: &mut Errors,
    ) {
        self.rows += 1;
        self.size_for(bytes, read);
        let file = self.file;
        let record = fields;
        if record.len() != self.width {
            errors.push(DataError {
                file: file.to_string(),
                line,
                column: None,
                model_column: None,
                value: None,
                message: format!(
                    "the row has {} fields where the header has {}; a number written with a \
                     thousands separator (`40,069.27`) must be quoted, or the file exported \
                     with another delimiter",
                    record.len(),
                    self.width
                ),
            });
            self.builders.iter_mut().for_each(push_missing);
            return;
        }
        if !fields.all_text()
            && let Some(bad) = self.read.iter().find(|p| fields.get(**p).is_none())
        {
            let bytes = record.bytes(*bad).unwrap_or_default();
            errors.push(DataError {
                file: file.to_string(),
                line,
                column: Some(self.plan.field_name(*bad).to_string()),
                model_column: None,
                value: Some(String::from_utf8_lossy(bytes).into_owned()),
                message: "not UTF-8 text; save the file with the UTF-8 encoding".into(),
            });
            self.builders.iter_mut().for_each(push_missing);
            return;
        }
        let record = fields;
        for (index, ((col, builder), key_lines)) in self
            .table
            .columns
            .values()
            .zip(&mut self.builders)
            .zip(&mut self.key_lines)
            .enumerate()
        {
            // The header is looked up only for an error.
            let plan = self.plan;
            let err = |cell: &str, message: String| DataError {
                file: file.to_string(),
                line,
                column: Some(plan.header(index).to_string()),
                model_column: (plan.header(index) != col.name).then(|| col.name.clone()),
                value: Some(cell.to_string()),
                message,
            };
            let cell = match self.plan.cell(index, record, &mut self.scratch) {
                Ok(cell) => cell,
                Err(message) => {
                    let raw = self.plan.raw(index, record);
                    errors.push(err(raw, message));
                    push_missing(builder);
                    continue;
                }
            };
            let err = |message: String| err(cell, message);
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
                && let Some(first) = self.keys.insert(cell.to_string(), line)
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
                Builder::Number(values, valid) => {
                    let parsed = if col.ty == ColumnType::Int {
                        parse_int(cell).ok_or(
                            "not a whole number kpic holds exactly (digits, at most 9007199254740992 either side of 0)",
                        )
                    } else {
                        cell.parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or("not a number")
                    };
                    match parsed {
                        Ok(v) => {
                            values.push(v);
                            valid.push(true);
                        }
                        Err(what) => {
                            errors.push(err(what.to_string()));
                            values.push(0.0);
                            valid.push(false);
                        }
                    }
                }
                Builder::Money(values, valid) => {
                    match parse_money(cell) {
                        Some(v) => {
                            values.push(v);
                            valid.push(true);
                        }
                        None if money_too_large(cell) => {
                            errors.push(err("an amount of money too large: a money cell holds at most 99,999,999,999,999.9999 either side of 0 (the databases' DECIMAL(18,4)); totals may be larger".into()));
                            values.push(0);
                            valid.push(false);
                        }
                        None => {
                            errors.push(err("not an amount of money (digits with at most 4 decimals, e.g. 1250.50)".into()));
                            values.push(0);
                            valid.push(false);
                        }
                    }
                }
                Builder::Date(values, valid, with_time) => {
                    match parse_date_as(cell, *with_time, self.date_format) {
                        Some(d) => {
                            values.push(d);
                            valid.push(true);
                        }
                        None => {
                            errors.push(err(match (self.date_format, *with_time) {
                                (Some(f), true) => format!(
                                    "not a date-time in the format `{f}` set in {MAPPING_FILE}"
                                ),
                                (Some(f), false) => format!(
                                    "not a date in the format `{f}` set in {MAPPING_FILE}"
                                ),
                                (None, true) => "not a date-time (YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS])"
                                    .into(),
                                (None, false) => "not a date (YYYY-MM-DD)".into(),
                            }));
                            values.push(0.0);
                            valid.push(false);
                        }
                    }
                }
                Builder::Bool(values) => match self.mapping.boolean(cell) {
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

    /// Appends the rows of `next` (the byte range after this one's), text codes
    /// renumbered into this table's dictionaries in first-seen order, so that the
    /// result is the table one reader of the whole file makes. `false` when a key of
    /// `next` is already here (a duplicate: the caller reads the file again in one
    /// piece, which reports it at its lines).
    pub(super) fn append(&mut self, next: Rows<'_>) -> bool {
        self.rows += next.rows;
        for ((col, mine), theirs) in self
            .table
            .columns
            .values()
            .zip(&mut self.builders)
            .zip(next.builders)
        {
            match (mine, theirs) {
                (Builder::Text(codes, dict), Builder::Text(more, other)) => {
                    let mut fresh = true;
                    let map: Vec<u32> = other
                        .iter()
                        .map(|s| {
                            let (code, new) = dict.intern(s);
                            fresh &= new;
                            code
                        })
                        .collect();
                    if col.key && !fresh {
                        return false;
                    }
                    codes.extend(
                        more.iter()
                            .map(|c| map.get(*c as usize).copied().unwrap_or(NO_TEXT)),
                    );
                }
                (Builder::Number(v, ok), Builder::Number(v2, ok2))
                | (Builder::Date(v, ok, _), Builder::Date(v2, ok2, _)) => {
                    v.extend(v2);
                    ok.extend(ok2);
                }
                (Builder::Money(v, ok), Builder::Money(v2, ok2)) => {
                    v.extend(v2);
                    ok.extend(ok2);
                }
                (Builder::Bool(v), Builder::Bool(v2)) => v.extend(v2),
                _ => return false,
            }
        }
        true
    }

    /// Whether a text key column holds a string twice (found by sorting hashes in an
    /// unindexed dictionary).
    pub(super) fn repeats_keys(&self) -> bool {
        self.builders
            .iter()
            .any(|b| matches!(b, Builder::Text(_, dict) if !dict.duplicates().is_empty()))
    }

    /// The columns, after reporting the repeated keys of columns stored without an
    /// index.
    pub(super) fn finish(self, errors: &mut Errors) -> TableData {
        for (index, ((col, builder), lines)) in self
            .table
            .columns
            .values()
            .zip(&self.builders)
            .zip(&self.key_lines)
            .enumerate()
        {
            if let Builder::Text(_, dict) = builder {
                for (first, repeat) in dict.duplicates() {
                    errors.push(DataError {
                        file: self.file.to_string(),
                        line: lines.get(repeat as usize).copied().unwrap_or(0),
                        column: Some(self.plan.header(index).to_string()),
                        model_column: None,
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
        let columns: IndexMap<String, Column> = self
            .table
            .columns
            .keys()
            .cloned()
            .zip(self.builders.into_iter().map(|b| match b {
                Builder::Text(codes, dict) => Column::Text { codes, dict },
                Builder::Number(values, valid) => Column::Number { values, valid },
                Builder::Money(values, valid) => Column::Money { values, valid },
                Builder::Date(values, valid, _) => Column::Date { values, valid },
                Builder::Bool(values) => Column::Bool { values },
            }))
            .collect();
        TableData {
            rows: self.rows,
            columns,
        }
    }
}

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
