//! What loading reports: each problem with its file, line, column and value, the
//! first [`MAX_ERRORS`] in full and a count of the rest.

use serde::Serialize;

/// Errors reported in full; the rest are counted.
pub const MAX_ERRORS: usize = 50;

/// A problem in the data: where it is and what to do.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataError {
    pub file: String,
    /// 1-based line in the file (the header is line 1), 0 for the whole file; in a
    /// Parquet file, the 1-based row.
    pub line: usize,
    /// The column as the file's header names it.
    pub column: Option<String>,
    /// The model's name for the column, when a mapping gave it another header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 && self.file.ends_with(".parquet") {
            // A Parquet file has rows, not lines.
            write!(f, " row {}", self.line)?;
        } else if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, " column `{c}`")?;
        }
        if let Some(m) = &self.model_column {
            write!(f, " (`{m}` in the model)")?;
        }
        if let Some(v) = &self.value {
            write!(f, " value {v:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The outcome of loading: the dataset, or the errors (first [`MAX_ERRORS`]) and how
/// many more there were.
#[derive(Debug)]
pub struct LoadReport {
    pub errors: Vec<DataError>,
    pub more_errors: usize,
}

#[derive(Default)]
pub(super) struct Errors {
    pub(super) list: Vec<DataError>,
    pub(super) more: usize,
}

impl Errors {
    pub(super) fn push(&mut self, e: DataError) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(e);
        } else {
            self.more += 1;
        }
    }
}

pub(super) fn whole_file(file: &str, message: String) -> DataError {
    DataError {
        file: file.to_string(),
        line: 0,
        column: None,
        model_column: None,
        value: None,
        message,
    }
}
