//! Results in every output format: an aligned table for people, CSV, JSON and
//! Markdown. CSV and JSON stream row by row, so a large result (every account times
//! every KPI) is never held twice in memory.

use super::benchmarks;
use super::escape;
use super::flags;
use super::value::{change, shown};
use crate::query::{Compare, Output, Results, Status};

/// Output formats of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people.
    Table,
    Csv,
    Json,
    Markdown,
}

/// Writes results in `format`; CSV and JSON stream row by row, so a large result
/// (every account times every KPI) is never held twice in memory.
pub fn write_results(
    results: &Results,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_results_coloured(results, format, false, out)
}

/// As [`write_results`]; with `colour`, the table's status words are coloured (for a
/// terminal: green, amber as yellow, red). Other formats are never coloured.
pub fn write_results_coloured(
    results: &Results,
    format: Format,
    colour: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_results_fitted(results, format, colour, None, out)
}

/// As [`write_results_coloured`], the table fitted into `width` terminal columns (long
/// names cut with `…`, numbers whole); `None`: no limit.
pub fn write_results_fitted(
    results: &Results,
    format: Format,
    colour: bool,
    width: Option<u16>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_results_shown(results, format, colour, width, false, false, out)
}

/// As [`write_results_fitted`]; with `all_benchmarks`, the table shows every
/// benchmark of a row, one line each (`kpic eval --benchmarks`), not the first and how
/// many more; with `intervals`, the table and Markdown also show each proportion's 95%
/// Wilson interval, and CSV the sample and interval columns (JSON always carries both;
/// the small-sample flag is always shown).
pub fn write_results_shown(
    results: &Results,
    format: Format,
    colour: bool,
    width: Option<u16>,
    all_benchmarks: bool,
    intervals: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let grouped = results.rows.iter().any(|r| !r.group.is_empty());
    // A run of several groupings names each row's; a time series each row's period.
    let groupings = results.rows.iter().any(|r| r.grouping.is_some());
    let series = results.rows.iter().any(|r| r.period.is_some());
    // KPIs over members say how many members they folded and skipped.
    let tallied = results.rows.iter().any(|r| r.members.is_some());
    // KPIs with a target or thresholds: target, gap and status beside the value.
    let targeted = results
        .rows
        .iter()
        .any(|r| r.target.is_some() || r.status.is_some());
    // Rows with benchmarks that apply: where each value stands.
    let benchmarked = results.rows.iter().any(|r| !r.benchmarks.is_empty());
    // Ratios and averages from too few members: a flag beside the value; proportions'
    // intervals on request.
    let flagged = results.rows.iter().any(flags::flagged);
    let sampled = results.rows.iter().any(|r| r.sample.is_some());
    let has_interval = results.rows.iter().any(|r| r.interval.is_some());
    let intervals_asked = intervals;
    let intervals = intervals && has_interval;
    let (compared, change_name) = comparison_names(results.compare);
    let mut header: Vec<&str> = Vec::new();
    if groupings {
        header.push("grouping");
    }
    header.push("kpi");
    if grouped {
        header.push("group");
    }
    header.push("breakdown");
    if series {
        header.extend(["period", "compared_with"]);
    }
    header.extend(["value", compared, change_name]);
    if targeted {
        header.extend(["target", "gap", "status"]);
    }
    if tallied {
        header.push("members");
    }
    if benchmarked {
        header.push("benchmark");
    }
    if intervals {
        header.push("interval");
    }
    if flagged {
        header.push("flags");
    }
    // Formatted cells, for the formats that show them, each escaped for where it goes
    // (group and breakdown names, and missing reasons, come from the data).
    let cells = |escape: fn(&str) -> String| -> Vec<Vec<String>> {
        results
            .rows
            .iter()
            .map(|r| {
                let mut row = Vec::with_capacity(header.len());
                if groupings {
                    row.push(escape(r.grouping.as_deref().unwrap_or_default()));
                }
                row.push(escape(&r.kpi));
                if grouped {
                    row.push(escape(&r.group));
                }
                row.push(escape(r.breakdown.as_deref().unwrap_or_default()));
                if series {
                    row.push(escape(r.period.as_deref().unwrap_or_default()));
                    row.push(escape(r.compared_with.as_deref().unwrap_or_default()));
                }
                row.push(escape(&shown(&r.value, r.unit)));
                row.push(escape(&shown(&r.previous, r.unit)));
                row.push(change(r.change.as_ref(), r.unit));
                if targeted {
                    row.push(escape(
                        &r.target
                            .as_ref()
                            .map(|t| shown(t, r.unit))
                            .unwrap_or_default(),
                    ));
                    row.push(change(r.gap.as_ref(), r.unit));
                    row.push(status_word(r.status.as_ref()).to_string());
                }
                if tallied {
                    row.push(escape(
                        &r.members.as_ref().map(|m| m.describe()).unwrap_or_default(),
                    ));
                }
                if benchmarked {
                    row.push(escape(&match (format, r.benchmarks.first()) {
                        (Format::Markdown, _) => benchmarks::all(&r.benchmarks, r.unit),
                        // The others follow on lines of their own.
                        (_, Some(first)) if all_benchmarks => benchmarks::describe(first, r.unit),
                        _ => benchmarks::first_and_count(&r.benchmarks, r.unit),
                    }));
                }
                if intervals {
                    row.push(flags::interval_cell(r));
                }
                if flagged {
                    row.push(flags::flag_cell(r));
                }
                row
            })
            .collect()
    };
    match format {
        Format::Json => {
            use std::io::Write as _;
            let mut chunked = Chunked::new(out);
            serde_json::to_writer_pretty(&mut chunked, results)?;
            chunked.write_all(b"\n")?;
            chunked.finish()
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut head = Vec::new();
            if groupings {
                head.push("grouping");
            }
            head.extend(["kpi", "group", "breakdown"]);
            if series {
                head.extend(["period", "compared_with"]);
            }
            head.extend(["unit", "value", compared, change_name, "missing_reason"]);
            if targeted {
                head.extend(["target", "gap", "status", "status_missing_reason"]);
            }
            if tallied {
                head.extend(["members_counted", "members_skipped"]);
            }
            if benchmarked {
                head.push("benchmarks");
            }
            // On request only: the columns a CSV reader expects stay the same.
            if sampled && intervals_asked {
                head.extend(["sample_n", "sample_min", "sample_small"]);
            }
            if has_interval && intervals_asked {
                head.extend(["interval_low", "interval_high"]);
            }
            // Fired rules: their own columns, and a record each after the values.
            let rules = super::rules::csv_wanted(results);
            if rules {
                head.extend(super::rules::CSV_COLUMNS);
            }
            w.write_record(&head).map_err(csv_io)?;
            for r in &results.rows {
                // Every digit: exact money as its decimal, a double as Rust writes it.
                let num = Output::plain;
                let reason = match &r.value {
                    Output::Missing(m) => m,
                    _ => "",
                };
                // Text cells only: a negative number is a number, not a formula.
                let text =
                    |t: Option<&str>| escape::spreadsheet(t.unwrap_or_default()).into_owned();
                let mut record = Vec::with_capacity(head.len());
                if groupings {
                    record.push(text(r.grouping.as_deref()));
                }
                record.extend([
                    text(Some(&r.kpi)),
                    text(Some(&r.group)),
                    text(r.breakdown.as_deref()),
                ]);
                if series {
                    record.push(text(r.period.as_deref()));
                    record.push(text(r.compared_with.as_deref()));
                }
                record.extend([
                    r.unit.as_str().to_string(),
                    num(&r.value),
                    num(&r.previous),
                    r.change.as_ref().map(Output::plain).unwrap_or_default(),
                    escape::spreadsheet(reason).into_owned(),
                ]);
                if targeted {
                    record.push(r.target.as_ref().map(Output::plain).unwrap_or_default());
                    record.push(r.gap.as_ref().map(Output::plain).unwrap_or_default());
                    let (word, why) = match &r.status {
                        Some(Status::Missing(why)) => ("", why.as_str()),
                        Some(s) => (s.word().unwrap_or_default(), ""),
                        None => ("", ""),
                    };
                    record.push(word.to_string());
                    record.push(escape::spreadsheet(why).into_owned());
                }
                if tallied {
                    let n = |f: fn(&crate::query::MemberTally) -> u64| {
                        r.members
                            .as_ref()
                            .map(|m| f(m).to_string())
                            .unwrap_or_default()
                    };
                    record.push(n(|m| m.counted));
                    record.push(n(|m| m.skipped));
                }
                if benchmarked {
                    record.push(
                        escape::spreadsheet(&benchmarks::with_ids(&r.benchmarks, r.unit))
                            .into_owned(),
                    );
                }
                if sampled && intervals_asked {
                    let s = r.sample;
                    record.push(s.map(|s| s.n.to_string()).unwrap_or_default());
                    record.push(s.map(|s| s.min.to_string()).unwrap_or_default());
                    record.push(s.map(|s| s.small.to_string()).unwrap_or_default());
                }
                if has_interval && intervals_asked {
                    let i = r.interval;
                    record.push(i.map(|i| i.low.to_string()).unwrap_or_default());
                    record.push(i.map(|i| i.high.to_string()).unwrap_or_default());
                }
                if rules {
                    record.extend(std::iter::repeat_n(String::new(), 3));
                }
                w.write_record(&record).map_err(csv_io)?;
            }
            for record in super::rules::csv_records(results, &head) {
                w.write_record(&record).map_err(csv_io)?;
            }
            w.flush()
        }
        Format::Markdown => {
            let mut text = format!(
                "| {} |\n|{}\n",
                header.join(" | "),
                "---|".repeat(header.len())
            );
            for r in cells(escape::markdown) {
                text.push_str(&format!("| {} |\n", r.join(" | ")));
            }
            if let Some(legend) = flags::legend(results) {
                text.push_str(&format!("\n{legend}\n"));
            }
            if intervals {
                text.push('\n');
                text.push_str(flags::INTERVAL_NOTE);
            }
            // A report says what it leaves out; the other formats leave the listing to
            // standard error (and JSON to its `unavailable` field).
            if !results.unavailable.is_empty() {
                let lacks = !results
                    .unavailable
                    .iter()
                    .any(|u| u.reason.starts_with(crate::query::NOT_SPLIT));
                text.push_str(if lacks {
                    "\nNot computed (the data lacks a table they read):\n\n"
                } else {
                    "\nNot computed:\n\n"
                });
                for u in &results.unavailable {
                    text.push_str(&format!(
                        "- `{}`: {}\n",
                        escape::markdown(&u.kpi),
                        escape::markdown(&u.reason)
                    ));
                }
            }
            text.push_str(&super::rules::markdown_section(results));
            out.write_all(text.as_bytes())
        }
        Format::Table => {
            let mut rows = cells(escape::terminal);
            // The flag stands by the value it qualifies, its header saying what it
            // means (the period line and the table's lines stay as they were).
            let legend = flags::header(results);
            let mut header = header.clone();
            if flagged && let Some(from) = header.iter().position(|h| *h == "flags") {
                let to = header
                    .iter()
                    .position(|h| *h == "value")
                    .map_or(from, |v| v + 1);
                header.remove(from);
                header.insert(to, &legend);
                for row in &mut rows {
                    let cell = row.remove(from);
                    row.insert(to, cell);
                }
            }
            if let Some(at) = header.iter().position(|h| *h == "benchmark")
                && all_benchmarks
            {
                rows = benchmarks::one_line_each(rows, &results.rows, header.len(), at);
            }
            // Numbers right, text left (the status word and member note are text).
            let numeric = |i: usize| {
                let h = header[i];
                h == "value" || h == compared || h == change_name || h == "target" || h == "gap"
            };
            let status_at = header.iter().position(|h| *h == "status");
            let mut text = match results.every {
                Some(every) => format!(
                    "period {}, every {} (each compared with {})\n",
                    results.period,
                    every.name(),
                    match results.compare {
                        Compare::Previous => format!("the {} before", every.name()),
                        Compare::YearAgo => format!("the same {} a year earlier", every.name()),
                    }
                ),
                None => format!(
                    "period {} ({}: {})\n",
                    results.period,
                    match results.compare {
                        Compare::Previous => "previous",
                        Compare::YearAgo => "a year earlier",
                    },
                    results.previous_period
                ),
            };
            let table = super::table::aligned(&header, rows, numeric, width);
            match status_at.filter(|_| colour) {
                Some(i) => text.push_str(&super::table::colour_column(&table, i, coloured)),
                None => text.push_str(&table),
            }
            // Under the table, after a blank line: what the interval column holds.
            if intervals {
                text.push('\n');
                text.push_str(flags::INTERVAL_NOTE);
            }
            text.push_str(&super::rules::table_section(results));
            out.write_all(text.as_bytes())
        }
    }
}

