//! SARIF 2.1.0 output (the format of GitHub code scanning and most CI dashboards): one
//! run of the tool `kpic`, a rule per diagnostic code that occurs, a result per
//! diagnostic with its place and related places.
//!
//! Columns are counted in Unicode code points, as kpic counts them everywhere, and the
//! run says so (`columnKind`), so a viewer puts a mark under the right character of a
//! line with non-ASCII text.

use super::{Code, Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use serde_json::{Value, json};

/// The schema a SARIF file names.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders diagnostics as a SARIF 2.1.0 log (pretty-printed JSON). File names are the
/// ones `check` shows; a relative one is relative to where kpic ran, which is the
/// repository root in CI.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.title(),
                "shortDescription": { "text": c.title() },
                "fullDescription": { "text": first_paragraph(c.explanation()) },
                "help": { "text": c.explanation() },
                "defaultConfiguration": {
                    "level": if c.is_lint() { "warning" } else { "error" }
                },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let rule_index = codes.binary_search(&d.code).unwrap_or_default();
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index,
                "level": match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                "message": { "text": message },
                "locations": [location(sources, d.primary.span, &d.primary.message)],
                "relatedLocations": d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut loc = location(sources, l.span, &l.message);
                        loc["id"] = json!(i);
                        loc
                    })
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "kpic",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// A SARIF location: file, 1-based start and end line and column, and the label.
fn location(sources: &SourceMap, span: Span, label: &str) -> Value {
    let file = sources.get(span.file);
    let (start, end) = (file.line_col(span.start), file.line_col(span.end));
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&file.name) },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            }
        }
    });
    if !label.is_empty() {
        loc["message"] = json!({ "text": label });
    }
    loc
}

/// A file name as a relative URI reference: forward slashes, and the characters a URI
/// may not hold percent-encoded.
fn uri(name: &str) -> String {
    let mut out = String::new();
    for b in name.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first paragraph of a long explanation.
fn first_paragraph(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("kpis/revenue.kpi"), "kpis/revenue.kpi");
        assert_eq!(uri("my kpis\\umsätze.kpi"), "my%20kpis/ums%C3%A4tze.kpi");
    }
}
