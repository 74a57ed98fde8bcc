//! The protocol side: buffers in, answers out. Every answer comes from an
//! [`Analysis`] of the program the file belongs to, recomputed when any
//! file of that program changed; diagnostics are pushed for every file of
//! the program, so a file that imports an edited one is refreshed too.

use crate::convert::{self, offset, position, range};
use crate::files::{program_of, Documents, FileSystem};
use parseltongue_core::analysis::{
    Analysis, CompletionKind, SemanticTokenKind, Symbol, SymbolKind,
};
use parseltongue_core::source::{FileId, Span};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self, *};
use tower_lsp_server::{Client, LanguageServer};

/// The name of the request that returns a file's generated Rust.
pub const GENERATED_RUST: &str = "parseltongue/generatedRust";

/// One analysed program and the files behind its source map.
pub struct Snapshot {
    analysis: Analysis,
    paths: Vec<PathBuf>,
}

impl Snapshot {
    fn file_id(&self, path: &Path) -> Option<FileId> {
        self.paths
            .iter()
            .position(|p| p == path)
            .and_then(|i| u32::try_from(i).ok())
            .map(FileId)
    }

    fn uri(&self, file: FileId) -> Option<Uri> {
        uri_of(self.paths.get(file.0 as usize)?)
    }

    fn location(&self, span: Span) -> Option<Location> {
        let file = self.analysis.sources().get(span.file);
        Some(Location {
            uri: self.uri(span.file)?,
            range: range(file, span),
        })
    }
}

#[derive(Default)]
struct State {
    documents: Documents,
    /// Bumped by every change to any buffer.
    generation: u64,
    /// Analyses by root file, with the generation they were made at.
    cache: HashMap<PathBuf, (u64, Arc<Snapshot>)>,
}

/// The language server.
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    disk: Arc<dyn FileSystem>,
}

/// Runs `f`, turning a panic (a bug) into `None` so one bad request never
/// takes the server down.
fn guarded<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or(None)
}

/// Where unsaved (`untitled:`) buffers live for the analysis: a folder no
/// disk has, so a buffer is a program of its own.
const UNTITLED: &str = "/parseltongue-untitled";

