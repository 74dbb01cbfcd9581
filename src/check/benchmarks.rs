//! Lowering benchmark items: the KPI they refer to, a value or a range, and the value
//! checked against the KPI's unit.

use super::Set;
use super::fields::Fields;
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::*;
use crate::syntax::ast::Block;
use crate::vocab::ItemKind;

/// A benchmark item, its value checked against the KPI's unit.
pub fn lower_benchmark(
    b: &Block,
    catalog: &Catalog,
    kpi_ids: &Set<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<BenchmarkDef> {
    let f = Fields::new(b, ItemKind::Benchmark, diags);
    f.require(diags);
    let kpi = f.word("kpi", diags)?;
    if !kpi_ids.contains(kpi.name.as_str()) {
        let close = closest(&kpi.name, kpi_ids.iter().copied());
        let hint = close
            .as_deref()
            .map(mean)
            .unwrap_or_else(|| "name a declared KPI".into());
        diags.push(
            Diagnostic::error(
                Code::UnknownName,
                kpi.span,
                format!("no KPI named `{}`", kpi.name),
            )
            .label("unknown KPI")
            .help(hint)
            .fix_name(kpi.span, close.as_deref()),
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
