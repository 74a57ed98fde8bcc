//! Checking function bodies: name resolution of locals, bidirectional type
//! checking (an expected type flows into each expression, so `list_of()`,
//! `None` and `map_of()` get their types from context), the rules of the
//! binding keywords, and exhaustiveness of `match`.

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
}

struct Thread {
    scope_depth: usize,
    captures: Vec<LocalId>,
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
        | (Ty::Thread(a), Ty::Thread(b)) => fits(a, b),
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
        (Ty::Map(x, y), Ty::Map(z, w)) => Ty::Map(Box::new(merge(x, z)), Box::new(merge(y, w))),
        (Ty::Result(x, y), Ty::Result(z, w)) => {
            Ty::Result(Box::new(merge(x, z)), Box::new(merge(y, w)))
        }
        _ => a.clone(),
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
                        format!("({text}).to_f64()"),
                        Applicability::MachineApplicable,
                    );
                }
            }
            (Ty::I64, Ty::F64) => {
                d = d.with_suggestion(
                    "convert it (rounds toward zero)",
                    span,
                    format!("({text}).to_i64()"),
                    Applicability::MaybeIncorrect,
                );
            }
            (Ty::Str, Ty::I64 | Ty::F64 | Ty::Bool) => {
                d = d.with_suggestion(
                    "convert it",
                    span,
                    format!("({text}).to_string()"),
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
                let what = match origin {
                    Origin::Param(..) => "parameter",
                    _ => "binding",
                };
                self.c.found.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNUSED_BINDING,
                        local.span,
                        format!("{what} `{}` is never used", local.name),
                    )
                    .with_suggestion(
                        "if this is intentional, prefix it with an underscore",
                        local.span,
                        format!("_{}", local.name),
                        // A binding that is assigned later is named there
                        // too: renaming the declaration alone would break it.
                        if local.mutated {
                            Applicability::MaybeIncorrect
                        } else {
                            Applicability::MachineApplicable
                        },
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
                    .with_help(format!(
                        "annotate it, for example `{}: list<i64>`",
                        local.name
                    )),
                );
            }
        }
    }

    // ---------------------------------------------------------------- blocks

    fn check_block(&mut self, block: &ast::Block, expected: Option<&Ty>) -> (ir::Block, Ty) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            // A change in the statement around this block (an `if`
            // condition, a `match` scrutinee) happens before the block runs.
            self.date_pending_changes();
            self.scopes.open();
            let mut stmts = Vec::with_capacity(block.stmts.len());
            let mut diverges = false;
            let mut warned_unreachable = false;
            for stmt in &block.stmts {
                if diverges && !warned_unreachable {
                    warned_unreachable = true;
                    self.c.found.diagnostics.push(
                        Diagnostic::warning(codes::UNREACHABLE_CODE, stmt.span, "this statement can never run")
                            .with_help("remove it, or move it before the `return`, `break` or `continue` above"),
                    );
                }
                let checked = self.check_stmt(stmt);
                if let Some(s) = checked {
                    if stmt_diverges(&s) {
                        diverges = true;
                    }
                    if !warned_unreachable {
                        stmts.push(s);
                    }
                }
            }
            let (tail, ty) = match &block.tail {
                Some(tail) => {
                    let checked = self.check_expr(tail, expected);
                    let ty = checked.ty.clone();
                    if warned_unreachable {
                        (None, Ty::Never)
                    } else {
                        (Some(Box::new(checked)), ty)
                    }
                }
                None if diverges => (None, Ty::Never),
                None => (None, Ty::Unit),
            };
            self.scopes.close();
            (ir::Block { stmts, tail }, ty)
        })
    }

    fn check_stmt(&mut self, stmt: &ast::Stmt) -> Option<ir::Stmt> {
        let checked = self.check_stmt_kind(stmt);
        self.date_pending_changes();
        checked
    }

    /// Dates the changes seen since the last statement or block began.
    fn date_pending_changes(&mut self) {
        self.cow.clock += 1;
        let clock = self.cow.clock;
        let pending = std::mem::take(&mut self.cow.pending);
        self.cow
            .changes
            .extend(pending.into_iter().map(|(id, span)| (id, clock, span)));
    }

    fn check_stmt_kind(&mut self, stmt: &ast::Stmt) -> Option<ir::Stmt> {
        Some(match &stmt.kind {
            ast::StmtKind::Error => return None,
            ast::StmtKind::Let {
                kind,
                keyword_span,
                name,
                ty,
                value,
            } => {
                let annotated = ty.as_ref().map(|t| self.c.resolve_type(self.module, t));
                let checked = self.check_value(value, annotated.as_ref());
                if let Some(a) = &annotated {
                    self.expect_type(&checked, a);
                }
                let local_ty = match &annotated {
                    Some(a) => merge(a, &checked.ty),
                    None => checked.ty.clone(),
                };
                if matches!(local_ty, Ty::Unit) {
                    self.c.error(Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        value.span,
                        "this expression has no value to bind",
                    ));
                }
                if matches!(local_ty, Ty::Range) {
                    self.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            value.span,
                            "a range can only be iterated by `for`",
                        )
                        .with_help("write the range in the `for` loop itself"),
                    );
                }
                let repr = match kind {
                    BindingKind::Var | BindingKind::MutVar => Repr::Value,
                    BindingKind::CowVar => {
                        if local_ty.is_copy() {
                            self.c.error(
                                Diagnostic::error(codes::MISMATCHED_TYPES, *keyword_span, format!("`let_cow_var` cannot hold a `{}`", self.show(&local_ty)))
                                    .with_note("`i64`, `f64` and `bool` are copied, so borrowing them saves nothing")
                                    .with_suggestion("use `let_mut_var`", *keyword_span, "let_mut_var", Applicability::MachineApplicable),
                            );
                        }
                        Repr::Cow
                    }
                    BindingKind::SharedVar => Repr::Arc,
                    BindingKind::MutSharedVar => Repr::ArcMutex,
                };
                let value_is_broken = matches!(checked.kind, IrK::Error) && checked.ty == Ty::Error;
                let local = self.declare(
                    name,
                    local_ty,
                    repr,
                    *kind == BindingKind::MutVar || *kind == BindingKind::CowVar,
                    Origin::Let(*kind, *keyword_span),
                );
                if value_is_broken {
                    // Its value was reported as broken; "never used" would add nothing.
                    self.locals[local].used = true;
                }
                if *kind == BindingKind::CowVar && is_place(&checked) {
                    if let Some(source) = Self::root_local(&checked) {
                        self.cow.borrows.push((local, source, self.cow.clock));
                    }
                }
                ir::Stmt::Let {
                    local,
                    value: checked,
                    span: stmt.span,
                }
            }
            ast::StmtKind::Assign {
                target,
                op,
                op_span,
                value,
            } => {
                let target_ir = self.check_place(target);
                let op = match op {
                    ast::AssignOp::Set => None,
                    ast::AssignOp::Update(op) => Some(*op),
                };
                // `x += v` reads `x` as well as writing it.
                if let (Some(_), IrK::Local { id, .. }) = (op, &target_ir.kind) {
                    self.note_use(*id);
                }
                let expected = target_ir.ty.clone();
                let value_ir = self.check_value(value, Some(&expected));
                if let Some(op) = op {
                    if !matches!(expected, Ty::I64 | Ty::F64 | Ty::Error) {
                        self.c.error(Diagnostic::error(
                            codes::INVALID_OPERATOR,
                            *op_span,
                            format!(
                                "`{}=` cannot be applied to `{}`",
                                op.as_str(),
                                self.show(&expected)
                            ),
                        ));
                    }
                }
                self.expect_type(&value_ir, &expected);
                self.refine(&target_ir, &value_ir.ty);
                ir::Stmt::Assign {
                    target: Box::new(target_ir),
                    op,
                    value: Box::new(value_ir),
                }
            }
            ast::StmtKind::Expr { expr: e, semicolon } => {
                let checked = self.check_expr(e, None);
                if !semicolon && !matches!(checked.ty, Ty::Unit | Ty::Never | Ty::Error) {
                    let ty = self.show(&checked.ty);
                    self.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            e.span,
                            format!("this `{ty}` value is not used"),
                        )
                        .with_help(
                            "bind it with `let_var`, or end the statement with `;` to discard it",
                        ),
                    );
                }
                ir::Stmt::Expr(checked)
            }
            ast::StmtKind::Return(value) => {
                let expected = self.returns.clone();
                if !self.threads.is_empty() {
                    if let Some(v) = value {
                        self.check_expr(v, None);
                    }
                    self.c.error(
                        Diagnostic::error(
                            codes::OUTSIDE_LOOP,
                            stmt.span,
                            "`return` inside `spawn_thread` is not allowed",
                        )
                        .with_help("end the thread's block with its value instead"),
                    );
                    return None;
                }
                let value = match value {
                    Some(v) => {
                        let checked = self.check_value(v, Some(&expected));
                        if expected == Ty::Unit {
                            self.c.error(Diagnostic::error(
                                codes::MISMATCHED_TYPES,
                                v.span,
                                "this function returns nothing, so `return` takes no value",
                            ));
                        } else {
                            self.expect_type(&checked, &expected);
                        }
                        Some(checked)
                    }
                    None => {
                        if !matches!(expected, Ty::Unit | Ty::Error) {
                            self.c.error(Diagnostic::error(
                                codes::MISMATCHED_TYPES,
                                stmt.span,
                                format!(
                                    "`return` needs a value of type `{}`",
                                    self.show(&expected)
                                ),
                            ));
                        }
                        None
                    }
                };
                ir::Stmt::Return(value)
            }
            ast::StmtKind::Break | ast::StmtKind::Continue => {
                if self.loop_depth == 0 {
                    let word = if matches!(stmt.kind, ast::StmtKind::Break) {
                        "break"
                    } else {
                        "continue"
                    };
                    self.c.error(Diagnostic::error(
                        codes::OUTSIDE_LOOP,
                        stmt.span,
                        format!("`{word}` outside of a loop"),
                    ));
                    return None;
                }
                if matches!(stmt.kind, ast::StmtKind::Break) {
                    ir::Stmt::Break
                } else {
                    ir::Stmt::Continue
                }
            }
            ast::StmtKind::While { condition, body } => {
                let condition = self.check_condition(condition);
                self.loop_depth += 1;
                let (body, _) = self.check_unit_block(body);
                self.loop_depth -= 1;
                ir::Stmt::While {
                    condition: Box::new(condition),
                    body,
                }
            }
            ast::StmtKind::Loop(body) => {
                self.loop_depth += 1;
                let (body, _) = self.check_unit_block(body);
                self.loop_depth -= 1;
                ir::Stmt::Loop(body)
            }
            ast::StmtKind::RustWhileLet {
                let_span,
                pattern,
                value,
                body,
            } => {
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        stmt.span.shrink_to_start().to(*let_span),
                        "`while let` is Rust; Parseltongue uses `loop` with `match`",
                    )
                    .with_label("Rust pattern loop")
                    .with_help(
                        "write `loop { match value { Pattern => { … }, _ => { break; } } }`",
                    ),
                );
                let scrutinee = self.check_expr(value, None);
                let borrowed = binds_by_reference(&scrutinee);
                self.scopes.open();
                let pattern = self.check_pattern(pattern, &scrutinee.ty, borrowed, true);
                self.loop_depth += 1;
                let (block, _) = self.check_unit_block(body);
                self.loop_depth -= 1;
                self.scopes.close();
                let arms = vec![
                    (pattern, expr(IrK::Block(block), Ty::Unit, stmt.span)),
                    (
                        ir::Pattern::Wildcard,
                        expr(
                            IrK::Block(ir::Block {
                                stmts: vec![ir::Stmt::Break],
                                tail: None,
                            }),
                            Ty::Unit,
                            stmt.span,
                        ),
                    ),
                ];
                let body = ir::Block {
                    stmts: vec![ir::Stmt::Expr(expr(
                        IrK::Match {
                            scrutinee: Box::new(scrutinee),
                            arms,
                        },
                        Ty::Unit,
                        stmt.span,
                    ))],
                    tail: None,
                };
                ir::Stmt::Loop(body)
            }
            ast::StmtKind::For {
                binding,
                iterable,
                body,
            } => self.check_for(binding, iterable, body),
        })
    }

    fn check_unit_block(&mut self, block: &ast::Block) -> (ir::Block, Ty) {
        let (b, ty) = self.check_block(block, Some(&Ty::Unit));
        if !matches!(ty, Ty::Unit | Ty::Never | Ty::Error) {
            if let Some(tail) = &block.tail {
                self.c.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        tail.span,
                        format!(
                            "this block must not produce a value, but this is `{}`",
                            self.show(&ty)
                        ),
                    )
                    .with_suggestion(
                        "end it with `;`",
                        tail.span.shrink_to_end(),
                        ";",
                        Applicability::MaybeIncorrect,
                    ),
                );
            }
        }
        (b, ty)
    }

    fn check_condition(&mut self, condition: &ast::Expr) -> ir::Expr {
        let checked = self.check_expr(condition, Some(&Ty::Bool));
        if !fits(&checked.ty, &Ty::Bool) {
            let ty = self.show(&checked.ty);
            self.c.error(
                Diagnostic::error(codes::MISMATCHED_TYPES, condition.span, format!("a condition must be `bool`, found `{ty}`"))
                    .with_note("there is no truthiness: compare explicitly, e.g. `count > 0` or `name.is_empty()`"),
            );
        }
        checked
    }

    fn check_for(
        &mut self,
        binding: &ast::Ident,
        iterable: &ast::Expr,
        body: &ast::Block,
    ) -> ir::Stmt {
        let iter = self.check_expr(iterable, None);
        let (item_ty, repr) = match &iter.ty {
            Ty::Range => (Ty::I64, Repr::Value),
            Ty::List(t) => {
                let owned_temp = !is_place(&iter);
                let consume = matches!(**t, Ty::Thread(_));
                if consume {
                    match iter.kind {
                        IrK::Local { id, .. } if self.locals[id].repr == Repr::Value => {
                            self.consumed[id] = Some(iterable.span);
                        }
                        _ if is_place(&iter) => {
                            self.c.error(
                                Diagnostic::error(
                                    codes::CONSUMED_BORROW,
                                    iterable.span,
                                    "a `for` loop over threads takes the threads, but this list is only borrowed",
                                )
                                .with_note("joining a thread consumes it, so the loop needs a list it owns")
                                .with_help("take the parameter as `owned`"),
                            );
                        }
                        _ => {}
                    }
                }
                // Splitting a string or walking a map's keys or values is
                // iterated lazily, item by item, as borrowed views.
                let lazy = matches!(
                    iter.kind,
                    IrK::Builtin {
                        builtin: Builtin::Method(
                            ir::BuiltinMethod::Split
                                | ir::BuiltinMethod::Lines
                                | ir::BuiltinMethod::Keys
                                | ir::BuiltinMethod::Values
                        ),
                        ..
                    }
                );
                let repr = if t.is_copy() || ((owned_temp || consume) && !lazy) {
                    Repr::Value
                } else {
                    Repr::Ref
                };
                ((**t).clone(), repr)
            }
            Ty::Map(..) => {
                let text = &self.c.sources.get(iterable.span.file).text[iterable.span.range()];
                self.c.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        iterable.span,
                        "a map is iterated through its keys or values",
                    )
                    .with_suggestion(
                        "iterate over the keys, in order",
                        iterable.span,
                        format!("{text}.keys()"),
                        Applicability::MaybeIncorrect,
                    ),
                );
                (Ty::Error, Repr::Value)
            }
            Ty::Error => (Ty::Error, Repr::Value),
            other => {
                let shown = self.show(other);
                self.c.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        iterable.span,
                        format!("`{shown}` cannot be iterated"),
                    )
                    .with_note("`for` iterates over a `list<T>` or a `range(start, end)`"),
                );
                (Ty::Error, Repr::Value)
            }
        };
        self.scopes.open();
        let local = self.declare(binding, item_ty, repr, false, Origin::LoopItem);
        self.loop_depth += 1;
        let (block, _) = self.check_unit_block(body);
        self.loop_depth -= 1;
        self.scopes.close();
        ir::Stmt::For {
            local,
            iterable: Box::new(iter),
            body: block,
        }
    }

    // ----------------------------------------------------------- expressions

    /// Checks an expression whose value is stored (bound, returned, passed
    /// owned): a consumed thread handle cannot be copied.
    fn check_value(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> ir::Expr {
        let checked = self.check_expr(e, expected);
        if let (Ty::Thread(_), IrK::Local { id, .. }) = (&checked.ty, &checked.kind) {
            self.consumed[*id] = Some(e.span);
        }
        checked
    }

    fn note_use(&mut self, id: LocalId) {
        self.cow.clock += 1;
        if self.locals[id].repr == Repr::Cow {
            let at = self.locals[id].span;
            self.cow.reads.push((id, self.cow.clock, at));
        }
        self.locals[id].used = true;
    }

    pub(super) fn check_expr(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> ir::Expr {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.check_expr_inner(e, expected)
        })
    }

    #[allow(clippy::too_many_lines)]
    fn check_expr_inner(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> ir::Expr {
        let span = e.span;
        match &e.kind {
            K::Error => error_expr(span),
            K::Int(v) => self.int_literal(*v, false, span, expected),
            K::Float(v) => {
                if !v.is_finite() {
                    self.c.error(
                        Diagnostic::error(
                            codes::INVALID_LITERAL,
                            span,
                            "float literal is out of range for `f64`",
                        )
                        .with_note(format!("`f64` holds magnitudes up to about {:e}", f64::MAX)),
                    );
                    return error_expr(span);
                }
                expr(IrK::Float(*v), Ty::F64, span)
            }
            K::Str(s) => expr(IrK::Str(s.clone()), Ty::Str, span),
            K::Bool(b) => expr(IrK::Bool(*b), Ty::Bool, span),
            K::Paren(inner) => {
                let mut checked = self.check_expr(inner, expected);
                checked.span = span;
                checked
            }
            K::SelfValue => match self.lookup_local("self") {
                Some((id, _)) => {
                    self.note_use(id);
                    expr(
                        IrK::Local { id, moved: false },
                        self.locals[id].ty.clone(),
                        span,
                    )
                }
                None => {
                    self.c.error(Diagnostic::error(
                        codes::INVALID_SELF,
                        span,
                        "`self` is only available in methods that take `self`",
                    ));
                    error_expr(span)
                }
            },
            K::Path(path) => self.check_path(path, span, expected),
            K::Call { callee, args } => self.check_call(callee, args, span, expected),
            K::Builtin { keyword, args, .. } => self.check_builtin(*keyword, args, span, expected),
            K::MethodCall {
                receiver,
                method,
                args,
            } => self.check_method_call(receiver, method, args, span),
            K::Field { base, field } => {
                let base_ir = self.check_expr(base, None);
                self.field_access(base_ir, field, span)
            }
            K::Index { base, index } => {
                let base_ir = self.check_expr(base, None);
                let index_ir = self.check_expr(index, Some(&Ty::I64));
                match &base_ir.ty {
                    Ty::List(t) => {
                        self.expect_type(&index_ir, &Ty::I64);
                        if let IrK::Int(v) = index_ir.kind {
                            if v < 0 {
                                self.c.error(
                                    Diagnostic::error(codes::INVALID_OPERATOR, index.span, "a list index cannot be negative")
                                        .with_note("positions start at 0; `xs[-1]` would always stop the program")
                                        .with_help("use `xs.last()` for the last element, or `xs.get(i)` for an index that may be out of range"),
                                );
                            }
                        }
                        let t = (**t).clone();
                        expr(
                            IrK::Index {
                                base: Box::new(base_ir),
                                index: Box::new(index_ir),
                            },
                            t,
                            span,
                        )
                    }
                    Ty::Map(..) => {
                        let base_text = self.text(base.span);
                        let index_text = self.text(index.span);
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_OPERATOR,
                                span,
                                "maps are not indexed with `[…]`",
                            )
                            .with_note("a key may be missing, so lookups return an `option`")
                            .with_suggestion(
                                "look the key up with `get`",
                                span,
                                format!("{base_text}.get({index_text})"),
                                Applicability::MachineApplicable,
                            ),
                        );
                        error_expr(span)
                    }
                    Ty::Error => error_expr(span),
                    other => {
                        let shown = self.show(other);
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_OPERATOR,
                                span,
                                format!("`{shown}` cannot be indexed"),
                            )
                            .with_note("only lists are indexed with `[…]`"),
                        );
                        error_expr(span)
                    }
                }
            }
            K::RecordLiteral { path, fields } => self.check_record_literal(path, fields, span),
            K::Unary { op, operand } => {
                if let (UnaryOp::Negate, K::Int(v)) = (op, &operand.kind) {
                    return self.int_literal(*v, true, span, expected);
                }
                let inner = self.check_expr(operand, expected);
                let ok = match op {
                    UnaryOp::Negate => matches!(inner.ty, Ty::I64 | Ty::F64 | Ty::Error),
                    UnaryOp::Not => matches!(inner.ty, Ty::Bool | Ty::Error),
                };
                if !ok {
                    let sym = if *op == UnaryOp::Negate { "-" } else { "!" };
                    let shown = self.show(&inner.ty);
                    self.c.error(Diagnostic::error(
                        codes::INVALID_OPERATOR,
                        span,
                        format!("`{sym}` cannot be applied to `{shown}`"),
                    ));
                    return error_expr(span);
                }
                let ty = inner.ty.clone();
                expr(
                    IrK::Unary {
                        op: *op,
                        operand: Box::new(inner),
                    },
                    ty,
                    span,
                )
            }
            K::Binary { first, rest } => self.check_binary(first, rest, span, expected),
            K::Propagate(inner) => self.check_propagate(inner, span, expected),
            K::RustIfLet {
                let_span,
                pattern,
                value,
                then,
                otherwise,
            } => {
                let construct_span = span.shrink_to_start().to(*let_span);
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        construct_span,
                        "`if let` is Rust; Parseltongue uses `match`",
                    )
                    .with_label("Rust pattern binding")
                    .with_help("write `match value { Pattern => { … }, _ => { … } }`"),
                );
                let scrutinee = self.check_expr(value, None);
                let borrowed = binds_by_reference(&scrutinee);
                self.scopes.open();
                let pattern = self.check_pattern(pattern, &scrutinee.ty, borrowed, true);
                let (then_block, then_ty) = self.check_block(then, expected);
                self.scopes.close();
                let else_block = otherwise.as_ref().map(|b| self.check_block(b, expected));
                let ty = match &else_block {
                    Some((_, t)) => self.join_branch(Some(then_ty), t, span),
                    None => Ty::Unit,
                };
                let else_expr = match else_block {
                    Some((b, t)) => expr(IrK::Block(b), t, span),
                    None => expr(
                        IrK::Block(ir::Block {
                            stmts: vec![],
                            tail: None,
                        }),
                        Ty::Unit,
                        span,
                    ),
                };
                let arms = vec![
                    (pattern, expr(IrK::Block(then_block), ty.clone(), span)),
                    (ir::Pattern::Wildcard, else_expr),
                ];
                expr(
                    IrK::Match {
                        scrutinee: Box::new(scrutinee),
                        arms,
                    },
                    ty,
                    span,
                )
            }
            K::Unreadable(operands) => {
                for operand in operands {
                    self.check_expr(operand, None);
                }
                error_expr(span)
            }
            K::RustTry(inner) => {
                let operand = self.text(inner.span);
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        Span {
                            start: inner.span.end,
                            ..span
                        },
                        "`?` is Rust; Parseltongue writes `propagate` before the value",
                    )
                    .with_label("Rust's error propagation")
                    .with_suggestion(
                        format!("write `propagate {operand}`"),
                        span,
                        format!("propagate {operand}"),
                        Applicability::MachineApplicable,
                    ),
                );
                self.check_propagate(inner, span, expected)
            }
            K::If {
                branches,
                otherwise,
            } => {
                let mut ir_branches = Vec::new();
                let mut result_ty: Option<Ty> = None;
                let want = if otherwise.is_some() {
                    expected.cloned()
                } else {
                    Some(Ty::Unit)
                };
                for (condition, block) in branches {
                    let c = self.check_condition(condition);
                    let (b, ty) = match &want {
                        Some(Ty::Unit) => self.check_unit_block(block),
                        w => self.check_block(block, w.as_ref()),
                    };
                    result_ty = Some(self.join_branch(
                        result_ty,
                        &ty,
                        block.tail.as_ref().map_or(block.span, |t| t.span),
                    ));
                    ir_branches.push((c, b));
                }
                let otherwise_ir = otherwise.as_ref().map(|block| {
                    let (b, ty) = self.check_block(block, want.as_ref());
                    result_ty = Some(self.join_branch(
                        result_ty.clone(),
                        &ty,
                        block.tail.as_ref().map_or(block.span, |t| t.span),
                    ));
                    b
                });
                let ty = if otherwise.is_some() {
                    result_ty.unwrap_or(Ty::Unit)
                } else {
                    Ty::Unit
                };
                expr(
                    IrK::If {
                        branches: ir_branches,
                        otherwise: otherwise_ir.map(Box::new),
                    },
                    ty,
                    span,
                )
            }
            K::Match { scrutinee, arms } => self.check_match(scrutinee, arms, span, expected),
            K::Block(block) => {
                let (b, ty) = self.check_block(block, expected);
                expr(IrK::Block(b), ty, span)
            }
            K::WithLock {
                shared,
                guard,
                body,
            } => self.check_with_lock(shared, guard, body, span, expected),
            K::SpawnThread(block) => {
                self.threads.push(Thread {
                    scope_depth: self.scopes.depth(),
                    captures: Vec::new(),
                });
                let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
                let inner_expected = match expected {
                    Some(Ty::Thread(t)) => Some((**t).clone()),
                    _ => None,
                };
                let errors_before = self.c.found.diagnostics.error_count();
                let (b, ty) = self.check_block(block, inner_expected.as_ref());
                let body_had_errors = self.c.found.diagnostics.error_count() > errors_before;
                self.loop_depth = saved_loop;
                let thread = self.threads.pop().map(|t| t.captures).unwrap_or_default();
                // A broken body's unit type says nothing; keep it quiet.
                let ty = match ty {
                    Ty::Unit | Ty::Never if body_had_errors => Ty::Error,
                    Ty::Never => Ty::Unit,
                    other => other,
                };
                expr(
                    IrK::SpawnThread {
                        captures: thread,
                        body: Box::new(b),
                    },
                    Ty::Thread(Box::new(ty)),
                    span,
                )
            }
            K::RustCast { value, ty } => {
                let inner = self.check_expr(value, None);
                let target = self.c.resolve_type(self.module, ty);
                let method = match (&inner.ty, &target) {
                    (Ty::I64, Ty::F64) => Some("to_f64"),
                    (Ty::F64, Ty::I64) => Some("to_i64"),
                    _ => None,
                };
                let mut d = Diagnostic::error(
                    codes::RUST_SPELLING,
                    span.shrink_to_end().to(ty.span).to(Span {
                        start: value.span.end,
                        ..span
                    }),
                    "`as` conversions are Rust; Parseltongue converts with a method",
                );
                if let Some(method) = method {
                    let text = self.text(value.span);
                    d = d.with_suggestion(
                        format!("call `.{method}()`"),
                        span,
                        format!("{text}.{method}()"),
                        Applicability::MachineApplicable,
                    );
                } else {
                    d = d.with_note("conversions are `.to_f64()`, `.to_i64()` and `.to_string()`");
                }
                self.c.error(d);
                expr(IrK::Error, target, span)
            }
            K::RustRange {
                start,
                end,
                inclusive,
            } => {
                let s = self.check_expr(start, Some(&Ty::I64));
                let en = self.check_expr(end, Some(&Ty::I64));
                let keyword = if *inclusive {
                    "range_inclusive"
                } else {
                    "range"
                };
                let replacement = format!(
                    "{keyword}({}, {})",
                    self.text(start.span),
                    self.text(end.span)
                );
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        span,
                        format!(
                            "`{}` ranges are Rust; Parseltongue writes `{keyword}(start, end)`",
                            if *inclusive { "..=" } else { ".." }
                        ),
                    )
                    .with_suggestion(
                        format!("write `{replacement}`"),
                        span,
                        replacement.clone(),
                        Applicability::MachineApplicable,
                    ),
                );
                self.expect_type(&s, &Ty::I64);
                self.expect_type(&en, &Ty::I64);
                let builtin = if *inclusive {
                    Builtin::RangeInclusive
                } else {
                    Builtin::Range
                };
                expr(
                    IrK::Builtin {
                        builtin,
                        args: vec![s, en],
                    },
                    Ty::Range,
                    span,
                )
            }
        }
    }

    fn text(&self, span: Span) -> String {
        self.c.sources.get(span.file).text[span.range()].to_string()
    }

    fn join_branch(&mut self, so_far: Option<Ty>, next: &Ty, span: Span) -> Ty {
        match so_far {
            None => next.clone(),
            Some(prev) => {
                if fits(next, &prev) {
                    merge(&prev, next)
                } else if fits(&prev, next) {
                    merge(next, &prev)
                } else {
                    self.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            span,
                            format!(
                                "the branches have different types: `{}` and `{}`",
                                self.show(&prev),
                                self.show(next)
                            ),
                        )
                        .with_label(format!("this is `{}`", self.show(next))),
                    );
                    Ty::Error
                }
            }
        }
    }

    fn int_literal(
        &mut self,
        magnitude: u64,
        negative: bool,
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let limit = if negative {
            i64::MAX.unsigned_abs() + 1
        } else {
            i64::MAX.unsigned_abs()
        };
        if magnitude > limit {
            self.c.error(
                Diagnostic::error(
                    codes::INVALID_LITERAL,
                    span,
                    "integer literal is out of range for `i64`",
                )
                .with_note(format!("`i64` holds {} to {}", i64::MIN, i64::MAX)),
            );
            return error_expr(span);
        }
        let value = if negative {
            0i64.wrapping_sub_unsigned(magnitude)
        } else {
            magnitude as i64
        };
        if let Some(Ty::F64) = expected {
            let text = self.text(span);
            self.c.error(
                Diagnostic::error(codes::MISMATCHED_TYPES, span, "expected `f64`, found `i64`")
                    .with_label("this is an integer literal")
                    .with_note("there are no implicit conversions between `i64` and `f64`")
                    .with_suggestion(
                        "write a float literal",
                        span,
                        format!("{text}.0"),
                        Applicability::MachineApplicable,
                    ),
            );
            return expr(IrK::Float(value as f64), Ty::F64, span);
        }
        expr(IrK::Int(value), Ty::I64, span)
    }

    fn use_local(&mut self, id: LocalId, depth: usize, span: Span) -> ir::Expr {
        self.note_use(id);
        if let Some(function) = self.function {
            self.c.refer(
                span,
                ir::Target::Local {
                    function,
                    local: id,
                },
            );
        }
        if self.locals[id].repr == Repr::Cow {
            if let Some(read) = self.cow.reads.last_mut() {
                read.2 = span;
            }
        }
        if let Some(consumed_at) = self.consumed[id] {
            let name = self.locals[id].name.clone();
            self.c.error(
                Diagnostic::error(
                    codes::CONSUMED_BORROW,
                    span,
                    format!("`{name}` was consumed and cannot be used again"),
                )
                .with_secondary(consumed_at, "consumed here"),
            );
        }
        // Inside a thread, a local from outside is captured.
        if let Some(thread) = self.threads.last_mut() {
            if depth < thread.scope_depth {
                let local = &self.locals[id];
                match local.repr {
                    Repr::Arc | Repr::ArcMutex => {
                        if !thread.captures.contains(&id) {
                            thread.captures.push(id);
                        }
                    }
                    _ if local.ty.is_copy() => {}
                    _ => {
                        let name = local.name.clone();
                        let declared = local.span;
                        self.c.error(
                            Diagnostic::error(codes::THREAD_CAPTURE, span, format!("`{name}` cannot be used inside `spawn_thread`"))
                                .with_secondary(declared, "declared here")
                                .with_note("a thread may outlive the function that started it, so it can only use shared values")
                                .with_help(format!("declare `{name}` with `let_shared_var` (read-only) or `let_mut_shared_var` (locked)")),
                        );
                        return error_expr(span);
                    }
                }
            }
        }
        let local = &self.locals[id];
        if local.repr == Repr::ArcMutex {
            let name = local.name.clone();
            self.c.error(
                Diagnostic::error(
                    codes::LOCK_REQUIRED,
                    span,
                    format!("`{name}` is a `let_mut_shared_var` and must be locked to be used"),
                )
                .with_help(format!("use it inside `with_lock {name} as value {{ … }}`")),
            );
            return expr(IrK::Local { id, moved: false }, Ty::Error, span);
        }
        expr(IrK::Local { id, moved: false }, local.ty.clone(), span)
    }

    fn check_path(&mut self, path: &[ast::Ident], span: Span, expected: Option<&Ty>) -> ir::Expr {
        if let [name] = path {
            if let Some((id, depth)) = self.lookup_local(&name.name) {
                return self.use_local(id, depth, span);
            }
            if name.name == "None" {
                let ty = match expected {
                    Some(t @ Ty::Option(_)) => t.clone(),
                    _ => Ty::Option(Box::new(Ty::Unknown)),
                };
                return expr(
                    IrK::Builtin {
                        builtin: Builtin::None,
                        args: vec![],
                    },
                    ty,
                    span,
                );
            }
        }
        if let Some(result) = self.try_variant(path, &[], span, true) {
            return result;
        }
        match self.c.lookup_item(self.module, path) {
            Ok(Def::Const(id)) => {
                self.c.mark_used(Def::Const(id));
                let ty = self.c.tables.program.constants[id].ty.clone();
                expr(IrK::Const(id), ty, span)
            }
            Ok(Def::Function(id)) => {
                self.c.mark_used(Def::Function(id));
                let name = path[path.len() - 1].name.clone();
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_A_VALUE,
                        span,
                        format!("function `{name}` is used as a value"),
                    )
                    .with_note("functions can only be called")
                    .with_suggestion(
                        "call it",
                        span.shrink_to_end(),
                        "()",
                        Applicability::HasPlaceholders,
                    ),
                );
                error_expr(span)
            }
            Ok(Def::Type(_)) => {
                let name = path[path.len() - 1].name.clone();
                self.c.error(Diagnostic::error(codes::NOT_A_VALUE, span, format!("type `{name}` is used as a value")).with_help(format!("build a value with `{name} {{ field: value }}` or a variant `{name}::Variant`")));
                error_expr(span)
            }
            Err(d) => {
                let mut d = *d;
                if path.len() == 1 {
                    let best = suggest::closest(
                        &path[0].name,
                        self.scopes
                            .all()
                            .iter()
                            .map(|&id| self.locals[id].name.as_str()),
                    )
                    .map(SmolStr::from);
                    if let Some(best) = best {
                        // The writer most likely meant that binding: count it
                        // as used so the typo is the only report.
                        if let Some((id, _)) = self.lookup_local(&best) {
                            self.note_use(id);
                        }
                        d.helps.clear();
                        d = d.with_suggestion(
                            format!("a binding with a similar name exists: `{best}`"),
                            path[0].span,
                            best.as_str(),
                            Applicability::MaybeIncorrect,
                        );
                    }
                }
                self.c.error(d);
                error_expr(span)
            }
        }
    }

    /// Resolves `Enum::Variant` (or `module::Enum::Variant`); `None` if the
    /// path does not name an enum.
    fn try_variant(
        &mut self,
        path: &[ast::Ident],
        args: &[ast::Expr],
        span: Span,
        bare: bool,
    ) -> Option<ir::Expr> {
        if path.len() < 2 || path.len() > 3 {
            return None;
        }
        let type_path = &path[..path.len() - 1];
        let variant = &path[path.len() - 1];
        let id = self.lookup_type_quiet(type_path)?;
        let TypeDefKind::Enum(variants) = &self.c.tables.program.types[id].kind else {
            return None;
        };
        let variants = variants.clone();
        let Some(index) = variants.iter().position(|(n, _)| *n == variant.name) else {
            if self
                .c
                .tables
                .methods
                .get(&id)
                .is_some_and(|m| m.contains_key(variant.name.as_str()))
            {
                return None;
            }
            let names = variants.iter().map(|(n, _)| n.as_str());
            let mut d = Diagnostic::error(
                codes::UNKNOWN_VARIANT,
                variant.span,
                format!(
                    "enum `{}` has no variant `{}`",
                    self.c.tables.program.types[id].name, variant.name
                ),
            );
            d = suggest::did_you_mean(d, variant, names);
            d = d.with_note(format!(
                "its variants are {}",
                variants
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            self.c.error(d);
            return Some(error_expr(span));
        };
        self.c.mark_used(Def::Type(id));
        self.c.refer(variant.span, ir::Target::Variant(id, index));
        let payload = &variants[index].1;
        if bare && !payload.is_empty() {
            self.c.error(
                Diagnostic::error(
                    codes::WRONG_ARGUMENT_COUNT,
                    span,
                    format!(
                        "variant `{}` carries {}",
                        variant.name,
                        count(payload.len(), "value")
                    ),
                )
                .with_help(format!("write `{}(…)`", self.text(span))),
            );
            return Some(error_expr(span));
        }
        if !bare && payload.len() != args.len() {
            self.c.error(Diagnostic::error(
                codes::WRONG_ARGUMENT_COUNT,
                span,
                format!(
                    "variant `{}` carries {} but {} {} given",
                    variant.name,
                    count(payload.len(), "value"),
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
            ));
        }
        let args_ir = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let want = payload.get(i).cloned();
                let checked = self.check_value(a, want.as_ref());
                if let Some(w) = &want {
                    self.expect_type(&checked, w);
                }
                checked
            })
            .collect();
        Some(expr(
            IrK::Variant {
                ty: id,
                index,
                args: args_ir,
            },
            Ty::Named(id),
            span,
        ))
    }

    fn lookup_type_quiet(&mut self, path: &[ast::Ident]) -> Option<ir::TypeId> {
        let scope = &self.c.tables.scopes[self.module];
        match path {
            [name] => match scope.names.get(name.name.as_str()) {
                Some((Def::Type(id), _)) => {
                    let id = *id;
                    self.c.refer(name.span, ir::Target::Type(id));
                    Some(id)
                }
                _ => None,
            },
            [module, name] => {
                let (target, _) = *scope.imports.get(module.name.as_str())?;
                match self.c.tables.scopes[target].names.get(name.name.as_str()) {
                    Some((Def::Type(id), _)) => {
                        let id = *id;
                        self.c.found.used_imports.insert((self.module, target));
                        self.c.refer(module.span, ir::Target::Module(target));
                        self.c.refer(name.span, ir::Target::Type(id));
                        Some(id)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn check_args(
        &mut self,
        params: &[ir::Param],
        args: &[ast::Expr],
        span: Span,
        what: &dyn std::fmt::Display,
    ) -> Vec<ir::Expr> {
        let has_broken_argument = args.iter().any(|a| matches!(a.kind, K::Error));
        if params.len() != args.len() && !has_broken_argument {
            let mut d = Diagnostic::error(
                codes::WRONG_ARGUMENT_COUNT,
                span,
                format!(
                    "{what} takes {} argument{} but {} {} given",
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
            );
            let expected: Vec<String> = params
                .iter()
                .map(|p| format!("{}: {}", p.name, self.show(&p.ty)))
                .collect();
            d = d.with_note(format!("expected ({})", expected.join(", ")));
            self.c.error(d);
        }
        args.iter()
            .enumerate()
            .map(|(i, a)| match params.get(i) {
                Some(p) => {
                    let checked = if p.mode == ParamMode::Mutable {
                        let checked = self.check_expr(a, Some(&p.ty));
                        self.require_mutable(&checked, a.span, true);
                        checked
                    } else {
                        self.check_value(a, Some(&p.ty))
                    };
                    self.expect_type(&checked, &p.ty);
                    self.refine(&checked, &p.ty);
                    checked
                }
                None => self.check_expr(a, None),
            })
            .collect()
    }

    /// Reports a value passed to two `mutable` parameters of one call (or
    /// to a `mutable self` method and one of its `mutable` parameters):
    /// PT0309. Places overlap unless they part at two different fields.
    fn check_distinct_mutable(
        &mut self,
        receiver: Option<&ir::Expr>,
        params: &[ir::Param],
        args: &[ir::Expr],
    ) {
        let mut places: Vec<&ir::Expr> = receiver.into_iter().collect();
        places.extend(
            params
                .iter()
                .zip(args)
                .filter(|(p, _)| p.mode == ParamMode::Mutable)
                .map(|(_, a)| a),
        );
        for (i, later) in places.iter().enumerate() {
            let Some(earlier) = places[..i].iter().find(|earlier| overlaps(earlier, later)) else {
                continue;
            };
            let name = Self::root_local(later)
                .map_or_else(String::new, |id| self.locals[id].name.to_string());
            self.c.error(
                Diagnostic::error(
                    codes::MUTABLE_TWICE,
                    later.span,
                    format!("`{name}` is already passed to a `mutable` parameter of this call"),
                )
                .with_label("passed `mutable` again here")
                .with_secondary(earlier.span, "passed `mutable` here first")
                .with_help("pass a copy (`let_mut_var copy = value.clone();`) to one of them"),
            );
        }
    }

    fn check_call(
        &mut self,
        callee: &[ast::Ident],
        args: &[ast::Expr],
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        if let [name] = callee {
            let wrap = |b: Builtin| Some(b);
            let builtin = match name.name.as_str() {
                "Some" => wrap(Builtin::Some),
                "Ok" => wrap(Builtin::Ok),
                "Err" => wrap(Builtin::Err),
                _ => None,
            };
            if let Some(builtin) = builtin {
                if args.len() != 1 {
                    self.c.error(Diagnostic::error(
                        codes::WRONG_ARGUMENT_COUNT,
                        span,
                        format!("`{}` takes exactly one value", name.name),
                    ));
                    return error_expr(span);
                }
                let (want, ty_of): (Option<Ty>, Box<dyn Fn(Ty) -> Ty>) = match (builtin, expected) {
                    (Builtin::Some, Some(Ty::Option(t))) => {
                        (Some((**t).clone()), Box::new(|t| Ty::Option(Box::new(t))))
                    }
                    (Builtin::Some, _) => (None, Box::new(|t| Ty::Option(Box::new(t)))),
                    (Builtin::Ok, Some(Ty::Result(t, e))) => {
                        let e = (**e).clone();
                        (
                            Some((**t).clone()),
                            Box::new(move |t| Ty::Result(Box::new(t), Box::new(e.clone()))),
                        )
                    }
                    (Builtin::Ok, _) => (
                        None,
                        Box::new(|t| Ty::Result(Box::new(t), Box::new(Ty::Unknown))),
                    ),
                    (_, Some(Ty::Result(t, e))) => {
                        let t = (**t).clone();
                        (
                            Some((**e).clone()),
                            Box::new(move |e| Ty::Result(Box::new(t.clone()), Box::new(e))),
                        )
                    }
                    _ => (
                        None,
                        Box::new(|e| Ty::Result(Box::new(Ty::Unknown), Box::new(e))),
                    ),
                };
                let arg = self.check_value(&args[0], want.as_ref());
                if let Some(w) = &want {
                    self.expect_type(&arg, w);
                }
                let ty = ty_of(merge(&arg.ty, want.as_ref().unwrap_or(&Ty::Unknown)));
                return expr(
                    IrK::Builtin {
                        builtin,
                        args: vec![arg],
                    },
                    ty,
                    span,
                );
            }
            if let Some((id, _)) = self.lookup_local(&name.name) {
                self.note_use(id);
                for a in args {
                    self.check_expr(a, None);
                }
                if self.locals[id].ty == Ty::Error {
                    return error_expr(span);
                }
                let ty = self.show(&self.locals[id].ty);
                self.c.error(Diagnostic::error(
                    codes::NOT_A_VALUE,
                    name.span,
                    format!("`{}` is a value of type `{ty}`, not a function", name.name),
                ));
                for a in args {
                    self.check_expr(a, None);
                }
                return error_expr(span);
            }
        }
        if let Some(rust) = self.rust_constructor(callee, args, span) {
            return rust;
        }
        if let Some(variant) = self.try_variant(callee, args, span, false) {
            return variant;
        }
        // `Type::function(…)`: an associated function or method.
        if callee.len() >= 2 {
            if let Some(type_id) = self.lookup_type_quiet(&callee[..callee.len() - 1]) {
                let name = &callee[callee.len() - 1];
                let Some(&function) = self
                    .c
                    .tables
                    .methods
                    .get(&type_id)
                    .and_then(|m| m.get(name.name.as_str()))
                else {
                    let type_name = self.c.tables.program.types[type_id].name.clone();
                    self.c.error(Diagnostic::error(
                        codes::UNKNOWN_METHOD,
                        name.span,
                        format!("`{type_name}` has no function `{}`", name.name),
                    ));
                    return error_expr(span);
                };
                self.c.mark_used(Def::Function(function));
                let tables: &'a Tables = self.c.tables;
                let f = &tables.program.functions[function];
                if let ir::FunctionKind::Method {
                    receiver: Some(_), ..
                } = f.kind
                {
                    self.c.error(
                        Diagnostic::error(
                            codes::NOT_A_VALUE,
                            span,
                            format!("`{}` takes `self`, so it is called on a value", f.name),
                        )
                        .with_help(format!("write `value.{}(…)`", f.name)),
                    );
                    return error_expr(span);
                }
                self.check_visible(f, name.span);
                let args_ir = self.check_args(&f.params, args, span, &format_args!("`{}`", f.name));
                let params = f.params.clone();
                self.check_distinct_mutable(None, &params, &args_ir);
                return expr(
                    IrK::Call {
                        function,
                        args: args_ir,
                    },
                    f.returns.clone(),
                    span,
                );
            }
        }
        match self.c.lookup_item(self.module, callee) {
            Ok(Def::Function(function)) => {
                self.c.mark_used(Def::Function(function));
                let tables: &'a Tables = self.c.tables;
                let f = &tables.program.functions[function];
                if matches!(f.kind, ir::FunctionKind::Test) {
                    self.c.error(Diagnostic::error(
                        codes::NOT_A_VALUE,
                        span,
                        "tests cannot be called",
                    ));
                    return error_expr(span);
                }
                let args_ir = self.check_args(&f.params, args, span, &format_args!("`{}`", f.name));
                let params = f.params.clone();
                self.check_distinct_mutable(None, &params, &args_ir);
                expr(
                    IrK::Call {
                        function,
                        args: args_ir,
                    },
                    f.returns.clone(),
                    span,
                )
            }
            Ok(Def::Type(id)) => {
                let name = self.c.tables.program.types[id].name.clone();
                let mut d = Diagnostic::error(
                    codes::NOT_A_VALUE,
                    span,
                    format!("`{name}` is a type, not a function"),
                );
                if matches!(self.c.tables.program.types[id].kind, TypeDefKind::Record(_)) {
                    d = d.with_help(format!(
                        "build a record with `{name} {{ field: value, … }}`"
                    ));
                }
                self.c.error(d);
                error_expr(span)
            }
            Ok(Def::Const(_)) => {
                self.c.error(Diagnostic::error(
                    codes::NOT_A_VALUE,
                    span,
                    "a constant cannot be called",
                ));
                error_expr(span)
            }
            Err(d) => {
                for a in args {
                    self.check_expr(a, None);
                }
                // The writer probably meant the suggested item: count it as used.
                if let [name] = callee {
                    let names = &self.c.tables.scopes[self.module].names;
                    if let Some(best) =
                        suggest::closest(&name.name, names.keys().map(SmolStr::as_str))
                    {
                        if let Some(&(def, _)) = names.get(best) {
                            self.c.mark_used(def);
                        }
                    }
                }
                self.c.error(d);
                error_expr(span)
            }
        }
    }

    /// `String::from(…)`, `Vec::new()` and friends: Rust constructors that
    /// Parseltongue writes as literals or built-ins.
    fn rust_constructor(
        &mut self,
        callee: &[ast::Ident],
        args: &[ast::Expr],
        span: Span,
    ) -> Option<ir::Expr> {
        let [type_name, function] = callee else {
            return None;
        };
        if self
            .lookup_type_quiet(std::slice::from_ref(type_name))
            .is_some()
        {
            return None;
        }
        let arg_text = |this: &Self| args.first().map(|a| this.text(a.span));
        let (replacement, ty) = match (type_name.name.as_str(), function.name.as_str()) {
            ("String", "from") | ("String", "to_string") => (arg_text(self)?, Ty::Str),
            ("String", "new") => ("\"\"".to_string(), Ty::Str),
            ("Vec", "new" | "with_capacity") => {
                ("list_of()".to_string(), Ty::List(Box::new(Ty::Unknown)))
            }
            ("HashMap" | "BTreeMap", "new") => (
                "map_of()".to_string(),
                Ty::Map(Box::new(Ty::Unknown), Box::new(Ty::Unknown)),
            ),
            _ => return None,
        };
        for a in args {
            self.check_expr(a, None);
        }
        let written = format!("{}::{}", type_name.name, function.name);
        self.c.error(
            Diagnostic::error(
                codes::RUST_SPELLING,
                type_name.span.to(function.span),
                format!("`{written}` is Rust; Parseltongue writes `{replacement}`"),
            )
            .with_label("Rust constructor")
            .with_suggestion(
                format!("write `{replacement}`"),
                span,
                replacement.clone(),
                Applicability::MachineApplicable,
            ),
        );
        Some(expr(IrK::Error, ty, span))
    }

    /// Reports a function used from another module without `public`.
    fn check_visible(&mut self, f: &ir::Function, at: Span) {
        if f.module != self.module && !f.public {
            self.c.error(
                Diagnostic::error(
                    codes::PRIVATE_ITEM,
                    at,
                    format!("`{}` is private to its module", f.name),
                )
                .with_help("mark it `public`"),
            );
        }
    }

    /// `with_lock shared as guard { … }`: the guard is the locked value,
    /// changeable inside the block; the block's value is the expression's.
    fn check_with_lock(
        &mut self,
        shared: &ast::Ident,
        guard: &ast::Ident,
        body: &ast::Block,
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let Some((id, depth)) = self.lookup_local(&shared.name) else {
            let d = self.c.unknown_name(self.module, shared);
            self.c.error(d);
            return error_expr(span);
        };
        self.note_use(id);
        if let Some(thread) = self.threads.last_mut() {
            if depth < thread.scope_depth && !thread.captures.contains(&id) {
                thread.captures.push(id);
            }
        }
        if self.locals[id].repr != Repr::ArcMutex {
            let d = Diagnostic::error(
                codes::LOCK_REQUIRED,
                shared.span,
                format!(
                    "`{}` is not a `let_mut_shared_var`, so it has no lock",
                    shared.name
                ),
            )
            .with_help("declare it with `let_mut_shared_var` to share and mutate it under a lock");
            self.c.error(d);
        }
        self.scopes.open();
        let ty = self.locals[id].ty.clone();
        let guard_local = self.declare(guard, ty, Repr::Guard, true, Origin::Guard);
        let (block, block_ty) = self.check_block(body, expected);
        self.scopes.close();
        expr(
            IrK::WithLock {
                shared: id,
                guard: guard_local,
                body: Box::new(block),
            },
            block_ty,
            span,
        )
    }

    fn check_record_literal(
        &mut self,
        path: &[ast::Ident],
        fields: &[(ast::Ident, ast::Expr)],
        span: Span,
    ) -> ir::Expr {
        let id = match self.c.lookup_item(self.module, path) {
            Ok(Def::Type(id))
                if matches!(self.c.tables.program.types[id].kind, TypeDefKind::Record(_)) =>
            {
                id
            }
            Ok(_) => {
                self.c.error(Diagnostic::error(
                    codes::NOT_A_VALUE,
                    path[0].span,
                    format!("`{}` is not a record", path[path.len() - 1].name),
                ));
                return error_expr(span);
            }
            Err(mut d) => {
                d.code = codes::UNKNOWN_TYPE;
                self.c.error(d);
                for (_, v) in fields {
                    self.check_expr(v, None);
                }
                return error_expr(span);
            }
        };
        self.c.mark_used(Def::Type(id));
        let TypeDefKind::Record(declared) = &self.item_tables().program.types[id].kind else {
            return error_expr(span);
        };
        let mut values: Vec<Option<ir::Expr>> = vec![None; declared.len()];
        for (name, value) in fields {
            match declared.iter().position(|(n, _)| *n == name.name) {
                Some(i) => {
                    self.c.refer(name.span, ir::Target::Field(id, i));
                    let checked = self.check_value(value, Some(&declared[i].1));
                    self.expect_type(&checked, &declared[i].1);
                    if values[i].is_some() {
                        self.c.error(Diagnostic::error(
                            codes::RECORD_FIELDS,
                            name.span,
                            format!("field `{}` is given twice", name.name),
                        ));
                    }
                    values[i] = Some(checked);
                }
                None if self.c.tables.program.types[id].incomplete => {
                    self.check_expr(value, None);
                }
                None => {
                    self.check_expr(value, None);
                    let record = self.c.tables.program.types[id].name.clone();
                    let mut d = Diagnostic::error(
                        codes::RECORD_FIELDS,
                        name.span,
                        format!("record `{record}` has no field `{}`", name.name),
                    );
                    d = suggest::did_you_mean(d, name, declared.iter().map(|(n, _)| n.as_str()));
                    self.c.error(d);
                }
            }
        }
        let missing: Vec<&str> = declared
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|((n, _), _)| n.as_str())
            .collect();
        if !missing.is_empty() && !self.c.tables.program.types[id].incomplete {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let record = self.c.tables.program.types[id].name.clone();
            self.c.error(
                Diagnostic::error(
                    codes::RECORD_FIELDS,
                    path[path.len() - 1].span,
                    format!(
                        "missing field{} {list} in `{record}`",
                        if missing.len() == 1 { "" } else { "s" }
                    ),
                )
                .with_note("every field must be given a value"),
            );
        }
        let fields = values
            .into_iter()
            .map(|v| v.unwrap_or_else(|| error_expr(span)))
            .collect();
        expr(IrK::Record { ty: id, fields }, Ty::Named(id), span)
    }

    fn field_access(&mut self, base: ir::Expr, field: &ast::Ident, span: Span) -> ir::Expr {
        match &base.ty {
            Ty::Named(id) => {
                let id = *id;
                if let TypeDefKind::Record(fields) = &self.c.tables.program.types[id].kind {
                    if let Some(index) = fields.iter().position(|(n, _)| *n == field.name) {
                        let ty = fields[index].1.clone();
                        self.c.refer(field.span, ir::Target::Field(id, index));
                        return expr(
                            IrK::Field {
                                base: Box::new(base),
                                index,
                            },
                            ty,
                            span,
                        );
                    }
                    if self.c.tables.program.types[id].incomplete {
                        return error_expr(span);
                    }
                    let record = self.c.tables.program.types[id].name.clone();
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_FIELD,
                        field.span,
                        format!("record `{record}` has no field `{}`", field.name),
                    );
                    d = suggest::did_you_mean(d, field, fields.iter().map(|(n, _)| n.as_str()));
                    if self
                        .c
                        .tables
                        .methods
                        .get(&id)
                        .is_some_and(|m| m.contains_key(field.name.as_str()))
                    {
                        d = d.with_suggestion(
                            "it is a method; call it",
                            field.span.shrink_to_end(),
                            "()",
                            Applicability::MaybeIncorrect,
                        );
                    }
                    self.c.error(d);
                } else {
                    let name = self.c.tables.program.types[id].name.clone();
                    self.c.error(
                        Diagnostic::error(
                            codes::UNKNOWN_FIELD,
                            field.span,
                            format!("`{name}` is not a record, so it has no fields"),
                        )
                        .with_help("use `match` to get at an enum's values"),
                    );
                }
                error_expr(span)
            }
            Ty::Error => error_expr(span),
            other => {
                let shown = self.show(other);
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_FIELD,
                    field.span,
                    format!("`{shown}` has no field `{}`", field.name),
                );
                if builtins::method(other, &field.name).is_some() {
                    d = d.with_suggestion(
                        "it is a method; call it",
                        field.span.shrink_to_end(),
                        "()",
                        Applicability::MachineApplicable,
                    );
                }
                self.c.error(d);
                error_expr(span)
            }
        }
    }

    fn check_method_call(
        &mut self,
        receiver: &ast::Expr,
        method: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> ir::Expr {
        let recv = self.check_expr(receiver, None);
        let user_method = match recv.ty {
            Ty::Named(id) => self
                .c
                .tables
                .methods
                .get(&id)
                .and_then(|m| m.get(method.name.as_str()))
                .copied(),
            _ => None,
        };
        let is_user_type = matches!(recv.ty, Ty::Named(id) if !matches!(self.c.tables.program.types[id].kind, TypeDefKind::Rust(_)));
        if method.name == "clone" && contains_thread(&recv.ty) {
            self.c.error(
                Diagnostic::error(
                    codes::UNKNOWN_METHOD,
                    method.span,
                    "a value holding a `thread` cannot be copied",
                )
                .with_note("a thread handle is unique: join it once, where it is owned"),
            );
            return error_expr(span);
        }
        if is_user_type && user_method.is_none() && method.name == "clone" && args.is_empty() {
            let ty = recv.ty.clone();
            return expr(
                IrK::Builtin {
                    builtin: Builtin::Method(ir::BuiltinMethod::Clone),
                    args: vec![recv],
                },
                ty,
                span,
            );
        }
        if let Ty::Named(id) = recv.ty {
            let Some(function) = user_method else {
                let type_name = self.c.tables.program.types[id].name.clone();
                let tables: &'a Tables = self.c.tables;
                let methods = tables.methods.get(&id);
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_METHOD,
                    method.span,
                    format!("`{type_name}` has no method `{}`", method.name),
                );
                let names = methods
                    .into_iter()
                    .flat_map(|m| m.keys().map(SmolStr::as_str));
                if let Some(best) = suggest::closest(&method.name, names) {
                    if let Some(&meant) = methods.and_then(|m| m.get(best)) {
                        self.c.mark_used(Def::Function(meant));
                    }
                    d = d.with_suggestion(
                        format!("did you mean `{best}`"),
                        method.span,
                        best,
                        Applicability::MaybeIncorrect,
                    );
                }
                self.c.error(d);
                for a in args {
                    self.check_expr(a, None);
                }
                return error_expr(span);
            };
            self.c.mark_used(Def::Function(function));
            self.c.refer(method.span, ir::Target::Function(function));
            let tables: &'a Tables = self.c.tables;
            let f = &tables.program.functions[function];
            let ir::FunctionKind::Method { receiver: mode, .. } = f.kind else {
                return error_expr(span);
            };
            match mode {
                None => {
                    let type_name = self.c.tables.program.types[id].name.clone();
                    self.c.error(
                        Diagnostic::error(
                            codes::NOT_A_VALUE,
                            method.span,
                            format!("`{}` does not take `self`", f.name),
                        )
                        .with_help(format!("call it as `{type_name}::{}(…)`", f.name)),
                    );
                }
                Some(ParamMode::Mutable) => self.require_mutable(&recv, receiver.span, false),
                Some(ParamMode::Owned) => self.require_owned(&recv, receiver.span, &f.name),
                Some(ParamMode::Read) => {}
            }
            self.check_visible(f, method.span);
            let args_ir = self.check_args(&f.params, args, span, &format_args!("`{}`", f.name));
            let params = f.params.clone();
            let mutable_self = (mode == Some(ParamMode::Mutable)).then_some(&recv);
            self.check_distinct_mutable(mutable_self, &params, &args_ir);
            return expr(
                IrK::MethodCall {
                    function,
                    receiver: Box::new(recv),
                    args: args_ir,
                },
                f.returns.clone(),
                span,
            );
        }
        if recv.ty == Ty::Error {
            for a in args {
                self.check_expr(a, None);
            }
            return error_expr(span);
        }
        if recv.ty == Ty::Unknown {
            // `(propagate None).length()`: nothing says what the value is.
            self.c.error(
                Diagnostic::error(
                    codes::TYPE_ANNOTATION_NEEDED,
                    recv.span,
                    format!(
                        "cannot infer the type of the value whose method `{}` is called",
                        method.name
                    ),
                )
                .with_label("its type is not known here")
                .with_help("bind the value first with a type: `let_var value: string = …;`"),
            );
            for a in args {
                self.check_expr(a, None);
            }
            return error_expr(span);
        }
        let Some(sig) = builtins::method(&recv.ty, &method.name) else {
            // The method may have been meant to change its receiver; do not
            // add "never changed" warnings on top of this error.
            if let Some(id) = Self::root_local(&recv) {
                self.locals[id].mutated = true;
            }
            let shown = self.show(&recv.ty);
            let mut d = Diagnostic::error(
                codes::UNKNOWN_METHOD,
                method.span,
                format!("`{shown}` has no method `{}`", method.name),
            );
            if let Some(fix) = builtins::rust_method_spelling(&method.name)
                .filter(|f| !f.is_empty() && builtins::method(&recv.ty, f).is_some())
            {
                d = d.with_suggestion(
                    format!("Parseltongue calls it `{fix}`"),
                    method.span,
                    fix,
                    Applicability::MachineApplicable,
                );
            } else if let Some(best) =
                suggest::closest(&method.name, builtins::names_for(&recv.ty).iter().copied())
            {
                d = d.with_suggestion(
                    format!("did you mean `{best}`"),
                    method.span,
                    best,
                    Applicability::MaybeIncorrect,
                );
            } else if matches!(method.name.as_str(), "iter" | "into_iter") {
                d = d.with_note("lists are iterated directly: `for item in items { … }`");
            }
            self.c.error(d);
            for a in args {
                self.check_expr(a, None);
            }
            return error_expr(span);
        };
        match sig.receiver {
            ReceiverUse::Mutate => self.require_mutable(&recv, receiver.span, false),
            ReceiverUse::Consume => self.require_owned(&recv, receiver.span, &method.name),
            ReceiverUse::Read => {}
        }
        let params: Vec<ir::Param> = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| ir::Param {
                name: argument_name(i),
                mode: ParamMode::Owned,
                ty: t.clone(),
            })
            .collect();
        let mut args_ir = self.check_args(&params, args, span, &format_args!("`{}`", method.name));
        if let (ir::BuiltinMethod::Insert, Ty::Map(key, _)) = (sig.method, &recv.ty) {
            if matches!(**key, Ty::Unknown) {
                if let Some(first) = args_ir.first() {
                    self.c.check_map_key(&first.ty, first.span);
                }
            }
        }
        if matches!(
            sig.method,
            ir::BuiltinMethod::Push | ir::BuiltinMethod::Insert
        ) {
            if let Some(last) = args_ir.last() {
                let elem = last.ty.clone();
                let new_ty = match (&recv.ty, sig.method) {
                    (Ty::List(_), _) => Ty::List(Box::new(elem)),
                    (Ty::Map(..), _) => Ty::Map(Box::new(args_ir[0].ty.clone()), Box::new(elem)),
                    _ => recv.ty.clone(),
                };
                self.refine(&recv, &new_ty);
            }
        }
        let returns = sig.returns.clone();
        let mut all = vec![recv];
        all.append(&mut args_ir);
        expr(
            IrK::Builtin {
                builtin: Builtin::Method(sig.method),
                args: all,
            },
            returns,
            span,
        )
    }

    /// Fills in unknown parts of a local's type from a use.
    fn refine(&mut self, target: &ir::Expr, ty: &Ty) {
        if let IrK::Local { id, .. } = target.kind {
            if self.locals[id].ty.is_incomplete() && fits(ty, &self.locals[id].ty) {
                self.locals[id].ty = merge(&self.locals[id].ty, ty);
            }
        }
    }

    /// A place that may be assigned: a local, or a field or element of one.
    fn check_place(&mut self, target: &ast::Expr) -> ir::Expr {
        // Writing a variable is not reading it: `x = 1` alone leaves `x`
        // unused (as rustc sees it too).
        let written = match &target.kind {
            K::Path(path) if path.len() == 1 => self
                .lookup_local(&path[0].name)
                .map(|(id, _)| (id, self.locals[id].used)),
            _ => None,
        };
        let checked = self.check_expr(target, None);
        if let Some((id, was_used)) = written {
            self.locals[id].used = was_used;
        }
        if !is_place(&checked) && checked.ty != Ty::Error {
            self.c.error(Diagnostic::error(
                codes::NOT_MUTABLE_ARGUMENT,
                target.span,
                "this is not a variable, field or list element, so it cannot be changed",
            ));
            return checked;
        }
        self.require_mutable(&checked, target.span, false);
        checked
    }

    fn root_local(e: &ir::Expr) -> Option<LocalId> {
        match &e.kind {
            IrK::Local { id, .. } => Some(*id),
            IrK::Field { base, .. } | IrK::Index { base, .. } => Self::root_local(base),
            _ => None,
        }
    }

    fn require_mutable(&mut self, place: &ir::Expr, span: Span, for_argument: bool) {
        let Some(id) = Self::root_local(place).filter(|_| is_place(place)) else {
            if for_argument && place.ty != Ty::Error {
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_MUTABLE_ARGUMENT,
                        span,
                        "a `mutable` parameter needs a variable to change",
                    )
                    .with_help("bind the value with `let_mut_var` first and pass that"),
                );
            }
            return;
        };
        self.locals[id].mutated = true;
        self.cow.pending.push((id, span));
        let name = self.locals[id].name.clone();
        match self.origins[id] {
            Origin::Let(BindingKind::MutVar | BindingKind::CowVar, _) | Origin::Guard => {}
            Origin::Param(ParamMode::Mutable | ParamMode::Owned, _)
            | Origin::SelfParam(ParamMode::Mutable | ParamMode::Owned, _) => {
                if matches!(
                    self.origins[id],
                    Origin::Param(ParamMode::Owned, _) | Origin::SelfParam(ParamMode::Owned, _)
                ) {
                    self.locals[id].mutable = true;
                }
            }
            Origin::Let(BindingKind::Var, keyword) => {
                let code = if for_argument {
                    codes::NOT_MUTABLE_ARGUMENT
                } else {
                    codes::ASSIGN_IMMUTABLE
                };
                self.c.error(
                    Diagnostic::error(
                        code,
                        span,
                        format!("cannot change `{name}`, which is declared with `let_var`"),
                    )
                    .with_secondary(self.locals[id].span, "declared immutable here")
                    .with_suggestion(
                        "declare it with `let_mut_var` to allow changes",
                        keyword,
                        "let_mut_var",
                        Applicability::MachineApplicable,
                    ),
                );
            }
            Origin::Let(BindingKind::SharedVar, keyword) => {
                self.c.error(
                    Diagnostic::error(
                        codes::MUTATE_SHARED,
                        span,
                        format!("cannot change `{name}`, which is a read-only `let_shared_var`"),
                    )
                    .with_suggestion(
                        "declare it with `let_mut_shared_var` and change it inside `with_lock`",
                        keyword,
                        "let_mut_shared_var",
                        Applicability::MaybeIncorrect,
                    ),
                );
            }
            Origin::Let(BindingKind::MutSharedVar, _) => {}
            Origin::Param(ParamMode::Read, decl) | Origin::SelfParam(ParamMode::Read, decl) => {
                self.c.error(
                    Diagnostic::error(
                        codes::MUTATE_READ_ONLY_PARAMETER,
                        span,
                        format!("cannot change parameter `{name}`, which is borrowed read-only"),
                    )
                    .with_secondary(decl, "declared without `mutable`")
                    .with_suggestion(
                        "take it as `mutable`",
                        decl.shrink_to_start(),
                        "mutable ",
                        Applicability::MachineApplicable,
                    ),
                );
            }
            Origin::LoopItem | Origin::MatchBinding => {
                self.c.error(Diagnostic::error(codes::ASSIGN_IMMUTABLE, span, format!("cannot change `{name}`, which is a read-only view of a list element or matched value")).with_help("change the list or value through its own variable, e.g. `items[i] = …`"));
            }
        }
    }

    fn require_owned(&mut self, value: &ir::Expr, span: Span, what: &str) {
        if let IrK::Local { id, .. } = value.kind {
            if matches!(self.locals[id].repr, Repr::Value | Repr::Guard) {
                self.consumed[id] = Some(span);
                return;
            }
            let name = self.locals[id].name.clone();
            self.c.error(
                Diagnostic::error(
                    codes::CONSUMED_BORROW,
                    span,
                    format!("`{what}` consumes `{name}`, but `{name}` is only borrowed here"),
                )
                .with_note("only a value owned by this function can be consumed"),
            );
        } else if is_place(value) {
            self.c.error(Diagnostic::error(codes::CONSUMED_BORROW, span, format!("`{what}` consumes its receiver, which cannot be taken out of a field or list")).with_help("call `.clone()` first if a copy is acceptable"));
        }
    }

    fn check_binary(
        &mut self,
        first: &ast::Expr,
        rest: &[(BinaryOp, Span, ast::Expr)],
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let op0 = rest[0].0;
        if op0.is_comparison() && rest.len() > 1 {
            let (op, op_span, _) = &rest[1];
            self.c.error(
                Diagnostic::error(
                    codes::AMBIGUOUS_OPERATORS,
                    *op_span,
                    format!(
                        "comparison operators cannot be chained: `{}` after `{}`",
                        op.as_str(),
                        op0.as_str()
                    ),
                )
                .with_help("combine two comparisons with `&&`, e.g. `a < b && b < c`"),
            );
            self.check_expr(first, None);
            for (_, _, operand) in rest {
                self.check_expr(operand, None);
            }
            return expr(IrK::Error, Ty::Bool, span);
        }
        if op0.is_logical() {
            if let Some((op, op_span, _)) = rest.iter().find(|(op, _, _)| *op != op0) {
                let first_text = self.text(first.span);
                let d = Diagnostic::error(
                    codes::AMBIGUOUS_OPERATORS,
                    *op_span,
                    format!(
                        "`{}` and `{}` are mixed without parentheses",
                        op0.as_str(),
                        op.as_str()
                    ),
                )
                .with_note(
                    "Parseltongue has no precedence between `&&` and `||`: group them explicitly",
                );
                let d = if rest.len() == 2 {
                    let middle_text = self.text(rest[0].2.span);
                    let last_text = self.text(rest[1].2.span);
                    let replacement = if op0 == BinaryOp::And {
                        format!("({first_text} && {middle_text}) || {last_text}")
                    } else {
                        format!("{first_text} || ({middle_text} && {last_text})")
                    };
                    d.with_suggestion(
                        "group them as Rust would read it",
                        span,
                        replacement,
                        Applicability::MaybeIncorrect,
                    )
                } else {
                    d
                };
                self.c.error(d);
            }
        }
        let operand_expected = if op0.is_logical() {
            Some(Ty::Bool)
        } else if op0.is_comparison() {
            None
        } else {
            expected.filter(|t| matches!(t, Ty::I64 | Ty::F64)).cloned()
        };
        let first_ir = self.check_expr(first, operand_expected.as_ref());
        let mut ty = first_ir.ty.clone();
        let mut rest_ir = Vec::with_capacity(rest.len());
        for (op, op_span, operand) in rest {
            let want = if op.is_logical() {
                Some(Ty::Bool)
            } else if matches!(ty, Ty::F64 | Ty::I64) {
                Some(ty.clone())
            } else {
                None
            };
            let right = self.check_expr(operand, want.as_ref());
            let ok = match op {
                BinaryOp::And | BinaryOp::Or => fits(&ty, &Ty::Bool) && fits(&right.ty, &Ty::Bool),
                BinaryOp::Eq | BinaryOp::Ne => {
                    (fits(&right.ty, &ty) || fits(&ty, &right.ty))
                        && !contains_thread(&ty)
                        && !matches!(ty, Ty::Range)
                        && !self.is_rust_type(&ty)
                }
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                    matches!(ty, Ty::I64 | Ty::F64 | Ty::Str | Ty::Error) && fits(&right.ty, &ty)
                }
                _ => matches!(ty, Ty::I64 | Ty::F64 | Ty::Error) && fits(&right.ty, &ty),
            };
            if !ok {
                let (l, r) = (self.show(&ty), self.show(&right.ty));
                let mut d = Diagnostic::error(
                    codes::INVALID_OPERATOR,
                    *op_span,
                    format!("`{}` cannot be applied to `{l}` and `{r}`", op.as_str()),
                );
                if *op == BinaryOp::Add && (ty == Ty::Str || right.ty == Ty::Str) {
                    let replacement = format!(
                        "format(\"{{}}{{}}\", {}, {})",
                        self.text(first.span),
                        self.text(operand.span)
                    );
                    d = d
                        .with_note("strings are joined with `format`")
                        .with_suggestion(
                            "build the string with `format`",
                            first.span.to(operand.span),
                            replacement,
                            if rest.len() == 1 {
                                Applicability::MachineApplicable
                            } else {
                                Applicability::MaybeIncorrect
                            },
                        );
                } else if matches!((&ty, &right.ty), (Ty::I64, Ty::F64) | (Ty::F64, Ty::I64)) {
                    d = d.with_note(
                        "there are no implicit conversions: use `.to_f64()` or `.to_i64()`",
                    );
                }
                self.c.error(d);
                ty = Ty::Error;
            }
            if op.is_comparison() || op.is_logical() {
                ty = Ty::Bool;
            } else if ty == Ty::Never {
                ty = right.ty.clone();
            }
            if right.ty == Ty::Error && !op.is_comparison() && !op.is_logical() {
                ty = Ty::Error;
            }
            if matches!(op, BinaryOp::Div | BinaryOp::Rem)
                && ty == Ty::I64
                && matches!(right.kind, IrK::Int(0))
            {
                self.c.error(
                    Diagnostic::error(
                        codes::INVALID_OPERATOR,
                        operand.span,
                        "this divides by zero",
                    )
                    .with_note("integer division by zero always stops the program"),
                );
            }
            rest_ir.push((*op, right));
        }
        let divides_by_zero = rest_ir.iter().any(|(op, e)| {
            matches!(op, BinaryOp::Div | BinaryOp::Rem) && matches!(e.kind, IrK::Int(0))
        });
        let constants = &self.c.tables.program.constants;
        let known = |e: &ir::Expr| constant_integer(e, constants, 0).is_some();
        if ty == Ty::I64
            && !divides_by_zero
            && known(&first_ir)
            && rest_ir.iter().all(|(_, e)| known(e))
            && fold_constant_chain(&first_ir, &rest_ir, constants).is_none()
        {
            self.c.error(constant_overflow(span));
        }
        expr(
            IrK::Binary {
                first: Box::new(first_ir),
                rest: rest_ir,
            },
            ty,
            span,
        )
    }

    fn is_rust_type(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Named(id) if matches!(self.c.tables.program.types[*id].kind, TypeDefKind::Rust(_)))
    }

    fn check_propagate(
        &mut self,
        inner: &ast::Expr,
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let returns = self.returns.clone();
        // The function's return type and the context give the operand its
        // type: `propagate None` and `propagate Err(e)` name no value type,
        // and `propagate Ok(2.5)` no error type.
        let value = Box::new(expected.cloned().unwrap_or(Ty::Unknown));
        let operand = match &returns {
            Ty::Result(_, error) => Some(Ty::Result(value, error.clone())),
            Ty::Option(_) => Some(Ty::Option(value)),
            _ => None,
        };
        let checked = self.check_expr(inner, operand.as_ref());
        let ty = match (&checked.ty, &returns) {
            (Ty::Error, _) => Ty::Error,
            (Ty::Result(t, e), Ty::Result(_, re)) => {
                if !fits(e, re) {
                    self.c.error(
                        Diagnostic::error(codes::INVALID_PROPAGATE, span, format!("`propagate` would return an error of type `{}`, but this function's error type is `{}`", self.show(e), self.show(re)))
                            .with_help("convert the error with `match` first"),
                    );
                }
                (**t).clone()
            }
            (Ty::Option(t), Ty::Option(_)) => (**t).clone(),
            (Ty::Result(..) | Ty::Option(_), _) => {
                let kind = if matches!(checked.ty, Ty::Result(..)) {
                    "result"
                } else {
                    "option"
                };
                self.c.error(
                    Diagnostic::error(codes::INVALID_PROPAGATE, span, format!("`propagate` needs the function to return a `{kind}`, but it returns `{}`", self.show(&returns)))
                        .with_help("handle the value with `match`, or change the function's return type"),
                );
                Ty::Error
            }
            (other, _) => {
                let shown = self.show(other);
                self.c.error(Diagnostic::error(
                    codes::INVALID_PROPAGATE,
                    span,
                    format!("`propagate` needs a `result` or `option`, found `{shown}`"),
                ));
                Ty::Error
            }
        };
        if !self.threads.is_empty() {
            self.c.error(
                Diagnostic::error(
                    codes::INVALID_PROPAGATE,
                    span,
                    "`propagate` cannot leave a `spawn_thread` block",
                )
                .with_help("return the `result` as the thread's value instead"),
            );
        }
        expr(IrK::Propagate(Box::new(checked)), ty, span)
    }

    fn check_builtin(
        &mut self,
        keyword: Keyword,
        args: &[ast::Expr],
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let builtin = match keyword {
            Keyword::PrintLine => Builtin::PrintLine,
            Keyword::Print => Builtin::Print,
            Keyword::PrintErrorLine => Builtin::PrintErrorLine,
            Keyword::Format => Builtin::Format,
            Keyword::Panic => Builtin::Panic,
            Keyword::Assert => Builtin::Assert,
            Keyword::AssertEqual => Builtin::AssertEqual,
            Keyword::ListOf => Builtin::ListOf,
            Keyword::MapOf => Builtin::MapOf,
            Keyword::Range => Builtin::Range,
            _ => Builtin::RangeInclusive,
        };
        match builtin {
            Builtin::PrintLine
            | Builtin::Print
            | Builtin::PrintErrorLine
            | Builtin::Format
            | Builtin::Panic => {
                let ty = match builtin {
                    Builtin::Format => Ty::Str,
                    Builtin::Panic => Ty::Never,
                    _ => Ty::Unit,
                };
                let args_ir = self.check_format(keyword, args, span);
                expr(
                    IrK::Builtin {
                        builtin,
                        args: args_ir,
                    },
                    ty,
                    span,
                )
            }
            Builtin::Assert => {
                if args.len() != 1 {
                    self.c.error(Diagnostic::error(
                        codes::WRONG_ARGUMENT_COUNT,
                        span,
                        "`assert` takes one condition",
                    ));
                }
                let args_ir: Vec<ir::Expr> = args.iter().map(|a| self.check_condition(a)).collect();
                expr(
                    IrK::Builtin {
                        builtin,
                        args: args_ir,
                    },
                    Ty::Unit,
                    span,
                )
            }
            Builtin::AssertEqual => {
                if args.len() != 2 {
                    self.c.error(Diagnostic::error(
                        codes::WRONG_ARGUMENT_COUNT,
                        span,
                        "`assert_equal` takes two values",
                    ));
                    return error_expr(span);
                }
                let left = self.check_expr(&args[0], None);
                let right = self.check_expr(&args[1], Some(&left.ty));
                self.expect_type(&right, &left.ty);
                expr(
                    IrK::Builtin {
                        builtin,
                        args: vec![left, right],
                    },
                    Ty::Unit,
                    span,
                )
            }
            Builtin::ListOf => {
                let mut elem = match expected {
                    Some(Ty::List(t)) => (**t).clone(),
                    _ => Ty::Unknown,
                };
                let mut args_ir = Vec::new();
                for a in args {
                    let want = (!matches!(elem, Ty::Unknown)).then(|| elem.clone());
                    let checked = self.check_value(a, want.as_ref());
                    if let Some(w) = &want {
                        self.expect_type(&checked, w);
                    }
                    elem = merge(&elem, &checked.ty);
                    args_ir.push(checked);
                }
                expr(
                    IrK::Builtin {
                        builtin,
                        args: args_ir,
                    },
                    Ty::List(Box::new(elem)),
                    span,
                )
            }
            Builtin::MapOf => {
                if !args.is_empty() {
                    self.c.error(Diagnostic::error(
                        codes::WRONG_ARGUMENT_COUNT,
                        span,
                        "`map_of()` takes no arguments; add entries with `insert`",
                    ));
                }
                let ty = match expected {
                    Some(t @ Ty::Map(..)) => t.clone(),
                    _ => Ty::Map(Box::new(Ty::Unknown), Box::new(Ty::Unknown)),
                };
                expr(
                    IrK::Builtin {
                        builtin,
                        args: vec![],
                    },
                    ty,
                    span,
                )
            }
            _ => {
                if args.len() != 2 {
                    self.c.error(Diagnostic::error(
                        codes::WRONG_ARGUMENT_COUNT,
                        span,
                        format!("`{}` takes a start and an end", keyword.as_str()),
                    ));
                }
                let args_ir: Vec<ir::Expr> = args
                    .iter()
                    .map(|a| {
                        let c = self.check_expr(a, Some(&Ty::I64));
                        self.expect_type(&c, &Ty::I64);
                        c
                    })
                    .collect();
                expr(
                    IrK::Builtin {
                        builtin,
                        args: args_ir,
                    },
                    Ty::Range,
                    span,
                )
            }
        }
    }

    /// Checks a format string and its arguments. The template becomes the
    /// first argument, as a `Template` node.
    fn check_format(&mut self, keyword: Keyword, args: &[ast::Expr], span: Span) -> Vec<ir::Expr> {
        let Some(first) = args.first() else {
            if keyword == Keyword::PrintLine {
                return vec![expr(
                    IrK::Template {
                        template: String::new(),
                    },
                    Ty::Str,
                    span,
                )];
            }
            self.c.error(
                Diagnostic::error(
                    codes::INVALID_FORMAT,
                    span,
                    format!("`{}` needs a format string", keyword.as_str()),
                )
                .with_help(format!(
                    "write `{}(\"text {{}}\", value)`",
                    keyword.as_str()
                )),
            );
            return vec![];
        };
        if matches!(first.kind, K::Error) {
            for a in &args[1..] {
                self.check_expr(a, None);
            }
            return vec![];
        }
        let K::Str(template) = &first.kind else {
            let value_text = self.text(first.span);
            self.c.error(
                Diagnostic::error(
                    codes::INVALID_FORMAT,
                    first.span,
                    "the first argument must be a string literal",
                )
                .with_suggestion(
                    "format the value with `{}`",
                    first.span,
                    format!("\"{{}}\", {value_text}"),
                    Applicability::MachineApplicable,
                ),
            );
            for a in args {
                self.check_expr(a, None);
            }
            return vec![];
        };
        let mut out = vec![expr(
            IrK::Template {
                template: template.clone(),
            },
            Ty::Str,
            first.span,
        )];
        let placeholders = match parse_placeholders(template) {
            Ok(p) => p,
            Err(problem) => {
                let d = match problem {
                    FormatProblem::Named(name) => {
                        if let Some((id, _)) = self.lookup_local(&name) {
                            self.note_use(id);
                        }
                        let given: Vec<String> =
                            args[1..].iter().map(|a| self.text(a.span)).collect();
                        let d = Diagnostic::error(
                            codes::INVALID_FORMAT,
                            first.span,
                            format!("names inside `{{}}` are not supported: `{{{name}}}`"),
                        )
                        .with_note(
                            "placeholders are positional: each `{}` takes the next argument",
                        );
                        match positional_form(template, &given) {
                            Some((positional, arguments)) => {
                                let mut replacement = format!("{positional:?}");
                                for a in arguments {
                                    replacement.push_str(", ");
                                    replacement.push_str(&a);
                                }
                                let whole = first.span.to(args[args.len() - 1].span);
                                d.with_suggestion(
                                    "pass the value as an argument",
                                    whole,
                                    replacement,
                                    Applicability::MachineApplicable,
                                )
                            }
                            None => d,
                        }
                    }
                    FormatProblem::Invalid(message) => Diagnostic::error(
                        codes::INVALID_FORMAT,
                        first.span,
                        message,
                    )
                    .with_note(
                        "placeholders are `{}` and `{:?}`; write `{{` and `}}` for literal braces",
                    ),
                };
                self.c.error(d);
                for a in &args[1..] {
                    self.check_expr(a, None);
                }
                return vec![];
            }
        };
        let values = &args[1..];
        if placeholders.len() != values.len() {
            self.c.error(
                Diagnostic::error(
                    codes::INVALID_FORMAT,
                    first.span,
                    format!(
                        "the format string has {} placeholder{} but {} value{} given",
                        placeholders.len(),
                        if placeholders.len() == 1 { "" } else { "s" },
                        values.len(),
                        if values.len() == 1 { " is" } else { "s are" }
                    ),
                )
                .with_note("each `{}` or `{:?}` takes the next argument"),
            );
        }
        for (i, value) in values.iter().enumerate() {
            let checked = self.check_expr(value, None);
            if placeholders.get(i) == Some(&Placeholder::Display) && !is_displayable(&checked.ty) {
                let shown = self.show(&checked.ty);
                self.c.error(
                    Diagnostic::error(codes::NOT_DISPLAYABLE, value.span, format!("`{shown}` cannot be formatted with `{{}}`"))
                        .with_note("`{}` shows `i64`, `f64`, `bool` and `string`; `{:?}` shows any value in its debug form")
                        .with_help("use `{:?}` for this value"),
                );
            }
            if matches!(checked.ty, Ty::Thread(_)) || self.is_rust_type(&checked.ty) {
                let shown = self.show(&checked.ty);
                self.c.error(Diagnostic::error(
                    codes::NOT_DISPLAYABLE,
                    value.span,
                    format!("`{shown}` cannot be formatted"),
                ));
            }
            out.push(checked);
        }
        out
    }

    fn check_match(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::Arm],
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let scrut = self.check_expr(scrutinee, None);
        let borrowed = binds_by_reference(&scrut);
        let mut arms_ir = Vec::new();
        let mut result: Option<Ty> = None;
        let mut patterns = Vec::new();
        for arm in arms {
            self.scopes.open();
            let pattern = self.check_pattern(&arm.pattern, &scrut.ty, borrowed, true);
            let body = self.check_expr(&arm.body, expected.or(result.as_ref()));
            result = Some(self.join_branch(result, &body.ty.clone(), arm.body.span));
            self.scopes.close();
            patterns.push((pattern.clone(), arm.pattern.span));
            arms_ir.push((pattern, body));
        }
        if scrut.ty != Ty::Error {
            let report = exhaustive::analyse(&patterns, &scrut.ty, &self.c.tables.program);
            // An arm no value can reach is reported and left out of the IR:
            // it can never run, and rustc would report it again.
            let unreachable_at: Vec<u32> = report.unreachable.iter().map(|s| s.start).collect();
            let mut index = 0;
            arms_ir.retain(|_| {
                let keep = !unreachable_at.contains(&patterns[index].1.start);
                index += 1;
                keep
            });
            for unreachable in report.unreachable {
                self.c.found.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNREACHABLE_ARM,
                        unreachable,
                        "this arm can never be reached",
                    )
                    .with_note("an earlier arm already matches every value this one would"),
                );
            }
            if let Some(missing) = report.missing {
                let listed: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
                let listed = match listed.as_slice() {
                    [one] => one.clone(),
                    [init @ .., last] => format!("{} and {last}", init.join(", ")),
                    [] => String::new(),
                };
                let noun = if missing.len() == 1 {
                    "pattern"
                } else {
                    "patterns"
                };
                let mut d = Diagnostic::error(
                    codes::NON_EXHAUSTIVE_MATCH,
                    scrutinee.span,
                    format!("`match` does not cover {listed}"),
                )
                .with_label(format!("{noun} {listed} not covered"));
                if let Some(edit) = self.missing_arms_edit(span, arms, &missing) {
                    d = d.with_suggestion(
                        "add an arm for each missing pattern",
                        edit.0,
                        edit.1,
                        Applicability::HasPlaceholders,
                    );
                }
                self.c.error(d);
            }
        }
        let ty = result.unwrap_or(Ty::Never);
        expr(
            IrK::Match {
                scrutinee: Box::new(scrut),
                arms: arms_ir,
            },
            ty,
            span,
        )
    }

    /// An edit that inserts one arm per missing pattern before the
    /// `match`'s closing brace, indented like the other arms.
    fn missing_arms_edit(
        &self,
        match_span: Span,
        arms: &[ast::Arm],
        missing: &[String],
    ) -> Option<(Span, String)> {
        let text = &self.c.sources.get(match_span.file).text;
        let close = match_span.end.checked_sub(1)? as usize;
        if text.as_bytes().get(close) != Some(&b'}') {
            return None;
        }
        let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
        let before_brace = &text[line_start..close];
        let indent = match arms.last() {
            Some(arm) => {
                let arm_line = text[..arm.span.start as usize]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                text[arm_line..arm.span.start as usize].to_string()
            }
            None => format!("{before_brace}    "),
        };
        if !before_brace.trim().is_empty() || !indent.trim().is_empty() {
            return None;
        }
        let needs_comma = arms.last().is_some_and(|arm| {
            let after = text[arm.span.end as usize..close].trim_start();
            !after.starts_with(',')
                && !text[arm.span.start as usize..arm.span.end as usize].ends_with('}')
        });
        // The edit is one insertion; an arm without its trailing comma
        // would need a second edit, so then only the message is given.
        if needs_comma {
            return None;
        }
        let inserted: String = missing
            .iter()
            .map(|m| format!("{indent}{m} => panic(\"not handled yet\"),\n"))
            .collect();
        let at = Span {
            start: line_start as u32,
            end: line_start as u32,
            ..match_span
        };
        Some((at, inserted))
    }

    fn check_pattern(
        &mut self,
        pattern: &ast::Pattern,
        ty: &Ty,
        borrowed: bool,
        top: bool,
    ) -> ir::Pattern {
        let checked = self.check_pattern_shape(pattern, ty, borrowed, top);
        if matches!(checked, ir::Pattern::Error) {
            // The arm's body may still use the names the pattern meant to
            // bind; declare them so the one mistake is reported once.
            self.declare_pattern_names(pattern);
        }
        checked
    }

    fn declare_pattern_names(&mut self, pattern: &ast::Pattern) {
        match &pattern.kind {
            ast::PatternKind::Binding(name) => {
                let declared = self.in_innermost_scope(&name.name).is_some();
                if !declared {
                    let id =
                        self.declare(name, Ty::Error, Repr::Value, false, Origin::MatchBinding);
                    self.locals[id].used = true;
                }
            }
            ast::PatternKind::Variant {
                args: Some(args), ..
            } => {
                for a in args {
                    self.declare_pattern_names(a);
                }
            }
            _ => {}
        }
    }

    fn check_pattern_shape(
        &mut self,
        pattern: &ast::Pattern,
        ty: &Ty,
        borrowed: bool,
        top: bool,
    ) -> ir::Pattern {
        let span = pattern.span;
        let mismatch = |this: &mut Self, what: &str| {
            let shown = this.show(ty);
            this.c.error(Diagnostic::error(
                codes::PATTERN_MISMATCH,
                span,
                format!("{what} cannot match a `{shown}`"),
            ));
            ir::Pattern::Error
        };
        if *ty == Ty::Error {
            // Still declare bindings so the arm's body resolves its names.
            if let ast::PatternKind::Binding(name) = &pattern.kind {
                let id = self.declare(name, Ty::Error, Repr::Value, false, Origin::MatchBinding);
                return ir::Pattern::Binding(id);
            }
            if let ast::PatternKind::Variant {
                args: Some(args), ..
            } = &pattern.kind
            {
                for a in args {
                    self.check_pattern(a, &Ty::Error, borrowed, false);
                }
            }
            return ir::Pattern::Error;
        }
        match &pattern.kind {
            ast::PatternKind::Error => ir::Pattern::Error,
            ast::PatternKind::Wildcard => ir::Pattern::Wildcard,
            ast::PatternKind::Binding(name) => {
                if let Some(first) = self.in_innermost_scope(&name.name) {
                    let first_span = self.locals[first].span;
                    self.c.error(
                        Diagnostic::error(
                            codes::DUPLICATE_DEFINITION,
                            name.span,
                            format!("`{}` is bound twice in this pattern", name.name),
                        )
                        .with_secondary(first_span, "first bound here")
                        .with_help("give each value its own name"),
                    );
                    return ir::Pattern::Wildcard;
                }
                let repr = if borrowed { Repr::Ref } else { Repr::Value };
                let id = self.declare(name, ty.clone(), repr, false, Origin::MatchBinding);
                ir::Pattern::Binding(id)
            }
            ast::PatternKind::Int(v) => {
                if *ty != Ty::I64 {
                    return mismatch(self, "an integer");
                }
                match i64::try_from(*v) {
                    Ok(v) => ir::Pattern::Int(v),
                    Err(_) => {
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_LITERAL,
                                span,
                                "integer literal is out of range for `i64`",
                            )
                            .with_note(format!(
                                "`i64` holds {} to {}",
                                i64::MIN,
                                i64::MAX
                            )),
                        );
                        ir::Pattern::Error
                    }
                }
            }
            ast::PatternKind::Bool(b) => {
                if *ty != Ty::Bool {
                    return mismatch(self, "a boolean");
                }
                ir::Pattern::Bool(*b)
            }
            ast::PatternKind::Str(s) => {
                if *ty != Ty::Str {
                    return mismatch(self, "a string");
                }
                if !top {
                    self.c.error(
                        Diagnostic::error(
                            codes::PATTERN_MISMATCH,
                            span,
                            "string literals can only be matched at the top of a pattern",
                        )
                        .with_help(
                            "bind the value to a name and compare it with `==` inside the arm",
                        ),
                    );
                    return ir::Pattern::Error;
                }
                ir::Pattern::Str(s.clone())
            }
            ast::PatternKind::Variant { path, args } => {
                let name = path[path.len() - 1].name.as_str();
                let sub = |this: &mut Self, inner: &Ty| -> ir::Pattern {
                    match args.as_deref() {
                        Some([one]) => this.check_pattern(one, inner, borrowed, false),
                        _ => {
                            this.c.error(Diagnostic::error(
                                codes::PATTERN_MISMATCH,
                                span,
                                format!("`{name}` carries one value: write `{name}(…)`"),
                            ));
                            ir::Pattern::Error
                        }
                    }
                };
                if path.len() == 1 {
                    match (name, ty) {
                        ("Some", Ty::Option(t)) => {
                            return ir::Pattern::Some(Box::new(sub(self, t)))
                        }
                        ("None", Ty::Option(_)) => return ir::Pattern::None,
                        ("Ok", Ty::Result(t, _)) => return ir::Pattern::Ok(Box::new(sub(self, t))),
                        ("Err", Ty::Result(_, e)) => {
                            return ir::Pattern::Err(Box::new(sub(self, e)))
                        }
                        ("Some" | "None", _) => return mismatch(self, &format!("`{name}`")),
                        ("Ok" | "Err", _) => return mismatch(self, &format!("`{name}`")),
                        _ => {}
                    }
                    if let Ty::Named(id) = ty {
                        if let TypeDefKind::Enum(variants) = &self.c.tables.program.types[*id].kind
                        {
                            if variants.iter().any(|(v, _)| v == name) {
                                let enum_name = self.c.tables.program.types[*id].name.clone();
                                let written = self.text(path[0].span);
                                self.c.error(
                                    Diagnostic::error(codes::UNKNOWN_VARIANT, path[0].span, format!("variants are written with their enum's name: `{enum_name}::{name}`"))
                                        .with_suggestion("qualify the variant", path[0].span, format!("{enum_name}::{written}"), Applicability::MachineApplicable),
                                );
                                return ir::Pattern::Error;
                            }
                        }
                    }
                    self.c.error(Diagnostic::error(codes::UNKNOWN_VARIANT, path[0].span, format!("no variant `{name}` here")).with_note("bindings in patterns start with a lowercase letter; variants are written `Enum::Variant`"));
                    return ir::Pattern::Error;
                }
                let Some(type_id) = self.lookup_type_quiet(&path[..path.len() - 1]) else {
                    let d = self
                        .c
                        .lookup_item(self.module, &path[..path.len() - 1])
                        .err()
                        .unwrap_or_else(|| {
                            Box::new(Diagnostic::error(
                                codes::UNKNOWN_TYPE,
                                path[0].span,
                                format!("`{}` is not an enum", path[0].name),
                            ))
                        });
                    self.c.error(d);
                    return ir::Pattern::Error;
                };
                if Ty::Named(type_id) != *ty {
                    return mismatch(
                        self,
                        &format!(
                            "a `{}` variant",
                            self.c.tables.program.types[type_id].name.clone()
                        ),
                    );
                }
                let TypeDefKind::Enum(variants) = &self.item_tables().program.types[type_id].kind
                else {
                    return mismatch(self, "a variant");
                };
                let Some(index) = variants.iter().position(|(v, _)| v == name) else {
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_VARIANT,
                        path[path.len() - 1].span,
                        format!(
                            "enum `{}` has no variant `{name}`",
                            self.c.tables.program.types[type_id].name
                        ),
                    );
                    if let Some(best) =
                        suggest::closest(name, variants.iter().map(|(v, _)| v.as_str()))
                    {
                        d = d.with_suggestion(
                            format!("did you mean `{best}`"),
                            path[path.len() - 1].span,
                            best,
                            Applicability::MaybeIncorrect,
                        );
                    }
                    self.c.error(d);
                    return ir::Pattern::Error;
                };
                self.c.refer(
                    path[path.len() - 1].span,
                    ir::Target::Variant(type_id, index),
                );
                let payload = &variants[index].1;
                let given = args.as_ref().map_or(0, Vec::len);
                if given != payload.len() {
                    self.c.error(Diagnostic::error(
                        codes::PATTERN_MISMATCH,
                        span,
                        format!(
                            "variant `{name}` carries {} but the pattern has {given}",
                            count(payload.len(), "value")
                        ),
                    ));
                    return ir::Pattern::Error;
                }
                let sub_patterns = args
                    .iter()
                    .flatten()
                    .zip(payload)
                    .map(|(p, t)| self.check_pattern(p, t, borrowed, false))
                    .collect();
                ir::Pattern::Variant {
                    ty: type_id,
                    index,
                    args: sub_patterns,
                }
            }
        }
    }
}

