//! Go to definition, find references, rename and prepareRename, through the name
//! index ([`crate::names::Index`], built on the first such request after a check).

use super::workspace::Workspace;
use crate::names::{Edit, Symbol};
use crate::source::{FileId, Span};
use lsp_types::{
    GotoDefinitionParams, GotoDefinitionResponse, Location, OneOf,
    OptionalVersionedTextDocumentIdentifier, PrepareRenameResponse, ReferenceParams, RenameParams,
    TextDocumentEdit, TextDocumentPositionParams, TextEdit, WorkspaceEdit,
};

/// The symbol at a position, with the document's index and the byte offset.
fn symbol_at(ws: &Workspace, at: &TextDocumentPositionParams) -> Option<(usize, usize, Symbol)> {
    let i = ws.doc_index(&at.text_document.uri)?;
    let doc = &ws.docs[i];
    let offset = doc.lines.offset(doc.text(), at.position);
    let sym = ws.index().symbol_at(FileId(i as u32), offset)?;
    Some((i, offset, sym))
}

/// A span as a protocol location.
fn location(ws: &Workspace, span: Span) -> Option<Location> {
    let doc = ws.docs.get(span.file.0 as usize)?;
    Some(Location::new(
        doc.uri.clone(),
        doc.lines.range(doc.text(), span.range()),
    ))
}

/// Where the symbol under the cursor is declared.
pub fn definition(ws: &Workspace, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let (_, _, sym) = symbol_at(ws, &p.text_document_position_params)?;
    let def = ws.index().definition(&sym)?;
    location(ws, def.span).map(GotoDefinitionResponse::Scalar)
}

/// Every place the symbol under the cursor is named.
pub fn references(ws: &Workspace, p: ReferenceParams) -> Option<Vec<Location>> {
    let (_, _, sym) = symbol_at(ws, &p.text_document_position)?;
    let found = ws.index().references(&sym, p.context.include_declaration);
    Some(found.iter().filter_map(|l| location(ws, l.span)).collect())
}

/// The range of the name a rename at the cursor would change (`None`: nothing
/// renamable there).
pub fn prepare_rename(
    ws: &Workspace,
    p: TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    let (i, offset, sym) = symbol_at(ws, &p)?;
    let span = ws
        .index()
        .references(&sym, true)
        .into_iter()
        .map(|l| l.span)
        .find(|s| {
            s.file.0 as usize == i && s.range().contains(&offset) || s.end as usize == offset
        })?;
    let doc = &ws.docs[i];
    Some(PrepareRenameResponse::Range(
        doc.lines.range(doc.text(), span.range()),
    ))
}

/// The edits of a rename across files, or why it is refused.
pub fn rename(ws: &Workspace, p: RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let Some((_, _, sym)) = symbol_at(ws, &p.text_document_position) else {
        return Ok(None);
    };
    let edits = ws.index().rename(&sym, &p.new_name)?;
    Ok(Some(workspace_edit(ws, edits)))
}

/// Edits grouped per document (in file order, each document's in offset order).
pub fn workspace_edit(ws: &Workspace, mut edits: Vec<Edit>) -> WorkspaceEdit {
    edits.sort_by_key(|e| (e.span.file, e.span.start));
    let mut changes: Vec<TextDocumentEdit> = Vec::new();
    for e in edits {
        let Some(doc) = ws.docs.get(e.span.file.0 as usize) else {
            continue;
        };
        let edit = OneOf::Left(TextEdit {
            range: doc.lines.range(doc.text(), e.span.range()),
            new_text: e.text,
        });
        match changes.last_mut() {
            Some(last) if last.text_document.uri == doc.uri => last.edits.push(edit),
            _ => changes.push(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: doc.uri.clone(),
                    version: doc.version,
                },
                edits: vec![edit],
            }),
        }
    }
    WorkspaceEdit {
        document_changes: Some(lsp_types::DocumentChanges::Edits(changes)),
        ..Default::default()
    }
}
