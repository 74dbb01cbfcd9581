//! How the rows of a model table come from the user's files: the sources a mapping
//! names, each with its renames, constants, templates, value maps and row filters.
//!
//! `load.rs` reads each source's CSV as it reads any table, asking a [`Plan`] for the
//! text of every model column of a row (a field of the record, a constant, a mapped
//! value or a template) and whether the row is kept; [`combine`] appends the sources'
//! rows into one table and remembers where each row came from ([`Origins`]) so later
//! errors (a dangling relation) still name the user's file and line.

use super::cells::parse_int;
use super::cells::{parse_date_as, parse_money, trim};
use super::errors::DataError;
use super::mapping::{MAPPING_FILE, Mapping, OneOrMany, Scalar, SourceMapping, TableMapping};
use super::rows::Fields;
use crate::ir::{Catalog, ColumnType, TableDef};
use indexmap::IndexMap;
use std::collections::HashMap;

mod combine;
pub(in crate::data) use combine::{Origins, Part, combine};

/// Where a model column's text comes from in one source.
#[derive(Debug, Clone, Copy)]
pub(super) enum Rule<'m> {
    Header(&'m str),
    Constant(&'m Scalar),
    Template(&'m str),
}

/// One source of a table's rows, with the table's settings merged in (the source's own
/// win, column by column).
pub(super) struct Source<'m> {
    /// The file name in the data folder.
    pub(super) file: String,
    /// The date format of this source (None: ISO).
    pub(super) date_format: Option<&'m str>,
    pub(super) rules: HashMap<&'m str, Rule<'m>>,
    pub(super) values: HashMap<&'m str, &'m IndexMap<String, Scalar>>,
    pub(super) keep_where: Vec<(&'m str, Vec<String>)>,
    pub(super) drop_where: Vec<(&'m str, Vec<String>)>,
    /// Rows are not the file's records one for one (filtered, or one of several
    /// sources): the line of every row is kept.
    pub(super) tracks_rows: bool,
}

impl<'m> Source<'m> {
    /// The header a model column is read from, as errors name it: the file's header,
    /// the template, or the model's name for a constant.
    pub(super) fn header<'a>(&'a self, column: &'a str) -> &'a str {
        match self.rules.get(column) {
            Some(Rule::Header(h) | Rule::Template(h)) => h,
            _ => column,
        }
    }
}

/// The fields one layer of the mapping (a table, or one of its sources) may set.
struct Layer<'m> {
    file: Option<&'m String>,
    date_format: Option<&'m String>,
    columns: &'m HashMap<String, String>,
    constants: &'m IndexMap<String, Scalar>,
    templates: &'m IndexMap<String, String>,
    values: &'m IndexMap<String, IndexMap<String, Scalar>>,
    keep_where: &'m IndexMap<String, OneOrMany>,
    drop_where: &'m IndexMap<String, OneOrMany>,
}

fn table_layer(t: &TableMapping) -> Layer<'_> {
    Layer {
        file: t.file.as_ref(),
        date_format: t.date_format.as_ref(),
        columns: &t.columns,
        constants: &t.constants,
        templates: &t.templates,
        values: &t.values,
        keep_where: &t.keep_where,
        drop_where: &t.drop_where,
    }
}

fn source_layer(s: &SourceMapping) -> Layer<'_> {
    Layer {
        file: s.file.as_ref(),
        date_format: s.date_format.as_ref(),
        columns: &s.columns,
        constants: &s.constants,
        templates: &s.templates,
        values: &s.values,
        keep_where: &s.keep_where,
        drop_where: &s.drop_where,
    }
}

