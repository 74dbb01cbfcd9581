//! The benchmarks shipped in `kpis/` are real and checkable: each has a source with a
//! year, an http(s) link, an as-of date not in the future and a segment, and none is an
//! illustrative record (those stay in `examples/`).

use crate::support::cli::ok;
use chrono::{Datelike, Days, NaiveDate};
use std::time::{SystemTime, UNIX_EPOCH};

/// `kpic show` prints the link whole on a line indented by four spaces, and every line
/// of `show` fits in 100 columns.
const MAX_URL_CHARS: usize = 96;

fn shipped() -> kpic::Catalog {
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog loads");
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    checked.catalog
}

/// Today's date (UTC) from the system clock.
fn today() -> NaiveDate {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(secs / 86_400)))
        .expect("a representable date")
}

/// The four-digit years (1900-2099) written in `text`.
fn years(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, w) in chars.windows(4).enumerate() {
        let digits = w.iter().all(|c| c.is_ascii_digit());
        let alone_before = i == 0 || !chars[i - 1].is_ascii_digit();
        let alone_after = chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        if digits && alone_before && alone_after {
            let year: String = w.iter().collect();
            if let Ok(y) = year.parse::<i32>()
                && (1900..2100).contains(&y)
            {
                out.push(y);
            }
        }
    }
    out
}

#[test]
fn the_catalog_ships_benchmarks() {
    assert!(shipped().benchmarks.len() >= 12);
}

#[test]
fn every_benchmark_has_a_dated_source_a_link_a_date_and_a_segment() {
    let today = today();
    for b in &shipped().benchmarks {
        let id = &b.id;
        let source_years = years(&b.source);
        assert!(
            !source_years.is_empty(),
            "{id}: the source names no year: {:?}",
            b.source
        );
        let url = b.url.as_deref().unwrap_or_default();
        assert!(
            url.starts_with("https://") || url.starts_with("http://"),
            "{id}: no http(s) link: {url:?}"
        );
        assert!(
            !url.chars().any(char::is_whitespace) && url.len() > "https://x.y".len(),
            "{id}: not a link: {url:?}"
        );
        assert!(
            url.chars().count() <= MAX_URL_CHARS,
            "{id}: link longer than {MAX_URL_CHARS} characters breaks `kpic show`"
        );
        let as_of = b.as_of.unwrap_or_else(|| panic!("{id}: no as_of date"));
        assert!(as_of <= today, "{id}: as_of {as_of} is in the future");
        // A figure cannot describe a time after its source was published.
        let latest = source_years.iter().max().copied().unwrap_or_default();
        assert!(
            as_of.year() <= latest,
            "{id}: as_of {as_of} is after every year its source names ({latest})"
        );
        let segment = b.segment.as_deref().unwrap_or_default();
        assert!(!segment.trim().is_empty(), "{id}: no segment");
    }
}

#[test]
fn no_shipped_benchmark_is_illustrative() {
    for b in &shipped().benchmarks {
        let texts = [
            Some(b.id.as_str()),
            Some(b.source.as_str()),
            b.segment.as_deref(),
            b.note.as_deref(),
            b.url.as_deref(),
        ];
        for text in texts.into_iter().flatten() {
            assert!(
                !text.to_lowercase().contains("illustrative"),
                "{}: {text:?}",
                b.id
            );
        }
    }
}

#[test]
fn show_prints_the_shipped_benchmarks_with_their_sources() {
    let out = ok(&["show", "churn_rate"]);
    assert!(out.contains("\nBenchmarks\n"), "{out}");
    assert!(
        out.contains("• 5.15% — B2B subscription businesses"),
        "{out}"
    );
    assert!(
        out.contains("source: Recurly Research, Annual Subscription Billing Metrics"),
        "{out}"
    );
    assert!(out.contains("(as of 2019-12-31)"), "{out}");
}

#[test]
fn years_finds_four_digit_years_only() {
    assert_eq!(years("Report, 2019"), [2019]);
    assert_eq!(years("2018-2019 study"), [2018, 2019]);
    assert!(years("12345 and 1850").is_empty());
}
