//! Custom order: the `Ordering::Less` / `Equal` / `Greater` values, and
//! functions named as arguments (`xs.sort_by(by_count)`,
//! `xs.min_by_key(price)`), checked against the shape the method needs.

use super::*;
use crate::check::builtins::FunctionShape;
use std::cmp::Ordering;

/// The spellings of the three `ordering` values.
const ORDERINGS: [(&str, Ordering); 3] = [
    ("Less", Ordering::Less),
    ("Equal", Ordering::Equal),
    ("Greater", Ordering::Greater),
];

/// The types a key function may return: those with one obvious order.
fn is_key_type(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::I64 | Ty::F64 | Ty::Str | Ty::Bool | Ty::Ordering | Ty::Error
    )
}

impl BodyChecker<'_, '_> {
    /// `Ordering::Less` and its kin, when `path` names the built-in
    /// `ordering` (a program's own `Ordering` type comes first); Rust's
    /// `std::cmp::Ordering::Less` is reported with the short spelling.
    /// `None` when the path is not about `Ordering`.
    pub(super) fn ordering_value(&mut self, path: &[ast::Ident]) -> Option<Result<Ordering, ()>> {
        let [prefix @ .., enum_name, variant] = path else {
            return None;
        };
        if enum_name.name != "Ordering" {
            return None;
        }
        let rust_path = matches!(prefix, [std, cmp] if matches!(std.name.as_str(), "std" | "core") && cmp.name == "cmp");
        if !(prefix.is_empty() || rust_path) {
            return None;
        }
        if let Some(declared) = self.lookup_type_quiet(std::slice::from_ref(enum_name)) {
            // The program's own `Ordering` comes first; if it has no such
            // variant, say what it hides.
            let def = &self.item_tables().program.types[declared];
            let has_variant = matches!(&def.kind, TypeDefKind::Enum(variants) if variants.iter().any(|(v, _)| *v == variant.name));
            if has_variant || !ORDERINGS.iter().any(|(n, _)| *n == variant.name) {
                return None;
            }
            let span = def.span;
            self.c.error(
                Diagnostic::error(
                    codes::UNKNOWN_VARIANT,
                    variant.span,
                    format!(
                        "`Ordering` here is the program's own type, which has no `{}`",
                        variant.name
                    ),
                )
                .with_label("not a variant of the program's `Ordering`")
                .with_secondary(span, "declared here")
                .with_note(
                    "a record or enum named `Ordering` hides the values of the built-in `ordering`",
                )
                .with_help("rename the program's type"),
            );
            return Some(Err(()));
        }
        let Some(&(name, value)) = ORDERINGS.iter().find(|(n, _)| *n == variant.name) else {
            let mut d = Diagnostic::error(
                codes::UNKNOWN_VARIANT,
                variant.span,
                format!("`ordering` has no value `{}`", variant.name),
            )
            .with_label("not `Less`, `Equal` or `Greater`")
            .with_note(
                "its values are `Ordering::Less`, `Ordering::Equal` and `Ordering::Greater`",
            );
            d = suggest::did_you_mean(d, variant, ORDERINGS.iter().map(|(n, _)| *n));
            self.c.error(d);
            return Some(Err(()));
        };
        if rust_path {
            let whole = prefix[0].span.to(variant.span);
            self.c.error(
                Diagnostic::error(
                    codes::RUST_SPELLING,
                    whole,
                    format!("Parseltongue writes the `ordering` values without a path: `Ordering::{name}`"),
                )
                .with_label("Rust path")
                .with_suggestion(
                    "drop the path",
                    whole,
                    format!("Ordering::{name}"),
                    Applicability::MachineApplicable,
                ),
            );
        }
        Some(Ok(value))
    }

