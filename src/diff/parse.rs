//! Both sides of a diff parsed at once: an item whose text is the same on both sides
//! (most of them, in a change of a large catalog) is parsed once and its tree used for
//! both, moved to its place in each file (copied for all but the last place).
//!
//! Why this gives exactly the trees `parse_file` gives: the parser reads each item on
//! its own (the splitter cuts a file into items first), and its tree depends only on
//! the item's text, except for the spans, which are the item's offset in its file plus
//! the positions pest reports inside the item's text. So the tree of an item read at
//! offset 0 of file 0, with every span moved by the item's offset into its file, is the
//! tree `parse_file` builds. That holds for items the fast rules read without a
//! diagnostic; a file with any other item (too deep, rejected by the fast rules, a
//! diagnostic from the builder) is parsed by `parse_file` itself, so its errors are
//! worded and placed as always. The test below compares both ways on real catalogs.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{
    Block, ColumnDecl, Expr, ExprKind, Field, File, Ident, Item, MapEntry, Modifier, PerClause,
    RelationDecl, Table, TimeClause, Value,
};
use crate::syntax::{RuleSet, item_chunks, parse_file, read_item};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Mutex;

type FastState = foldhash::fast::RandomState;

/// One side's files to parse: its sources, and the files not to parse (unreadable).
pub struct ToParse<'a> {
    pub sources: &'a SourceMap,
    pub skip: &'a [FileId],
}

/// One side parsed: the trees of its files in order (the skipped ones left out) and
/// the parser's diagnostics.
pub type Parsed = (Vec<File>, Vec<Diagnostic>);

/// One file parsed, as `parse_file` returns it.
type FileParsed = (File, Vec<Diagnostic>);

/// A file's items: where each is, and which distinct text it holds (`None` when the
/// file is parsed by `parse_file`).
struct Plan {
    id: FileId,
    chunks: Option<Vec<(Range<usize>, usize)>>,
}

/// Parses both sides; each result is what `parse_file` gives for every file.
pub fn parse_both(old: &ToParse, new: &ToParse) -> (Parsed, Parsed) {
    // Every distinct item text of both sides, numbered.
    let mut distinct: HashMap<&str, usize, FastState> = HashMap::default();
    let mut texts: Vec<&str> = Vec::new();
    let old_plan = plan(old, &mut distinct, &mut texts);
    let new_plan = plan(new, &mut distinct, &mut texts);
    // Each distinct text read once, at offset 0 of file 0: `None` when the fast rules
    // reject it or the builder says anything about it.
    let mut uses = vec![0usize; texts.len()];
    for (plan, _) in old_plan.iter().chain(&new_plan) {
        for (_, n) in plan.chunks.iter().flatten() {
            uses[*n] += 1;
        }
    }
    let trees: Vec<Shared> = texts
        .par_iter()
        .zip(uses)
        .map(|(text, uses)| {
            let tree = match read_item(RuleSet::Fast, text) {
                Some((Some(item), diags)) if diags.is_empty() => Some(item),
                _ => None,
            };
            Mutex::new((uses, tree))
        })
        .collect();
    let side = |plans: Vec<(Plan, &str)>| -> Parsed {
        let files: Vec<FileParsed> = plans
            .into_par_iter()
            .map(|(plan, text)| file(&plan, text, &trees))
            .collect();
        let mut out = Vec::with_capacity(files.len());
        let mut diagnostics = Vec::new();
        for (f, d) in files {
            out.push(f);
            diagnostics.extend(d);
        }
        (out, diagnostics)
    };
    let parsed = (side(old_plan), side(new_plan));
    // What is left of the shared trees (copies for files parse_file read) is freed
    // by a pool thread: freeing trees node by node takes a while.
    rayon::spawn(move || drop(trees));
    parsed
}

