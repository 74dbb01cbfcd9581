//! Each item of the two catalogs compared: added, removed, renamed (the same
//! definition under a new id) or changed, every difference classed as formula,
//! output metadata, documentation, or no semantic change.

use super::canon::{Forms, Interner, same_shallow};
use super::describe::{Ctx, describe};
use super::formula::formatted;
use super::report::{Change, Class, Detail, FormulaChange, ItemKind, Status, Step};
use crate::Checked;
use crate::ir::{Catalog, DocValue, KpiDef, MeasureDef};
use std::collections::{HashMap, VecDeque};

/// The changes, the renames, and the items whose own edit changes values (where
/// impact starts).
pub struct Compared {
    pub changes: Vec<Change>,
    /// Old id → new id of renamed measures and KPIs.
    pub rename: HashMap<String, String>,
    /// Changed items whose value (or, for a table, whose rows) changed by their own edit.
    pub roots: Vec<Step>,
}

/// Compares the old catalog with the new.
///
/// Linear in the catalogs' size: items are paired by id through hash maps, and an
/// item's formula is formed (canonical forms, `canon.rs`) only when its old and new
/// trees differ; every other field is compared in place, and text is written only for
/// a difference found.
///
/// Why an item whose source text is the same on both sides is still checked and
/// walked, not skipped: its checked tree depends on more than its text. A name in it
/// may now be a measure rather than a KPI, a column path may follow another relation
/// once a table changed, a type may come from a measure that changed. Text equality
/// is used where it is exact, for parsing (`parse.rs`: a tree depends on the item's
/// text alone); here the trees are compared, which costs one walk per item. The
/// impact walk (`impact.rs`) then goes over the whole new catalog's dependencies and
/// tables read, so a change reaches every item through what it uses, whatever its
/// text.
pub fn compare(old: &Checked, new: &Checked) -> Compared {
    let (o, n) = (&old.catalog, &new.catalog);
    let mut interner = Interner::default();
    let none = HashMap::new();
    let mut new_forms = Forms::new(n, &none);
    let rename = renames(
        o,
        n,
        &mut Forms::new(o, &none),
        &mut new_forms,
        &mut interner,
    );
    // The old side read with renamed names as their new ones, so an item that only
    // uses a renamed one is unchanged.
    let mut old_forms = Forms::new(o, &rename);
    let back: HashMap<&str, &str> = rename
        .iter()
        .map(|(a, b)| (b.as_str(), a.as_str()))
        .collect();
    // The formulas edited (shallow forms differ), each with whether its meaning changed
    // (deep forms differ); formed here, before the describing below reads the forms.
    let mut edits: HashMap<&str, bool> = HashMap::new();
    // A measure pairs with a measure, a KPI with a KPI, as below.
    let measures = n.measures.values().filter_map(|m| {
        let was = back.get(m.id.as_str()).copied().unwrap_or(&m.id);
        o.measures
            .get(was)
            .map(|w| (w.id.as_str(), &w.formula, m.id.as_str(), &m.formula))
    });
    let kpis = n.kpis.values().filter_map(|k| {
        let was = back.get(k.id.as_str()).copied().unwrap_or(&k.id);
        o.kpis
            .get(was)
            .map(|w| (w.id.as_str(), &w.formula, k.id.as_str(), &k.formula))
    });
    for (was, before, id, now) in measures.chain(kpis) {
        if same_shallow(before, now, &rename) || old_forms.shallow(before) == new_forms.shallow(now)
        {
            continue;
        }
        let differs = old_forms.deep(was, &mut interner) != new_forms.deep(id, &mut interner);
        edits.insert(id, differs);
    }
    let oc = Ctx {
        catalog: o,
        forms: &old_forms,
        sources: &old.sources,
        interner: &interner,
    };
    let nc = Ctx {
        catalog: n,
        forms: &new_forms,
        sources: &new.sources,
        interner: &interner,
    };
    let mut out = Compared {
        changes: Vec::new(),
        rename: HashMap::new(),
        roots: Vec::new(),
    };
    super::tables::tables(o, n, &mut out);
    for m in n.measures.values() {
        let was = back.get(m.id.as_str()).copied().unwrap_or(&m.id);
        match o.measures.get(was) {
            None => out.push(change(
                ItemKind::Measure,
                &m.id,
                Status::Added,
                None,
                vec![detail(
                    Class::None,
                    format!("added: `{}`", one(&m.formula_source)),
                )],
            )),
            Some(w) => measure(&oc, &nc, edits.get(m.id.as_str()).copied(), w, m, &mut out),
        }
    }
    for m in o.measures.values() {
        if !n.measures.contains_key(&m.id) && !rename.contains_key(&m.id) {
            out.push(change(
                ItemKind::Measure,
                &m.id,
                Status::Removed,
                None,
                vec![detail(
                    Class::None,
                    format!("removed (was `{}`)", one(&m.formula_source)),
                )],
            ));
        }
    }
    for k in n.kpis.values() {
        let was = back.get(k.id.as_str()).copied().unwrap_or(&k.id);
        match o.kpis.get(was) {
            None => {
                out.roots.push(step(ItemKind::Kpi, &k.id));
                out.push(change(
                    ItemKind::Kpi,
                    &k.id,
                    Status::Added,
                    None,
                    vec![detail(
                        Class::Formula,
                        format!("added: `{}`", one(&k.formula_source)),
                    )],
                ));
            }
            Some(w) => kpi(
                &oc,
                &nc,
                (edits.get(k.id.as_str()).copied(), &rename),
                w,
                k,
                &mut out,
            ),
        }
    }
    for k in o.kpis.values() {
        if !n.kpis.contains_key(&k.id) && !rename.contains_key(&k.id) {
            out.push(change(
                ItemKind::Kpi,
                &k.id,
                Status::Removed,
                None,
                vec![detail(
                    Class::Formula,
                    format!("removed (was `{}`)", one(&k.formula_source)),
                )],
            ));
        }
    }
    super::others::benchmarks(o, n, &rename, &mut out.changes);
    super::others::categories(o, n, &mut out.changes);
    out.changes.retain(|c| !c.details.is_empty());
    out.rename = rename;
    out
}

