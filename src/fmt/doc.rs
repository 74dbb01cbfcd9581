//! A small Wadler-style document algebra (text, breakable lines, nesting, groups) and
//! its printer, the layout engine of `kpic fmt`.
//!
//! Written here rather than taken from the `pretty` crate: kpic needs two things that
//! crate does not have in this form — line comments that end a line wherever they fall
//! (a group holding one must break, and whatever follows starts on a new line) and
//! text-block lines written without trailing blanks — and the whole engine is a
//! couple of hundred lines. The printer is iterative: formulas are deep trees.

/// A document: what to print, and where it may break.
#[derive(Debug, Clone)]
pub enum Doc {
    /// Text without line breaks.
    Text(String),
    /// A line break in a broken group; `flat` (a space or nothing) in a flat one.
    Line { flat: &'static str },
    /// A line break, always; breaks every enclosing group.
    Hard,
    /// The inner document, its line breaks indented `n` more columns.
    Nest(usize, Box<Doc>),
    /// Printed flat if it fits in the rest of the line, else with its lines broken.
    /// `forced`: it holds a hard break or a comment, so it always breaks.
    Group { doc: Box<Doc>, forced: bool },
    /// `broken` in a broken group, `flat` in a flat one (a list's trailing comma).
    IfBreak {
        broken: &'static str,
        flat: &'static str,
    },
    /// A `//` comment; whatever follows it starts on a new line. An `own_line` comment
    /// also starts on a line of its own; a trailing one follows the text before it.
    Comment { text: String, own_line: bool },
    /// The documents in order.
    Cat(Vec<Doc>),
}

/// Text.
pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

/// A break that is a space when flat.
pub fn line() -> Doc {
    Doc::Line { flat: " " }
}

/// A break that is nothing when flat.
pub fn softline() -> Doc {
    Doc::Line { flat: "" }
}

/// `doc` indented by `n` after each of its line breaks.
pub fn nest(n: usize, doc: Doc) -> Doc {
    Doc::Nest(n, Box::new(doc))
}

/// A group: flat if it fits, else broken.
pub fn group(doc: Doc) -> Doc {
    let forced = doc.forces_break();
    Doc::Group {
        doc: Box::new(doc),
        forced,
    }
}

/// The documents in order.
pub fn cat(docs: Vec<Doc>) -> Doc {
    Doc::Cat(docs)
}

impl Doc {
    /// Whether the document holds a hard break or a comment (outside any group that
    /// already knows it): then every group around it breaks.
    fn forces_break(&self) -> bool {
        let mut stack = vec![self];
        while let Some(d) = stack.pop() {
            match d {
                Doc::Hard | Doc::Comment { .. } => return true,
                Doc::Group { forced, .. } => {
                    if *forced {
                        return true;
                    }
                }
                Doc::Nest(_, inner) => stack.push(inner),
                Doc::Cat(docs) => stack.extend(docs.iter()),
                Doc::Text(_) | Doc::Line { .. } | Doc::IfBreak { .. } => {}
            }
        }
        false
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Flat,
    Break,
}

/// The printer's state: the text so far and where the current line stands.
struct Out {
    text: String,
    /// Columns used on the current line (characters).
    column: usize,
    /// A comment ended the line: the next text or break starts a new line.
    after_comment: bool,
    /// A line break was written and its indentation not yet: written with the next
    /// text, so blank lines carry no trailing blanks.
    pending_indent: Option<usize>,
}

impl Out {
    fn newline(&mut self, indent: usize) {
        self.text.push('\n');
        self.column = 0;
        self.after_comment = false;
        self.pending_indent = Some(indent);
    }

    fn write(&mut self, s: &str, indent: usize) {
        if s.is_empty() {
            return;
        }
        if self.after_comment {
            self.newline(indent);
        }
        if let Some(n) = self.pending_indent.take() {
            self.text.extend(std::iter::repeat_n(' ', n));
            self.column = n;
        }
        self.text.push_str(s);
        self.column += s.chars().count();
    }

