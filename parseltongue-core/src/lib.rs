//! The Parseltongue compiler as a library.
//!
//! The pipeline: [`syntax`] (lexer, Rust-habit rewriting, parser) →
//! [`check`] (name resolution, types, ownership, exhaustiveness) →
//! [`ir`] (the typed IR) → [`lower`] (Rust via `quote`, formatted with
//! `prettyplease`). [`diagnostics`] holds what every phase reports.
//!
//! The crate does no IO: callers hand it [`source::SourceFile`]s.

pub mod analysis;
pub mod check;
pub mod diagnostics;
pub mod extension;
pub mod fix;
pub mod formatter;
pub mod grammar;
pub mod ir;
pub mod lower;
pub mod parallel;
pub mod source;
pub mod syntax;

use diagnostics::{Diagnostic, Diagnostics};
use source::SourceMap;

/// Everything one run of the front end produced.
#[derive(Debug)]
pub struct Checked {
    /// One syntax tree per file, in the order of the source map.
    pub modules: Vec<syntax::ast::Module>,
    /// Each file's tokens (after the Rust-habit rewriting), for editors.
    pub tokens: Vec<Vec<syntax::token::Token>>,
    /// The typed IR (complete even with errors, with error nodes).
    pub program: ir::Program,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The stack the compiler runs on. Deeply nested input (up to the nesting
/// limit) and long flat chains recurse deeply in the parser, the checker
/// and in `syn`/`prettyplease`; the compiler's own threads (see
/// [`parallel`]) make the depth the compiler can handle independent of the
/// caller's stack (a test thread, a language-server worker, a proc-macro).
/// The memory is reserved, not committed, so the size costs nothing until
/// it is used.
const COMPILER_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Whether `sources` could recurse deeper than any caller's stack allows:
/// delimiters nested more than a few dozen levels, or a long run of
/// operators (the lowered Rust nests as deep as an operator chain is long).
/// The byte scan only over-estimates (strings and comments count too).
fn may_recurse_deeply(sources: &SourceMap) -> bool {
    sources
        .iter()
        .any(|(_, file)| text_may_recurse_deeply(&file.text))
}

/// Above this size a file is not scanned: it gets the compiler's stack,
/// whose thread costs far less than the scan and than the work itself.
const SCAN_LIMIT_BYTES: usize = 1024 * 1024;

fn text_may_recurse_deeply(text: &str) -> bool {
    if text.len() > SCAN_LIMIT_BYTES {
        return true;
    }
    const SAFE_NESTING: i32 = 16;
    const SAFE_OPERATOR_RUN: u32 = 64;
    let mut depth = 0i32;
    let mut operators = 0u32;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > SAFE_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth -= 1,
            b';' => operators = 0,
            b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'&' | b'|' | b'.' | b'!' | b'?' => {
                operators += 1;
                if operators > SAFE_OPERATOR_RUN {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn on_compiler_stack<T: Send>(sources: &SourceMap, work: impl FnOnce() -> T + Send) -> T {
    run_on_compiler_stack(may_recurse_deeply(sources), work)
}

/// Runs `work` on the compiler's stack if `text` may recurse deeply (for
/// phases that take one text, such as the formatter).
pub(crate) fn on_compiler_stack_for_text<T: Send>(
    text: &str,
    work: impl FnOnce() -> T + Send,
) -> T {
    run_on_compiler_stack(text_may_recurse_deeply(text), work)
}

fn run_on_compiler_stack<T: Send>(deep: bool, work: impl FnOnce() -> T + Send) -> T {
    if !deep {
        // Ordinary code runs on the caller's thread: no thread to start and
        // no fresh heap to fault in, which is most of the cost of a small check.
        return work();
    }
    parallel::on_compiler_thread(work)
}

/// Parses and checks every file of `sources`; the first file is the root
/// module, the others are modules it (or they) may `use_module`.
pub fn check(sources: &SourceMap) -> Checked {
    check_with(sources, &extension::Extensions::none())
}

/// [`check`] with `extensions` providing block kinds beyond the core's.
pub fn check_with(sources: &SourceMap, extensions: &extension::Extensions) -> Checked {
    on_compiler_stack(sources, || check_here(sources, extensions))
}

fn check_here(sources: &SourceMap, extensions: &extension::Extensions) -> Checked {
    let mut diagnostics = Diagnostics::new();
    let (modules, tokens): (Vec<syntax::ast::Module>, Vec<_>) = sources
        .iter()
        .map(|(id, file)| {
            let (module, lexed) = syntax::parse_file(&file.text, id, &mut diagnostics);
            (module, lexed.tokens)
        })
        .unzip();
    let program = check::check_program_with(&modules, sources, extensions, &mut diagnostics);
    Checked {
        modules,
        tokens,
        program,
        diagnostics: diagnostics.into_sorted(),
    }
}

/// The result of compiling to Rust.
#[derive(Debug)]
pub struct Compiled {
    /// The generated Rust, when there were no errors.
    pub rust: Option<String>,
    /// Where each line of `rust` came from.
    pub origins: lower::LineOrigins,
    /// Each module's own Rust, in source-map order (empty with errors).
    pub modules: Vec<String>,
    /// The run-time crates the extensions' Rust uses (empty with errors).
    pub dependencies: Vec<extension::Dependency>,
    /// With errors, the Rust of the items that are valid (see
    /// [`lower::lower_valid_items`]); `None` without errors.
    pub partial: Option<String>,
    /// Every diagnostic (warnings too), sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks `sources` and, if there are no errors, lowers them to Rust.
///
/// # Errors
/// Never for user mistakes (those are diagnostics); only if the lowering
/// produced Rust that does not parse, which is a compiler bug.
pub fn compile(sources: &SourceMap) -> Result<Compiled, lower::LowerError> {
    compile_with(sources, &extension::Extensions::none())
}

/// [`compile`] with `extensions` providing block kinds beyond the core's.
///
/// # Errors
/// As [`compile`].
pub fn compile_with(
    sources: &SourceMap,
    extensions: &extension::Extensions,
) -> Result<Compiled, lower::LowerError> {
    on_compiler_stack(sources, || compile_here(sources, extensions))
}

fn compile_here(
    sources: &SourceMap,
    extensions: &extension::Extensions,
) -> Result<Compiled, lower::LowerError> {
    let checked = check_here(sources, extensions);
    let (rust, origins, modules, dependencies, partial) = if checked.has_errors() {
        let errors: Vec<source::Span> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.primary.span)
            .collect();
        let partial = lower::lower_valid_items(&checked.program, &errors);
        (
            None,
            lower::LineOrigins::default(),
            Vec::new(),
            Vec::new(),
            Some(partial),
        )
    } else {
        let lowered = lower::lower_program(&checked.program)?;
        (
            Some(lowered.rust),
            lowered.origins,
            lowered.modules,
            lowered.dependencies,
            None,
        )
    };
    Ok(Compiled {
        rust,
        origins,
        modules,
        dependencies,
        partial,
        diagnostics: checked.diagnostics,
    })
}
