//! The standard library's names in generated Rust. `String`, `Vec`, `Arc`
//! or `std` are legal names for a program's own records, enums, functions
//! and modules; where a program declares one, the generated Rust spells
//! the library's item by its absolute path (`::std::sync::Arc`), so no
//! program name can clash with what the lowering writes. Other programs
//! keep the short, idiomatic spelling.

use crate::ir::Program;
use proc_macro2::TokenStream;
use quote::quote;

/// The library items the lowering names, with their absolute paths.
const LIBRARY: &[(&str, &str)] = &[
    ("String", "::std::string::String"),
    ("Vec", "::std::vec::Vec"),
    ("Option", "::std::option::Option"),
    ("Result", "::std::result::Result"),
    ("Box", "::std::boxed::Box"),
    ("Arc", "::std::sync::Arc"),
    ("Mutex", "::std::sync::Mutex"),
    ("Cow", "::std::borrow::Cow"),
    ("Ordering", "::std::cmp::Ordering"),
    ("BTreeMap", "::std::collections::BTreeMap"),
    ("HashMap", "::std::collections::HashMap"),
    ("std", "::std"),
    ("str", "::core::primitive::str"),
    ("u32", "::core::primitive::u32"),
    ("usize", "::core::primitive::usize"),
];

/// Which library names a program's own items hide.
#[derive(Clone, Debug, Default)]
pub(super) struct Library {
    hidden: Vec<&'static str>,
}

impl Library {
    /// The library names that `program` declares items of.
    pub(super) fn of(program: &Program) -> Library {
        let declared = |name: &str| {
            program.types.iter().any(|t| t.name == name)
                || program.functions.iter().any(|f| f.name == name)
                || program.constants.iter().any(|c| c.name == name)
                || program.modules.iter().any(|m| m.name == name)
        };
        Library {
            hidden: LIBRARY
                .iter()
                .map(|(short, _)| *short)
                .filter(|short| declared(short))
                .collect(),
        }
    }

    /// Whether the program declares an item named `short`.
    pub(super) fn is_hidden(&self, short: &str) -> bool {
        self.hidden.contains(&short)
    }

    /// A `rust_function` or `rust_type` path as generated Rust writes it:
    /// one that starts with a library name the program declares itself
    /// (`std::cmp::max` beside a module `std`) starts from that name's
    /// absolute path instead.
    pub(super) fn rust_path(&self, path: &str) -> TokenStream {
        let (first, rest) = path.split_once("::").unwrap_or((path, ""));
        let written = match LIBRARY.iter().find(|(short, _)| *short == first) {
            Some((short, absolute)) if self.is_hidden(short) && !rest.is_empty() => {
                format!("{absolute}::{rest}")
            }
            Some((short, absolute)) if self.is_hidden(short) => absolute.to_string(),
            _ => path.to_string(),
        };
        written.parse().unwrap_or_else(|_| quote!(()))
    }

    /// How generated Rust names the library item `short`.
    pub(super) fn path(&self, short: &str) -> TokenStream {
        let text = if self.is_hidden(short) {
            LIBRARY
                .iter()
                .find(|(s, _)| *s == short)
                .map_or(short, |(_, path)| *path)
        } else {
            short
        };
        text.parse().unwrap_or_else(|_| quote!(()))
    }
}
