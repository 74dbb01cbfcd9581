//! `kpic lsp`: a Language Server Protocol server over stdio (rust-analyzer's
//! `lsp-server` and `lsp-types`, synchronous).
//!
//! `server` is the protocol plumbing (initialize, the message loop, dispatch);
//! `workspace` the document store and the incremental check; the answers each have a
//! file (`diagnostics`, `hover`, `completion`, `symbols`, `formatting`, `navigation`
//! for definition, references and rename, `actions` for quick fixes), reading the
//! checker's catalog, the vocabulary tables and the name index ([`crate::names`]). `locate` finds what a byte offset is
//! on in a syntax tree. Positions are converted between byte offsets and UTF-16 lines
//! and characters in `positions` only, at the boundary.

mod actions;
mod completion;
mod diagnostics;
mod formatting;
mod hover;
mod locate;
mod navigation;
pub mod positions;
mod server;
mod symbols;
pub mod uri;
mod workspace;

pub use server::run;
pub use workspace::Workspace;
