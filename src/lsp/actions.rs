//! Code actions: one quick fix per [`crate::diagnostic::Fix`] of the diagnostics in the
//! requested range (did-you-mean, `=` → `==`, wrap in an aggregate, ...).

use super::diagnostics::to_lsp;
use super::navigation::workspace_edit;
use super::workspace::Workspace;
use crate::names::Edit;
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams};

/// The quick fixes of the diagnostics whose primary span meets the requested range.
pub fn code_actions(ws: &Workspace, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let i = ws.doc_index(&p.text_document.uri)?;
    let doc = &ws.docs[i];
    let start = doc.lines.offset(doc.text(), p.range.start);
    let end = doc.lines.offset(doc.text(), p.range.end);
    let mut out = Vec::new();
    for d in ws.diagnostics.get(i).into_iter().flatten() {
        let span = d.primary.span;
        if (span.end as usize) < start || (span.start as usize) > end {
            continue;
        }
        for fix in &d.fixes {
            let edits = fix
                .edits
                .iter()
                .map(|(span, text)| Edit {
                    span: *span,
                    text: text.clone(),
                })
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(ws, i, d)]),
                edit: Some(workspace_edit(ws, edits)),
                is_preferred: Some(d.fixes.len() == 1),
                ..Default::default()
            }));
        }
    }
    Some(out)
}
