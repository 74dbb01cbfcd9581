//! `kpic search TEXT`: ranked full-text search over KPI names and every attribute.
//!
//! The text is split into words; a KPI matches when every word occurs (ignoring case,
//! anywhere inside a word) in at least one of its fields. Each word scores the weight of
//! every field it occurs in: id and name highest, then tags, the definition, the
//! category, the other text attributes, the lists, the formula and the KPI references.
//! The whole text appearing in the name scores a bonus. Ties are broken by catalog order.

use super::catalog_args::{self, WIDTH, attributes, category_name, pad, plural};
use super::usage_error;
use kpic::Catalog;
use kpic::ir::{DocValue, KpiDef};
use kpic::vocab::{Attribute, Shape};
use serde::Serialize;
use std::path::PathBuf;

/// Output formats of `kpic search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each hit: id and name, then where it matched.
    Table,
    /// A JSON array of hits, best first.
    Json,
}

/// Arguments of `kpic search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words to look for; every word must occur (e.g. `"churn risk"`).
    pub text: String,
    /// Files or folders of `.kpi` files (default: the project's, else `kpis/`).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Score of a match in the id or the name.
const NAME_WEIGHT: u32 = 100;
/// Bonus when the whole search text occurs in the name.
const PHRASE_BONUS: u32 = 50;

/// One searchable field of a KPI.
struct Field {
    label: &'static str,
    weight: u32,
    /// The field's texts, whitespace collapsed (one per list item).
    texts: Vec<String>,
}

/// One search result.
#[derive(Debug, Serialize)]
struct Hit<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
    score: u32,
    /// Every field that matched, best first.
    matched: Vec<&'static str>,
    /// The field the snippet comes from.
    field: &'static str,
    snippet: String,
}

/// Runs `kpic search`.
pub fn run(args: Args) -> u8 {
    let words: Vec<String> = args
        .text
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return usage_error("nothing to search for: give at least one word");
    }
    let catalog = match catalog_args::load(args.paths, &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut hits = search(&catalog, &words);
    let mut searched = args.text.trim().to_string();
    if hits.is_empty()
        && let Some(corrected) = correct(&catalog, &words)
    {
        // A typo: nothing matches the words as typed, so the nearest words the
        // catalog uses are searched instead, and the user is told so.
        hits = search(&catalog, &corrected);
        if !hits.is_empty() {
            eprintln!(
                "note: no KPI matches \"{}\"; showing matches for \"{}\"",
                args.text.trim(),
                corrected.join(" ")
            );
            searched = corrected.join(" ");
        }
    }
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&hits).expect("plain data serializes");
            catalog_args::emit(&format!("{json}\n"))
        }
        Format::Table => {
            let id_width = hits.iter().map(|h| h.id.chars().count()).max().unwrap_or(0);
            let mut out = String::new();
            for h in &hits {
                out.push_str(&format!("{}  {}\n", pad(h.id, id_width), h.name));
                out.push_str(&format!("    {}: {}\n", h.field, h.snippet));
            }
            let code = catalog_args::emit(&out);
            eprintln!(
                "{} KPI{} match{} \"{}\"",
                hits.len(),
                plural(hits.len()),
                if hits.len() == 1 { "es" } else { "" },
                searched
            );
            code
        }
    }
}

/// The KPIs matching every word, best first.
fn search<'c>(catalog: &'c Catalog, words: &[String]) -> Vec<Hit<'c>> {
    let phrase = words.join(" ");
    let mut hits = Vec::new();
    for kpi in catalog_args::ordered(catalog) {
        let fields = fields(catalog, kpi);
        let mut score = 0;
        let mut matched: Vec<&Field> = Vec::new();
        let mut all = true;
        for word in words {
            let mut found = false;
            for f in &fields {
                if f.texts.iter().any(|t| find_ci(t, word).is_some()) {
                    found = true;
                    score += f.weight;
                    if !matched.iter().any(|m| m.label == f.label) {
                        matched.push(f);
                    }
                }
            }
            all &= found;
        }
        if !all {
            continue;
        }
        if words.len() > 1 && find_ci(&kpi.name, &phrase).is_some() {
            score += PHRASE_BONUS;
        }
        matched.sort_by_key(|f| std::cmp::Reverse(f.weight));
        // The snippet shows the best match outside the id and name (which are printed
        // anyway); a KPI found by its name alone shows the name.
        let source = matched
            .iter()
            .find(|f| f.weight < NAME_WEIGHT)
            .or_else(|| matched.iter().find(|f| f.label == "name"))
            .or(matched.first())
            .expect("a hit matched some field");
        let width = WIDTH - 6 - source.label.len();
        let snippet = source
            .texts
            .iter()
            .find_map(|t| words.iter().find_map(|w| find_ci(t, w)).map(|m| (t, m)))
            .map(|(t, m)| snippet(t, m, width))
            .unwrap_or_default();
        hits.push(Hit {
            id: &kpi.id,
            name: &kpi.name,
            category: &kpi.category,
            score,
            matched: matched.iter().map(|f| f.label).collect(),
            field: source.label,
            snippet,
        });
    }
    // Stable: equal scores keep catalog order.
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    hits
}

