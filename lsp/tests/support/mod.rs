//! A protocol client for the tests: the server runs in process, joined to
//! the client by in-memory pipes carrying real `Content-Length` framed
//! JSON-RPC, and files that are not open live in memory.
#![allow(dead_code)]

use parseltongue_lsp::files::FileSystem;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;

/// Files that exist "on disk" for the server.
#[derive(Default, Clone)]
pub struct MemoryFiles(Arc<Mutex<HashMap<PathBuf, String>>>);

impl MemoryFiles {
    pub fn write(&self, path: &str, text: &str) {
        self.0
            .lock()
            .expect("files")
            .insert(PathBuf::from(path), text.to_string());
    }
}

impl FileSystem for MemoryFiles {
    fn read(&self, path: &Path) -> Option<String> {
        self.0.lock().ok()?.get(path).cloned()
    }

    fn pt_files(&self, dir: &Path) -> Vec<PathBuf> {
        let Ok(files) = self.0.lock() else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = files
            .keys()
            .filter(|p| p.parent() == Some(dir) && p.extension().is_some_and(|e| e == "pt"))
            .cloned()
            .collect();
        out.sort();
        out
    }
}

pub struct Client {
    writer: WriteHalf<DuplexStream>,
    incoming: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    pub notifications: Vec<Value>,
}

pub fn uri(path: &str) -> String {
    format!("file://{path}")
}

impl Client {
    /// Starts a server over `files` and initializes it.
    pub async fn start(files: MemoryFiles) -> Client {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let (service, socket) = parseltongue_lsp::service(Arc::new(files));
        tokio::spawn(
            tower_lsp_server::Server::new(server_read, server_write, socket).serve(service),
        );
        let (client_read, writer) = tokio::io::split(client_end);
        let (tx, incoming) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(client_read);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).await.is_err() {
                    return;
                }
                if let Ok(value) = serde_json::from_slice::<Value>(&body) {
                    let _ = tx.send(value);
                }
            }
        });
        let mut client = Client {
            writer,
            incoming,
            next_id: 0,
            notifications: Vec::new(),
        };
        client
            .request("initialize", json!({ "capabilities": {} }))
            .await;
        client.notify("initialized", json!({})).await;
        client
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer
            .write_all(frame.as_bytes())
            .await
            .expect("server reads");
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .await;
    }

    /// Sends a request and waits for its response (`result`, or the
    /// `error` object).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.incoming.recv())
                .await
                .expect("the server answers within 20 s")
                .expect("the server is running");
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message
                    .get("result")
                    .cloned()
                    .or_else(|| message.get("error").map(|e| json!({ "error": e })))
                    .unwrap_or(Value::Null);
            }
            if message.get("method").is_some() && message.get("id").is_some() {
                // A request from the server (none expected): answer null.
                let reply = json!({ "jsonrpc": "2.0", "id": message["id"], "result": null });
                self.send(reply).await;
                continue;
            }
            self.notifications.push(message);
        }
    }

    /// Waits for the next diagnostics published for `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            if let Some(i) = self.notifications.iter().position(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            }) {
                return self.notifications.remove(i)["params"]["diagnostics"].clone();
            }
            let message = tokio::time::timeout(Duration::from_secs(20), self.incoming.recv())
                .await
                .expect("diagnostics arrive within 20 s")
                .expect("the server is running");
            self.notifications.push(message);
        }
    }

    /// The next diagnostics published for `uri`, whole: `uri`, `version`
    /// and `diagnostics`.
    pub async fn published(&mut self, uri: &str) -> Value {
        loop {
            if let Some(i) = self.notifications.iter().position(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            }) {
                return self.notifications.remove(i)["params"].clone();
            }
            let message = tokio::time::timeout(Duration::from_secs(20), self.incoming.recv())
                .await
                .expect("diagnostics arrive within 20 s")
                .expect("the server is running");
            self.notifications.push(message);
        }
    }

    /// Opens `path` with `text` (cursor markers removed by the caller).
    pub async fn open(&mut self, path: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(path), "languageId": "parseltongue", "version": 1, "text": text } }),
        )
        .await;
    }
}

/// Removes the `$0` cursor marker; returns the text and the marker's
/// (line, UTF-16 column).
pub fn cursor(marked: &str) -> (String, Value) {
    let at = marked.find("$0").expect("a $0 marker");
    let text = marked.replacen("$0", "", 1);
    let before = &text[..at];
    let line = before.matches('\n').count();
    let column: usize = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .map(char::len_utf16)
        .sum();
    (text, json!({ "line": line, "character": column }))
}
