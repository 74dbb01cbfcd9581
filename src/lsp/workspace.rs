//! The document store: the workspace catalog's files, open documents overlaying them,
//! each file's syntax tree kept between edits, and the last check of the whole catalog.

use super::positions::LineIndex;
use super::uri;
use crate::diagnostic::{self, Diagnostic};
use crate::ir::Catalog;
use crate::project::{self, Lints};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax::{self, ast};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One file of the workspace: on disk, open in the editor, or both.
#[derive(Debug)]
pub struct Doc {
    pub path: PathBuf,
    pub uri: Uri,
    /// The text kpic checks (the editor's while the document is open).
    pub source: SourceFile,
    pub lines: LineIndex,
    /// The editor's version while the document is open.
    pub version: Option<i32>,
    /// False for a slot whose file was closed and is gone from disk: kept empty so that
    /// every other file's [`FileId`] (its index) stays the same.
    pub live: bool,
    /// What parsing found, kept until the file changes again.
    parse_diagnostics: Vec<Diagnostic>,
}

impl Doc {
    /// The document's text.
    pub fn text(&self) -> &str {
        &self.source.text
    }
}

/// The workspace: its files, their syntax trees, and the last check.
pub struct Workspace {
    /// The folder the editor opened (where `kpic.toml` is looked for, upward).
    pub root: Option<PathBuf>,
    lints: Lints,
    pub docs: Vec<Doc>,
    /// `asts[i]` is the syntax tree of `docs[i]` (one slice for `check::check`).
    asts: Vec<ast::File>,
    by_path: HashMap<PathBuf, usize>,
    /// The catalog of the last check.
    pub catalog: Catalog,
    /// The last check's diagnostics, per document, sorted.
    pub diagnostics: Vec<Vec<Diagnostic>>,
    /// A problem finding the catalog (an invalid `kpic.toml`, an unreadable folder),
    /// shown to the user once.
    pub load_error: Option<String>,
    /// How long the last check took (parse of the changed file excluded).
    pub last_check: Duration,
    /// The sources of the last check (for the name index).
    sources: SourceMap,
    /// The name index of the last check, built on the first request that needs it
    /// (typing needs only diagnostics, so a keystroke does not pay for it).
    index: std::cell::OnceCell<crate::names::Index>,
}

impl Workspace {
    /// The workspace under `root`: the project's catalog paths when a `kpic.toml` is in
    /// `root` or above it, else every `.kpi` file under `root` (none without a root).
    pub fn load(root: Option<PathBuf>) -> Workspace {
        let mut ws = Workspace {
            root: root.clone(),
            lints: Lints::default(),
            docs: Vec::new(),
            asts: Vec::new(),
            by_path: HashMap::new(),
            catalog: Catalog::default(),
            diagnostics: Vec::new(),
            load_error: None,
            last_check: Duration::ZERO,
            sources: SourceMap::new(),
            index: std::cell::OnceCell::new(),
        };
        let Some(root) = root else {
            return ws;
        };
        let mut paths = vec![root.clone()];
        if let Some(file) = project::find(&root) {
            match project::read(&file) {
                Ok(p) => {
                    paths = if p.catalog.is_empty() {
                        vec![p.root.join("kpis")]
                    } else {
                        p.catalog.clone()
                    };
                    ws.lints = p.lints;
                }
                Err(e) => ws.load_error = Some(e),
            }
        }
        let files = match crate::catalog_files::find_kpi_files(&paths) {
            Ok(files) => files,
            Err(e) => {
                ws.load_error.get_or_insert(e.to_string());
                Vec::new()
            }
        };
        match crate::catalog_files::read_sources(&files) {
            Ok((sources, diags, unreadable)) => {
                for ((id, file), path) in sources.iter().zip(files) {
                    let Some(i) = ws.push(path, file.text.to_string(), None) else {
                        continue;
                    };
                    // Not UTF-8 (K0001): shown lossily, not parsed.
                    if unreadable.contains(&id) {
                        let doc = &mut ws.docs[i];
                        // The reader numbered files its own way; this one is `i` here.
                        doc.parse_diagnostics = diags
                            .iter()
                            .filter(|d| d.primary.span.file == id)
                            .map(|d| {
                                let mut d = d.clone();
                                d.primary.span.file = FileId(i as u32);
                                d
                            })
                            .collect();
                        ws.asts[i] = ast::File::default();
                    }
                }
            }
            Err(e) => {
                ws.load_error.get_or_insert(e.to_string());
            }
        }
        ws.check();
        ws
    }

