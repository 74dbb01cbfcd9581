//! The name index (`kpic::names`) and the fixes diagnostics offer.
//!
//! Data-driven: each folder `tests/fixtures/names/<case>/` holds `.kpi` files and a
//! `query.txt` of operations, one a line (`#` starts a comment):
//!
//! - `at FILE:LINE:COL`: the symbol there, its definition and its references;
//! - `rename FILE:LINE:COL NEW`: the edits, each file they change as it then reads,
//!   and that the renamed catalog checks with the same diagnostics as before;
//! - `symbols`: every declaration.
//!
//! Columns count characters, as `kpic check` prints them; one snapshot per case.
//! Besides: every fix offered on the diagnostic fixtures, applied, removes its
//! diagnostic; and on the shipped catalog every reference the checker found is one
//! the index finds.

use kpic::diagnostic::Diagnostic;
use kpic::names::{Edit, Index, Location, Symbol};
use kpic::source::{FileId, SourceMap};
use kpic::syntax::ast;
use std::path::Path;

/// A catalog checked from texts, with the trees the index is built from.
struct Loaded {
    sources: SourceMap,
    files: Vec<ast::File>,
    catalog: kpic::Catalog,
    diagnostics: Vec<Diagnostic>,
}

fn load(texts: &[(String, String)]) -> Loaded {
    let mut sources = SourceMap::new();
    for (name, text) in texts {
        sources.add(name.as_str(), text.as_str());
    }
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();
    for (id, file) in sources.iter() {
        let (parsed, diags) = kpic::syntax::parse_file(id, &file.text);
        diagnostics.extend(diags);
        files.push(parsed);
    }
    let (catalog, diags) = kpic::check::check(&sources, &files);
    diagnostics.extend(diags);
    kpic::diagnostic::sort(&mut diagnostics);
    Loaded {
        sources,
        files,
        catalog,
        diagnostics,
    }
}

fn index(l: &Loaded) -> Index {
    Index::build(&l.sources, &l.files, &l.catalog)
}

/// The `.kpi` files of a folder, sorted by name, as (name, text).
fn kpi_files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("case folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kpi"))
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("?")
                .to_string();
            (name, std::fs::read_to_string(&p).expect("fixture is UTF-8"))
        })
        .collect();
    out.sort();
    out
}

/// `FILE:LINE:COL` (1-based, the column in characters) as a file and byte offset.
fn position(sources: &SourceMap, at: &str) -> (FileId, usize) {
    let mut parts = at.rsplitn(3, ':');
    let (Some(col), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("position `{at}` is not FILE:LINE:COL");
    };
    let line: usize = line.parse().expect("a line number");
    let col: usize = col.parse().expect("a column number");
    let (id, f) = sources
        .iter()
        .find(|(_, f)| f.name == file)
        .unwrap_or_else(|| panic!("no file `{file}` in the case"));
    let start: usize = f
        .text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let line_text = f.text[start..].split('\n').next().unwrap_or_default();
    // One past the last character is the end of the line (a cursor after a name).
    let offset = line_text
        .char_indices()
        .map(|(i, _)| i)
        .chain([line_text.len()])
        .nth(col - 1)
        .unwrap_or_else(|| panic!("{at}: the line has fewer columns"));
    let offset = start + offset;
    (id, offset)
}

/// `file:line:col-col text`.
fn render(sources: &SourceMap, loc: Location) -> String {
    let f = sources.get(loc.span.file);
    let a = f.line_col(loc.span.start);
    let b = f.line_col(loc.span.end);
    format!(
        "{}:{}:{}-{} {}",
        f.name,
        a.line,
        a.column,
        b.column,
        sources.text(loc.span)
    )
}

/// The texts with `edits` applied (edits in one file never overlap).
fn apply(
    texts: &[(String, String)],
    sources: &SourceMap,
    edits: &[(kpic::source::Span, String)],
) -> Vec<(String, String)> {
    texts
        .iter()
        .map(|(name, text)| {
            let mut mine: Vec<&(kpic::source::Span, String)> = edits
                .iter()
                .filter(|(s, _)| sources.get(s.file).name == *name)
                .collect();
            mine.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
            let mut text = text.clone();
            for (span, new) in mine {
                text.replace_range(span.range(), new);
            }
            (name.clone(), text)
        })
        .collect()
}

