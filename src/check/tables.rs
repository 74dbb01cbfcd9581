//! Lowering `table` items to [`TableDef`]s: column types, modifiers, relations.

use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::{ColumnDef, ColumnType, Dim, RelationDef, TableDef, Type, Unit};
use crate::syntax::ast::{Ident, Modifier, Table};
use indexmap::IndexMap;

const FLAGS: &[&str] = &["key", "optional", "time", "dimension"];

/// Lowers one table. Relations are checked later, once every table is known.
pub fn lower_table(table: &Table, diags: &mut Vec<Diagnostic>) -> TableDef {
    let mut columns: IndexMap<String, ColumnDef> = IndexMap::new();
    let mut time_column: Option<(String, crate::source::Span)> = None;
    let mut key = None;
    let mut account_column = None;
    if table.name.name == "period" {
        diags.push(
            Diagnostic::error(
                Code::InvalidColumn,
                table.name.span,
                "`period` is a reserved name",
            )
            .label("reserved for the evaluation period")
            .help("formulas use `period.start` and `period.end`; give the table another name"),
        );
    }
    for decl in &table.columns {
        let Some(ty) = ColumnType::parse(&decl.ty.name) else {
            let close = closest(&decl.ty.name, ColumnType::NAMES.iter().copied());
            let hint = close
                .as_deref()
                .map(mean)
                .unwrap_or_else(|| format!("column types: {}", ColumnType::NAMES.join(", ")));
            diags.push(
                Diagnostic::error(
                    Code::InvalidColumn,
                    decl.ty.span,
                    format!("unknown column type `{}`", decl.ty.name),
                )
                .label("not a column type")
                .help(hint)
                .fix_name(decl.ty.span, close.as_deref()),
            );
            continue;
        };
        let mut col = ColumnDef {
            name: decl.name.name.clone(),
            span: decl.name.span,
            ty,
            value_type: match ty {
                ColumnType::Text => Type::Text,
                ColumnType::Int | ColumnType::Number => Type::Number(Dim::Plain),
                ColumnType::Money => Type::Number(Dim::Money),
                ColumnType::Date => Type::Date,
                ColumnType::DateTime => Type::DateTime,
                ColumnType::Bool => Type::Bool,
            },
            optional: false,
            key: false,
            time: false,
            dimension: false,
            relation: None,
        };
        for modifier in &decl.modifiers {
            match modifier {
                Modifier::Flag(flag) => match flag.name.as_str() {
                    "key" => col.key = true,
                    "optional" => col.optional = true,
                    "dimension" => col.dimension = true,
                    "time" => {
                        if !matches!(ty, ColumnType::Date | ColumnType::DateTime) {
                            diags.push(
                                Diagnostic::error(Code::InvalidColumn, flag.span, "a `time` column must be a date")
                                    .label(format!("`{}` is {}", decl.name.name, decl.ty.name))
                                    .help("mark the date or datetime column that dates the rows as `time`"),
                            );
                        } else if let Some((first, first_span)) = &time_column {
                            diags.push(
                                Diagnostic::error(
                                    Code::InvalidColumn,
                                    flag.span,
                                    format!("table `{}` already has a time column", table.name.name),
                                )
                                .label("second time column")
                                .with(*first_span, format!("`{first}` is the time column"))
                                .help("keep one `time` column; aggregates can use another date with `dated TABLE.col`"),
                            );
                        } else {
                            col.time = true;
                            time_column = Some((col.name.clone(), flag.span));
                        }
                    }
                    // `unit` with no unit name after it (the name is on the next line
                    // or missing): the modifier is known, its name is not.
                    "unit" => diags.push(
                        Diagnostic::error(
                            Code::InvalidColumn,
                            flag.span,
                            "the modifier `unit` needs a unit name after it",
                        )
                        .label("which unit?")
                        .help(format!(
                            "write e.g. `unit days`; units: {}",
                            // Money columns are typed `money`, never `unit money`.
                            Unit::NAMES
                                .iter()
                                .filter(|n| **n != "money")
                                .copied()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    ),
                    other => {
                        let close = closest(other, FLAGS.iter().copied().chain(["unit"]));
                        let hint = close.as_deref().map(mean).unwrap_or_else(|| {
                            "modifiers: key, optional, time, dimension, -> TABLE, unit UNIT".into()
                        });
                        diags.push(
                            Diagnostic::error(
                                Code::InvalidColumn,
                                flag.span,
                                format!("unknown column modifier `{other}`"),
                            )
                            .label("not a modifier")
                            .help(hint)
                            // `unit` needs its unit after it: not a whole fix.
                            .fix_name(flag.span, close.as_deref().filter(|c| *c != "unit")),
                        );
                    }
                },
                Modifier::Relation { target, .. } => col.relation = Some(target.name.clone()),
                Modifier::Unit { unit, span } => {
                    let parsed = Unit::parse(&unit.name);
                    match (parsed, ty) {
                        (None, _) => {
                            let close = closest(&unit.name, Unit::NAMES.iter().copied());
                            let hint = close
                                .as_deref()
                                .map(mean)
                                .unwrap_or_else(|| format!("units: {}", Unit::NAMES.join(", ")));
                            diags.push(
                                Diagnostic::error(
                                    Code::InvalidColumn,
                                    unit.span,
                                    format!("unknown unit `{}`", unit.name),
                                )
                                .label("not a unit")
                                .help(hint)
                                .fix_name(unit.span, close.as_deref()),
                            );
                        }
                        (Some(u), ColumnType::Int | ColumnType::Number) => {
                            col.value_type = Type::Number(u.dim())
                        }
                        (Some(_), _) => diags.push(
                            Diagnostic::error(
                                Code::InvalidColumn,
                                *span,
                                "`unit` applies to int and number columns",
                            )
                            .label(format!("`{}` is {}", decl.name.name, decl.ty.name))
                            .help("money columns are money already; remove the unit"),
                        ),
                    }
                }
            }
        }
        if col.key {
            key.get_or_insert_with(|| col.name.clone());
        }
        if col.relation.as_deref() == Some("accounts") && table.name.name != "accounts" {
            account_column.get_or_insert_with(|| col.name.clone());
        }
        if let Some(first) = columns.get(&col.name) {
            diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    decl.name.span,
                    format!(
                        "column `{}` is declared twice in `{}`",
                        col.name, table.name.name
                    ),
                )
                .label("second declaration")
                .with(first.span, "first declaration")
                .help("rename or remove one of them"),
            );
            continue;
        }
        columns.insert(col.name.clone(), col);
    }
    let mut relations: Vec<RelationDef> = Vec::new();
    for decl in &table.relations {
        // A path names columns and relations alike (`orders.product.x`): one namespace.
        let first = columns.get(&decl.name.name).map(|c| c.span).or_else(|| {
            relations
                .iter()
                .find(|r| r.name == decl.name.name)
                .map(|r| r.span)
        });
        if let Some(first) = first {
            diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    decl.name.span,
                    format!(
                        "`{}` is declared twice in `{}`",
                        decl.name.name, table.name.name
                    ),
                )
                .label("second declaration")
                .with(first, "first declaration")
                .help("a relation is read by its name in paths (`TABLE.RELATION.column`): give it a name of its own"),
            );
            continue;
        }
        let names = |list: &[Ident]| list.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
        relations.push(RelationDef {
            name: decl.name.name.clone(),
            span: decl.name.span,
            columns: names(&decl.columns),
            target: decl.target.name.clone(),
            target_columns: names(decl.target_columns.as_deref().unwrap_or(&decl.columns)),
        });
    }
    TableDef {
        name: table.name.name.clone(),
        span: table.name.span,
        columns,
        time_column: time_column.map(|(name, _)| name),
        key,
        account_column,
        relations,
    }
}

