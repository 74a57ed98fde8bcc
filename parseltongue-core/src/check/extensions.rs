//! The checker's side of the extension interface
//! ([`crate::extension`]): finding each extension's blocks, entering what
//! they declare into the tables, and running the extensions' checks with
//! the checker seen through [`ExtensionCx`].

use super::{suggest, Checker, Def};
use crate::diagnostics::{codes, Applicability, Diagnostic};
use crate::extension::{BlockRef, CheckedExtension, Declarations, DeclaredFunction, Extensions};
use crate::ir::{self, FunctionId, ModuleId, Ty, TypeDefKind, TypeId};
use crate::source::Span;
use crate::syntax::ast;

/// The blocks of each extension, in the registry's order; blocks of kinds
/// no extension owns are not here (the core's own, and unknown ones).
pub(crate) fn blocks_by_extension<'m>(
    extensions: &Extensions,
    modules: &'m [ast::Module],
) -> Vec<Vec<BlockRef<'m>>> {
    let mut found: Vec<Vec<BlockRef<'m>>> = extensions.iter().map(|_| Vec::new()).collect();
    if found.is_empty() {
        return found;
    }
    for (module, m) in modules.iter().enumerate() {
        for item in &m.items {
            let ast::ItemKind::Block(block) = &item.kind else {
                continue;
            };
            let keyword = block.keyword.name.as_str();
            if let Some(index) = extensions
                .iter()
                .position(|e| e.block_kinds().iter().any(|k| k.keyword == keyword))
            {
                found[index].push(BlockRef { module, block });
            }
        }
    }
    found
}

