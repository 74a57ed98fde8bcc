//! `plc mcp`: the toolchain as a Model Context Protocol server over stdio
//! (on the official Rust SDK, `rmcp`), for agents that write Parseltongue.
//! Every tool takes a program as text (no file needed) or as a path, and
//! answers with structured output. A mistake in a request is a tool error
//! with a message that says what to send instead; the connection stays up.
//! The compiler runs on blocking threads, so one slow build does not stop
//! the server from answering.

mod program;
mod run;

use crate::commands::docs;
use parseltongue_core::diagnostics::{json, render, Diagnostic, Severity};
use parseltongue_core::grammar::{self, Format};
use parseltongue_core::source::SourceMap;
use program::ProgramInput;
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{
    Implementation, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{
    tool, tool_handler, tool_router, ErrorData, Json, RoleServer, ServerHandler, ServiceExt,
};
use run::{RunInput, RunReport};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The full language reference, served as a resource.
const FULL_REFERENCE: &str = include_str!("../../../docs/reference.md");

/// Runs the server on stdin and stdout until the client goes away.
pub fn serve() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the MCP server: {e}"))?;
    runtime.block_on(async {
        let root =
            std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
        let service = Toolchain::new(root)
            .serve(checked_stdio())
            .await
            .map_err(|e| format!("the MCP session could not start: {e}"))?;
        service
            .waiting()
            .await
            .map_err(|e| format!("the MCP session ended with an error: {e}"))?;
        Ok(())
    })
}

/// Stdin and stdout for the SDK, with a gate in front: a line that is not
/// JSON, or not a JSON-RPC message, is answered with JSON-RPC's own error
/// (`-32700` parse error, `-32600` invalid request) instead of being
/// dropped without a word; the session goes on either way.
fn checked_stdio() -> (tokio::io::DuplexStream, tokio::io::DuplexStream) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (to_server, server_reads) = tokio::io::duplex(1 << 16);
    let (server_writes, from_server) = tokio::io::duplex(1 << 16);
    let (errors_tx, mut errors_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let mut to_server = to_server;
        let mut input = BufReader::new(tokio::io::stdin());
        while let Some(line) = next_line(&mut input).await {
            let line = match line {
                Ok(line) => line,
                Err(error) => {
                    let _ = errors_tx.send(error);
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            if let Some(error) = protocol_error(&line) {
                let _ = errors_tx.send(error);
                continue;
            }
            if to_server
                .write_all(format!("{line}\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
        // End of input: the server sees it and ends the session.
        let _ = to_server.shutdown().await;
    });
    tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        let mut replies = BufReader::new(from_server).lines();
        loop {
            let line = tokio::select! {
                reply = replies.next_line() => match reply {
                    Ok(Some(line)) => line,
                    _ => break,
                },
                Some(error) = errors_rx.recv() => error,
            };
            if stdout
                .write_all(format!("{line}\n").as_bytes())
                .await
                .is_err()
                || stdout.flush().await.is_err()
            {
                break;
            }
        }
    });
    (server_reads, server_writes)
}

/// The longest request line the server reads: a program of the largest
/// size the tools take, escaped as JSON, fits.
const MAX_LINE_BYTES: usize = 32 << 20;

/// The next line of `input`, or the JSON-RPC error for one too long (read
/// to its end in pieces and dropped, so it never sits in memory whole);
/// `None` at the end of the input.
async fn next_line(
    input: &mut (impl tokio::io::AsyncBufRead + Unpin),
) -> Option<Result<String, String>> {
    use tokio::io::AsyncBufReadExt;
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = match input.fill_buf().await {
            Ok(bytes) => bytes,
            Err(_) => return None,
        };
        if available.is_empty() {
            if line.is_empty() && !too_long {
                return None;
            }
            break;
        }
        let (piece, ends) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], true),
            None => (available, false),
        };
        if !too_long && line.len() + piece.len() <= MAX_LINE_BYTES {
            line.extend_from_slice(piece);
        } else {
            too_long = true;
            line.clear();
        }
        let used = piece.len() + usize::from(ends);
        input.consume(used);
        if ends {
            break;
        }
    }
    if too_long {
        return Some(Err(serde_json::json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": {
                "code": -32700,
                "message": format!("parse error: a request line is longer than {MAX_LINE_BYTES} bytes"),
            },
        })
        .to_string()));
    }
    Some(Ok(String::from_utf8_lossy(&line).into_owned()))
}

