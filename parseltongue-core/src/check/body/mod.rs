//! Checking function bodies: name resolution of locals, bidirectional type
//! checking (an expected type flows into each expression, so `list_of()`,
//! `None` and `map_of()` get their types from context), the rules of the
//! binding keywords, and exhaustiveness of `match`.

mod builtin_calls;
mod calls;
mod expressions;
mod operators;
mod order;
mod partitions;
mod patterns;
mod places;
mod statements;

pub(crate) use operators::{constant_overflow, overflows_through_constants};

use super::builtins::{self, ReceiverUse};
use super::scopes::Scopes;
use super::{exhaustive, ownership, suggest, Checker, Def, Tables};
use crate::diagnostics::{codes, Applicability, Diagnostic};
use crate::ir::{
    self, Builtin, ExprKind as IrK, LocalId, ModuleId, Repr, SmolStr, Ty, TypeDefKind,
};
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, BindingKind, ExprKind as K, ParamMode, UnaryOp};
use crate::syntax::token::Keyword;

/// Why a local may not be mutated, for the diagnostic.
#[derive(Clone, Copy, Debug)]
enum Origin {
    Let(BindingKind, Span),
    Param(ParamMode, Span),
    SelfParam(ParamMode, Span),
    LoopItem,
    MatchBinding,
    Guard,
    Entry,
}

struct Thread {
    scope_depth: usize,
    captures: Vec<LocalId>,
    /// `spawn_on` (a task on a partition) rather than `spawn_thread`.
    task: bool,
}

pub(super) struct BodyChecker<'c, 'a> {
    c: &'c mut Checker<'a, &'a Tables>,
    module: ModuleId,
    locals: Vec<ir::Local>,
    origins: Vec<Origin>,
    /// The locals in scope (a local's name is in `locals`).
    scopes: Scopes,
    returns: Ty,
    loop_depth: usize,
    threads: Vec<Thread>,
    consumed: Vec<Option<Span>>,
    self_type: Option<ir::TypeId>,
    cow: CowTracking,
    /// The function whose body this is (`None` for a constant's value).
    function: Option<ir::FunctionId>,
}

/// What is needed to find a value changed while a `let_cow_var` still
/// borrows it: positions count statements and reads in checking order.
#[derive(Default)]
struct CowTracking {
    clock: usize,
    /// (the cow local, the local it borrows, when the borrow starts)
    borrows: Vec<(LocalId, LocalId, usize)>,
    /// (local, when, where): changes, dated at the end of their statement
    /// so a read in the same statement does not count as later.
    changes: Vec<(LocalId, usize, Span)>,
    pending: Vec<(LocalId, Span)>,
    /// (local, when, where)
    reads: Vec<(LocalId, usize, Span)>,
}

fn expr(kind: IrK, ty: Ty, span: Span) -> ir::Expr {
    ir::Expr { kind, ty, span }
}

/// Whether two places may be the same value (or one inside the other):
/// they share a local and do not part at two different fields.
fn overlaps(a: &ir::Expr, b: &ir::Expr) -> bool {
    fn path(e: &ir::Expr, steps: &mut Vec<Option<usize>>) -> Option<LocalId> {
        match &e.kind {
            IrK::Local { id, .. } => Some(*id),
            IrK::Field { base, index } => {
                let root = path(base, steps);
                steps.push(Some(*index));
                root
            }
            IrK::Index { base, .. } => {
                let root = path(base, steps);
                steps.push(None);
                root
            }
            _ => None,
        }
    }
    let (mut pa, mut pb) = (Vec::new(), Vec::new());
    let (Some(ra), Some(rb)) = (path(a, &mut pa), path(b, &mut pb)) else {
        return false;
    };
    ra == rb
        && !pa
            .iter()
            .zip(&pb)
            .any(|(x, y)| matches!((x, y), (Some(i), Some(j)) if i != j))
}

/// Whether a `match` on `scrutinee` binds views of it rather than values:
/// a place that is not copied is borrowed, and a string is always matched
/// as a `&str`.
fn binds_by_reference(scrutinee: &ir::Expr) -> bool {
    (is_place(scrutinee) && !scrutinee.ty.is_copy()) || scrutinee.ty == Ty::Str
}

