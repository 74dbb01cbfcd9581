//! Source text to typed syntax tree: [`parse_file`]. Only [`parser`] knows pest.

pub mod ast;
mod parser;
mod split;

pub use parser::{MAX_OPERATORS, dedent, parse_file};
pub use split::MAX_NESTING;