/// The JSON-RPC error for `line`, if it is not a message the server can
/// read.
fn protocol_error(line: &str) -> Option<String> {
    let error = |id: serde_json::Value, code: i64, message: String| {
        Some(
            serde_json::json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": { "code": code, "message": message },
            })
            .to_string(),
        )
    };
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => {
            return error(
                serde_json::Value::Null,
                -32700,
                format!("parse error: the line is not JSON ({e})"),
            )
        }
    };
    let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
    match serde_json::from_value::<rmcp::model::ClientJsonRpcMessage>(value) {
        Ok(_) => None,
        Err(e) => error(
            id,
            -32600,
            format!("invalid request: not a JSON-RPC 2.0 message an MCP server reads ({e})"),
        ),
    }
}

/// Diagnostics of a program: counts, each in rustc's JSON shape (with its
/// fixes), and all of them as `plc check` prints them.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct CheckReport {
    /// True if the program has no errors (warnings may remain).
    pub ok: bool,
    /// How many errors.
    pub errors: usize,
    /// How many warnings.
    pub warnings: usize,
    /// Each diagnostic as rustc's `--error-format=json` object: `code`,
    /// `level`, `message`, `spans` (file, line, column, label,
    /// `suggested_replacement`), `children` (notes, helps) and `rendered`.
    pub diagnostics: Vec<serde_json::Value>,
    /// All diagnostics rendered for reading, with source lines.
    pub rendered: String,
}

/// The report of `diagnostics` about `sources`.
pub fn check_report(diagnostics: &[Diagnostic], sources: &SourceMap) -> CheckReport {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    CheckReport {
        ok: errors == 0,
        errors,
        warnings,
        diagnostics: diagnostics
            .iter()
            .map(|d| serde_json::to_value(json::to_json(d, sources)).unwrap_or_default())
            .collect(),
        rendered: render::render_all(diagnostics, sources, render::ColorChoice::Never),
    }
}

/// One edit `fix` made.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FixEdit {
    /// The file.
    pub file: String,
    /// The code of the diagnostic whose fix it is.
    pub code: String,
    /// Line of the replaced text (1-based), in the file before the fixes.
    pub line: usize,
    /// Column (1-based, in characters).
    pub column: usize,
    /// Byte range replaced, in the file before the fixes.
    pub byte_start: usize,
    /// End of the byte range.
    pub byte_end: usize,
    /// The text replaced.
    pub replaced: String,
    /// The new text.
    pub replacement: String,
}

/// What `fix` did.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FixReport {
    /// Every file of the program after the fixes, by name (nothing is
    /// written to disk: write them back yourself).
    pub files: BTreeMap<String, String>,
    /// The edits made, in the files as they were (a later round's edits
    /// are listed with the positions of the round before).
    pub edits: Vec<FixEdit>,
    /// The diagnostics that remain in the fixed program.
    pub remaining: CheckReport,
}

/// The generated Rust.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EmitReport {
    /// The Rust the program lowers to (empty when it has errors).
    pub rust: String,
    /// The program's diagnostics.
    pub check: CheckReport,
}

/// The formatted program.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FormatReport {
    /// Every file in the canonical layout, by name (nothing is written).
    pub files: BTreeMap<String, String>,
    /// True if any file changed.
    pub changed: bool,
}

/// A diagnostic code to explain.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainInput {
    /// A code such as `PT0301`.
    pub code: String,
}

/// A grammar format.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrammarInput {
    /// `lark` (llguidance: vLLM, SGLang, llama.cpp with llguidance),
    /// `gbnf` (llama.cpp) or `ebnf` (the description both come from).
    pub format: String,
}

/// The toolchain, as MCP tools and resources.
#[derive(Clone)]
pub struct Toolchain {
    /// Where relative paths start.
    root: PathBuf,
    tool_router: ToolRouter<Toolchain>,
}

/// Runs `work` on a blocking thread; a panic is a tool error, not a lost
/// connection.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("internal error in the toolchain, please report it: {e}"))?
}

