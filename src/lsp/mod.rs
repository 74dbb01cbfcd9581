//! `kpic lsp`: a Language Server Protocol server over stdio (rust-analyzer's
//! `lsp-server` and `lsp-types`, synchronous).
//!
//! `server` is the protocol plumbing (initialize, the message loop, dispatch);
//! `workspace` the document store and the incremental check; the answers each have a
//! file (`diagnostics`, `hover`, `completion`, `symbols`, `formatting`), reading the
//! checker's catalog and the vocabulary tables. `locate` finds what a byte offset is
//! on in a syntax tree. Positions are converted between byte offsets and UTF-16 lines
//! and characters in `positions` only, at the boundary.

mod completion;
mod diagnostics;
mod formatting;
mod hover;
mod locate;
pub mod positions;
mod server;
mod symbols;
pub mod uri;
mod workspace;

pub use server::run;
pub use workspace::Workspace;
