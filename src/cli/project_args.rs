//! Where a command's catalog and data come from: the command line, else the project
//! file (`kpic.toml`, found upward from the current folder), else `kpis/` here — and
//! what to say when there is none of them.

use super::usage_error;
use kpic::project::{self, PROJECT_FILE, Project};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The catalog flags every catalog command takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CatalogFlags {
    /// Catalog files or folders (default: the project's, from kpic.toml, else `kpis/`).
    #[arg(long = "catalog", value_name = "PATH")]
    pub catalog: Vec<PathBuf>,
    /// Use the catalog (and for `eval` the example dataset) built into this binary;
    /// works from any folder.
    #[arg(long, conflicts_with = "catalog")]
    pub demo: bool,
}

/// The project around the current folder, read once per process (`None` outside a
/// project). An unreadable or invalid `kpic.toml` is a usage error for every command.
pub fn current() -> Result<Option<&'static Project>, u8> {
    static PROJECT: OnceLock<Result<Option<Project>, String>> = OnceLock::new();
    match PROJECT.get_or_init(project::discover) {
        Ok(p) => Ok(p.as_ref()),
        Err(e) => Err(usage_error(e)),
    }
}

/// The catalog paths of a command: `--demo`'s, else the ones given (positional paths
/// and `--catalog` together), else the project's, else `kpis/` in the current folder.
/// Outside a project without `kpis/`, a usage error says how to go on.
pub fn catalog_paths(given: Vec<PathBuf>, flags: &CatalogFlags) -> Result<Vec<PathBuf>, u8> {
    if flags.demo {
        return super::demo::unpack()
            .map(|(catalog, _)| vec![catalog])
            .map_err(|e| {
                usage_error(format!(
                    "cannot unpack the demo into the temporary folder: {e}"
                ))
            });
    }
    let mut paths = given;
    paths.extend(flags.catalog.iter().cloned());
    if !paths.is_empty() {
        return Ok(paths);
    }
    if let Some(project) = current()? {
        if !project.catalog.is_empty() {
            return Ok(project.catalog.clone());
        }
        return Ok(vec![project.root.join("kpis")]);
    }
    let here = super::default_catalog();
    if here.exists() {
        return Ok(vec![here]);
    }
    let cwd = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "the current folder".into());
    Err(usage_error(format!(
        "no catalog here: {cwd} has no `kpis/` folder, and no {PROJECT_FILE} is in it or above it\n\
         help: give the catalog's files or folders (`--catalog path/to/kpis`), start a project \
         with `kpic init`, or try the bundled example with `--demo`"
    )))
}

/// The lint levels of the project, applied to a check's diagnostics.
pub fn apply_lints(checked: &mut kpic::Checked) -> Result<(), u8> {
    if let Some(project) = current()? {
        project.lints.apply(&mut checked.diagnostics);
    }
    Ok(())
}