/// What the extensions declared, asked of each before names are resolved.
pub(crate) fn declarations(extensions: &Extensions, blocks: &[Vec<BlockRef<'_>>]) -> Declarations {
    let mut declarations = Declarations::default();
    for (extension, blocks) in extensions.iter().zip(blocks) {
        if !blocks.is_empty() {
            extension.declare(blocks, &mut declarations);
        }
    }
    declarations
}

impl Checker<'_> {
    /// Enters the extensions' declared types and functions into the
    /// tables, as `collect` enters written items. Declared items are
    /// public: a topic's functions are there for every module that imports
    /// the module declaring it, and no declared item is "never used".
    pub(crate) fn collect_declared(
        &mut self,
        declarations: &Declarations,
    ) -> Vec<(FunctionId, DeclaredFunction)> {
        for declared in &declarations.types {
            let id = self.tables.program.types.len();
            self.tables.program.types.push(ir::TypeDef {
                module: declared.module,
                name: declared.name.name.clone(),
                kind: TypeDefKind::Extension,
                public: true,
                span: declared.name.span,
                docs: declared.docs.clone(),
                member_docs: Vec::new(),
                member_spans: Vec::new(),
                incomplete: false,
                recursive: false,
            });
            self.declare(declared.module, &declared.name, Def::Type(id));
        }
        let mut functions = Vec::with_capacity(declarations.functions.len());
        for declared in &declarations.functions {
            let id = self.new_function(
                declared.module,
                &declared.name,
                ir::FunctionKind::Extension,
                true,
                &declared.docs,
                declared.name.span,
            );
            self.declare(declared.module, &declared.name, Def::Function(id));
            functions.push((id, declared.clone()));
        }
        functions
    }

    /// Resolves the declared functions' parameter and return types.
    /// Quietly: a type written in a block (a topic's message type) is the
    /// extension's to report, once, from its check.
    pub(crate) fn resolve_declared(&mut self, functions: &[(FunctionId, DeclaredFunction)]) {
        let found = std::mem::take(&mut self.found);
        for (id, declared) in functions {
            let params = self.resolve_params(declared.module, &declared.params, false);
            let returns = declared
                .returns
                .as_ref()
                .map_or(Ty::Unit, |t| self.resolve_type(declared.module, t));
            let function = &mut self.tables.program.functions[*id];
            function.params = params;
            function.returns = returns;
        }
        self.found = found;
    }

    /// Runs each extension's check on its blocks; keeps what they return
    /// for the lowering.
    pub(crate) fn check_extensions(
        &mut self,
        extensions: &Extensions,
        blocks: &[Vec<BlockRef<'_>>],
    ) -> Vec<CheckedExtension> {
        let mut checked = Vec::new();
        for (extension, blocks) in extensions.iter().zip(blocks) {
            if blocks.is_empty() {
                continue;
            }
            let mut cx = ExtensionCx { checker: self };
            if let Some(ir) = extension.check(blocks, &mut cx) {
                checked.push(CheckedExtension {
                    extension: extension.clone(),
                    ir,
                });
            }
        }
        checked
    }
}

/// The checker as an extension sees it while checking its blocks: the
/// program's tables (every type and signature resolved), name resolution
/// that records references for the editor, and the diagnostics sink.
pub struct ExtensionCx<'c, 'a> {
    checker: &'c mut Checker<'a>,
}

impl ExtensionCx<'_, '_> {
    /// The program as checked so far: every type, function signature and
    /// constant, and the partition plan.
    pub fn program(&self) -> &ir::Program {
        &self.checker.tables.program
    }

    /// The type this extension declared as `name` in `module` (by the
    /// module's name table, as any lookup).
    pub fn declared_type(&self, module: ModuleId, name: &str) -> Option<TypeId> {
        match self.declared(module, name)? {
            Def::Type(id)
                if matches!(
                    self.checker.tables.program.types[id].kind,
                    TypeDefKind::Extension
                ) =>
            {
                Some(id)
            }
            _ => None,
        }
    }

    /// The function this extension declared as `name` in `module`.
    pub fn declared_function(&self, module: ModuleId, name: &str) -> Option<FunctionId> {
        match self.declared(module, name)? {
            Def::Function(id)
                if self.checker.tables.program.functions[id].kind
                    == ir::FunctionKind::Extension =>
            {
                Some(id)
            }
            _ => None,
        }
    }

    fn declared(&self, module: ModuleId, name: &str) -> Option<Def> {
        self.checker.tables.scopes[module]
            .names
            .get(name)
            .map(|(def, _)| *def)
    }

    /// Records a diagnostic.
    pub fn error(&mut self, diagnostic: Diagnostic) {
        self.checker.error(diagnostic);
    }

    /// Records that the name at `span` refers to `target`, for
    /// go-to-definition, references, rename and hover.
    pub fn refer(&mut self, span: Span, target: ir::Target) {
        self.checker.refer(span, target);
    }

    /// How the language writes `ty` in messages (`list<Click>`).
    pub fn show(&self, ty: &Ty) -> String {
        self.checker.show(ty)
    }

    /// The record, enum or declared type that `expr` names in `module`
    /// (a setting such as `message: Click`). A name that is not a type is
    /// reported (PT0102, with the closest name as a fix) and gives `None`.
    pub fn resolve_type(&mut self, module: ModuleId, expr: &ast::Expr) -> Option<TypeId> {
        let path = self.path_of(expr, "a type name")?;
        match self.checker.lookup_item(module, path) {
            Ok(Def::Type(id)) => {
                self.checker.found.used_items.insert(Def::Type(id));
                Some(id)
            }
            Ok(other) => {
                self.not_a(expr.span, "type", other);
                None
            }
            Err(mut d) => {
                d.code = codes::UNKNOWN_TYPE;
                self.checker.error(*d);
                None
            }
        }
    }

    /// The function that `expr` names in `module` (a setting such as
    /// `filter: is_human`). A name that is not a function is reported
    /// (PT0101, with the closest name as a fix) and gives `None`; the
    /// function counts as used.
    pub fn resolve_function(&mut self, module: ModuleId, expr: &ast::Expr) -> Option<FunctionId> {
        let path = self.path_of(expr, "a function name")?;
        match self.checker.lookup_item(module, path) {
            Ok(Def::Function(id)) => {
                self.checker.found.used_items.insert(Def::Function(id));
                Some(id)
            }
            Ok(other) => {
                self.not_a(expr.span, "function", other);
                None
            }
            Err(d) => {
                self.checker.error(*d);
                None
            }
        }
    }

    /// The partition of the plan called as `expr` names it; an unknown
    /// name is PT0110 with the plan's names.
    pub fn resolve_partition(&mut self, expr: &ast::Expr) -> Option<ir::PartitionId> {
        let name = self.path_of(expr, "a partition name")?.first()?;
        let plan = &self.checker.tables.program.partitions;
        if let Some(id) = plan.position(&name.name) {
            self.checker.refer(name.span, ir::Target::Partition(id));
            return Some(id);
        }
        let names: Vec<&str> = plan.partitions.iter().map(|p| p.name.as_str()).collect();
        let mut d = Diagnostic::error(
            codes::UNKNOWN_PARTITION,
            name.span,
            format!("the partition plan has no partition `{}`", name.name),
        )
        .with_label("not a partition of the plan")
        .with_note(format!(
            "the plan's partitions: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(best) = suggest::closest(&name.name, names.iter().copied()) {
            d = d.with_suggestion(
                format!("did you mean `{best}`?"),
                name.span,
                best,
                Applicability::MaybeIncorrect,
            );
        }
        self.checker.error(d);
        None
    }

    /// The closest of `candidates` to `word`, for "did you mean" fixes.
    pub fn closest<'w>(
        &self,
        word: &str,
        candidates: impl IntoIterator<Item = &'w str>,
    ) -> Option<&'w str> {
        suggest::closest(word, candidates.into_iter())
    }

    fn path_of<'e>(&mut self, expr: &'e ast::Expr, wanted: &str) -> Option<&'e [ast::Ident]> {
        match &expr.kind {
            ast::ExprKind::Path(path) => Some(path),
            // Already reported by the parser.
            ast::ExprKind::Error => None,
            _ => {
                self.checker.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        expr.span,
                        format!("this setting takes {wanted}"),
                    )
                    .with_label(format!("expected {wanted} here")),
                );
                None
            }
        }
    }

    fn not_a(&mut self, span: Span, wanted: &str, found: Def) {
        let what = match found {
            Def::Type(_) => "a type",
            Def::Function(_) => "a function",
            Def::Const(_) => "a constant",
        };
        self.checker.error(
            Diagnostic::error(
                codes::NOT_A_VALUE,
                span,
                format!("expected a {wanted}, found {what}"),
            )
            .with_label(format!("{what}, not a {wanted}")),
        );
    }
}