impl<'m> Layer<'m> {
    /// The rule this layer sets for a column, if any.
    fn rule(&self, column: &str) -> Option<Rule<'m>> {
        if let Some(c) = self.constants.get(column) {
            Some(Rule::Constant(c))
        } else if let Some(t) = self.templates.get(column) {
            Some(Rule::Template(t))
        } else {
            self.columns.get(column).map(|h| Rule::Header(h))
        }
    }

    fn named_columns(&self) -> impl Iterator<Item = &'m String> {
        self.constants
            .keys()
            .chain(self.templates.keys())
            .chain(self.columns.keys())
    }
}

/// The sources of a model table: the table's own file when the mapping names no
/// `sources`, else one per entry.
pub(super) fn sources<'m>(mapping: &'m Mapping, table: &'m TableDef) -> Vec<Source<'m>> {
    let Some(tm) = mapping.tables.get(&table.name) else {
        return vec![merge(mapping, table, None, None, false)];
    };
    let own = table_layer(tm);
    if tm.sources.is_empty() {
        let filtered = !tm.keep_where.is_empty() || !tm.drop_where.is_empty();
        return vec![merge(mapping, table, Some(&own), None, filtered)];
    }
    tm.sources
        .iter()
        .map(|s| merge(mapping, table, Some(&own), Some(&source_layer(s)), true))
        .collect()
}