impl Compared {
    /// Adds a change.
    pub fn push(&mut self, c: Change) {
        self.changes.push(c);
    }
}

fn one(source: &str) -> String {
    crate::fmt::one_line(source)
}

/// A step of a path.
pub fn step(item: ItemKind, id: &str) -> Step {
    Step {
        item,
        id: id.to_string(),
    }
}

/// A detail line.
pub fn detail(class: Class, text: String) -> Detail {
    Detail { class, text }
}

/// A change with its class taken from its details.
pub fn change(
    item: ItemKind,
    id: &str,
    status: Status,
    renamed_from: Option<&str>,
    details: Vec<Detail>,
) -> Change {
    Change {
        item,
        id: id.to_string(),
        status,
        class: details.iter().map(|d| d.class).max().unwrap_or(Class::None),
        renamed_from: renamed_from.map(str::to_string),
        details,
        formula: None,
    }
}

/// Measures and KPIs gone under one id and come under another with the same meaning
/// (deep form, and for KPIs unit, direction and breakdown), paired in catalog order.
fn renames(
    o: &Catalog,
    n: &Catalog,
    old: &mut Forms,
    new: &mut Forms,
    interner: &mut Interner,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut added: HashMap<(u32, String), VecDeque<&str>> = HashMap::new();
    for m in n
        .measures
        .values()
        .filter(|m| !o.measures.contains_key(&m.id))
    {
        if let Some(d) = new.deep(&m.id, interner) {
            let key = (d, format!("m{:?}", m.unit));
            added.entry(key).or_default().push_back(&m.id);
        }
    }
    for k in n.kpis.values().filter(|k| !o.kpis.contains_key(&k.id)) {
        if let Some(d) = new.deep(&k.id, interner) {
            added.entry((d, kpi_key(k))).or_default().push_back(&k.id);
        }
    }
    // Nothing added, nothing renamed: the gone items need no forms.
    if added.is_empty() {
        return out;
    }
    let gone_measures = o
        .measures
        .values()
        .filter(|m| !n.measures.contains_key(&m.id));
    for m in gone_measures {
        if let Some(d) = old.deep(&m.id, interner) {
            let key = (d, format!("m{:?}", m.unit));
            if let Some(id) = added.get_mut(&key).and_then(VecDeque::pop_front) {
                out.insert(m.id.clone(), id.to_string());
            }
        }
    }
    for k in o.kpis.values().filter(|k| !n.kpis.contains_key(&k.id)) {
        let Some(d) = old.deep(&k.id, interner) else {
            continue;
        };
        if let Some(id) = added
            .get_mut(&(d, kpi_key(k)))
            .and_then(VecDeque::pop_front)
        {
            out.insert(k.id.clone(), id.to_string());
        }
    }
    out
}

/// What besides the formula a KPI must keep to count as renamed.
fn kpi_key(k: &KpiDef) -> String {
    format!("k{:?}{:?}{:?}", k.unit, k.better, k.breakdown)
}

/// The formula of a measure or KPI compared: a change of its own text that changes
/// its meaning (described), a rewrite with the same meaning, or nothing (a change of
/// meaning through a measure it uses is impact, found later).
fn formula(
    oc: &Ctx,
    nc: &Ctx,
    edit: Option<bool>,
    (a, b): (&crate::ir::TExpr, &crate::ir::TExpr),
    (src_a, src_b): (&str, &str),
    details: &mut Vec<Detail>,
) -> Option<FormulaChange> {
    // `None`: not edited; `Some(differs)`: edited, its meaning changed or not.
    let differs = edit?;
    if !differs {
        details.push(detail(
            Class::None,
            "formula rewritten, same meaning (measures expanded)".into(),
        ));
        return None;
    }
    match describe(oc, nc, a, b) {
        Some(text) => {
            details.push(detail(Class::Formula, text));
            None
        }
        None => {
            details.push(detail(Class::Formula, "formula changed".into()));
            Some(FormulaChange {
                old: formatted(src_a),
                new: formatted(src_b),
            })
        }
    }
}