/// The value of an integer expression of literals and constants, as
/// rustc's own evaluation would find it (`None`: not constant, or it
/// overflows on the way).
fn constant_integer(e: &ir::Expr, constants: &[ir::Constant], depth: usize) -> Option<i64> {
    if depth > 64 {
        return None;
    }
    match &e.kind {
        IrK::Int(v) => Some(*v),
        IrK::Const(c) => constant_integer(&constants.get(*c)?.value, constants, depth + 1),
        IrK::Unary {
            op: UnaryOp::Negate,
            operand,
        } => constant_integer(operand, constants, depth + 1)?.checked_neg(),
        IrK::Binary { first, rest } => {
            let mut value = constant_integer(first, constants, depth + 1)?;
            for (op, e) in rest {
                value = fold_step(value, *op, constant_integer(e, constants, depth + 1)?)?;
            }
            Some(value)
        }
        _ => None,
    }
}

/// PT0006 for arithmetic of literals and constants that overflows.
pub(crate) fn constant_overflow(span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::INVALID_LITERAL,
        span,
        "this arithmetic on literals and constants overflows `i64`",
    )
    .with_label("its value does not fit in `i64`")
    .with_note(format!("`i64` holds {} to {}", i64::MIN, i64::MAX))
}

/// Whether a constant's value, checked before the constants it names had
/// values, overflows once they have them (literal-only overflow was
/// reported while checking).
pub(crate) fn overflows_through_constants(value: &ir::Expr, constants: &[ir::Constant]) -> bool {
    let IrK::Binary { first, rest } = &value.kind else {
        return false;
    };
    let names_constant = std::iter::once(first.as_ref())
        .chain(rest.iter().map(|(_, e)| e))
        .any(|e| matches!(e.kind, IrK::Const(_)));
    let known = |e: &ir::Expr| constant_integer(e, constants, 0).is_some();
    names_constant
        && known(first)
        && rest.iter().all(|(_, e)| known(e))
        && fold_constant_chain(first, rest, constants).is_none()
}

