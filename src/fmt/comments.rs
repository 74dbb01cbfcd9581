//! The `//` comments of a source text (the parser drops them), found by a scanner that
//! knows strings and text blocks, and the source facts the layout asks about: blank
//! lines, parentheses the tree does not keep.

/// One `//` comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// Byte offset of the `//`.
    pub start: usize,
    /// Byte offset after its last character (before the line end).
    pub end: usize,
    /// The text, `//` included, trailing blanks removed.
    pub text: String,
    /// Only blanks stand before it on its line.
    pub own_line: bool,
    /// A blank line separates it from what comes before it.
    pub blank_before: bool,
}

/// Every comment of `src`, in order. Strings (`"..."`, with escapes), text blocks
/// (`"""..."""`) and single-quoted text are skipped, so a `//` inside them is text.
pub fn scan(src: &str) -> Vec<Comment> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i = find(b, i + 3, b"\"\"\"").map_or(b.len(), |j| j + 3);
            }
            b'"' | b'\'' => i = skip_quoted(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j);
                out.push(Comment {
                    start: i,
                    end,
                    text: src[i..end].trim_end().to_string(),
                    own_line: line_before(src, i).trim().is_empty(),
                    blank_before: blank_line_before(src, i),
                });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// The end of the quoted text opening at `i` (its closing quote, a line end or the end
/// of the source, as the grammar reads it).
fn skip_quoted(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' if quote == b'"' => j += 2,
            b'\n' => return j,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|j| from + j)
}

/// The text of `pos`'s line before it.
fn line_before(src: &str, pos: usize) -> &str {
    let start = src[..pos].rfind('\n').map_or(0, |j| j + 1);
    &src[start..pos]
}

/// Whether a blank line stands between `pos` and the text before it (the start of the
/// source counts as no blank line).
pub fn blank_line_before(src: &str, pos: usize) -> bool {
    let before = &src[..pos];
    let kept = before.trim_end_matches([' ', '\t', '\r', '\n']);
    !kept.is_empty() && before[kept.len()..].matches('\n').count() >= 2
}

/// Whether a line end stands between `from` and `to`.
pub fn newline_between(src: &str, from: usize, to: usize) -> bool {
    src.get(from..to).is_some_and(|s| s.contains('\n'))
}

/// The source of one item seen through its comments: where an expression's written
/// parentheses are.
pub struct Source<'a> {
    pub text: &'a str,
    pub comments: &'a [Comment],
}

impl Source<'_> {
    /// `start..end` without the blanks and comments at either end.
    pub fn trim(&self, mut start: usize, mut end: usize) -> (usize, usize) {
        let b = self.text.as_bytes();
        loop {
            let before = (start, end);
            while start < end && b[start].is_ascii_whitespace() {
                start += 1;
            }
            while end > start && b[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            // Comments are in order and never overlap: starts and ends are both sorted.
            if let Ok(i) = self.comments.binary_search_by_key(&start, |c| c.start) {
                start = self.comments[i].end.min(end);
            }
            if let Ok(i) = self.comments.binary_search_by_key(&end, |c| c.end)
                && self.comments[i].start >= start
            {
                end = self.comments[i].start;
            }
            if (start, end) == before {
                return (start, end);
            }
        }
    }

    /// How many pairs of parentheses enclose all of `start..end` (the span of an
    /// expression the parser built from `((x))` covers the parentheses), and the range
    /// inside them.
    pub fn parens(&self, start: usize, end: usize) -> (usize, (usize, usize)) {
        let (mut s, mut e) = self.trim(start, end);
        let mut layers = 0;
        while e > s + 1
            && self.text.as_bytes()[s] == b'('
            && self.text.as_bytes()[e - 1] == b')'
            && self.closing(s) == Some(e - 1)
        {
            layers += 1;
            (s, e) = self.trim(s + 1, e - 1);
        }
        (layers, (s, e))
    }

    /// The `)` that closes the `(` at `open`, skipping strings and comments.
    fn closing(&self, open: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = open;
        while i < b.len() {
            match b[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                b'"' if b[i..].starts_with(b"\"\"\"") => {
                    i = find(b, i + 3, b"\"\"\"").map_or(b.len(), |j| j + 3);
                    continue;
                }
                b'"' | b'\'' => {
                    i = skip_quoted(b, i);
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_inside_text_are_text() {
        let src = "a \"x // y\" // one\n  // two\n\"\"\"\n// not\n\"\"\" 'q // r'";
        let found = scan(src);
        let texts: Vec<_> = found.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["// one", "// two"]);
        assert!(!found[0].own_line);
        assert!(found[1].own_line);
    }

    #[test]
    fn parentheses_are_counted_only_when_they_enclose_everything() {
        let src = "((a + b)) (a) + (b) (a // )\n)";
        let comments = scan(src);
        let s = Source {
            text: src,
            comments: &comments,
        };
        assert_eq!(s.parens(0, 9), (2, (2, 7)));
        assert_eq!(s.parens(10, 19).0, 0);
        assert_eq!(s.parens(20, src.len()), (1, (21, 22)));
    }
}
