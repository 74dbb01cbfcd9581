//! Parsing one large CSV file on every core: the file is cut into byte ranges at line
//! ends, each range read by its own reader, and the ranges' columns appended in order.
//!
//! A cut may fall inside a quoted cell that spans lines. Each range's reader therefore
//! reads on until it reaches the next range's start, and the cut is accepted only if
//! a record ends exactly there: the first range starts at the first record, so by
//! induction every accepted range starts at a record, and together they read the
//! file's records exactly as one reader does. A cut inside a quoted cell, an error in
//! any cell, or a duplicate key gives up (`None`): the caller then reads the file in
//! one piece, which reports every error at its exact line (ranges do not count lines).

use super::errors::Errors;
use super::rows::{Record, Rows};
use super::simd_range::{self, Quirk, Scratch};
use rayon::prelude::*;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Files smaller than this are read in one piece.
const MIN_SPLIT: u64 = 32 << 20;

/// The size of a range: large enough that the ranges' dictionaries are few to merge,
/// small enough that tables loading at the same time share the cores evenly.
const RANGE: u64 = 16 << 20;

/// The environment variable that sets both the smallest file split and the size of a
/// range, in bytes (tests set a tiny one to split small files into many ranges; the
/// split happens then even on one thread).
pub(super) const SPLIT_VAR: &str = "KPIC_SPLIT_BYTES";

/// Where the ranges of a file start: after the header, then after the first line end
/// at or past each multiple of the range size. `None` when the file is read in one
/// piece.
fn cuts(path: &Path, data_start: u64, file_len: u64, forced: Option<u64>) -> Option<Vec<u64>> {
    let forced = forced
        .or_else(|| std::env::var(SPLIT_VAR).ok()?.parse::<u64>().ok())
        .filter(|v| *v > 0);
    let threads = rayon::current_num_threads() as u64;
    let (min, range) = match forced {
        Some(n) => (n, n),
        None if threads > 1 => (MIN_SPLIT, RANGE.max(file_len / (threads * 8))),
        None => return None,
    };
    if file_len < min || data_start >= file_len {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let mut starts = vec![data_start];
    let mut target = data_start + range;
    let mut window = vec![0u8; 64 << 10];
    while target < file_len {
        let Some(cut) = line_end_after(&mut file, target, &mut window) else {
            break;
        };
        if cut >= file_len {
            break;
        }
        starts.push(cut);
        target = cut + range;
    }
    (starts.len() > 1).then_some(starts)
}

/// The byte after the first `\n` at or after `from`.
fn line_end_after(file: &mut std::fs::File, from: u64, window: &mut [u8]) -> Option<u64> {
    file.seek(SeekFrom::Start(from)).ok()?;
    let mut at = from;
    loop {
        let n = file.read(window).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(i) = memchr::memchr(b'\n', &window[..n]) {
            return Some(at + i as u64 + 1);
        }
        at += n as u64;
    }
}

/// The rows of the file after its header, read in ranges in parallel; `None` when the
/// file is not split or when it must be read in one piece (see the module's
/// documentation). `forced`: split any file into ranges of this many bytes.
pub(super) fn read_ranges<'a>(
    path: &Path,
    data_start: u64,
    file_len: u64,
    forced: Option<u64>,
    new_rows: &(dyn Fn() -> Rows<'a> + Sync),
) -> Option<Rows<'a>> {
    let starts = cuts(path, data_start, file_len, forced)?;
    let ends: Vec<u64> = starts.iter().skip(1).copied().chain([file_len]).collect();
    let ranges: Vec<(u64, u64)> = starts.into_iter().zip(ends).collect();
    let last = ranges.len() - 1;
    // The ranges are read a few at a time and appended at once, so that the columns
    // of the whole file exist once plus a few ranges' worth, not twice. The first
    // range sizes its columns for the whole file: appending never reallocates them
    // (a reallocation would copy a column while both copies are held).
    // A batch is appended while the next one is read, so that no core waits for the
    // appending.
    let batch = 2 * rayon::current_num_threads().max(1);
    let mut rows: Option<Rows<'a>> = None;
    let mut pending: Vec<Option<Rows<'a>>> = Vec::new();
    for (first, group) in ranges.chunks(batch).enumerate() {
        let (parts, appended) = rayon::join(
            || {
                group
                    .par_iter()
                    .enumerate()
                    .map(|(j, (start, end))| {
                        let i = first * batch + j;
                        let size = if i == 0 {
                            file_len - data_start
                        } else {
                            end - start
                        };
                        read_range(path, *start, *end, size, i == last, new_rows)
                    })
                    .collect::<Vec<_>>()
            },
            || append_all(&mut rows, std::mem::take(&mut pending)),
        );
        if !appended {
            return None;
        }
        pending = parts;
    }
    if !append_all(&mut rows, pending) {
        return None;
    }
    let rows = rows?;
    (!rows.repeats_keys()).then_some(rows)
}

