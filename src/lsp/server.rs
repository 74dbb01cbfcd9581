//! The protocol plumbing: initialize with the capabilities implemented, then one loop
//! reading requests and notifications and dispatching them, one at a time.

use super::workspace::Workspace;
use super::{actions, completion, diagnostics, formatting, hover, navigation, symbols, uri};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, InitializeParams, OneOf, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};
use serde::de::DeserializeOwned;
use std::path::PathBuf;

/// Serves one editor session over stdin/stdout until `exit`; `Err` says why the
/// session broke off (a protocol error or a closed stream).
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

/// What the server answers, announced at `initialize`.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), ":".into()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(lsp_types::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        ..Default::default()
    }
}

/// The session on one connection: initialize, then the loop.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "kpic", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server {
        connection,
        ws: Workspace::load(root_of(&params)),
        published: Vec::new(),
    };
    if let Some(message) = server.ws.load_error.clone() {
        server.notify::<note::ShowMessage>(lsp_types::ShowMessageParams {
            typ: lsp_types::MessageType::ERROR,
            message,
        });
    }
    server.publish(None);
    server.main_loop()
}

/// The folder the editor opened: the first workspace folder, else the root URI.
#[allow(deprecated)] // `root_uri` is how older clients say it.
fn root_of(params: &InitializeParams) -> Option<PathBuf> {
    params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri)
        .or(params.root_uri.as_ref())
        .and_then(uri::to_path)
}

struct Server<'c> {
    connection: &'c Connection,
    ws: Workspace,
    /// The diagnostics last published for each document.
    published: Vec<Vec<lsp_types::Diagnostic>>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), String> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    if self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    let response = self.answer(request);
                    self.send(Message::Response(response));
                }
                Message::Notification(n) => self.on_notification(n),
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) {
        // A closed output means the editor is gone; the loop ends when input closes.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    /// Re-checks the catalog and publishes the diagnostics that changed.
    fn publish(&mut self, edited: Option<usize>) {
        self.ws.check();
        if std::env::var_os("KPIC_TIMING").is_some() {
            eprintln!("check {:?}", self.ws.last_check);
        }
        for params in diagnostics::to_publish(&self.ws, &mut self.published, edited) {
            self.notify::<note::PublishDiagnostics>(params);
        }
    }

    fn on_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    let doc = p.text_document;
                    let i = self.ws.open(&doc.uri, doc.text, doc.version);
                    self.publish(i);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params)
                    && let Some(i) = self.ws.doc_index(&p.text_document.uri)
                {
                    self.ws
                        .change(i, p.text_document.version, p.content_changes);
                    self.publish(Some(i));
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params)
                    && let Some(i) = self.ws.doc_index(&p.text_document.uri)
                {
                    self.ws.close(i);
                    self.publish(None);
                }
            }
            _ => {}
        }
    }

    fn answer(&self, request: Request) -> Response {
        let id = request.id.clone();
        let ws = &self.ws;
        match request.method.as_str() {
            req::HoverRequest::METHOD => reply(id, request.params, |p| hover::hover(ws, p)),
            req::Completion::METHOD => reply(id, request.params, |p| completion::complete(ws, p)),
            req::DocumentSymbolRequest::METHOD => {
                reply(id, request.params, |p| symbols::document(ws, p))
            }
            req::WorkspaceSymbolRequest::METHOD => {
                reply(id, request.params, |p| symbols::workspace(ws, p))
            }
            req::Formatting::METHOD => reply(id, request.params, |p| formatting::format(ws, p)),
            req::GotoDefinition::METHOD => {
                reply(id, request.params, |p| navigation::definition(ws, p))
            }
            req::References::METHOD => reply(id, request.params, |p| navigation::references(ws, p)),
            req::PrepareRenameRequest::METHOD => {
                reply(id, request.params, |p| navigation::prepare_rename(ws, p))
            }
            req::Rename::METHOD => match serde_json::from_value(request.params) {
                Ok(p) => match navigation::rename(ws, p) {
                    Ok(edit) => Response::new_ok(id, edit),
                    Err(why) => Response::new_err(id, ErrorCode::RequestFailed as i32, why),
                },
                Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
            },
            req::CodeActionRequest::METHOD => {
                reply(id, request.params, |p| actions::code_actions(ws, p))
            }
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("kpic lsp does not answer {}", request.method),
            ),
        }
    }
}

/// A notification's parameters, or `None` when they are malformed (ignored, as the
/// protocol asks of notifications).
fn params<P: DeserializeOwned>(value: serde_json::Value) -> Option<P> {
    serde_json::from_value(value).ok()
}

/// Answers a request with `f` over its parameters (malformed ones are an error
/// response).
fn reply<P: DeserializeOwned, R: serde::Serialize>(
    id: RequestId,
    value: serde_json::Value,
    f: impl FnOnce(P) -> R,
) -> Response {
    match serde_json::from_value::<P>(value) {
        Ok(p) => Response::new_ok(id, f(p)),
        Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
    }
}
