//! `kpic explain CODE`.

use super::usage_error;
use kpic::Code;

/// Arguments of `kpic explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A diagnostic code such as K0201 (omit to list every code).
    pub code: Option<String>,
}

/// Runs `kpic explain`.
pub fn run(args: Args) -> u8 {
    let Some(text) = args.code else {
        let list: String = Code::ALL
            .iter()
            .map(|code| format!("{}  {}\n", code, code.title()))
            .collect();
        return super::catalog_args::emit(&list);
    };
    match Code::parse(&text) {
        Some(code) => super::catalog_args::emit(&format!(
            "{code}: {}\n\n{}\n",
            code.title(),
            code.explanation()
        )),
        None => usage_error(format!(
            "`{text}` is not a kpic diagnostic code; run `kpic explain` to list them"
        )),
    }
}
