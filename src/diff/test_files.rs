//! The test files of the two sides compared case by case (a case is its file's name
//! relative to the catalog path, and its own name; shown with its side's path): added, removed, or changed in
//! what it runs or expects. Layout and comments of a test file are not compared.

use super::report::{Status, TestChange};
use super::side::Side;
use crate::testing::Case;
use indexmap::IndexMap;

/// Every case added, removed or changed: the new side's files in order, then the
/// cases of files only the old side has.
pub fn compare(old: &Side, new: &Side) -> Vec<TestChange> {
    let (was, now) = (cases(old), cases(new));
    let mut out = Vec::new();
    let mut push = |(_, case): &(String, String), (file, c): &(String, &Case), status| {
        out.push(TestChange {
            file: file.clone(),
            case: case.clone(),
            target: c.target.id().to_string(),
            status,
        })
    };
    for (key, c) in &now {
        match was.get(key) {
            None => push(key, c, Status::Added),
            Some(w) if !same(w.1, c.1) => push(key, c, Status::Changed),
            Some(_) => {}
        }
    }
    for (key, w) in was.iter().filter(|(k, _)| !now.contains_key(*k)) {
        push(key, w, Status::Removed);
    }
    out
}

/// Every case of a side by (file name relative to the catalog path, case name), with
/// the file's path as shown; the first case of a name kept.
fn cases(side: &Side) -> IndexMap<(String, String), (String, &Case)> {
    let mut by = IndexMap::new();
    for f in &side.tests {
        let name = side.test_name(f);
        let shown = f.path.display().to_string();
        for c in &f.cases {
            by.entry((name.clone(), c.name.clone()))
                .or_insert_with(|| (shown.clone(), c));
        }
    }
    by
}

/// Whether two cases run the same and expect the same (positions in their files
/// aside).
fn same(a: &Case, b: &Case) -> bool {
    let tables = |c: &Case| -> Vec<(String, String)> {
        c.tables
            .iter()
            .map(|(t, (csv, _))| (t.clone(), csv.clone()))
            .collect()
    };
    a.target == b.target
        && a.period == b.period
        && a.by == b.by
        && a.account == b.account
        && a.filters == b.filters
        && a.expect == b.expect
        && tables(a) == tables(b)
}
