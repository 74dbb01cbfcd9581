//! Presenting what the engines computed: results in every output format
//! ([`write_results`]), explanations ([`explanation`]), and one formatter of values by
//! unit ([`value`]) that everything showing a KPI's number uses. The rules that fired
//! follow the values in every format (`rules.rs`).

pub mod benchmarks;
pub mod escape;
mod explain;
pub mod flags;
mod results;
mod rules;
pub mod table;
pub mod value;

pub use explain::explanation;
pub use results::{
    Format, write_results, write_results_coloured, write_results_fitted, write_results_shown,
};
