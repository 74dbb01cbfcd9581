//! `kpic report` as a user runs it: the page's structure for a small fixture (HTML
//! snapshots, the style sheet left out), text that tries to become markup, and errors.

use crate::support::cli;

const CATALOG: &str = "tests/fixtures/report/catalog.kpi";
const DATA: &str = "tests/fixtures/report/data";

/// The report on standard output, its style sheet's body replaced by `…` (the
/// snapshot is about structure and content).
fn report(args: &[&str]) -> String {
    let mut a = vec!["report", "-o", "-", "--catalog", CATALOG, "--data", DATA];
    a.extend(args);
    let page = cli::ok(&a);
    match (page.find("<style>"), page.find("</style>")) {
        (Some(s), Some(e)) => format!("{}<style>…{}", &page[..s], &page[e..]),
        _ => panic!("no style sheet in the page:\n{page}"),
    }
}

#[test]
fn series_by_segment() {
    insta::assert_snapshot!(report(&[
        "--period", "2025", "--every", "quarter", "--by", "tier"
    ]));
}

#[test]
fn portfolio_for_a_year() {
    insta::assert_snapshot!(report(&["--period", "2025", "--title", "Year <2025> & co"]));
}

#[test]
fn nothing_from_the_catalog_or_the_data_becomes_markup() {
    let page = report(&["--period", "2025", "--by", "tier"]);
    // Only the page's own elements: no script, no image, no bold from a definition.
    for tag in ["<script", "<img", "<b>definition", "<i>segment"] {
        assert!(!page.contains(tag), "{tag} in the page");
    }
    assert!(
        page.contains(
            "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"
        )
    );
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    // The javascript: citation is text, the https one a link.
    assert!(!page.contains("href=\"javascript"));
    assert!(page.contains("Script &quot;link&quot; (javascript:alert(1))"));
    assert!(page.contains("<a href=\"https://example.org/study?a=1&amp;b=&quot;2&quot;\""));
    // No request leaves the page: a policy forbids all but inline style.
    assert!(
        page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    assert!(!page.contains("src=\"http"));
}

#[test]
fn writes_the_file_it_is_given() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temporary folder");
    let file = dir.path().join("r.html");
    let out = cli::ok(&[
        "report",
        "--period",
        "2025",
        "--no-explain",
        "-o",
        file.to_str().expect("UTF-8"),
    ]);
    assert_eq!(out, "");
    let page = std::fs::read_to_string(&file).expect("written");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<table class=\"scorecard\">"));
    assert!(!page.contains("Show explanation"), "--no-explain");
}

#[test]
fn errors_say_what_to_do() {
    let (code, _, err) = cli::kpic(&["report", "--period", "2025"]);
    assert_eq!(code, 2);
    assert!(err.contains("--output"), "{err}");
    let (code, _, err) = cli::kpic(&["report", "-o", "-", "no_such_kpi"]);
    assert_ne!(code, 0);
    assert!(err.contains("no_such_kpi"), "{err}");
    let (code, _, err) = cli::kpic(&["report", "-o", "/no/such/folder/r.html", "--period", "2025"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot write /no/such/folder/r.html"), "{err}");
}
