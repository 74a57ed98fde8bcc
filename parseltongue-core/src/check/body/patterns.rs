//! `match`: arms, patterns and their exhaustiveness.

use super::*;

impl<'a> BodyChecker<'_, 'a> {
    pub(super) fn check_match(
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
                    .with_label("no value can reach this")
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
    pub(super) fn missing_arms_edit(
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

    pub(super) fn check_pattern(
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

    pub(super) fn declare_pattern_names(&mut self, pattern: &ast::Pattern) {
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

    pub(super) fn check_pattern_shape(
        &mut self,
        pattern: &ast::Pattern,
        ty: &Ty,
        borrowed: bool,
        top: bool,
    ) -> ir::Pattern {
        let span = pattern.span;
        let mismatch = |this: &mut Self, what: &str| {
            let shown = this.show(ty);
            this.c.error(
                Diagnostic::error(
                    codes::PATTERN_MISMATCH,
                    span,
                    format!("{what} cannot match a `{shown}`"),
                )
                .with_label(format!("the matched value is `{shown}`")),
            );
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
                        .with_label("bound again here")
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
                            .with_label("does not fit in `i64`")
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
                        .with_label("inside another pattern")
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
                            this.c.error(
                                Diagnostic::error(
                                    codes::PATTERN_MISMATCH,
                                    span,
                                    format!("`{name}` carries one value: write `{name}(…)`"),
                                )
                                .with_label(arity_label(
                                    args.as_ref().map_or(0, Vec::len),
                                    1,
                                    "value",
                                )),
                            );
                            ir::Pattern::Error
                        }
                    }
                };
                if path.len() == 1 {
                    match (name, ty) {
                        ("Some", Ty::Option(t)) => {
                            let inner = sub(self, t);
                            if !top
                                && self.item_tables().program.boxed_in_option(t)
                                && matches!(inner, ir::Pattern::Variant { .. })
                            {
                                // Rust cannot match through the pointer
                                // such an option holds (`Option<Box<T>>`).
                                let shown = self.show(t);
                                self.c.error(
                                    Diagnostic::error(
                                        codes::PATTERN_MISMATCH,
                                        span,
                                        format!("a `{shown}` inside `Some` can only be bound to a name here"),
                                    )
                                    .with_label("cannot see through the pointer here")
                                    .with_note(format!("`{shown}` contains itself, so its options hold it behind a pointer; only the top of a pattern sees through it"))
                                    .with_help("bind it to a name (`Some(inner)`) and `match inner` inside the arm"),
                                );
                                return ir::Pattern::Error;
                            }
                            return ir::Pattern::Some(Box::new(inner));
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
                                        .with_label(format!("missing `{enum_name}::`"))
                                        .with_suggestion("qualify the variant", path[0].span, format!("{enum_name}::{written}"), Applicability::MachineApplicable),
                                );
                                return ir::Pattern::Error;
                            }
                        }
                    }
                    self.c.error(
                        Diagnostic::error(codes::UNKNOWN_VARIANT, path[0].span, format!("no variant `{name}` here"))
                            .with_label("capitalised, so read as a variant")
                            .with_note("bindings in patterns start with a lowercase letter; variants are written `Enum::Variant`"),
                    );
                    return ir::Pattern::Error;
                }
                if *ty == Ty::Ordering || path.len() > 2 {
                    if let Some(value) = self.ordering_value(path) {
                        if *ty != Ty::Ordering {
                            return mismatch(self, "an `ordering` value");
                        }
                        if let Some(args) = args {
                            self.c.error(
                                Diagnostic::error(
                                    codes::PATTERN_MISMATCH,
                                    span,
                                    "`ordering` values carry nothing: write them without `(…)`",
                                )
                                .with_label("written with `(…)`"),
                            );
                            for a in args {
                                self.declare_pattern_names(a);
                            }
                            return ir::Pattern::Error;
                        }
                        return value.map_or(ir::Pattern::Error, ir::Pattern::Ordering);
                    }
                }
                let Some(type_id) = self.lookup_type_quiet(&path[..path.len() - 1]) else {
                    let d = match self.c.lookup_item(self.module, &path[..path.len() - 1]) {
                        Err(d) => d,
                        Ok(def) => Box::new(
                            Diagnostic::error(
                                codes::UNKNOWN_TYPE,
                                path[0].span,
                                format!("`{}` is not an enum", path[0].name),
                            )
                            .with_label(match def {
                                Def::Function(_) => "a function, not an enum",
                                Def::Const(_) => "a constant, not an enum",
                                Def::Type(_) => "a type, not an enum",
                            }),
                        ),
                    };
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
                    )
                    .with_label(format!(
                        "not a variant of `{}`",
                        self.c.tables.program.types[type_id].name
                    ));
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
                    self.c.error(
                        Diagnostic::error(
                            codes::PATTERN_MISMATCH,
                            span,
                            format!(
                                "variant `{name}` carries {} but the pattern has {given}",
                                count(payload.len(), "value")
                            ),
                        )
                        .with_label(arity_label(
                            given,
                            payload.len(),
                            "value",
                        )),
                    );
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
