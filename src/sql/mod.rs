//! SQL generation: the checked IR compiled to one query per request, for PostgreSQL,
//! DuckDB and Spark SQL ([`Dialect`]). Running the query is the database engines'
//! job (`crate::engine`); this module only writes SQL, from the IR and the shared
//! [`crate::query`] types.

mod compile;
mod dialect;
mod tables;

pub use compile::{SqlRequest, compile_query};
pub use dialect::Dialect;
pub use tables::{TableNames, compile_date_bound, compile_ddl};
