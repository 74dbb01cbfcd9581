//! A model column built from a row group's decoded columns: each cell checked against
//! the declared type (in bulk by `fast.rs` where it can be, else row by row here), every
//! bad cell reported at its file, row and column, repeated keys found.

use super::Src;
use super::cells::{self, Val};
use super::fast;
use super::read::Raw;
use crate::data::assemble::Source;
use crate::data::errors::{DataError, Errors};
use crate::data::mapping::{MAPPING_FILE, Mapping};
use crate::data::{Column, Interner, NO_TEXT};
use crate::ir::ColumnType;
use std::borrow::Cow;
use std::collections::HashMap;

/// A row group's decoded columns, by the file's column index (`None`: not read).
pub(super) type Raws = Vec<Option<Raw>>;

/// What building a column needs to know of its file.
pub(super) struct Cx<'a> {
    pub(super) file: &'a str,
    pub(super) source: &'a Source<'a>,
    pub(super) mapping: &'a Mapping,
}

/// A model column being built over the row groups, with what finds repeated keys:
/// the first row of each text code, or of each other value's text.
pub(super) struct State {
    pub(super) out: Builder,
    pub(super) keys: HashMap<String, usize>,
    pub(super) key_rows: Vec<usize>,
}

impl Cx<'_> {
    /// One model column's kept rows of a row group (whose first row in the file is
    /// `first`, 0-based) appended, every bad cell reported.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fill(
        &self,
        col: &crate::ir::ColumnDef,
        src: &Src<'_>,
        raws: &Raws,
        kept: &[usize],
        first: usize,
        state: &mut State,
        errors: &mut Errors,
    ) {
        let header = match src {
            Src::Field(h, ..) | Src::Mapped(h, ..) => h,
            _ => self.source.header(&col.name),
        };
        // Every row of the group kept (no row filter): a stored column converts in
        // bulk, and only a cell it cannot take as it is goes through `fill_row`, which
        // reports it as a row-by-row fill does.
        let every = kept.last().is_none_or(|l| l + 1 == kept.len());
        if let (true, Src::Field(_, i, stored)) = (every, src)
            && let Some(raw) = raws.get(*i).and_then(Option::as_ref)
            && raw.len() >= kept.len()
        {
            let mut slow = |r: usize, state: &mut State| {
                self.fill_row(col, src, header, raws, r, first, state, errors)
            };
            if fast::fill(col, raw, *stored, first, kept.len(), state, &mut slow) {
                return;
            }
        }
        for &r in kept {
            self.fill_row(col, src, header, raws, r, first, state, errors);
        }
    }

    /// Row `r` of a row group (whose first row in the file is `first`) appended to
    /// one model column, its errors reported.
    #[allow(clippy::too_many_arguments)]
    fn fill_row(
        &self,
        col: &crate::ir::ColumnDef,
        src: &Src<'_>,
        header: &str,
        raws: &Raws,
        r: usize,
        first: usize,
        state: &mut State,
        errors: &mut Errors,
    ) {
        {
            let row = first + r + 1;
            let cell = self.cell(col, src, raws, r);
            let err = |value: Option<String>, message: String| DataError {
                file: self.file.to_string(),
                line: row,
                column: Some(header.to_string()),
                model_column: (header != col.name).then(|| col.name.clone()),
                value,
                message,
            };
            let val = match cell {
                Ok(v) => v,
                Err(message) => {
                    errors.push(err(self.raw_text(src, raws, r), message));
                    state.out.push(Val::Missing);
                    return;
                }
            };
            if matches!(val, Val::Missing) && !col.optional {
                errors.push(err(None, format!(
                    "required cell is empty (NULL); fill it, or declare `{}` optional in the model",
                    col.name
                )));
            }
            let repeated = match (&val, col.key) {
                (Val::Missing, _) | (_, false) => None,
                // A text key: its code is new, or the row of its first code is known.
                (Val::Text(_), true) => {
                    let (code, new) = state.out.push(val);
                    if new {
                        state.key_rows.push(row);
                        return;
                    }
                    let at = state.key_rows.get(code as usize).copied().unwrap_or(0);
                    errors.push(err(
                        self.raw_text(src, raws, r),
                        format!("duplicate key: the same `{}` is on row {at}", col.name),
                    ));
                    return;
                }
                (_, true) => {
                    let text = self.raw_text(src, raws, r).unwrap_or_default();
                    state.keys.insert(text.clone(), row).map(|at| (text, at))
                }
            };
            if let Some((text, at)) = repeated {
                errors.push(err(
                    Some(text),
                    format!("duplicate key: the same `{}` is on row {at}", col.name),
                ));
            }
            state.out.push(val);
        }
    }

    /// The cell of row `r` for a column of type `ty`.
    fn cell<'r>(
        &self,
        col: &crate::ir::ColumnDef,
        src: &'r Src<'_>,
        raws: &'r Raws,
        r: usize,
    ) -> Result<Val<'r>, String> {
        let date_format = self.source.date_format;
        let ty = col.ty;
        match src {
            Src::Absent => Ok(Val::Missing),
            Src::Field(_, i, stored) => match raws.get(*i).and_then(Option::as_ref) {
                Some(raw) => cells::typed(raw, *stored, ty, r),
                None => Ok(Val::Missing),
            },
            Src::Constant(v) => cells::parse_text(ty, Cow::Borrowed(v), date_format, self.mapping),
            Src::Mapped(_, i, stored, map) => {
                let Some(text) = raws
                    .get(*i)
                    .and_then(Option::as_ref)
                    .and_then(|raw| cells::text_of(raw, *stored, r))
                else {
                    return Ok(Val::Missing);
                };
                match map.get(text.as_str()) {
                    Some(v) => {
                        cells::parse_text(ty, Cow::Owned(v.clone()), date_format, self.mapping)
                    }
                    None if text.is_empty() => Ok(Val::Missing),
                    None => {
                        let mut listed: Vec<String> =
                            map.keys().map(|k| format!("{k:?}")).collect();
                        listed.sort();
                        Err(format!(
                            "not in the value map `values.{}` in {MAPPING_FILE} (it maps {}); add the value to the map",
                            col.name,
                            listed.join(", ")
                        ))
                    }
                }
            }
            Src::Template(parts) => {
                let mut text = String::new();
                for p in parts {
                    match p {
                        Ok(t) => text.push_str(t),
                        Err((i, stored)) => text.push_str(
                            &raws
                                .get(*i)
                                .and_then(Option::as_ref)
                                .and_then(|raw| cells::text_of(raw, *stored, r))
                                .unwrap_or_default(),
                        ),
                    }
                }
                cells::parse_text(ty, Cow::Owned(text), date_format, self.mapping)
            }
        }
    }

    /// The file's cell behind a column (for errors and keys), as text.
    fn raw_text(&self, src: &Src<'_>, raws: &Raws, r: usize) -> Option<String> {
        match src {
            Src::Field(_, i, stored) | Src::Mapped(_, i, stored, _) => {
                cells::text_of(raws.get(*i).and_then(Option::as_ref)?, *stored, r)
            }
            Src::Constant(v) => Some(v.clone()),
            Src::Template(_) | Src::Absent => None,
        }
    }
}