fn error_expr(span: Span) -> ir::Expr {
    expr(IrK::Error, Ty::Error, span)
}

/// Whether `actual` may stand where `expected` is wanted.
pub(crate) fn fits(actual: &Ty, expected: &Ty) -> bool {
    match (actual, expected) {
        (Ty::Error | Ty::Never, _) | (_, Ty::Error) => true,
        (Ty::Unknown, _) | (_, Ty::Unknown) => true,
        (Ty::List(a), Ty::List(b))
        | (Ty::Option(a), Ty::Option(b))
        | (Ty::Thread(a), Ty::Thread(b))
        | (Ty::Task(a), Ty::Task(b))
        | (Ty::Mailbox(a), Ty::Mailbox(b)) => fits(a, b),
        (Ty::Map(a, b), Ty::Map(c, d)) | (Ty::Result(a, b), Ty::Result(c, d)) => {
            fits(a, c) && fits(b, d)
        }
        _ => actual == expected,
    }
}

/// Combines two types where one may fill the other's unknown parts.
fn merge(a: &Ty, b: &Ty) -> Ty {
    match (a, b) {
        (Ty::Unknown | Ty::Error | Ty::Never, other) => other.clone(),
        (other, Ty::Unknown | Ty::Error | Ty::Never) => other.clone(),
        (Ty::List(x), Ty::List(y)) => Ty::List(Box::new(merge(x, y))),
        (Ty::Option(x), Ty::Option(y)) => Ty::Option(Box::new(merge(x, y))),
        (Ty::Thread(x), Ty::Thread(y)) => Ty::Thread(Box::new(merge(x, y))),
        (Ty::Task(x), Ty::Task(y)) => Ty::Task(Box::new(merge(x, y))),
        (Ty::Mailbox(x), Ty::Mailbox(y)) => Ty::Mailbox(Box::new(merge(x, y))),
        (Ty::Map(x, y), Ty::Map(z, w)) => Ty::Map(Box::new(merge(x, z)), Box::new(merge(y, w))),
        (Ty::Result(x, y), Ty::Result(z, w)) => {
            Ty::Result(Box::new(merge(x, z)), Box::new(merge(y, w)))
        }
        _ => a.clone(),
    }
}

/// `text` as the receiver of a method call: a name, a field or a call as
/// it is, anything else in parentheses.
fn as_receiver(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':'))
        && !text.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        text.to_string()
    } else {
        format!("({text})")
    }
}

fn is_displayable(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::I64 | Ty::F64 | Ty::Bool | Ty::Str | Ty::Error | Ty::Never
    )
}

