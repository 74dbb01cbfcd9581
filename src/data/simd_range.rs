//! One byte range of a large CSV file tokenized by `simd-csv`, for records the `csv`
//! crate would read the same way; any other record sends the range back to the `csv`
//! crate (see [`super::split`]).
//!
//! The two tokenizers agree on every record whose quotes are RFC 4180's (a field
//! either has no `"` or is wholly quoted with its inner quotes doubled) and whose
//! unquoted fields hold no carriage return. They differ on the rest (`a"b`, `"a"b`, a
//! quote never closed, a lone `\r`, which ends a record for the `csv` crate only),
//! where the `csv` crate's reading is the one kpic keeps. A test feeds both random
//! bytes and compares what this module accepts.

use super::rows::{Fields, RecordFields};

/// A record `simd-csv` cannot be trusted to read as the `csv` crate does.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Quirk;

/// Buffers reused from record to record: the fields unquoted, when a record has
/// quotes, and every field's bounds.
#[derive(Default)]
pub(super) struct Scratch {
    data: Vec<u8>,
    bounds: Vec<(usize, usize)>,
}

/// One record's fields, each unquoted as the `csv` crate's records hold them.
pub(super) struct SimdRecord<'r> {
    data: &'r [u8],
    bounds: &'r [(usize, usize)],
    /// `data` as text, when it is UTF-8 (checked once for the record).
    text: Option<&'r str>,
    /// Whether `data` is the record's bytes with its commas (no field was unquoted),
    /// so that every field starts and ends at a character's boundary.
    separated: bool,
}

impl Fields for SimdRecord<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        let (start, end) = *self.bounds.get(i)?;
        match self.text {
            // `None` only when a character's bytes straddle two unquoted fields.
            Some(text) => text.get(start..end),
            None => std::str::from_utf8(self.data.get(start..end)?).ok(),
        }
    }
}

impl RecordFields for SimdRecord<'_> {
    fn len(&self) -> usize {
        self.bounds.len()
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        let (start, end) = *self.bounds.get(i)?;
        self.data.get(start..end)
    }

    /// UTF-8 text cut at ASCII commas is UTF-8 in every piece.
    fn all_text(&self) -> bool {
        self.separated && self.text.is_some()
    }
}

/// The fields of the record `raw` (its bytes from the first field's first byte to the
/// last field's last, as `simd-csv` gives them, quotes included).
pub(super) fn record<'r>(
    raw: &'r simd_csv::ZeroCopyByteRecord<'r>,
    scratch: &'r mut Scratch,
) -> Result<SimdRecord<'r>, Quirk> {
    let slice = raw.as_slice();
    scratch.bounds.clear();
    let base = slice.as_ptr() as usize;
    if memchr::memchr2(b'"', b'\r', slice).is_none() {
        // No quote: every field is the bytes between two commas, as it is for `csv`.
        for field in raw.iter() {
            let start = field.as_ptr() as usize - base;
            scratch.bounds.push((start, start + field.len()));
        }
        return Ok(SimdRecord {
            data: slice,
            bounds: &scratch.bounds,
            text: std::str::from_utf8(slice).ok(),
            separated: true,
        });
    }
    scratch.data.clear();
    for field in raw.iter() {
        let start = scratch.data.len();
        if memchr::memchr(b'"', field).is_none() {
            if memchr::memchr(b'\r', field).is_some() {
                return Err(Quirk);
            }
            scratch.data.extend_from_slice(field);
        } else {
            unquote(field, &mut scratch.data)?;
        }
        scratch.bounds.push((start, scratch.data.len()));
    }
    Ok(SimdRecord {
        data: &scratch.data,
        bounds: &scratch.bounds,
        text: std::str::from_utf8(&scratch.data).ok(),
        separated: false,
    })
}

/// Appends a quoted field's text to `out` (`"a""b"` is `a"b`); a field that is not
/// wholly quoted, or has a lone quote inside, is a [`Quirk`].
fn unquote(field: &[u8], out: &mut Vec<u8>) -> Result<(), Quirk> {
    let inner = match field {
        [b'"', inner @ .., b'"'] => inner,
        _ => return Err(Quirk),
    };
    let mut rest = inner;
    while let Some(q) = memchr::memchr(b'"', rest) {
        if rest.get(q + 1) != Some(&b'"') {
            return Err(Quirk);
        }
        out.extend_from_slice(&rest[..=q]);
        rest = &rest[q + 2..];
    }
    out.extend_from_slice(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `bytes` as the `csv` crate reads it.
    fn by_csv(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        let mut out = Vec::new();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            out.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    /// Every record of `bytes` as this module reads it, or its first quirk.
    fn by_simd(bytes: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, Quirk> {
        let mut reader = simd_csv::ZeroCopyReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        while let Ok(Some(raw)) = reader.read_byte_record() {
            let rec = record(&raw, &mut scratch)?;
            out.push(
                (0..rec.len())
                    .map(|i| rec.bytes(i).unwrap_or_default().to_vec())
                    .collect(),
            );
        }
        Ok(out)
    }

    #[test]
    fn plain_quoted_and_crlf_records_read_as_csv_reads_them() {
        for text in [
            "a,b,c\n1,2,3\n",
            "a,\"b,c\",d\r\n\"x\"\"y\",,\"\"\r\n",
            "one\n\n\ntwo\r\n\r\nthree",
            "\"multi\nline\",2\n3,4\n",
            "é,ü\n\"ß\",x\n",
        ] {
            assert_eq!(
                by_simd(text.as_bytes()),
                Ok(by_csv(text.as_bytes())),
                "{text:?}"
            );
        }
    }

    #[test]
    fn quotes_the_tokenizers_read_differently_are_quirks() {
        for text in [
            "a\"b,c\n",
            "\"a\"b,c\n",
            "\"open,c\n",
            "\"a\"\"\n",
            "x,\"a\"b\"\n",
            "a,b\rc,d\n",
            "\"q\",b\rc\n",
        ] {
            assert_eq!(by_simd(text.as_bytes()), Err(Quirk), "{text:?}");
        }
    }

    #[test]
    fn only_plain_utf8_records_skip_the_per_field_check() {
        let all_text = |bytes: &[u8]| {
            let mut reader = simd_csv::ZeroCopyReaderBuilder::new()
                .has_headers(false)
                .from_reader(bytes);
            let mut scratch = Scratch::default();
            let raw = reader.read_byte_record().ok().flatten().expect("a record");
            record(&raw, &mut scratch).map(|r| r.all_text())
        };
        assert_eq!(all_text("é,x\n".as_bytes()), Ok(true));
        assert_eq!(all_text(b"\xff,x\n"), Ok(false));
        // Unquoted fields are stored end to end: a character could straddle two.
        assert_eq!(all_text("\"é\",x\n".as_bytes()), Ok(false));
    }

    /// Random short inputs over the bytes that matter to a tokenizer: whatever this
    /// module accepts, it reads exactly as the `csv` crate does.
    #[test]
    fn random_inputs_accepted_are_read_as_csv_reads_them() {
        let alphabet: &[u8] = b"ab,,\"\"\n\r \xc3\xa9";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut accepted = 0;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            let mut bytes = Vec::with_capacity(len);
            let mut s = state;
            for _ in 0..len {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                bytes.push(alphabet[(s % alphabet.len() as u64) as usize]);
            }
            if let Ok(records) = by_simd(&bytes) {
                accepted += 1;
                assert_eq!(
                    records,
                    by_csv(&bytes),
                    "{:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
        // The comparison means something only if many inputs were accepted.
        assert!(accepted > 3_000, "{accepted}");
    }
}