#[tool_router]
impl Toolchain {
    /// A server whose relative paths start at `root`.
    pub fn new(root: PathBuf) -> Toolchain {
        Toolchain {
            root,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "Check a Parseltongue program (names, types, ownership) without building it. Give the program as `source` (one file's text), `files` (name → text, root `main.pt`) or `path` (a file, folder or package on disk). Returns every diagnostic in rustc's JSON shape with machine-applicable fixes, and the same rendered for reading."
    )]
    async fn check(
        &self,
        Parameters(input): Parameters<ProgramInput>,
    ) -> Result<Json<CheckReport>, String> {
        let root = self.root.clone();
        blocking(move || {
            let program = input.resolve(&root)?.program;
            let checked = parseltongue_extensions::check(&program.sources);
            Ok(Json(check_report(&checked.diagnostics, &program.sources)))
        })
        .await
    }

    #[tool(
        description = "Apply every machine-applicable fix to a Parseltongue program, round by round until none is left (a fix can reveal the next). Returns the fixed files (nothing is written to disk), the edits made and the diagnostics that remain."
    )]
    async fn fix(
        &self,
        Parameters(input): Parameters<ProgramInput>,
    ) -> Result<Json<FixReport>, String> {
        let root = self.root.clone();
        blocking(move || {
            let program = input.resolve(&root)?.program;
            let (texts, edits) = parseltongue_core::fix::fix_until_clean(&program.sources, 10);
            let edits = edits
                .iter()
                .map(|(file, edit)| {
                    let source = program.sources.get(*file);
                    let at = source.line_column(edit.span.start);
                    FixEdit {
                        file: source.name.clone(),
                        code: edit.code.clone(),
                        line: at.line,
                        column: at.column,
                        byte_start: edit.span.start as usize,
                        byte_end: edit.span.end as usize,
                        replaced: source.text.get(edit.span.range()).unwrap_or("").to_string(),
                        replacement: edit.replacement.clone(),
                    }
                })
                .collect();
            let mut fixed = SourceMap::new();
            let mut files = BTreeMap::new();
            for ((_, source), text) in program.sources.iter().zip(texts) {
                files.insert(source.name.clone(), text.clone());
                fixed.add(parseltongue_core::source::SourceFile::new(
                    source.name.clone(),
                    text,
                ));
            }
            let checked = parseltongue_extensions::check(&fixed);
            Ok(Json(FixReport {
                files,
                edits,
                remaining: check_report(&checked.diagnostics, &fixed),
            }))
        })
        .await
    }

    #[tool(
        description = "The Rust a Parseltongue program lowers to (what `plc emit` prints), with the program's diagnostics; empty when it has errors."
    )]
    async fn emit(
        &self,
        Parameters(input): Parameters<ProgramInput>,
    ) -> Result<Json<EmitReport>, String> {
        let root = self.root.clone();
        blocking(move || {
            let program = input.resolve(&root)?.program;
            let compiled = parseltongue_extensions::compile(&program.sources)
                .map_err(|e| format!("internal compiler error, please report it: {e}"))?;
            Ok(Json(EmitReport {
                rust: compiled.rust.clone().unwrap_or_default(),
                check: check_report(&compiled.diagnostics, &program.sources),
            }))
        })
        .await
    }

    #[tool(
        description = "Format a Parseltongue program in the canonical layout (what `plc fmt` writes). Returns every file formatted; nothing is written to disk. A file with a syntax error is a tool error naming it."
    )]
    async fn format(
        &self,
        Parameters(input): Parameters<ProgramInput>,
    ) -> Result<Json<FormatReport>, String> {
        let root = self.root.clone();
        blocking(move || {
            let program = input.resolve(&root)?.program;
            let mut files = BTreeMap::new();
            let mut changed = false;
            for (_, source) in program.sources.iter() {
                match parseltongue_core::formatter::format_source(&source.text) {
                    Ok(text) => {
                        changed |= text != source.text;
                        files.insert(source.name.clone(), text);
                    }
                    Err(diagnostics) => {
                        let mut one = SourceMap::new();
                        one.add(source.clone());
                        return Err(format!(
                            "`{}` has syntax errors, so it is not formatted; fix them first:\n{}",
                            source.name,
                            render::render_all(&diagnostics, &one, render::ColorChoice::Never)
                        ));
                    }
                }
            }
            Ok(Json(FormatReport { files, changed }))
        })
        .await
    }

    #[tool(
        description = "Check, build and run a Parseltongue program with a time limit (`timeout_seconds`, default 10) and an output limit (`max_output_bytes`, default 65536), with optional `args` and `stdin`. Returns the phase reached (`check`, `build` or `run`), the exit code, stdout and stderr (a panic's location is its `.pt` line), and the diagnostics or build messages that stopped it."
    )]
    async fn run(
        &self,
        Parameters(input): Parameters<RunInput>,
    ) -> Result<Json<RunReport>, String> {
        let root = self.root.clone();
        blocking(move || run::run(&input, &root, false).map(Json)).await
    }

    #[tool(
        description = "Check, build and run the `test` blocks of a Parseltongue program, with the same limits as `run`; `args` go to the test harness (a test-name filter, `--exact`). `success` is true if every test passed; a failed assertion is shown at its `.pt` line."
    )]
    async fn test(
        &self,
        Parameters(input): Parameters<RunInput>,
    ) -> Result<Json<RunReport>, String> {
        let root = self.root.clone();
        blocking(move || run::run(&input, &root, true).map(Json)).await
    }

    #[tool(
        description = "The long explanation of a Parseltongue diagnostic code (such as `PT0301`): what it means, a wrong example and the fixed one."
    )]
    async fn explain(&self, Parameters(input): Parameters<ExplainInput>) -> Result<String, String> {
        let code = input.code.trim().to_ascii_uppercase();
        parseltongue_extensions::lookup_code(&code)
            .map(|info| info.explanation.to_string())
            .ok_or_else(|| {
                format!(
                    "`{}` is not a Parseltongue diagnostic code; codes look like `PT0301` (the `reference` tool lists them)",
                    input.code
                )
            })
    }

    #[tool(
        description = "The compact Parseltongue language reference, written for language models: every construct with an example and the Rust it becomes. Read it before writing a program. Also the resource `parseltongue://reference`."
    )]
    async fn reference(&self) -> String {
        docs::REFERENCE.to_string()
    }

    #[tool(
        description = "Parseltongue's syntax as a grammar for constrained decoding: `lark` for llguidance (vLLM, SGLang, llama.cpp built with llguidance), `gbnf` for llama.cpp, or `ebnf`. It holds syntax only: names and types still need `check`."
    )]
    async fn grammar(&self, Parameters(input): Parameters<GrammarInput>) -> Result<String, String> {
        let format = Format::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(input.format.trim()))
            .map(|&(_, format)| format)
            .ok_or_else(|| {
                format!(
                    "`{}` is not a grammar format; use `lark`, `gbnf` or `ebnf`",
                    input.format
                )
            })?;
        Ok(grammar::render(format))
    }
}

