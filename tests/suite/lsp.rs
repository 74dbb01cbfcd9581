//! The language server, driven over JSON-RPC by fixture sessions: each folder of
//! `tests/fixtures/lsp/` is a workspace (its `.kpi` files, perhaps a `kpic.toml`) and a
//! `session` file of steps; `kpic lsp` is started on it, the steps are sent, and every
//! message it sends back is snapshotted, URIs relative to the fixture.
//!
//! A session step is one line (`#` starts a comment); positions are the protocol's,
//! `LINE:CHARACTER`, both from 0, characters in UTF-16 code units:
//!
//! ```text
//! open FILE                        didOpen with the file's text
//! change FILE L:C-L:C "TEXT"       didChange replacing that range (TEXT a JSON string)
//! close FILE                       didClose
//! hover FILE L:C                   textDocument/hover
//! complete FILE L:C                textDocument/completion
//! symbols FILE                     textDocument/documentSymbol
//! workspace-symbols QUERY          workspace/symbol
//! format FILE                      textDocument/formatting
//! definition FILE L:C              textDocument/definition
//! references FILE L:C              textDocument/references (declaration included)
//! prepare-rename FILE L:C          textDocument/prepareRename
//! rename FILE L:C NEW              textDocument/rename
//! actions FILE L:C-L:C             textDocument/codeAction (with the diagnostics there)
//! ```
//!
//! After each step the harness sends a request the server does not know (`kpic/sync`)
//! and reads up to its answer, so every message is shown under the step that caused it.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

struct Session {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// The version of the last change sent.
    version: i64,
    root: PathBuf,
    root_uri: String,
    log: String,
    /// The last diagnostics published per file (for `actions`).
    diagnostics: std::collections::HashMap<String, Value>,
}