    fn at_line_start(&self) -> bool {
        self.pending_indent.is_some() || self.column == 0
    }
}

/// Prints `doc` in lines of at most `width` columns where it can.
pub fn print(doc: &Doc, width: usize) -> String {
    let mut out = Out {
        text: String::new(),
        column: 0,
        after_comment: false,
        pending_indent: None,
    };
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, d)) = stack.pop() {
        match d {
            Doc::Text(s) => out.write(s, indent),
            Doc::Line { flat } => {
                if mode == Mode::Flat && !out.after_comment {
                    out.write(flat, indent);
                } else {
                    out.newline(indent);
                }
            }
            Doc::Hard => out.newline(indent),
            Doc::Nest(n, inner) => stack.push((indent + n, mode, inner)),
            Doc::Group { doc: inner, forced } => {
                // Inside a flat group everything fits already.
                let flat = !forced
                    && (mode == Mode::Flat
                        || fits(width.saturating_sub(out.column), inner, &stack));
                stack.push((indent, if flat { Mode::Flat } else { Mode::Break }, inner));
            }
            Doc::IfBreak { broken, flat } => {
                out.write(if mode == Mode::Break { broken } else { flat }, indent);
            }
            Doc::Comment { text, own_line } => {
                if out.after_comment || (*own_line && !out.at_line_start()) {
                    out.newline(indent);
                }
                if !out.at_line_start() && !out.text.ends_with(' ') {
                    out.write(" ", indent);
                }
                out.write(text, indent);
                out.after_comment = true;
            }
            Doc::Cat(docs) => {
                for d in docs.iter().rev() {
                    stack.push((indent, mode, d));
                }
            }
        }
    }
    out.text
}

/// Whether `doc` printed flat, followed by the rest of the stack up to its next line
/// break, fits in `room` columns.
fn fits(mut room: usize, doc: &Doc, rest: &[(usize, Mode, &Doc)]) -> bool {
    let mut todo: Vec<(Mode, &Doc)> = vec![(Mode::Flat, doc)];
    let mut rest = rest.iter().rev();
    loop {
        let (mode, d) = match todo.pop() {
            Some(next) => next,
            None => match rest.next() {
                Some((_, mode, d)) => (*mode, *d),
                None => return true,
            },
        };
        let used = match d {
            Doc::Text(s) => s.chars().count(),
            Doc::Line { flat } => {
                if mode == Mode::Break {
                    return true;
                }
                flat.len()
            }
            // The line ends here (a comment is never measured: it does not move).
            Doc::Hard | Doc::Comment { .. } => return true,
            Doc::Nest(_, inner) => {
                todo.push((mode, inner));
                0
            }
            Doc::Group { doc, forced } => {
                todo.push((if *forced { Mode::Break } else { mode }, doc));
                0
            }
            Doc::IfBreak { broken, flat } => {
                if mode == Mode::Break {
                    broken.len()
                } else {
                    flat.len()
                }
            }
            Doc::Cat(docs) => {
                todo.extend(docs.iter().rev().map(|d| (mode, d)));
                0
            }
        };
        if used > room {
            return false;
        }
        room -= used;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let mut inner = vec![softline()];
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(line());
            }
            inner.push(text(*it));
        }
        inner.push(Doc::IfBreak {
            broken: ",",
            flat: "",
        });
        group(cat(vec![
            text("["),
            nest(2, cat(inner)),
            softline(),
            text("]"),
        ]))
    }

    #[test]
    fn groups_break_only_when_too_long() {
        assert_eq!(print(&list(&["a", "b"]), 20), "[a, b]");
        assert_eq!(
            print(&list(&["aaaa", "bbbb"]), 10),
            "[\n  aaaa,\n  bbbb,\n]"
        );
    }

    #[test]
    fn a_comment_breaks_its_group_and_ends_its_line() {
        let d = group(cat(vec![
            text("a"),
            Doc::Comment {
                text: "// c".into(),
                own_line: false,
            },
            line(),
            text("b"),
        ]));
        assert_eq!(print(&d, 80), "a // c\nb");
    }
}
