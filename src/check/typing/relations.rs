//! Relations followed in row expressions: `T.rel.col` hop by hop, the short form
//! `P.col` for a parent table reached by one many-to-one path, and the one-to-many
//! direction refused with the fan-out it would cause.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::{ColumnDef, ColumnType, Hop, RelationDef, TableDef};
use crate::source::Span;
use crate::syntax::ast::Ident;
use indexmap::IndexMap;
use std::collections::HashSet;

type Tables = IndexMap<String, TableDef>;

/// Most paths a search collects (an ambiguous short form lists them).
const MAX_PATHS: usize = 6;

/// Most steps of one path search: a model with many relations between the same
/// tables has exponentially many simple paths, and the checker must stay fast.
const MAX_STEPS: usize = 10_000;

/// Most relations one path follows. A model's chains of parents are short; the bound
/// keeps a pathological path (a self-relation followed ten thousand times) from
/// costing quadratic time in the joins and indexes built for it.
const MAX_HOPS: usize = 64;

/// One relation that can be followed from a table: a relation column, or a
/// relation on several columns.
#[derive(Clone, Copy)]
pub(super) enum Link<'t> {
    Column(&'t ColumnDef),
    On(&'t RelationDef),
}

impl<'t> Link<'t> {
    /// The name declared: the column (`lead_id`, followed as `lead` too) or the
    /// relation's name.
    pub(super) fn name(self) -> &'t str {
        match self {
            Link::Column(c) => &c.name,
            Link::On(r) => &r.name,
        }
    }

    /// The hop that follows it to `target`.
    pub(super) fn hop(self, target: &str) -> Hop {
        Hop {
            column: self.name().to_string(),
            table: target.to_string(),
            on: match self {
                Link::Column(_) => Vec::new(),
                Link::On(r) => r
                    .columns
                    .iter()
                    .cloned()
                    .zip(r.target_columns.iter().cloned())
                    .collect(),
            },
        }
    }
}

/// The relations of `table` that can be followed: a text column `-> T` where `T` is
/// declared with a text `key` (the loader checks every such cell names a row of `T`),
/// and every relation on several columns that pairs columns of the same types, each
/// declared (the loader checks the parent's rows are unique on its columns).
pub(super) fn relations<'t>(
    tables: &'t Tables,
    table: &'t TableDef,
) -> impl Iterator<Item = (Link<'t>, &'t TableDef)> {
    let columns = table.columns.values().filter_map(move |c| {
        let target = tables.get(c.relation.as_ref()?)?;
        let key = target.columns.get(target.key.as_ref()?)?;
        (c.ty == ColumnType::Text && key.ty == ColumnType::Text)
            .then_some((Link::Column(c), target))
    });
    let on = table.relations.iter().filter_map(move |r| {
        let target = tables.get(&r.target)?;
        let pairs_match = r.columns.len() == r.target_columns.len()
            && r.columns.iter().zip(&r.target_columns).all(|(c, p)| {
                match (table.columns.get(c), target.columns.get(p)) {
                    (Some(c), Some(p)) => c.ty == p.ty && !p.optional,
                    _ => false,
                }
            });
        pairs_match.then_some((Link::On(r), target))
    });
    columns.chain(on)
}

/// The name a relation is written with in a path: its column without a trailing
/// `_id` (`lead_id` is followed as `lead`).
pub(super) fn relation_name(column: &str) -> &str {
    column
        .strip_suffix("_id")
        .filter(|s| !s.is_empty())
        .unwrap_or(column)
}

/// A path as an analyst writes it: `opportunities.lead.source`.
fn written(root: &str, hops: &[Hop], column: &str) -> String {
    let mut out = root.to_string();
    for h in hops {
        out.push('.');
        out.push_str(relation_name(&h.column));
    }
    out.push('.');
    out.push_str(column);
    out
}

/// How a path is known to the `is not missing` guard of a filter: as written, with
/// each relation by its name without `_id` (`lead_id` and `lead` are one relation).
pub(super) fn guard_key(head: &Ident, hops: &[Ident], member: &Ident) -> String {
    let mut out = head.name.clone();
    for h in hops {
        out.push('.');
        out.push_str(relation_name(&h.name));
    }
    out.push('.');
    out.push_str(&member.name);
    out
}

/// Whether `to` is `from` or reached from it by following relations.
pub(super) fn reaches(tables: &Tables, from: &TableDef, to: &str) -> bool {
    let mut seen: HashSet<&str> = HashSet::from([from.name.as_str()]);
    let mut stack = vec![from];
    while let Some(t) = stack.pop() {
        if t.name == to {
            return true;
        }
        for (_, target) in relations(tables, t) {
            if seen.insert(target.name.as_str()) {
                stack.push(target);
            }
        }
    }
    false
}

