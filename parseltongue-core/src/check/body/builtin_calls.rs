//! Calls of the built-in functions (`print_line`, `format`, `list_of`,
//! `range`, …) and their format strings.

use super::*;

impl<'a> BodyChecker<'_, 'a> {
    pub(super) fn check_builtin(
        &mut self,
        keyword: Keyword,
        args: &[ast::Expr],
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        if matches!(
            keyword,
            Keyword::RunEveryCycle | Keyword::MailboxOn | Keyword::PartitionMetrics
        ) {
            return self.check_partition_builtin(keyword, args, span);
        }
        let builtin = match keyword {
            Keyword::PrintLine => Builtin::PrintLine,
            Keyword::Print => Builtin::Print,
            Keyword::PrintErrorLine => Builtin::PrintErrorLine,
            Keyword::Format => Builtin::Format,
            Keyword::Panic => Builtin::Panic,
            Keyword::Assert => Builtin::Assert,
            Keyword::AssertEqual => Builtin::AssertEqual,
            Keyword::ListOf => Builtin::ListOf,
            Keyword::ListOfCopies => Builtin::ListOfCopies,
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
                    self.c.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            span,
                            "`assert` takes one condition",
                        )
                        .with_label(arity_label(args.len(), 1, "argument")),
                    );
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
                    self.c.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            span,
                            "`assert_equal` takes two values",
                        )
                        .with_label(arity_label(args.len(), 2, "value")),
                    );
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
            Builtin::ListOfCopies => {
                let elem = match expected {
                    Some(Ty::List(t)) if !t.is_incomplete() => Some((**t).clone()),
                    _ => None,
                };
                if args.len() != 2 {
                    self.c.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            span,
                            format!(
                                "`list_of_copies(value, count)` takes 2 arguments, found {}",
                                args.len()
                            ),
                        )
                        .with_label(arity_label(args.len(), 2, "argument")),
                    );
                    for a in args {
                        self.check_expr(a, None);
                    }
                    return error_expr(span);
                }
                let value = self.check_value(&args[0], elem.as_ref());
                if let Some(e) = &elem {
                    self.expect_type(&value, e);
                }
                let count = self.check_expr(&args[1], Some(&Ty::I64));
                self.expect_type(&count, &Ty::I64);
                let ty = Ty::List(Box::new(value.ty.clone()));
                expr(
                    IrK::Builtin {
                        builtin,
                        args: vec![value, count],
                    },
                    ty,
                    span,
                )
            }
            Builtin::MapOf => {
                if !args.is_empty() {
                    self.c.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            span,
                            "`map_of()` takes no arguments; add entries with `insert`",
                        )
                        .with_label(arity_label(args.len(), 0, "argument")),
                    );
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
                    self.c.error(
                        Diagnostic::error(
                            codes::WRONG_ARGUMENT_COUNT,
                            span,
                            format!("`{}` takes a start and an end", keyword.as_str()),
                        )
                        .with_label(arity_label(args.len(), 2, "argument")),
                    );
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
    pub(super) fn check_format(
        &mut self,
        keyword: Keyword,
        args: &[ast::Expr],
        span: Span,
    ) -> Vec<ir::Expr> {
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
                .with_label("called without arguments")
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
                .with_label("a value, not a format string")
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
                        .with_label("has a named placeholder")
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
                    .with_label("in this format string")
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
            let label = if placeholders.len() > values.len() {
                format!(
                    "{} without a value",
                    count(placeholders.len() - values.len(), "placeholder")
                )
            } else if placeholders.is_empty() {
                "has no placeholders".to_string()
            } else {
                format!("only {}", count(placeholders.len(), "placeholder"))
            };
            let mut d = Diagnostic::error(
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
            .with_label(label);
            for extra in values.iter().skip(placeholders.len()) {
                d = d.with_secondary(extra.span, "no placeholder for this value");
            }
            self.c
                .error(d.with_note("each `{}` or `{:?}` takes the next argument"));
        }
        for (i, value) in values.iter().enumerate() {
            let checked = self.check_expr(value, None);
            if placeholders.get(i) == Some(&Placeholder::Display) && !is_displayable(&checked.ty) {
                let shown = self.show(&checked.ty);
                self.c.error(
                    Diagnostic::error(codes::NOT_DISPLAYABLE, value.span, format!("`{shown}` cannot be formatted with `{{}}`"))
                        .with_label(format!("this is `{shown}`"))
                        .with_note("`{}` shows `i64`, `f64`, `bool` and `string`; `{:?}` shows any value in its debug form")
                        .with_help("use `{:?}` for this value"),
                );
            }
            if matches!(checked.ty, Ty::Thread(_) | Ty::Task(_) | Ty::Mailbox(_))
                || self.is_rust_type(&checked.ty)
            {
                let shown = self.show(&checked.ty);
                let label = if matches!(checked.ty, Ty::Thread(_) | Ty::Task(_) | Ty::Mailbox(_)) {
                    "a handle has no text form".to_string()
                } else {
                    format!("`{shown}` is a `rust_type`")
                };
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_DISPLAYABLE,
                        value.span,
                        format!("`{shown}` cannot be formatted"),
                    )
                    .with_label(label),
                );
            }
            out.push(checked);
        }
        out
    }
}

/// A `{}` or `{:?}` in a format string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placeholder {
    Display,
    Debug,
}

pub(super) enum FormatProblem {
    Named(String),
    Invalid(String),
}

/// A template with named placeholders (`"{n} {}"`) made positional, with
/// its arguments in the order the placeholders take them (`"{} {}", n, x`);
/// `{{n}}` stays literal text. `None` if a placeholder is neither a name
/// nor positional, or the arguments do not match.
pub(super) fn positional_form(template: &str, given: &[String]) -> Option<(String, Vec<String>)> {
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

pub(super) fn parse_placeholders(template: &str) -> Result<Vec<Placeholder>, FormatProblem> {
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
pub(super) fn is_precision(spec: &str) -> bool {
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