impl<'a> Checker<'a, &'a Tables> {
    /// Checks the body of function `id` and returns its typed IR.
    pub(super) fn check_function(
        &mut self,
        id: ir::FunctionId,
        params: &[ast::Param],
        block: &ast::Block,
        returns_span: Option<Span>,
    ) -> ir::Body {
        let errors_before = self.found.diagnostics.error_count();
        let tables: &'a Tables = self.tables;
        let function = &tables.program.functions[id];
        self.checking_test = matches!(function.kind, ir::FunctionKind::Test);
        let mut body = BodyChecker {
            module: function.module,
            c: self,
            locals: Vec::new(),
            origins: Vec::new(),
            scopes: Scopes::default(),
            returns: function.returns.clone(),
            loop_depth: 0,
            threads: Vec::new(),
            consumed: Vec::new(),
            self_type: None,
            cow: CowTracking::default(),
            function: Some(id),
        };
        let mut param_locals = Vec::new();
        if let ir::FunctionKind::Method { of, receiver } = &function.kind {
            body.self_type = Some(*of);
            if let (Some(mode), Some(p)) = (receiver, params.first()) {
                let repr = match mode {
                    ParamMode::Read => Repr::Ref,
                    ParamMode::Mutable => Repr::MutRef,
                    ParamMode::Owned => Repr::Value,
                };
                let local = body.declare(
                    &p.name,
                    Ty::Named(*of),
                    repr,
                    *mode == ParamMode::Mutable,
                    Origin::SelfParam(*mode, p.name.span),
                );
                body.locals[local].used = true;
                param_locals.push(local);
            }
        }
        let typed: Vec<&ast::Param> = params.iter().filter(|p| p.ty.is_some()).collect();
        for (param, p) in function.params.iter().zip(typed) {
            let repr = match param.mode {
                ParamMode::Read if param.ty.is_copy() => Repr::Value,
                ParamMode::Read => Repr::Ref,
                ParamMode::Mutable => Repr::MutRef,
                ParamMode::Owned => Repr::Value,
            };
            if param.mode == ParamMode::Mutable && param.ty.is_copy() {
                if let Some(span) = p.mode_span {
                    body.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            span,
                            format!(
                                "`{}` values cannot be passed `mutable`",
                                body.c.show(&param.ty)
                            ),
                        )
                        .with_label("changes to a copy never reach the caller")
                        .with_note(
                            "`i64`, `f64` and `bool` are copied; return the new value instead",
                        )
                        .with_suggestion(
                            "remove `mutable`",
                            Span {
                                end: p.name.span.start,
                                ..span
                            },
                            "",
                            Applicability::MachineApplicable,
                        ),
                    );
                }
            }
            let local = body.declare(
                &p.name,
                param.ty.clone(),
                repr,
                param.mode == ParamMode::Mutable,
                Origin::Param(param.mode, p.name.span),
            );
            param_locals.push(local);
        }
        let expected = function.returns.clone();
        let (mut ir_block, ty) = body.check_block(block, Some(&expected));
        if !fits(&ty, &expected) {
            let at = block
                .tail
                .as_ref()
                .map_or(block.span.shrink_to_end(), |t| t.span);
            let mut d = body.mismatch(&expected, &ty, at);
            let tail_if_without_else = block.tail.as_ref().is_some_and(|t| {
                matches!(
                    &t.kind,
                    K::If {
                        otherwise: None,
                        ..
                    }
                )
            });
            if ty == Ty::Unit && (block.tail.is_none() || tail_if_without_else) {
                d = Diagnostic::error(
                    codes::MISSING_RETURN,
                    block.span.shrink_to_end(),
                    format!(
                        "this function must return `{}` but can reach its end without a value",
                        body.c.show(&expected)
                    ),
                )
                .with_label(format!(
                    "no `{}` value when the body ends here",
                    body.c.show(&expected)
                ))
                .with_help("end the body with the value to return, without `;`, or `return` it");
                if let Some(span) = returns_span {
                    d = d.with_secondary(span, "declared return type");
                }
            }
            body.c.error(d);
        }
        body.check_cow_borrows();
        body.finish_warnings();
        // Error nodes hide the reads inside them, so liveness is only
        // computed for a body without errors, in a program whose files and
        // items had none (a syntax error leaves error nodes in bodies).
        let body_had_errors =
            body.c.errors_before_bodies || body.c.found.diagnostics.error_count() > errors_before;
        let dead = if body_had_errors {
            Vec::new()
        } else {
            super::liveness::dead_stores(&ir_block, &body.locals)
        };
        for store in &dead {
            let name = body.locals[store.local].name.clone();
            body.c.found.diagnostics.push(
                Diagnostic::warning(
                    codes::DEAD_STORE,
                    store.span,
                    format!("the value stored in `{name}` here is never read"),
                )
                .with_label(format!("no read of `{name}` sees this value"))
                .with_note("a later assignment replaces it first, or nothing reads it afterwards")
                .with_help(format!(
                    "remove the assignment, or read `{name}` before it changes"
                )),
            );
        }
        let has_dead_stores = !dead.is_empty();
        let mut locals = body.locals;
        ownership::mark_moves(&mut ir_block, &mut locals);
        self.checking_test = false;
        ir::Body {
            has_dead_stores,
            locals,
            params: param_locals,
            block: ir_block,
        }
    }

    /// Checks the value of constant `id` and returns its typed IR.
    pub(super) fn check_constant(
        &mut self,
        module: ModuleId,
        id: ir::ConstId,
        value: &ast::Expr,
    ) -> ir::Expr {
        let tables: &'a Tables = self.tables;
        let ty = &tables.program.constants[id].ty;
        let mut body = BodyChecker {
            c: self,
            module,
            locals: Vec::new(),
            origins: Vec::new(),
            scopes: Scopes::default(),
            returns: Ty::Unit,
            loop_depth: 0,
            threads: Vec::new(),
            consumed: Vec::new(),
            self_type: None,
            cow: CowTracking::default(),
            function: None,
        };
        let checked = body.check_expr(value, Some(ty));
        let is_literal = match &checked.kind {
            IrK::Int(_)
            | IrK::Float(_)
            | IrK::Str(_)
            | IrK::Bool(_)
            | IrK::Const(_)
            | IrK::Error => true,
            IrK::Unary { operand, .. } => {
                matches!(operand.kind, IrK::Int(_) | IrK::Float(_) | IrK::Bool(_))
            }
            IrK::Binary { .. } => checked.ty.is_copy(),
            _ => false,
        };
        if !is_literal {
            body.c.error(
                Diagnostic::error(
                    codes::MISMATCHED_TYPES,
                    value.span,
                    "a constant's value must be a literal or arithmetic on literals",
                )
                .with_label("not a literal value")
                .with_help("use a function that returns the value instead"),
            );
        }
        if !fits(&checked.ty, ty) {
            let d = body.mismatch(ty, &checked.ty, value.span);
            body.c.error(d);
        }
        checked
    }
}

