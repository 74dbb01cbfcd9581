//! Fuzz target: any bytes through load-like decoding, parse, check and every renderer.
//! Run with `cargo fuzz run parse_check` (needs cargo-fuzz and a nightly toolchain).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let checked = kpic::check_texts([("fuzz.kpi", text.as_ref())]);
    let style = kpic::diagnostic::human::Style { color: false, width: 80 };
    let _ = kpic::diagnostic::human::render(&checked.diagnostics, &checked.sources, style);
    let _ = kpic::diagnostic::json::render(&checked.diagnostics, &checked.sources);
    let _ = kpic::diagnostic::github::render(&checked.diagnostics, &checked.sources);
});
