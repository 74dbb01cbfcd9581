//! The layout of a file: items one blank line apart, fields in the order of their
//! kind's field list in `vocab`, table columns one per line with their comments
//! aligned, and every comment attached to the item, field or column it stands by.

use super::comments::{Comment, Source, blank_line_before, newline_between};
use super::doc::{Doc, cat, nest, text};
use super::expr::{Values, comment_doc};
use crate::syntax::ast::{Block, ColumnDecl, File, Item, Modifier, Table};
use crate::vocab::ItemKind;

/// The column trailing comments of table columns start at, as the catalog writes
/// them (0-based); a longer column keeps two blanks before its comment.
const COLUMN_COMMENT_AT: usize = 39;
/// Indentation of fields and columns.
const INDENT: usize = 2;

/// The comments around a list of units (items, fields or columns) in source order.
struct Slots<'a> {
    /// On lines of their own before the unit.
    leading: Vec<Vec<&'a Comment>>,
    /// Inside the unit's span.
    inner: Vec<Vec<&'a Comment>>,
    /// After the unit on its last line.
    trailing: Vec<Vec<&'a Comment>>,
    /// After the last unit.
    end: Vec<&'a Comment>,
}

/// Attaches each comment to the unit it stands by: inside it, after it on its last
/// line, or else before the next unit.
fn assign<'a>(src: &str, units: &[(usize, usize)], comments: &[&'a Comment]) -> Slots<'a> {
    let n = units.len();
    let mut slots = Slots {
        leading: vec![Vec::new(); n],
        inner: vec![Vec::new(); n],
        trailing: vec![Vec::new(); n],
        end: Vec::new(),
    };
    let mut u = 0;
    for &c in comments {
        while u < n && units[u].1 <= c.start {
            u += 1;
        }
        if u < n && units[u].0 <= c.start {
            slots.inner[u].push(c);
        } else if u > 0 && !c.own_line && !newline_between(src, units[u - 1].1, c.start) {
            slots.trailing[u - 1].push(c);
        } else if u < n {
            slots.leading[u].push(c);
        } else {
            slots.end.push(c);
        }
    }
    slots
}

/// Lines joined by line breaks, a blank line before those that ask for one (never
/// before the first).
fn join(lines: Vec<(bool, Doc)>) -> Doc {
    let mut out = Vec::new();
    for (i, (blank, d)) in lines.into_iter().enumerate() {
        if i > 0 {
            out.push(Doc::Hard);
            if blank {
                out.push(Doc::Hard);
            }
        }
        out.push(d);
    }
    cat(out)
}

/// Where a field of this kind goes: its place in the kind's field list (documentation
/// attributes after the kind's own fields); unknown fields and kinds keep their place
/// after the known ones.
pub fn field_rank(kind: &str, field: &str) -> usize {
    ItemKind::from_keyword(kind)
        .and_then(|k| k.field_names().position(|f| f == field))
        .unwrap_or(usize::MAX)
}

/// Lays out files of one source text.
pub struct Layout<'a> {
    pub src: &'a str,
    pub comments: &'a [Comment],
}

impl<'a> Layout<'a> {
    /// The whole file as a document.
    pub fn file(&self, file: &File) -> Doc {
        let units: Vec<_> = file.items.iter().map(|i| self.unit(i.span())).collect();
        let all: Vec<&Comment> = self.comments.iter().collect();
        let slots = assign(self.src, &units, &all);
        let mut lines: Vec<(bool, Doc)> = Vec::new();
        for (i, item) in file.items.iter().enumerate() {
            let mut first = true;
            for c in &slots.leading[i] {
                let blank = if first {
                    !lines.is_empty()
                } else {
                    c.blank_before
                };
                lines.push((blank, comment_doc(c)));
                first = false;
            }
            let body = match item {
                Item::Block(b) => self.block(b, &slots.inner[i]),
                Item::Table(t) => self.table(t, &slots.inner[i]),
            };
            let blank = if first {
                !lines.is_empty()
            } else {
                blank_line_before(self.src, units[i].0)
            };
            let mut d = vec![body];
            d.extend(slots.trailing[i].iter().map(|c| comment_doc(c)));
            lines.push((blank, cat(d)));
        }
        for c in &slots.end {
            lines.push((c.blank_before, comment_doc(c)));
        }
        join(lines)
    }

    /// A node's span without the blanks and comments the grammar lets it end with.
    fn unit(&self, span: crate::source::Span) -> (usize, usize) {
        self.source().trim(span.start as usize, span.end as usize)
    }

