//! One side of a diff: the catalog (and its `*.test.toml` files) read from paths, or
//! from a revision of the current git repository by running `git` as a child process
//! (arguments passed as such, never through a shell). The two sides are read, then
//! parsed together (an item both hold is parsed once, see `parse.rs`) and checked.

use super::parse::{ToParse, parse_both};
use crate::source::{FileId, SourceMap};
use crate::testing::{self, SUFFIX, TestFile};
use crate::{Checked, Diagnostic};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A loaded and checked catalog with its test files.
pub struct Side {
    /// What the side is, as shown: a path, or `REV`.
    pub label: String,
    pub checked: Checked,
    pub tests: Vec<TestFile>,
    /// The folders the test files were found under: a test file is named relative to
    /// them ([`Side::test_name`]), so the same file on both sides has one name.
    pub test_roots: Vec<PathBuf>,
    /// The test files that could not be read or parsed, `PATH: why`: their cases cannot
    /// be listed as affected, which the command says rather than leaving them out
    /// silently.
    pub unreadable_tests: Vec<String>,
}

impl Side {
    /// A test file's name relative to the catalog path it was found under
    /// (`tests/churn.test.toml`), the same for a revision and for a folder.
    pub fn test_name(&self, file: &TestFile) -> String {
        // `./kpis` and `kpis` are one folder.
        let plain = |p: &Path| -> PathBuf {
            p.components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect()
        };
        let path = plain(&file.path);
        let relative = self
            .test_roots
            .iter()
            .find_map(|r| path.strip_prefix(plain(r)).ok())
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(&path);
        relative.display().to_string()
    }
}

/// A side read, not yet parsed nor checked ([`check_both`] does both).
pub struct Read {
    /// What the side is, as shown: a path, or `REV`.
    pub label: String,
    sources: SourceMap,
    /// Reading's diagnostics (a file that is not UTF-8).
    diagnostics: Vec<Diagnostic>,
    /// The files not to parse (not UTF-8).
    unreadable: Vec<FileId>,
    tests: Vec<TestFile>,
    test_roots: Vec<PathBuf>,
    unreadable_tests: Vec<String>,
}

/// Reads the catalog under `paths`, with the test files in them.
pub fn from_paths(label: String, paths: &[PathBuf]) -> Result<Read, String> {
    let read = crate::read_paths(paths).map_err(|e| e.to_string())?;
    let dirs: Vec<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
    let mut tests = Vec::new();
    let mut unreadable_tests = Vec::new();
    for file in testing::find(&dirs)? {
        match testing::read(&file) {
            Ok(t) => tests.push(t),
            // The reason names the file.
            Err(e) => unreadable_tests.push(e),
        }
    }
    Ok(Read {
        label,
        sources: read.sources,
        diagnostics: read.diagnostics,
        unreadable: read.unreadable,
        tests,
        test_roots: dirs,
        unreadable_tests,
    })
}

/// Parses both sides at once and checks each, the two checks at the same time: what
/// [`crate::check_paths`] gives for each, with the parsing of the items they share
/// done once.
pub fn check_both(old: Read, new: Read) -> (Side, Side) {
    let started = Instant::now();
    let ((old_files, old_diags), (new_files, new_diags)) = parse_both(
        &ToParse {
            sources: &old.sources,
            skip: &old.unreadable,
        },
        &ToParse {
            sources: &new.sources,
            skip: &new.unreadable,
        },
    );
    let parse = started.elapsed();
    let check = |read: Read, files, diags: Vec<Diagnostic>| {
        let mut diagnostics = read.diagnostics;
        diagnostics.extend(diags);
        Side {
            label: read.label,
            checked: crate::check_parsed(read.sources, files, diagnostics, parse),
            tests: read.tests,
            test_roots: read.test_roots,
            unreadable_tests: read.unreadable_tests,
        }
    };
    rayon::join(
        || check(old, old_files, old_diags),
        || check(new, new_files, new_diags),
    )
}

/// Whether `rev` names a commit of the git repository around the current folder.
pub fn is_revision(rev: &str) -> bool {
    // A name starting with `-` would be read by git as an option.
    if rev.is_empty() || rev.starts_with('-') {
        return false;
    }
    Command::new("git")
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{rev}^{{commit}}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Reads the `.kpi` and test files under `paths` (relative to the current folder) as
/// they are at revision `rev`.
pub fn from_revision(rev: &str, paths: &[PathBuf]) -> Result<Read, String> {
    if !is_revision(rev) {
        return Err(format!("`{rev}` is not a revision of this git repository"));
    }
    let mut args: Vec<String> = ["ls-tree", "-r", "--name-only", rev, "--"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    let listed = git(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
    let mut kpi = Vec::new();
    let mut tests = Vec::new();
    let mut unreadable_tests = Vec::new();
    for name in String::from_utf8_lossy(&listed).lines() {
        let is_kpi = name.ends_with(".kpi");
        if !is_kpi && !name.ends_with(SUFFIX) {
            continue;
        }
        // `./` makes the path relative to the current folder, as ls-tree listed it.
        let bytes = git(&["show", &format!("{rev}:./{name}")])?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{rev}:{name}: not UTF-8 text"))?;
        if is_kpi {
            kpi.push((format!("{rev}:{name}"), text));
        } else {
            match testing::file::parse(&text) {
                Ok(cases) => tests.push(TestFile {
                    path: Path::new(name).to_path_buf(),
                    text,
                    cases,
                }),
                Err(e) => unreadable_tests.push(format!("{rev}:{name}: {e}")),
            }
        }
    }
    if kpi.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "revision `{rev}` has no .kpi file under {}",
            shown.join(", ")
        ));
    }
    let mut sources = SourceMap::new();
    for (name, text) in kpi {
        sources.add(name, text);
    }
    Ok(Read {
        label: rev.to_string(),
        sources,
        diagnostics: Vec::new(),
        unreadable: Vec::new(),
        tests,
        test_roots: paths.to_vec(),
        unreadable_tests,
    })
}

/// Runs `git ARGS` in the current folder: its standard output, or its error.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}
