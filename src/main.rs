//! The `kpic` binary: see `kpic --help`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Checking is iterative where inputs can be long, and nesting is bounded, but a
    // roomy stack keeps deep-but-legal formulas far from the limit on any platform.
    let worker = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || cli::run(cli));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => ExitCode::from(cli::USAGE),
    }
}
