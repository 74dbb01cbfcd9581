//! Machine-readable output: one JSON document with every diagnostic and a summary.

use super::Diagnostic;
use crate::source::{LineCol, SourceMap, Span};
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    diagnostics: Vec<Entry<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    files: usize,
}

#[derive(Serialize)]
struct Entry<'a> {
    code: &'static str,
    severity: super::Severity,
    message: &'a str,
    file: &'a str,
    span: ByteSpan,
    start: LineCol,
    end: LineCol,
    label: &'a str,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct ByteSpan {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct Related<'a> {
    message: &'a str,
    file: &'a str,
    span: ByteSpan,
    start: LineCol,
    end: LineCol,
}

fn place(sources: &SourceMap, span: Span) -> (&str, ByteSpan, LineCol, LineCol) {
    let file = sources.get(span.file);
    (
        &file.name,
        ByteSpan {
            start: span.start,
            end: span.end,
        },
        file.line_col(span.start),
        file.line_col(span.end),
    )
}

/// Renders diagnostics as pretty-printed JSON.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let entries = diagnostics
        .iter()
        .map(|d| {
            let (file, span, start, end) = place(sources, d.primary.span);
            Entry {
                code: d.code.as_str(),
                severity: d.severity,
                message: &d.message,
                file,
                span,
                start,
                end,
                label: &d.primary.message,
                help: d.help.as_deref(),
                related: d
                    .secondary
                    .iter()
                    .map(|l| {
                        let (file, span, start, end) = place(sources, l.span);
                        Related {
                            message: &l.message,
                            file,
                            span,
                            start,
                            end,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let output = Output {
        diagnostics: entries,
        summary: Summary {
            errors,
            warnings: diagnostics.len() - errors,
            files: sources.iter().count(),
        },
    };
    serde_json::to_string_pretty(&output).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
