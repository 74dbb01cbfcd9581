//! The shipped catalog (`kpis/`) and the illustrative benchmarks in `examples/` check
//! with no errors and no warnings, and hold what the brief asks for.

use std::collections::BTreeMap;

fn shipped() -> kpic::Checked {
    kpic::check_paths(&["kpis".into(), "examples/benchmarks.kpi".into()]).expect("catalog loads")
}

#[test]
fn catalog_is_clean() {
    let checked = shipped();
    let rendered = kpic::diagnostic::human::render(
        &checked.diagnostics,
        &checked.sources,
        kpic::diagnostic::human::Style {
            color: false,
            width: 100,
        },
    );
    assert!(checked.diagnostics.is_empty(), "{rendered}");
}

#[test]
fn catalog_has_53_kpis_in_seven_categories_and_twelve_top_kpis() {
    let catalog = shipped().catalog;
    assert_eq!(catalog.kpis.len(), 53);
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for k in catalog.kpis.values() {
        *per_category.entry(k.category.as_str()).or_default() += 1;
    }
    assert_eq!(per_category.len(), 7, "{per_category:?}");
    assert!(per_category.values().all(|n| *n >= 5), "{per_category:?}");
    let top: Vec<&str> = catalog
        .kpis
        .values()
        .filter(|k| k.tags.iter().any(|t| t == "top12"))
        .map(|k| k.id.as_str())
        .collect();
    assert_eq!(top.len(), 12, "{top:?}");
}

#[test]
fn every_kpi_documents_all_attributes() {
    for k in shipped().catalog.kpis.values() {
        let d = &k.docs;
        let texts = [
            &d.definition,
            &d.insights,
            &d.measurement,
            &d.trend,
            &d.impact,
        ];
        assert!(
            texts
                .iter()
                .all(|t| t.as_ref().is_some_and(|t| t.len() > 40)),
            "{}",
            k.id
        );
        let lists = [
            &d.questions,
            &d.tips,
            &d.visualization,
            &d.risks,
            &d.tools,
            &d.integration,
        ];
        assert!(lists.iter().all(|l| !l.is_empty()), "{}", k.id);
        assert!(!d.affects.is_empty(), "{} names no affected KPI", k.id);
    }
}