/// A chain whose operands are all constant: its value, or `None` on
/// overflow or division by zero.
fn fold_constant_chain(
    first: &ir::Expr,
    rest: &[(BinaryOp, ir::Expr)],
    constants: &[ir::Constant],
) -> Option<i64> {
    let mut value = constant_integer(first, constants, 0)?;
    for (op, e) in rest {
        value = fold_step(value, *op, constant_integer(e, constants, 0)?)?;
    }
    Some(value)
}

/// `value op right` on `i64`, `None` on overflow or division by zero.
fn fold_step(value: i64, op: BinaryOp, right: i64) -> Option<i64> {
    match op {
        BinaryOp::Add => value.checked_add(right),
        BinaryOp::Sub => value.checked_sub(right),
        BinaryOp::Mul => value.checked_mul(right),
        BinaryOp::Div => value.checked_div(right),
        BinaryOp::Rem => value.checked_rem(right),
        _ => None,
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

/// True if `ty` is or holds a `thread` handle, which cannot be copied,
/// compared or printed.
pub(crate) fn contains_thread(ty: &Ty) -> bool {
    match ty {
        Ty::Thread(_) => true,
        Ty::List(t) | Ty::Option(t) => contains_thread(t),
        Ty::Map(a, b) | Ty::Result(a, b) => contains_thread(a) || contains_thread(b),
        _ => false,
    }
}

fn contains_error(ty: &Ty) -> bool {
    match ty {
        Ty::Error => true,
        Ty::List(t) | Ty::Option(t) | Ty::Thread(t) => contains_error(t),
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

/// A `{}` or `{:?}` in a format string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placeholder {
    Display,
    Debug,
}

enum FormatProblem {
    Named(String),
    Invalid(String),
}

/// A template with named placeholders (`"{n} {}"`) made positional, with
/// its arguments in the order the placeholders take them (`"{} {}", n, x`);
/// `{{n}}` stays literal text. `None` if a placeholder is neither a name
/// nor positional, or the arguments do not match.
fn positional_form(template: &str, given: &[String]) -> Option<(String, Vec<String>)> {
    let mut text = String::new();
    let mut arguments = Vec::new();
    let mut given = given.iter();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push_str("{{");
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push_str("}}");
            }
            '{' => {
                let mut inside = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        other => inside.push(other),
                    }
                }
                let (name, spec) = inside.split_once(':').unwrap_or((&inside, ""));
                text.push('{');
                if !spec.is_empty() || inside.contains(':') {
                    text.push(':');
                    text.push_str(spec);
                }
                text.push('}');
                if name.is_empty() {
                    arguments.push(given.next()?.clone());
                } else if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                {
                    arguments.push(name.to_string());
                } else {
                    return None;
                }
            }
            other => text.push(other),
        }
    }
    given.next().is_none().then_some((text, arguments))
}

