//! What the integration tests share: the one way to run the `kpic` binary, the
//! databases and engines the SQL is proven on, the mutator, and the installer that
//! provides their prerequisites on a fresh machine.
//!
//! - [`cli`]: runs `kpic` as a user does, independent of the caller's environment.
//! - [`browser`]: headless Chromium for pages kpic writes: DOM, console errors,
//!   screenshots.
//! - [`postgres`]: a throw-away PostgreSQL server per test process.
//! - [`duckdb`], [`spark`]: DuckDB (Python package and CLI) and PySpark, in virtual
//!   environments under `target/` ([`python`]); Spark's Java from [`java`].
//! - [`corpus_engines`]: the one loop of a corpus case over every engine (its data
//!   loaded where the engine reads it, the engine's `kpic eval` flags).
//! - [`differential`]: native results of a request and their comparison with a
//!   database's rows.
//! - [`mutate`]: seeded mutations of the shipped `.kpi` files.
//! - [`install`]: Debian packages installed when absent (as root), else a loud failure
//!   naming the package.

pub mod browser;
pub mod cell;
pub mod cli;
pub mod corpus;
pub mod corpus_engines;
pub mod corpus_load;
pub mod corpus_rules;
pub mod corpus_sample;
pub mod corpus_verdict;
pub mod differential;
pub mod duckdb;
pub mod install;
pub mod java;
pub mod mutate;
pub mod parquet;
pub mod postgres;
pub mod python;
pub mod spark;
