//! SQL generation: the checked IR compiled to one query per request, for PostgreSQL,
//! DuckDB and Spark SQL ([`Dialect`]).

mod compile;
mod dialect;
pub mod postgres;

pub use compile::{SqlRequest, TableNames, compile_ddl, compile_query};
pub use dialect::Dialect;
