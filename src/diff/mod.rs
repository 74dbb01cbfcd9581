//! `kpic diff`: what a catalog change does, compared on the checked catalogs, not the
//! text.
//!
//! Pipeline: each side is loaded and checked ([`side`]: a path, or the files of a git
//! revision), its formulas reduced to canonical forms (`canon.rs`: measures expanded,
//! spans and layout ignored), every item compared (`compare.rs`, with renames found by
//! identical definitions; `tables.rs` column by column, `targets.rs` for targets and
//! thresholds, `others.rs` for benchmarks and categories), a formula change described
//! in one line where possible (`describe.rs`), the impact walked through the new
//! catalog's dependencies and the columns and relations each item reads (`reads.rs`,
//! `impact.rs`), the test cases of both sides compared (`test_files.rs`), and with
//! data the affected KPIs computed under both definitions ([`values`]). [`report`] holds the result;
//! [`render`] writes it for people and pull requests, serde for machines.

mod canon;
mod compare;
mod describe;
mod formula;
mod impact;
mod others;
mod parse;
mod reads;
pub mod render;
pub mod report;
pub mod side;
mod tables;
mod targets;
mod test_files;
pub mod values;

pub use report::{
    Affected, AffectedTest, Change, Class, Detail, FormulaChange, ItemKind, Report, Status, Step,
    TestChange, ValueRow, Values,
};
pub use side::Side;

/// Compares two checked catalogs (each without errors) and their test files.
pub fn diff(old: &Side, new: &Side) -> Report {
    let compared = compare::compare(&old.checked, &new.checked);
    let affected = impact::affected(&new.checked.catalog, &compared.roots);
    let tests = impact::tests(&new.tests, &compared.roots, &affected);
    let mut changes = compared.changes;
    // Weightiest first; within a class, in the order found (catalog order).
    changes.sort_by_key(|c| std::cmp::Reverse(c.class));
    Report {
        old: old.label.clone(),
        new: new.label.clone(),
        changes,
        affected,
        tests,
        test_changes: test_files::compare(old, new),
        values: None,
    }
}
