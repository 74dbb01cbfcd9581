//! Tables compared column by column: each column whose type, unit, modifiers or
//! relation changed (or that was added or removed) is a root of the impact walk, so
//! only the items that read that column, or follow a relation through it, are
//! affected (`reads.rs`).

use super::compare::{Compared, change, detail};
use super::reads::{column, relation};
use super::report::{Class, Detail, ItemKind, Status, Step};
use crate::ir::{Catalog, ColumnDef, Dim, TableDef, Type};

/// Every table of the new catalog against the old, and the tables gone.
pub fn tables(o: &Catalog, n: &Catalog, out: &mut Compared) {
    for t in n.tables.values() {
        let Some(w) = o.tables.get(&t.name) else {
            out.push(change(
                ItemKind::Table,
                &t.name,
                Status::Added,
                None,
                vec![detail(Class::None, "added".into())],
            ));
            continue;
        };
        let details = table_details(w, t, &mut out.roots);
        out.push(change(
            ItemKind::Table,
            &t.name,
            Status::Changed,
            None,
            details,
        ));
    }
    for t in o
        .tables
        .values()
        .filter(|t| !n.tables.contains_key(&t.name))
    {
        out.push(change(
            ItemKind::Table,
            &t.name,
            Status::Removed,
            None,
            vec![detail(Class::None, "removed".into())],
        ));
    }
}

/// A column as declared, from what the checker kept: `number? unit hours key -> t`.
fn shape(c: &ColumnDef) -> String {
    // The unit of an int or number column is its value type's dimension (`percent`,
    // `ratio` and `number` are all plain numbers once checked: the same values).
    let unit = match (c.ty.as_str(), c.value_type) {
        ("int" | "number", Type::Number(d)) if d != Dim::Plain => format!(" unit {}", unit(d)),
        _ => String::new(),
    };
    format!(
        "{}{}{unit}{}{}{}{}",
        c.ty.as_str(),
        if c.optional { "?" } else { "" },
        if c.key { " key" } else { "" },
        if c.time { " time" } else { "" },
        if c.dimension { " dimension" } else { "" },
        c.relation
            .as_ref()
            .map_or(String::new(), |r| format!(" -> {r}")),
    )
}

/// A dimension as the unit written for it.
fn unit(d: Dim) -> &'static str {
    match d {
        Dim::Plain => "number",
        Dim::Money => "money",
        Dim::Count => "count",
        Dim::Days => "days",
        Dim::Hours => "hours",
        Dim::Score => "score",
    }
}

/// A column added or removed: no semantic change by itself, unless it is the table's
/// key, time or a relation (rows are then dated, grouped or found another way).
fn added_or_removed(c: &ColumnDef, what: &str) -> Detail {
    if c.key || c.time || c.relation.is_some() {
        detail(
            Class::Formula,
            format!("column `{}` {what}: {}", c.name, shape(c)),
        )
    } else {
        detail(Class::None, format!("column `{}` {what}", c.name))
    }
}

/// The differences of one table, each changed column (and relation on several
/// columns) added to `roots`. A plain column added or removed changes no value (a
/// formula reading it changed too, and is a root itself), but it is a root all the
/// same: only the items that read it, if any, are reached (a new key is read by the
/// relations to its table).
fn table_details(w: &TableDef, t: &TableDef, roots: &mut Vec<Step>) -> Vec<Detail> {
    let mut details = Vec::new();
    let mut root = |table: &str, name: &str| {
        let (item, id) = column(table, name);
        roots.push(Step { item, id });
    };
    for c in t.columns.values() {
        match w.columns.get(&c.name) {
            None => {
                details.push(added_or_removed(c, "added"));
                root(&t.name, &c.name);
            }
            Some(d) => {
                let (a, b) = (shape(d), shape(c));
                if a != b {
                    details.push(detail(
                        Class::Formula,
                        format!("column `{}`: {a} → {b}", c.name),
                    ));
                    root(&t.name, &c.name);
                }
            }
        }
    }
    for c in w
        .columns
        .values()
        .filter(|c| !t.columns.contains_key(&c.name))
    {
        details.push(added_or_removed(c, "removed"));
        root(&w.name, &c.name);
    }
    // Relations on several columns, by name.
    for r in &t.relations {
        let same = w.relations.iter().any(|x| {
            x.name == r.name
                && x.columns == r.columns
                && x.target == r.target
                && x.target_columns == r.target_columns
        });
        if !same {
            details.push(detail(
                Class::Formula,
                format!(
                    "relation `{}`: ({}) -> {}",
                    r.name,
                    r.columns.join(", "),
                    r.target
                ),
            ));
            let (item, id) = relation(&t.name, &r.name, &r.target);
            roots.push(Step { item, id });
        }
    }
    for r in w
        .relations
        .iter()
        .filter(|r| !t.relations.iter().any(|x| x.name == r.name))
    {
        details.push(detail(
            Class::None,
            format!("relation `{}` removed", r.name),
        ));
    }
    details
}
