//! The printing built-ins: format strings with their arguments inlined
//! where clippy asks, and evaluated in source order where it matters.

use super::expr::{tighten_unary, Want};
use super::Lowerer;
use crate::ir::{Expr, ExprKind as K, Repr};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

impl Lowerer<'_> {
    /// `name!(template, args…)`. When an argument changes a variable,
    /// the arguments are first evaluated left to right into temporaries,
    /// so the output is what the order of the source says.
    pub(super) fn formatted(&mut self, name: &str, args: &[Expr]) -> TokenStream {
        let mac = format_ident!("{}", name);
        let values = args.get(1..).unwrap_or(&[]);
        let Some(Expr {
            kind: K::Template { template },
            ..
        }) = args.first()
        else {
            return quote!(#mac!());
        };
        if !values.iter().any(|v| self.mutates_something(v)) {
            let (text, positional) = self.inline_format_args(template, values);
            if name == "format"
                && positional.is_empty()
                && !text.replace("{{", "").replace("}}", "").contains('{')
            {
                // Nothing left to format: a plain string (clippy: useless_format).
                let lit = Literal::string(&text.replace("{{", "{").replace("}}", "}"));
                let string = self.lib("String");
                return quote!(#string::from(#lit));
            }
            if text.is_empty() && positional.is_empty() && matches!(name, "println" | "eprintln") {
                // An empty line (clippy: println_empty_string).
                return quote!(#mac!());
            }
            let lit = Literal::string(&text);
            let arguments = tighten_unary(quote!(#lit #(, #positional)*));
            return quote!(#mac!(#arguments));
        }
        let names: Vec<proc_macro2::Ident> = (0..values.len())
            .map(|i| format_ident!("__argument_{}", i))
            .collect();
        let specs: Vec<&str> = template_pieces(template)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Placeholder(spec) => Some(spec),
                Piece::Text(_) => None,
            })
            .collect();
        let lets: Vec<TokenStream> = values
            .iter()
            .zip(&names)
            .zip(specs.iter().chain(std::iter::repeat(&"")))
            .map(|((v, n), spec)| {
                if spec.contains('?') && super::map_order::shows_map_order(&v.ty) {
                    // Shown in key order: a sorted view of the value.
                    let t = self.shown_map_holder(v, Want::Owned).tokens;
                    let view = self.sorted_view(quote!(#n), quote!(&#n), &v.ty, 0);
                    quote!(let #n = #t; let #n = #view;)
                } else {
                    let t = self.expr(v, Want::Owned).tokens;
                    quote!(let #n = #t;)
                }
            })
            .collect();
        let mut text = String::new();
        let mut next = names.iter();
        for piece in template_pieces(template) {
            match piece {
                Piece::Text(plain) => text.push_str(plain),
                Piece::Placeholder(spec) => {
                    let name = next.next().map(ToString::to_string).unwrap_or_default();
                    text.push('{');
                    text.push_str(&name);
                    text.push_str(spec);
                    text.push('}');
                }
            }
        }
        let lit = Literal::string(&text);
        quote!({ #(#lets)* #mac!(#lit) })
    }

    /// Writes plain variables into the format string (`{name}`), as clippy
    /// asks, and keeps other arguments positional.
    pub(super) fn inline_format_args(
        &mut self,
        template: &str,
        values: &[Expr],
    ) -> (String, Vec<TokenStream>) {
        // Names written into the text are read after all positional
        // arguments are evaluated; so variables are inlined only when no
        // argument changes anything, and evaluation order cannot show.
        let all_inlinable = !values.iter().any(|v| self.mutates_something(v));
        let mut out = String::new();
        let mut positional = Vec::new();
        let mut values = values.iter();
        for piece in template_pieces(template) {
            let spec = match piece {
                Piece::Text(text) => {
                    out.push_str(text);
                    continue;
                }
                Piece::Placeholder(spec) => spec,
            };
            let spec = spec.to_string();
            let Some(value) = values.next() else { break };
            // `{}` of `x.to_string()` or `x.clone()` shows `x` (clippy:
            // to_string_in_format_args).
            let value = shown_value(value, &spec);
            // As the lowering writes it (a block of only a `format` or a
            // variable is that), for what is written into the template; the
            // rest is lowered whole, typed by its block.
            let simple = super::source_lints::simplified(value);
            // `{}` of `format(…)` is that format's text in place (clippy:
            // format_in_format_args).
            if let (
                "",
                K::Builtin {
                    builtin: crate::ir::Builtin::Format,
                    args: inner,
                },
            ) = (spec.as_str(), &simple.kind)
            {
                if let Some(Expr {
                    kind:
                        K::Template {
                            template: inner_template,
                        },
                    ..
                }) = inner.first()
                {
                    let (text, inner_positional) =
                        self.inline_format_args(inner_template, &inner[1..]);
                    out.push_str(&text);
                    positional.extend(inner_positional);
                    continue;
                }
            }
            if spec.contains('?') {
                if let Some(view) = self.debug_shown(value) {
                    out.push('{');
                    out.push_str(&spec);
                    out.push('}');
                    positional.push(view);
                    continue;
                }
            }
            // Literals are written into the text itself (clippy: print_literal).
            if let Some(text) = self.literal_text(value, &spec) {
                out.push_str(&text.replace('{', "{{").replace('}', "}}"));
                continue;
            }
            match simple.kind {
                K::Local { id, .. } if all_inlinable && self.local_repr(id) != Repr::ArcMutex => {
                    let name = self.local_ident(id);
                    out.push('{');
                    out.push_str(&name.to_string());
                    out.push_str(&spec);
                    out.push('}');
                }
                _ => {
                    out.push('{');
                    out.push_str(&spec);
                    out.push('}');
                    positional.push(self.self_typed(value, Want::Read).tokens);
                }
            }
        }
        (out, positional)
    }
}

/// The value a placeholder shows: a copy (`x.clone()`) shows `x`, and so
/// does `x.to_string()` under a plain `{}`.
impl Lowerer<'_> {
    /// The text a literal argument shows under an empty spec (`{}`), also
    /// one that a `match` on a literal or a one-binding block gives; `None`
    /// for anything else. The lowering writes such text into the template.
    fn literal_text(&self, value: &Expr, spec: &str) -> Option<String> {
        if !spec.is_empty() {
            return None;
        }
        // `{ let_var c: bool = true; c }` is lowered as `true`, `match 0 {
        // _ => "x" }` as `"x"`, `"".to_string()` as `""`.
        let shown = super::source_lints::simplified(value);
        match &shown.kind {
            K::Str(text) => Some(text.clone()),
            K::Int(v) => Some(v.to_string()),
            K::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The text of `format(template, args…)` when every placeholder is a
    /// `{}` of a literal (or of such a `format`): the call is that text,
    /// which the lowering writes as a literal where it is only read.
    pub(super) fn literal_format(&self, args: &[Expr]) -> Option<String> {
        let Some(Expr {
            kind: K::Template { template },
            ..
        }) = args.first()
        else {
            return None;
        };
        let mut values = args[1..].iter();
        let mut out = String::new();
        for piece in template_pieces(template) {
            match piece {
                Piece::Text(text) => out.push_str(&text.replace("{{", "{").replace("}}", "}")),
                Piece::Placeholder(spec) => {
                    let value = shown_value(values.next()?, spec);
                    match &value.kind {
                        K::Builtin {
                            builtin: crate::ir::Builtin::Format,
                            args: inner,
                        } if spec.is_empty() => out.push_str(&self.literal_format(inner)?),
                        _ => out.push_str(&self.literal_text(value, spec)?),
                    }
                }
            }
        }
        Some(out)
    }
}

/// A part of a checked format template.
enum Piece<'t> {
    /// Text, with `{{` and `}}` still escaped.
    Text(&'t str),
    /// A placeholder: the spec after its `:`, or empty.
    Placeholder(&'t str),
}

/// The text and placeholders of a template the checker accepted, in order.
fn template_pieces(template: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'}' if bytes.get(i + 1) == Some(&bytes[i]) => i += 2,
            b'{' => {
                if text_start < i {
                    pieces.push(Piece::Text(&template[text_start..i]));
                }
                let close = template[i..].find('}').map_or(template.len(), |at| i + at);
                pieces.push(Piece::Placeholder(&template[i + 1..close]));
                i = close + 1;
                text_start = i;
            }
            _ => i += 1,
        }
    }
    if text_start < template.len() {
        pieces.push(Piece::Text(&template[text_start..]));
    }
    pieces
}

fn shown_value<'e>(value: &'e Expr, spec: &str) -> &'e Expr {
    match &value.kind {
        K::Builtin {
            builtin: crate::ir::Builtin::Method(crate::ir::BuiltinMethod::Clone),
            args,
        } => shown_value(&args[0], spec),
        K::Builtin {
            builtin: crate::ir::Builtin::Method(crate::ir::BuiltinMethod::ToText),
            args,
        } if spec.is_empty() => shown_value(&args[0], spec),
        // What the lowering writes for a one-arm match or a block of only
        // a value is looked through too: `match c { _ => x.to_string() }`
        // is written `x.to_string()`.
        _ => {
            let written = super::source_lints::simplified(value);
            if std::ptr::eq(written, value) {
                return value;
            }
            let shown = shown_value(written, spec);
            if std::ptr::eq(shown, written) {
                value
            } else {
                shown
            }
        }
    }
}
