//! GitHub Actions workflow commands: one `::error` / `::warning` line per diagnostic,
//! which GitHub shows as annotations on the changed lines.

use super::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Renders one annotation line per diagnostic.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let file = sources.get(d.primary.span.file);
        let start = file.line_col(d.primary.span.start);
        let end = file.line_col(d.primary.span.end);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            property(&file.name),
            start.line,
            start.column,
            end.line,
            end.column,
            property(&format!("{} {}", d.code, d.code.title())),
            data(&message),
        ));
    }
    out
}

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