fn uri_of(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_str().expect("UTF-8 path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Session {
    fn start(root: &Path) -> Session {
        let mut child = crate::support::cli::command(&["lsp"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("kpic lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(m) = read_message(&mut reader) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let root_uri = uri_of(root);
        Session {
            child,
            stdin,
            incoming,
            next_id: 0,
            version: 1,
            root: root.to_path_buf(),
            root_uri,
            log: String::new(),
            diagnostics: Default::default(),
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its answer; messages before it are logged.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self
                .incoming
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers within a minute");
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                return m;
            }
            self.log_message(&m);
        }
    }

    fn log_message(&mut self, m: &Value) {
        let method = m["method"].as_str().unwrap_or("?").to_string();
        if method == "textDocument/publishDiagnostics" {
            let uri = m["params"]["uri"].as_str().unwrap_or("").to_string();
            self.diagnostics
                .insert(self.relative(&uri), m["params"]["diagnostics"].clone());
        }
        let text = self.show(&m["params"]);
        self.log.push_str(&format!("<<< {method}\n{text}\n"));
    }

    fn relative(&self, uri: &str) -> String {
        uri.strip_prefix(&format!("{}/", self.root_uri))
            .unwrap_or(uri)
            .to_string()
    }

    /// Pretty JSON with the fixture's URIs relative to it.
    fn show(&self, v: &Value) -> String {
        let text = serde_json::to_string_pretty(v).expect("JSON");
        text.replace(&format!("{}/", self.root_uri), "")
    }

    fn sync(&mut self) {
        let answer = self.request("kpic/sync", json!(null));
        assert!(answer.get("error").is_some(), "{answer}");
    }

    fn doc(&self, file: &str) -> Value {
        json!({"uri": uri_of(&self.root.join(file))})
    }

    fn step(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        self.log.push_str(&format!(">>> {line}\n"));
        let at = |i: usize| position(words.get(i).copied().unwrap_or("?"));
        let answer = match words[..] {
            ["open", file] => {
                let text = std::fs::read_to_string(self.root.join(file)).expect("fixture file");
                let mut doc = self.doc(file);
                doc["languageId"] = json!("kpi");
                doc["version"] = json!(1);
                doc["text"] = json!(text);
                self.notify("textDocument/didOpen", json!({"textDocument": doc}));
                None
            }
            ["change", file, range, ..] => {
                let quoted = line.splitn(4, ' ').nth(3).expect("change text");
                let text: String = serde_json::from_str(quoted).expect("TEXT is a JSON string");
                let mut doc = self.doc(file);
                self.version += 1;
                doc["version"] = json!(self.version);
                self.notify(
                    "textDocument/didChange",
                    json!({"textDocument": doc, "contentChanges": [{"range": span(range), "text": text}]}),
                );
                None
            }
            ["close", file] => {
                let doc = self.doc(file);
                self.notify("textDocument/didClose", json!({"textDocument": doc}));
                None
            }
            ["hover", file, _] => {
                let p = json!({"textDocument": self.doc(file), "position": at(2)});
                Some(self.request("textDocument/hover", p))
            }
            ["complete", file, _] => {
                let p = json!({"textDocument": self.doc(file), "position": at(2)});
                Some(self.request("textDocument/completion", p))
            }
            ["symbols", file] => {
                let p = json!({"textDocument": self.doc(file)});
                Some(self.request("textDocument/documentSymbol", p))
            }
            ["workspace-symbols"] | ["workspace-symbols", _] => {
                let p = json!({"query": words.get(1).copied().unwrap_or("")});
                Some(self.request("workspace/symbol", p))
            }
            ["format", file] => {
                let p = json!({"textDocument": self.doc(file), "options": {"tabSize": 2, "insertSpaces": true}});
                Some(self.request("textDocument/formatting", p))
            }
            ["definition", file, _] => {
                let p = json!({"textDocument": self.doc(file), "position": at(2)});
                Some(self.request("textDocument/definition", p))
            }
            ["references", file, _] => {
                let p = json!({"textDocument": self.doc(file), "position": at(2), "context": {"includeDeclaration": true}});
                Some(self.request("textDocument/references", p))
            }
            ["prepare-rename", file, _] => {
                let p = json!({"textDocument": self.doc(file), "position": at(2)});
                Some(self.request("textDocument/prepareRename", p))
            }
            ["rename", file, _, new_name] => {
                let p =
                    json!({"textDocument": self.doc(file), "position": at(2), "newName": new_name});
                Some(self.request("textDocument/rename", p))
            }
            ["actions", file, range] => {
                let range = span(range);
                let diagnostics = self.diagnostics.get(file).cloned().unwrap_or(json!([]));
                let p = json!({"textDocument": self.doc(file), "range": range,
                    "context": {"diagnostics": diagnostics}});
                Some(self.request("textDocument/codeAction", p))
            }
            _ => panic!("unknown session step: {line}"),
        };
        self.sync();
        if let Some(answer) = answer {
            let shown = match answer.get("error") {
                Some(e) => format!("error: {}", self.show(e)),
                None => self.show(&answer["result"]),
            };
            self.log.push_str(&format!("{shown}\n"));
        }
    }

    fn finish(mut self) -> String {
        self.request("shutdown", json!(null));
        self.notify("exit", json!(null));
        let status = self.child.wait().expect("kpic lsp exits");
        assert!(status.success(), "kpic lsp exited with {status}");
        self.log
    }
}

/// `L:C` as a protocol position.
fn position(text: &str) -> Value {
    let (line, character) = text.split_once(':').expect("LINE:CHARACTER");
    json!({"line": line.parse::<u32>().expect("line"), "character": character.parse::<u32>().expect("character")})
}

/// `L:C-L:C` as a protocol range.
fn span(text: &str) -> Value {
    let (start, end) = text.split_once('-').expect("L:C-L:C");
    json!({"start": position(start), "end": position(end)})
}

fn run_session(dir: &Path) -> String {
    let root = dir.canonicalize().expect("fixture folder");
    let script = std::fs::read_to_string(root.join("session")).expect("a session file");
    let mut s = Session::start(&root);
    let init = s.request(
        "initialize",
        json!({"processId": null, "rootUri": s.root_uri.clone(), "capabilities": {},
               "workspaceFolders": [{"uri": s.root_uri.clone(), "name": "fixture"}]}),
    );
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    s.log.push_str(">>> initialized\n");
    s.notify("initialized", json!({}));
    s.sync();
    for line in script.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        s.step(line);
    }
    s.finish()
}

#[test]
fn lsp_sessions() {
    insta::glob!("../fixtures", "lsp/*/session", |path| {
        let dir = path.parent().expect("fixture folder");
        let log = run_session(dir);
        insta::assert_snapshot!(log);
    });
}

#[test]
fn initialize_announces_the_capabilities() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lsp/diagnostics");
    let mut s = Session::start(&root.canonicalize().expect("fixture"));
    let init = s.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    insta::assert_json_snapshot!(init["result"]);
    s.notify("initialized", json!({}));
    s.finish();
}
