//! Cutting a file into items before pest sees it, and bounding nesting depth.
//!
//! pest has no error recovery, and it recurses on the stack for every nested
//! parenthesis. Both problems are solved here, with a linear scan that knows only
//! about comments, strings, text blocks and brackets: the file is cut into one chunk
//! per top-level item (so one broken item cannot hide the others), and a chunk whose
//! brackets nest deeper than [`MAX_NESTING`] is rejected before pest recurses into it.
//! The same scan notes a bracket left open at the end of an item, which the syntax
//! error then points at.

/// Deepest nesting of `(`, `[` and `if` that the parser accepts.
pub const MAX_NESTING: usize = 64;

// Item keywords ([`crate::vocab::ItemKind::keywords`]): a line starting with one of
// these followed by a name and `{` starts a new item even when the previous one was
// never closed.

/// A byte range of the file holding one item (or text that is not one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    /// Where nesting first exceeded [`MAX_NESTING`], if it did.
    pub too_deep_at: Option<usize>,
    /// The innermost `(` or `[` still open where the chunk ends, if any.
    pub unclosed: Option<usize>,
}

/// Cuts `text` into item chunks. Blank space and comments between items belong to no
/// chunk.
pub fn split_items(text: &str) -> Vec<Chunk> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    // A byte-order mark is no part of the first item (spans stay offsets into the
    // file's text, the mark included).
    let mut i = if text.starts_with(crate::source::BOM) {
        crate::source::BOM.len_utf8()
    } else {
        0
    };
    let mut brace_depth: i64 = 0;
    let mut nesting: usize = 0;
    // One level per open bracket, over the item's own level: where the bracket opened,
    // and the `if`s opened inside it (an `if` has no closing token, so its nesting
    // ends with the bracket, or item, around it).
    let mut levels: Vec<Level> = vec![Level { open: 0, ifs: 0 }];
    let mut current: Option<Chunk> = None;
    let mut line_start = true;

    while i < bytes.len() {
        let b = bytes[i];
        // A new item keyword at the very start of a line recovers from a missing `}`.
        if line_start && current.is_some() && brace_depth > 0 && starts_item(&bytes[i..]) {
            if let Some(mut c) = current.take() {
                c.end = trim_end(bytes, i);
                c.unclosed = innermost_open(&levels);
                chunks.push(c);
            }
            brace_depth = 0;
            nesting = 0;
            levels.clear();
            levels.push(Level { open: 0, ifs: 0 });
        }
        line_start = b == b'\n';
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            _ => {}
        }
        let chunk = current.get_or_insert(Chunk {
            start: i,
            end: i,
            too_deep_at: None,
            unclosed: None,
        });
        match b {
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i = memchr::memmem::find(&bytes[i + 3..], b"\"\"\"")
                    .map_or(bytes.len(), |n| i + 3 + n + 3);
            }
            b'"' => {
                i += 1;
                // To the closing quote or the end of the line; `\x` is skipped whole.
                loop {
                    let rest = &bytes[i.min(bytes.len())..];
                    match memchr::memchr3(b'"', b'\n', b'\\', rest) {
                        Some(n) if rest[n] == b'\\' => i += n + 2,
                        Some(n) => {
                            i += n;
                            break;
                        }
                        None => {
                            i = bytes.len();
                            break;
                        }
                    }
                }
                i = (i + 1).min(bytes.len());
            }
            // Text in single quotes is a slip the parser reports; skipped like a
            // string (to the closing quote or the end of the line), so a bracket or
            // brace inside it does not count.
            b'\'' => {
                i += 1;
                i = memchr::memchr2(b'\'', b'\n', &bytes[i..])
                    .map_or(bytes.len(), |n| i + n + usize::from(bytes[i + n] == b'\''));
            }
            b'{' => {
                brace_depth += 1;
                i += 1;
            }
            b'}' => {
                brace_depth -= 1;
                i += 1;
                if brace_depth <= 0 {
                    chunk.end = i;
                    chunk.unclosed = innermost_open(&levels);
                    chunks.push(*chunk);
                    current = None;
                    brace_depth = 0;
                    nesting = 0;
                    levels.clear();
                    levels.push(Level { open: 0, ifs: 0 });
                }
            }
            b'(' | b'[' => {
                nesting += 1;
                levels.push(Level { open: i, ifs: 0 });
                if nesting > MAX_NESTING && chunk.too_deep_at.is_none() {
                    chunk.too_deep_at = Some(i);
                }
                i += 1;
            }
            b')' | b']' => {
                let opened_ifs = if levels.len() > 1 {
                    levels.pop().map_or(0, |l| l.ifs)
                } else {
                    0
                };
                nesting = nesting.saturating_sub(1 + opened_ifs);
                i += 1;
            }
            _ if is_word_start(bytes, i) => {
                let start = i;
                i += bytes[i..]
                    .iter()
                    .position(|b| !WORD[*b as usize])
                    .unwrap_or(bytes.len() - i);
                // `if` nests without brackets: bound it the same way.
                if &bytes[start..i] == b"if" {
                    nesting += 1;
                    if let Some(top) = levels.last_mut() {
                        top.ifs += 1;
                    }
                    if nesting > MAX_NESTING && chunk.too_deep_at.is_none() {
                        chunk.too_deep_at = Some(start);
                    }
                }
            }
            _ => i += 1,
        }
    }
    if let Some(mut c) = current {
        c.end = trim_end(bytes, bytes.len());
        c.unclosed = innermost_open(&levels);
        chunks.push(c);
    }
    chunks
}

