//! The checker: syntax trees in, typed IR out.
//!
//! Passes, in order (each records problems and carries on):
//! 1. [`collect`](Checker::collect): declare every item of every module;
//! 2. [`resolve_signatures`](Checker::resolve_signatures): field, variant
//!    and parameter types;
//! 3. bodies ([`body`]): names, types, ownership, exhaustiveness;
//! 4. [`ownership::mark_moves`]: which reads may move instead of clone;
//! 5. unused-item warnings.

mod body;
pub(crate) mod builtins;
mod exhaustive;
mod extensions;
mod liveness;
mod ownership;
mod partitions;

pub use extensions::ExtensionCx;
pub(crate) use partitions::{
    core_block_settings, describe_block, describe_setting, BLOCK_KINDS as CORE_BLOCK_KINDS,
};
mod recursive_types;
mod scopes;
mod suggest;

use crate::diagnostics::{codes, Applicability, Diagnostic, Diagnostics};
use crate::extension::Extensions;
use crate::ir::{self, FunctionId, ItemRef, ModuleId, Ty, TypeDefKind, TypeId};
use crate::source::{SourceMap, Span};
use crate::syntax::ast;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Borrow;

/// What a module-level name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Def {
    Type(TypeId),
    Function(FunctionId),
    Const(ir::ConstId),
}

pub(crate) struct ModuleScope {
    names: FxHashMap<ir::SmolStr, (Def, Span)>,
    /// `use_module` targets by name, with the span of the declaration.
    imports: FxHashMap<String, (ModuleId, Span)>,
}

/// What the item passes build and every body check reads: the items with
/// their signatures, each module's names, and the methods of each type.
/// Read-only while bodies are checked, so body checks can share it across
/// threads.
pub(crate) struct Tables {
    pub(crate) program: ir::Program,
    pub(crate) scopes: Vec<ModuleScope>,
    /// Methods per type: name → function.
    pub(crate) methods: FxHashMap<TypeId, FxHashMap<ir::SmolStr, FunctionId>>,
}

/// What checking finds along the way. Each body worker keeps its own;
/// they are merged in item order when the bodies are done.
#[derive(Default)]
pub(crate) struct Findings {
    pub(crate) diagnostics: Diagnostics,
    /// Every resolved name (see [`ir::Program::references`]).
    pub(crate) references: Vec<ir::Reference>,
    /// Items referenced from anywhere but their own definition.
    pub(crate) used_items: FxHashSet<Def>,
    /// Items referenced from `test` blocks.
    pub(crate) used_in_tests: FxHashSet<Def>,
    /// (importing module, imported module) for every import used.
    pub(crate) used_imports: FxHashSet<(ModuleId, ModuleId)>,
    /// Whether any body runs work on a partition or reads its counters.
    pub(crate) uses_partitions: bool,
}

impl Findings {
    fn merge(&mut self, other: Findings) {
        self.diagnostics.extend(other.diagnostics);
        self.references.extend(other.references);
        self.used_items.extend(other.used_items);
        self.used_in_tests.extend(other.used_in_tests);
        self.used_imports.extend(other.used_imports);
        self.uses_partitions |= other.uses_partitions;
    }
}

/// The checker. `T` is [`Tables`] while the item passes build the tables,
/// and `&Tables` in the body workers that share them.
pub(crate) struct Checker<'a, T: Borrow<Tables> = Tables> {
    pub(crate) sources: &'a SourceMap,
    pub(crate) tables: T,
    pub(crate) found: Findings,
    /// True while a `test` block is checked.
    pub(crate) checking_test: bool,
    /// True if the files or the item passes had errors before any body
    /// was checked: error nodes may then hide reads from liveness.
    pub(crate) errors_before_bodies: bool,
}

/// How many items of each table's kind a program declares.
#[derive(Default)]
struct ItemCount {
    functions: usize,
    types: usize,
    constants: usize,
    items: usize,
}

impl ItemCount {
    fn of(modules: &[ast::Module]) -> ItemCount {
        let mut count = ItemCount::default();
        for item in modules.iter().flat_map(|m| &m.items) {
            count.items += 1;
            match &item.kind {
                ast::ItemKind::Function(_)
                | ast::ItemKind::RustFunction(_)
                | ast::ItemKind::Test(_) => count.functions += 1,
                ast::ItemKind::Methods(m) => count.functions += m.functions.len(),
                ast::ItemKind::Record(_) | ast::ItemKind::Enum(_) | ast::ItemKind::RustType(_) => {
                    count.types += 1;
                }
                ast::ItemKind::Constant(_) => count.constants += 1,
                ast::ItemKind::UseModule(_) | ast::ItemKind::Block(_) | ast::ItemKind::Error => {}
            }
        }
        count
    }
}

/// An item's resolved signature, found by a worker against the read-only
/// tables and written into them afterwards.
enum Signature {
    Record(TypeId, Vec<(ir::SmolStr, Ty)>),
    Enum(TypeId, Vec<(ir::SmolStr, Vec<Ty>)>),
    Function(FunctionId, Vec<ir::Param>, Ty),
    Constant(ir::ConstId, Ty),
}

/// A declaration whose types the signature pass resolves.
#[derive(Clone, Copy)]
enum SignatureJob<'m> {
    /// Any item but a `methods` block (most have no signature).
    Item(ModuleId, &'m ast::Item),
    /// A method, already declared as the function with this id.
    Method(ModuleId, FunctionId, &'m ast::Function),
}

/// Below this many items per thread, resolving signatures on a second
/// thread costs more than it saves.
const MIN_ITEMS_PER_THREAD: usize = 1024;

/// Below this much body source per thread, a second thread costs more
/// than it saves (about 2,000 lines of typical code).
const MIN_BODY_BYTES_PER_THREAD: usize = 64 * 1024;

/// One body to check.
enum BodyJob<'m> {
    Function {
        id: FunctionId,
        params: &'m [ast::Param],
        block: &'m ast::Block,
        returns_span: Option<Span>,
    },
    Constant {
        module: ModuleId,
        id: ir::ConstId,
        value: &'m ast::Expr,
    },
}

impl<'m> BodyJob<'m> {
    fn function(id: FunctionId, f: &'m ast::Function) -> Self {
        BodyJob::Function {
            id,
            params: &f.params,
            block: &f.body,
            returns_span: f.returns.as_ref().map(|r| r.span),
        }
    }

    /// How much source the body has: the measure runs are balanced by.
    fn source_bytes(&self) -> usize {
        let span = match self {
            BodyJob::Function { block, .. } => block.span,
            BodyJob::Constant { value, .. } => value.span,
        };
        span.range().len()
    }
}

/// A checked body, for the IR.
enum CheckedBody {
    Function(FunctionId, ir::Body),
    Constant(ir::ConstId, ir::Expr),
}

impl<'a> Checker<'a, &'a Tables> {
    /// A checker for one run of work on the compiler's threads: it reads
    /// the shared tables and keeps what it finds to itself.
    fn worker(sources: &'a SourceMap, tables: &'a Tables, errors_before_bodies: bool) -> Self {
        Checker {
            sources,
            tables,
            found: Findings::default(),
            checking_test: false,
            errors_before_bodies,
        }
    }

    fn check_job(&mut self, job: &BodyJob<'_>) -> CheckedBody {
        match *job {
            BodyJob::Function {
                id,
                params,
                block,
                returns_span,
            } => CheckedBody::Function(id, self.check_function(id, params, block, returns_span)),
            BodyJob::Constant { module, id, value } => {
                CheckedBody::Constant(id, self.check_constant(module, id, value))
            }
        }
    }
}

/// Checks a whole program. `modules[0]` is the root module; the others are
/// reachable through `use_module`. Returns the typed IR (complete even when
/// there were errors, with `Error` nodes where things went wrong).
pub fn check_program(
    modules: &[ast::Module],
    sources: &SourceMap,
    diagnostics: &mut Diagnostics,
) -> ir::Program {
    check_program_with(modules, sources, &Extensions::none(), diagnostics)
}

