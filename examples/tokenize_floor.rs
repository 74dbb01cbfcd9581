//! The tokenizer floor of `bench/`: the time to split every CSV file of a folder into
//! records and fields once (the `csv` crate's tokenizer, no conversion, no
//! allocation per field) on all cores, each file cut into byte ranges at line ends as
//! kpic's loader cuts it; and, below that, the time to find every line end (memchr).
//!
//! usage: cargo run --release --example tokenize_floor -- DATA_DIR [TABLE ...]
//! (`RAYON_NUM_THREADS` sets the cores; without tables, every `.csv` of the folder).

use rayon::prelude::*;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Bytes per range (kpic's loader uses 16 MB ranges).
const RANGE: u64 = 16 << 20;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: tokenize_floor DATA_DIR [TABLE ...]");
        std::process::exit(2);
    };
    let tables: Vec<String> = args.collect();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .filter(|p| {
                tables.is_empty()
                    || p.file_stem()
                        .is_some_and(|s| tables.iter().any(|t| s == t.as_str()))
            })
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    files.sort();
    let ranges: Vec<(PathBuf, u64, u64)> = files.iter().flat_map(|f| cut(f)).collect();
    let bytes: u64 = ranges.iter().map(|r| r.2 - r.1).sum();

    let started = Instant::now();
    let (records, fields) = ranges
        .par_iter()
        .map(|(path, start, end)| tokenize(path, *start, *end))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let tokenize_time = started.elapsed();

    // The SIMD tokenizer evaluated for kpic's loader (issue 12): the same ranges split
    // by `simd-csv`'s zero-copy reader, every field unescaped as the `csv` crate does.
    let started = Instant::now();
    let (simd_records, simd_fields) = ranges
        .par_iter()
        .map(|(path, start, end)| tokenize_simd(path, *start, *end))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let simd_time = started.elapsed();
    if (simd_records, simd_fields) != (records, fields) {
        eprintln!(
            "simd-csv split {simd_records} records, {simd_fields} fields; csv {records}, {fields}"
        );
    }

    let started = Instant::now();
    let lines: u64 = ranges
        .par_iter()
        .map(|(path, start, end)| line_ends(path, *start, *end))
        .sum();
    let lines_time = started.elapsed();

    println!(
        "{} files, {:.1} MB, {records} records, {fields} fields, {lines} line ends, {} threads",
        files.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!(
        "tokenize (csv, all cores): {:.3} s ({:.0} MB/s)",
        tokenize_time.as_secs_f64(),
        bytes as f64 / 1e6 / tokenize_time.as_secs_f64()
    );
    println!(
        "tokenize (simd-csv, all cores): {:.3} s ({:.0} MB/s)",
        simd_time.as_secs_f64(),
        bytes as f64 / 1e6 / simd_time.as_secs_f64()
    );
    println!(
        "line ends (memchr, all cores): {:.3} s",
        lines_time.as_secs_f64()
    );
}

/// Ranges of about [`RANGE`] bytes of a file, each starting after a line end.
fn cut(path: &Path) -> Vec<(PathBuf, u64, u64)> {
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut starts = vec![0];
    let mut target = RANGE;
    while target < len {
        match line_end_after(path, target) {
            Some(at) if at < len => {
                starts.push(at);
                target = at + RANGE;
            }
            _ => break,
        }
    }
    let ends = starts.iter().skip(1).copied().chain([len]);
    starts
        .iter()
        .zip(ends)
        .map(|(s, e)| (path.to_path_buf(), *s, e))
        .collect()
}

fn line_end_after(path: &Path, from: u64) -> Option<u64> {
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let mut at = from;
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Some(at + i as u64 + 1);
        }
        at += n as u64;
    }
}

/// Records and fields in `start..end` (the range read as bytes, every field visited).
fn tokenize(path: &Path, start: u64, end: u64) -> (u64, u64) {
    let Ok(mut f) = std::fs::File::open(path) else {
        return (0, 0);
    };
    if f.seek(SeekFrom::Start(start)).is_err() {
        return (0, 0);
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(256 << 10)
        .from_reader(f.take(end - start));
    let mut record = csv::ByteRecord::new();
    let (mut records, mut fields) = (0, 0);
    while let Ok(true) = reader.read_byte_record(&mut record) {
        records += 1;
        fields += record.len() as u64;
    }
    (records, fields)
}

/// As [`tokenize`], with `simd-csv`'s zero-copy reader; each field is unescaped (a
/// quoted field's doubled quotes undone), the work the `csv` crate's records include.
fn tokenize_simd(path: &Path, start: u64, end: u64) -> (u64, u64) {
    let Ok(mut f) = std::fs::File::open(path) else {
        return (0, 0);
    };
    if f.seek(SeekFrom::Start(start)).is_err() {
        return (0, 0);
    }
    let mut reader = simd_csv::ZeroCopyReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(256 << 10)
        .from_reader(f.take(end - start));
    let (mut records, mut fields, mut bytes) = (0, 0, 0usize);
    while let Ok(Some(record)) = reader.read_byte_record() {
        records += 1;
        fields += record.len() as u64;
        for field in record.unescaped_iter() {
            bytes += field.len();
        }
    }
    std::hint::black_box(bytes);
    (records, fields)
}

/// Line ends in `start..end`.
fn line_ends(path: &Path, start: u64, end: u64) -> u64 {
    let Ok(mut f) = std::fs::File::open(path) else {
        return 0;
    };
    if f.seek(SeekFrom::Start(start)).is_err() {
        return 0;
    }
    let mut f = f.take(end - start);
    let mut buf = vec![0u8; 1 << 18];
    let mut n = 0;
    while let Ok(got) = f.read(&mut buf) {
        if got == 0 {
            break;
        }
        n += memchr::memchr_iter(b'\n', &buf[..got]).count() as u64;
    }
    n
}