fn codes(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

fn run_case(dir: &Path) -> String {
    let texts = kpi_files(dir);
    let loaded = load(&texts);
    let idx = index(&loaded);
    let query = std::fs::read_to_string(dir.join("query.txt")).expect("query.txt");
    let mut out = String::new();
    for line in query.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push_str(&format!("== {line}\n"));
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["symbols"] => {
                for (sym, loc) in idx.symbols() {
                    out.push_str(&format!("  {sym:?} at {}\n", render(&loaded.sources, loc)));
                }
            }
            ["at", at] => {
                let (file, offset) = position(&loaded.sources, at);
                let Some(sym) = idx.symbol_at(file, offset) else {
                    out.push_str("  no symbol\n");
                    continue;
                };
                out.push_str(&format!("  symbol: {sym:?}\n"));
                match idx.definition(&sym) {
                    Some(d) => {
                        out.push_str(&format!("  definition: {}\n", render(&loaded.sources, d)))
                    }
                    None => out.push_str("  definition: none\n"),
                }
                let with = idx.references(&sym, true);
                let without = idx.references(&sym, false);
                assert!(without.iter().all(|l| with.contains(l)));
                assert!(with.windows(2).all(|w| w[0] <= w[1]), "sorted");
                out.push_str("  references:\n");
                for loc in with {
                    let mark = if without.contains(&loc) {
                        ""
                    } else {
                        "  (declaration)"
                    };
                    out.push_str(&format!("    {}{mark}\n", render(&loaded.sources, loc)));
                }
            }
            ["rename", at, new] => {
                let (file, offset) = position(&loaded.sources, at);
                let Some(sym) = idx.symbol_at(file, offset) else {
                    out.push_str("  no symbol\n");
                    continue;
                };
                out.push_str(&format!("  symbol: {sym:?}\n"));
                match idx.rename(&sym, new) {
                    Err(why) => out.push_str(&format!("  refused: {why}\n")),
                    Ok(edits) => out.push_str(&renamed(&texts, &loaded, &edits)),
                }
            }
            _ => panic!("{}: cannot read query line `{line}`", dir.display()),
        }
    }
    out
}

