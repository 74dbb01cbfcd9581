//! A formula's source text on one line, for the places that show a formula inline
//! (`show`, `export`, `search`, `--explain`) now that `kpic fmt` breaks long ones.

/// `text` (the source of an expression) on one line: comments dropped, every run of
/// blanks and line ends one space, none just inside `(`/`[` or before `)`/`]`/`,`,
/// and no trailing comma before `]` — so a formula broken by `kpic fmt` reads as it
/// would written on one line. Strings are kept as written; a text block's blanks are
/// collapsed like the rest.
pub fn one_line(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j);
            space = true;
            continue;
        }
        let mut end = i + 1;
        if c == b'"' && !b[i..].starts_with(b"\"\"\"") {
            end = string_end(b, i);
        }
        if matches!(c, b')' | b']') && out.ends_with(',') {
            out.pop();
        }
        if space
            && !out.is_empty()
            && !out.ends_with(['(', '['])
            && !matches!(c, b')' | b']' | b',')
        {
            out.push(' ');
        }
        space = false;
        // `i..end` starts and ends on character boundaries: `i` is at an ASCII byte or
        // at the start of a character, and `end` after a string's closing quote or
        // one byte on, extended to the next boundary.
        while end < b.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        out.push_str(&text[i..end]);
        i = end;
    }
    out
}

/// The end of the string opening at `i` (after its closing quote, or at the line end).
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            b'\n' => return j,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn a_broken_formula_reads_as_written_on_one_line() {
        let broken = "count(\n    accounts // who\n    where a == \"x  ( y\"\n      and b\n  )\n  / [c,\n d,\n]";
        assert_eq!(
            one_line(broken),
            "count(accounts where a == \"x  ( y\" and b) / [c, d]"
        );
        let flat = "sum(orders.revenue where orders.status == \"paid\") / count(orders)";
        assert_eq!(one_line(flat), flat);
        assert_eq!(one_line("\"Größe\"  +  é"), "\"Größe\" + é");
    }
}
