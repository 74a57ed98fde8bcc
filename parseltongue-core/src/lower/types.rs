//! Rust spellings of Parseltongue types.

use super::Lowerer;
use crate::ir::{Repr, Ty, TypeDefKind};
use crate::syntax::ast::ParamMode;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

impl Lowerer<'_> {
    /// The owned Rust type of `ty`.
    pub(super) fn rust_type(&mut self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::I64 => quote!(i64),
            Ty::F64 => quote!(f64),
            Ty::Bool => quote!(bool),
            Ty::Ordering => self.ordering_path(),
            Ty::Str => self.lib("String"),
            Ty::Unit | Ty::Unknown | Ty::Error | Ty::Range => quote!(()),
            Ty::Never => quote!(!),
            Ty::List(t) => {
                let t = self.rust_type(t);
                let vec = self.lib("Vec");
                quote!(#vec<#t>)
            }
            Ty::Map(k, v) => {
                self.uses.hash_map = true;
                let (k, v) = (self.rust_type(k), self.rust_type(v));
                let map = self.lib("HashMap");
                quote!(#map<#k, #v>)
            }
            Ty::Option(t) if self.program.boxed_in_option(t) => {
                // A type that contains itself through this option: behind
                // a pointer, so its size is finite.
                let t = self.rust_type(t);
                let (option, boxed) = (self.lib("Option"), self.lib("Box"));
                quote!(#option<#boxed<#t>>)
            }
            Ty::Option(t) => {
                let t = self.rust_type(t);
                let option = self.lib("Option");
                quote!(#option<#t>)
            }
            Ty::Result(t, e) => {
                let (t, e) = (self.rust_type(t), self.rust_type(e));
                let result = self.lib("Result");
                quote!(#result<#t, #e>)
            }
            Ty::Thread(t) => {
                let t = self.rust_type(t);
                let std = self.lib("std");
                quote!(#std::thread::JoinHandle<#t>)
            }
            Ty::Task(t) => {
                let t = self.rust_type(t);
                quote!(::partition::program::Task<#t>)
            }
            Ty::Mailbox(t) => {
                let t = self.rust_type(t);
                quote!(::partition::program::Mailbox<#t>)
            }
            Ty::Named(id) => self.type_path(*id),
        }
    }

    /// The path of a record, enum or Rust type as seen from the current module.
    pub(super) fn type_path(&mut self, id: usize) -> TokenStream {
        let def = &self.program.types[id];
        if let TypeDefKind::Rust(path) = &def.kind {
            return self.library.rust_path(path);
        }
        let name = format_ident!("{}", def.name.as_str());
        if def.module == self.module {
            quote!(#name)
        } else {
            let module = format_ident!("{}", self.program.modules[def.module].name.as_str());
            quote!(#module::#name)
        }
    }

    /// The borrowed form of `ty` used by read-only parameters.
    pub(super) fn borrowed_type(&mut self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Str => {
                let str = self.lib("str");
                quote!(&#str)
            }
            Ty::List(t) => {
                let t = self.rust_type(t);
                quote!(&[#t])
            }
            other => {
                let t = self.rust_type(other);
                quote!(&#t)
            }
        }
    }

    /// The type of a parameter passed with `mode`.
    pub(super) fn param_type(&mut self, ty: &Ty, mode: ParamMode) -> TokenStream {
        match mode {
            ParamMode::Read if ty.is_copy() => self.rust_type(ty),
            ParamMode::Read => self.borrowed_type(ty),
            ParamMode::Mutable => {
                let t = self.rust_type(ty);
                quote!(&mut #t)
            }
            ParamMode::Owned => self.rust_type(ty),
        }
    }

    /// The declared type of a local with representation `repr`, where one
    /// must be written (`let` annotations for `Cow`, shared values, empty
    /// containers).
    pub(super) fn local_type(&mut self, ty: &Ty, repr: Repr) -> TokenStream {
        match repr {
            Repr::Cow => {
                self.uses.cow = true;
                let inner = match ty {
                    Ty::Str => self.lib("str"),
                    Ty::List(t) => {
                        let t = self.rust_type(t);
                        quote!([#t])
                    }
                    other => self.rust_type(other),
                };
                let cow = self.lib("Cow");
                quote!(#cow<'_, #inner>)
            }
            Repr::Arc => {
                self.uses.arc = true;
                let t = self.rust_type(ty);
                let arc = self.lib("Arc");
                quote!(#arc<#t>)
            }
            Repr::ArcMutex => {
                self.uses.arc = true;
                self.uses.mutex = true;
                let t = self.rust_type(ty);
                let (arc, mutex) = (self.lib("Arc"), self.lib("Mutex"));
                quote!(#arc<#mutex<#t>>)
            }
            _ => self.rust_type(ty),
        }
    }
}

/// True if an annotation is needed for `let` to compile (containers whose
/// element type the value alone does not show).
pub(super) fn needs_annotation(ty: &Ty, value_is_empty_container: bool) -> bool {
    value_is_empty_container
        && matches!(
            ty,
            Ty::List(_) | Ty::Map(..) | Ty::Option(_) | Ty::Result(..)
        )
}

/// Whether the Rust type of `ty` is `Copy`: besides Parseltongue's copied
/// types, an `Option` of one (`Option<i64>`), which Rust copies too
/// (clippy: clone_on_copy).
pub(super) fn rust_copy(ty: &Ty) -> bool {
    match ty {
        Ty::Option(t) => rust_copy(t),
        Ty::Result(t, e) => rust_copy(t) && rust_copy(e),
        other => other.is_copy(),
    }
}
