//! Lowering categories, measures and KPIs to the IR, with the checks that belong to
//! one item: required fields, declared unit against the formula, the category,
//! breakdowns and the `* 100` lint. Documentation attributes are in `docs.rs`,
//! benchmarks in `benchmarks.rs`.

use super::Set;
use super::docs::{lint_docs, lower_docs};
use super::fields::{Fields, one_of};
use super::typing::{Env, ValueInfo, type_formula};
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::*;
use crate::source::SourceMap;
use crate::syntax::ast::{Block, Expr, ExprKind, Ident};
use crate::vocab::{BinaryOp, ItemKind};

/// A category item.
pub fn lower_category(b: &Block, diags: &mut Vec<Diagnostic>) -> Option<CategoryDef> {
    let f = Fields::new(b, ItemKind::Category, diags);
    f.require(diags);
    Some(CategoryDef {
        id: b.name.name.clone(),
        name: f.text("name", diags)?,
        description: f.text("description", diags),
        span: b.name.span,
    })
}

/// The lowered form of a measure or KPI.
pub enum FormulaDef {
    Measure(MeasureDef),
    Kpi(Box<KpiDef>),
    /// The item had errors that leave no usable definition.
    None,
}

/// A measure or KPI with what later formulas need to know of it.
pub struct Lowered {
    pub def: FormulaDef,
    pub info: ValueInfo,
}