/// The simple paths (no table twice) from `from` to the table `to`, at most
/// [`MAX_PATHS`], shortest first.
fn paths(tables: &Tables, from: &TableDef, to: &str) -> Vec<Vec<Hop>> {
    let mut found = Vec::new();
    let mut steps = 0;
    // Depth-first with an explicit stack: (table, path so far).
    let mut stack: Vec<(&TableDef, Vec<Hop>)> = vec![(from, Vec::new())];
    while let Some((table, path)) = stack.pop() {
        steps += 1;
        if steps > MAX_STEPS || found.len() >= MAX_PATHS {
            break;
        }
        for (link, target) in relations(tables, table) {
            let visited = target.name == from.name || path.iter().any(|h| h.table == target.name);
            if visited {
                continue;
            }
            let mut next = path.clone();
            next.push(link.hop(&target.name));
            if target.name == to {
                found.push(next);
            } else {
                stack.push((target, next));
            }
        }
    }
    found.sort_by_key(Vec::len);
    found
}

/// The relations a short form `to.col` follows from a row of `from`: the table's own
/// relation to `to` when it has one (for `accounts`, its account column), else the one
/// path there. `Err` holds the candidates when there are none or several.
fn short_form(tables: &Tables, from: &TableDef, to: &str) -> Result<Vec<Hop>, Vec<Vec<Hop>>> {
    if to == "accounts"
        && let Some(c) = from
            .account_column
            .as_ref()
            .and_then(|c| from.columns.get(c))
    {
        return Ok(vec![Link::Column(c).hop(to)]);
    }
    let direct: Vec<Vec<Hop>> = relations(tables, from)
        .filter(|(_, t)| t.name == to)
        .map(|(link, _)| vec![link.hop(to)])
        .collect();
    let mut candidates = if direct.is_empty() {
        paths(tables, from, to)
    } else {
        direct
    };
    if candidates.len() == 1 {
        return Ok(candidates.remove(0));
    }
    Err(candidates)
}

/// Whether a column read through `hops` from a row of `from` may be missing: the
/// column is optional, or one of the relations followed is (an empty relation cell
/// has no parent row).
pub(super) fn path_optional(tables: &Tables, from: &TableDef, hops: &[Hop]) -> bool {
    let mut table = from;
    for h in hops {
        let optional = |column: &String| table.columns.get(column).is_none_or(|c| c.optional);
        // A relation on several columns has no parent when any of them is empty.
        let empty = if h.on.is_empty() {
            optional(&h.column)
        } else {
            h.on.iter().any(|(c, _)| optional(c))
        };
        if empty {
            return true;
        }
        match tables.get(&h.table) {
            Some(t) => table = t,
            None => return true,
        }
    }
    false
}

impl<'e, 'd> Checker<'e, 'd> {
    /// Follows the relations written in `head.hop1.hop2…`, each a relation column of
    /// the table reached so far, written with or without its `_id`. Returns the hops
    /// and the table they lead to, or `None` after reporting an unknown relation.
    pub(super) fn explicit_hops(
        &mut self,
        head: &'e TableDef,
        hops: &[Ident],
    ) -> Option<(Vec<Hop>, &'e TableDef)> {
        let tables = self.env.tables;
        if let Some(extra) = hops.get(MAX_HOPS) {
            self.diags.push(
                Diagnostic::error(
                    Code::TooDeep,
                    extra.span,
                    format!("a path follows at most {MAX_HOPS} relations"),
                )
                .label(format!("relation number {}", MAX_HOPS + 1))
                .help("read the column from a nearer table, or declare a relation that reaches it directly"),
            );
            return None;
        }
        let mut table = head;
        let mut out = Vec::with_capacity(hops.len());
        for ident in hops {
            let found = relations(tables, table).find(|(link, _)| {
                link.name() == ident.name || relation_name(link.name()) == ident.name
            });
            let Some((link, target)) = found else {
                self.unknown_relation(table, ident);
                return None;
            };
            out.push(link.hop(&target.name));
            table = target;
        }
        Some((out, table))
    }

