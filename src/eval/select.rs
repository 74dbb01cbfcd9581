//! Which rows of a chunk each aggregate of a scan folds, as selection vectors (row in
//! the chunk, slot) shared in two levels: the rows of a period test and a slot map
//! (groups, or members), then of those the rows a `where` keeps, with a breakdown's
//! key folded into the slot.

use super::NONE;
use super::register::{Reg, RegId, TRUE};
use super::row_map::RowMap;
use super::scan::AggSpec;
use crate::data::NO_TEXT;

/// The first level: a period test and the slot of every row.
struct Base<'s> {
    in_period: Option<RegId>,
    of_row: &'s RowMap,
}

/// The second level: a base, a filter and a breakdown.
struct Mask<'s> {
    base: usize,
    filter: Option<RegId>,
    split: Option<(&'s [u32], u32)>,
}

impl Mask<'_> {
    /// Whether the mask keeps exactly its base's rows (then they are not copied).
    fn plain(&self) -> bool {
        self.filter.is_none() && self.split.is_none()
    }
}

/// The selections of one scan's aggregates, rebuilt chunk by chunk.
pub(super) struct Selections<'s> {
    bases: Vec<Base<'s>>,
    masks: Vec<Mask<'s>>,
    /// The mask of every aggregate, in the scan's order.
    mask_of: Vec<usize>,
    base_rows: Vec<Vec<(u32, u32)>>,
    /// Per base, this chunk's rows in the period, and of those the first slot's.
    base_counts: Vec<(usize, usize)>,
    mask_rows: Vec<Vec<(u32, u32)>>,
    /// Per mask, over every chunk so far: rows in the period, of those the first
    /// slot's, and of those the ones the filter kept (the `--explain` counts).
    counts: Vec<(usize, usize, usize)>,
    slots: Vec<u32>,
}

impl<'s> Selections<'s> {
    /// The selections that `specs` need; `group_of_row` is the slot map of the
    /// aggregates not computed per member.
    pub fn new(specs: &'s [AggSpec<'s>], group_of_row: &'s RowMap) -> Selections<'s> {
        let mut bases: Vec<Base> = Vec::new();
        let mut masks: Vec<Mask> = Vec::new();
        let mask_of = specs
            .iter()
            .map(|s| {
                let of_row = s.members_of_row.as_ref().unwrap_or(group_of_row);
                let base = bases
                    .iter()
                    .position(|b| {
                        b.in_period == s.in_period && b.of_row.identity() == of_row.identity()
                    })
                    .unwrap_or_else(|| {
                        bases.push(Base {
                            in_period: s.in_period,
                            of_row,
                        });
                        bases.len() - 1
                    });
                let split_key = |x: Option<(&[u32], u32)>| x.map(|(c, w)| (c.as_ptr(), w));
                masks
                    .iter()
                    .position(|m| {
                        m.base == base
                            && m.filter == s.filter
                            && split_key(m.split) == split_key(s.split)
                    })
                    .unwrap_or_else(|| {
                        masks.push(Mask {
                            base,
                            filter: s.filter,
                            split: s.split,
                        });
                        masks.len() - 1
                    })
            })
            .collect::<Vec<usize>>();
        // Bases of the same slot map next to each other, masks pointing at them anew.
        let mut order: Vec<usize> = (0..bases.len()).collect();
        order.sort_by_key(|b| bases[*b].of_row.identity());
        let mut new_index = vec![0; bases.len()];
        for (new, old) in order.iter().enumerate() {
            new_index[*old] = new;
        }
        for mask in &mut masks {
            mask.base = new_index[mask.base];
        }
        let mut bases: Vec<Option<Base>> = bases.into_iter().map(Some).collect();
        let bases: Vec<Base> = order.iter().filter_map(|b| bases[*b].take()).collect();
        Selections {
            base_rows: vec![Vec::new(); bases.len()],
            base_counts: vec![(0, 0); bases.len()],
            mask_rows: vec![Vec::new(); masks.len()],
            counts: vec![(0, 0, 0); masks.len()],
            bases,
            masks,
            mask_of,
            slots: Vec::new(),
        }
    }

    /// Selects the rows `lo..hi` (the chunk `regs` holds) of every mask.
    pub fn select(&mut self, regs: &[Reg], lo: usize, hi: usize) {
        let n = hi - lo;
        let mut slots_of: Option<(usize, usize)> = None;
        for ((base, rows), counts) in self
            .bases
            .iter()
            .zip(&mut self.base_rows)
            .zip(&mut self.base_counts)
        {
            // Bases of one slot map follow one another (see `new`): its slots are
            // derived once per chunk.
            if slots_of != Some(base.of_row.identity()) {
                self.slots.clear();
                base.of_row.extend_into(&mut self.slots, lo, hi);
                slots_of = Some(base.of_row.identity());
            }
            rows.clear();
            let in_period = match base.in_period {
                Some(p) => {
                    let mask = regs[p].bools();
                    // A mask of the wrong length (which a checked catalog never gives)
                    // keeps nothing rather than everything.
                    if mask.len() == n {
                        rows.extend(
                            (0u32..)
                                .zip(&self.slots)
                                .zip(mask)
                                .filter(|((_, s), m)| **m == TRUE && **s != NONE)
                                .map(|((i, s), _)| (i, *s)),
                        );
                    }
                    mask.iter().filter(|m| **m == TRUE).count()
                }
                None => {
                    rows.extend(
                        (0u32..)
                            .zip(&self.slots)
                            .filter(|(_, s)| **s != NONE)
                            .map(|(i, s)| (i, *s)),
                    );
                    n
                }
            };
            *counts = (in_period, first_slot(rows));
        }
        for ((mask, rows), counts) in self
            .masks
            .iter()
            .zip(&mut self.mask_rows)
            .zip(&mut self.counts)
        {
            let base = &self.base_rows[mask.base];
            let (in_period, in_scope) = self.base_counts[mask.base];
            counts.0 += in_period;
            counts.1 += in_scope;
            if mask.plain() {
                counts.2 += in_scope;
                continue;
            }
            rows.clear();
            match mask.filter {
                Some(f) => {
                    let keep = regs[f].bools();
                    if keep.len() == n {
                        rows.extend(base.iter().filter(|(i, _)| keep[*i as usize] == TRUE));
                    }
                }
                None => rows.extend_from_slice(base),
            }
            counts.2 += first_slot(rows);
            if let Some((codes, width)) = mask.split {
                let codes = &codes[lo..hi];
                rows.retain_mut(|(i, s)| {
                    let code = codes[*i as usize];
                    *s = s.wrapping_mul(width).wrapping_add(code);
                    code != NO_TEXT
                });
            }
        }
    }

    /// The rows (row in the chunk, slot) aggregate `spec` folds in this chunk, in
    /// row order.
    pub fn rows(&self, spec: usize) -> &[(u32, u32)] {
        let m = self.mask_of[spec];
        match self.masks.get(m) {
            Some(mask) if mask.plain() => &self.base_rows[mask.base],
            _ => &self.mask_rows[m],
        }
    }

    /// Aggregate `spec`'s rows in the period, of those the first slot's, and of those
    /// the ones its filter kept, over every chunk selected so far.
    pub fn counts(&self, spec: usize) -> (usize, usize, usize) {
        self.counts[self.mask_of[spec]]
    }
}

/// How many of `rows` count in the first slot (the first group, as `--explain`
/// counts the rows of one group).
fn first_slot(rows: &[(u32, u32)]) -> usize {
    rows.iter().filter(|(_, s)| *s == 0).count()
}