/// The edits of a rename, the files they change, and the check after it.
fn renamed(texts: &[(String, String)], loaded: &Loaded, edits: &[Edit]) -> String {
    let mut out = String::from("  edits:\n");
    for e in edits {
        out.push_str(&format!(
            "    {} -> `{}`\n",
            render(&loaded.sources, Location { span: e.span }),
            e.text
        ));
    }
    let pairs: Vec<_> = edits.iter().map(|e| (e.span, e.text.clone())).collect();
    let after = apply(texts, &loaded.sources, &pairs);
    for ((name, before), (_, text)) in texts.iter().zip(&after) {
        if before != text {
            out.push_str(&format!("  -- {name} after the rename --\n{text}"));
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    // A rename changes names only: the catalog checks as it did, the same codes
    // (messages may name the new name).
    let again = load(&after);
    let code_list = |d: &[Diagnostic]| d.iter().map(|d| d.code).collect::<Vec<_>>();
    assert_eq!(
        code_list(&loaded.diagnostics),
        code_list(&again.diagnostics),
        "the rename changed the diagnostics: before {:?}, after {:?}",
        codes(&loaded.diagnostics),
        codes(&again.diagnostics)
    );
    out.push_str(&format!(
        "  checks after the rename with the same {} diagnostic(s)\n",
        again.diagnostics.len()
    ));
    out
}

#[test]
fn name_fixtures() {
    insta::glob!("../fixtures", "names/*/query.txt", |path| {
        let dir = path.parent().expect("case folder");
        let case = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let files: Vec<String> = kpi_files(dir)
            .into_iter()
            .map(|(name, text)| format!("-- {name} --\n{text}"))
            .collect();
        let snapshot = format!("{}---- queries ----\n{}", files.join(""), run_case(dir));
        let _ = case;
        insta::assert_snapshot!(snapshot);
    });
}

/// Every fix offered on a diagnostic fixture, applied, leaves a file without that
/// diagnostic (one fewer with its code and message); the fixes are pinned in one
/// snapshot, each with the line it edits as it then reads.
#[test]
fn fixes_remove_their_diagnostic() {
    let prelude = (
        "prelude.kpi".to_string(),
        std::fs::read_to_string("tests/fixtures/prelude.kpi").expect("prelude"),
    );
    let mut fixtures: Vec<_> = std::fs::read_dir("tests/fixtures/diagnostics")
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kpi"))
        .collect();
    fixtures.sort();
    let mut report = String::new();
    let mut offered = 0;
    for path in fixtures {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        // Not UTF-8 (K0001): nothing to fix.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let texts = vec![(name.clone(), text), prelude.clone()];
        let loaded = load(&texts);
        for d in &loaded.diagnostics {
            for fix in &d.fixes {
                offered += 1;
                let after = apply(&texts, &loaded.sources, &fix.edits);
                let again = load(&after);
                let key = (d.code, &d.message);
                let count =
                    |ds: &[Diagnostic]| ds.iter().filter(|x| (x.code, &x.message) == key).count();
                assert!(
                    count(&again.diagnostics) < count(&loaded.diagnostics),
                    "{name}: the fix `{}` of {} `{}` leaves it: {:?}",
                    fix.title,
                    d.code,
                    d.message,
                    codes(&again.diagnostics)
                );
                let (span, _) = &fix.edits[0];
                let file = loaded.sources.get(span.file);
                let line = file.line_col(span.start).line as usize;
                let (_, fixed) = after
                    .iter()
                    .find(|(n, _)| *n == file.name)
                    .expect("the edited file");
                let fixed_line = fixed.lines().nth(line - 1).unwrap_or_default().trim();
                report.push_str(&format!(
                    "{}:{line} {} {}\n  {}\n  -> {fixed_line}\n",
                    file.name, d.code, d.message, fix.title
                ));
            }
        }
    }
    assert!(offered > 0, "no fixture offers a fix");
    insta::assert_snapshot!(report);
}

/// On the shipped catalog, every measure or KPI a formula names (as the checker
/// found it: `depends_on`) has a reference inside that formula; and every reference
/// resolves back to its symbol.
#[test]
fn shipped_catalog_references() {
    let paths = kpic::catalog_files::find_kpi_files(&["kpis".into()]).expect("catalog");
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            (
                p.to_string_lossy().into_owned(),
                std::fs::read_to_string(p).expect("UTF-8"),
            )
        })
        .collect();
    let loaded = load(&texts);
    assert!(
        !loaded.diagnostics.iter().any(|d| d.is_error()),
        "the catalog checks"
    );
    let idx = index(&loaded);
    let formula_span = |id: &str| {
        loaded
            .files
            .iter()
            .flat_map(|f| &f.items)
            .find_map(|i| match i {
                ast::Item::Block(b) if b.name.name == id && b.kind.name != "benchmark" => b
                    .fields
                    .iter()
                    .find(|f| f.name.name == "formula")
                    .map(|f| f.value.span()),
                _ => None,
            })
            .expect("a formula")
    };
    let symbol = |id: &str| {
        if loaded.catalog.kpis.contains_key(id) {
            Symbol::Kpi(id.to_string())
        } else {
            Symbol::Measure(id.to_string())
        }
    };
    let mut checked = 0;
    let users = loaded
        .catalog
        .kpis
        .values()
        .map(|k| (&k.id, &k.depends_on))
        .chain(
            loaded
                .catalog
                .measures
                .values()
                .map(|m| (&m.id, &m.depends_on)),
        );
    for (user, deps) in users {
        let inside = formula_span(user);
        for dep in deps {
            let refs = idx.references(&symbol(dep), false);
            assert!(
                refs.iter().any(|l| l.span.file == inside.file
                    && inside.start <= l.span.start
                    && l.span.end <= inside.end),
                "the formula of `{user}` names `{dep}`, but its references are {refs:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} references checked");
    for (sym, loc) in idx.symbols() {
        assert_eq!(loaded.sources.text(loc.span), sym.name());
        for r in idx.references(&sym, true) {
            let at = idx.symbol_at(r.span.file, r.span.start as usize);
            // A parent's column named by a relation's own column of the same name
            // (`(account_id, product_line) -> account_products`): the cursor there is
            // on the child's column, the one written.
            let implied = matches!((&at, &sym), (
                Some(Symbol::Column { column: a, .. }),
                Symbol::Column { column: b, .. },
            ) if a == b);
            assert!(
                at.as_ref() == Some(&sym) || implied,
                "{sym:?} at {r:?} is {at:?}"
            );
        }
        assert_eq!(idx.definition(&sym).map(|d| d.span), Some(loc.span));
    }
}
