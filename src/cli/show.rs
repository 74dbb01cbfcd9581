//! `kpic show KPI`: every attribute of one KPI, laid out for a terminal.

use super::catalog_args::{self, attributes, category_name, pad, paragraphs, wrap};
use super::usage_error;
use kpic::Catalog;
use kpic::diagnostic::did_you_mean;
use kpic::ir::{BenchmarkDef, DocValue, KpiDef, Unit};
use kpic::render::value::exact;
use kpic::vocab::{Attribute, Shape};
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `kpic show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The id of a KPI (e.g. `win_rate`; or its exact name), a measure or a table.
    pub kpi: String,
    /// Files or folders of `.kpi` files (default: the project's, else `kpis/`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
}

/// Runs `kpic show`.
pub fn run(args: Args) -> u8 {
    let checked = match catalog_args::load_checked(args.paths, &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let catalog = &checked.catalog;
    if catalog.kpis.get(&args.kpi).is_none() {
        if let Some(m) = catalog.measures.get(&args.kpi) {
            return catalog_args::emit(&super::show_items::measure(&checked, m));
        }
        if let Some(t) = catalog.tables.get(&args.kpi) {
            return catalog_args::emit(&super::show_items::table(&checked, t));
        }
    }
    match find(catalog, &args.kpi) {
        Ok(kpi) => catalog_args::emit(&render(catalog, kpi)),
        Err(message) => usage_error(message),
    }
}

/// The KPI with this id, or else with this name (ignoring case).
fn find<'c>(catalog: &'c Catalog, wanted: &str) -> Result<&'c KpiDef, String> {
    if let Some(kpi) = catalog.kpis.get(wanted) {
        return Ok(kpi);
    }
    if let Some(kpi) = catalog
        .kpis
        .values()
        .find(|k| k.name.eq_ignore_ascii_case(wanted) || k.id.eq_ignore_ascii_case(wanted))
    {
        return Ok(kpi);
    }
    let mut message = format!("no KPI, measure or table `{wanted}` in the catalog");
    let ids = catalog
        .kpis
        .keys()
        .chain(catalog.measures.keys())
        .chain(catalog.tables.keys())
        .map(String::as_str);
    match did_you_mean(wanted, ids) {
        Some(hint) => write!(message, "\nhelp: {hint}").unwrap(),
        None => {
            message.push_str("\nhelp: `kpic list` lists the KPIs, `kpic search TEXT` finds them")
        }
    }
    Err(message)
}

/// The whole page for one KPI.
fn render(catalog: &Catalog, kpi: &KpiDef) -> String {
    let mut out = String::new();
    let title = format!("{} ({})", kpi.name, kpi.id);
    writeln!(out, "{title}\n{}\n", "=".repeat(title.chars().count())).unwrap();

    let tags = if kpi.tags.is_empty() {
        "none".to_string()
    } else {
        kpi.tags.join(", ")
    };
    let mut facts = vec![
        ("id", kpi.id.clone()),
        (
            "category",
            format!("{} ({})", category_name(catalog, kpi), kpi.category),
        ),
        ("unit", kpi.unit.as_str().to_string()),
        (
            "direction",
            format!("{} is better", catalog_args::direction(kpi.better)),
        ),
        (
            "cadence",
            catalog_args::cadence(kpi.cadence)
                .unwrap_or("not set")
                .to_string(),
        ),
        ("tags", tags),
    ];
    if let Some(b) = &kpi.breakdown {
        facts.push(("breakdown", format!("by {}.{}", b.table, b.column)));
    }
    if let Some(t) = &kpi.target {
        facts.push(("target", t.source.clone()));
        // A target attached by a `target` item: which one, and where it comes from.
        if let Some(o) = &t.origin {
            facts.push(("target from", format!("target {}: {}", o.item, o.source)));
        }
    }
    if let Some(th) = &kpi.status {
        facts.push((
            "status",
            super::show_items::thresholds(th, kpi.unit, kpi.better),
        ));
    }
    facts.push(("defined in", kpi.file.clone()));
    for (label, value) in facts {
        let first = format!("  {}", pad(label, 12));
        out.push_str(&wrap(&value, &first, &" ".repeat(14)));
        out.push('\n');
    }

    section(&mut out, "Formula");
    out.push_str(&wrap(&kpi.formula_source, "  ", "      "));
    out.push('\n');

    section(&mut out, "Depends on");
    let deps = depends_on(catalog, kpi);
    if deps.is_empty() {
        out.push_str("  nothing\n");
    }
    for d in deps {
        bullet(&mut out, &d);
    }

    section(&mut out, "Used by");
    let in_formulas: Vec<String> = catalog
        .dependents(&kpi.id)
        .into_iter()
        .map(str::to_string)
        .collect();
    let in_impact: Vec<String> = catalog_args::ordered(catalog)
        .into_iter()
        .filter(|k| k.docs.list(Attribute::Affects).contains(&kpi.id))
        .map(|k| k.id.clone())
        .collect();
    if in_formulas.is_empty() && in_impact.is_empty() {
        out.push_str("  no other KPI in this catalog\n");
    }
    for (label, ids) in [
        ("In the formulas of:", in_formulas),
        (
            &format!(
                "In the change impact (`{}`) of:",
                Attribute::Affects.field()
            ),
            in_impact,
        ),
    ] {
        if !ids.is_empty() {
            writeln!(out, "  {label}").unwrap();
            kpi_list(&mut out, catalog, &ids, "    ");
        }
    }

    for (info, value) in attributes(kpi) {
        match (info.attribute, value) {
            // Shown inside "Change impact".
            (Attribute::Affects, _) => {}
            (Attribute::Impact, DocValue::Text(text)) => {
                section(&mut out, info.heading);
                text_block(&mut out, text);
                writeln!(out, "\n  {}:", Attribute::Affects.info().heading).unwrap();
                kpi_list(&mut out, catalog, kpi.docs.list(Attribute::Affects), "    ");
            }
            (_, DocValue::List(ids)) if info.shape == Shape::KpiList => {
                section(&mut out, info.heading);
                kpi_list(&mut out, catalog, ids, "  ");
            }
            (_, DocValue::Text(text)) => {
                section(&mut out, info.heading);
                text_block(&mut out, text);
            }
            (_, DocValue::List(items)) => {
                section(&mut out, info.heading);
                if items.is_empty() {
                    out.push_str("  (not documented)\n");
                }
                for item in items {
                    bullet(&mut out, item);
                }
            }
        }
    }

    let benchmarks: Vec<&BenchmarkDef> = catalog
        .benchmarks
        .iter()
        .filter(|b| b.kpi == kpi.id)
        .collect();
    if !benchmarks.is_empty() {
        section(&mut out, "Benchmarks");
        for b in benchmarks {
            benchmark(&mut out, b, kpi.unit);
        }
    }
    out
}

/// A blank line and a heading.
pub(super) fn section(out: &mut String, heading: &str) {
    writeln!(out, "\n{heading}").unwrap();
}

/// An indented, wrapped text block, or a note that it is missing.
fn text_block(out: &mut String, text: Option<&str>) {
    let paras = text.map(paragraphs).unwrap_or_default();
    if paras.is_empty() {
        out.push_str("  (not documented)\n");
    }
    for (i, p) in paras.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&wrap(p, "  ", "  "));
        out.push('\n');
    }
}

/// "  • text", wrapped with a hanging indent.
pub(super) fn bullet(out: &mut String, text: &str) {
    indented_bullet(out, text, "  ");
}

/// `indent` + "• text", wrapped with a hanging indent.
fn indented_bullet(out: &mut String, text: &str, indent: &str) {
    out.push_str(&wrap(text, &format!("{indent}• "), &format!("{indent}  ")));
    out.push('\n');
}

/// Bullets "id — Name" for KPI ids.
fn kpi_list(out: &mut String, catalog: &Catalog, ids: &[String], indent: &str) {
    if ids.is_empty() {
        writeln!(out, "{indent}none").unwrap();
    }
    for id in ids {
        match catalog.kpis.get(id) {
            Some(k) => indented_bullet(out, &format!("{id} — {}", k.name), indent),
            None => indented_bullet(out, id, indent),
        }
    }
}

/// What the formula reads: tables, then the measures and KPIs it names.
fn depends_on(catalog: &Catalog, kpi: &KpiDef) -> Vec<String> {
    let mut out = Vec::new();
    let tables = kpi.formula.tables_read();
    if !tables.is_empty() {
        out.push(format!(
            "table{} {}",
            catalog_args::plural(tables.len()),
            tables.join(", ")
        ));
    }
    for id in &kpi.depends_on {
        if let Some(m) = catalog.measures.get(id) {
            let unit = m
                .unit
                .map(|u| format!(" ({})", u.as_str()))
                .unwrap_or_default();
            let description = m
                .description
                .as_deref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default();
            out.push(format!(
                "measure {id}{unit} = {}{description}",
                m.formula_source
            ));
        } else if let Some(k) = catalog.kpis.get(id) {
            out.push(format!("KPI {id} — {}", k.name));
        } else {
            out.push(id.clone());
        }
    }
    out
}

/// One benchmark: value or range, segment, then source, date, link and note.
fn benchmark(out: &mut String, b: &BenchmarkDef, unit: Unit) {
    let value = match (b.value, b.low, b.high) {
        (Some(v), _, _) => exact(v, unit),
        (None, Some(lo), Some(hi)) => format!("{} to {}", exact(lo, unit), exact(hi, unit)),
        _ => "no value".to_string(),
    };
    let head = match &b.segment {
        Some(s) => format!("{value} — {s}"),
        None => value,
    };
    bullet(out, &head);
    // What the figure is compared with: the accounts and the length of period (as
    // written in the catalog), so a reader sees why a row shows it or not.
    if !b.applies_to.is_empty() {
        let conditions: Vec<String> = b
            .applies_to
            .iter()
            .map(|c| format!("accounts.{} == {:?}", c.column, c.value))
            .collect();
        let line = format!("applies to: {}", conditions.join(" and "));
        out.push_str(&wrap(&line, "    ", "    "));
        out.push('\n');
    }
    if let Some(p) = b.period {
        let line = format!("period: {}", p.name());
        out.push_str(&wrap(&line, "    ", "    "));
        out.push('\n');
    }
    let mut source = format!("source: {}", b.source);
    if let Some(d) = b.as_of {
        write!(source, " (as of {d})").unwrap();
    }
    for line in [Some(source), b.url.clone(), b.note.clone()]
        .into_iter()
        .flatten()
    {
        out.push_str(&wrap(&line, "    ", "    "));
        out.push('\n');
    }
}