fn parse_placeholders(template: &str) -> Result<Vec<Placeholder>, FormatProblem> {
    let mut out = Vec::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
            }
            '{' => {
                let mut inside = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    inside.push(c);
                }
                if !closed {
                    return Err(FormatProblem::Invalid(
                        "unclosed `{` in format string".into(),
                    ));
                }
                let (name, spec) = inside.split_once(':').unwrap_or((&inside, ""));
                if !name.is_empty() {
                    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !name.starts_with(|c: char| c.is_ascii_digit())
                    {
                        return Err(FormatProblem::Named(name.to_string()));
                    }
                    return Err(FormatProblem::Invalid(format!(
                        "`{{{inside}}}` is not a placeholder"
                    )));
                }
                match spec {
                    "" => out.push(Placeholder::Display),
                    "?" | "#?" => out.push(Placeholder::Debug),
                    s if is_precision(s) => out.push(Placeholder::Display),
                    other => {
                        return Err(FormatProblem::Invalid(format!(
                            "unsupported format spec `:{other}`"
                        )))
                    }
                }
            }
            '}' => {
                return Err(FormatProblem::Invalid(
                    "unmatched `}` in format string".into(),
                ))
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `.2` (precision) and width/alignment forms like `>8`, `<10`, `08.3`:
/// one alignment at most, and numbers Rust accepts (up to 65,535).
fn is_precision(spec: &str) -> bool {
    let spec = spec.strip_prefix(['<', '>', '^']).unwrap_or(spec);
    let (width, precision) = spec.split_once('.').unwrap_or((spec, ""));
    let number = |digits: &str| {
        digits.chars().all(|c| c.is_ascii_digit())
            && (digits.is_empty() || digits.parse::<u16>().is_ok())
    };
    !spec.is_empty()
        && number(width)
        && number(precision)
        && (spec.contains('.') != precision.is_empty())
}

#[cfg(test)]
mod positional_form_tests {
    use super::positional_form;

    #[test]
    fn names_become_arguments_in_placeholder_order_and_escapes_stay() {
        let given = vec!["x".to_string()];
        assert_eq!(
            positional_form("{{n}} {n} {}", &given),
            Some((
                "{{n}} {} {}".to_string(),
                vec!["n".to_string(), "x".to_string()]
            ))
        );
        assert_eq!(
            positional_form("{} {total:>5} {name:?}", &given),
            Some((
                "{} {:>5} {:?}".to_string(),
                vec!["x".to_string(), "total".to_string(), "name".to_string()]
            ))
        );
        // A placeholder that is not a name, or arguments left over: no fix.
        assert_eq!(positional_form("{0}", &[]), None);
        assert_eq!(positional_form("{n}", &given), None);
    }
}
