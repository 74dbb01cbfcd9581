//! The distinct strings of a text column, stored in one buffer: a column of a million
//! distinct ids costs two allocations, not two million.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Distinct strings, each with a dense code (0, 1, 2, ... in first-seen order).
///
/// An *unindexed* interner (for id columns that are never looked up) keeps no hash
/// table: every string gets a new code, and [`Interner::duplicates`] finds repeats
/// afterwards by sorting hashes.
#[derive(Default)]
pub struct Interner {
    buffer: String,
    /// Start of string `i` in `buffer`; string `i` ends where `i + 1` starts.
    starts: Vec<u32>,
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
    unindexed: bool,
    /// The code returned last: exports are often sorted
    /// by account, so a cell often repeats the one above it.
    last: Option<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Interner {
    /// An interner without a hash index (see the type's documentation).
    pub fn unindexed() -> Interner {
        Interner {
            unindexed: true,
            ..Interner::default()
        }
    }

    /// Pairs `(first, repeat)` of codes holding the same string (unindexed interners;
    /// an indexed one never holds duplicates).
    pub fn duplicates(&self) -> Vec<(u32, u32)> {
        if !self.unindexed {
            return Vec::new();
        }
        // Exports are often ordered by their id: strictly increasing strings cannot
        // repeat, and checking that is one pass instead of a sort.
        let increasing = (1..self.starts.len() as u32).all(|c| self.get(c - 1) < self.get(c));
        if increasing {
            return Vec::new();
        }
        let mut hashes: Vec<(u64, u32)> = (0..self.starts.len() as u32)
            .map(|c| (self.hasher.hash_one(self.get(c).unwrap_or_default()), c))
            .collect();
        hashes.sort_unstable();
        let mut out = Vec::new();
        for run in hashes.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            // Equal hashes: compare the strings (a hash collision is not a duplicate).
            for (i, (_, b)) in run.iter().enumerate().skip(1) {
                if let Some((_, a)) = run[..i].iter().find(|(_, a)| self.get(*a) == self.get(*b)) {
                    out.push((*a.min(b), *a.max(b)));
                }
            }
        }
        out.sort_unstable_by_key(|p| p.1);
        out
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The string with `code`.
    pub fn get(&self, code: u32) -> Option<&str> {
        let i = code as usize;
        let start = *self.starts.get(i)? as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.buffer.len(), |e| *e as usize);
        self.buffer.get(start..end)
    }

    /// The code of `s`, if present.
    pub fn code(&self, s: &str) -> Option<u32> {
        if self.unindexed {
            return (0..self.starts.len() as u32).find(|c| self.get(*c) == Some(s));
        }
        let hash = self.hasher.hash_one(s);
        self.table.find(hash, |c| self.get(*c) == Some(s)).copied()
    }

    /// The code of `s`, and whether it was new.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        if self.unindexed {
            let code = self.starts.len() as u32;
            self.starts.push(self.buffer.len() as u32);
            self.buffer.push_str(s);
            return (code, true);
        }
        if let Some(last) = self.last
            && self.get(last) == Some(s)
        {
            return (last, false);
        }
        let hash = self.hasher.hash_one(s);
        if let Some(c) = self.table.find(hash, |c| {
            let i = *c as usize;
            let start = self.starts[i] as usize;
            let end = self
                .starts
                .get(i + 1)
                .map_or(self.buffer.len(), |e| *e as usize);
            &self.buffer[start..end] == s
        }) {
            self.last = Some(*c);
            return (*c, false);
        }
        let code = self.starts.len() as u32;
        self.starts.push(self.buffer.len() as u32);
        self.buffer.push_str(s);
        let (buffer, starts, hasher) = (&self.buffer, &self.starts, &self.hasher);
        self.table.insert_unique(hash, code, |c| {
            let i = *c as usize;
            let start = starts[i] as usize;
            let end = starts.get(i + 1).map_or(buffer.len(), |e| *e as usize);
            hasher.hash_one(&buffer[start..end])
        });
        self.last = Some(code);
        (code, true)
    }

    /// Room for `more` new strings of about the average length so far.
    pub fn reserve(&mut self, more: usize) {
        let average = self.buffer.len() / self.starts.len().max(1);
        self.buffer.reserve(more * average.max(1));
        self.starts.reserve(more);
        if self.unindexed {
            return;
        }
        let (buffer, starts, hasher) = (&self.buffer, &self.starts, &self.hasher);
        self.table.reserve(more, |c| {
            let i = *c as usize;
            let start = starts[i] as usize;
            let end = starts.get(i + 1).map_or(buffer.len(), |e| *e as usize);
            hasher.hash_one(&buffer[start..end])
        });
    }

    /// Every string, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.starts.len() as u32).filter_map(|c| self.get(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_finds() {
        let mut i = Interner::default();
        assert_eq!(i.intern("a"), (0, true));
        assert_eq!(i.intern("bc"), (1, true));
        assert_eq!(i.intern("a"), (0, false));
        assert_eq!(i.intern(""), (2, true));
        assert_eq!(i.get(1), Some("bc"));
        assert_eq!(i.get(2), Some(""));
        assert_eq!(i.code("bc"), Some(1));
        assert_eq!(i.code("zz"), None);
        assert_eq!(i.iter().collect::<Vec<_>>(), vec!["a", "bc", ""]);
        assert!(i.duplicates().is_empty());
    }

    #[test]
    fn unindexed_finds_duplicates_afterwards() {
        let mut i = Interner::unindexed();
        for s in ["x", "y", "x", "z", "y", "x"] {
            i.intern(s);
        }
        assert_eq!(i.code("z"), Some(3));
        assert_eq!(i.duplicates(), vec![(0, 2), (1, 4), (0, 5)]);
    }
}
