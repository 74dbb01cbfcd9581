//! Lowering field blocks (categories, measures, KPIs, benchmarks) to the IR, with the
//! checks that belong to one item: required fields, declared unit against the
//! formula, references to categories and other KPIs, breakdowns, documentation.

use super::Set;
use super::fields::{
    BENCHMARK_FIELDS, CATEGORY_FIELDS, Fields, KPI_FIELDS, MEASURE_FIELDS, one_of,
};
use super::typing::{Env, ValueInfo, type_formula};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::ir::*;
use crate::source::SourceMap;
use crate::syntax::ast::{BinaryOp, Block, Expr, ExprKind, Ident};

const DIRECTIONS: &[&str] = &["higher", "lower"];
const CADENCES: &[&str] = &["weekly", "monthly", "quarterly", "yearly"];

/// A category item.
pub fn lower_category(b: &Block, diags: &mut Vec<Diagnostic>) -> Option<CategoryDef> {
    let f = Fields::new(b, CATEGORY_FIELDS, diags);
    f.require(&["name"], diags);
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
    let is_kpi = b.kind.name == "kpi";
    let f = Fields::new(b, if is_kpi { KPI_FIELDS } else { MEASURE_FIELDS }, diags);
    if is_kpi {
        f.require(&["name", "category", "unit", "better", "formula"], diags);
    } else {
        f.require(&["formula"], diags);
    }
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
    };
    let mut depends_on = typed.refs.clone();
    depends_on.dedup();
    let formula_source = sources.text(formula.span).to_string();
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
        .filter(|w| one_of(w, "better", DIRECTIONS, diags));
    let cadence = f
        .word("cadence", diags)
        .filter(|w| one_of(w, "cadence", CADENCES, diags));
    let tags = f
        .word_list("tags", diags)
        .into_iter()
        .map(|t| t.name)
        .collect();
    let breakdown = check_breakdown(&f, &typed.tables, catalog, diags);
    if let Some((Unit::Percent, _)) = &unit {
        lint_times_hundred(formula, diags);
    }
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
        better: if better.name == "higher" {
            Direction::Higher
        } else {
            Direction::Lower
        },
        cadence: cadence.map(|c| match c.name.as_str() {
            "weekly" => Cadence::Weekly,
            "monthly" => Cadence::Monthly,
            "quarterly" => Cadence::Quarterly,
            _ => Cadence::Yearly,
        }),
        tags,
        breakdown,
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
    let hint =
        did_you_mean(&c.name, catalog.categories.keys().map(String::as_str)).unwrap_or_else(|| {
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
        .help(hint),
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
    let ExprKind::Path {
        head,
        member: Some(member),
    } = &e.kind
    else {
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

fn lower_docs(f: &Fields, kpi_ids: &Set<&str>, diags: &mut Vec<Diagnostic>) -> Docs {
    let kpi_refs = |field: &str, diags: &mut Vec<Diagnostic>| -> Vec<String> {
        f.word_list(field, diags)
            .into_iter()
            .filter(|id| {
                if kpi_ids.contains(id.name.as_str()) {
                    return true;
                }
                let hint = did_you_mean(&id.name, kpi_ids.iter().copied())
                    .unwrap_or_else(|| format!("`{field}` lists KPI ids declared in the catalog"));
                diags.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        id.span,
                        format!("no KPI named `{}`", id.name),
                    )
                    .label("unknown KPI")
                    .help(hint),
                );
                false
            })
            .map(|id| id.name)
            .collect()
    };
    Docs {
        affects: kpi_refs("affects", diags),
        related: kpi_refs("related", diags),
        definition: f.text("definition", diags),
        insights: f.text("insights", diags),
        measurement: f.text("measurement", diags),
        trend: f.text("trend", diags),
        questions: f.text_list("questions", diags),
        tips: f.text_list("tips", diags),
        visualization: f.text_list("visualization", diags),
        risks: f.text_list("risks", diags),
        tools: f.text_list("tools", diags),
        integration: f.text_list("integration", diags),
        impact: f.text("impact", diags),
    }
}

/// The documentation attributes every KPI should carry (K0401).
pub const DOC_FIELDS: &[&str] = &[
    "definition",
    "insights",
    "measurement",
    "trend",
    "questions",
    "tips",
    "visualization",
    "risks",
    "tools",
    "integration",
    "impact",
    "affects",
];

fn lint_docs(b: &Block, f: &Fields, diags: &mut Vec<Diagnostic>) {
    let missing: Vec<&str> = DOC_FIELDS
        .iter()
        .copied()
        .filter(|d| f.get(d).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let list = missing.join(", ");
    diags.push(
        Diagnostic::warning(
            Code::MissingDoc,
            b.name.span,
            format!(
                "KPI `{}` lacks {} documentation attribute{}: {list}",
                b.name.name,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            ),
        )
        .label("incomplete documentation")
        .help("every catalog KPI documents all twelve attributes; see LANGUAGE.md, KPIs"),
    );
}

/// A benchmark item, its value checked against the KPI's unit.
pub fn lower_benchmark(
    b: &Block,
    catalog: &Catalog,
    kpi_ids: &Set<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<BenchmarkDef> {
    let f = Fields::new(b, BENCHMARK_FIELDS, diags);
    f.require(&["kpi", "source", "as_of"], diags);
    let kpi = f.word("kpi", diags)?;
    if !kpi_ids.contains(kpi.name.as_str()) {
        let hint = did_you_mean(&kpi.name, kpi_ids.iter().copied())
            .unwrap_or_else(|| "name a declared KPI".into());
        diags.push(
            Diagnostic::error(
                Code::UnknownName,
                kpi.span,
                format!("no KPI named `{}`", kpi.name),
            )
            .label("unknown KPI")
            .help(hint),
        );
        return None;
    }
    let value = f.number("value", diags);
    let low = f.number("low", diags);
    let high = f.number("high", diags);
    match (&value, &low, &high) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => {}
        _ => diags.push(
            Diagnostic::error(
                Code::MissingField,
                b.name.span,
                "a benchmark has either `value` or both `low` and `high`",
            )
            .label("give one value or a range")
            .help("e.g. `value: 21%`, or `low: 15%` and `high: 25%`"),
        ),
    }
    if let (Some((lo, _, _)), Some((hi, _, e))) = (&low, &high)
        && lo > hi
    {
        diags.push(
            Diagnostic::error(Code::InvalidValue, e.span, "`high` is below `low`")
                .label("the range is reversed")
                .help("swap `low` and `high`"),
        );
    }
    if let Some(def) = catalog.kpis.get(&kpi.name) {
        for (_, percent, e) in [&value, &low, &high].into_iter().flatten() {
            let plain = matches!(def.unit, Unit::Percent | Unit::Ratio | Unit::Number);
            if *percent && !plain {
                diags.push(
                    Diagnostic::error(
                        Code::DeclaredUnit,
                        e.span,
                        format!(
                            "a percentage for `{}`, which is measured in {}",
                            def.id,
                            def.unit.as_str()
                        ),
                    )
                    .label("a percentage")
                    .help(format!("give the benchmark in {}", def.unit.as_str())),
                );
            } else if def.unit == Unit::Percent && !*percent {
                diags.push(
                    Diagnostic::error(
                        Code::DeclaredUnit,
                        e.span,
                        format!(
                            "`{}` is a percent KPI; write the benchmark with `%`",
                            def.id
                        ),
                    )
                    .label("a plain number")
                    .help("e.g. `value: 21%` (not 21 or 0.21), so the unit is unmistakable"),
                );
            }
        }
    }
    Some(BenchmarkDef {
        id: b.name.name.clone(),
        kpi: kpi.name,
        value: value.map(|v| v.0),
        low: low.map(|v| v.0),
        high: high.map(|v| v.0),
        segment: f.text("segment", diags),
        source: f.text("source", diags)?,
        url: f.text("url", diags),
        as_of: f.date("as_of", diags),
        note: f.text("note", diags),
        span: b.name.span,
    })
}
