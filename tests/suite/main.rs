//! kpic's integration tests, one test binary (one link of the crate, one runner).
//!
//! Each former test file is a module here; what they share is in [`support`]: the CLI
//! runner, the Python virtual environments, PostgreSQL, DuckDB, Spark, the mutator and
//! the installer that provides what they need on a fresh machine. Fixtures stay in
//! `tests/fixtures/`; insta snapshots are in `tests/suite/snapshots/`, named
//! `suite__<module>__<name>.snap`.
//!
//! Adding a test file: put it in `tests/suite/`, add `mod <name>;` below, and use
//! `crate::support::...` instead of `#[path]` includes.

mod support;

mod catalog;
mod catalog_benchmarks;
mod check_fixtures;
mod cli_browse;
mod cli_check;
mod cli_completions;
mod cli_empty_catalog;
mod cli_eval;
mod cli_eval_duckdb;
mod cli_eval_needs;
mod cli_eval_spark;
mod cli_explain;
mod cli_period;
mod cli_project;
mod cli_report;
mod cli_rules;
mod cli_samples;
mod cli_series;
mod cli_sql;
mod cli_targets;
mod cli_test;
mod crm_export;
mod data_fixtures;
mod diff;
mod docs_browser;
mod docs_site;
mod eval_benchmarks;
mod eval_corpus;
mod eval_determinism;
mod eval_expected;
mod eval_kernels;
mod eval_small;
mod exact_output;
mod explain_groupings;
mod fmt;
mod grain_members;
mod load_split;
mod lsp;
mod money_range;
mod mutation_fuzz;
mod names;
mod output_escaping;
mod parquet;
mod parquet_errors;
mod parse_fixtures;
mod parser_agreement;
mod postgres_harness;
mod rel_composite;
mod relations;
mod report_browser;
mod robustness;
mod scope_engines;
mod spark_differential;
mod sql_differential;
mod sql_injection;
mod sql_size;
mod test_engines;
mod test_tables;
mod vscode_extension;
mod vscode_grammar;