/// Checks a whole program with `extensions` providing the block kinds the
/// core does not (see [`crate::extension`]).
pub fn check_program_with(
    modules: &[ast::Module],
    sources: &SourceMap,
    extensions: &Extensions,
    diagnostics: &mut Diagnostics,
) -> ir::Program {
    let extension_blocks = extensions::blocks_by_extension(extensions, modules);
    let declarations = extensions::declarations(extensions, &extension_blocks);
    let mut checker = Checker {
        sources,
        tables: Tables {
            program: ir::Program::default(),
            scopes: Vec::new(),
            methods: FxHashMap::default(),
        },
        found: Findings::default(),
        checking_test: false,
        errors_before_bodies: false,
    };
    checker.collect(modules);
    let declared_functions = checker.collect_declared(&declarations);
    checker.resolve_signatures(modules);
    checker.resolve_declared(&declared_functions);
    checker.check_record_cycles();
    checker.check_entry_point();
    checker.check_blocks(modules, extensions);
    let checked_extensions = checker.check_extensions(extensions, &extension_blocks);
    checker.errors_before_bodies =
        diagnostics.has_errors() || checker.found.diagnostics.has_errors();
    let item_references = checker.found.references.len();
    checker.check_bodies(modules);
    checker.check_constant_cycles();
    checker.check_constant_overflow();
    // Code with an error may be where an item is used (a call that did not
    // parse, a misspelt name): "never used" waits for a program without
    // errors, as rustc's dead-code lint does.
    if !diagnostics.has_errors() && !checker.found.diagnostics.has_errors() {
        checker.warn_unused();
    }
    drop_warnings_on_error_lines(sources, diagnostics, &mut checker.found.diagnostics);
    let Checker {
        tables, mut found, ..
    } = checker;
    let mut program = tables.program;
    program.partitions.used = found.uses_partitions;
    program.extensions = extensions.clone();
    program.checked_extensions = checked_extensions;
    for (id, function) in program.functions.iter_mut().enumerate() {
        function.referenced = found.used_items.contains(&Def::Function(id));
        function.referenced_in_tests = found.used_in_tests.contains(&Def::Function(id));
    }
    for (id, constant) in program.constants.iter_mut().enumerate() {
        constant.referenced = found.used_items.contains(&Def::Const(id));
        constant.referenced_in_tests = found.used_in_tests.contains(&Def::Const(id));
    }
    // Names may be resolved more than once (a quiet lookup, then the real
    // one); keep each once, in source order.
    put_in_source_order(&mut found.references, item_references);
    found.references.dedup();
    program.references = found.references;
    diagnostics.extend(found.diagnostics);
    program
}

/// Sorts the references into source order. Those from the item passes come
/// first (`item_references` of them); those from the bodies follow, already
/// in order when every body sorted its own and the bodies came in source
/// order, as they do. Then only the item references are sorted, and merged
/// in with a copy of just them; otherwise everything is sorted.
/// A binding on a line with an error is the error's business: its "never
/// used" or "never changed" would only add noise.
fn drop_warnings_on_error_lines(
    sources: &SourceMap,
    syntax: &Diagnostics,
    found: &mut Diagnostics,
) {
    let line_of = |span: Span| {
        (
            span.file,
            sources.get(span.file).line_column(span.start).line,
        )
    };
    let error_lines: FxHashSet<_> = syntax
        .iter()
        .chain(found.iter())
        .filter(|d| d.is_error())
        .map(|d| line_of(d.primary.span))
        .collect();
    if error_lines.is_empty() {
        return;
    }
    found.retain(|d| {
        d.is_error()
            || !matches!(d.code, codes::UNUSED_BINDING | codes::UNNEEDED_MUT)
            || !error_lines.contains(&line_of(d.primary.span))
    });
}

fn put_in_source_order(references: &mut [ir::Reference], item_references: usize) {
    let key = ir::Reference::source_order;
    let split = item_references.min(references.len());
    let (items, bodies) = references.split_at_mut(split);
    if !bodies.is_sorted_by_key(key) {
        references.sort_unstable_by_key(key);
        return;
    }
    items.sort_unstable_by_key(key);
    let items = items.to_vec();
    // Writing never overtakes reading: `out` stays `next_body - items left`.
    let (mut next_body, mut out) = (split, 0);
    for item in items {
        while next_body < references.len() && key(&references[next_body]) < key(&item) {
            references[out] = references[next_body];
            next_body += 1;
            out += 1;
        }
        references[out] = item;
        out += 1;
    }
}

/// Sorts one body's references into source order. The checker records
/// them nearly in order (a binding is recorded after its value, a loop
/// variable after what it loops over), so an insertion sort moves each one
/// a few places at most, where a general sort would compare every element
/// again; past a budget of moves (a body recorded far out of order) it
/// hands over to the general sort.
fn sort_nearly_sorted(references: &mut [ir::Reference]) {
    let budget = references.len().saturating_mul(8);
    let mut moves = 0usize;
    for i in 1..references.len() {
        let key = references[i].source_order();
        let mut j = i;
        while j > 0 && references[j - 1].source_order() > key {
            j -= 1;
        }
        if j < i {
            references[j..=i].rotate_right(1);
            moves += i - j;
            if moves > budget {
                references.sort_unstable_by_key(ir::Reference::source_order);
                return;
            }
        }
    }
}

/// How a method takes `self`: written first and without a type. `self`
/// anywhere else is reported when the parameters are resolved.
fn receiver_mode(params: &[ast::Param]) -> Option<ast::ParamMode> {
    params.first().filter(|p| p.ty.is_none()).map(|p| p.mode)
}

