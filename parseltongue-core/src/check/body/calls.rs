//! Calls: arguments and their modes (`mutable`, `owned`), functions,
//! methods, Rust constructors, record literals, fields and `with_lock`.

use super::*;

/// Where the expressions `walk` visits (outer before inner) read or
/// change `place`, a part of it, or what contains it; a disjoint field of
/// the same record is fine.
fn use_of_place(place: &ir::Expr, walk: impl FnOnce(&mut dyn FnMut(&ir::Expr))) -> Option<Span> {
    let mut covered: rustc_hash::FxHashSet<*const ir::Expr> = rustc_hash::FxHashSet::default();
    let mut found = None;
    walk(&mut |e| {
        if found.is_some() {
            return;
        }
        let base = match &e.kind {
            IrK::Field { base, .. } | IrK::Index { base, .. } => Some(&**base),
            IrK::Local { .. } => None,
            _ => return,
        };
        if covered.contains(&(e as *const ir::Expr)) || !super::overlaps(e, place) {
            // Part of a place that does not touch the map: its base is too.
            covered.extend(base.map(|b| b as *const ir::Expr));
        } else {
            found = Some(e.span);
        }
    });
    found
}

impl<'a> BodyChecker<'_, 'a> {
    pub(super) fn check_args(
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
            )
            .with_label(arity_label(args.len(), params.len(), "argument"));
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
    pub(super) fn check_distinct_mutable(
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

    pub(super) fn check_call(
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
                    self.c.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            span,
                            format!("`{}` takes exactly one value", name.name),
                        )
                        .with_label(arity_label(args.len(), 1, "value")),
                    );
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
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_A_VALUE,
                        name.span,
                        format!("`{}` is a value of type `{ty}`, not a function", name.name),
                    )
                    .with_label("called like a function")
                    .with_secondary(
                        self.locals[id].span,
                        format!("`{}` declared here", name.name),
                    ),
                );
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
                    self.c.error(
                        Diagnostic::error(
                            codes::UNKNOWN_METHOD,
                            name.span,
                            format!("`{type_name}` has no function `{}`", name.name),
                        )
                        .with_label(format!("not found in `{type_name}`")),
                    );
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
                        .with_label("called on the type, not on a value")
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
                    self.c.error(
                        Diagnostic::error(codes::NOT_A_VALUE, span, "tests cannot be called")
                            .with_label(format!("`{}` is a test", f.name)),
                    );
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
                )
                .with_label("called like a function");
                if matches!(self.c.tables.program.types[id].kind, TypeDefKind::Record(_)) {
                    d = d.with_help(format!(
                        "build a record with `{name} {{ field: value, … }}`"
                    ));
                }
                self.c.error(d);
                error_expr(span)
            }
            Ok(Def::Const(_)) => {
                self.c.error(
                    Diagnostic::error(codes::NOT_A_VALUE, span, "a constant cannot be called")
                        .with_label("called like a function"),
                );
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
    pub(super) fn rust_constructor(
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
    pub(super) fn check_visible(&mut self, f: &ir::Function, at: Span) {
        if f.module != self.module && !f.public {
            self.c.error(
                Diagnostic::error(
                    codes::PRIVATE_ITEM,
                    at,
                    format!("`{}` is private to its module", f.name),
                )
                .with_label("private function")
                .with_secondary(f.span, "declared here without `public`")
                .with_help("mark it `public`"),
            );
        }
    }

    /// `with_lock shared as guard { … }`: the guard is the locked value,
    /// changeable inside the block; the block's value is the expression's.
    pub(super) fn check_with_lock(
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
            .with_label("not declared with `let_mut_shared_var`")
            .with_secondary(
                self.locals[id].span,
                format!("`{}` declared here", shared.name),
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

    /// `with_entry map[key] or_insert default as name { … }`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_with_entry(
        &mut self,
        map: &ast::Expr,
        key: &ast::Expr,
        default: &ast::Expr,
        name: &ast::Ident,
        body: &ast::Block,
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let map_ir = self.check_place(map);
        // Updated in place, the map is used (an outer `with_entry`'s
        // value that an inner one updates is not "never used").
        if let Some(id) = Self::root_local(&map_ir) {
            self.note_use(id);
        }
        let (key_ty, value_ty) = match &map_ir.ty {
            Ty::Map(k, v) => ((**k).clone(), (**v).clone()),
            Ty::Error => (Ty::Error, Ty::Error),
            other => {
                let shown = self.show(other);
                self.c.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        map.span,
                        format!("`with_entry` updates a value in a map, not in a `{shown}`"),
                    )
                    .with_label(format!("this is `{shown}`"))
                    .with_help("for a list element, assign it: `xs[i] = …`"),
                );
                (Ty::Error, Ty::Error)
            }
        };
        let key_ir = self.check_expr(key, Some(&key_ty));
        self.expect_type(&key_ir, &key_ty);
        let default_ir = self.check_expr(default, Some(&value_ty));
        self.expect_type(&default_ir, &value_ty);
        if matches!(key_ty, Ty::Unknown) {
            self.c.check_map_key(&key_ir.ty, key_ir.span);
        }
        if map_ir.ty.is_incomplete() {
            let known = Ty::Map(Box::new(key_ir.ty.clone()), Box::new(default_ir.ty.clone()));
            self.refine(&map_ir, &known);
        }
        let value_ty = match (&value_ty, &default_ir.ty) {
            (Ty::Unknown, known) => known.clone(),
            (v, _) => v.clone(),
        };
        self.scopes.open();
        let value = self.declare(name, value_ty, Repr::MutRef, true, Origin::Entry);
        let (block, block_ty) = self.check_block(body, expected);
        self.scopes.close();
        // The entry holds the map from the key's lookup to the block's
        // end: nothing in between may read or change it.
        for (what, part) in [("key", &key_ir), ("inserted value", &default_ir)] {
            if let Some(at) = use_of_place(&map_ir, |v| ir::walk_expr(part, v, &mut |_| {})) {
                self.map_in_use(map.span, at, what);
            }
        }
        if let Some(at) = use_of_place(&map_ir, |v| ir::walk_block(&block, v, &mut |_| {})) {
            self.map_in_use(map.span, at, "block");
        }
        expr(
            IrK::WithEntry {
                map: Box::new(map_ir),
                key: Box::new(key_ir),
                default: Box::new(default_ir),
                value,
                body: Box::new(block),
            },
            block_ty,
            span,
        )
    }

    fn map_in_use(&mut self, map_span: Span, at: Span, part: &str) {
        let shown = self.text(map_span).to_string();
        self.c.error(
            Diagnostic::error(
                codes::MAP_IN_USE,
                at,
                format!(
                    "`{shown}` is being updated by this `with_entry`; its {part} cannot use it"
                ),
            )
            .with_label("used here")
            .with_secondary(map_span, "updated here")
            .with_help("read what you need from the map into a variable before `with_entry`"),
        );
    }

    pub(super) fn check_record_literal(
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
            Ok(def) => {
                let label = match def {
                    Def::Type(t) => match self.c.tables.program.types[t].kind {
                        TypeDefKind::Enum(_) => "an enum, not a record",
                        _ => "a `rust_type`, not a record",
                    },
                    Def::Function(_) => "a function, not a record",
                    Def::Const(_) => "a constant, not a record",
                };
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_A_VALUE,
                        path[0].span,
                        format!("`{}` is not a record", path[path.len() - 1].name),
                    )
                    .with_label(label),
                );
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
        // Field positions in the order written: the order of evaluation.
        let mut written: Vec<usize> = Vec::with_capacity(declared.len());
        for (name, value) in fields {
            match declared.iter().position(|(n, _)| *n == name.name) {
                Some(i) => {
                    self.c.refer(name.span, ir::Target::Field(id, i));
                    let checked = self.check_value(value, Some(&declared[i].1));
                    self.expect_type(&checked, &declared[i].1);
                    if values[i].is_some() {
                        let mut d = Diagnostic::error(
                            codes::RECORD_FIELDS,
                            name.span,
                            format!("field `{}` is given twice", name.name),
                        )
                        .with_label("given again here");
                        if let Some((first, _)) = fields.iter().find(|(n, _)| n.name == name.name) {
                            d = d.with_secondary(first.span, "first given here");
                        }
                        self.c.error(d);
                    }
                    if values[i].is_none() {
                        written.push(i);
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
                    )
                    .with_label(format!("not a field of `{record}`"));
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
                .with_label(format!(
                    "{} of {} given",
                    declared.len() - missing.len(),
                    count(declared.len(), "field")
                ))
                .with_note("every field must be given a value"),
            );
        }
        // Missing fields (already reported) come last, as errors.
        written.extend((0..values.len()).filter(|i| values[*i].is_none()));
        let fields = written
            .into_iter()
            .map(|i| (i, values[i].take().unwrap_or_else(|| error_expr(span))))
            .collect();
        expr(IrK::Record { ty: id, fields }, Ty::Named(id), span)
    }

    pub(super) fn field_access(
        &mut self,
        base: ir::Expr,
        field: &ast::Ident,
        span: Span,
    ) -> ir::Expr {
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
                    )
                    .with_label(format!("not a field of `{record}`"));
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
                    let label = match self.c.tables.program.types[id].kind {
                        TypeDefKind::Enum(_) => format!("`{name}` is an enum"),
                        _ => format!("`{name}` is a `rust_type`"),
                    };
                    self.c.error(
                        Diagnostic::error(
                            codes::UNKNOWN_FIELD,
                            field.span,
                            format!("`{name}` is not a record, so it has no fields"),
                        )
                        .with_label(label)
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
                )
                .with_label(format!("`{shown}` values have no fields"));
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

    pub(super) fn check_method_call(
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
        let is_user_type =
            matches!(recv.ty, Ty::Named(id) if !self.c.tables.program.types[id].kind.is_opaque());
        if method.name == "clone" && contains_thread(&recv.ty) {
            self.c.error(
                Diagnostic::error(
                    codes::UNKNOWN_METHOD,
                    method.span,
                    "a value holding a `thread` cannot be copied",
                )
                .with_label(format!(
                    "called on a value of type `{}`",
                    self.show(&recv.ty)
                ))
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
                )
                .with_label(format!("method not found in `{type_name}`"));
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
                        .with_label("declared without `self`")
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
            )
            .with_label(format!("method not found in `{shown}`"));
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
            } else if method.name == "entry" && matches!(recv.ty, Ty::Map(..)) {
                d = d.with_help(
                    "change a value in place with `with_entry counts[key] or_insert 0 as count { count += 1; }`",
                );
            }
            self.c.error(d);
            for a in args {
                self.check_reported_argument(a);
            }
            return error_expr(span);
        };
        match sig.receiver {
            ReceiverUse::Mutate => self.require_mutable(&recv, receiver.span, false),
            ReceiverUse::Consume => self.require_owned(&recv, receiver.span, &method.name),
            ReceiverUse::Read => {}
        }
        if let (Some(shape), Ty::List(element)) = (sig.function, &recv.ty) {
            let element = (**element).clone();
            let function = match args {
                [one] => self.check_function_argument(one, &element, shape, method),
                _ => {
                    self.c.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            span,
                            format!(
                                "`{}` takes 1 argument but {} {} given",
                                method.name,
                                args.len(),
                                if args.len() == 1 { "was" } else { "were" }
                            ),
                        )
                        .with_label(arity_label(args.len(), 1, "argument"))
                        .with_note(format!("it takes {}", shape.describe(&self.show(&element)))),
                    );
                    for a in args {
                        self.check_reported_argument(a);
                    }
                    error_expr(span)
                }
            };
            return expr(
                IrK::Builtin {
                    builtin: Builtin::Method(sig.method),
                    args: vec![recv, function],
                },
                sig.returns,
                span,
            );
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
}
