//! The `kpic` binary: see `kpic --help`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

// mimalloc: parsing and checking a catalog, and loading a dataset, make millions of
// small allocations from several threads, where it is markedly faster than the
// system allocator. Built without transparent huge pages (`no_thp`): with them, on
// a kernel that compacts memory on demand for such pages, a run now and then spent
// several hundred milliseconds in the kernel.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