fn merge<'m>(
    mapping: &'m Mapping,
    table: &'m TableDef,
    own: Option<&Layer<'m>>,
    source: Option<&Layer<'m>>,
    tracks_rows: bool,
) -> Source<'m> {
    let layers: Vec<&Layer<'m>> = source.into_iter().chain(own).collect();
    let mut rules = HashMap::new();
    let mut values = HashMap::new();
    for col in table.columns.keys() {
        if let Some(rule) = layers.iter().find_map(|l| l.rule(col)) {
            rules.insert(col.as_str(), rule);
        }
        if let Some(map) = layers.iter().find_map(|l| l.values.get(col)) {
            values.insert(col.as_str(), map);
        }
    }
    let filters = |pick: fn(&Layer<'m>) -> &'m IndexMap<String, OneOrMany>| {
        let mut out: Vec<(&'m str, Vec<String>)> = Vec::new();
        for layer in layers.iter().rev() {
            for (header, v) in pick(layer) {
                out.retain(|(h, _)| h != header);
                out.push((header.as_str(), v.texts()));
            }
        }
        out
    };
    Source {
        file: layers
            .iter()
            .find_map(|l| l.file.cloned())
            .unwrap_or_else(|| format!("{}.csv", table.name)),
        date_format: layers
            .iter()
            .find_map(|l| l.date_format.map(String::as_str))
            .or(mapping.date_format.as_deref()),
        rules,
        values,
        keep_where: filters(|l| l.keep_where),
        drop_where: filters(|l| l.drop_where),
        tracks_rows,
    }
}

/// Errors of the mapping file itself (before any CSV is read): constants, templates
/// and value maps name model columns, set each column once per layer, and their
/// values fit the column's type.
pub(super) fn check(mapping: &Mapping, catalog: &Catalog) -> Vec<String> {
    let mut errors = Vec::new();
    let mut tables: Vec<_> = mapping.tables.iter().collect();
    tables.sort_by_key(|(name, _)| name.as_str());
    for (name, tm) in tables {
        let Some(def) = catalog.tables.get(name) else {
            continue; // reported by Mapping::load
        };
        let mut layers = vec![(format!("[tables.{name}]"), table_layer(tm), false)];
        for (i, s) in tm.sources.iter().enumerate() {
            layers.push((
                format!("[tables.{name}] source {}", i + 1),
                source_layer(s),
                true,
            ));
        }
        for (at, layer, is_source) in &layers {
            let mut seen: HashMap<&str, ()> = HashMap::new();
            for col in layer.named_columns().chain(layer.values.keys()) {
                if !def.columns.contains_key(col) {
                    // A table's `columns` were checked by Mapping::load already.
                    if *is_source || !layer.columns.contains_key(col) {
                        let hint = crate::diagnostic::did_you_mean(
                            col,
                            def.columns.keys().map(String::as_str),
                        )
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                        errors.push(format!(
                            "{at}: `{col}` is not a column of `{name}` in the model{hint}"
                        ));
                    }
                }
            }
            for col in layer.named_columns() {
                if seen.insert(col.as_str(), ()).is_some() {
                    errors.push(format!(
                        "{at}: `{col}` is set twice (in more than one of columns, constants, templates); which one holds is ambiguous"
                    ));
                }
            }
            for (col, template) in layer.templates {
                if let Err(e) = parse_template(template) {
                    errors.push(format!("{at} templates: `{col}` = {template:?}: {e}"));
                }
            }
        }
        // Types, once per source as it reads (merged with the table's settings).
        for (i, source) in sources(mapping, def).iter().enumerate() {
            let at = if tm.sources.is_empty() {
                format!("[tables.{name}]")
            } else {
                format!("[tables.{name}] source {}", i + 1)
            };
            // In the model's column order, so that reports are stable.
            for (col, c) in &def.columns {
                let col = col.as_str();
                let Some(rule) = source.rules.get(col) else {
                    continue;
                };
                if source.values.contains_key(col) && !matches!(rule, Rule::Header(_)) {
                    errors.push(format!(
                        "{at} values: `{col}` is a constant or a template here; a value map applies to a column read from the file"
                    ));
                }
                if let Rule::Constant(v) = rule
                    && let Some(why) = misfit(c.ty, &v.text(), source.date_format, mapping)
                {
                    errors.push(format!("{at} constants: `{col}` = {:?} is {why}", v.text()));
                }
            }
            for (col, c) in &def.columns {
                let Some(map) = source.values.get(col.as_str()) else {
                    continue;
                };
                for (from, to) in map.iter() {
                    let to = to.text();
                    if to.is_empty() {
                        continue; // maps the cell to a missing value
                    }
                    if let Some(why) = misfit(c.ty, &to, source.date_format, mapping) {
                        errors.push(format!(
                            "{at} values.{col}: {from:?} maps to {to:?}, which is {why}"
                        ));
                    }
                }
            }
        }
    }
    errors
}

/// Why a text written in the mapping cannot be a cell of this type, if it cannot.
fn misfit(
    ty: ColumnType,
    text: &str,
    date_format: Option<&str>,
    mapping: &Mapping,
) -> Option<String> {
    let ok = match ty {
        ColumnType::Text => true,
        ColumnType::Int => parse_int(text).is_some(),
        ColumnType::Number => text.parse::<f64>().is_ok_and(f64::is_finite),
        ColumnType::Money => parse_money(text).is_some(),
        ColumnType::Date => parse_date_as(text, false, date_format).is_some(),
        ColumnType::DateTime => parse_date_as(text, true, date_format).is_some(),
        ColumnType::Bool => mapping.boolean(text).is_some(),
    };
    (!ok).then(|| format!("not a valid `{}` value", ty_name(ty)))
}

fn ty_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Text => "text",
        ColumnType::Int => "int",
        ColumnType::Number => "number",
        ColumnType::Money => "money",
        ColumnType::Date => "date",
        ColumnType::DateTime => "date time",
        ColumnType::Bool => "bool",
    }
}

/// A piece of a template: literal text or the cell of a header.
pub(super) enum Piece<'t> {
    Text(&'t str),
    Header(&'t str),
}

/// `"{Response ID}-nps"` as pieces; `{{` and `}}` are literal braces.
pub(super) fn parse_template(t: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("{{") {
            pieces.push(Piece::Text("{"));
            rest = r;
        } else if let Some(r) = rest.strip_prefix("}}") {
            pieces.push(Piece::Text("}"));
            rest = r;
        } else if let Some(r) = rest.strip_prefix('{') {
            let end = r.find('}').ok_or("a `{` is not closed by `}`")?;
            let header = &r[..end];
            if header.is_empty() {
                return Err("`{}` names no header".into());
            }
            pieces.push(Piece::Header(header));
            rest = &r[end + 1..];
        } else if rest.starts_with('}') {
            return Err("a `}` closes nothing (write `}}` for a brace)".into());
        } else {
            let end = rest.find(['{', '}']).unwrap_or(rest.len());
            pieces.push(Piece::Text(&rest[..end]));
            rest = &rest[end..];
        }
    }
    if !pieces.iter().any(|p| matches!(p, Piece::Header(_))) {
        return Err("it names no header; use `constants` for one value on every row".into());
    }
    Ok(pieces)
}

