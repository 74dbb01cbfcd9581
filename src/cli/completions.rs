//! `kpic completions SHELL` and `kpic man`: shell completion scripts and man pages,
//! generated from the command line's own definition (so they never fall out of date).

use super::{Cli, OK, usage_error};
use clap::CommandFactory;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `kpic completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in. Install, e.g.: `kpic completions bash >
    /// ~/.local/share/bash-completion/completions/kpic`, `kpic completions zsh >
    /// ~/.zfunc/_kpic`, `kpic completions fish > ~/.config/fish/completions/kpic.fish`,
    /// PowerShell: `kpic completions powershell | Out-String | Invoke-Expression` in
    /// the profile.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `kpic man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write every page (kpic.1, kpic-eval.1, ... one per subcommand) into this folder
    /// instead of printing kpic.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Prints the completion script of a shell.
pub fn completions(args: CompletionsArgs) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "kpic", &mut script);
    print(&script)
}

/// Prints the man page of `kpic`, or writes every page into a folder.
pub fn man(args: ManArgs) -> u8 {
    let cmd = Cli::command();
    if let Some(dir) = args.out {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            return usage_error(format!("{}: cannot make the folder: {e}", dir.display()));
        }
        return match clap_mangen::generate_to(cmd, &dir) {
            Ok(()) => OK,
            Err(e) => usage_error(format!(
                "{}: cannot write the man pages: {e}",
                dir.display()
            )),
        };
    }
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(cmd).render(&mut page) {
        return usage_error(format!("cannot write the man page: {e}"));
    }
    print(&page)
}

/// Writes to standard output (a closed pipe is not an error).
fn print(bytes: &[u8]) -> u8 {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => usage_error(format!("cannot write to standard output: {e}")),
    }
}