/// The words with each word that occurs nowhere in the catalog replaced by the
/// catalog's closest word (Damerau–Levenshtein distance 1, or 2 for words of eight
/// letters or more); `None` when no word needed or found a replacement.
fn correct(catalog: &Catalog, words: &[String]) -> Option<Vec<String>> {
    let mut vocabulary: Vec<String> = catalog_args::ordered(catalog)
        .into_iter()
        .flat_map(|k| fields(catalog, k))
        .flat_map(|f| f.texts)
        .flat_map(|t| {
            t.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() > 2)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let mut changed = false;
    let corrected = words
        .iter()
        .map(|word| {
            if vocabulary.iter().any(|v| v.contains(word.as_str())) {
                return word.clone();
            }
            let limit = if word.chars().count() >= 8 { 2 } else { 1 };
            let best = vocabulary
                .iter()
                .map(|v| (strsim::damerau_levenshtein(word, v), v))
                .filter(|(d, _)| *d <= limit)
                .min_by_key(|(d, _)| *d);
            match best {
                Some((_, v)) => {
                    changed = true;
                    v.clone()
                }
                None => word.clone(),
            }
        })
        .collect();
    changed.then_some(corrected)
}

/// The searchable fields of a KPI with their weights.
fn fields(catalog: &Catalog, kpi: &KpiDef) -> Vec<Field> {
    let field = |label, weight, texts: Vec<String>| Field {
        label,
        weight,
        texts,
    };
    let mut out = vec![
        field("id", NAME_WEIGHT, vec![kpi.id.clone()]),
        field("name", NAME_WEIGHT, vec![kpi.name.clone()]),
        field("tags", 40, kpi.tags.clone()),
        field(
            "category",
            20,
            vec![
                kpi.category.clone(),
                category_name(catalog, kpi).to_string(),
            ],
        ),
        field("formula", 5, vec![kpi.formula_source.clone()]),
    ];
    for (info, value) in attributes(kpi) {
        let weight = match (info.attribute, info.shape) {
            (Attribute::Definition, _) => 30,
            (_, Shape::KpiList) => 3,
            (_, Shape::Text) => 10,
            (_, Shape::TextList) => 8,
        };
        let texts = match value {
            DocValue::Text(t) => t
                .map(|t| catalog_args::paragraphs(t).join(" "))
                .into_iter()
                .collect(),
            DocValue::List(items) => items
                .iter()
                .map(|i| i.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect(),
        };
        out.push(field(info.field, weight, texts));
    }
    out
}

/// Finds `needle` (lower case) in `hay` ignoring case: the byte range in `hay`.
fn find_ci(hay: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return Some((0, 0));
    }
    'start: for (start, _) in hay.char_indices() {
        let mut want = needle.chars();
        for (i, c) in hay[start..].char_indices() {
            for lc in c.to_lowercase() {
                match want.next() {
                    Some(w) if w == lc => {}
                    _ => continue 'start,
                }
            }
            if want.as_str().is_empty() {
                return Some((start, start + i + c.len_utf8()));
            }
        }
        return None;
    }
    None
}

/// At most `width` characters of `text` around the match `[start, end)`, cut at word
/// boundaries, with `…` where text was left out.
fn snippet(text: &str, (start, end): (usize, usize), width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let budget = width.saturating_sub(2);
    let before: Vec<(usize, char)> = text[..start].char_indices().collect();
    // Up to a third of the room goes to the text before the match.
    let lead = (budget / 3).min(before.len());
    let mut from = before.get(before.len() - lead).map_or(start, |(i, _)| *i);
    if from > 0 {
        // Start at the next word.
        if let Some(space) = text[from..start].find(' ') {
            from += space + 1;
        }
    }
    let used = text[from..end].chars().count();
    let mut to = text[end..]
        .char_indices()
        .nth(budget.saturating_sub(used))
        .map_or(text.len(), |(i, _)| end + i);
    if to < text.len()
        && let Some(space) = text[end..to].rfind(' ')
    {
        to = end + space;
    }
    format!(
        "{}{}{}",
        if from > 0 { "…" } else { "" },
        text[from..to].trim(),
        if to < text.len() { "…" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ignoring_case() {
        assert_eq!(find_ci("Churn Rate", "churn"), Some((0, 5)));
        assert_eq!(find_ci("the CHURNED ones", "churn"), Some((4, 9)));
        assert_eq!(find_ci("Ärger über", "über"), Some((7, 12)));
        assert_eq!(find_ci("abc", "abcd"), None);
        assert_eq!(find_ci("", "a"), None);
    }

    #[test]
    fn snippets_fit_and_mark_cuts() {
        let text = "one two three four five six seven eight nine ten eleven twelve thirteen";
        let m = find_ci(text, "seven").unwrap();
        let s = snippet(text, m, 30);
        assert!(s.contains("seven"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.chars().count() <= 30, "{s}");
        assert_eq!(snippet("short", (0, 5), 30), "short");
        let first = snippet(text, (0, 3), 20);
        assert!(first.starts_with("one") && first.ends_with('…'), "{first}");
    }
}
