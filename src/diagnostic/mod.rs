//! Diagnostics as data: one [`Diagnostic`] type for every stage, rendered by one
//! renderer per output format ([`human`], [`json`], [`github`]).

pub mod codes;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::source::Span;
use serde::Serialize;

pub use codes::Code;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A labelled span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A problem found in the source, with its place and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The exact place of the problem. Always present: a diagnostic without a place
    /// is an I/O or usage error and is not a `Diagnostic`.
    pub primary: Label,
    /// Further places that explain the problem (in the same file or another).
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// Edits that would fix the problem (e.g. the did-you-mean name put in place), for
    /// editors' code actions. Empty when the help is not one concrete edit.
    pub fixes: Vec<Fix>,
}

/// One way to fix a diagnostic: a title for the editor's menu and the text edits that
/// make it, each replacing the text a span covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error with code `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// A warning with code `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a fix made of one edit: `text` in place of what `span` covers.
    pub fn fix(
        mut self,
        title: impl Into<String>,
        span: Span,
        text: impl Into<String>,
    ) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            edits: vec![(span, text.into())],
        });
        self
    }

    /// Adds the fix of a did-you-mean: `suggestion` in place of the name at `span`
    /// (nothing when there is no suggestion).
    pub fn fix_name(self, span: Span, suggestion: Option<&str>) -> Diagnostic {
        match suggestion {
            Some(s) => self.fix(format!("Replace with `{s}`"), span, s),
            None => self,
        }
    }

    /// Adds a fix made of several edits (e.g. `sum(` before an expression and `)`
    /// after it).
    pub fn fix_edits(mut self, title: impl Into<String>, edits: Vec<(Span, String)>) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
        });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file and position, so output is stable whatever order the
/// stages found them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.span, a.code, &a.message).cmp(&(b.primary.span, b.code, &b.message))
    });
}

/// "did you mean `x`?" for the closest of `candidates` to `name`, if any is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| mean(&c))
}

/// "did you mean `x`?": the help line of a suggestion.
pub fn mean(suggestion: &str) -> String {
    format!("did you mean `{suggestion}`?")
}

/// The closest of `candidates` to `name`, if any is close: what [`did_you_mean`]
/// suggests, for a site that also offers it as a fix ([`Diagnostic::fix_name`]).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        // Equal scores go to the name first in alphabetical order, so the hint does
        // not depend on the order of `candidates` (often a hash set).
        if score > 0.8 && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}