    fn unknown_relation(&mut self, table: &TableDef, ident: &Ident) {
        let names: Vec<&str> = relations(self.env.tables, table)
            .map(|(link, _)| relation_name(link.name()))
            .collect();
        if let Some(r) = table.relations.iter().find(|r| r.name == ident.name) {
            // Declared, but its columns do not match (reported at the table).
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownName,
                    ident.span,
                    format!(
                        "the relation `{}.{}` cannot be followed",
                        table.name, ident.name
                    ),
                )
                .label("its declaration has an error")
                .with(r.span, "declared here")
                .help(format!(
                    "fix the relation's columns so that each matches a column of `{}` of the same type",
                    r.target
                )),
            );
            return;
        }
        let declared = table
            .columns
            .get(&ident.name)
            .or_else(|| table.columns.get(&format!("{}_id", ident.name)));
        let mut close = None;
        let help = match declared {
            Some(c) if c.relation.is_some() => format!(
                "`{}.{}` points to `{}`, which has no text `key` column to find its rows by",
                table.name,
                c.name,
                c.relation.as_deref().unwrap_or_default()
            ),
            Some(c) => format!(
                "`{0}.{1}` is a column, not a relation: write `{0}.{1}` as the last name, or declare it `{1}: text -> TABLE`",
                table.name, c.name
            ),
            None => {
                close = closest(&ident.name, names.iter().copied());
                close.as_deref().map(mean).unwrap_or_else(|| {
                    if names.is_empty() {
                        format!(
                            "`{}` has no relations to follow (`COLUMN: text -> TABLE`)",
                            table.name
                        )
                    } else {
                        format!("relations of `{}`: {}", table.name, names.join(", "))
                    }
                })
            }
        };
        self.diags.push(
            Diagnostic::error(
                Code::UnknownName,
                ident.span,
                format!("table `{}` has no relation `{}`", table.name, ident.name),
            )
            .label("not a relation to follow")
            .with(table.span, format!("`{}` is declared here", table.name))
            .help(help)
            .fix_name(ident.span, close.as_deref()),
        );
    }

    /// `deals.lead` for the relations `via` followed from the aggregated row: how a
    /// column read through them is written (by the path, which is never ambiguous).
    pub(super) fn followed_path(&self, via: &[Hop]) -> String {
        let root = self.row.as_ref().map_or("table", |r| r.table.name.as_str());
        let mut out = root.to_string();
        for h in via {
            out.push('.');
            out.push_str(relation_name(&h.column));
        }
        out
    }

    /// The relations from a row of `row` to the table `head` names, when a path
    /// starts at a table other than the aggregated one: the short form. Reports an
    /// ambiguous short form (K0310), the one-to-many direction (K0311) or an
    /// unrelated table (K0303).
    pub(super) fn reach(
        &mut self,
        row: &'e TableDef,
        head: &'e TableDef,
        head_ident: &Ident,
        rest: &str,
        span: Span,
    ) -> Option<Vec<Hop>> {
        let tables = self.env.tables;
        let candidates = match short_form(tables, row, &head.name) {
            Ok(hops) => return Some(hops),
            Err(candidates) => candidates,
        };
        if candidates.len() > 1 {
            let options: Vec<String> = candidates
                .iter()
                .map(|p| format!("`{}`", written(&row.name, p, rest)))
                .collect();
            self.diags.push(
                Diagnostic::error(
                    Code::AmbiguousRelation,
                    head_ident.span,
                    format!(
                        "`{}` is reached from `{}` in more than one way",
                        head.name, row.name
                    ),
                )
                .label(format!("which row of `{}`?", head.name))
                .help(format!(
                    "write the path to follow: {}",
                    options.join(" or ")
                )),
            );
            return None;
        }
        if reaches(tables, head, &row.name) {
            self.one_to_many(row, head, span);
            return None;
        }
        let help = if head.name == "accounts" {
            format!(
                "`{}` has no `-> accounts` column; add one to reach account columns",
                row.name
            )
        } else {
            format!(
                "an aggregate over `{}` can read its own columns and those of the tables its relations lead to; aggregate `{}` separately",
                row.name, head.name
            )
        };
        self.diags.push(
            Diagnostic::error(
                Code::MixedTables,
                span,
                format!(
                    "aggregate over `{}` reads a column of `{}`",
                    row.name, head.name
                ),
            )
            .label(format!("column of `{}`", head.name))
            .help(help),
        );
        None
    }

    /// K0311: a row of `parent` would read a column of `child`, whose rows point to
    /// `parent`: one parent row has many child rows, so there is no one value to read.
    pub(super) fn one_to_many(&mut self, parent: &TableDef, child: &TableDef, span: Span) {
        let link = paths(self.env.tables, child, &parent.name)
            .into_iter()
            .next()
            .map(|p| {
                let cols: Vec<&str> = p.iter().map(|h| h.column.as_str()).collect();
                format!("`{}.{}`", child.name, cols.join("."))
            })
            .unwrap_or_else(|| format!("`{}`", child.name));
        self.diags.push(
            Diagnostic::error(
                Code::OneToMany,
                span,
                format!(
                    "an aggregate over `{}` reads `{}`, which has many rows per `{}` row",
                    parent.name, child.name, parent.name
                ),
            )
            .label(format!("one-to-many: {link} points to `{}`", parent.name))
            .help(format!(
                "aggregate `{0}` instead, reading `{1}` through the relation (e.g. `count({0} where ...)`), \
                 or aggregate `{0}` on its own and combine the results outside",
                child.name, parent.name
            )),
        );
    }
}