/// The name an error message gives the `index`th argument of a built-in
/// method, which has no declared parameter names. Every built-in method
/// call asks, so the common names are static rather than formatted.
fn argument_name(index: usize) -> SmolStr {
    const NAMES: [&str; 4] = ["argument 1", "argument 2", "argument 3", "argument 4"];
    match NAMES.get(index) {
        Some(name) => SmolStr::new_static(name),
        None => smol_str::format_smolstr!("argument {}", index + 1),
    }
}

impl<'a> BodyChecker<'_, 'a> {
    /// The item tables, borrowed for as long as the checker's run, not
    /// from `self`: a definition can be read while `self` records findings.
    fn item_tables(&self) -> &'a Tables {
        self.c.tables
    }

    fn declare(
        &mut self,
        name: &ast::Ident,
        ty: Ty,
        repr: Repr,
        mutable: bool,
        origin: Origin,
    ) -> LocalId {
        if name.name != "self" {
            self.c.check_name(name);
        }
        let id = self.locals.len();
        self.locals.push(ir::Local {
            name: name.name.clone(),
            ty,
            repr,
            mutable,
            mutated: false,
            used: false,
            span: name.span,
            generated: false,
        });
        self.origins.push(origin);
        self.consumed.push(None);
        if let Some(function) = self.function {
            self.c.refer(
                name.span,
                ir::Target::Local {
                    function,
                    local: id,
                },
            );
        }
        self.scopes.declare(id);
        id
    }

    /// The local called `name` declared in the innermost scope.
    fn in_innermost_scope(&self, name: &str) -> Option<LocalId> {
        self.scopes
            .innermost()
            .iter()
            .copied()
            .find(|&id| self.locals[id].name == name)
    }

    fn lookup_local(&self, name: &str) -> Option<(LocalId, usize)> {
        self.scopes.find_last(|id| self.locals[id].name == name)
    }

    fn show(&self, ty: &Ty) -> String {
        self.c.show(ty)
    }

    fn mismatch(&self, expected: &Ty, actual: &Ty, span: Span) -> Diagnostic {
        let mut d = Diagnostic::error(
            codes::MISMATCHED_TYPES,
            span,
            format!(
                "expected `{}`, found `{}`",
                self.show(expected),
                self.show(actual)
            ),
        )
        .with_label(format!("this is `{}`", self.show(actual)));
        let text = &self.c.sources.get(span.file).text[span.range()];
        match (expected, actual) {
            (Ty::F64, Ty::I64) => {
                if text.chars().all(|c| c.is_ascii_digit() || c == '_') {
                    d = d.with_suggestion(
                        "write a float literal",
                        span,
                        format!("{text}.0"),
                        Applicability::MachineApplicable,
                    );
                } else {
                    d = d.with_suggestion(
                        "convert it",
                        span,
                        format!("{}.to_f64()", as_receiver(text)),
                        Applicability::MachineApplicable,
                    );
                }
            }
            (Ty::I64, Ty::F64) => {
                // `0.0` where an `i64` is wanted is `0`; `2.5` is a choice.
                let whole = text
                    .replace('_', "")
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.fract() == 0.0 && v.abs() < 9.0e15);
                d = match whole {
                    Some(value) => d.with_suggestion(
                        "write an integer literal",
                        span,
                        format!("{}", value as i64),
                        Applicability::MachineApplicable,
                    ),
                    None => d.with_suggestion(
                        "convert it (rounds toward zero)",
                        span,
                        format!("{}.to_i64()", as_receiver(text)),
                        Applicability::MaybeIncorrect,
                    ),
                };
            }
            (Ty::Str, Ty::I64 | Ty::F64 | Ty::Bool) => {
                d = d.with_suggestion(
                    "convert it",
                    span,
                    format!("{}.to_string()", as_receiver(text)),
                    Applicability::MachineApplicable,
                );
            }
            (Ty::Option(inner), other) if fits(other, inner) => {
                d = d.with_suggestion(
                    "wrap it in `Some`",
                    span,
                    format!("Some({text})"),
                    Applicability::MachineApplicable,
                );
            }
            _ => {}
        }
        d
    }

    fn expect_type(&mut self, actual: &ir::Expr, expected: &Ty) -> bool {
        if fits(&actual.ty, expected) {
            true
        } else {
            let d = self.mismatch(expected, &actual.ty, actual.span);
            self.c.error(d);
            false
        }
    }

    /// Reports a change of a value while a `let_cow_var` that borrows it is
    /// still read afterwards (the borrow would be broken).
    fn check_cow_borrows(&mut self) {
        let mut reported = rustc_hash::FxHashSet::default();
        for &(cow, source, from) in &self.cow.borrows {
            for &(changed, when, span) in &self.cow.changes {
                if changed != source || when <= from || !reported.insert((cow, when)) {
                    continue;
                }
                let Some(&(_, _, read_at)) = self
                    .cow
                    .reads
                    .iter()
                    .find(|(id, t, _)| *id == cow && *t > when)
                else {
                    continue;
                };
                let (cow_name, source_name) = (
                    self.locals[cow].name.clone(),
                    self.locals[source].name.clone(),
                );
                self.c.error(
                    Diagnostic::error(
                        codes::CHANGED_WHILE_BORROWED,
                        span,
                        format!("`{source_name}` is changed while `{cow_name}` still borrows it"),
                    )
                    .with_label(format!("`{source_name}` changes here"))
                    .with_secondary(self.locals[cow].span, format!("`{cow_name}` borrows `{source_name}` here"))
                    .with_secondary(read_at, "and is read again here")
                    .with_help(format!("change `{source_name}` after the last use of `{cow_name}`, or declare `{cow_name}` with `let_mut_var` to take its own copy")),
                );
            }
        }
    }

    fn finish_warnings(&mut self) {
        for (local, origin) in self.locals.iter().zip(&self.origins) {
            if local.name.starts_with('_') || local.name == "self" {
                continue;
            }
            // Changing a `mutable` parameter is its use: the caller sees it.
            if matches!(origin, Origin::Param(ParamMode::Mutable, _)) && local.mutated {
                continue;
            }
            if !local.used {
                let (what, label) = match origin {
                    Origin::Param(..) => ("parameter", "not read in the function"),
                    _ => ("binding", "not read in its scope"),
                };
                self.c.found.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNUSED_BINDING,
                        local.span,
                        format!("{what} `{}` is never used", local.name),
                    )
                    .with_label(label)
                    .with_suggestion(
                        "if this is intentional, prefix it with an underscore",
                        local.span,
                        format!("_{}", local.name),
                        // Never applied by `plc fix`: the binding may be
                        // meant for code not written yet, and the rename
                        // would only silence the warning. An editor offers
                        // it as a code action.
                        Applicability::MaybeIncorrect,
                    ),
                );
            }
            if let Origin::Let(BindingKind::MutVar, keyword) = origin {
                if !local.mutated && local.used {
                    self.c.found.diagnostics.push(
                        Diagnostic::warning(
                            codes::UNNEEDED_MUT,
                            *keyword,
                            format!(
                                "`{}` is declared `let_mut_var` but never changed",
                                local.name
                            ),
                        )
                        .with_label("could be `let_var`")
                        .with_suggestion(
                            "declare it with `let_var`",
                            *keyword,
                            "let_var",
                            Applicability::MachineApplicable,
                        ),
                    );
                }
            }
            if local.ty.is_incomplete()
                && !matches!(local.ty, Ty::Error)
                && !contains_error(&local.ty)
            {
                self.c.found.diagnostics.push(
                    Diagnostic::error(
                        codes::TYPE_ANNOTATION_NEEDED,
                        local.span,
                        format!("cannot infer the type of `{}`", local.name),
                    )
                    .with_label(format!(
                        "its type is only known as `{}`",
                        self.c.show(&local.ty)
                    ))
                    .with_help(format!(
                        "annotate it, for example `{}: list<i64>`",
                        local.name
                    )),
                );
            }
        }
    }
}

