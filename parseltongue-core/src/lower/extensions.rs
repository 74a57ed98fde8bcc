//! The lowering's side of the extension interface: [`LowerCx`], the
//! core's spelling of types and paths lent to an extension while it writes
//! the Rust of its blocks, so no extension has a lowering rule of its own
//! for what the core already lowers.

use super::Lowerer;
use crate::extension::Dependency;
use crate::ir::{FunctionId, FunctionKind, ModuleId, Program, Ty, TypeId};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The lowering as an extension sees it while it writes the Rust of one
/// generated module.
pub struct LowerCx<'l, 'p> {
    pub(super) lowerer: &'l mut Lowerer<'p>,
}

impl LowerCx<'_, '_> {
    /// The checked program.
    pub fn program(&self) -> &Program {
        self.lowerer.program
    }

    /// The module whose generated Rust is being written.
    pub fn module(&self) -> ModuleId {
        self.lowerer.module
    }

    /// The owned Rust type of `ty`, as this module names it.
    pub fn rust_type(&mut self, ty: &Ty) -> TokenStream {
        self.lowerer.rust_type(ty)
    }

    /// The path of a record, enum or declared type, as this module names it.
    pub fn type_path(&mut self, id: TypeId) -> TokenStream {
        self.lowerer.type_path(id)
    }

    /// The path of a function, as this module calls it.
    pub fn function_path(&mut self, id: FunctionId) -> TokenStream {
        self.lowerer.function_path(id)
    }

    /// The Rust signature of a function the extension declared: its
    /// doc comment, visibility, name, parameters (typed as every call
    /// passes them) and return type; the parameter names are the
    /// declaration's. The extension adds the body.
    pub fn declared_function(&mut self, id: FunctionId) -> TokenStream {
        let f = &self.lowerer.program.functions[id];
        debug_assert!(matches!(f.kind, FunctionKind::Extension));
        let name = format_ident!("{}", f.name.as_str());
        let params: Vec<TokenStream> = f
            .params
            .iter()
            .map(|p| {
                let ident = format_ident!("{}", p.name.as_str());
                let ty = self.lowerer.param_type(&p.ty, p.mode);
                quote!(#ident: #ty)
            })
            .collect();
        let returns = match &f.returns {
            Ty::Unit => quote!(),
            other => {
                let ty = self.lowerer.rust_type(other);
                quote!(-> #ty)
            }
        };
        let docs = f.docs.iter().map(|line| quote!(#[doc = #line]));
        quote!(#(#docs)* pub fn #name(#(#params),*) #returns)
    }
}

/// What the extensions wrote for one module; the crates they use join
/// `dependencies`, each once.
pub(super) fn lower_extensions(
    lowerer: &mut Lowerer<'_>,
    dependencies: &mut Vec<Dependency>,
) -> Vec<TokenStream> {
    let program = lowerer.program;
    let mut items = Vec::new();
    for checked in &program.checked_extensions {
        let mut cx = LowerCx {
            lowerer: &mut *lowerer,
        };
        let lowered = checked.extension.lower(&checked.ir, &mut cx);
        items.extend(lowered.items);
        for dependency in lowered.dependencies {
            if !dependencies.contains(&dependency) {
                dependencies.push(dependency);
            }
        }
    }
    items
}

/// What the extensions put on record or enum `id` (the derives their
/// run-time crates need of it).
pub(super) fn type_attributes(program: &Program, id: TypeId) -> TokenStream {
    program
        .checked_extensions
        .iter()
        .map(|checked| checked.extension.type_attributes(&checked.ir, id))
        .collect()
}
