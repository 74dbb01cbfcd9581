//! Byte offsets ⇄ LSP positions (0-based line, UTF-16 code units), converted only at
//! the protocol boundary: everything inside kpic keeps byte offsets.

use lsp_types::{Position, Range};

/// The line starts of one text, for converting positions both ways.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { line_starts }
    }

    /// The LSP position of byte `offset` of `text` (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|s| *s <= offset) - 1;
        let start = self.line_starts[line];
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of an LSP position: a line past the end is the end of the text,
    /// a character past the end of its line is the line's end (before its newline), and
    /// a position inside a surrogate pair is the start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next - 1);
        let mut units = 0usize;
        for (i, c) in text[start..end].char_indices() {
            if units + c.len_utf16() > position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    /// The LSP range of the byte range `start..end`.
    pub fn range(&self, text: &str, span: std::ops::Range<usize>) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_round_trips() {
        let text = "ab\ncd\n";
        let ix = LineIndex::new(text);
        for offset in 0..=text.len() {
            let p = ix.position(text, offset);
            assert_eq!(ix.offset(text, p), offset, "{p:?}");
        }
        assert_eq!(ix.position(text, 4), Position::new(1, 1));
        assert_eq!(ix.position(text, 6), Position::new(2, 0));
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // é is 2 bytes and 1 unit, € 3 bytes and 1 unit, 𝄞 4 bytes and 2 units.
        let text = "é€𝄞x\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(text, 2), Position::new(0, 1));
        assert_eq!(ix.position(text, 5), Position::new(0, 2));
        assert_eq!(ix.position(text, 9), Position::new(0, 4));
        assert_eq!(ix.position(text, 10), Position::new(0, 5));
        assert_eq!(ix.offset(text, Position::new(0, 4)), 9);
        assert_eq!(ix.offset(text, Position::new(0, 2)), 5);
        // Inside the surrogate pair: the start of the character.
        assert_eq!(ix.offset(text, Position::new(0, 3)), 5);
        // Inside a multi-byte character: back to its start.
        assert_eq!(ix.position(text, 1), Position::new(0, 0));
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\ncd";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(text, Position::new(0, 99)), 2);
        assert_eq!(ix.offset(text, Position::new(7, 0)), text.len());
        assert_eq!(ix.position(text, 99), Position::new(1, 2));
    }
}