/// The path a document is analysed under: its file, or for an unsaved
/// buffer (`untitled:Untitled-1`) a made-up one that [`uri_of`] turns back.
fn path_of(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() == "untitled" {
        let name = uri.path().as_str().replace('/', "_");
        return Some(Path::new(UNTITLED).join(format!("{name}.pt")));
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// The document URI of an analysed path (see [`path_of`]).
fn uri_of(path: &Path) -> Option<Uri> {
    if let Ok(rest) = path.strip_prefix(UNTITLED) {
        let name = rest.to_str()?.strip_suffix(".pt")?;
        return format!("untitled:{name}").parse().ok();
    }
    Uri::from_file_path(path)
}

impl Backend {
    /// A server reading files that are not open through `disk`.
    pub fn new(client: Client, disk: Arc<dyn FileSystem>) -> Backend {
        Backend {
            client,
            state: Arc::new(Mutex::new(State::default())),
            disk,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The analysis of the program `path` belongs to, up to date.
    fn snapshot(&self, path: &Path) -> Option<Arc<Snapshot>> {
        let (program, generation) = {
            let state = self.lock();
            (
                program_of(path, &state.documents, self.disk.as_ref()),
                state.generation,
            )
        };
        let root = program.paths.first()?.clone();
        if let Some((made_at, snapshot)) = self.lock().cache.get(&root) {
            if *made_at == generation && snapshot.paths == program.paths {
                return Some(snapshot.clone());
            }
        }
        let snapshot = guarded(|| {
            Some(Arc::new(Snapshot {
                analysis: Analysis::with_extensions(
                    program.sources,
                    &parseltongue_extensions::official(),
                ),
                paths: program.paths,
            }))
        })?;
        self.lock()
            .cache
            .insert(root, (generation, snapshot.clone()));
        Some(snapshot)
    }

    /// The snapshot and file id for a document position request.
    fn at(&self, uri: &Uri) -> Option<(Arc<Snapshot>, FileId)> {
        let path = path_of(uri)?;
        let snapshot = self.snapshot(&path)?;
        let file = snapshot.file_id(&path)?;
        Some((snapshot, file))
    }

    fn at_position(
        &self,
        doc: &TextDocumentPositionParams,
    ) -> Option<(Arc<Snapshot>, FileId, u32)> {
        let (snapshot, file) = self.at(&doc.text_document.uri)?;
        let at = offset(&snapshot.analysis.sources().get(file).text, doc.position);
        Some((snapshot, file, at))
    }

    /// Pushes diagnostics for every file of the program `path` belongs to,
    /// unless a newer change arrived meanwhile (bursts of edits coalesce).
    async fn publish(&self, path: PathBuf, generation: u64) {
        tokio::task::yield_now().await;
        if self.lock().generation != generation {
            return;
        }
        let Some(snapshot) = self.snapshot(&path) else {
            return;
        };
        if self.lock().generation != generation {
            return;
        }
        for (index, file_path) in snapshot.paths.iter().enumerate() {
            let Some(uri) = uri_of(file_path) else {
                continue;
            };
            let file = FileId(index as u32);
            let source = snapshot.analysis.sources().get(file);
            let diagnostics: Vec<Diagnostic> = snapshot
                .analysis
                .checked()
                .diagnostics
                .iter()
                .filter(|d| d.primary.span.file == file)
                .map(|d| {
                    convert::diagnostic(d, source, &|span| {
                        let location = snapshot.location(span)?;
                        Some((location.uri, location.range))
                    })
                })
                .collect();
            // No newer change arrived (checked above): an open buffer's
            // version is the one these diagnostics are about.
            let version = self.lock().documents.version(file_path);
            self.client
                .publish_diagnostics(uri, diagnostics, version)
                .await;
        }
    }

    async fn changed(&self, path: PathBuf) {
        let generation = {
            let mut state = self.lock();
            state.generation += 1;
            state.generation
        };
        self.publish(path, generation).await;
    }

    /// The generated Rust of the file `uri` (or, when its program has
    /// errors, the Rust of the program's valid items).
    pub async fn generated_rust(
        &self,
        params: TextDocumentIdentifier,
    ) -> Result<serde_json::Value> {
        let answer = guarded(|| {
            let path = path_of(&params.uri)?;
            let state = self.lock();
            let program = program_of(&path, &state.documents, self.disk.as_ref());
            drop(state);
            let index = program.paths.iter().position(|p| *p == path)?;
            let compiled = parseltongue_extensions::compile(&program.sources).ok()?;
            let complete = compiled.rust.is_some();
            // The current file's own Rust: the root's items, or a module's body.
            let rust = match compiled.modules.get(index) {
                Some(module) if complete => module.clone(),
                _ => compiled.partial.unwrap_or_default(),
            };
            Some(serde_json::json!({ "rust": rust, "complete": complete }))
        });
        Ok(answer.unwrap_or(serde_json::Value::Null))
    }
}

/// The token types of the semantic-token legend, in the order
/// [`token_type`] numbers them.
pub fn token_legend() -> Vec<SemanticTokenType> {
    vec![
        SemanticTokenType::KEYWORD,
        SemanticTokenType::FUNCTION,
        SemanticTokenType::TYPE,
        SemanticTokenType::ENUM_MEMBER,
        SemanticTokenType::PROPERTY,
        SemanticTokenType::VARIABLE,
        SemanticTokenType::PARAMETER,
        SemanticTokenType::new("constant"),
        SemanticTokenType::NAMESPACE,
        SemanticTokenType::STRING,
        SemanticTokenType::NUMBER,
        SemanticTokenType::COMMENT,
    ]
}

fn token_type(kind: SemanticTokenKind) -> u32 {
    match kind {
        SemanticTokenKind::Keyword => 0,
        SemanticTokenKind::Function => 1,
        SemanticTokenKind::Type => 2,
        SemanticTokenKind::Variant => 3,
        SemanticTokenKind::Field => 4,
        SemanticTokenKind::Variable => 5,
        SemanticTokenKind::Parameter => 6,
        SemanticTokenKind::Constant => 7,
        SemanticTokenKind::Module => 8,
        SemanticTokenKind::String => 9,
        SemanticTokenKind::Number => 10,
        SemanticTokenKind::Comment => 11,
    }
}

fn symbol_kind(kind: SymbolKind) -> ls_types::SymbolKind {
    match kind {
        SymbolKind::Function | SymbolKind::Rust => ls_types::SymbolKind::FUNCTION,
        SymbolKind::Method => ls_types::SymbolKind::METHOD,
        SymbolKind::Record => ls_types::SymbolKind::STRUCT,
        SymbolKind::Enum => ls_types::SymbolKind::ENUM,
        SymbolKind::Field => ls_types::SymbolKind::FIELD,
        SymbolKind::Variant => ls_types::SymbolKind::ENUM_MEMBER,
        SymbolKind::Constant => ls_types::SymbolKind::CONSTANT,
        SymbolKind::Methods => ls_types::SymbolKind::CLASS,
        SymbolKind::Module => ls_types::SymbolKind::MODULE,
        SymbolKind::Block => ls_types::SymbolKind::NAMESPACE,
        SymbolKind::Entry => ls_types::SymbolKind::PROPERTY,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
fn document_symbol(
    symbol: &Symbol,
    source: &parseltongue_core::source::SourceFile,
) -> DocumentSymbol {
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: None,
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: range(source, symbol.span),
        selection_range: range(source, symbol.name_span),
        children: Some(
            symbol
                .children
                .iter()
                .map(|c| document_symbol(c, source))
                .collect(),
        ),
    }
}

fn completion_kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Method => CompletionItemKind::METHOD,
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Variant => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Type => CompletionItemKind::STRUCT,
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
        CompletionKind::Constant => CompletionItemKind::CONSTANT,
        CompletionKind::Module => CompletionItemKind::MODULE,
    }
}

/// Applies one incremental change to `text`.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(r) => {
            let start = offset(text, r.start) as usize;
            let end = (offset(text, r.end) as usize).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// Edits turning `old` into `new`, one per changed run of lines; with a
/// range, only the runs that touch it (range formatting).
fn line_edits(old: &str, new: &str, within: Option<Range>) -> Vec<TextEdit> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut edits = Vec::new();
    let diff = similar::TextDiff::from_slices(&old_lines, &new_lines);
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        // Range formatting changes the lines of the range and no other: a
        // line-for-line change is taken line by line, one that joins or
        // splits lines only when all of them are in the range.
        let inside = |start: usize, end: usize| {
            within.is_none_or(|r| start as u32 >= r.start.line && end as u32 <= r.end.line + 1)
        };
        if tag == similar::DiffTag::Replace && old_range.len() == new_range.len() {
            for (old_line, new_line) in old_range.zip(new_range) {
                if old_lines[old_line] != new_lines[new_line] && inside(old_line, old_line + 1) {
                    edits.push(whole_lines(
                        old_line,
                        old_line + 1,
                        new_lines[new_line].to_string(),
                    ));
                }
            }
            continue;
        }
        if inside(old_range.start, old_range.end) {
            edits.push(whole_lines(
                old_range.start,
                old_range.end,
                new_lines[new_range].concat(),
            ));
        }
    }
    edits
}

/// An edit that replaces lines `start` … `end - 1` with `text`.
fn whole_lines(start: usize, end: usize, text: String) -> TextEdit {
    TextEdit {
        range: Range {
            start: Position::new(start as u32, 0),
            end: Position::new(end as u32, 0),
        },
        new_text: text,
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> Result<InitializeResult> {
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "parseltongue-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
                    ..Default::default()
                }),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_string(), ":".to_string()]),
                    ..Default::default()
                }),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_range_formatting_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR_REWRITE,
                        ]),
                        ..Default::default()
                    },
                )),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: SemanticTokensLegend {
                                token_types: token_legend(),
                                token_modifiers: Vec::new(),
                            },
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            ..Default::default()
                        },
                    ),
                ),
                inlay_hint_provider: Some(OneOf::Left(true)),
                ..Default::default()
            },
            ..Default::default()
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        self.lock().documents.set(
            path.clone(),
            params.text_document.version,
            params.text_document.text,
        );
        self.changed(path).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        {
            let mut state = self.lock();
            let mut text = state
                .documents
                .get(&path)
                .map(str::to_string)
                .or_else(|| self.disk.read(&path))
                .unwrap_or_default();
            for change in params.content_changes {
                apply_change(&mut text, change);
            }
            state
                .documents
                .set(path.clone(), params.text_document.version, text);
        }
        self.changed(path).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if let Some(path) = path_of(&params.text_document.uri) {
            self.changed(path).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Some(path) = path_of(&params.text_document.uri) {
            self.lock().documents.close(&path);
            self.changed(path).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        Ok(guarded(|| {
            let (snapshot, file, at) = self.at_position(&params.text_document_position_params)?;
            let (span, text) = snapshot.analysis.hover(file, at)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: text,
                }),
                range: Some(range(snapshot.analysis.sources().get(file), span)),
            })
        }))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        Ok(guarded(|| {
            let (snapshot, file, at) = self.at_position(&params.text_document_position_params)?;
            let span = snapshot.analysis.definition(file, at)?;
            Some(GotoDefinitionResponse::Scalar(snapshot.location(span)?))
        }))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        Ok(guarded(|| {
            let (snapshot, file, at) = self.at_position(&params.text_document_position)?;
            let reference = snapshot.analysis.reference_at(file, at)?;
            let declared = snapshot.analysis.definition_span(reference.target);
            let locations = snapshot
                .analysis
                .references_to(reference.target)
                .into_iter()
                .filter(|s| params.context.include_declaration || Some(*s) != declared)
                .filter_map(|s| snapshot.location(s))
                .collect();
            Some(locations)
        }))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let outcome = guarded(|| {
            let (snapshot, file, at) = self.at_position(&params.text_document_position)?;
            Some((
                snapshot.clone(),
                snapshot.analysis.rename(file, at, &params.new_name),
            ))
        });
        let Some((snapshot, outcome)) = outcome else {
            return Ok(None);
        };
        match outcome {
            Ok(edits) => {
                let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                for edit in edits {
                    if let Some(location) = snapshot.location(edit.span) {
                        changes.entry(location.uri).or_default().push(TextEdit {
                            range: location.range,
                            new_text: edit.text,
                        });
                    }
                }
                Ok(Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }))
            }
            Err(error) => Err(tower_lsp_server::jsonrpc::Error::invalid_params(error.0)),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(guarded(|| {
            let (snapshot, file) = self.at(&params.text_document.uri)?;
            let source = snapshot.analysis.sources().get(file);
            let symbols = snapshot
                .analysis
                .symbols(file)
                .iter()
                .map(|s| document_symbol(s, source))
                .collect();
            Some(DocumentSymbolResponse::Nested(symbols))
        }))
    }

    #[allow(deprecated)] // `SymbolInformation::deprecated` must still be given.
    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let paths: Vec<PathBuf> = self.lock().documents.paths().cloned().collect();
        let query = params.query.to_lowercase();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for path in paths {
            let Some(snapshot) = self.snapshot(&path) else {
                continue;
            };
            for (index, _) in snapshot.paths.iter().enumerate() {
                let file = FileId(index as u32);
                let mut stack = snapshot.analysis.symbols(file);
                while let Some(symbol) = stack.pop() {
                    stack.extend(symbol.children.iter().cloned());
                    if !symbol.name.to_lowercase().contains(&query) {
                        continue;
                    }
                    let Some(location) = snapshot.location(symbol.name_span) else {
                        continue;
                    };
                    if seen.insert((location.uri.to_string(), symbol.name_span.start)) {
                        out.push(SymbolInformation {
                            name: symbol.name.clone(),
                            kind: symbol_kind(symbol.kind),
                            tags: None,
                            deprecated: None,
                            location,
                            container_name: None,
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Some(WorkspaceSymbolResponse::Flat(out)))
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        Ok(guarded(|| {
            let (snapshot, file, at) = self.at_position(&params.text_document_position_params)?;
            let source = snapshot.analysis.sources().get(file);
            Some(
                snapshot
                    .analysis
                    .highlights(file, at)
                    .into_iter()
                    .map(|span| DocumentHighlight {
                        range: range(source, span),
                        kind: Some(DocumentHighlightKind::TEXT),
                    })
                    .collect(),
            )
        }))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(guarded(|| {
            let (snapshot, file) = self.at(&params.text_document.uri)?;
            let source = snapshot.analysis.sources().get(file);
            Some(
                snapshot
                    .analysis
                    .folds(file)
                    .into_iter()
                    .map(|fold| FoldingRange {
                        start_line: position(source, fold.start).line,
                        end_line: position(source, fold.end).line,
                        kind: Some(if fold.comment {
                            FoldingRangeKind::Comment
                        } else {
                            FoldingRangeKind::Region
                        }),
                        ..Default::default()
                    })
                    .collect(),
            )
        }))
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        Ok(guarded(|| {
            let (snapshot, file, at) = self.at_position(&params.text_document_position_params)?;
            let help = snapshot.analysis.signature_help(file, at)?;
            Some(SignatureHelp {
                signatures: vec![SignatureInformation {
                    label: help.label,
                    documentation: None,
                    parameters: Some(
                        help.parameters
                            .into_iter()
                            .map(|p| ParameterInformation {
                                label: ParameterLabel::Simple(p),
                                documentation: None,
                            })
                            .collect(),
                    ),
                    active_parameter: None,
                }],
                active_signature: Some(0),
                active_parameter: Some(help.active as u32),
            })
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        Ok(guarded(|| {
            let (snapshot, file, at) = self.at_position(&params.text_document_position)?;
            let items = snapshot
                .analysis
                .completions(file, at)
                .into_iter()
                .map(|c| CompletionItem {
                    label: c.label.clone(),
                    kind: Some(completion_kind(c.kind)),
                    detail: (!c.detail.is_empty()).then_some(c.detail),
                    insert_text: c.snippet.clone(),
                    insert_text_format: c.snippet.as_ref().map(|_| InsertTextFormat::SNIPPET),
                    ..Default::default()
                })
                .collect();
            Some(CompletionResponse::Array(items))
        }))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.format(&params.text_document.uri, None)
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.format(&params.text_document.uri, Some(params.range))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(guarded(|| {
            let (snapshot, file) = self.at(&params.text_document.uri)?;
            let source = snapshot.analysis.sources().get(file);
            let start = offset(&source.text, params.range.start);
            let end = offset(&source.text, params.range.end);
            let actions = snapshot
                .analysis
                .actions(file, start, end)
                .into_iter()
                .map(|action| {
                    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                    for edit in &action.edits {
                        if let Some(location) = snapshot.location(edit.span) {
                            changes.entry(location.uri).or_default().push(TextEdit {
                                range: location.range,
                                new_text: edit.text.clone(),
                            });
                        }
                    }
                    let diagnostics = action.fixes.and_then(|index| {
                        let d = snapshot.analysis.checked().diagnostics.get(index)?;
                        Some(vec![convert::diagnostic(d, source, &|_| None)])
                    });
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: action.title,
                        kind: Some(if action.quick_fix {
                            CodeActionKind::QUICKFIX
                        } else {
                            CodeActionKind::REFACTOR_REWRITE
                        }),
                        diagnostics,
                        edit: Some(WorkspaceEdit {
                            changes: Some(changes),
                            ..Default::default()
                        }),
                        is_preferred: action.preferred.then_some(true),
                        ..Default::default()
                    })
                })
                .collect();
            Some(actions)
        }))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        Ok(guarded(|| {
            let (snapshot, file) = self.at(&params.text_document.uri)?;
            let source = snapshot.analysis.sources().get(file);
            let mut data = Vec::new();
            let (mut line, mut column) = (0u32, 0u32);
            for token in snapshot.analysis.semantic_tokens(file) {
                // One protocol token per line of a multi-line token.
                let text = &source.text[token.span.range()];
                let mut at = token.span.start;
                for piece in text.split('\n') {
                    let start = position(source, at);
                    let length: u32 = piece.chars().map(|c| c.len_utf16() as u32).sum();
                    if length > 0 {
                        let delta_line = start.line - line;
                        let delta_start = if delta_line == 0 {
                            start.character - column
                        } else {
                            start.character
                        };
                        data.push(SemanticToken {
                            delta_line,
                            delta_start,
                            length,
                            token_type: token_type(token.kind),
                            token_modifiers_bitset: 0,
                        });
                        line = start.line;
                        column = start.character;
                    }
                    at += piece.len() as u32 + 1;
                }
            }
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            }))
        }))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(guarded(|| {
            let (snapshot, file) = self.at(&params.text_document.uri)?;
            let source = snapshot.analysis.sources().get(file);
            Some(
                snapshot
                    .analysis
                    .inlay_hints(file)
                    .into_iter()
                    .map(|(at, label)| InlayHint {
                        position: position(source, at),
                        label: InlayHintLabel::String(label),
                        kind: Some(InlayHintKind::TYPE),
                        text_edits: None,
                        tooltip: None,
                        padding_left: None,
                        padding_right: None,
                        data: None,
                    })
                    .filter(|hint| {
                        hint.position >= params.range.start && hint.position <= params.range.end
                    })
                    .collect(),
            )
        }))
    }
}

impl Backend {
    /// The edits that format the document (or the lines of `within`); a
    /// document with syntax errors is an error response that says where,
    /// so the editor shows why nothing changed.
    fn format(&self, uri: &Uri, within: Option<Range>) -> Result<Option<Vec<TextEdit>>> {
        let outcome = guarded(|| {
            let path = path_of(uri)?;
            let text = {
                let state = self.lock();
                state.documents.get(&path).map(str::to_string)
            }
            .or_else(|| self.disk.read(&path))?;
            Some(match parseltongue_core::formatter::format_source(&text) {
                Ok(formatted) => Ok(line_edits(&text, &formatted, within)),
                Err(diagnostics) => {
                    let first = diagnostics.first().map(|d| {
                        let source = parseltongue_core::source::SourceFile::new("", text.clone());
                        let at = source.line_column(d.primary.span.start);
                        format!(" (line {}: {})", at.line, d.message)
                    });
                    Err(format!(
                        "not formatted: the file has syntax errors{}; fix them and format again",
                        first.unwrap_or_default()
                    ))
                }
            })
        });
        match outcome {
            Some(Ok(edits)) => Ok(Some(edits)),
            Some(Err(why)) => Err(tower_lsp_server::jsonrpc::Error {
                // LSP's RequestFailed.
                code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803),
                message: why.into(),
                data: None,
            }),
            None => Ok(None),
        }
    }
}
