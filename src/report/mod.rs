//! `kpic report`: a computed request as one self-contained HTML page (a scorecard, one
//! chart per KPI as inline SVG, citations and the explanation trace), with no script
//! and no external resource, so it works offline and prints.
//!
//! The page is a pure function of the catalog, the results and the explanations
//! ([`html`]); computing them is the caller's (the CLI runs the same request as
//! `kpic eval`). Every text from the catalog or the data goes through
//! [`crate::render::escape::html`]; only http(s) URLs become links.
//!
//! - `page.rs`: the document around the parts, its style sheet (screen and print).
//! - `scorecard.rs`: one table row per KPI and group, and where the flags of later
//!   result fields (benchmark position, small samples, rules) plug in.
//! - `chart.rs`: which chart a KPI gets, from its `visualization` suggestion and the
//!   shape of the results (time series, segments, target, breakdown).
//! - `svg.rs`: drawing those charts; each mark carries the value it shows
//!   (`data-value`, as in the JSON output) and where it comes from.

mod chart;
mod page;
mod scorecard;
mod svg;

use crate::ir::Catalog;
use crate::query::Results;
use indexmap::IndexMap;

pub use chart::{ChartKind, suggested};

/// What one report shows.
pub struct Report<'a> {
    pub catalog: &'a Catalog,
    pub results: &'a Results,
    /// The explanation trace of each KPI (by id) as plain text, or why there is none.
    pub explanations: &'a IndexMap<String, Result<String, String>>,
    /// The page's title (e.g. `KPI report 2025`).
    pub title: String,
}

/// The report as one HTML document.
pub fn html(report: &Report) -> String {
    page::document(report)
}