/// Each file of `side` with its items, their texts numbered in `distinct` (the first
/// time a text is seen, it is added to `texts`).
fn plan<'a>(
    side: &ToParse<'a>,
    distinct: &mut HashMap<&'a str, usize, FastState>,
    texts: &mut Vec<&'a str>,
) -> Vec<(Plan, &'a str)> {
    let mut plans = Vec::new();
    for (id, file) in side.sources.iter() {
        if side.skip.contains(&id) {
            continue;
        }
        let text: &'a str = &file.text;
        let chunks = item_chunks(text);
        // An item nested too deep is never given to pest: parse_file reports it.
        let chunks = (!chunks.iter().any(|(_, deep)| *deep)).then(|| {
            chunks
                .into_iter()
                .map(|(range, _)| {
                    let item = &text[range.clone()];
                    let n = *distinct.entry(item).or_insert_with(|| {
                        texts.push(item);
                        texts.len() - 1
                    });
                    (range, n)
                })
                .collect()
        });
        plans.push((Plan { id, chunks }, text));
    }
    plans
}

/// A distinct item text's tree (`None` when `parse_file` must read it), with how many
/// of its places are still to be filled: the last one takes the tree, the others
/// copy it.
type Shared = Mutex<(usize, Option<Item>)>;

/// One file's tree: its items' shared trees moved into place, or `parse_file`'s.
fn file(plan: &Plan, text: &str, trees: &[Shared]) -> FileParsed {
    let Some(chunks) = &plan.chunks else {
        return parse_file(plan.id, text);
    };
    let mut items = Vec::with_capacity(chunks.len());
    for (range, n) in chunks {
        let tree = trees.get(*n).and_then(|shared| {
            // A poisoned lock (a panic elsewhere) is read as no tree: parse_file reads
            // the file.
            let mut shared = shared.lock().ok()?;
            shared.0 = shared.0.saturating_sub(1);
            if shared.0 == 0 {
                shared.1.take()
            } else {
                shared.1.clone()
            }
        });
        let Some(mut item) = tree else {
            return parse_file(plan.id, text);
        };
        Move::new(plan.id, range.start).item(&mut item);
        items.push(item);
    }
    (File { items }, Vec::new())
}

/// Moves every span of a tree read at offset 0 of file 0 to `file`, `offset` on.
/// Every node is taken apart field by field (no `..`), so a field added to the tree
/// later does not compile until it is moved too.
struct Move {
    file: FileId,
    offset: u32,
}

impl Move {
    fn new(file: FileId, offset: usize) -> Move {
        // Offsets fit in u32: `Span` holds them so.
        Move {
            file,
            offset: offset as u32,
        }
    }

    fn span(&self, s: &mut Span) {
        *s = Span {
            file: self.file,
            start: s.start + self.offset,
            end: s.end + self.offset,
        };
    }

    fn ident(&self, i: &mut Ident) {
        let Ident { name: _, span } = i;
        self.span(span);
    }

    fn item(&self, item: &mut Item) {
        match item {
            Item::Table(t) => self.table(t),
            Item::Block(b) => self.block(b),
        }
    }

    fn table(&self, t: &mut Table) {
        let Table {
            name,
            columns,
            relations,
            span,
        } = t;
        self.ident(name);
        self.span(span);
        for c in columns {
            let ColumnDecl {
                name,
                ty,
                modifiers,
                span,
            } = c;
            self.ident(name);
            self.ident(ty);
            self.span(span);
            for m in modifiers {
                match m {
                    Modifier::Flag(i) => self.ident(i),
                    Modifier::Relation { target, span } => {
                        self.ident(target);
                        self.span(span);
                    }
                    Modifier::Unit { unit, span } => {
                        self.ident(unit);
                        self.span(span);
                    }
                }
            }
        }
        for r in relations {
            let RelationDecl {
                name,
                columns,
                target,
                target_columns,
                span,
            } = r;
            self.ident(name);
            columns.iter_mut().for_each(|c| self.ident(c));
            self.ident(target);
            target_columns
                .iter_mut()
                .flatten()
                .for_each(|c| self.ident(c));
            self.span(span);
        }
    }

    fn block(&self, b: &mut Block) {
        let Block {
            kind,
            name,
            fields,
            span,
        } = b;
        self.ident(kind);
        self.ident(name);
        self.span(span);
        for f in fields {
            let Field { name, value, span } = f;
            self.ident(name);
            self.span(span);
            match value {
                Value::Expr(e) => self.expr(e),
                Value::List { items, span } => {
                    self.span(span);
                    items.iter_mut().for_each(|e| self.expr(e));
                }
                Value::Map { by, entries, span } => {
                    self.span(span);
                    by.iter_mut().for_each(|e| self.expr(e));
                    for entry in entries {
                        let MapEntry { key, value, span } = entry;
                        self.expr(key);
                        value.iter_mut().for_each(|e| self.expr(e));
                        self.span(span);
                    }
                }
            }
        }
    }