/// Checks that every relation points at a declared table.
pub fn check_relations(
    tables: &IndexMap<String, TableDef>,
    source: &[&Table],
    diags: &mut Vec<Diagnostic>,
) {
    for table in source {
        for decl in &table.columns {
            for m in &decl.modifiers {
                if let Modifier::Relation { target, .. } = m
                    && !tables.contains_key(&target.name)
                {
                    let close = closest(&target.name, tables.keys().map(String::as_str));
                    let hint = close
                        .as_deref()
                        .map(mean)
                        .unwrap_or_else(|| "declare the table, or remove the relation".into());
                    diags.push(
                        Diagnostic::error(
                            Code::UnknownName,
                            target.span,
                            format!("no table named `{}`", target.name),
                        )
                        .label("unknown table")
                        .help(hint)
                        .fix_name(target.span, close.as_deref()),
                    );
                }
            }
        }
        if let Some(def) = tables.get(&table.name.name) {
            check_relations_on(tables, def, table, diags);
        }
    }
}

/// Checks each relation on several columns of `def` (declared in `source`): the
/// parent table exists, every column named exists on its side, both lists have as
/// many columns, each pair has one type, and the parent's columns are never empty
/// (a parent row is found by its values). The checker follows only a relation that
/// passes.
fn check_relations_on(
    tables: &IndexMap<String, TableDef>,
    def: &TableDef,
    source: &Table,
    diags: &mut Vec<Diagnostic>,
) {
    for decl in &source.relations {
        if !def.relations.iter().any(|r| r.span == decl.name.span) {
            continue; // a duplicate name, reported when lowered
        }
        // `written`: the name is written for this table (not a parent's column named
        // after the relation's), so putting the suggestion in its place is a fix.
        let unknown_column = |table: &TableDef, ident: &Ident, written: bool| {
            let close = closest(&ident.name, table.columns.keys().map(String::as_str));
            let hint = close.as_deref().map(mean).unwrap_or_else(|| {
                format!(
                    "columns of `{}`: {}",
                    table.name,
                    table.columns.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            });
            Diagnostic::error(
                Code::UnknownName,
                ident.span,
                format!("table `{}` has no column `{}`", table.name, ident.name),
            )
            .label("not a column")
            .help(hint)
            .fix_name(ident.span, close.as_deref().filter(|_| written))
        };
        let own: Vec<Option<&ColumnDef>> = decl
            .columns
            .iter()
            .map(|c| def.columns.get(&c.name))
            .collect();
        for (ident, col) in decl.columns.iter().zip(&own) {
            if col.is_none() {
                diags.push(unknown_column(def, ident, true));
            }
        }
        let Some(target) = tables.get(&decl.target.name) else {
            let close = closest(&decl.target.name, tables.keys().map(String::as_str));
            let hint = close
                .as_deref()
                .map(mean)
                .unwrap_or_else(|| "declare the table, or remove the relation".into());
            diags.push(
                Diagnostic::error(
                    Code::UnknownName,
                    decl.target.span,
                    format!("no table named `{}`", decl.target.name),
                )
                .label("unknown table")
                .help(hint)
                .fix_name(decl.target.span, close.as_deref()),
            );
            continue;
        };
        let target_idents = decl.target_columns.as_deref().unwrap_or(&decl.columns);
        if let Some(written) = &decl.target_columns
            && written.len() != decl.columns.len()
        {
            diags.push(
                Diagnostic::error(
                    Code::InvalidColumn,
                    decl.target.span,
                    format!(
                        "the relation `{}` has {} columns and points at {} columns of `{}`",
                        decl.name.name,
                        decl.columns.len(),
                        written.len(),
                        target.name
                    ),
                )
                .label("another number of columns")
                .help("pair each column of the relation with one column of the parent, in order"),
            );
            continue;
        }
        for ((ident, col), parent_ident) in decl.columns.iter().zip(&own).zip(target_idents) {
            if col.is_none() && decl.target_columns.is_none() {
                continue; // the same name, reported on this table's side
            }
            let Some(parent) = target.columns.get(&parent_ident.name) else {
                let mut d = unknown_column(target, parent_ident, decl.target_columns.is_some());
                if decl.target_columns.is_none() {
                    d = d.help(format!(
                        "the parent's columns are named after the relation's unless written: `-> {}(COLUMN, ...)`",
                        target.name
                    ));
                }
                diags.push(d);
                continue;
            };
            if let Some(col) = col
                && col.ty != parent.ty
            {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidColumn,
                        ident.span,
                        format!(
                            "`{}.{}` is {} and `{}.{}` is {}",
                            def.name,
                            col.name,
                            ColumnType::NAMES[col.ty as usize],
                            target.name,
                            parent.name,
                            ColumnType::NAMES[parent.ty as usize]
                        ),
                    )
                    .label(format!("compared with `{}.{}`", target.name, parent.name))
                    .with(parent.span, format!("declared {}", ColumnType::NAMES[parent.ty as usize]))
                    .help("a relation pairs columns of the same type; point it at other columns or change a type"),
                );
            }
            if parent.optional {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidColumn,
                        parent_ident.span,
                        format!(
                            "`{}.{}` is optional; a relation points at columns every row has",
                            target.name, parent.name
                        ),
                    )
                    .label("may be empty")
                    .with(parent.span, "declared optional")
                    .help("a parent row is found by its values: remove `optional`, or point the relation at other columns"),
                );
            }
        }
    }
}
