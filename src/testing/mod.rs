//! `kpic test`: small, offline tests of KPIs and measures. A test file gives a case a
//! few rows of the tables it reads, a period and scope, and the value expected with its
//! unit; the case runs through the same loader and engine as `kpic eval`.

pub mod engines;
pub mod expect;
pub mod file;
pub mod run;

pub use engines::TestEngine;
pub use file::{Case, Expectation, SUFFIX, Target, TestFile, find, read};
pub use run::{CaseResult, Mismatch, Outcome, run_file, run_one};
