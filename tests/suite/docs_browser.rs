//! `kpic docs` in a real headless Chromium: the index, a KPI page and a category page
//! of the shipped catalog's site load without a console message, the hostile fixture's
//! pages too (its text would show up as CSP violations or script errors), and the
//! search finds a KPI by a word of its definition (`index.html?q=WORD`, applied by the
//! page's script on load). Screenshots are kept in `target/test-artifacts/docs-*.png`.

use crate::support::browser::{self, Page};
use crate::support::cli::kpic;
use std::path::{Path, PathBuf};

/// Writes the site of `catalog` with `kpic docs` into a folder under `target/`.
fn write_site(catalog: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).expect("a folder");
    let out = dir.path().to_str().expect("a UTF-8 path");
    let (code, _, stderr) = kpic(&["docs", catalog, "-o", out]);
    assert_eq!(code, 0, "kpic docs {catalog}: {stderr}");
    dir
}

/// `target/test-artifacts/NAME`.
fn artifact(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/")
        .join("test-artifacts")
        .join(name)
}

fn assert_clean(page: &Page, what: &str) {
    assert!(
        page.console_errors.is_empty(),
        "{what} logged to the console:\n{}",
        page.console_errors.join("\n")
    );
    assert!(
        page.dom.contains("</main>"),
        "{what}: no page in the DOM:\n{}",
        page.dom
    );
}

#[test]
fn shipped_catalog_pages_load_cleanly_and_search_works() {
    let site = write_site("kpis");
    let root = site.path();
    for (page, shot) in [
        ("index.html", "docs-index.png"),
        ("kpi/win_rate.html", "docs-kpi.png"),
        ("category/retention.html", "docs-category.png"),
    ] {
        let loaded = Page::load(&root.join(page)).expect("the page loads");
        assert_clean(&loaded, page);
        browser::screenshot(&root.join(page), &artifact(shot), 1280, 1600).expect("a screenshot");
    }
    let kpi = Page::load(&root.join("kpi/win_rate.html")).expect("the page loads");
    assert!(
        kpi.dom.contains("<svg"),
        "the dependency graph is in the page"
    );

    // A word of the definition of one KPI finds it.
    let checked = kpic::check_paths(&["kpis".into()]).expect("the catalog");
    let definition = checked.catalog.kpis["account_penetration_index"]
        .docs
        .definition
        .clone()
        .expect("a definition");
    let word = definition
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 8)
        .max_by_key(|w| w.len())
        .expect("a long word")
        .to_lowercase();
    let index = root.join("index.html");
    let query = format!("q={word}");
    let found = Page::load_query(&index, &query).expect("the page loads");
    assert_clean(&found, &query);
    let results = found
        .dom
        .split("<ol id=\"results\">")
        .nth(1)
        .and_then(|s| s.split("</ol>").next())
        .expect("the results list");
    assert!(
        results.contains("href=\"kpi/account_penetration_index.html\""),
        "`{word}` does not find account_penetration_index: {results}"
    );
    assert!(
        found.dom.contains("match"),
        "the status line counts matches"
    );
    browser::screenshot_query(&index, &query, &artifact("docs-search.png"), 1280, 1000)
        .expect("a screenshot");

    // A word nothing holds finds nothing, and says so.
    let none = Page::load_query(&index, "q=zzqqxxnothing").expect("the page loads");
    assert_clean(&none, "q=zzqqxxnothing");
    assert!(none.dom.contains("No KPI matches."), "{}", none.dom);
}

#[test]
fn hostile_text_runs_nothing_in_the_browser() {
    let site = write_site("tests/fixtures/docs");
    let root = site.path();
    for page in [
        "index.html",
        "kpi/total_revenue.html",
        "category/revenue.html",
        "measure/revenue.html",
        "table/orders.html",
    ] {
        let loaded = Page::load(&root.join(page)).expect("the page loads");
        assert_clean(&loaded, page);
        // The hostile name is text in the DOM, not an element.
        assert!(
            !loaded.dom.contains("<script>alert"),
            "{page}: {}",
            loaded.dom
        );
    }
    // The search shows the hostile name as text.
    let found = Page::load_query(&root.join("index.html"), "q=invoiced").expect("the page loads");
    assert_clean(&found, "q=invoiced");
    assert!(
        found
            .dom
            .contains("Total \"Revenue\" &lt;script&gt;alert('name')&lt;/script&gt;"),
        "{}",
        found.dom
    );
}