/// A `rust_function` / `rust_type` path as Rust writes it: `a::b::c`.
fn rust_path(path: &[ast::Ident]) -> String {
    path.iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

/// Is `name` usable as a Rust identifier in the generated code?
pub(crate) fn is_reserved(name: &str) -> bool {
    crate::syntax::lexer::classify_word(name) == crate::syntax::token::TokenKind::RustKeyword
        || name == "_"
}

impl<T: Borrow<Tables>> Checker<'_, T> {
    /// The item tables.
    pub(crate) fn tables(&self) -> &Tables {
        self.tables.borrow()
    }
    /// Records that the name at `span` refers to `target`.
    pub(crate) fn refer(&mut self, span: Span, target: ir::Target) {
        self.found.references.push(ir::Reference { span, target });
    }

    /// Records that the name at `span` refers to the item `def`.
    pub(crate) fn refer_to_def(&mut self, span: Span, def: Def) {
        let target = match def {
            Def::Type(id) => ir::Target::Type(id),
            Def::Function(id) => ir::Target::Function(id),
            Def::Const(id) => ir::Target::Constant(id),
        };
        self.refer(span, target);
    }

    /// Records that `def` is used, by tests only or by the program.
    pub(crate) fn mark_used(&mut self, def: Def) {
        if self.checking_test {
            self.found.used_in_tests.insert(def);
        } else {
            self.found.used_items.insert(def);
        }
    }

    pub(crate) fn error(&mut self, d: impl Into<Diagnostic>) {
        self.found.diagnostics.push(d.into());
    }

    fn check_name(&mut self, ident: &ast::Ident) {
        if ident.name.starts_with("__") {
            self.error(
                Diagnostic::error(
                    codes::SYNTAX,
                    ident.span,
                    format!(
                        "`{}`: names starting with `__` are reserved for generated code",
                        ident.name
                    ),
                )
                .with_label("starts with `__`")
                .with_help("choose a name that does not start with two underscores"),
            );
            return;
        }
        if is_reserved(&ident.name) {
            self.error(
                Diagnostic::error(
                    codes::SYNTAX,
                    ident.span,
                    format!("`{}` is reserved and cannot be used as a name", ident.name),
                )
                .with_label(if ident.name == "_" {
                    "`_` is the wildcard pattern, not a name"
                } else {
                    "a Rust keyword"
                })
                .with_help("choose another name"),
            );
        }
    }

    /// Resolves a module-level name as seen from `module`: local items
    /// first, then `module::name` paths through imports.
    pub(crate) fn lookup_item(
        &mut self,
        module: ModuleId,
        path: &[ast::Ident],
    ) -> Result<Def, Box<Diagnostic>> {
        match path {
            [name] => {
                let def = self.tables().scopes[module]
                    .names
                    .get(name.name.as_str())
                    .map(|(def, _)| *def)
                    .ok_or_else(|| Box::new(self.unknown_name(module, name)))?;
                self.refer_to_def(name.span, def);
                Ok(def)
            }
            [module_name, name] => {
                let Some(&(target, _)) = self.tables().scopes[module]
                    .imports
                    .get(module_name.name.as_str())
                else {
                    return Err(Box::new(self.unknown_module(module_name)));
                };
                self.found.used_imports.insert((module, target));
                self.refer(module_name.span, ir::Target::Module(target));
                let Some(&(def, _)) = self.tables().scopes[target].names.get(name.name.as_str())
                else {
                    return Err(Box::new(self.unknown_name(target, name)));
                };
                self.refer_to_def(name.span, def);
                if !self.def_is_public(def) {
                    // Used all the same: the privacy error is the one report.
                    self.found.used_items.insert(def);
                    let declared = self.def_span(def);
                    return Err(Box::new(
                        Diagnostic::error(
                            codes::PRIVATE_ITEM,
                            name.span,
                            format!(
                                "`{}` is private to module `{}`",
                                name.name, module_name.name
                            ),
                        )
                        .with_label(match def {
                            Def::Type(_) => "private type",
                            Def::Function(_) => "private function",
                            Def::Const(_) => "private constant",
                        })
                        .with_secondary(declared, "declared here without `public`")
                        .with_help(format!("mark it `public` in `{}.pt`", module_name.name)),
                    ));
                }
                Ok(def)
            }
            _ => Err(Box::new(
                Diagnostic::error(
                    codes::UNKNOWN_NAME,
                    path[0].span.to(path[path.len() - 1].span),
                    "paths have at most two parts: `module::item`",
                )
                .with_label(format!("a path of {} parts", path.len())),
            )),
        }
    }

    fn def_is_public(&self, def: Def) -> bool {
        match def {
            Def::Type(t) => self.tables().program.types[t].public,
            Def::Function(f) => self.tables().program.functions[f].public,
            Def::Const(c) => self.tables().program.constants[c].public,
        }
    }

    fn def_span(&self, def: Def) -> Span {
        match def {
            Def::Type(t) => self.tables().program.types[t].span,
            Def::Function(f) => self.tables().program.functions[f].span,
            Def::Const(c) => self.tables().program.constants[c].span,
        }
    }

    pub(crate) fn unknown_name(&self, module: ModuleId, name: &ast::Ident) -> Diagnostic {
        let mut d = Diagnostic::error(
            codes::UNKNOWN_NAME,
            name.span,
            format!("cannot find `{}` in this scope", name.name),
        )
        .with_label("not found");
        let candidates = self.tables().scopes[module]
            .names
            .keys()
            .map(ir::SmolStr::as_str);
        if let Some(best) = suggest::closest(&name.name, candidates) {
            d = d.with_suggestion(
                format!("an item with a similar name exists: `{best}`"),
                name.span,
                best,
                Applicability::MaybeIncorrect,
            );
        }
        d
    }

    fn unknown_module(&self, name: &ast::Ident) -> Diagnostic {
        let known = self
            .tables()
            .program
            .modules
            .iter()
            .any(|m| m.name == name.name);
        let mut d = Diagnostic::error(
            codes::UNKNOWN_MODULE,
            name.span,
            format!("module `{}` is not imported here", name.name),
        )
        .with_label(if known {
            "not imported in this file"
        } else {
            "no module of this name in the program"
        });
        if known {
            d = d.with_help(format!(
                "add `use_module {};` at the top of this file",
                name.name
            ));
        }
        d
    }

    /// Resolves a written type.
    pub(crate) fn resolve_type(&mut self, module: ModuleId, ty: &ast::TypeExpr) -> Ty {
        match &ty.kind {
            ast::TypeExprKind::Error => Ty::Error,
            ast::TypeExprKind::RustReference(inner) => {
                let inner_text =
                    self.sources.get(inner.span.file).text[inner.span.range()].to_string();
                self.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        ty.span,
                        "Parseltongue has no reference types",
                    )
                    .with_label("Rust reference type")
                    .with_note("parameters are borrowed by default; write `mutable` before a parameter to borrow it mutably")
                    .with_suggestion(
                        "write the type itself",
                        ty.span,
                        inner_text,
                        Applicability::MachineApplicable,
                    ),
                );
                self.resolve_type(module, inner)
            }
            ast::TypeExprKind::Named { path, args } => {
                let arity = |n: usize| args.len() == n;
                let name = path[path.len() - 1].name.as_str();
                if path.len() == 1 {
                    let builtin = match (name, args.len()) {
                        ("i64", 0) => Some(Ty::I64),
                        ("f64", 0) => Some(Ty::F64),
                        ("bool", 0) => Some(Ty::Bool),
                        ("string", 0) => Some(Ty::Str),
                        ("ordering", 0) => Some(Ty::Ordering),
                        ("list", 1) => {
                            Some(Ty::List(Box::new(self.resolve_type(module, &args[0]))))
                        }
                        ("option", 1) => {
                            Some(Ty::Option(Box::new(self.resolve_type(module, &args[0]))))
                        }
                        ("thread", 1) => {
                            Some(Ty::Thread(Box::new(self.resolve_type(module, &args[0]))))
                        }
                        ("task", 1) => {
                            Some(Ty::Task(Box::new(self.resolve_type(module, &args[0]))))
                        }
                        ("mailbox", 1) => {
                            Some(Ty::Mailbox(Box::new(self.resolve_type(module, &args[0]))))
                        }
                        ("map", 2) => {
                            let key = self.resolve_type(module, &args[0]);
                            self.check_map_key(&key, args[0].span);
                            Some(Ty::Map(
                                Box::new(key),
                                Box::new(self.resolve_type(module, &args[1])),
                            ))
                        }
                        ("result", 2) => Some(Ty::Result(
                            Box::new(self.resolve_type(module, &args[0])),
                            Box::new(self.resolve_type(module, &args[1])),
                        )),
                        _ => None,
                    };
                    if let Some(t) = builtin {
                        return t;
                    }
                    let expected = match name {
                        "i64" | "f64" | "bool" | "string" | "ordering" => Some(0),
                        "list" | "option" | "thread" | "task" | "mailbox" => Some(1),
                        "map" | "result" => Some(2),
                        _ => None,
                    };
                    if let Some(n) = expected {
                        let form = match name {
                            "map" => "map<K, V>".to_string(),
                            "result" => "result<T, E>".to_string(),
                            _ if n == 1 => format!("{name}<T>"),
                            _ => name.to_string(),
                        };
                        self.error(
                            Diagnostic::error(
                                codes::WRONG_ARGUMENT_COUNT,
                                ty.span,
                                format!(
                                    "`{name}` takes {n} type argument{}, found {}",
                                    if n == 1 { "" } else { "s" },
                                    args.len()
                                ),
                            )
                            .with_label(format!("expected `{form}`")),
                        );
                        return Ty::Error;
                    }
                    // A record or enum may be named like a Rust type
                    // (`String`, `Vec`): the declared type wins.
                    let declared = args.is_empty()
                        && matches!(
                            self.tables().scopes[module].names.get(name),
                            Some((Def::Type(_), _))
                        );
                    if name == "Box" && args.len() == 1 && !declared {
                        // A box is how Rust writes a value that contains
                        // itself; Parseltongue's is an `option` of it.
                        let inner = self.rewrite_rust_type(&args[0]);
                        self.error(
                            Diagnostic::error(
                                codes::UNKNOWN_TYPE,
                                path[0].span,
                                "`Box` is Rust; a record or enum holds itself through an `option`",
                            )
                            .with_label("Rust type")
                            .with_note("an `option` of a type that contains itself is stored behind a pointer (`Option<Box<T>>`)")
                            .with_suggestion(
                                format!("write `option<{inner}>`"),
                                ty.span,
                                format!("option<{inner}>"),
                                Applicability::MaybeIncorrect,
                            ),
                        );
                        return Ty::Error;
                    }
                    if let Some((spelling, _)) =
                        suggest::rust_type_spelling(name).filter(|_| !declared)
                    {
                        let text = self.rewrite_rust_type(ty);
                        self.error(
                            Diagnostic::error(
                                codes::UNKNOWN_TYPE,
                                path[0].span,
                                format!(
                                    "`{name}` is a Rust type; Parseltongue writes `{spelling}`"
                                ),
                            )
                            .with_label("Rust spelling")
                            .with_suggestion(
                                format!("write `{text}`"),
                                ty.span,
                                text.clone(),
                                Applicability::MachineApplicable,
                            ),
                        );
                        return Ty::Error;
                    }
                }
                if !arity(0) {
                    self.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            ty.span,
                            format!("`{name}` takes no type arguments"),
                        )
                        .with_label(format!(
                            "given {} type argument{}",
                            args.len(),
                            if args.len() == 1 { "" } else { "s" }
                        )),
                    );
                }
                match self.lookup_item(module, path) {
                    Ok(Def::Type(id)) => {
                        self.found.used_items.insert(Def::Type(id));
                        Ty::Named(id)
                    }
                    Ok(def) => {
                        self.error(
                            Diagnostic::error(
                                codes::UNKNOWN_TYPE,
                                ty.span,
                                format!("`{name}` is not a type"),
                            )
                            .with_label(
                                if matches!(def, Def::Function(_)) {
                                    "a function, not a type"
                                } else {
                                    "a constant, not a type"
                                },
                            ),
                        );
                        Ty::Error
                    }
                    Err(mut d) => {
                        if d.code == codes::UNKNOWN_NAME {
                            d.code = codes::UNKNOWN_TYPE;
                            d.message = format!("cannot find type `{name}`");
                            d.notes.push(
                                "the types are `i64`, `f64`, `bool`, `string`, `ordering`, `list<T>`, `map<K, V>`, `option<T>`, `result<T, E>`, `thread<T>` and declared records and enums".to_string(),
                            );
                        }
                        self.error(d);
                        Ty::Error
                    }
                }
            }
        }
    }

    /// The Parseltongue spelling of a type written with Rust names.
    fn rewrite_rust_type(&self, ty: &ast::TypeExpr) -> String {
        match &ty.kind {
            ast::TypeExprKind::Named { path, args } => {
                let name = &path[path.len() - 1].name;
                let spelled = suggest::rust_type_spelling(name).map_or(name.as_str(), |(s, _)| s);
                if args.is_empty() {
                    spelled.to_string()
                } else {
                    let args: Vec<String> =
                        args.iter().map(|a| self.rewrite_rust_type(a)).collect();
                    format!("{spelled}<{}>", args.join(", "))
                }
            }
            ast::TypeExprKind::RustReference(inner) => self.rewrite_rust_type(inner),
            ast::TypeExprKind::Error => "_".to_string(),
        }
    }

    pub(crate) fn check_map_key(&mut self, key: &Ty, span: Span) {
        if !matches!(key, Ty::I64 | Ty::Str | Ty::Bool | Ty::Error | Ty::Unknown) {
            let shown = self.show(key);
            self.error(
                Diagnostic::error(
                    codes::INVALID_MAP_KEY,
                    span,
                    format!("`{shown}` cannot be a map key"),
                )
                .with_label("not `i64`, `string` or `bool`")
                .with_note(
                    "map keys are `i64`, `string` or `bool`, so maps iterate in a defined order",
                ),
            );
        }
    }

    /// The signature of one item other than a `methods` block (`None` for
    /// items without one, and for duplicates, which were reported).
    fn resolve_item_signature(&mut self, module: ModuleId, item: &ast::Item) -> Option<Signature> {
        match &item.kind {
            ast::ItemKind::Record(r) => {
                let Some(&(Def::Type(id), _)) =
                    self.tables().scopes[module].names.get(r.name.name.as_str())
                else {
                    return None;
                };
                if r.fields.is_empty() {
                    self.error(
                        Diagnostic::error(
                            codes::SYNTAX,
                            r.name.span,
                            "a record needs at least one field",
                        )
                        .with_label("declared without fields")
                        .with_help(
                            "use an enum variant without payload for a value that carries no data",
                        ),
                    );
                }
                let mut fields: Vec<(ir::SmolStr, Ty)> = Vec::new();
                for f in &r.fields {
                    self.check_name(&f.name);
                    if fields.iter().any(|(n, _)| *n == f.name.name) {
                        let first = r.fields.iter().find(|g| g.name.name == f.name.name);
                        self.declared_twice("field", &f.name, first.map(|g| g.name.span));
                        continue;
                    }
                    let ty = self.resolve_type(module, &f.ty);
                    if body::contains_thread(&ty) {
                        let label = if matches!(ty, Ty::Thread(_) | Ty::Task(_)) {
                            "a thread handle".to_string()
                        } else {
                            format!("`{}` holds thread handles", self.show(&ty))
                        };
                        self.error(
                                Diagnostic::error(codes::MISMATCHED_TYPES, f.ty.span, "a record cannot hold a `thread`")
                                    .with_label(label)
                                    .with_note("records can be copied and compared; a thread handle cannot")
                                    .with_help("keep thread handles in a `list<thread<T>>` local and join them there"),
                            );
                    }
                    if let Ty::Named(t) = ty {
                        if t == id {
                            self.error(
                                Diagnostic::error(
                                    codes::MISMATCHED_TYPES,
                                    f.ty.span,
                                    format!("record `{}` cannot contain itself", r.name.name),
                                )
                                .with_label("recursive without an `option` or a `list`")
                                .with_help(format!("hold it in an `option<{0}>` (stored behind a pointer) or a `list<{0}>`", r.name.name)),
                            );
                        }
                    }
                    fields.push((f.name.name.clone(), ty));
                }
                (self.tables().program.types[id].name == r.name.name)
                    .then_some(Signature::Record(id, fields))
            }
            ast::ItemKind::Enum(e) => {
                let Some(&(Def::Type(id), _)) =
                    self.tables().scopes[module].names.get(e.name.name.as_str())
                else {
                    return None;
                };
                let mut variants: Vec<(ir::SmolStr, Vec<Ty>)> = Vec::new();
                for v in &e.variants {
                    if variants.iter().any(|(n, _)| *n == v.name.name) {
                        let first = e.variants.iter().find(|w| w.name.name == v.name.name);
                        self.declared_twice("variant", &v.name, first.map(|w| w.name.span));
                        continue;
                    }
                    self.check_name(&v.name);
                    let payload = v
                        .payload
                        .iter()
                        .map(|t| self.resolve_type(module, t))
                        .collect();
                    variants.push((v.name.name.clone(), payload));
                }
                if e.variants.is_empty() {
                    self.error(
                        Diagnostic::error(
                            codes::SYNTAX,
                            e.name.span,
                            "an enum needs at least one variant",
                        )
                        .with_label("declared without variants"),
                    );
                }
                (self.tables().program.types[id].name == e.name.name)
                    .then_some(Signature::Enum(id, variants))
            }
            ast::ItemKind::Function(f) => {
                self.function_signature(module, &f.name, &f.params, f.returns.as_ref())
            }
            ast::ItemKind::RustFunction(f) => {
                self.function_signature(module, &f.name, &f.params, f.returns.as_ref())
            }
            ast::ItemKind::Constant(c) => {
                let Some(&(Def::Const(id), _)) =
                    self.tables().scopes[module].names.get(c.name.name.as_str())
                else {
                    return None;
                };
                Some(Signature::Constant(id, self.resolve_type(module, &c.ty)))
            }
            _ => None,
        }
    }

    /// Reports the second declaration of a `what` (field, variant) in one
    /// record or enum; `first` is where it was declared first.
    fn declared_twice(&mut self, what: &str, name: &ast::Ident, first: Option<Span>) {
        let mut d = Diagnostic::error(
            codes::DUPLICATE_DEFINITION,
            name.span,
            format!("{what} `{}` is declared twice", name.name),
        )
        .with_label("declared again here");
        if let Some(first) = first.filter(|&first| first != name.span) {
            d = d.with_secondary(first, "first declared here");
        }
        self.error(d);
    }

    /// The parameter and return types of method `id`.
    fn method_signature(
        &mut self,
        module: ModuleId,
        id: FunctionId,
        f: &ast::Function,
    ) -> Signature {
        self.resolved_signature(module, id, &f.params, f.returns.as_ref(), true)
    }

    /// The parameter and return types of the function declared as `name`
    /// (`None` for a duplicate, which was reported already).
    fn function_signature(
        &mut self,
        module: ModuleId,
        name: &ast::Ident,
        params: &[ast::Param],
        returns: Option<&ast::TypeExpr>,
    ) -> Option<Signature> {
        let Some(&(Def::Function(id), _)) =
            self.tables().scopes[module].names.get(name.name.as_str())
        else {
            return None;
        };
        if self.tables().program.functions[id].span != name.span {
            return None;
        }
        Some(self.resolved_signature(module, id, params, returns, false))
    }

    /// Function `id`'s parameter and return types, resolved.
    fn resolved_signature(
        &mut self,
        module: ModuleId,
        id: FunctionId,
        params: &[ast::Param],
        returns: Option<&ast::TypeExpr>,
        allow_self: bool,
    ) -> Signature {
        let params = self.resolve_params(module, params, allow_self);
        let returns = returns.map_or(Ty::Unit, |t| self.resolve_type(module, t));
        Signature::Function(id, params, returns)
    }

    fn resolve_params(
        &mut self,
        module: ModuleId,
        params: &[ast::Param],
        allow_self: bool,
    ) -> Vec<ir::Param> {
        let mut out: Vec<ir::Param> = Vec::new();
        for (i, p) in params.iter().enumerate() {
            if let Some(first) = params[..i].iter().find(|q| q.name.name == p.name.name) {
                self.error(
                    Diagnostic::error(
                        codes::DUPLICATE_DEFINITION,
                        p.name.span,
                        format!("parameter `{}` is declared twice", p.name.name),
                    )
                    .with_label("declared again here")
                    .with_secondary(first.name.span, "first declared here")
                    .with_help("give each parameter its own name"),
                );
            }
        }
        for (i, p) in params.iter().enumerate() {
            match &p.ty {
                None => {
                    // A method's receiver (see `receiver_mode`) is not a
                    // parameter with a type.
                    if !allow_self || i != 0 {
                        self.error(
                            Diagnostic::error(
                                codes::INVALID_SELF,
                                p.name.span,
                                "`self` is only allowed as the first parameter of a method",
                            )
                            .with_label(if allow_self {
                                "not the first parameter"
                            } else {
                                "not in a method"
                            })
                            .with_help("declare the function inside `methods Type { … }`"),
                        );
                    }
                }
                Some(ty) => {
                    self.check_name(&p.name);
                    let ty = self.resolve_type(module, ty);
                    out.push(ir::Param {
                        name: p.name.name.clone(),
                        mode: p.mode,
                        ty,
                    });
                }
            }
        }
        out
    }

    /// A type as the user writes it.
    pub(crate) fn show(&self, ty: &Ty) -> String {
        self.tables().program.show_type(ty)
    }
}

