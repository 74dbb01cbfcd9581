//! The corpus's small-sample cells: a row's `sample` (the count its value rests on,
//! its threshold and flag) and a proportion's `interval`, as expected and as every
//! engine's JSON reports them, and how they are compared.

use serde::Deserialize;

/// `sample = { n = 5, min = 30, small = true }`, as the JSON's `sample` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleCell {
    pub n: u64,
    pub min: u64,
    pub small: bool,
}

/// `interval = { low = 0.15, high = 0.85 }` (the JSON's also has `level`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct IntervalCell {
    pub low: f64,
    pub high: f64,
}

/// A row's sample and interval (both absent for a KPI that is no ratio or average).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flags {
    pub sample: Option<SampleCell>,
    pub interval: Option<IntervalCell>,
}

/// What an engine's flags get wrong against the expected ones: the count, threshold
/// and flag exactly; the interval's ends to 1e-9 relative. In a case that writes no
/// `sample` at all (`checked` false) the flags are not compared, so cases written
/// before samples existed keep their meaning.
pub fn problems(checked: bool, want: &Flags, got: &Flags) -> Vec<String> {
    if !checked {
        return Vec::new();
    }
    let mut out = Vec::new();
    if want.sample != got.sample {
        out.push(format!(
            "sample is {:?}, expected {:?}",
            got.sample, want.sample
        ));
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let same = match (want.interval, got.interval) {
        (Some(w), Some(g)) => close(w.low, g.low) && close(w.high, g.high),
        (None, None) => true,
        _ => false,
    };
    if !same {
        out.push(format!(
            "interval is {:?}, expected {:?}",
            got.interval, want.interval
        ));
    }
    out
}
