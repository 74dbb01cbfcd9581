//! `kpic fmt`: one canonical layout for `.kpi` files, every comment kept in place.
//!
//! [`format_text`] parses the text (a file with syntax errors is not formatted),
//! collects its comments (the tree drops them: `comments.rs`), lays the tree out as a
//! document (`layout.rs` for items, fields and columns, `expr.rs` for formulas and
//! lists) and prints it at [`WIDTH`] columns (`doc.rs`). Before the text is returned it
//! is parsed again and compared with the input: the same tree without spans (fields
//! compared in canonical order) and the same comments; otherwise an error says what
//! would have changed, and nothing is written.

mod comments;
mod doc;
mod expr;
mod layout;
mod one_line;
mod same;

pub use one_line::one_line;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::syntax::ast::{File, Item};
use crate::syntax::parse_file;
use std::fmt;

/// The line width formulas and lists are broken at.
pub const WIDTH: usize = 100;

/// Why a text was not formatted.
#[derive(Debug)]
pub enum FmtError {
    /// The text has syntax errors (spans in file 0 of the text given).
    Syntax(Vec<Diagnostic>),
    /// Formatting would change what the text means or its comments (a formatter bug,
    /// reported rather than written).
    Changed(String),
}

impl fmt::Display for FmtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FmtError::Syntax(d) => write!(f, "{} syntax error(s); not formatted", d.len()),
            FmtError::Changed(what) => write!(f, "not formatted: {what}"),
        }
    }
}

impl std::error::Error for FmtError {}

/// The canonical layout of `text`, a whole `.kpi` file.
pub fn format_text(text: &str) -> Result<String, FmtError> {
    let (before, diagnostics) = parse_file(FileId(0), text);
    let errors: Vec<Diagnostic> = diagnostics.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        return Err(FmtError::Syntax(errors));
    }
    let found = comments::scan(text);
    let layout = layout::Layout {
        src: text,
        comments: &found,
    };
    let mut out = doc::print(&layout.file(&before), WIDTH);
    if !out.is_empty() {
        out.push('\n');
    }
    verify(&before, &found, &out)?;
    Ok(out)
}

/// Refuses `out` unless it parses to the tree `before` and keeps the comments `found`.
fn verify(before: &File, found: &[comments::Comment], out: &str) -> Result<(), FmtError> {
    let (after, diagnostics) = parse_file(FileId(0), out);
    if let Some(d) = diagnostics.iter().find(|d| d.is_error()) {
        return Err(FmtError::Changed(format!(
            "the formatted text would not parse ({})",
            d.message
        )));
    }
    if before.items.len() != after.items.len() {
        return Err(FmtError::Changed(format!(
            "the formatted text would hold {} items instead of {}",
            after.items.len(),
            before.items.len()
        )));
    }
    for (a, b) in before.items.iter().zip(&after.items) {
        if !same::same_item(a, b) {
            return Err(FmtError::Changed(format!(
                "the meaning of {} would change",
                item_name(a)
            )));
        }
    }
    let kept = comments::scan(out);
    let texts = |cs: &[comments::Comment]| cs.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    let (mut was, mut now) = (texts(found), texts(&kept));
    if was != now {
        // Fields move to their canonical order with their comments: the same comments,
        // in the order of the reordered fields, is what must come out.
        let moved = was.len() == now.len() && fields_moved(before);
        was.sort();
        now.sort();
        if !moved || was != now {
            let what = match was.iter().zip(&now).find(|(a, b)| a != b) {
                Some((a, _)) => format!("comment `{a}` would change or move"),
                None => format!("{} comments would become {}", was.len(), now.len()),
            };
            return Err(FmtError::Changed(what));
        }
    }
    Ok(())
}

/// Whether any block's fields are out of canonical order.
fn fields_moved(file: &File) -> bool {
    file.items.iter().any(|item| match item {
        Item::Block(b) => b.fields.windows(2).any(|w| {
            layout::field_rank(&b.kind.name, &w[0].name.name)
                > layout::field_rank(&b.kind.name, &w[1].name.name)
        }),
        Item::Table(_) => false,
    })
}

/// `kpi NAME` or `table NAME`, for messages.
fn item_name(item: &Item) -> String {
    match item {
        Item::Block(b) => format!("`{} {}`", b.kind.name, b.name.name),
        Item::Table(t) => format!("`table {}`", t.name.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, out: &str) -> Result<(), FmtError> {
        let (before, _) = parse_file(FileId(0), input);
        verify(&before, &comments::scan(input), out)
    }

    #[test]
    fn an_output_that_changes_meaning_or_comments_is_refused() {
        let input = "measure m {\n  formula: (a + b) * c // why\n}\n";
        assert!(check(input, input).is_ok());
        let regrouped = "measure m {\n  formula: a + b * c // why\n}\n";
        let lost = "measure m {\n  formula: (a + b) * c\n}\n";
        let edited = "measure m {\n  formula: (a + b) * c // who\n}\n";
        for out in [regrouped, lost, edited] {
            assert!(
                matches!(check(input, out), Err(FmtError::Changed(_))),
                "{out}"
            );
        }
    }

    #[test]
    fn syntax_errors_are_not_formatted() {
        assert!(matches!(
            format_text("kpi x {\n  formula: (a\n}\n"),
            Err(FmtError::Syntax(_))
        ));
    }
}
