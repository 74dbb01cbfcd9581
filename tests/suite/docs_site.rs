//! `kpic docs`: the pages of a small catalog full of hostile text, snapshotted; every
//! text escaped (no tag, attribute or URL from the catalog reaches the markup); every
//! link of the generated sites — the fixture's and the shipped catalog's — leads to a
//! file the site has (and an anchor it has); and the command as a user runs it.

use crate::support::cli::kpic;
use kpic::docs_site::{self, Site};
use std::collections::HashSet;

const FIXTURE: &str = "tests/fixtures/docs";

/// The site of the catalog under `path`, which must check without errors.
pub fn site_of(path: &str) -> Site {
    let checked = kpic::check_paths(&[path.into()]).expect("a readable catalog");
    assert_eq!(checked.error_count(), 0, "{path} checks without errors");
    docs_site::build(&checked)
}

#[test]
fn pages_of_the_fixture_catalog() {
    let site = site_of(FIXTURE);
    for page in [
        "index.html",
        "kpi/total_revenue.html",
        "kpi/revenue_growth.html",
        "category/revenue.html",
        "measure/revenue.html",
        "table/orders.html",
    ] {
        let html = site
            .file(page)
            .unwrap_or_else(|| panic!("the site has {page}"));
        insta::assert_snapshot!(format!("page_{}", page.replace(['/', '.'], "_")), html);
    }
}

/// The tags the site writes. Anything else in a page came from the catalog unescaped.
const TAGS: &[&str] = &[
    "!DOCTYPE",
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "header",
    "form",
    "input",
    "main",
    "footer",
    "code",
    "h1",
    "h2",
    "h3",
    "p",
    "span",
    "section",
    "dl",
    "dt",
    "dd",
    "ul",
    "ol",
    "li",
    "a",
    "br",
    "pre",
    "div",
    "cite",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "svg",
    "defs",
    "marker",
    "path",
    "line",
    "g",
    "title",
    "rect",
    "text",
    "script",
];

/// Every `<name` in `html` with the text after it up to the closing `>`.
fn tags(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        let end = rest.find('>').unwrap_or(rest.len());
        out.push((name, rest[..end].to_string()));
    }
    out
}

