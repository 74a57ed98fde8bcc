//! The extension interface: how Slytherin, Basilisk and Nagini (and any
//! other extension) add block kinds to the language without touching its
//! grammar, checker or lowering.
//!
//! Every block (`WORD NAME? { entries }`) is parsed, formatted, folded and
//! outlined by the core whatever its kind. An [`Extension`] owns some block
//! kinds and, for those, does three things at fixed points of the core's
//! passes:
//!
//! 1. [`Extension::declare`], before any name is resolved: the types and
//!    functions its blocks give ordinary code (a topic's producer type and
//!    its `send_…` function). They join the program's tables like written
//!    items, so calls to them are checked, hovered, completed and renamed
//!    as any call is.
//! 2. [`Extension::check`], once every signature is known and before any
//!    body is checked: its own rules, reported as coded diagnostics from its
//!    own range of the one registry, with references recorded for the
//!    editor. It returns what its lowering needs.
//! 3. [`Extension::lower`], for an error-free program: Rust items placed in
//!    the generated module of the block, built with the core's own spelling
//!    of types and function paths ([`LowerCx`]), and the run-time crates
//!    they link.
//!
//! The core never depends on an extension: callers choose the set
//! ([`Extensions`]) and pass it to [`crate::check_with`] and
//! [`crate::compile_with`].

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use proc_macro2::TokenStream;

use crate::diagnostics::codes::CodeInfo;
use crate::ir::ModuleId;
use crate::source::Span;
use crate::syntax::ast::{self, BlockEntryKind, ExprKind, ExtensionBlock};

pub use crate::check::ExtensionCx;
pub use crate::lower::LowerCx;

/// A language extension: the block kinds it owns, their checks and their
/// lowering. Implementations are stateless values; one is shared by every
/// compilation of a process.
pub trait Extension: Send + Sync + 'static {
    /// The extension's name (`"slytherin"`), as messages and `plc new
    /// --template` name it.
    fn name(&self) -> &'static str;

    /// The block kinds it owns, with what the editor says of them.
    fn block_kinds(&self) -> &'static [BlockKind];

    /// Its diagnostic codes, each with its explanation, from its own range
    /// of the registry (PT1000-1999 Slytherin, PT2000-2999 Basilisk,
    /// PT3000-3999 Nagini).
    fn codes(&self) -> &'static [CodeInfo];

    /// Declares the types and functions its blocks give ordinary code.
    /// Runs before names are resolved, on the blocks as written; what it
    /// declares is resolved and reported like written items.
    fn declare(&self, blocks: &[BlockRef<'_>], declarations: &mut Declarations) {
        let _ = (blocks, declarations);
    }

    /// Checks its blocks once every type and signature is known. Returns
    /// what [`Extension::lower`] needs, or `None` after reporting an error.
    fn check(&self, blocks: &[BlockRef<'_>], cx: &mut ExtensionCx<'_, '_>) -> Option<ExtensionIr>;

    /// The Rust of the generated module [`LowerCx::module`]: called once
    /// for each module of the program, with what [`Extension::check`]
    /// returned; gives the items for that module and the run-time crates
    /// they use.
    fn lower(&self, ir: &ExtensionIr, cx: &mut LowerCx<'_, '_>) -> Lowered;

    /// Attributes for the program's record or enum `ty`, after its
    /// derives: what a run-time crate needs of it (a message type's
    /// `serde` derives). None by default.
    fn type_attributes(&self, ir: &ExtensionIr, ty: crate::ir::TypeId) -> TokenStream {
        let _ = (ir, ty);
        TokenStream::new()
    }
}

/// What an extension's check hands its lowering: any value of its own.
pub type ExtensionIr = Arc<dyn Any + Send + Sync>;

/// A block kind an extension owns.
#[derive(Clone, Copy, Debug)]
pub struct BlockKind {
    /// The word that starts the block (`topic`).
    pub keyword: &'static str,
    /// Markdown the editor shows on the keyword.
    pub description: &'static str,
    /// The settings (`name: value`) the block takes.
    pub settings: &'static [SettingKind],
}

/// A setting of a block kind.
#[derive(Clone, Copy, Debug)]
pub struct SettingKind {
    /// The setting's name.
    pub name: &'static str,
    /// Markdown the editor shows on it.
    pub description: &'static str,
}

/// One block of the program, with the module it was written in.
#[derive(Clone, Copy, Debug)]
pub struct BlockRef<'a> {
    /// The module (file) whose top level holds the block.
    pub module: ModuleId,
    /// The block as parsed.
    pub block: &'a ExtensionBlock,
}

impl<'a> BlockRef<'a> {
    /// The block's kind word.
    pub fn keyword(&self) -> &'a str {
        self.block.keyword.name.as_str()
    }

    /// The block's name, if written.
    pub fn name(&self) -> Option<&'a ast::Ident> {
        self.block.name.as_ref()
    }

    /// The settings in written order: name and value.
    pub fn settings(&self) -> impl Iterator<Item = (&'a ast::Ident, &'a ast::Expr)> + 'a {
        self.block
            .entries
            .iter()
            .filter_map(|entry| match &entry.kind {
                BlockEntryKind::Setting { name, value } => Some((name, value)),
                _ => None,
            })
    }

    /// The first setting called `name`.
    pub fn setting(&self, name: &str) -> Option<(&'a ast::Ident, &'a ast::Expr)> {
        self.settings().find(|(n, _)| n.name == name)
    }
}

