//! `kpic lsp`: the language server, on stdin and stdout (editors start it).

use super::{OK, usage_error};

/// Arguments of `kpic lsp` (none: the editor says everything at `initialize`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long, hide = true)]
    pub stdio: bool,
}

/// Runs `kpic lsp` until the editor says `exit`.
pub fn run(_args: Args) -> u8 {
    match kpic::lsp::run() {
        Ok(()) => OK,
        Err(e) => usage_error(format!("language server: {e}")),
    }
}
