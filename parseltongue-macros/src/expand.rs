//! The expansion: tokens → text (with spans) → the core compiler → Rust
//! tokens, plus one `compile_error!` per error and one deprecation warning
//! per warning, each spanned at the token it is about.

use parseltongue_core::diagnostics::{Diagnostic, Severity};
use parseltongue_core::extension::Extensions;
use parseltongue_core::source::{SourceFile, SourceMap};
use parseltongue_core::syntax::rust_tokens::TokenText;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// The file name diagnostics use for the macro's text.
const SOURCE_NAME: &str = "parseltongue!";

/// Expands the contents of `parseltongue! { … }`: the core language.
pub fn expand(input: TokenStream) -> TokenStream {
    expand_with(input, &Extensions::none())
}

/// Expands a program that may use `extensions`' block kinds.
pub fn expand_with(input: TokenStream, extensions: &Extensions) -> TokenStream {
    let text = TokenText::from_tokens(input);
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(SOURCE_NAME, text.text.clone()));
    let compiled = match parseltongue_core::compile_with(&sources, extensions) {
        Ok(compiled) => compiled,
        Err(error) => {
            let message = format!("internal compiler error, please report it: {error}");
            return quote!(compile_error!(#message););
        }
    };
    let mut out = TokenStream::new();
    for (index, diagnostic) in compiled.diagnostics.iter().enumerate() {
        let span = text
            .span_at(diagnostic.primary.span.start)
            .unwrap_or_else(Span::call_site);
        out.extend(report(diagnostic, &sources, span, index));
    }
    let rust = compiled.rust.or(compiled.partial);
    if let Some(rust) = rust {
        match rust.parse::<TokenStream>() {
            Ok(tokens) => out.extend(tokens),
            Err(error) => {
                let message =
                    format!("internal compiler error, please report it: generated Rust does not lex ({error})");
                out.extend(quote!(compile_error!(#message);));
            }
        }
    }
    out
}

/// The text of a diagnostic as `plc check` words it, on a few lines.
fn message(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let mut text = format!("[{}] {}", diagnostic.code, diagnostic.message);
    if !diagnostic.primary.message.is_empty() {
        text.push_str(&format!("\n  = label: {}", diagnostic.primary.message));
    }
    for label in &diagnostic.secondary {
        let at = sources.get(label.span.file).line_column(label.span.start);
        let what = sources
            .get(label.span.file)
            .text
            .get(label.span.range())
            .unwrap_or("");
        text.push_str(&format!(
            "\n  = note: `{what}`: {} (line {} of the macro)",
            label.message, at.line
        ));
    }
    for help in &diagnostic.helps {
        match &help.suggestion {
            Some(s) if !s.replacement.is_empty() && !help.message.contains('`') => {
                text.push_str(&format!(
                    "\n  = help: {}: `{}`",
                    help.message, s.replacement
                ));
            }
            _ => text.push_str(&format!("\n  = help: {}", help.message)),
        }
    }
    for note in &diagnostic.notes {
        text.push_str(&format!("\n  = note: {note}"));
    }
    text.push_str(&format!(
        "\n  = note: run `plc explain {}` for a longer explanation",
        diagnostic.code
    ));
    text
}

/// An error as a `compile_error!`; a warning as the use of a deprecated
/// item (the one way a proc macro can make rustc warn), both at `span`.
fn report(diagnostic: &Diagnostic, sources: &SourceMap, span: Span, index: usize) -> TokenStream {
    let text = message(diagnostic, sources);
    match diagnostic.severity {
        Severity::Error => quote_spanned!(span=> compile_error!(#text);),
        Severity::Warning => {
            let name = quote::format_ident!("parseltongue_warning_{}", index);
            // The use carries the token's span, so rustc points there.
            let marker = proc_macro2::Ident::new(&name.to_string(), span);
            quote! {
                const _: () = {
                    #[deprecated(note = #text)]
                    #[allow(non_upper_case_globals)]
                    const #name: () = ();
                    #marker
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn corpus(kind: &str) -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../parseltongue-core/tests/corpus")
            .join(kind);
        let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
            .expect("corpus folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pt"))
            .map(|p| {
                (
                    p.display().to_string(),
                    std::fs::read_to_string(&p).expect("corpus file"),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// The macro expands every valid single-file program to exactly the
    /// tokens of the Rust `plc emit` prints for it.
    #[test]
    fn expansion_equals_plc_emit_for_the_whole_valid_corpus() {
        let programs = corpus("valid");
        assert!(programs.len() >= 40);
        for (name, text) in programs {
            let mut sources = SourceMap::new();
            sources.add(SourceFile::new("main.pt", text.clone()));
            let emitted = parseltongue_core::compile(&sources)
                .expect("lowers")
                .rust
                .expect("a valid program");
            let emitted: TokenStream = emitted.parse().expect("emitted Rust lexes");
            let tokens: TokenStream = text.parse().expect("a valid program is Rust tokens");
            let expanded = expand(tokens);
            assert_eq!(expanded.to_string(), emitted.to_string(), "{name}");
        }
    }

    #[test]
    fn every_error_is_reported_and_valid_items_are_kept() {
        let tokens: TokenStream = "record Point { x: i64, y: i64 }\nfunction broken() returns i64 { missing_name }\nfunction also_broken() { let_var a = 1; a = 2; }\nfunction fine() returns i64 { 3 }"
            .parse()
            .expect("tokens");
        let expanded = expand(tokens).to_string();
        assert_eq!(expanded.matches("compile_error").count(), 2, "{expanded}");
        assert!(
            expanded.contains("[PT0201]") || expanded.contains("missing_name"),
            "{expanded}"
        );
        assert!(expanded.contains("[PT0301]"), "{expanded}");
        assert!(expanded.contains("struct Point"), "{expanded}");
        assert!(expanded.contains("fn fine () -> i64"), "{expanded}");
    }

    /// Prefixes of `tokens` as an editor sees them while code is typed:
    /// whole items cut off, and cuts inside the last open group.
    fn truncations(tokens: TokenStream, out: &mut Vec<TokenStream>, limit: usize) {
        let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for cut in 0..trees.len() {
            if out.len() >= limit {
                return;
            }
            out.push(trees[..cut].iter().cloned().collect());
            if let proc_macro2::TokenTree::Group(group) = &trees[cut] {
                let mut inner = Vec::new();
                truncations(group.stream(), &mut inner, 8);
                for partial in inner {
                    let mut prefix: TokenStream = trees[..cut].iter().cloned().collect();
                    prefix.extend([proc_macro2::TokenTree::Group(proc_macro2::Group::new(
                        group.delimiter(),
                        partial,
                    ))]);
                    out.push(prefix);
                }
            }
        }
    }

    /// Half-typed programs never make the macro panic, and what it expands
    /// to is always a list of Rust items (so the surrounding crate still
    /// parses and completes in an editor).
    #[test]
    fn half_typed_programs_expand_to_items_without_panicking() {
        let mut cases = 0;
        for (name, text) in corpus("valid") {
            let tokens: TokenStream = text.parse().expect("tokens");
            let mut prefixes = Vec::new();
            truncations(tokens, &mut prefixes, 40);
            for prefix in prefixes {
                let expanded = expand(prefix.clone());
                cases += 1;
                if let Err(error) = syn::parse2::<syn::File>(expanded.clone()) {
                    panic!("{name}: expansion of\n{prefix}\nis not a list of items ({error}):\n{expanded}");
                }
            }
        }
        assert!(cases > 1000, "{cases} cases");
    }
}
