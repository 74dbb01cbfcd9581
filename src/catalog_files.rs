//! Reading the catalog's `.kpi` files from disk: the only I/O of the check pipeline.
//! (Datasets, the CSV files KPIs are computed over, are read by [`crate::data`].)

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, SourceMap, Span};
use std::path::{Path, PathBuf};

/// A problem reading the catalog's files that is not about their content (exit code 2).
#[derive(Debug)]
pub struct ReadError {
    /// The file or folder that could not be read.
    pub path: PathBuf,
    /// Why, in words (e.g. "cannot read: no such file or folder").
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ReadError {}

/// The `.kpi` files under `paths` (files as given, folders searched recursively), in
/// a stable order; none at all is an error.
pub fn find_kpi_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| ReadError {
            path: path.clone(),
            message: format!("cannot read: {}", io_reason(&e)),
        })?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    // An empty catalog would check clean and leave `eval` blaming the data.
    if out.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(ReadError {
            path: PathBuf::from(shown.join(", ")),
            message: "no .kpi files here; a catalog is one or more .kpi files (or folders of them)"
                .into(),
        });
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReadError> {
    let err = |e: std::io::Error| ReadError {
        path: dir.to_path_buf(),
        message: format!("cannot read folder: {}", io_reason(&e)),
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "kpi") {
            out.push(p);
        }
    }
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A file read: its text, or its name and bytes when they are not UTF-8.
type Read = Result<SourceFile, (String, Vec<u8>)>;

/// Reads the files into a [`SourceMap`]. A file that is not UTF-8 is kept (decoded
/// lossily, so the diagnostic can show it) and reported as K0001; its id is returned
/// in the second list so it is not parsed.
pub fn read_sources(
    files: &[PathBuf],
) -> Result<(SourceMap, Vec<Diagnostic>, Vec<crate::source::FileId>), ReadError> {
    use rayon::prelude::*;
    // Reading, UTF-8 validation and line indexing run in parallel; the files keep
    // their order.
    let read: Vec<Result<Read, ReadError>> = files
        .par_iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|e| ReadError {
                path: path.clone(),
                message: format!("cannot read: {}", io_reason(&e)),
            })?;
            let name = path.display().to_string();
            Ok(match String::from_utf8(bytes) {
                Ok(text) => Ok(SourceFile::new(name, text)),
                Err(e) => Err((name, e.into_bytes())),
            })
        })
        .collect();
    let mut map = SourceMap::new();
    let mut diags = Vec::new();
    let mut unreadable = Vec::new();
    for file in read {
        match file? {
            Ok(file) => {
                map.add_file(file);
            }
            Err((name, bytes)) => {
                let at = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| 0);
                let lossy = String::from_utf8_lossy(&bytes).into_owned();
                // Offsets before `at` are identical in the lossy text.
                let end = lossy[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                let id = map.add(name, lossy);
                unreadable.push(id);
                diags.push(
                    Diagnostic::error(
                        Code::InvalidUtf8,
                        Span::new(id, at, end),
                        "file is not valid UTF-8",
                    )
                    .label(format!("byte {at} is not UTF-8"))
                    .help("save the file as UTF-8"),
                );
            }
        }
    }
    Ok((map, diags, unreadable))
}