    /// The function named as the argument of a built-in method that takes
    /// one (`sort_by`, `min_by_key`…), applied to locals that stand for
    /// the elements of a `list<element>`. A value, a call or a lambda in
    /// its place, or a function of the wrong shape, is reported here.
    pub(super) fn check_function_argument(
        &mut self,
        argument: &ast::Expr,
        element: &Ty,
        shape: FunctionShape,
        method: &ast::Ident,
    ) -> ir::Expr {
        let span = argument.span;
        let wanted = shape.describe(&self.show(element));
        let named = match &argument.kind {
            K::Path(path) => path,
            K::Call { callee, args } => {
                let text = callee
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join("::");
                let mut d = Diagnostic::error(
                    codes::NOT_A_VALUE,
                    span,
                    format!(
                        "`{}` takes the function's name, not a call of it",
                        method.name
                    ),
                )
                .with_label("a call of the function")
                .with_note(format!(
                    "`{}` calls it for each element: {wanted}",
                    method.name
                ));
                if args.is_empty() {
                    d = d.with_suggestion(
                        "pass the name alone",
                        span,
                        text,
                        Applicability::MachineApplicable,
                    );
                }
                self.c.error(d);
                for a in args {
                    self.check_expr(a, None);
                }
                return error_expr(span);
            }
            K::Error => return error_expr(span),
            _ => {
                let checked = self.check_expr(argument, None);
                if checked.ty != Ty::Error {
                    let shown = self.show(&checked.ty);
                    self.c.error(
                        Diagnostic::error(
                            codes::NOT_A_VALUE,
                            span,
                            format!("`{}` takes the name of a function", method.name),
                        )
                        .with_label(format!("a value of type `{shown}`"))
                        .with_note(format!("the function is {wanted}"))
                        .with_help(format!(
                            "declare it with `function` and write its name: `{}(name)`",
                            method.name
                        )),
                    );
                }
                return error_expr(span);
            }
        };
        let function = if let [name] = named.as_slice() {
            if let Some((local, _)) = self.lookup_local(&name.name) {
                let checked = self.check_expr(argument, None);
                let shown = self.show(&checked.ty);
                let declared = self.locals[local].span;
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_A_VALUE,
                        span,
                        format!(
                            "`{}` is a value of type `{shown}`, not a function",
                            name.name
                        ),
                    )
                    .with_label("a variable, not a function name")
                    .with_secondary(declared, format!("`{}` declared here", name.name))
                    .with_note(format!(
                        "`{}` takes the name of a function: {wanted}",
                        method.name
                    )),
                );
                return error_expr(span);
            }
            self.c.lookup_item(self.module, named)
        } else {
            self.lookup_function_path(named)
        };
        let function = match function {
            Ok(Def::Function(id)) => id,
            Ok(def) => {
                let name = &named[named.len() - 1].name;
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_A_VALUE,
                        span,
                        format!("`{name}` is not a function"),
                    )
                    .with_label(if matches!(def, Def::Type(_)) {
                        "a type, not a function"
                    } else {
                        "a constant, not a function"
                    })
                    .with_note(format!(
                        "`{}` takes the name of a function: {wanted}",
                        method.name
                    )),
                );
                return error_expr(span);
            }
            Err(d) => {
                self.c.error(*d);
                return error_expr(span);
            }
        };
        self.c.mark_used(Def::Function(function));
        let last = &named[named.len() - 1];
        self.c.refer(last.span, ir::Target::Function(function));
        let tables = self.item_tables();
        let f = &tables.program.functions[function];
        self.check_visible(f, last.span);
        let self_mode = match f.kind {
            ir::FunctionKind::Method { receiver, .. } => receiver,
            _ => None,
        };
        // Every value the function takes, `self` first.
        let mut takes: Vec<(SmolStr, Ty, ParamMode)> = Vec::new();
        if let (Some(mode), ir::FunctionKind::Method { of, .. }) = (self_mode, &f.kind) {
            takes.push(("self".into(), Ty::Named(*of), mode));
        }
        takes.extend(
            f.params
                .iter()
                .map(|p| (p.name.clone(), p.ty.clone(), p.mode)),
        );
        let arity = shape.arity();
        let mut problems = Vec::new();
        if takes.len() != arity {
            problems.push(format!("it takes {}", count(takes.len(), "value")));
        }
        for (name, ty, mode) in &takes {
            if !fits(ty, element) || !fits(element, ty) {
                problems.push(format!("`{name}` is a `{}`", self.show(ty)));
            }
            match mode {
                ParamMode::Mutable => problems.push(format!("`{name}` is `mutable`")),
                ParamMode::Owned => problems.push(format!("`{name}` is `owned`")),
                ParamMode::Read => {}
            }
        }
        let returns = f.returns.clone();
        match shape {
            FunctionShape::Compare if !fits(&returns, &Ty::Ordering) => {
                problems.push(format!("it returns `{}`", self.show(&returns)));
            }
            FunctionShape::Key if !is_key_type(&returns) => {
                problems.push(if returns == Ty::Unit {
                    "it returns nothing".to_string()
                } else {
                    format!(
                        "it returns `{}`, which has no single order",
                        self.show(&returns)
                    )
                });
            }
            FunctionShape::Cycle | FunctionShape::Handler if returns != Ty::Unit => {
                problems.push(format!("it returns `{}`", self.show(&returns)));
            }
            _ => {}
        }
        if !problems.is_empty() {
            let name = f.name.clone();
            let declared = f.span;
            self.c.error(
                Diagnostic::error(
                    codes::FUNCTION_ARGUMENT,
                    span,
                    format!(
                        "`{name}` does not fit `{}`: {}",
                        method.name,
                        problems.join(", ")
                    ),
                )
                .with_label(match shape {
                    FunctionShape::Compare => "not a comparison of two elements",
                    FunctionShape::Key => "not a key of one element",
                    FunctionShape::Cycle => "not the work of one cycle",
                    FunctionShape::Handler => "not a handler of one message",
                })
                .with_secondary(declared, "declared here")
                .with_note(format!("`{}` needs {wanted}", method.name)),
            );
            return error_expr(span);
        }
        // The closure's parameters are named after the function's own, so
        // the generated Rust reads like the declaration; never after the
        // function or its module, which the call names.
        let mut taken: Vec<SmolStr> = named.iter().map(|i| i.name.clone()).collect();
        if let ir::FunctionKind::Rust { path } = &f.kind {
            taken.extend(path.split("::").map(SmolStr::from));
        }
        let params: Vec<LocalId> = takes
            .iter()
            .enumerate()
            .map(|(i, (name, _, _))| {
                let fallback = ["item", "other", "left", "right", "value"];
                let mut chosen = if name == "self" {
                    SmolStr::from(fallback[i])
                } else {
                    name.clone()
                };
                let mut k = 0;
                while taken.contains(&chosen) || takes[..i].iter().any(|(n, _, _)| *n == chosen) {
                    chosen = match fallback.get(k) {
                        Some(f) => SmolStr::from(*f),
                        None => format!("value_{k}").into(),
                    };
                    k += 1;
                }
                // A cycle number or a message is the closure's own value;
                // a list element is a view into the list.
                let repr = match shape {
                    FunctionShape::Cycle | FunctionShape::Handler => Repr::Value,
                    FunctionShape::Compare | FunctionShape::Key => Repr::Ref,
                };
                self.closure_parameter(chosen, element, span, repr)
            })
            .collect();
        let local = |id: LocalId| expr(IrK::Local { id, moved: false }, element.clone(), span);
        let call = if self_mode.is_some() {
            expr(
                IrK::MethodCall {
                    function,
                    receiver: Box::new(local(params[0])),
                    args: params[1..].iter().map(|&p| local(p)).collect(),
                },
                returns.clone(),
                span,
            )
        } else {
            expr(
                IrK::Call {
                    function,
                    args: params.iter().map(|&p| local(p)).collect(),
                },
                returns.clone(),
                span,
            )
        };
        expr(
            IrK::FunctionArgument {
                params,
                call: Box::new(call),
            },
            returns,
            span,
        )
    }

    /// An argument of a call that is already reported: a function's name
    /// there (`xs.sort_unstable_by(by_price)`) is no second mistake.
    pub(super) fn check_reported_argument(&mut self, argument: &ast::Expr) {
        if let K::Path(path) = &argument.kind {
            let is_local =
                matches!(path.as_slice(), [name] if self.lookup_local(&name.name).is_some());
            if !is_local {
                if let Ok(Def::Function(id)) = self.c.lookup_item(self.module, path) {
                    self.c.mark_used(Def::Function(id));
                    self.c
                        .refer(path[path.len() - 1].span, ir::Target::Function(id));
                    return;
                }
            }
        }
        self.check_expr(argument, None);
    }

    /// A local that a generated closure binds: it views one element, is
    /// read by the call alone and is in no scope the program can name.
    fn closure_parameter(
        &mut self,
        name: SmolStr,
        element: &Ty,
        span: Span,
        repr: Repr,
    ) -> LocalId {
        let id = self.locals.len();
        self.locals.push(ir::Local {
            name,
            ty: element.clone(),
            repr,
            mutable: false,
            mutated: false,
            used: true,
            span,
            generated: true,
        });
        self.origins.push(Origin::LoopItem);
        self.consumed.push(None);
        id
    }

    /// `module::function` or `Type::function` named as an argument.
    fn lookup_function_path(&mut self, path: &[ast::Ident]) -> Result<Def, Box<Diagnostic>> {
        if let [type_name, function] = path {
            if let Some(id) = self.lookup_type_quiet(std::slice::from_ref(type_name)) {
                let tables = self.item_tables();
                return match tables
                    .methods
                    .get(&id)
                    .and_then(|m| m.get(function.name.as_str()))
                {
                    Some(&f) => Ok(Def::Function(f)),
                    None => Err(Box::new(
                        Diagnostic::error(
                            codes::UNKNOWN_METHOD,
                            function.span,
                            format!(
                                "`{}` has no method `{}`",
                                tables.program.types[id].name, function.name
                            ),
                        )
                        .with_label(format!("not found in `{}`", tables.program.types[id].name)),
                    )),
                };
            }
        }
        self.c.lookup_item(self.module, path)
    }
}
