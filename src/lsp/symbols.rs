//! Document symbols (a file's items, a table's columns under it) and workspace symbols
//! (every item of the catalog whose name contains the query), from the syntax trees.

use super::workspace::Workspace;
use crate::syntax::ast::{File, Item};
use lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, Location, SymbolInformation,
    SymbolKind, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

/// The symbol kind shown for an item keyword (`kpi`, `measure`, ...).
fn kind_of(keyword: &str) -> SymbolKind {
    match keyword {
        "table" => SymbolKind::STRUCT,
        "category" => SymbolKind::ENUM_MEMBER,
        "measure" => SymbolKind::FUNCTION,
        "kpi" => SymbolKind::CONSTANT,
        "benchmark" => SymbolKind::OBJECT,
        "target" => SymbolKind::EVENT,
        _ => SymbolKind::KEY,
    }
}

/// The items of one document, a table's columns nested under it.
pub fn document(ws: &Workspace, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let i = ws.doc_index(&p.text_document.uri)?;
    let doc = &ws.docs[i];
    let text = doc.text();
    let range = |span: crate::source::Span| doc.lines.range(text, span.range());
    let symbols = items(ws.ast(i))
        .map(|(keyword, item)| {
            let (name, children) = match item {
                Item::Table(t) => (
                    &t.name,
                    t.columns
                        .iter()
                        .map(|c| {
                            #[allow(deprecated)] // the field must be written; it is unused
                            DocumentSymbol {
                                name: c.name.name.clone(),
                                detail: Some(c.ty.name.clone()),
                                kind: SymbolKind::FIELD,
                                tags: None,
                                deprecated: None,
                                range: range(c.span),
                                selection_range: range(c.name.span),
                                children: None,
                            }
                        })
                        .collect(),
                ),
                Item::Block(b) => (&b.name, Vec::new()),
            };
            #[allow(deprecated)]
            DocumentSymbol {
                name: name.name.clone(),
                detail: Some(keyword.to_string()),
                kind: kind_of(keyword),
                tags: None,
                deprecated: None,
                range: range(item.span()),
                selection_range: range(name.span),
                children: (!children.is_empty()).then_some(children),
            }
        })
        .collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

/// Every item's keyword with the item.
fn items(file: &File) -> impl Iterator<Item = (&str, &Item)> {
    file.items.iter().map(|item| match item {
        Item::Table(_) => ("table", item),
        Item::Block(b) => (b.kind.name.as_str(), item),
    })
}

/// Every item of the workspace whose name contains the query (case-insensitively),
/// by name, then file.
pub fn workspace(ws: &Workspace, p: WorkspaceSymbolParams) -> Option<WorkspaceSymbolResponse> {
    let query = p.query.to_lowercase();
    let mut found: Vec<SymbolInformation> = Vec::new();
    for (i, file) in ws.trees() {
        let doc = &ws.docs[i];
        for (keyword, item) in items(file) {
            let name = match item {
                Item::Table(t) => &t.name,
                Item::Block(b) => &b.name,
            };
            if !name.name.to_lowercase().contains(&query) {
                continue;
            }
            #[allow(deprecated)]
            found.push(SymbolInformation {
                name: name.name.clone(),
                kind: kind_of(keyword),
                tags: None,
                deprecated: None,
                location: Location::new(
                    doc.uri.clone(),
                    doc.lines.range(doc.text(), name.span.range()),
                ),
                container_name: Some(keyword.to_string()),
            });
        }
    }
    found.sort_by(|a, b| {
        (&a.name, a.location.uri.as_str(), a.location.range.start).cmp(&(
            &b.name,
            b.location.uri.as_str(),
            b.location.range.start,
        ))
    });
    Some(WorkspaceSymbolResponse::Flat(found))
}