/// "1 value", "2 values".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The label of a call given `found` `noun`s where it takes `expected`:
/// "missing 1 argument", "2 arguments too many".
fn arity_label(found: usize, expected: usize, noun: &str) -> String {
    if found < expected {
        format!("missing {}", count(expected - found, noun))
    } else if found > expected {
        format!("{} too many", count(found - expected, noun))
    } else {
        format!("given {}", count(found, noun))
    }
}

/// True if `ty` is or holds a `thread` or `task` handle, which cannot be
/// copied, compared or printed.
pub(crate) fn contains_thread(ty: &Ty) -> bool {
    match ty {
        Ty::Thread(_) | Ty::Task(_) => true,
        Ty::List(t) | Ty::Option(t) => contains_thread(t),
        Ty::Map(a, b) | Ty::Result(a, b) => contains_thread(a) || contains_thread(b),
        _ => false,
    }
}

fn contains_error(ty: &Ty) -> bool {
    match ty {
        Ty::Error => true,
        Ty::List(t) | Ty::Option(t) | Ty::Thread(t) | Ty::Task(t) | Ty::Mailbox(t) => {
            contains_error(t)
        }
        Ty::Map(a, b) | Ty::Result(a, b) => contains_error(a) || contains_error(b),
        _ => false,
    }
}