fn measure(
    oc: &Ctx,
    nc: &Ctx,
    edit: Option<bool>,
    w: &MeasureDef,
    m: &MeasureDef,
    out: &mut Compared,
) {
    // Nothing differs, the usual case: no text written.
    if w.id == m.id && edit.is_none() && w.unit == m.unit && w.description == m.description {
        return;
    }
    let mut details = Vec::new();
    let renamed = (w.id != m.id).then_some(w.id.as_str());
    if let Some(from) = renamed {
        details.push(detail(
            Class::None,
            format!("renamed from `{from}` (same definition)"),
        ));
    }
    let f = formula(
        oc,
        nc,
        edit,
        (&w.formula, &m.formula),
        (&w.formula_source, &m.formula_source),
        &mut details,
    );
    let value_changed = details.iter().any(|d| d.class == Class::Formula);
    if w.unit != m.unit {
        details.push(detail(
            Class::Output,
            format!("unit: {} → {}", opt_unit(w.unit), opt_unit(m.unit)),
        ));
    }
    if w.description != m.description {
        details.push(detail(Class::Documentation, "description changed".into()));
    }
    if value_changed {
        out.roots.push(step(ItemKind::Measure, &m.id));
    }
    let status = if renamed.is_some() {
        Status::Renamed
    } else {
        Status::Changed
    };
    let mut c = change(ItemKind::Measure, &m.id, status, renamed, details);
    c.formula = f;
    out.push(c);
}

fn opt_unit(u: Option<crate::ir::Unit>) -> &'static str {
    u.map_or("none", |u| u.as_str())
}

fn kpi(
    oc: &Ctx,
    nc: &Ctx,
    (edit, rename): (Option<bool>, &HashMap<String, String>),
    w: &KpiDef,
    k: &KpiDef,
    out: &mut Compared,
) {
    // Nothing differs, the usual case: no text written. The fields are those compared
    // below.
    let docs_equal = || {
        w.docs
            .iter()
            .zip(k.docs.iter())
            .all(|((_, a), (_, b))| same_doc(a, b))
    };
    if w.id == k.id
        && edit.is_none()
        && w.unit == k.unit
        && w.better == k.better
        && w.breakdown == k.breakdown
        && w.name == k.name
        && w.category == k.category
        && w.tags == k.tags
        && w.cadence == k.cadence
        && super::targets::unchanged(w, k)
        && docs_equal()
    {
        return;
    }
    let mut details = Vec::new();
    let renamed = (w.id != k.id).then_some(w.id.as_str());
    if let Some(from) = renamed {
        details.push(detail(
            Class::Output,
            format!("renamed from `{from}` (same definition)"),
        ));
    }
    let f = formula(
        oc,
        nc,
        edit,
        (&w.formula, &k.formula),
        (&w.formula_source, &k.formula_source),
        &mut details,
    );
    if details.iter().any(|d| d.class == Class::Formula) {
        out.roots.push(step(ItemKind::Kpi, &k.id));
    }
    let mut field = |class, name: &str, a: String, b: String| {
        if a != b {
            details.push(detail(class, format!("{name}: {a} → {b}")));
        }
    };
    field(
        Class::Output,
        "unit",
        w.unit.as_str().into(),
        k.unit.as_str().into(),
    );
    field(
        Class::Output,
        "better",
        w.better.as_str().into(),
        k.better.as_str().into(),
    );
    let breakdown = |k: &KpiDef| {
        k.breakdown
            .as_ref()
            .map_or("none".to_string(), |b| format!("{}.{}", b.table, b.column))
    };
    field(Class::Output, "breakdown", breakdown(w), breakdown(k));
    field(Class::Output, "name", quoted(&w.name), quoted(&k.name));
    field(
        Class::Output,
        "category",
        w.category.clone(),
        k.category.clone(),
    );
    field(Class::Output, "tags", list(&w.tags), list(&k.tags));
    let cadence = |k: &KpiDef| k.cadence.map_or("none", |c| c.as_str()).to_string();
    field(Class::Documentation, "cadence", cadence(w), cadence(k));
    // A target or thresholds change the status shown, never the value: no root.
    super::targets::compare(w, k, rename, &mut details);
    let docs: Vec<&str> = w
        .docs
        .iter()
        .zip(k.docs.iter())
        .filter(|((_, a), (_, b))| !same_doc(*a, *b))
        .map(|((info, _), _)| info.field)
        .collect();
    if !docs.is_empty() {
        details.push(detail(
            Class::Documentation,
            format!("documentation changed: {}", docs.join(", ")),
        ));
    }
    let status = if renamed.is_some() {
        Status::Renamed
    } else {
        Status::Changed
    };
    let mut c = change(ItemKind::Kpi, &k.id, status, renamed, details);
    c.formula = f;
    out.push(c);
}

/// Whether a documentation attribute has the same value on both sides.
fn same_doc(a: DocValue, b: DocValue) -> bool {
    match (a, b) {
        (DocValue::Text(a), DocValue::Text(b)) => a == b,
        (DocValue::List(a), DocValue::List(b)) => a == b,
        _ => false,
    }
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}