/// The resources: the references and the grammars, by URI.
fn resources() -> Vec<(&'static str, &'static str, &'static str, String)> {
    vec![
        (
            "parseltongue://reference",
            "reference",
            "The compact language reference for language models (docs/llms.txt)",
            docs::REFERENCE.to_string(),
        ),
        (
            "parseltongue://reference/full",
            "full reference",
            "The full language reference (docs/reference.md)",
            FULL_REFERENCE.to_string(),
        ),
        (
            "parseltongue://grammar/lark",
            "grammar (Lark)",
            "The syntax as a Lark grammar for llguidance",
            grammar::render(Format::Lark),
        ),
        (
            "parseltongue://grammar/gbnf",
            "grammar (GBNF)",
            "The syntax as a GBNF grammar for llama.cpp",
            grammar::render(Format::Gbnf),
        ),
    ]
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Toolchain {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("plc", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "The Parseltongue toolchain. Read `reference` first. Then loop: `check` a program, \
             apply `fix` for what it can fix, correct the rest by the diagnostics (`explain` a \
             code for more), and `run` it (or `test` it). Programs are given as text (`source`, \
             or `files` with `main.pt` as the root) or as a `path` on disk.",
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let resources = resources()
            .into_iter()
            .map(|(uri, name, description, text)| {
                Resource::new(uri, name)
                    .with_description(description)
                    .with_mime_type("text/plain")
                    .with_size(text.len() as u64)
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let Some((uri, _, _, text)) = resources()
            .into_iter()
            .find(|(uri, ..)| *uri == request.uri)
        else {
            let known: Vec<&str> = resources().iter().map(|(uri, ..)| *uri).collect();
            return Err(ErrorData::resource_not_found(
                format!("no resource `{}`; the resources are {known:?}", request.uri),
                None,
            ));
        };
        Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri)]).into())
    }
}