/// A local, or a field or element of one: something with an address.
pub(crate) fn is_place(e: &ir::Expr) -> bool {
    match &e.kind {
        IrK::Local { .. } | IrK::Const(_) => true,
        IrK::Field { base, .. } | IrK::Index { base, .. } => is_place(base),
        _ => false,
    }
}

fn stmt_diverges(stmt: &ir::Stmt) -> bool {
    match stmt {
        ir::Stmt::Return(_) | ir::Stmt::Break | ir::Stmt::Continue => true,
        ir::Stmt::Expr(e) => e.ty == Ty::Never,
        // A `loop` that nothing breaks out of never ends: it leaves only
        // by `return` (as Rust's `loop` has type `!`).
        ir::Stmt::Loop(body) => !breaks_out(body),
        _ => false,
    }
}

/// Whether a `break` in `block` leaves the loop whose body it is (one in
/// a nested loop leaves that loop instead).
fn breaks_out(block: &ir::Block) -> bool {
    fn in_expr(e: &ir::Expr) -> bool {
        match &e.kind {
            IrK::If {
                branches,
                otherwise,
            } => {
                branches.iter().any(|(c, b)| in_expr(c) || breaks_out(b))
                    || otherwise.as_deref().is_some_and(breaks_out)
            }
            IrK::Match { scrutinee, arms } => {
                in_expr(scrutinee) || arms.iter().any(|(_, body)| in_expr(body))
            }
            IrK::Block(b) => breaks_out(b),
            IrK::WithLock { body, .. } => breaks_out(body),
            IrK::WithEntry {
                key, default, body, ..
            } => in_expr(key) || in_expr(default) || breaks_out(body),
            _ => false,
        }
    }
    block.stmts.iter().any(|stmt| match stmt {
        ir::Stmt::Break => true,
        ir::Stmt::Expr(e) | ir::Stmt::Let { value: e, .. } => in_expr(e),
        ir::Stmt::Return(Some(e)) => in_expr(e),
        _ => false,
    }) || block.tail.as_deref().is_some_and(in_expr)
}
