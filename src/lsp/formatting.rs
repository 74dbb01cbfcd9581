//! Formatting a whole document through `kpic fmt`'s own [`crate::fmt::format_text`].

use super::workspace::Workspace;
use lsp_types::{DocumentFormattingParams, TextEdit};

/// One edit replacing the whole document with its canonical layout; `None` (no edit)
/// when it is already formatted or when `kpic fmt` refuses it (syntax errors, or a
/// layout that would change its meaning): the diagnostics already say why.
pub fn format(ws: &Workspace, p: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let doc = &ws.docs[ws.doc_index(&p.text_document.uri)?];
    let text = doc.text();
    let formatted = crate::fmt::format_text(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit {
        range: doc.lines.range(text, 0..text.len()),
        new_text: formatted,
    }])
}
