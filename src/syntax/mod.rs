//! Source text to typed syntax tree: [`parse_file`] (and [`parse_expression`] for an
//! expression inside text, a rule message's placeholder). Only `parser` knows pest.

pub mod ast;
mod parser;
mod split;

pub use parser::{MAX_OPERATORS, dedent, parse_expression, parse_file};
#[doc(hidden)]
pub use parser::{RuleSet, item_chunks, item_ranges, read_item};
pub use split::MAX_NESTING;
