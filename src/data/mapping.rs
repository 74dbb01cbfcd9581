//! The mapping file: how a user's CSV export maps onto the catalog's data model,
//! without editing the catalog. It sits next to the data as `kpic-mapping.toml`:
//!
//! ```toml
//! date_format = "%d/%m/%Y"        # all tables (chrono format); default ISO YYYY-MM-DD
//! true_values = ["yes", "Y"]      # spellings of true/false, added to true/false
//! false_values = ["no", "N"]
//!
//! [tables.orders]
//! file = "Invoices.csv"           # default: orders.csv
//! date_format = "%m/%d/%Y"        # overrides the global one for this table
//! columns = { order_id = "Invoice No", revenue = "Net Amount" }
//! constants = { quantity = 1 }            # a column the file does not carry
//! values.status = { "Booked" = "open" }   # exhaustive map of coded text
//! drop_where = { "Record Type" = "Test" } # row filters (also `keep_where`)
//! # [[tables.orders.sources]]: several files or column groups (see assemble/)
//! ```

use crate::ir::Catalog;
use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The file name looked for in the data folder.
pub const MAPPING_FILE: &str = "kpic-mapping.toml";

/// Spellings of true and of false every mapping accepts (any case).
const BUILT_IN_TRUE: &[&str] = &["true", "yes", "1"];
const BUILT_IN_FALSE: &[&str] = &["false", "no", "0"];

/// A parsed mapping (defaults when there is no file).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub date_format: Option<String>,
    #[serde(default)]
    pub true_values: Vec<String>,
    #[serde(default)]
    pub false_values: Vec<String>,
    #[serde(default)]
    pub tables: HashMap<String, TableMapping>,
}

/// How one table is stored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableMapping {
    pub file: Option<String>,
    pub date_format: Option<String>,
    /// Model column -> header in the file.
    #[serde(default)]
    pub columns: HashMap<String, String>,
    // Beyond renaming: how the rows of a model table come from the files
    // (`assemble/` reads these). A source of `sources` has the same fields, which
    // override the table's own.
    /// Model column -> one value for every row (`kind = "nps"`).
    #[serde(default)]
    pub constants: IndexMap<String, Scalar>,
    /// Model column -> text made of headers' cells (`"{Response ID}-nps"`).
    #[serde(default)]
    pub templates: IndexMap<String, String>,
    /// Model column -> (cell in the file -> value in the model). Exhaustive: a
    /// non-empty cell the map does not list is an error.
    #[serde(default)]
    pub values: IndexMap<String, IndexMap<String, Scalar>>,
    /// Header -> value(s): only rows whose cell is one of them are kept (all must hold).
    #[serde(default)]
    pub keep_where: IndexMap<String, OneOrMany>,
    /// Header -> value(s): rows whose cell is one of them are left out (any drops).
    #[serde(default)]
    pub drop_where: IndexMap<String, OneOrMany>,
    /// Several files, or several column groups of one file, each giving rows.
    #[serde(default)]
    pub sources: Vec<SourceMapping>,
}

/// One source of a model table's rows: a file (default: the table's) read with these
/// renames, constants, maps and filters, each added to (and overriding) the table's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceMapping {
    pub file: Option<String>,
    pub date_format: Option<String>,
    #[serde(default)]
    pub columns: HashMap<String, String>,
    #[serde(default)]
    pub constants: IndexMap<String, Scalar>,
    #[serde(default)]
    pub templates: IndexMap<String, String>,
    #[serde(default)]
    pub values: IndexMap<String, IndexMap<String, Scalar>>,
    #[serde(default)]
    pub keep_where: IndexMap<String, OneOrMany>,
    #[serde(default)]
    pub drop_where: IndexMap<String, OneOrMany>,
}

/// A value written in the mapping: TOML text, number or boolean, read as the cell
/// text it stands for.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    /// The cell text this value stands for.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// One value or a list of values (a filter accepts either).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(Scalar),
    Many(Vec<Scalar>),
}

impl OneOrMany {
    /// The values as cell texts.
    pub fn texts(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.text()],
            OneOrMany::Many(v) => v.iter().map(Scalar::text).collect(),
        }
    }
}