    /// With an explicit stack, as every walk over formulas (operator chains are long).
    fn expr(&self, root: &mut Expr) {
        let mut stack = vec![root];
        while let Some(e) = stack.pop() {
            let Expr { kind, span } = e;
            self.span(span);
            match kind {
                ExprKind::Number { .. }
                | ExprKind::Text(_)
                | ExprKind::Date(_)
                | ExprKind::Bool(_)
                | ExprKind::Missing
                | ExprKind::Error => {}
                ExprKind::Path { head, member, hops } => {
                    self.ident(head);
                    member.iter_mut().for_each(|m| self.ident(m));
                    hops.iter_mut().for_each(|h| self.ident(h));
                }
                ExprKind::Unary { op: _, operand }
                | ExprKind::IsMissing {
                    operand,
                    negated: _,
                } => stack.push(operand),
                ExprKind::Binary {
                    op: _,
                    op_span,
                    left,
                    right,
                } => {
                    self.span(op_span);
                    stack.push(left);
                    stack.push(right);
                }
                ExprKind::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    stack.push(condition);
                    stack.push(then);
                    stack.push(otherwise);
                }
                ExprKind::Call {
                    name,
                    args,
                    filter,
                    time,
                    per,
                } => {
                    self.ident(name);
                    if let Some(t) = time {
                        match &mut **t {
                            TimeClause::Dated {
                                table,
                                column,
                                span,
                            } => {
                                self.ident(table);
                                self.ident(column);
                                self.span(span);
                            }
                            TimeClause::AllTime(span) => self.span(span),
                        }
                    }
                    if let Some(p) = per {
                        let PerClause {
                            table,
                            column,
                            span,
                        } = &mut **p;
                        self.ident(table);
                        column.iter_mut().for_each(|c| self.ident(c));
                        self.span(span);
                    }
                    stack.extend(args.iter_mut());
                    if let Some(f) = filter {
                        stack.push(f);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files under `dir` (recursively) as one side.
    fn read(dir: &str) -> crate::ReadSources {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::read_paths(&[root.join(dir)]).expect("read")
    }

    fn alone(side: &crate::ReadSources) -> Parsed {
        let mut files = Vec::new();
        let mut diags = Vec::new();
        for (id, f) in side.sources.iter() {
            if side.unreadable.contains(&id) {
                continue;
            }
            let (file, d) = parse_file(id, &f.text);
            files.push(file);
            diags.extend(d);
        }
        (files, diags)
    }

    /// Shared parsing gives `parse_file`'s trees, spans included, on the shipped
    /// catalog against the examples, on every diff fixture pair, and on files with
    /// syntax errors (parsed by `parse_file`, errors and all).
    #[test]
    fn the_trees_are_parse_files() {
        let pairs = [
            ("kpis", "examples"),
            ("examples", "kpis"),
            (
                "tests/fixtures/diff/kinds_of_change/old",
                "tests/fixtures/diff/kinds_of_change/new",
            ),
            (
                "tests/fixtures/diff/impact_and_rename/old",
                "tests/fixtures/diff/impact_and_rename/new",
            ),
            (
                "tests/fixtures/diff/no_semantic_change/old",
                "tests/fixtures/diff/no_semantic_change/new",
            ),
            (
                "tests/fixtures/diff/values/old",
                "tests/fixtures/diff/values/new",
            ),
            ("tests/fixtures/parse", "tests/fixtures/diagnostics"),
        ];
        for (a, b) in pairs {
            let (a, b) = (read(a), read(b));
            let (pa, pb) = parse_both(
                &ToParse {
                    sources: &a.sources,
                    skip: &a.unreadable,
                },
                &ToParse {
                    sources: &b.sources,
                    skip: &b.unreadable,
                },
            );
            assert_eq!(pa, alone(&a));
            assert_eq!(pb, alone(&b));
        }
    }
}
