//! `kpic fmt`: rewrites `.kpi` files in the canonical layout, or with `--check` shows
//! the diff of the files that would change.

use super::{FAILED, OK, usage_error};
use kpic::diagnostic::human;
use kpic::fmt::{FmtError, format_text};
use kpic::source::SourceMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Arguments of `kpic fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of `.kpi` files (default: the project's catalog from kpic.toml,
    /// else `kpis/`); `-` reads standard input
    /// and writes the formatted text to standard output.
    pub paths: Vec<PathBuf>,
    /// Write nothing: print a diff of every file that would change and exit 1 if any
    /// would.
    #[arg(long)]
    pub check: bool,
}

/// Runs `kpic fmt`.
pub fn run(args: Args) -> u8 {
    if args.paths.iter().any(|p| p == Path::new("-")) {
        if args.paths.len() > 1 {
            return usage_error("`-` (standard input) cannot be combined with other paths");
        }
        return stdin(args.check);
    }
    // The default is `kpic check`'s: the project's catalog (kpic.toml), else `kpis/`.
    let flags = super::project_args::CatalogFlags::default();
    let paths = match super::project_args::catalog_paths(args.paths, &flags) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let files = match kpic::catalog_files::find_kpi_files(&paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let mut failed = false;
    let mut changed = 0usize;
    for path in &files {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return usage_error(format!("{name}: cannot read: {e}")),
        };
        let formatted = match format_text(&text) {
            Ok(f) => f,
            Err(e) => {
                report(&name, &text, &e);
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            print!("{}", diff(&name, &text, &formatted));
        } else if let Err(e) = std::fs::write(path, &formatted) {
            return usage_error(format!("{name}: cannot write: {e}"));
        }
    }
    if args.check && changed > 0 {
        eprintln!(
            "{changed} of {} file(s) would be reformatted (run `kpic fmt` to do it)",
            files.len()
        );
        failed = true;
    }
    if failed { FAILED } else { OK }
}

/// `-`: standard input to standard output (with `--check`, the diff instead).
fn stdin(check: bool) -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        return usage_error(format!("cannot read standard input: {e}"));
    }
    let formatted = match format_text(&text) {
        Ok(f) => f,
        Err(e) => {
            report("<stdin>", &text, &e);
            return FAILED;
        }
    };
    let out = if check {
        if formatted == text {
            return OK;
        }
        diff("<stdin>", &text, &formatted)
    } else {
        formatted
    };
    if std::io::stdout().write_all(out.as_bytes()).is_err() {
        return usage_error("cannot write standard output");
    }
    if check { FAILED } else { OK }
}

/// A unified diff from `old` to `new`.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

/// Says on standard error why a file was not formatted.
fn report(name: &str, text: &str, err: &FmtError) {
    match err {
        FmtError::Syntax(diagnostics) => {
            let mut sources = SourceMap::new();
            sources.add(name, text);
            let color = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
            let style = human::Style { color, width: 100 };
            eprint!("{}", human::render(diagnostics, &sources, style));
            eprintln!("error: {name}: not formatted: it has syntax errors");
        }
        FmtError::Changed(what) => {
            eprintln!("error: {name}: not formatted: {what}; the file is left as it was");
        }
    }
}
