//! SQL generation: the checked IR compiled to one query per request, for PostgreSQL,
//! DuckDB and Spark SQL ([`Dialect`]), and running it: each engine's client
//! (`postgres`, `duckdb`) returns [`SqlRow`]s, which [`to_results`] turns into the
//! native engine's results.

mod compile;
mod dialect;
pub mod duckdb;
pub mod postgres;
mod results;

pub use compile::{SqlRequest, TableNames, compile_ddl, compile_latest_day, compile_query};
pub use dialect::Dialect;
pub use results::{MISSING_IN_DATABASE, SqlRow, to_results};
