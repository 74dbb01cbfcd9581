//! Human output, rendered by miette: the code, the message, the source with labelled
//! spans, and the help line.

use super::{Diagnostic, Severity};
use crate::source::{BOM, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;

/// Rendering options.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Renders diagnostics one after another.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for d in diagnostics {
        let report = Report::new(d, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
    }
    out
}

/// One diagnostic in miette's terms.
struct Report {
    code: String,
    message: String,
    severity: Severity,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &SourceMap) -> Report {
        let file = d.primary.span.file;
        let src = sources.get(file);
        // miette would print a byte-order mark and count it as a column; it is given
        // the text without it, and the spans move with the text.
        let bom = if src.text.starts_with(BOM) {
            BOM.len_utf8()
        } else {
            0
        };
        let shift =
            |r: std::ops::Range<usize>| r.start.saturating_sub(bom)..r.end.saturating_sub(bom);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            non_empty(&d.primary.message),
            shift(d.primary.span.range()),
        )];
        let mut notes = Vec::new();
        for l in &d.secondary {
            if l.span.file == file {
                labels.push(LabeledSpan::new_with_span(
                    non_empty(&l.message),
                    shift(l.span.range()),
                ));
            } else {
                let other = sources.get(l.span.file);
                let at = other.line_col(l.span.start);
                notes.push(format!(
                    "{} ({}:{}:{})",
                    l.message, other.name, at.line, at.column
                ));
            }
        }
        let mut help = d.help.clone();
        if !notes.is_empty() {
            let joined = notes.join("\n");
            help = Some(match help {
                Some(h) => format!("{h}\n{joined}"),
                None => joined,
            });
        }
        Report {
            code: d.code.as_str().to_string(),
            message: visible(&d.message),
            severity: d.severity,
            source: NamedSource::new(visible(&src.name), visible(&src.text[bom..])),
            labels,
            help: help.map(|h| visible(&h)),
        }
    }
}

/// Text from a file as it may reach a terminal: each control character other than line
/// ends and tabs (a NUL, ESC starting an escape sequence, C1 controls) is replaced by a
/// visible one of the same length in bytes, so that spans still point at the same
/// place.
fn visible(text: &str) -> String {
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            c if !hidden(c) => c,
            c if c.len_utf8() == 1 => '?',
            _ => '¿',
        })
        .collect()
}

fn hidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| visible(s))
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}
