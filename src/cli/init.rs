//! `kpic init [DIR]`: a new project that checks and evaluates at once — a project file,
//! a small model, one documented KPI, example data and a mapping template (the files
//! under `templates/init/`, built into the binary).

use super::{OK, usage_error};
use include_dir::{Dir, DirEntry, include_dir};
use std::path::{Path, PathBuf};

/// The project template.
static TEMPLATE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates/init");

/// Arguments of `kpic init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The project folder (created if absent; default: the current folder).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Runs `kpic init`.
pub fn run(args: Args) -> u8 {
    let files = files(&TEMPLATE);
    // Nothing is overwritten: a file the template would write that already exists stops
    // the command before anything is written.
    let clashes: Vec<String> = files
        .iter()
        .filter(|(path, _)| args.dir.join(path).exists())
        .map(|(path, _)| path.display().to_string())
        .collect();
    if !clashes.is_empty() {
        return usage_error(format!(
            "{}: not a new project; these files exist and would be overwritten: {}",
            args.dir.display(),
            clashes.join(", ")
        ));
    }
    for (path, contents) in &files {
        let target = args.dir.join(path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, contents));
        if let Err(e) = written {
            return usage_error(format!("{}: cannot write: {e}", target.display()));
        }
    }
    let cd = if args.dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", args.dir.display())
    };
    println!(
        "created a kpic project in {} ({} files)\nnext: {cd}kpic check && kpic eval   (README.md says more)",
        args.dir.display(),
        files.len()
    );
    OK
}

/// Every file of the template with its path inside it, in a stable order.
fn files<'a>(dir: &'a Dir<'a>) -> Vec<(&'a Path, &'a [u8])> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in d.entries() {
            match entry {
                DirEntry::Dir(sub) => stack.push(sub),
                DirEntry::File(f) => out.push((f.path(), f.contents())),
            }
        }
    }
    out.sort_by_key(|(p, _)| *p);
    out
}