/// Lowers a measure or KPI: types its formula and checks its fields.
pub fn lower_formula_item(
    b: &Block,
    env: &Env,
    catalog: &Catalog,
    kpi_ids: &Set<&str>,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<Lowered> {
    let kind = match ItemKind::from_keyword(&b.kind.name) {
        Some(ItemKind::Kpi) => ItemKind::Kpi,
        _ => ItemKind::Measure,
    };
    let is_kpi = kind == ItemKind::Kpi;
    let f = Fields::new(b, kind, diags);
    f.require(diags);
    let formula = f.expr("formula", diags)?;
    let typed = type_formula(env, formula, diags);
    let unit = f
        .word("unit", diags)
        .and_then(|w| one_of(&w, "unit", Unit::NAMES, diags).then(|| (Unit::parse(&w.name), w)))
        .and_then(|(u, w)| u.map(|u| (u, w)));
    if let (Some((unit, word)), Type::Number(dim)) = (&unit, typed.expr.ty) {
        if !unit.accepts(dim) {
            diags.push(
                Diagnostic::error(
                    Code::DeclaredUnit,
                    formula.span,
                    format!(
                        "the formula yields {}, but `{}` is declared `{}`",
                        dim.name(),
                        b.name.name,
                        unit.as_str()
                    ),
                )
                .label(format!("this is {}", dim.name()))
                .with(word.span, "declared here")
                .help(unit_help(*unit, dim)),
            );
        }
    } else if let (
        Some((unit, word)),
        ty @ (Type::Bool | Type::Text | Type::Date | Type::DateTime),
    ) = (&unit, typed.expr.ty)
    {
        diags.push(
            Diagnostic::error(
                Code::DeclaredUnit,
                formula.span,
                format!(
                    "the formula yields {}, not a number in `{}`",
                    ty.describe(),
                    unit.as_str()
                ),
            )
            .label(format!("this is {}", ty.describe()))
            .with(word.span, "declared here")
            .help("a KPI's value is a number; count or sum rows where the condition holds"),
        );
    }
    let info = ValueInfo {
        ty: typed.expr.ty,
        span: b.name.span,
        tables: typed.tables.clone(),
        per: typed.per,
    };
    let mut depends_on = typed.refs.clone();
    depends_on.dedup();
    // On one line: `kpic fmt` breaks long formulas, and they are shown inline.
    let formula_source = crate::fmt::one_line(sources.text(formula.span));
    if !is_kpi {
        let def = FormulaDef::Measure(MeasureDef {
            id: b.name.name.clone(),
            unit: unit.map(|(u, _)| u),
            description: f.text("description", diags),
            formula: typed.expr,
            formula_source,
            depends_on,
            span: b.name.span,
        });
        return Some(Lowered { def, info });
    }

    let name = f.text("name", diags);
    let category = f
        .word("category", diags)
        .filter(|c| known_category(c, catalog, diags));
    let better = f
        .word("better", diags)
        .and_then(|w| {
            one_of(&w, "better", Direction::NAMES, diags).then(|| Direction::parse(&w.name))
        })
        .flatten();
    let cadence = f
        .word("cadence", diags)
        .and_then(|w| one_of(&w, "cadence", Cadence::NAMES, diags).then(|| Cadence::parse(&w.name)))
        .flatten();
    let tags = f
        .word_list("tags", diags)
        .into_iter()
        .map(|t| t.name)
        .collect();
    let breakdown = check_breakdown(&f, &typed.tables, catalog, diags);
    if let Some((Unit::Percent, _)) = &unit {
        lint_times_hundred(formula, diags);
    }
    let (target, status) = match (&unit, better) {
        (Some((unit, _)), Some(better)) => {
            let ctx = super::targets::KpiContext {
                id: &b.name.name,
                unit: *unit,
                better,
            };
            super::targets::lower_targets(&f, &ctx, env, catalog, sources, diags)
        }
        _ => (None, None),
    };
    let min_sample = super::sample::lower_min_sample(&f, diags);
    let docs = lower_docs(&f, kpi_ids, diags);
    lint_docs(b, &f, diags);

    let (Some(name), Some(category), Some((unit, _)), Some(better)) =
        (name, category, unit, better)
    else {
        return Some(Lowered {
            def: FormulaDef::None,
            info,
        });
    };
    let kpi = KpiDef {
        id: b.name.name.clone(),
        name,
        category: category.name,
        unit,
        better,
        cadence,
        tags,
        breakdown,
        target,
        status,
        min_sample,
        formula: typed.expr,
        formula_source,
        docs,
        depends_on,
        file: sources.get(b.span.file).name.clone(),
        span: b.name.span,
    };
    Some(Lowered {
        def: FormulaDef::Kpi(Box::new(kpi)),
        info,
    })
}

fn unit_help(unit: Unit, dim: Dim) -> String {
    match (unit, dim) {
        (Unit::Percent | Unit::Ratio, Dim::Money) => {
            "a percentage is a ratio of like to like: divide by another money amount, e.g. `profit / revenue`".into()
        }
        (Unit::Money, Dim::Plain) => "money / money is a ratio; declare `unit: percent` or `ratio`".into(),
        (Unit::Days, Dim::Hours) => "this formula measures hours; declare `unit: hours`".into(),
        _ => format!("declare the unit the formula yields ({}), or change the formula", dim.name()),
    }
}

fn known_category(c: &Ident, catalog: &Catalog, diags: &mut Vec<Diagnostic>) -> bool {
    if catalog.categories.contains_key(&c.name) {
        return true;
    }
    let close = closest(&c.name, catalog.categories.keys().map(String::as_str));
    let hint = close.as_deref().map(mean).unwrap_or_else(|| {
        if catalog.categories.is_empty() {
            "no categories are declared; add `category NAME { name: \"...\" }`".into()
        } else {
            format!(
                "categories: {}",
                catalog
                    .categories
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    });
    diags.push(
        Diagnostic::error(
            Code::UnknownCategory,
            c.span,
            format!("unknown category `{}`", c.name),
        )
        .label("not a declared category")
        .help(hint)
        .fix_name(c.span, close.as_deref()),
    );
    false
}

fn check_breakdown(
    f: &Fields,
    formula_tables: &std::collections::BTreeSet<String>,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Option<ColumnRef> {
    let e = f.expr("breakdown", diags)?;
    // A breakdown splits the rows of its own table: a followed relation is not one.
    let (head, member) = match &e.kind {
        ExprKind::Path {
            head,
            member: Some(member),
            hops,
        } if hops.is_empty() => (head, member),
        ExprKind::Path {
            head,
            member: Some(_),
            ..
        } => {
            diags.push(
                Diagnostic::error(
                    Code::InvalidBreakdown,
                    e.span,
                    "`breakdown` must be a column of its own table",
                )
                .label("a column read through a relation")
                .help(format!(
                    "a breakdown splits the rows of `{}` by one of its dimensions; to keep only some parents' rows, filter the aggregate by this column",
                    head.name
                )),
            );
            return None;
        }
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::InvalidBreakdown,
                    e.span,
                    "`breakdown` must be a `table.column`",
                )
                .label("not a column")
                .help("e.g. `breakdown: opportunities.stage`"),
            );
            return None;
        }
    };
    let column = catalog
        .tables
        .get(&head.name)
        .and_then(|t| t.columns.get(&member.name));
    let Some(column) = column else {
        diags.push(
            Diagnostic::error(
                Code::UnknownName,
                e.span,
                format!("no column `{}.{}`", head.name, member.name),
            )
            .label("unknown column")
            .help("name a declared dimension column"),
        );
        return None;
    };
    if !column.dimension {
        diags.push(
            Diagnostic::error(
                Code::InvalidBreakdown,
                e.span,
                format!("`{}.{}` is not a dimension", head.name, member.name),
            )
            .label("not marked `dimension`")
            .with(column.span, "declared here")
            .help("mark the column `dimension` in its table"),
        );
        return None;
    }
    let others: Vec<&str> = formula_tables
        .iter()
        .filter(|t| **t != head.name)
        .map(String::as_str)
        .collect();
    if !others.is_empty() || formula_tables.is_empty() {
        diags.push(
            Diagnostic::error(
                Code::InvalidBreakdown,
                e.span,
                format!(
                    "the formula must aggregate only `{}` to be broken down by its column",
                    head.name
                ),
            )
            .label(format!("splits rows of `{}`", head.name))
            .help(if others.is_empty() {
                "the formula aggregates no table".to_string()
            } else {
                format!("the formula also reads {}", others.join(", "))
            }),
        );
        return None;
    }
    Some(ColumnRef {
        table: head.name.clone(),
        column: member.name.clone(),
    })
}

/// K0402: `... * 100` at the top of a percent KPI.
fn lint_times_hundred(formula: &Expr, diags: &mut Vec<Diagnostic>) {
    let is_hundred = |e: &Expr| matches!(&e.kind, ExprKind::Number { value, percent: false, .. } if *value == 100.0);
    if let ExprKind::Binary {
        op: BinaryOp::Mul,
        left,
        right,
        op_span,
    } = &formula.kind
    {
        let hundred = if is_hundred(right) {
            Some(right.span)
        } else if is_hundred(left) {
            Some(left.span)
        } else {
            None
        };
        if let Some(span) = hundred {
            diags.push(
                Diagnostic::warning(Code::PercentTimesHundred, op_span.to(span), "percent KPI multiplied by 100")
                    .label("kpic already shows the fraction as a percentage")
                    .help("remove `* 100`: a percent formula yields a fraction such as 0.35, shown as 35%"),
            );
        }
    }
}