    fn source(&self) -> Source<'a> {
        Source {
            text: self.src,
            comments: self.comments,
        }
    }

    /// `KIND NAME { field* }` with the fields in canonical order, each with its
    /// comments.
    fn block(&self, b: &Block, comments: &[&'a Comment]) -> Doc {
        let units: Vec<_> = b.fields.iter().map(|f| self.unit(f.span)).collect();
        let slots = assign(self.src, &units, comments);
        let mut order: Vec<usize> = (0..b.fields.len()).collect();
        order.sort_by_key(|&i| field_rank(&b.kind.name, &b.fields[i].name.name));
        let mut lines = Vec::new();
        for i in order {
            let f = &b.fields[i];
            for c in &slots.leading[i] {
                lines.push((c.blank_before, comment_doc(c)));
            }
            let mut values = Values::new(self.source(), slots.inner[i].clone());
            let value = values.value(&f.value);
            let mut d = vec![text(format!("{}: ", f.name.name)), value, values.rest()];
            d.extend(slots.trailing[i].iter().map(|c| comment_doc(c)));
            lines.push((blank_line_before(self.src, units[i].0), cat(d)));
        }
        for c in &slots.end {
            lines.push((c.blank_before, comment_doc(c)));
        }
        self.braces(format!("{} {}", b.kind.name, b.name.name), lines)
    }

    /// `HEAD { lines }`, or `HEAD {}` without lines.
    fn braces(&self, head: String, lines: Vec<(bool, Doc)>) -> Doc {
        if lines.is_empty() {
            return text(format!("{head} {{}}"));
        }
        cat(vec![
            text(format!("{head} {{")),
            nest(INDENT, cat(vec![Doc::Hard, join(lines)])),
            Doc::Hard,
            text("}"),
        ])
    }

    /// `table NAME { column* }`, one column (or relation on several columns) per line
    /// in source order, trailing comments aligned.
    fn table(&self, t: &Table, comments: &[&'a Comment]) -> Doc {
        let mut entries: Vec<(crate::source::Span, String)> = t
            .columns
            .iter()
            .map(|c| (c.span, column_text(c)))
            .chain(t.relations.iter().map(|r| (r.span, relation_text(r))))
            .collect();
        entries.sort_by_key(|(span, _)| span.start);
        let units: Vec<_> = entries.iter().map(|(span, _)| self.unit(*span)).collect();
        let slots = assign(self.src, &units, comments);
        let mut lines = Vec::new();
        for (i, (_, written)) in entries.iter().enumerate() {
            for c in &slots.leading[i] {
                lines.push((c.blank_before, comment_doc(c)));
            }
            // A comment between a column's words moves to a line of its own above it.
            for c in &slots.inner[i] {
                lines.push((false, own_line(c)));
            }
            let mut decl = written.clone();
            let mut rest = Vec::new();
            for (j, c) in slots.trailing[i].iter().enumerate() {
                if j == 0 {
                    let used = INDENT + decl.chars().count();
                    let pad = COLUMN_COMMENT_AT.saturating_sub(used).max(2);
                    decl.extend(std::iter::repeat_n(' ', pad));
                    decl.push_str(&c.text);
                } else {
                    rest.push(comment_doc(c));
                }
            }
            // The decl ends in a comment: whatever follows must start a new line,
            // which the joining break gives.
            let mut d = vec![text(decl)];
            d.extend(rest);
            lines.push((blank_line_before(self.src, units[i].0), cat(d)));
        }
        for c in &slots.end {
            lines.push((c.blank_before, comment_doc(c)));
        }
        self.braces(format!("table {}", t.name.name), lines)
    }
}

fn own_line(c: &Comment) -> Doc {
    Doc::Comment {
        text: c.text.clone(),
        own_line: true,
    }
}

/// `name: (col, ...) -> TABLE` or `-> TABLE(col, ...)` as written canonically.
fn relation_text(r: &crate::syntax::ast::RelationDecl) -> String {
    let names = |cols: &[crate::syntax::ast::Ident]| {
        cols.iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = format!(
        "{}: ({}) -> {}",
        r.name.name,
        names(&r.columns),
        r.target.name
    );
    if let Some(target) = &r.target_columns {
        s.push_str(&format!("({})", names(target)));
    }
    s
}

/// `name: TYPE MODIFIER*` as written canonically.
fn column_text(c: &ColumnDecl) -> String {
    let mut s = format!("{}: {}", c.name.name, c.ty.name);
    for m in &c.modifiers {
        s.push(' ');
        match m {
            Modifier::Flag(word) => s.push_str(&word.name),
            Modifier::Relation { target, .. } => {
                s.push_str("-> ");
                s.push_str(&target.name);
            }
            Modifier::Unit { unit, .. } => {
                s.push_str("unit ");
                s.push_str(&unit.name);
            }
        }
    }
    s
}