/// The serializer's many small writes (a key, a colon, an indent) gathered in a
/// buffer and handed to the output a chunk at a time: through `&mut dyn Write` each
/// was a dynamic call into the caller's writer, a large part of a per-account run's
/// instructions. The output still streams; only a chunk is held.
struct Chunked<'a> {
    buf: Vec<u8>,
    out: &'a mut dyn std::io::Write,
}

impl<'a> Chunked<'a> {
    const SIZE: usize = 1 << 16;

    fn new(out: &'a mut dyn std::io::Write) -> Self {
        Chunked {
            buf: Vec::with_capacity(Self::SIZE + 1024),
            out,
        }
    }

    /// Writes what is left in the buffer.
    fn finish(self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)
    }
}

impl std::io::Write for Chunked<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= Self::SIZE {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Only what the buffer holds: the caller flushes its own writer.
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

/// A CSV writer's error as the I/O error it wraps, so that a closed pipe stays
/// `BrokenPipe` for the caller (the `csv` crate's own conversion makes every error
/// `Other`).
fn csv_io(e: csv::Error) -> std::io::Error {
    if !matches!(e.kind(), csv::ErrorKind::Io(_)) {
        return std::io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// The headers of the comparison's value and change columns: `previous` and `change`
/// against the period before, `year_ago` and `change_vs_year_ago` against the same
/// period a year earlier.
fn comparison_names(compare: Compare) -> (&'static str, &'static str) {
    match compare {
        Compare::Previous => ("previous", "change"),
        Compare::YearAgo => ("year_ago", "change_vs_year_ago"),
    }
}

/// A status as the table and Markdown show it: its word, or `—` without one.
fn status_word(s: Option<&Status>) -> &'static str {
    match s {
        Some(s) => s.word().unwrap_or("—"),
        None => "",
    }
}

/// A status word in its colour (ANSI: green, yellow for amber, red); other text as
/// it is.
fn coloured(word: &str) -> String {
    let code = match word {
        "green" => "32",
        "amber" => "33",
        "red" => "31",
        _ => return word.to_string(),
    };
    format!("\x1b[{code}m{word}\x1b[0m")
}