#[test]
fn catalog_text_is_escaped_everywhere() {
    let site = site_of(FIXTURE);
    for (path, html) in site.files.iter().filter(|(p, _)| p.ends_with(".html")) {
        for (name, tag) in tags(html) {
            assert!(
                TAGS.contains(&name.as_str()),
                "{path}: a tag <{tag}> from the catalog"
            );
            // No event handler attribute, no script but the site's two.
            assert!(
                !tag.contains("onerror") && !tag.contains("onclick"),
                "{path}: <{tag}>"
            );
            if name == "script" && !tag.is_empty() && !tag.starts_with('/') {
                assert!(
                    tag == "script type=\"application/json\" id=\"search-index\""
                        || tag == "script src=\"search.js\"",
                    "{path}: <{tag}>"
                );
            }
            assert!(
                !tag.to_lowercase().contains("javascript:"),
                "{path}: <{tag}>"
            );
        }
    }
    let page = site.file("kpi/total_revenue.html").expect("the KPI's page");
    // The hostile URL is shown as text, the web one is a link.
    assert!(
        page.contains("<code>javascript:alert(&#39;url&#39;)</code>"),
        "{page}"
    );
    assert!(page.contains(
        "<a href=\"https://example.com/report?year=2025&amp;kind=revenue\" rel=\"noopener noreferrer\">"
    ));
    // The embedded search index cannot close its script element.
    let index = site.file("index.html").expect("the index");
    let json = index
        .split("id=\"search-index\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("the embedded index");
    assert!(!json.contains('<') && !json.contains('>'), "{json}");
    let entries: serde_json::Value = serde_json::from_str(json).expect("the index is JSON");
    assert_eq!(
        entries[0]["name"], "Total \"Revenue\" <script>alert('name')</script>",
        "JSON.parse reads the name back as written"
    );
}

/// Every `href` and `src` of every page leads to a file of the site, and an anchor
/// (`#col-...`) to an element with that id; only benchmark links go elsewhere, and
/// those are http(s).
fn assert_links_resolve(site: &Site) {
    let files: HashSet<&str> = site.files.iter().map(|(p, _)| p.as_str()).collect();
    let mut checked = 0;
    for (path, html) in site.files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        for attr in ["href=\"", "src=\"", "action=\""] {
            for part in html.split(attr).skip(1) {
                let target = part.split('"').next().unwrap_or("").replace("&amp;", "&");
                if target.starts_with("https://") || target.starts_with("http://") {
                    assert!(
                        html.contains(&format!(
                            "<a href=\"{}\" rel=\"noopener",
                            part.split('"').next().unwrap_or("")
                        )),
                        "{path}: an outside link that is not a benchmark's: {target}"
                    );
                    continue;
                }
                let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
                let resolved = resolve(dir, file);
                let page = site
                    .file(&resolved)
                    .unwrap_or_else(|| panic!("{path}: `{target}` leads to no file ({resolved})"));
                assert!(files.contains(resolved.as_str()));
                if !anchor.is_empty() {
                    assert!(
                        page.contains(&format!("id=\"{anchor}\"")),
                        "{path}: `{target}`: no element with id `{anchor}`"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

/// `file` relative to folder `dir` of the site, `..` resolved.
fn resolve(dir: &str, file: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in file.split('/') {
        match p {
            ".." => {
                assert!(parts.pop().is_some(), "`{file}` leaves the site");
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[test]
fn links_resolve_in_the_fixture_site() {
    assert_links_resolve(&site_of(FIXTURE));
}

#[test]
fn links_resolve_in_the_shipped_catalog_site() {
    let site = site_of("kpis");
    assert_links_resolve(&site);
    // One page per KPI, category, measure and table, and the top 12 on the index.
    let checked = kpic::check_paths(&["kpis".into()]).expect("the catalog");
    let c = &checked.catalog;
    let pages = site
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .count();
    assert_eq!(
        pages,
        1 + c.kpis.len() + c.categories.len() + c.measures.len() + c.tables.len()
    );
    let index = site.file("index.html").expect("the index");
    let top = index
        .split("<section id=\"top12\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the top 12");
    assert_eq!(top.matches("<li>").count(), 12, "{top}");
    // Every KPI page has the twelve attributes' headings.
    let page = site.file("kpi/win_rate.html").expect("win rate's page");
    for heading in [
        "Definition",
        "Business insights",
        "Measurement approach",
        "Standard formula",
        "Trend analysis",
        "Diagnostic questions",
        "Actionable tips",
        "Visualization suggestions",
        "Risk warnings",
        "Tools &amp; technologies",
        "Integration points",
        "Change impact",
        "Benchmarks",
        "Dependencies",
        "Rules",
    ] {
        assert!(
            page.contains(&format!("<h2>{heading}</h2>")),
            "win_rate: {heading}"
        );
    }
    assert!(page.contains("<svg"), "the dependency graph");
}

#[test]
fn the_command_writes_the_site() {
    let dir = tempfile::TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).expect("a folder");
    let out = dir.path().join("site");
    let out_s = out.to_str().expect("a UTF-8 path");
    let (code, stdout, stderr) = kpic(&["docs", FIXTURE, "-o", out_s]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("wrote 12 pages to "), "{stdout}");
    for f in [
        "index.html",
        "style.css",
        "search.js",
        "kpi/total_revenue.html",
        "table/meetings.html",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // A catalog with errors is refused, as by the other catalog commands.
    let bad = dir.path().join("bad.kpi");
    std::fs::write(&bad, "kpi broken { formula: nothing }\n").expect("written");
    let (code, _, stderr) = kpic(&["docs", bad.to_str().expect("utf-8"), "-o", out_s]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("run `kpic check`"), "{stderr}");
    let (code, help, _) = kpic(&["docs", "--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("kpic docs kpis -o target/site"), "{help}");
}
