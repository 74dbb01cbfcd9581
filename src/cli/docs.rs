//! `kpic docs`: writes the catalog as a static site (`kpic::docs_site`) into a folder.

use super::catalog_args;
use super::{OK, usage_error};
use std::path::PathBuf;

/// Arguments of `kpic docs`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The site works offline: open DIR/index.html in a browser. It has one \
page per KPI (all twelve attributes, the formula with every name linked, targets, \
benchmarks with their sources, a dependency graph), per category, measure and table, \
the top 12 on the index and a search box.\n\nExample: kpic docs kpis -o target/site"
)]
pub struct Args {
    /// Files or folders of `.kpi` files (default: the project's, else `kpis/`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
    /// The folder to write the site into (created if absent; other files in it are
    /// left alone).
    #[arg(long, short, value_name = "DIR")]
    pub output: PathBuf,
}

/// Runs `kpic docs`.
pub fn run(args: Args) -> u8 {
    let checked = match catalog_args::load_checked(args.paths, &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let site = kpic::docs_site::build(&checked);
    if let Err(e) = site.write(&args.output) {
        return usage_error(format!(
            "cannot write the site into {}: {e}",
            args.output.display()
        ));
    }
    println!(
        "wrote {} pages to {} (open {})",
        site.files
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .count(),
        args.output.display(),
        args.output.join("index.html").display()
    );
    OK
}