    /// Adds a file (parsed) and returns its index (`None` for a path that makes no
    /// URI, i.e. is not UTF-8: the editor could not name it).
    fn push(&mut self, path: PathBuf, text: String, version: Option<i32>) -> Option<usize> {
        let i = self.docs.len();
        let uri = uri::from_path(&path)?;
        let (tree, diags) = syntax::parse_file(FileId(i as u32), &text);
        self.docs.push(Doc {
            lines: LineIndex::new(&text),
            source: SourceFile::new(self.display_name(&path), text),
            path: path.clone(),
            uri,
            version,
            live: true,
            parse_diagnostics: diags,
        });
        self.asts.push(tree);
        self.by_path.insert(path, i);
        Some(i)
    }

    /// A file's name in kpic's own messages: relative to the root when under it.
    fn display_name(&self, path: &Path) -> String {
        self.root
            .as_deref()
            .and_then(|r| path.strip_prefix(r).ok())
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The document a URI names, if it is in the workspace.
    pub fn doc_index(&self, uri: &Uri) -> Option<usize> {
        let path = uri::to_path(uri)?;
        self.by_path
            .get(&path)
            .copied()
            .filter(|&i| self.docs[i].live)
    }

    /// The editor opened a document: its text overlays the file on disk (a `.kpi` file
    /// not in the catalog yet joins it).
    pub fn open(&mut self, uri: &Uri, text: String, version: i32) -> Option<usize> {
        let path = uri::to_path(uri)?;
        match self.by_path.get(&path).copied() {
            Some(i) => {
                self.docs[i].live = true;
                self.docs[i].version = Some(version);
                self.set_text(i, text);
                Some(i)
            }
            None => self.push(path, text, Some(version)),
        }
    }

    /// The editor changed a document (whole-text or ranged changes, in order).
    pub fn change(&mut self, i: usize, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        let mut text = self.docs[i].text().to_string();
        for change in changes {
            match change.range {
                Some(range) => {
                    let lines = LineIndex::new(&text);
                    let start = lines.offset(&text, range.start);
                    let end = lines.offset(&text, range.end).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
        }
        self.docs[i].version = Some(version);
        self.set_text(i, text);
    }

    /// The editor closed a document: the file on disk counts again (or, when it is
    /// gone, the slot is emptied).
    pub fn close(&mut self, i: usize) {
        self.docs[i].version = None;
        match std::fs::read_to_string(&self.docs[i].path) {
            Ok(text) => self.set_text(i, text),
            Err(_) => {
                self.set_text(i, String::new());
                self.docs[i].live = false;
            }
        }
    }

    /// Replaces a document's text and re-parses that document only.
    fn set_text(&mut self, i: usize, text: String) {
        let (tree, diags) = syntax::parse_file(FileId(i as u32), &text);
        let doc = &mut self.docs[i];
        doc.lines = LineIndex::new(&text);
        doc.source = SourceFile::new(doc.source.name.clone(), text);
        doc.parse_diagnostics = diags;
        self.asts[i] = tree;
    }

    /// Checks the whole catalog from the kept syntax trees.
    pub fn check(&mut self) {
        let t0 = Instant::now();
        let mut sources = SourceMap::new();
        for doc in &self.docs {
            sources.add_file(doc.source.clone());
        }
        let (catalog, diags) = crate::check::check(&sources, &self.asts);
        let mut all: Vec<Diagnostic> = self
            .docs
            .iter()
            .filter(|d| d.live)
            .flat_map(|d| d.parse_diagnostics.iter().cloned())
            .chain(diags)
            .collect();
        self.lints.apply(&mut all);
        diagnostic::sort(&mut all);
        let mut per_doc = vec![Vec::new(); self.docs.len()];
        for d in all {
            if let Some(slot) = per_doc.get_mut(d.primary.span.file.0 as usize) {
                slot.push(d);
            }
        }
        self.catalog = catalog;
        self.diagnostics = per_doc;
        self.sources = sources;
        self.index = std::cell::OnceCell::new();
        self.last_check = t0.elapsed();
    }

    /// The name index of the last check.
    pub fn index(&self) -> &crate::names::Index {
        self.index
            .get_or_init(|| crate::names::Index::build(&self.sources, &self.asts, &self.catalog))
    }

    /// The syntax tree of a document.
    pub fn ast(&self, i: usize) -> &ast::File {
        &self.asts[i]
    }

    /// Every live document's index with its syntax tree.
    pub fn trees(&self) -> impl Iterator<Item = (usize, &ast::File)> {
        self.asts
            .iter()
            .enumerate()
            .filter(|(i, _)| self.docs[*i].live)
    }
}