/// Appends `parts` to `rows` in order; `false` when a part is missing (its range must
/// be read in one piece with the file) or repeats a key.
fn append_all<'a>(rows: &mut Option<Rows<'a>>, parts: Vec<Option<Rows<'a>>>) -> bool {
    for part in parts {
        let Some(part) = part else {
            return false;
        };
        match rows.as_mut() {
            None => *rows = Some(part),
            Some(rows) => {
                if !rows.append(part) {
                    return false;
                }
            }
        }
    }
    true
}

/// The rows of the records starting in `start..end`, their columns sized for `size`
/// bytes of input; `None` when a record does not end at `end` (the cut is inside a
/// quoted cell) or a cell has an error. `simd-csv` reads the range unless a record
/// needs the `csv` crate's reading (see [`super::simd_range`]).
fn read_range<'a>(
    path: &Path,
    start: u64,
    end: u64,
    size: u64,
    last: bool,
    new_rows: &(dyn Fn() -> Rows<'a> + Sync),
) -> Option<Rows<'a>> {
    match read_range_simd(path, start, end, size, new_rows()) {
        Ok(rows) => rows,
        Err(Quirk) => read_range_csv(path, start, end, size, last, new_rows()),
    }
}

/// [`read_range`] by `simd-csv`, reading no byte past `end`. A cut inside a quoted
/// cell leaves that quote open at the range's end, which [`simd_range::record`]
/// reports as a [`Quirk`]: the `csv` crate then reads the range, and finds the cut.
fn read_range_simd<'a>(
    path: &Path,
    start: u64,
    end: u64,
    size: u64,
    mut rows: Rows<'a>,
) -> Result<Option<Rows<'a>>, Quirk> {
    let Some(mut file) = std::fs::File::open(path).ok() else {
        return Ok(None);
    };
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Ok(None);
    }
    let mut reader = simd_csv::ZeroCopyReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(256 << 10)
        .from_reader(file.take(end - start));
    let mut errors = Errors {
        list: Vec::new(),
        more: 0,
    };
    let mut scratch = Scratch::default();
    let mut read = 0;
    loop {
        let raw = match reader.read_byte_record() {
            Ok(Some(raw)) => raw,
            Ok(None) => break,
            // An I/O error: the `csv` crate's reader reports it, at its place.
            Err(_) => return Err(Quirk),
        };
        // How far into the range the record ends (its terminator counted as one
        // byte), for sizing the columns.
        read += raw.as_slice().len() as u64 + 1;
        let record = simd_range::record(&raw, &mut scratch)?;
        if !rows.keeps(&record) {
            continue;
        }
        rows.push(&record, 0, size, read, &mut errors);
        if !errors.list.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some(rows))
}

/// [`read_range`] by the `csv` crate, which reads on past `end` to check that a
/// record ends there.
fn read_range_csv<'a>(
    path: &Path,
    start: u64,
    end: u64,
    size: u64,
    last: bool,
    mut rows: Rows<'a>,
) -> Option<Rows<'a>> {
    let mut file = std::fs::File::open(path).ok()?;
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(256 << 10)
        .from_reader(file);
    let len = end - start;
    let mut errors = Errors {
        list: Vec::new(),
        more: 0,
    };
    let mut record = csv::ByteRecord::new();
    loop {
        let at = reader.position().byte();
        if !last && at + 1 >= len {
            // Between two records, at the cut or at the `\n` just before it (a
            // record ended by `\r\n` ends at its `\r`): the cut is a record start.
            if at > len {
                return None;
            }
            break;
        }
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) if last || reader.position().byte() + 1 >= len => break,
            Ok(false) | Err(_) => return None,
        }
        let fields = Record::new(&record);
        if !rows.keeps(&fields) {
            continue;
        }
        let read = record.position().map_or(1, |p| p.byte());
        rows.push(&fields, 0, size, read, &mut errors);
        if !errors.list.is_empty() {
            return None;
        }
    }
    Some(rows)
}