impl Checker<'_> {
    fn declare(&mut self, module: ModuleId, ident: &ast::Ident, def: Def) {
        self.check_name(ident);
        let scope = &mut self.tables.scopes[module];
        if let Some((_, first)) = scope.names.get(ident.name.as_str()) {
            let first = *first;
            self.error(
                Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    ident.span,
                    format!("`{}` is defined twice in this module", ident.name),
                )
                .with_label("defined again here")
                .with_secondary(first, "first defined here")
                .with_help("rename one of them"),
            );
            return;
        }
        scope.names.insert(ident.name.clone(), (def, ident.span));
    }

    fn collect(&mut self, modules: &[ast::Module]) {
        let module_index: FxHashMap<String, ModuleId> = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (self.sources.get(m.file).module_name().to_string(), i))
            .collect();
        // The tables are sized once from the item counts: grown by doubling,
        // they would copy themselves and touch twice the memory.
        let count = ItemCount::of(modules);
        let program = &mut self.tables.program;
        program.functions.reserve_exact(count.functions);
        program.types.reserve_exact(count.types);
        program.constants.reserve_exact(count.constants);
        program.item_lines.reserve(count.items);
        program.item_spans.reserve(count.items);
        for module in modules {
            let file = self.sources.get(module.file);
            self.tables.program.modules.push(ir::Module {
                name: file.module_name().to_string(),
                file_name: file.name.clone(),
                imports: Vec::new(),
                items: Vec::with_capacity(module.items.len()),
            });
            let mut names = FxHashMap::default();
            names.reserve(module.items.len());
            self.tables.scopes.push(ModuleScope {
                names,
                imports: FxHashMap::default(),
            });
        }
        for (index, module) in modules.iter().enumerate() {
            for item in &module.items {
                self.collect_item(index, item, &module_index);
            }
        }
    }

    fn collect_item(
        &mut self,
        module: ModuleId,
        item: &ast::Item,
        module_index: &FxHashMap<String, ModuleId>,
    ) {
        let public = item.public.is_some();
        let placeholder = |kind| ir::TypeDef {
            module,
            name: ir::SmolStr::default(),
            kind,
            public,
            span: item.span,
            docs: item.docs.clone(),
            member_docs: Vec::new(),
            member_spans: Vec::new(),
            incomplete: false,
            recursive: false,
        };
        match &item.kind {
            ast::ItemKind::Record(r) => {
                let id = self.tables.program.types.len();
                let mut def = placeholder(TypeDefKind::Record(Vec::new()));
                def.name = r.name.name.clone();
                def.span = r.name.span;
                def.member_docs = r.fields.iter().map(|f| f.docs.clone()).collect();
                def.member_spans = r.fields.iter().map(|f| f.name.span).collect();
                def.incomplete = r.incomplete;
                self.tables.program.types.push(def);
                self.declare(module, &r.name, Def::Type(id));
                self.push_item(module, ItemRef::Type(id), item.span);
            }
            ast::ItemKind::Enum(e) => {
                let id = self.tables.program.types.len();
                let mut def = placeholder(TypeDefKind::Enum(Vec::new()));
                def.name = e.name.name.clone();
                def.span = e.name.span;
                def.member_docs = e.variants.iter().map(|v| v.docs.clone()).collect();
                def.member_spans = e.variants.iter().map(|v| v.name.span).collect();
                self.tables.program.types.push(def);
                self.declare(module, &e.name, Def::Type(id));
                self.push_item(module, ItemRef::Type(id), item.span);
            }
            ast::ItemKind::RustType(r) => {
                let id = self.tables.program.types.len();
                let path = rust_path(&r.path);
                let mut def = placeholder(TypeDefKind::Rust(path));
                def.name = r.name.name.clone();
                def.span = r.name.span;
                self.tables.program.types.push(def);
                self.declare(module, &r.name, Def::Type(id));
                self.push_item(module, ItemRef::Type(id), item.span);
            }
            ast::ItemKind::Function(f) => {
                self.declare_function(module, &f.name, ir::FunctionKind::Free, public, item);
            }
            ast::ItemKind::RustFunction(f) => {
                let path = rust_path(&f.path);
                self.declare_function(
                    module,
                    &f.name,
                    ir::FunctionKind::Rust { path },
                    public,
                    item,
                );
            }
            ast::ItemKind::Test(t) => {
                self.declare_function(module, &t.name, ir::FunctionKind::Test, false, item);
            }
            ast::ItemKind::Constant(c) => {
                let id = self.tables.program.constants.len();
                self.tables.program.constants.push(ir::Constant {
                    module,
                    name: c.name.name.clone(),
                    ty: Ty::Error,
                    value: ir::Expr {
                        kind: ir::ExprKind::Error,
                        ty: Ty::Error,
                        span: c.value.span,
                    },
                    public,
                    span: c.name.span,
                    docs: item.docs.clone(),
                    referenced: false,
                    referenced_in_tests: false,
                });
                self.declare(module, &c.name, Def::Const(id));
                self.push_item(module, ItemRef::Constant(id), item.span);
            }
            ast::ItemKind::UseModule(name) => match module_index.get(name.name.as_str()) {
                Some(&target) if target != module && target != 0 => {
                    self.tables.scopes[module]
                        .imports
                        .insert(name.name.to_string(), (target, name.span));
                    self.refer(name.span, ir::Target::Module(target));
                }
                Some(&target) => self.error(
                    Diagnostic::error(
                        codes::UNKNOWN_MODULE,
                        name.span,
                        format!(
                            "module `{}` cannot import itself or the root module",
                            name.name
                        ),
                    )
                    .with_label(if target == module {
                        "the module of this file"
                    } else {
                        "the root module"
                    })
                    .with_help("move the shared items into a module of their own and import that"),
                ),
                None => {
                    let known: Vec<&str> = module_index.keys().map(String::as_str).collect();
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_MODULE,
                        name.span,
                        format!("no module named `{}`", name.name),
                    )
                    .with_label("not found")
                    .with_note(format!(
                        "`use_module {0};` reads `{0}.pt` beside the root file",
                        name.name
                    ));
                    if let Some(best) = suggest::closest(&name.name, known.iter().copied()) {
                        d = d.with_suggestion(
                            format!("a module with a similar name exists: `{best}`"),
                            name.span,
                            best,
                            Applicability::MaybeIncorrect,
                        );
                    }
                    self.error(d);
                }
            },
            ast::ItemKind::Methods(_) | ast::ItemKind::Block(_) | ast::ItemKind::Error => {}
        }
    }

    fn push_item(&mut self, module: ModuleId, item: ItemRef, span: Span) {
        let line = self.sources.get(span.file).line(span.start);
        self.tables.program.item_lines.insert(item, line);
        self.tables.program.item_spans.insert(item, span);
        self.tables.program.modules[module].items.push(item);
    }

    /// Declares a function-like item (function, Rust function, test).
    fn declare_function(
        &mut self,
        module: ModuleId,
        name: &ast::Ident,
        kind: ir::FunctionKind,
        public: bool,
        item: &ast::Item,
    ) {
        let id = self.new_function(module, name, kind, public, &item.docs, item.span);
        self.declare(module, name, Def::Function(id));
        self.push_item(module, ItemRef::Function(id), item.span);
    }

    fn new_function(
        &mut self,
        module: ModuleId,
        name: &ast::Ident,
        kind: ir::FunctionKind,
        public: bool,
        docs: &[String],
        extent: Span,
    ) -> FunctionId {
        self.tables.program.functions.push(ir::Function {
            module,
            name: name.name.clone(),
            kind,
            params: Vec::new(),
            returns: Ty::Unit,
            public,
            span: name.span,
            extent,
            docs: docs.to_vec(),
            body: None,
            referenced: false,
            referenced_in_tests: false,
        });
        self.tables.program.functions.len() - 1
    }

    /// Resolves every item's signature: first the methods are declared as
    /// functions (one after the other, so their ids follow the source),
    /// then the types of every signature, methods' too, are resolved in
    /// runs on the compiler's threads against the read-only tables. The
    /// results are applied in run order.
    fn resolve_signatures(&mut self, modules: &[ast::Module]) {
        let mut jobs = Vec::with_capacity(modules.iter().map(|m| m.items.len()).sum());
        for (module, ast_module) in modules.iter().enumerate() {
            for item in &ast_module.items {
                if let ast::ItemKind::Methods(m) = &item.kind {
                    self.collect_methods(module, item, m, &mut jobs);
                }
            }
        }
        jobs.extend(
            modules
                .iter()
                .enumerate()
                .flat_map(|(module, m)| m.items.iter().map(move |item| (module, item)))
                .filter(|(_, item)| !matches!(item.kind, ast::ItemKind::Methods(_)))
                .map(|(module, item)| SignatureJob::Item(module, item)),
        );
        let tables = &self.tables;
        let sources = self.sources;
        let runs = crate::parallel::map_runs(
            &jobs,
            |_| 1,
            MIN_ITEMS_PER_THREAD,
            |run| {
                let mut worker = Checker::worker(sources, tables, false);
                let signatures: Vec<Signature> = run
                    .iter()
                    .filter_map(|&job| match job {
                        SignatureJob::Item(module, item) => {
                            worker.resolve_item_signature(module, item)
                        }
                        SignatureJob::Method(module, id, f) => {
                            Some(worker.method_signature(module, id, f))
                        }
                    })
                    .collect();
                (worker.found, signatures)
            },
        );
        for (found, signatures) in runs {
            self.found.merge(found);
            for signature in signatures {
                self.apply_signature(signature);
            }
        }
        for module in &mut self.tables.program.modules {
            // `methods` blocks were registered after the other items; put
            // every item back in source order.
            let lines = &self.tables.program.item_lines;
            module
                .items
                .sort_by_cached_key(|item| lines.get(item).copied().unwrap_or(0));
        }
    }

    fn apply_signature(&mut self, signature: Signature) {
        let program = &mut self.tables.program;
        match signature {
            Signature::Record(id, fields) => program.types[id].kind = TypeDefKind::Record(fields),
            Signature::Enum(id, variants) => program.types[id].kind = TypeDefKind::Enum(variants),
            Signature::Function(id, params, returns) => {
                let function = &mut program.functions[id];
                function.params = params;
                function.returns = returns;
            }
            Signature::Constant(id, ty) => program.constants[id].ty = ty,
        }
    }

    /// Declares the methods of a `methods` block; their types are resolved
    /// with the other signatures, by the `jobs` added here.
    fn collect_methods<'m>(
        &mut self,
        module: ModuleId,
        item: &'m ast::Item,
        m: &'m ast::Methods,
        jobs: &mut Vec<SignatureJob<'m>>,
    ) {
        let target = match self.lookup_item(module, std::slice::from_ref(&m.target)) {
            Ok(Def::Type(id)) if !self.tables.program.types[id].kind.is_opaque() => id,
            Ok(def) => {
                self.error(
                    Diagnostic::error(
                        codes::UNKNOWN_TYPE,
                        m.target.span,
                        format!("`{}` is not a record or enum of this module", m.target.name),
                    )
                    .with_label(match def {
                        Def::Type(_) => "a `rust_type`",
                        Def::Function(_) => "a function",
                        Def::Const(_) => "a constant",
                    }),
                );
                return;
            }
            Err(mut d) => {
                d.code = codes::UNKNOWN_TYPE;
                self.error(d);
                return;
            }
        };
        let group = self.tables.program.methods.len();
        self.tables.program.methods.push(Vec::new());
        self.push_item(module, ItemRef::Methods(target, group), item.span);
        for f_item in &m.functions {
            let ast::ItemKind::Function(f) = &f_item.kind else {
                continue;
            };
            let receiver = receiver_mode(&f.params);
            let id = self.new_function(
                module,
                &f.name,
                ir::FunctionKind::Method {
                    of: target,
                    receiver,
                },
                f_item.public.is_some(),
                &f_item.docs,
                f_item.span,
            );
            self.check_name(&f.name);
            jobs.push(SignatureJob::Method(module, id, f));
            let table = self.tables.methods.entry(target).or_default();
            if let Some(&first) = table.get(f.name.name.as_str()) {
                let first = self.tables.program.functions[first].span;
                self.error(
                    Diagnostic::error(
                        codes::DUPLICATE_DEFINITION,
                        f.name.span,
                        format!("method `{}` is defined twice", f.name.name),
                    )
                    .with_label("defined again here")
                    .with_secondary(first, "first defined here"),
                );
                continue;
            }
            table.insert(f.name.name.clone(), id);
            self.tables.program.methods[group].push(id);
        }
    }

    /// A record or enum may contain itself through an `option` (which then
    /// stores it behind a pointer: `TypeDef::recursive`), never through
    /// fields, payloads and `result`s alone: its size would be infinite.
    /// Lists and maps store their elements elsewhere, so they break cycles.
    fn check_record_cycles(&mut self) {
        let kinds: Vec<&TypeDefKind> = self.tables.program.types.iter().map(|d| &d.kind).collect();
        let containments = recursive_types::containments(&kinds);
        let all: Vec<Vec<usize>> = containments
            .iter()
            .map(|c| c.iter().map(|c| c.to).collect())
            .collect();
        let inline: Vec<Vec<usize>> = containments
            .iter()
            .map(|c| {
                c.iter()
                    .filter(|c| !c.through_option)
                    .map(|c| c.to)
                    .collect()
            })
            .collect();
        for (def, cycle) in self
            .tables
            .program
            .types
            .iter_mut()
            .zip(recursive_types::on_cycle(&all))
        {
            def.recursive = cycle.is_some();
        }
        let infinite = recursive_types::on_cycle(&inline);
        let mut reported = FxHashSet::default();
        for start in 0..infinite.len() {
            let Some(component) = infinite[start] else {
                continue;
            };
            if !reported.insert(component) {
                continue;
            }
            let path = recursive_types::cycle_through(start, &inline, &infinite);
            // `record R { r: R }` is reported at its field already.
            let direct_record = path.len() == 1
                && matches!(&self.tables.program.types[start].kind, TypeDefKind::Record(fields)
                    if fields.iter().any(|(_, t)| *t == Ty::Named(start)));
            if direct_record {
                continue;
            }
            let names: Vec<String> = path
                .iter()
                .chain(std::iter::once(&start))
                .map(|t| format!("`{}`", self.tables.program.types[*t].name))
                .collect();
            let def = &self.tables.program.types[start];
            let d = Diagnostic::error(
                codes::MISMATCHED_TYPES,
                def.span,
                format!("`{}` contains itself: {}", def.name, names.join(" → ")),
            )
            .with_label("recursive without an `option` or a `list`")
            .with_note("a value cannot contain a whole copy of itself; its size would be infinite")
            .with_help(
                "hold the inner value in an `option` (stored behind a pointer) or in a `list` to break the cycle",
            );
            self.error(d);
        }
    }

    /// The root module's `main`, if any, takes nothing and returns nothing.
    fn check_entry_point(&mut self) {
        let Some((Def::Function(id), _)) = self
            .tables
            .scopes
            .first()
            .and_then(|s| s.names.get("main"))
            .cloned()
        else {
            return;
        };
        let main = &self.tables.program.functions[id];
        if matches!(main.kind, ir::FunctionKind::Free)
            && (!main.params.is_empty() || main.returns != Ty::Unit)
        {
            let span = main.span;
            let label = match (main.params.is_empty(), main.returns == Ty::Unit) {
                (false, false) => "declared with parameters and a return type",
                (false, true) => "declared with parameters",
                _ => "declared with a return type",
            };
            self.error(
                Diagnostic::error(
                    codes::MISMATCHED_TYPES,
                    span,
                    "`main` must take no parameters and return nothing",
                )
                .with_label(label)
                .with_note("a program's entry point is `function main() { … }`"),
            );
        }
    }

    /// A constant whose value overflows once the constants it names are
    /// known (`BIG + 1`): rustc's evaluation of it would fail.
    fn check_constant_overflow(&mut self) {
        let constants = &self.tables.program.constants;
        let overflowing: Vec<crate::source::Span> = constants
            .iter()
            .filter(|c| c.ty == Ty::I64 && body::overflows_through_constants(&c.value, constants))
            .map(|c| c.value.span)
            .collect();
        // In bodies too: constants' values are known only once every body
        // is checked (`LIMIT.shift_left(63) - 5`). The innermost chain that
        // overflows is the one reported.
        let mut in_bodies: Vec<crate::source::Span> = Vec::new();
        for function in &self.tables.program.functions {
            let Some(body) = &function.body else { continue };
            ir::walk_block(
                &body.block,
                &mut |e| {
                    if e.ty == Ty::I64
                        && matches!(e.kind, ir::ExprKind::Binary { .. })
                        && body::overflows_through_constants(e, constants)
                    {
                        in_bodies.push(e.span);
                    }
                },
                &mut |_| {},
            );
        }
        let innermost: Vec<crate::source::Span> = in_bodies
            .iter()
            .filter(|outer| {
                !in_bodies.iter().any(|inner| {
                    inner != *outer && outer.start <= inner.start && inner.end <= outer.end
                })
            })
            .copied()
            .collect();
        for span in overflowing.into_iter().chain(innermost) {
            self.error(body::constant_overflow(span));
        }
    }

    /// Constants may use other constants, but not in a cycle.
    fn check_constant_cycles(&mut self) {
        let uses: Vec<Vec<ir::ConstId>> = self
            .tables
            .program
            .constants
            .iter()
            .map(|c| {
                let mut out = Vec::new();
                ir::walk_expr(
                    &c.value,
                    &mut |e| {
                        if let ir::ExprKind::Const(id) = e.kind {
                            out.push(id);
                        }
                    },
                    &mut |_| {},
                );
                out
            })
            .collect();
        let mut in_reported_cycle = FxHashSet::default();
        for start in 0..uses.len() {
            if in_reported_cycle.contains(&start) {
                continue;
            }
            let mut stack = uses[start].clone();
            let mut seen = FxHashSet::default();
            while let Some(at) = stack.pop() {
                if at == start {
                    in_reported_cycle.extend(seen.iter().copied());
                    let constant = &self.tables.program.constants[start];
                    let d = Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        constant.span,
                        format!("constant `{}` depends on itself", constant.name),
                    )
                    .with_label("defined in terms of itself")
                    .with_help("give one of the constants a literal value");
                    self.error(d);
                    break;
                }
                if seen.insert(at) {
                    stack.extend(uses[at].iter().copied());
                }
            }
        }
    }

    /// Checks every function and constant body. Bodies only read the
    /// tables, so they are checked in runs on several threads when there
    /// are enough of them; the runs' findings are merged in item order, so
    /// the result does not depend on how the work was split.
    fn check_bodies(&mut self, modules: &[ast::Module]) {
        let jobs = self.body_jobs(modules);
        let tables = &self.tables;
        let sources = self.sources;
        let errors_before_bodies = self.errors_before_bodies;
        let runs = crate::parallel::map_runs(
            &jobs,
            BodyJob::source_bytes,
            MIN_BODY_BYTES_PER_THREAD,
            |run| {
                // About one resolved name per dozen bytes of source: the
                // list is sized once instead of doubling its way there.
                let bytes: usize = run.iter().map(BodyJob::source_bytes).sum();
                let mut worker = Checker::worker(sources, tables, errors_before_bodies);
                worker.found.references.reserve(bytes / 12);
                let checked: Vec<CheckedBody> = run
                    .iter()
                    .map(|job| {
                        let first = worker.found.references.len();
                        let checked = worker.check_job(job);
                        // Sorted here, body by body on the run's own thread,
                        // the references only need merging at the end.
                        sort_nearly_sorted(&mut worker.found.references[first..]);
                        checked
                    })
                    .collect();
                (worker.found, checked)
            },
        );
        let references: usize = runs.iter().map(|(found, _)| found.references.len()).sum();
        self.found.references.reserve_exact(references);
        for (found, checked) in runs {
            self.found.merge(found);
            for body in checked {
                match body {
                    CheckedBody::Function(id, body) => {
                        self.tables.program.functions[id].body = Some(body);
                    }
                    CheckedBody::Constant(id, value) => {
                        self.tables.program.constants[id].value = value;
                    }
                }
            }
        }
        for (module, ir_module) in self.tables.program.modules.iter_mut().enumerate() {
            let mut imports: Vec<ModuleId> = self
                .found
                .used_imports
                .iter()
                .filter(|(importer, _)| *importer == module)
                .map(|(_, imported)| *imported)
                .collect();
            imports.sort_unstable();
            ir_module.imports = imports;
        }
    }

    /// Every body to check, in item order. A duplicate item (reported
    /// already) has no body of its own.
    fn body_jobs<'m>(&self, modules: &'m [ast::Module]) -> Vec<BodyJob<'m>> {
        let mut jobs = Vec::new();
        let functions = &self.tables.program.functions;
        let is_declared = |id: FunctionId, name: &ast::Ident| functions[id].span == name.span;
        for (module, ast_module) in modules.iter().enumerate() {
            let names = &self.tables.scopes[module].names;
            for item in &ast_module.items {
                match &item.kind {
                    ast::ItemKind::Function(f) => {
                        if let Some(&(Def::Function(id), _)) = names.get(f.name.name.as_str()) {
                            if is_declared(id, &f.name) {
                                jobs.push(BodyJob::function(id, f));
                            }
                        }
                    }
                    ast::ItemKind::Test(t) => {
                        if let Some(&(Def::Function(id), _)) = names.get(t.name.name.as_str()) {
                            if is_declared(id, &t.name) {
                                jobs.push(BodyJob::Function {
                                    id,
                                    params: &[],
                                    block: &t.body,
                                    returns_span: None,
                                });
                            }
                        }
                    }
                    ast::ItemKind::Methods(m) => {
                        let Some(table) = self.methods_of(module, &m.target) else {
                            continue;
                        };
                        for f_item in &m.functions {
                            let ast::ItemKind::Function(f) = &f_item.kind else {
                                continue;
                            };
                            if let Some(&id) = table.get(f.name.name.as_str()) {
                                if is_declared(id, &f.name) {
                                    jobs.push(BodyJob::function(id, f));
                                }
                            }
                        }
                    }
                    ast::ItemKind::Constant(c) => {
                        if let Some(&(Def::Const(id), _)) = names.get(c.name.name.as_str()) {
                            jobs.push(BodyJob::Constant {
                                module,
                                id,
                                value: &c.value,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        jobs
    }

    fn methods_of(
        &self,
        module: ModuleId,
        target: &ast::Ident,
    ) -> Option<&FxHashMap<ir::SmolStr, FunctionId>> {
        let (Def::Type(id), _) = self.tables.scopes[module].names.get(target.name.as_str())? else {
            return None;
        };
        self.tables.methods.get(id)
    }

    fn warn_unused(&mut self) {
        for (module, scope) in self.tables.scopes.iter().enumerate() {
            for (name, (import, span)) in &scope.imports {
                if !self.found.used_imports.contains(&(module, *import)) {
                    self.found.diagnostics.push(
                        Diagnostic::warning(
                            codes::UNUSED_ITEM,
                            *span,
                            format!("module `{name}` is imported but never used"),
                        )
                        .with_label(format!("no item of `{name}` is used in this file"))
                        .with_help(format!(
                            "remove `use_module {name};` or use one of its items"
                        )),
                    );
                }
            }
        }
        for (id, f) in self.tables.program.functions.iter().enumerate() {
            let exported = f.public || f.name == "main" && f.module == 0;
            if exported || matches!(f.kind, ir::FunctionKind::Test) {
                continue;
            }
            let is_the_declared_one = match &f.kind {
                ir::FunctionKind::Method { .. } => true,
                _ => self.tables.scopes[f.module]
                    .names
                    .get(f.name.as_str())
                    .is_some_and(|(def, _)| *def == Def::Function(id)),
            };
            let used = self.found.used_items.contains(&Def::Function(id))
                || self.found.used_in_tests.contains(&Def::Function(id));
            if is_the_declared_one && !used {
                self.found.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNUSED_ITEM,
                        f.span,
                        format!("function `{}` is never used", f.name),
                    )
                    .with_label("private and not called anywhere")
                    .with_help("call it, mark it `public`, or remove it"),
                );
            }
        }
        for (id, c) in self.tables.program.constants.iter().enumerate() {
            if !c.public
                && !self.found.used_items.contains(&Def::Const(id))
                && !self.found.used_in_tests.contains(&Def::Const(id))
            {
                self.found.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNUSED_ITEM,
                        c.span,
                        format!("constant `{}` is never used", c.name),
                    )
                    .with_label("private and not read anywhere")
                    .with_help("use it, mark it `public`, or remove it"),
                );
            }
        }
    }
}

/// True if `e` denotes a place (a local, or a field or element of one), so
/// it can be borrowed rather than copied.
pub fn is_place_expr(e: &ir::Expr) -> bool {
    body::is_place(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn reference(start: usize, local: usize) -> ir::Reference {
        ir::Reference {
            span: Span::new(FileId(0), start, start + 1),
            target: ir::Target::Local { function: 0, local },
        }
    }

    #[test]
    fn item_references_merge_into_body_references_in_source_order() {
        // One item reference before every body reference, one after them.
        let items = [
            reference(40, 1),
            reference(3, 0),
            reference(500, 4),
            reference(95, 2),
            reference(3, 0),
        ];
        let sorted_bodies: Vec<ir::Reference> = (0..50).map(|i| reference(i * 2, 3)).collect();
        let mut unsorted_bodies = sorted_bodies.clone();
        unsorted_bodies.swap(4, 30);
        for bodies in [sorted_bodies, unsorted_bodies, Vec::new()] {
            let mut references = items.to_vec();
            references.extend(bodies);
            let mut expected = references.clone();
            expected.sort_by_key(ir::Reference::source_order);
            put_in_source_order(&mut references, items.len());
            assert_eq!(references, expected);
        }
    }

    #[test]
    fn nearly_sorted_references_come_out_as_a_full_sort_puts_them() {
        let in_order: Vec<ir::Reference> = (0..300).map(|i| reference(i * 3, i % 7)).collect();
        let mut orders = vec![
            in_order.clone(),
            in_order.iter().rev().cloned().collect(),
            Vec::new(),
            vec![reference(5, 0)],
        ];
        // Each binding recorded after the value that follows it.
        let mut shifted = in_order.clone();
        for chunk in shifted.chunks_mut(5) {
            chunk.rotate_left(1);
        }
        orders.push(shifted);
        // Repeats, as a quiet lookup and the real one record.
        let mut repeated = in_order.clone();
        repeated.extend(in_order.iter().step_by(4).cloned());
        orders.push(repeated);
        for mut order in orders {
            let mut expected = order.clone();
            expected.sort_by_key(ir::Reference::source_order);
            sort_nearly_sorted(&mut order);
            assert_eq!(order, expected);
        }
    }
}