impl Mapping {
    /// Reads `dir/kpic-mapping.toml` if it exists, and checks that every table and
    /// column it names is in the model. Errors are full sentences (the caller names
    /// the file).
    pub fn load(dir: &Path, catalog: &Catalog) -> Result<Mapping, Vec<String>> {
        let path = dir.join(MAPPING_FILE);
        if !path.exists() {
            return Ok(Mapping::default());
        }
        let text = std::fs::read_to_string(&path).map_err(|e| vec![format!("cannot read: {e}")])?;
        // The parser's message is several lines (the line, a caret, what was expected):
        // kept as it is, it points at the place.
        let mapping: Mapping =
            toml::from_str(&text).map_err(|e| vec![e.to_string().trim_end().to_string()])?;
        let mut errors = mapping.ambiguous_booleans();
        for (table, tm) in &mapping.tables {
            let Some(def) = catalog.tables.get(table) else {
                let hint = crate::diagnostic::did_you_mean(
                    table,
                    catalog.tables.keys().map(String::as_str),
                )
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
                errors.push(format!(
                    "[tables.{table}]: the model has no table `{table}`{hint}"
                ));
                continue;
            };
            for column in tm.columns.keys() {
                if !def.columns.contains_key(column) {
                    let hint = crate::diagnostic::did_you_mean(
                        column,
                        def.columns.keys().map(String::as_str),
                    )
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                    errors.push(format!(
                        "[tables.{table}] columns: `{column}` is not a column of `{table}` in the model{hint}"
                    ));
                }
            }
        }
        for format in mapping.date_format.iter().chain(
            mapping
                .tables
                .values()
                .filter_map(|t| t.date_format.as_ref()),
        ) {
            if chrono::NaiveDate::parse_from_str("2025-01-31", "%Y-%m-%d").is_ok()
                && chrono::format::StrftimeItems::new(format)
                    .any(|i| matches!(i, chrono::format::Item::Error))
            {
                errors.push(format!(
                    "date_format {format:?} is not a valid chrono format (e.g. \"%d/%m/%Y\")"
                ));
            }
        }
        errors.extend(super::assemble::check(&mapping, catalog));
        if errors.is_empty() {
            Ok(mapping)
        } else {
            Err(errors)
        }
    }

    /// A spelling that would mean both true and false: in both lists, or in one list
    /// and a built-in spelling of the other value.
    fn ambiguous_booleans(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let lists = [
            (
                "true_values",
                &self.true_values,
                BUILT_IN_FALSE,
                "false_values",
                &self.false_values,
            ),
            (
                "false_values",
                &self.false_values,
                BUILT_IN_TRUE,
                "true_values",
                &self.true_values,
            ),
        ];
        for (list, values, built_in, other, other_values) in lists {
            for v in values {
                if built_in.iter().any(|b| b.eq_ignore_ascii_case(v)) {
                    errors.push(format!(
                        "{list}: {v:?} already means {} (built in); a cell must mean one value",
                        if list == "true_values" {
                            "false"
                        } else {
                            "true"
                        }
                    ));
                } else if list == "true_values" && other_values.contains(v) {
                    errors.push(format!(
                        "{v:?} is in both {list} and {other}; a cell must mean one value"
                    ));
                }
            }
        }
        errors
    }

    /// The CSV file name of a model table.
    pub fn file(&self, table: &str) -> String {
        self.tables
            .get(table)
            .and_then(|t| t.file.clone())
            .unwrap_or_else(|| format!("{table}.csv"))
    }

    /// The header of a model column in its file.
    pub fn header<'a>(&'a self, table: &str, column: &'a str) -> &'a str {
        self.tables
            .get(table)
            .and_then(|t| t.columns.get(column))
            .map_or(column, String::as_str)
    }

    /// The date format of a table (None: ISO `YYYY-MM-DD`).
    pub fn date_format(&self, table: &str) -> Option<&str> {
        self.tables
            .get(table)
            .and_then(|t| t.date_format.as_deref())
            .or(self.date_format.as_deref())
    }

    /// The boolean a cell spells, if any.
    pub fn boolean(&self, cell: &str) -> Option<bool> {
        let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(cell));
        if is(BUILT_IN_TRUE) || self.true_values.iter().any(|v| v == cell) {
            Some(true)
        } else if is(BUILT_IN_FALSE) || self.false_values.iter().any(|v| v == cell) {
            Some(false)
        } else {
            None
        }
    }
}