/// How a model column's text is got from a record of one source.
enum Cell<'s> {
    Field(usize),
    Absent,
    Constant(String),
    Mapped(usize, IndexMap<&'s str, String>),
    Template(Vec<Result<&'s str, usize>>),
}

/// One source read against its file's header: where each model column's text is.
pub(super) struct Plan<'s> {
    cells: Vec<Cell<'s>>,
    /// Model column names, and the header errors name for each.
    columns: Vec<&'s str>,
    headers: Vec<&'s str>,
    keep: Vec<(usize, &'s [String])>,
    drop: Vec<(usize, &'s [String])>,
    tracks_rows: bool,
    /// The file's header names, by field.
    names: Vec<String>,
}

impl<'s> Plan<'s> {
    /// The plan of `source` for a file whose header names are `names`; every header
    /// the mapping names and the file lacks is an error listing the file's headers.
    pub(super) fn new(
        source: &'s Source<'s>,
        table: &'s TableDef,
        names: &[&str],
        file: &str,
    ) -> Result<Plan<'s>, Vec<DataError>> {
        let mut errors = Vec::new();
        let found = names.join(", ");
        // `(found: ...)` goes after the first clause of the message.
        let missing = |column: Option<&str>, message: String| {
            let (what, hint) = message.split_once("; ").unwrap_or((&message, ""));
            DataError {
                file: file.to_string(),
                line: 1,
                column: column.map(str::to_string),
                model_column: None,
                value: None,
                message: if hint.is_empty() {
                    format!("{what} (found: {found})")
                } else {
                    format!("{what} (found: {found}); {hint}")
                },
            }
        };
        let position = |h: &str| names.iter().position(|n| *n == h);
        let mut cells = Vec::new();
        let mut headers = Vec::new();
        let columns = table.columns.keys().map(String::as_str).collect();
        for col in table.columns.values() {
            let name = col.name.as_str();
            headers.push(source.header(name));
            let cell = match source
                .rules
                .get(name)
                .copied()
                .unwrap_or(Rule::Header(name))
            {
                Rule::Constant(v) => Cell::Constant(v.text()),
                Rule::Template(t) => {
                    let mut parts = Vec::new();
                    for piece in parse_template(t).unwrap_or_default() {
                        match piece {
                            Piece::Text(s) => parts.push(Ok(s)),
                            Piece::Header(h) => match position(h) {
                                Some(p) => parts.push(Err(p)),
                                None => errors.push(missing(
                                    Some(name),
                                    format!("the template of `{name}` names `{h}`, which is missing from the header"),
                                )),
                            },
                        }
                    }
                    Cell::Template(parts)
                }
                Rule::Header(header) => match (position(header), source.values.get(name)) {
                    (Some(p), None) => Cell::Field(p),
                    (Some(p), Some(map)) => {
                        Cell::Mapped(p, map.iter().map(|(k, v)| (k.as_str(), v.text())).collect())
                    }
                    (None, _) if col.optional => Cell::Absent,
                    (None, _) => {
                        errors.push(missing(
                            Some(name),
                            format!(
                                "required column `{header}` is missing from the header{}",
                                if header == name {
                                    format!(
                                        "; if the file names it otherwise, map it in {MAPPING_FILE}"
                                    )
                                } else {
                                    String::new()
                                }
                            ),
                        ));
                        Cell::Absent
                    }
                },
            };
            cells.push(cell);
        }
        let mut filter = |list: &'s [(&'s str, Vec<String>)], what: &str| {
            let mut out = Vec::new();
            for (header, allowed) in list {
                match position(header) {
                    Some(p) => out.push((p, allowed.as_slice())),
                    None => errors.push(missing(
                        Some(header),
                        format!("`{what}` names `{header}`, which is missing from the header"),
                    )),
                }
            }
            out
        };
        let keep = filter(&source.keep_where, "keep_where");
        let drop = filter(&source.drop_where, "drop_where");
        if errors.is_empty() {
            Ok(Plan {
                cells,
                columns,
                headers,
                keep,
                drop,
                tracks_rows: source.tracks_rows,
                names: names.iter().map(|n| n.to_string()).collect(),
            })
        } else {
            Err(errors)
        }
    }

    /// Whether a record is a row of the table (the filters hold).
    pub(super) fn keeps(&self, record: &impl Fields) -> bool {
        let cell = |p: usize| trim(record.get(p).unwrap_or(""));
        self.keep
            .iter()
            .all(|(p, allowed)| allowed.iter().any(|a| a == cell(*p)))
            && !self
                .drop
                .iter()
                .any(|(p, banned)| banned.iter().any(|b| b == cell(*p)))
    }

    /// Whether the line of every row is to be kept.
    pub(super) fn tracks_rows(&self) -> bool {
        self.tracks_rows
    }

    /// The text of model column `i` in `record` (trimmed), or why it has none.
    pub(super) fn cell<'r>(
        &'r self,
        i: usize,
        record: &'r impl Fields,
        scratch: &'r mut String,
    ) -> Result<&'r str, String> {
        match &self.cells[i] {
            Cell::Field(p) => Ok(trim(record.get(*p).unwrap_or(""))),
            Cell::Absent => Ok(""),
            Cell::Constant(v) => Ok(v),
            Cell::Mapped(p, map) => {
                let cell = trim(record.get(*p).unwrap_or(""));
                match map.get(cell) {
                    Some(v) => Ok(trim(v)),
                    None if cell.is_empty() => Ok(""),
                    None => Err(format!(
                        "not in the value map `values.{}` in {MAPPING_FILE} (it maps {}); add the value to the map",
                        self.columns[i],
                        map.keys()
                            .map(|k| format!("{k:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
            Cell::Template(parts) => {
                scratch.clear();
                for part in parts {
                    match part {
                        Ok(text) => scratch.push_str(text),
                        Err(p) => scratch.push_str(trim(record.get(*p).unwrap_or(""))),
                    }
                }
                Ok(scratch.as_str())
            }
        }
    }

    /// The cell of the file behind model column `i` (for errors), if one field is.
    pub(super) fn raw<'r>(&self, i: usize, record: &'r impl Fields) -> &'r str {
        match &self.cells[i] {
            Cell::Field(p) | Cell::Mapped(p, _) => trim(record.get(*p).unwrap_or("")),
            _ => "",
        }
    }

    /// The fields of a record this plan reads (cells, templates, row filters).
    pub(super) fn fields(&self) -> Vec<usize> {
        let cells = self.cells.iter().flat_map(|c| match c {
            Cell::Field(p) | Cell::Mapped(p, _) => vec![*p],
            Cell::Template(parts) => parts.iter().filter_map(|p| p.err()).collect(),
            Cell::Absent | Cell::Constant(_) => Vec::new(),
        });
        let filters = self.keep.iter().chain(&self.drop).map(|(p, _)| *p);
        cells.chain(filters).collect()
    }

    /// The header name of field `p` of the file.
    pub(super) fn field_name(&self, p: usize) -> &str {
        self.names.get(p).map_or("", String::as_str)
    }

    /// The header errors name for model column `i`.
    pub(super) fn header(&self, i: usize) -> &str {
        self.headers[i]
    }
}
