//! `kpic explain CODE`.

use super::{OK, usage_error};
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
        for code in Code::ALL {
            println!("{}  {}", code, code.title());
        }
        return OK;
    };
    match Code::parse(&text) {
        Some(code) => {
            println!("{code}: {}\n\n{}", code.title(), code.explanation());
            OK
        }
        None => usage_error(format!(
            "`{text}` is not a kpic diagnostic code; run `kpic explain` to list them"
        )),
    }
}
