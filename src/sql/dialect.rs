//! The few things that differ between SQL engines, in one small table of functions.
//! Adding an engine (BigQuery, Snowflake, Trino) is adding a variant here.

use serde::Serialize;

/// A target SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgres,
    Duckdb,
    Spark,
}

impl Dialect {
    /// An identifier, always quoted, with the quote character doubled inside.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal, escaped so that no value can end it early.
    pub fn string(self, value: &str) -> String {
        match self {
            // Spark SQL string literals treat backslash as an escape character.
            Dialect::Spark => format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'")),
            // A plain '...' literal reads backslashes as escapes on a server with
            // `standard_conforming_strings = off` (a trailing one would end the
            // literal later, past text that is then read as SQL). An escape string
            // E'...' reads them the same way whatever that setting, so text with a
            // backslash is written as one, each backslash doubled.
            Dialect::Postgres if value.contains('\\') => {
                format!("E'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
            }
            _ => format!("'{}'", value.replace('\'', "''")),
        }
    }

    /// A date literal.
    pub fn date(self, iso: &str) -> String {
        format!("DATE '{iso}'")
    }

    /// The double-precision type name.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::Duckdb | Dialect::Spark => "DOUBLE",
        }
    }

    /// The text type name.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::Postgres => "TEXT",
            Dialect::Duckdb => "VARCHAR",
            Dialect::Spark => "STRING",
        }
    }

    /// The SQL type of a NULL standing for a value of type `ty` (the `missing`
    /// literal).
    pub fn null_type(self, ty: crate::ir::Type) -> &'static str {
        use crate::ir::Type;
        match ty {
            Type::Text => self.text(),
            Type::Date => "DATE",
            Type::DateTime => "TIMESTAMP",
            Type::Bool => "BOOLEAN",
            Type::Number(_) | Type::Error => self.double(),
        }
    }

    /// One comparable value made of several (the key of `count_distinct` over
    /// several values): a row value in PostgreSQL and DuckDB, a struct in Spark.
    pub fn tuple(self, parts: &[String]) -> String {
        match self {
            Dialect::Spark => format!("struct({})", parts.join(", ")),
            _ => format!("ROW({})", parts.join(", ")),
        }
    }

    /// Column type names for the model's DDL.
    pub fn column_type(self, ty: crate::ir::ColumnType) -> &'static str {
        use crate::ir::ColumnType::*;
        match ty {
            Text => self.text(),
            Int => "BIGINT",
            Number => self.double(),
            Money => "DECIMAL(18,4)",
            Date => "DATE",
            DateTime => "TIMESTAMP",
            Bool => "BOOLEAN",
        }
    }

    /// Whole days from date `a` to date `b`.
    pub fn days_between(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Postgres => format!("(CAST({b} AS DATE) - CAST({a} AS DATE))"),
            Dialect::Duckdb => format!("date_diff('day', CAST({a} AS DATE), CAST({b} AS DATE))"),
            Dialect::Spark => format!("datediff(CAST({b} AS DATE), CAST({a} AS DATE))"),
        }
    }

    /// Hours (fractional) from `a` to `b`.
    pub fn hours_between(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Postgres => format!(
                "(EXTRACT(EPOCH FROM (CAST({b} AS TIMESTAMP) - CAST({a} AS TIMESTAMP))) / 3600.0)"
            ),
            Dialect::Duckdb => format!(
                "(date_diff('second', CAST({a} AS TIMESTAMP), CAST({b} AS TIMESTAMP)) / 3600.0)"
            ),
            Dialect::Spark => format!("((unix_timestamp({b}) - unix_timestamp({a})) / 3600.0)"),
        }
    }

    /// `date + days` (days may be fractional in kpic; SQL dates take whole days).
    pub fn add_days(self, date: &str, days: &str) -> String {
        match self {
            Dialect::Postgres => format!("(CAST({date} AS DATE) + CAST({days} AS INTEGER))"),
            Dialect::Duckdb => format!("(CAST({date} AS DATE) + CAST({days} AS INTEGER))"),
            Dialect::Spark => format!("date_add(CAST({date} AS DATE), CAST({days} AS INT))"),
        }
    }

    /// Continuous percentile (linear interpolation) of `x` as an aggregate.
    pub fn percentile(self, x: &str, fraction: f64) -> String {
        match self {
            Dialect::Postgres => format!("percentile_cont({fraction}) WITHIN GROUP (ORDER BY {x})"),
            Dialect::Duckdb => format!("quantile_cont({x}, {fraction})"),
            Dialect::Spark => format!("percentile({x}, {fraction})"),
        }
    }

    /// Rounds to `digits` decimals, half away from zero (as kpic does).
    pub fn round(self, x: &str, digits: i32) -> String {
        match self {
            Dialect::Postgres => format!("ROUND(CAST({x} AS NUMERIC), {digits})"),
            _ => format!("ROUND({x}, {digits})"),
        }
    }
}