/// A column being filled, row by row.
pub(super) enum Builder {
    Text(Vec<u32>, Interner),
    Number(Vec<f64>, Vec<bool>),
    Money(Vec<i64>, Vec<bool>),
    Date(Vec<f64>, Vec<bool>),
    Bool(Vec<Option<bool>>),
}

impl Builder {
    /// An empty column with room for `rows` rows.
    pub(super) fn new(ty: ColumnType, rows: usize) -> Builder {
        let valid = || Vec::with_capacity(rows);
        match ty {
            ColumnType::Text => Builder::Text(Vec::with_capacity(rows), Interner::default()),
            ColumnType::Int | ColumnType::Number => {
                Builder::Number(Vec::with_capacity(rows), valid())
            }
            ColumnType::Money => Builder::Money(Vec::with_capacity(rows), valid()),
            ColumnType::Date | ColumnType::DateTime => {
                Builder::Date(Vec::with_capacity(rows), valid())
            }
            ColumnType::Bool => Builder::Bool(Vec::with_capacity(rows)),
        }
    }

    /// Appends a value; for a text, its code and whether the code is new.
    fn push(&mut self, v: Val<'_>) -> (u32, bool) {
        match (self, v) {
            (Builder::Text(codes, dict), Val::Text(t)) => {
                let (code, new) = dict.intern(&t);
                codes.push(code);
                return (code, new);
            }
            (Builder::Text(codes, _), _) => codes.push(NO_TEXT),
            (Builder::Number(values, valid), Val::Num(x))
            | (Builder::Date(values, valid), Val::Date(x)) => {
                values.push(x);
                valid.push(true);
            }
            (Builder::Money(values, valid), Val::Money(x)) => {
                values.push(x);
                valid.push(true);
            }
            (Builder::Number(values, valid) | Builder::Date(values, valid), _) => {
                values.push(0.0);
                valid.push(false);
            }
            (Builder::Money(values, valid), _) => {
                values.push(0);
                valid.push(false);
            }
            (Builder::Bool(values), Val::Bool(b)) => values.push(Some(b)),
            (Builder::Bool(values), _) => values.push(None),
        }
        (NO_TEXT, false)
    }

    pub(super) fn finish(self) -> Column {
        match self {
            Builder::Text(codes, dict) => Column::Text { codes, dict },
            Builder::Number(values, valid) => Column::Number { values, valid },
            Builder::Money(values, valid) => Column::Money { values, valid },
            Builder::Date(values, valid) => Column::Date { values, valid },
            Builder::Bool(values) => Column::Bool { values },
        }
    }
}
