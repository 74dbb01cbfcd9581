//! Literals read into their values: numbers (with `%`), strings with their escapes,
//! text blocks with their common indentation removed, dates, and text written in
//! single quotes (a slip, reported).

use super::build::Builder;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::ExprKind;

impl Builder {
    /// `42`, `1250.50`, `35%` (the fraction 0.35).
    pub(super) fn number(&self, text: &str, span: Span) -> ExprKind {
        let percent = text.ends_with('%');
        let digits = text.trim_end_matches('%');
        let value: f64 = digits.parse().unwrap_or(f64::NAN);
        if !value.is_finite() {
            self.report(
                Diagnostic::error(Code::Syntax, span, "number is too large").label("out of range"),
            );
        }
        ExprKind::Number {
            text: text.to_string(),
            value: if percent { value / 100.0 } else { value },
            percent,
        }
    }

    /// A string's text: the quotes removed and the escapes resolved.
    pub(super) fn unescape(&self, quoted: &str, span: Span) -> String {
        let inner = &quoted[1..quoted.len() - 1];
        // Text reaches terminals, CSV files and database clients: a control character
        // (a NUL ends a C string, ESC drives a terminal) is never taken from a file.
        if let Some((i, c)) = inner
            .char_indices()
            .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            let start = span.start as usize + 1 + i;
            let at = Span::new(span.file, start, start + c.len_utf8());
            self.report(
                Diagnostic::error(
                    Code::Syntax,
                    at,
                    format!("text holds the control character U+{:04X}", c as u32),
                )
                .label("an invisible control character")
                .help("remove it; only line ends and tabs may be written inside text"),
            );
            return inner.chars().filter(|c| !c.is_control()).collect();
        }
        if !inner.contains('\\') {
            return inner.to_string();
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((j, other)) => {
                    let start = span.start as usize + 1 + i;
                    let at = Span::new(
                        span.file,
                        start,
                        span.start as usize + 1 + j + other.len_utf8(),
                    );
                    self.report(
                        Diagnostic::error(Code::Syntax, at, format!("unknown escape `\\{other}`"))
                            .label("not an escape")
                            .help("strings know the escapes \\\" \\\\ \\n \\t; write a backslash as \\\\"),
                    );
                }
                None => {}
            }
        }
        out
    }

    /// `2025-03-31`: a calendar date, or K0002 for a day that does not exist.
    pub(super) fn date(&self, text: &str, span: Span) -> ExprKind {
        match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => ExprKind::Date(d),
            Err(_) => {
                self.report(
                    Diagnostic::error(
                        Code::Syntax,
                        span,
                        format!("`{text}` is not a calendar date"),
                    )
                    .label("no such day")
                    .help("dates are written YYYY-MM-DD, e.g. 2025-03-31"),
                );
                ExprKind::Date(chrono::NaiveDate::MIN)
            }
        }
    }

    /// `'strategic'`: text in single quotes, as SQL and other languages write it.
    /// Reported (K0002, with the double-quoted spelling to use) and read as the text
    /// it was meant to be, so the rest of the formula is still checked.
    pub(super) fn single_quoted(&self, quoted: &str, span: Span) -> ExprKind {
        let text = &quoted[1..quoted.len() - 1];
        let mut spelled = String::with_capacity(text.len() + 2);
        spelled.push('"');
        for c in text.chars() {
            if c == '"' || c == '\\' {
                spelled.push('\\');
            }
            spelled.push(c);
        }
        spelled.push('"');
        self.report(
            Diagnostic::error(Code::Syntax, span, "text is written in double quotes")
                .label(format!("write `{spelled}` here"))
                .help("single quotes mean nothing in kpic; text goes between double quotes"),
        );
        ExprKind::Text(text.to_string())
    }
}

/// Removes the common indentation of a text block, and its first and last line when
/// they are blank (the lines of the opening and closing `"""`).
pub fn dedent(text: &str) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| leading_blanks(l))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| {
            if leading_blanks(l) >= indent {
                l[indent..].trim_end()
            } else {
                l.trim()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Leading spaces and tabs, in bytes (always a char boundary).
fn leading_blanks(line: &str) -> usize {
    line.bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count()
}