/// One nesting level of the scan: an open bracket (or the item itself, at the bottom).
struct Level {
    /// Where the bracket opened.
    open: usize,
    /// `if`s opened at this level.
    ifs: usize,
}

/// The innermost bracket still open, if any (the bottom level is the item's own).
fn innermost_open(levels: &[Level]) -> Option<usize> {
    levels.get(1..)?.last().map(|l| l.open)
}

/// Bytes that may continue a name: ASCII letters, digits and `_` (a table: the
/// splitter looks at every byte of the catalog).
const WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

fn is_word_start(bytes: &[u8], i: usize) -> bool {
    (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') && (i == 0 || !WORD[bytes[i - 1] as usize])
}

fn trim_end(bytes: &[u8], mut end: usize) -> usize {
    while end > 0 && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// `KEYWORD NAME {` at the start of `rest`.
fn starts_item(rest: &[u8]) -> bool {
    let Some(kw) = crate::vocab::ItemKind::keywords().find(|k| rest.starts_with(k.as_bytes()))
    else {
        return false;
    };
    let mut j = kw.len();
    let skip_ws = |j: &mut usize| {
        while *j < rest.len() && (rest[*j] == b' ' || rest[*j] == b'\t') {
            *j += 1;
        }
    };
    let before = j;
    skip_ws(&mut j);
    if j == before {
        return false;
    }
    let name_start = j;
    while j < rest.len() && (rest[j].is_ascii_alphanumeric() || rest[j] == b'_') {
        j += 1;
    }
    if j == name_start {
        return false;
    }
    skip_ws(&mut j);
    rest.get(j) == Some(&b'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        split_items(src)
            .iter()
            .map(|c| &src[c.start..c.end])
            .collect()
    }

    #[test]
    fn splits_items_and_skips_comments() {
        let src = "// head\nkpi a { x: \"}\" }\n\n// mid\nmeasure b { y: 1 }\n";
        assert_eq!(texts(src), vec!["kpi a { x: \"}\" }", "measure b { y: 1 }"]);
    }

    #[test]
    fn recovers_from_missing_brace_at_next_item() {
        let src = "kpi a {\n  x: 1\n\nkpi b {\n  y: 2\n}\n";
        assert_eq!(texts(src), vec!["kpi a {\n  x: 1", "kpi b {\n  y: 2\n}"]);
    }

    #[test]
    fn flags_deep_nesting() {
        let deep = format!(
            "kpi a {{ formula: {}1{} }}",
            "(".repeat(100),
            ")".repeat(100)
        );
        let chunks = split_items(&deep);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].too_deep_at, Some(17 + MAX_NESTING));
    }

    #[test]
    fn notes_the_innermost_bracket_left_open() {
        let src =
            "kpi a { x: (1 + f(2) }\nkpi b { y: [1, (2) }\nkpi c { z: (1) }\nkpi d {\n w: ((\n";
        let unclosed: Vec<_> = split_items(src).iter().map(|c| c.unclosed).collect();
        let at = |needle: &str| src.find(needle);
        assert_eq!(
            unclosed,
            vec![at("(1 +"), at("[1,"), None, at("((").map(|i| i + 1)]
        );
    }

    #[test]
    fn single_quotes_hide_brackets_and_braces() {
        let src = "kpi a { x: '(}' }\nkpi b { y: 'open\n}";
        let chunks = split_items(src);
        assert_eq!(texts(src), vec!["kpi a { x: '(}' }", "kpi b { y: 'open\n}"]);
        assert!(chunks.iter().all(|c| c.unclosed.is_none()));
    }

    #[test]
    fn text_blocks_hide_braces() {
        let src = "kpi a { d: \"\"\" { \"\"\" }\nkpi b { }";
        assert_eq!(texts(src).len(), 2);
    }
}
