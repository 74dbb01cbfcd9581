//! kpic's diagnostics as LSP diagnostics: the same code, message and help as
//! `kpic check`, secondary labels as related information, published per file.

use super::workspace::Workspace;
use crate::diagnostic::{Diagnostic, Severity};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    PublishDiagnosticsParams,
};

/// One kpic diagnostic in the protocol's terms (its primary span is in `ws.docs[i]`).
pub fn to_lsp(ws: &Workspace, i: usize, d: &Diagnostic) -> lsp_types::Diagnostic {
    let doc = &ws.docs[i];
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!(" ({})", d.primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|label| {
            let other = ws.docs.get(label.span.file.0 as usize)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    other.uri.clone(),
                    other.lines.range(other.text(), label.span.range()),
                ),
                message: label.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: doc.lines.range(doc.text(), d.primary.span.range()),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("kpic".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// The notifications to send after a check: every document whose diagnostics differ
/// from those last published for it (so diagnostics that went away are cleared), and
/// the document `edited` in any case (the editor waits for its answer). `published`
/// keeps what was sent, per document.
pub fn to_publish(
    ws: &Workspace,
    published: &mut Vec<Vec<lsp_types::Diagnostic>>,
    edited: Option<usize>,
) -> Vec<PublishDiagnosticsParams> {
    published.resize(ws.docs.len(), Vec::new());
    let mut out = Vec::new();
    for (i, doc) in ws.docs.iter().enumerate() {
        let diags = ws.diagnostics.get(i).map_or(&[][..], |d| &d[..]);
        if diags.is_empty() && published[i].is_empty() && edited != Some(i) {
            continue;
        }
        let now: Vec<lsp_types::Diagnostic> = diags.iter().map(|d| to_lsp(ws, i, d)).collect();
        if now == published[i] && edited != Some(i) {
            continue;
        }
        published[i] = now.clone();
        out.push(PublishDiagnosticsParams {
            uri: doc.uri.clone(),
            diagnostics: now,
            version: doc.version,
        });
    }
    out
}