/// The name an expression is, if it is one bare name (`clicks`,
/// `is_human`): settings that name a topic, a type or a function are
/// written so.
pub fn expr_name(expr: &ast::Expr) -> Option<&ast::Ident> {
    match &expr.kind {
        ExprKind::Path(path) if path.len() == 1 => path.first(),
        _ => None,
    }
}

/// A written type made by an extension: `name<args>` at `span`, so errors
/// and references about it land where the program wrote what it came from.
pub fn type_expr(name: &str, args: Vec<ast::TypeExpr>, span: Span) -> ast::TypeExpr {
    ast::TypeExpr {
        kind: ast::TypeExprKind::Named {
            path: vec![ast::Ident {
                name: name.into(),
                span,
            }],
            args,
        },
        span,
    }
}

/// The types and functions an extension gives ordinary code.
#[derive(Debug, Default)]
pub struct Declarations {
    pub(crate) types: Vec<DeclaredType>,
    pub(crate) functions: Vec<DeclaredFunction>,
}

/// A type an extension declares: opaque to programs (stored, passed and
/// returned, as a `rust_type` is), defined by the extension's lowering in
/// the generated module of `module`.
#[derive(Clone, Debug)]
pub struct DeclaredType {
    /// The module it belongs to.
    pub module: ModuleId,
    /// Its name, at the span go-to-definition leads to.
    pub name: ast::Ident,
    /// What hover shows.
    pub docs: Vec<String>,
}

/// A function an extension declares: checked at every call as a written
/// function is, its body written by the extension's lowering (with the
/// signature [`LowerCx::declared_function`] gives).
#[derive(Clone, Debug)]
pub struct DeclaredFunction {
    /// The module it belongs to.
    pub module: ModuleId,
    /// Its name, at the span go-to-definition leads to.
    pub name: ast::Ident,
    /// Its parameters, in the core's modes.
    pub params: Vec<ast::Param>,
    /// Its return type, if any.
    pub returns: Option<ast::TypeExpr>,
    /// What hover shows.
    pub docs: Vec<String>,
}

impl Declarations {
    /// Declares an opaque type.
    pub fn declare_type(&mut self, declared: DeclaredType) {
        self.types.push(declared);
    }

    /// Declares a function.
    pub fn declare_function(&mut self, declared: DeclaredFunction) {
        self.functions.push(declared);
    }
}

/// A parameter of a declared function, in the core's read-only mode.
pub fn param(name: &str, ty: ast::TypeExpr) -> ast::Param {
    param_with_mode(name, ty, ast::ParamMode::Read)
}

/// A parameter of a declared function passed with `mode`.
pub fn param_with_mode(name: &str, ty: ast::TypeExpr, mode: ast::ParamMode) -> ast::Param {
    ast::Param {
        mode,
        mode_span: None,
        name: ast::Ident {
            name: name.into(),
            span: ty.span,
        },
        ty: Some(ty),
    }
}

/// What an extension adds to one generated module.
#[derive(Default)]
pub struct Lowered {
    /// Rust items for the module.
    pub items: Vec<TokenStream>,
    /// The run-time crates the items use, by the name they use them under.
    pub dependencies: Vec<Dependency>,
}

/// A run-time crate generated code links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// The crate's name as generated code writes it (`slytherin_runtime`).
    pub crate_name: &'static str,
    /// Its package name (`slytherin-runtime`).
    pub package: &'static str,
}

/// The extensions a compilation uses: a cheap, shareable value.
#[derive(Clone, Default)]
pub struct Extensions {
    list: Arc<[Arc<dyn Extension>]>,
}

impl Extensions {
    /// No extension: the core language alone.
    pub fn none() -> Self {
        Self::default()
    }

    /// The set `extensions`, in the order given.
    pub fn of(extensions: impl IntoIterator<Item = Arc<dyn Extension>>) -> Self {
        Extensions {
            list: extensions.into_iter().collect(),
        }
    }

    /// Each extension, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Extension>> {
        self.list.iter()
    }

    /// The extension owning the block kind `keyword`, with the kind.
    pub fn block_kind(&self, keyword: &str) -> Option<(&dyn Extension, &'static BlockKind)> {
        self.list.iter().find_map(|extension| {
            extension
                .block_kinds()
                .iter()
                .find(|kind| kind.keyword == keyword)
                .map(|kind| (extension.as_ref(), kind))
        })
    }

    /// Every block kind the extensions own.
    pub fn block_kinds(&self) -> impl Iterator<Item = &'static BlockKind> + '_ {
        self.list.iter().flat_map(|e| e.block_kinds().iter())
    }

    /// The registry entry of `code` among the extensions' codes.
    pub fn code(&self, spelling: &str) -> Option<&'static CodeInfo> {
        self.list
            .iter()
            .flat_map(|e| e.codes().iter())
            .find(|info| info.code.to_string().eq_ignore_ascii_case(spelling.trim()))
    }

    /// Every code the extensions define.
    pub fn codes(&self) -> impl Iterator<Item = &'static CodeInfo> + '_ {
        self.list.iter().flat_map(|e| e.codes().iter())
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.list.iter().map(|e| e.name()))
            .finish()
    }
}

/// One extension's checked blocks, kept in the program for its lowering.
#[derive(Clone)]
pub struct CheckedExtension {
    /// The extension.
    pub extension: Arc<dyn Extension>,
    /// What its check returned.
    pub ir: ExtensionIr,
}

impl fmt::Debug for CheckedExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedExtension")
            .field("extension", &self.extension.name())
            .finish_non_exhaustive()
    }
}
