//! Where a record starts in its file, as the file counts lines (CRLF and multi-line
//! cells included).

use std::collections::HashMap;
use std::path::Path;

/// The 1-based line a record starts on. The `csv` reader counts a record of a file
/// with CRLF line ends from the `\n` of the line end before it, one line too early;
/// whether a file ends its lines so is seen once, at its first record, from the byte
/// the reader says the record starts at.
pub(super) struct LineFinder<'a> {
    path: &'a Path,
    crlf: Option<bool>,
}

impl<'a> LineFinder<'a> {
    pub(super) fn new(path: &'a Path) -> Self {
        LineFinder { path, crlf: None }
    }

    pub(super) fn line(&mut self, pos: &csv::Position) -> usize {
        let crlf = *self
            .crlf
            .get_or_insert_with(|| byte_at(self.path, pos.byte()) == Some(b'\n'));
        pos.line() as usize + usize::from(crlf)
    }
}

/// One byte of a file.
fn byte_at(path: &Path, offset: u64) -> Option<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(offset)).ok()?;
    let mut b = [0u8; 1];
    f.read_exact(&mut b).ok()?;
    Some(b[0])
}

/// The line each of the given data rows (0-based, sorted) starts on, read again from
/// the file: relations are checked after loading, when only row numbers are left.
pub(super) fn record_lines(path: &Path, rows: &[usize]) -> HashMap<usize, usize> {
    let mut out = HashMap::new();
    let Ok(mut reader) = csv::ReaderBuilder::new().flexible(true).from_path(path) else {
        return out;
    };
    let mut lines = LineFinder::new(path);
    let mut record = csv::StringRecord::new();
    let mut wanted = rows.iter().peekable();
    let mut row = 0;
    while wanted.peek().is_some() {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            _ => break,
        }
        if wanted.peek() == Some(&&row) {
            while wanted.peek() == Some(&&row) {
                wanted.next();
            }
            if let Some(p) = record.position() {
                out.insert(row, lines.line(p));
            }
        }
        row += 1;
    }
    out
}
