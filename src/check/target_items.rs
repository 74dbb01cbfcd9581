//! Lowering `target` items: a target and status thresholds attached to a KPI declared
//! elsewhere, checked exactly as a KPI's own `target:` and `status:` (see `targets.rs`),
//! with the errors of the attachment itself: no such KPI (K0506), a KPI with its own
//! target (K0507), two items for one KPI (K0508).

use super::Map;
use super::fields::Fields;
use super::targets::{KpiContext, TargetFields, lower_target_fields};
use super::typing::Env;
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::{Catalog, Target, TargetOrigin, Thresholds};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::Block;
use crate::vocab::ItemKind;

/// A checked `target` item: the KPI it applies to, with the target and thresholds
/// that KPI now carries.
pub struct Attached {
    pub kpi: String,
    pub target: Target,
    pub status: Option<Thresholds>,
}

/// Lowers every `target` item against the checked KPIs. `kpi_blocks` are the KPI
/// items as written (a KPI whose definition had errors is not in `catalog` but its
/// id is still known, so no second error names it unknown).
pub fn lower_target_items(
    items: &[&Block],
    kpi_blocks: &[&Block],
    env: &Env,
    catalog: &Catalog,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Attached> {
    let kpis: Map<&str, &Block> = kpi_blocks
        .iter()
        .map(|b| (b.name.name.as_str(), *b))
        .collect();
    // The first item of each KPI, by the span of its `kpi:` reference.
    let mut first: Map<String, Span> = Map::default();
    let mut out = Vec::new();
    for b in items {
        let f = Fields::new(b, ItemKind::Target, diags);
        f.require(diags);
        let source = f.text("source", diags);
        let Some(kpi) = f.word("kpi", diags) else {
            continue;
        };
        let Some(kpi_block) = kpis.get(kpi.name.as_str()) else {
            let close = closest(&kpi.name, kpis.keys().copied());
            let hint = close
                .as_deref()
                .map(mean)
                .unwrap_or_else(|| "name a declared KPI by its id".into());
            diags.push(
                Diagnostic::error(
                    Code::TargetUnknownKpi,
                    kpi.span,
                    format!("no KPI named `{}` for target `{}`", kpi.name, b.name.name),
                )
                .label("unknown KPI")
                .help(hint)
                .fix_name(kpi.span, close.as_deref()),
            );
            continue;
        };
        if let Some(own) = kpi_block.fields.iter().find(|f| f.name.name == "target") {
            diags.push(
                Diagnostic::error(
                    Code::TargetTwice,
                    kpi.span,
                    format!(
                        "`{}` already has its own `target:`; target `{}` would be a second one",
                        kpi.name, b.name.name
                    ),
                )
                .label("this KPI has a target")
                .with(own.name.span, "its own target")
                .help(
                    "a KPI has one target: remove the KPI's `target:` (and `status:`) or this item",
                ),
            );
            continue;
        }
        if let Some(at) = first.get(&kpi.name) {
            diags.push(
                Diagnostic::error(
                    Code::TargetItemTwice,
                    kpi.span,
                    format!(
                        "`{}` has a target already; target `{}` would be a second one",
                        kpi.name, b.name.name
                    ),
                )
                .label("second target for this KPI")
                .with(*at, "first target item for it")
                .help("a KPI has one target: keep one item (a per-period target keys several years in one `by period` map)"),
            );
            continue;
        }
        first.insert(kpi.name.clone(), kpi.span);
        // A KPI whose definition had errors has no unit or direction to check against;
        // its errors are reported already.
        let Some(def) = catalog.kpis.get(&kpi.name) else {
            continue;
        };
        let ctx = KpiContext {
            id: &def.id,
            unit: def.unit,
            better: def.better,
        };
        let fields = TargetFields {
            target: f.get("value"),
            status: f.get("status"),
        };
        let (target, status) = lower_target_fields(&fields, &ctx, env, catalog, sources, diags);
        let (Some(mut target), Some(source)) = (target, source) else {
            continue;
        };
        target.origin = Some(TargetOrigin {
            item: b.name.name.clone(),
            source,
        });
        // Without `status:` here, thresholds the KPI declares itself (absolute ones
        // need no target) still hold; else the defaults.
        let status = match f.get("status") {
            Some(_) => status,
            None => def.status.or(status),
        };
        out.push(Attached {
            kpi: def.id.clone(),
            target,
            status,
        });
    }
    out
}
