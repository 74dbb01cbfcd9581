//! `kpic convert`: a CSV dataset validated once and written as Parquet, one file per
//! table with the model's names and types, so that later runs read it fast.

use super::{FAILED, OK, usage_error};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `kpic convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset to convert: a folder of CSV (or Parquet) files, one per table, with
    /// its `kpic-mapping.toml` if it has one.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write `TABLE.parquet` for every table (created if absent). The files
    /// use the model's column names, so this folder needs no mapping.
    #[arg(long)]
    pub out: PathBuf,
    /// The catalog declaring the data model.
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
}

/// Runs `kpic convert`.
pub fn run(args: Args) -> u8 {
    let checked = match super::catalog_args::load_checked(Vec::new(), &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if !args.data.is_dir() {
        return usage_error(format!(
            "{}: no such data folder (give one with --data DIR)",
            args.data.display()
        ));
    }
    if args.out.exists()
        && std::fs::canonicalize(&args.out).ok() == std::fs::canonicalize(&args.data).ok()
    {
        return usage_error("--out must be another folder than --data");
    }
    let shown = std::io::stderr().is_terminal();
    let mut loading = |file: &str, i: usize, n: usize| {
        if shown {
            eprint!("\r\x1b[2Kreading {file} ({}/{n})", i + 1);
        }
    };
    let data =
        match kpic::data::load_dataset_with_progress(&checked.catalog, &args.data, &mut loading) {
            Ok(d) => d,
            Err(report) => {
                if shown {
                    eprint!("\r\x1b[2K");
                }
                for e in &report.errors {
                    eprintln!("error: {e}");
                }
                if report.more_errors > 0 {
                    eprintln!("... and {} more errors", report.more_errors);
                }
                eprintln!("nothing was written: fix the data above and run again");
                return FAILED;
            }
        };
    let mut writing = |file: &str, done: usize, rows: usize| {
        if shown {
            eprint!("\r\x1b[2Kwriting {file} ({done}/{rows} rows)");
        }
    };
    let written = kpic::data::write_dataset(&checked.catalog, &data, &args.out, &mut writing);
    if shown {
        eprint!("\r\x1b[2K");
    }
    match written {
        Ok(report) => {
            for (file, rows) in &report.files {
                eprintln!("wrote {} ({rows} rows)", args.out.join(file).display());
            }
            OK
        }
        Err(e) => usage_error(e),
    }
}
