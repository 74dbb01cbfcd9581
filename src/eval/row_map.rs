//! Which slot (group, or member of a per-account grain) each row of a table counts
//! in: stored per row, or derived through the row's account chunk by chunk.

use super::NONE;
use std::sync::Arc;

/// The slot of every row of one table (`NONE`: the row counts in none).
///
/// Most maps follow the row's account: storing them per row would hold four more
/// bytes per row of every table for each scope and each grain (some 72 MB each at
/// 100,000 accounts), where the account row every table already has and a small
/// per-account table give the same slots as the scan reads them.
#[derive(Debug, Clone)]
pub enum RowMap {
    /// One slot per row.
    Rows(Arc<[u32]>),
    /// `of_account[accounts[i]]`; `unmatched` where the row has no account.
    ViaAccount {
        accounts: Arc<[u32]>,
        of_account: Arc<[u32]>,
        unmatched: u32,
    },
}

impl RowMap {
    /// The slot of row `i` (`NONE` past the end).
    pub fn get(&self, i: usize) -> u32 {
        match self {
            RowMap::Rows(slots) => slots.get(i).copied().unwrap_or(NONE),
            RowMap::ViaAccount {
                accounts,
                of_account,
                unmatched,
            } => match accounts.get(i) {
                None => NONE,
                Some(&NONE) => *unmatched,
                Some(a) => of_account.get(*a as usize).copied().unwrap_or(NONE),
            },
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            RowMap::Rows(slots) => slots.len(),
            RowMap::ViaAccount { accounts, .. } => accounts.len(),
        }
    }

    /// Appends the slots of rows `lo..hi` to `out`.
    pub fn extend_into(&self, out: &mut Vec<u32>, lo: usize, hi: usize) {
        match self {
            RowMap::Rows(slots) => out.extend_from_slice(&slots[lo..hi]),
            RowMap::ViaAccount {
                accounts,
                of_account,
                unmatched,
            } => out.extend(accounts[lo..hi].iter().map(|a| {
                if *a == NONE {
                    *unmatched
                } else {
                    of_account.get(*a as usize).copied().unwrap_or(NONE)
                }
            })),
        }
    }

    /// An identity: two maps with the same identity give the same slots (scans share
    /// the slots of a chunk between aggregates by it).
    pub fn identity(&self) -> (usize, usize) {
        match self {
            RowMap::Rows(slots) => (slots.as_ptr() as usize, 0),
            RowMap::ViaAccount {
                accounts,
                of_account,
                ..
            } => (accounts.as_ptr() as usize, of_account.as_ptr() as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn via_account_equals_the_stored_map() {
        let accounts: Arc<[u32]> = vec![2, NONE, 0, 1, 2].into();
        let of_account: Arc<[u32]> = vec![7, NONE, 9].into();
        let via = RowMap::ViaAccount {
            accounts,
            of_account,
            unmatched: 0,
        };
        let stored = RowMap::Rows(vec![9, 0, 7, NONE, 9].into());
        for i in 0..6 {
            assert_eq!(via.get(i), stored.get(i), "row {i}");
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        via.extend_into(&mut a, 1, 5);
        stored.extend_into(&mut b, 1, 5);
        assert_eq!(a, b);
        assert_eq!(via.len(), 5);
    }
}
