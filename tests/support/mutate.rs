//! Only for `src/syntax/parser.rs`, whose unit test includes this path: the mutator
//! itself lives in the test suite's support module (`tests/suite/support/mutate.rs`).
//! Delete this file once that unit test has moved out of `src/` (issue 9).

#[path = "../suite/support/mutate.rs"]
mod suite_mutate;

pub use suite_mutate::*;
