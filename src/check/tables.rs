//! Lowering `table` items to [`TableDef`]s: column types, modifiers, relations.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::ir::{ColumnDef, ColumnType, Dim, TableDef, Type, Unit};
use crate::syntax::ast::{Modifier, Table};
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
            let hint = did_you_mean(&decl.ty.name, ColumnType::NAMES.iter().copied())
                .unwrap_or_else(|| format!("column types: {}", ColumnType::NAMES.join(", ")));
            diags.push(
                Diagnostic::error(
                    Code::InvalidColumn,
                    decl.ty.span,
                    format!("unknown column type `{}`", decl.ty.name),
                )
                .label("not a column type")
                .help(hint),
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
                        let hint = did_you_mean(other, FLAGS.iter().copied().chain(["unit"]))
                            .unwrap_or_else(|| {
                                "modifiers: key, optional, time, dimension, -> TABLE, unit UNIT"
                                    .into()
                            });
                        diags.push(
                            Diagnostic::error(
                                Code::InvalidColumn,
                                flag.span,
                                format!("unknown column modifier `{other}`"),
                            )
                            .label("not a modifier")
                            .help(hint),
                        );
                    }
                },
                Modifier::Relation { target, .. } => col.relation = Some(target.name.clone()),
                Modifier::Unit { unit, span } => {
                    let parsed = Unit::parse(&unit.name);
                    match (parsed, ty) {
                        (None, _) => {
                            let hint = did_you_mean(&unit.name, Unit::NAMES.iter().copied())
                                .unwrap_or_else(|| format!("units: {}", Unit::NAMES.join(", ")));
                            diags.push(
                                Diagnostic::error(
                                    Code::InvalidColumn,
                                    unit.span,
                                    format!("unknown unit `{}`", unit.name),
                                )
                                .label("not a unit")
                                .help(hint),
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
    TableDef {
        name: table.name.name.clone(),
        span: table.name.span,
        columns,
        time_column: time_column.map(|(name, _)| name),
        key,
        account_column,
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
                    let hint = did_you_mean(&target.name, tables.keys().map(String::as_str))
                        .unwrap_or_else(|| "declare the table, or remove the relation".into());
                    diags.push(
                        Diagnostic::error(
                            Code::UnknownName,
                            target.span,
                            format!("no table named `{}`", target.name),
                        )
                        .label("unknown table")
                        .help(hint),
                    );
                }
            }
        }
    }
}
