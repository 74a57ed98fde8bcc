//! The lowering: typed IR to Rust source. Items are built as token streams
//! with `quote`, parsed by `syn` (so invalid Rust is a compiler bug caught
//! here, not in the user's build) and printed by `prettyplease`. Each item
//! is preceded by a `// parseltongue: FILE:LINE` marker so errors rustc
//! reports in generated code can be mapped back to the `.pt` source.

mod aliasing;
mod boxing;
mod builtins;
mod entries;
mod expr;
mod extensions;
mod format;
mod library;
mod map_order;
mod naming;
mod operators;
mod order;
mod origins;
mod partitions;
mod patterns;
mod places;
mod source_lints;
mod stmt;
mod types;

pub use extensions::LowerCx;
pub use origins::LineOrigins;

use crate::ir::{FunctionId, FunctionKind, ItemRef, ModuleId, Program, Repr, Ty, TypeDefKind};
use crate::source::Span;
use crate::syntax::ast::ParamMode;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The prefix of the comment that marks where a generated item came from.
pub const SOURCE_MARKER: &str = "// parseltongue: ";

/// Which `use` lines a module needs.
#[derive(Default, Clone, Copy)]
struct Uses {
    btree_map: bool,
    hash_map: bool,
    arc: bool,
    mutex: bool,
    cow: bool,
    ordering: bool,
    /// `__insert_missing`, the out-of-line insert of `with_entry`.
    insert_missing: bool,
    /// `__compare_f64`, the language's order of `f64` values.
    compare_f64: bool,
    /// `__PARTITION_PLAN`, the plan work on partitions starts from.
    partition_plan: bool,
}

impl Uses {
    /// What either needs.
    fn or(self, other: Uses) -> Uses {
        Uses {
            btree_map: self.btree_map || other.btree_map,
            hash_map: self.hash_map || other.hash_map,
            arc: self.arc || other.arc,
            mutex: self.mutex || other.mutex,
            cow: self.cow || other.cow,
            ordering: self.ordering || other.ordering,
            insert_missing: self.insert_missing || other.insert_missing,
            compare_f64: self.compare_f64 || other.compare_f64,
            partition_plan: self.partition_plan || other.partition_plan,
        }
    }
}

pub(crate) struct Lowerer<'p> {
    program: &'p Program,
    module: ModuleId,
    uses: Uses,
    /// Locals of the function being lowered.
    locals: &'p [crate::ir::Local],
    /// The parameters' locals of the function being lowered.
    params: &'p [crate::ir::LocalId],
    /// Set when the next integer literal must carry an `_i64` suffix
    /// because nothing else tells rustc its type.
    suffix_next_number: bool,
    /// The body of the function being lowered, for whole-body questions
    /// such as "is this list only ever read like a slice?".
    body: Option<&'p crate::ir::Block>,
    /// The `.pt` spans of the statements lowered so far.
    marks: origins::Marks,
    /// Where errors were reported, when lowering what is valid in a
    /// program with errors (empty otherwise).
    errors: &'p [Span],
    /// Set while the exterior of a condition is lowered (see
    /// `Lowerer::condition`).
    in_condition: bool,
    /// How many conditions the code being lowered is inside, exterior or
    /// not: rustc's parser keeps refusing a record literal in some places
    /// deeper inside (after a macro call in a block's value).
    conditions: usize,
    /// Set while the arguments of a Rust function are lowered: its
    /// parameters may be generic (`std::cmp::max`), so a number literal
    /// says its type.
    typed_arguments: bool,
    /// How the library's items are named in this program.
    library: library::Library,
    /// While a written place's indices are evaluated first, their `let`s
    /// (see `aliasing.rs`).
    hoisted_indices: Option<Vec<TokenStream>>,
    /// Locals that must be cloned, not moved, where they are read now:
    /// borrowed by the call being lowered, or read ahead of their turn.
    pinned: Vec<crate::ir::LocalId>,
    /// Above zero, no local is moved (arguments evaluated ahead of the
    /// receiver or of places borrowed mutably).
    no_moves: usize,
    /// Lints the function being lowered allows because of a form the
    /// lowering chose for a reason clippy cannot see (a loop over a copy
    /// of a list it changes is not an unnecessary copy).
    chosen_lints: std::collections::BTreeSet<&'static str>,
    /// Receivers of the built-in method being lowered that were copied
    /// first (see `aliasing::receiver_copied_first`): the expression and
    /// the name that stands for it.
    receiver_copies: Vec<(*const crate::ir::Expr, TokenStream)>,
    /// Locals of the function being lowered that are arrays of `&'static
    /// str` (see `static_text_arrays`).
    static_text: Vec<usize>,
}

/// A lowering failure: generated tokens that `syn` could not parse. This
/// is a compiler bug, reported with the offending item.
#[derive(Debug, Clone)]
pub struct LowerError {
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for LowerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Rust lowered from a program.
#[derive(Debug)]
pub struct Lowered {
    /// One formatted Rust source file.
    pub rust: String,
    /// Where each of its lines came from.
    pub origins: LineOrigins,
    /// Each module's own Rust, in source-map order (the root's items,
    /// then each other module's body as it appears inside its `mod`), for
    /// tools that pin the output file by file.
    pub modules: Vec<String>,
    /// The run-time crates the extensions' Rust uses.
    pub dependencies: Vec<crate::extension::Dependency>,
}

/// Lowers a checked, error-free program to one Rust source file: the root
/// module's items, then one inline `mod` per other module.
pub fn lower_program(program: &Program) -> Result<Lowered, LowerError> {
    lower_with_errors(program, &[])
}

/// Lowers what is valid in a program with errors, for editors: a macro
/// expansion that still declares the program's good items keeps the Rust
/// around it compiling and completing. Records, enums and constants with
/// an error inside are left out; a function with an error in its body
/// keeps its signature with an `unimplemented!()` body; one whose
/// signature names an unknown type is left out.
pub fn lower_valid_items(program: &Program, errors: &[Span]) -> String {
    lower_with_errors(program, errors)
        .map(|lowered| lowered.rust)
        .unwrap_or_default()
}

fn lower_with_errors(program: &Program, errors: &[Span]) -> Result<Lowered, LowerError> {
    let mut marks = origins::Marks::default();
    let mut out = String::new();
    out.push_str("// @generated by parseltongue: edit the .pt sources, not this file.\n");
    let mut dependencies = Vec::new();
    let root = lower_module(program, 0, &mut marks, errors, &mut dependencies)?;
    out.push_str(&root);
    let mut modules = vec![root];
    for module in 1..program.modules.len() {
        let body = lower_module(program, module, &mut marks, errors, &mut dependencies)?;
        modules.push(body.clone());
        let name = &program.modules[module].name;
        let allow = if naming::is_snake_case(name) {
            ""
        } else {
            "#[allow(non_snake_case)]\n"
        };
        out.push_str(&format!(
            "\n{SOURCE_MARKER}{}:1\n{allow}pub mod {name} {{\n",
            program.modules[module].file_name
        ));
        for line in body.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str("    ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push_str("}\n");
    }
    let (rust, origins) = origins::strip_marks(&out, &marks);
    let modules = modules
        .iter()
        .map(|text| origins::strip_marks(text, &marks).0)
        .collect();
    Ok(Lowered {
        rust,
        origins,
        modules,
        dependencies,
    })
}

fn format_items(items: Vec<TokenStream>) -> Result<String, LowerError> {
    let tokens: TokenStream = items.into_iter().collect();
    let file: syn::File = syn::parse2(tokens.clone()).map_err(|e| LowerError {
        message: format!("generated Rust does not parse ({e}): {tokens}"),
    })?;
    Ok(prettyplease::unparse(&file))
}

fn lower_module<'p>(
    program: &'p Program,
    module: ModuleId,
    marks: &mut origins::Marks,
    errors: &'p [Span],
    dependencies: &mut Vec<crate::extension::Dependency>,
) -> Result<String, LowerError> {
    let mut lowerer = Lowerer {
        program,
        module,
        uses: Uses::default(),
        locals: &[],
        params: &[],
        suffix_next_number: false,
        body: None,
        marks: std::mem::take(marks),
        errors,
        in_condition: false,
        conditions: 0,
        typed_arguments: false,
        library: library::Library::of(program),
        hoisted_indices: None,
        pinned: Vec::new(),
        no_moves: 0,
        chosen_lints: std::collections::BTreeSet::new(),
        receiver_copies: Vec::new(),
        static_text: Vec::new(),
    };
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut tests = Vec::new();
    // What the tests need is imported inside their module: at the top,
    // an import only tests use would be unused outside `cargo test`.
    let mut test_uses = Uses::default();
    let mut tests_name_items = false;
    let file = &program.modules[module].file_name;
    for item in &program.modules[module].items {
        let mut marker = program
            .item_lines
            .get(item)
            .map(|line| format!("{SOURCE_MARKER}{file}:{line}"))
            .unwrap_or_default();
        if let Some(span) = program.item_spans.get(item) {
            marker = format!("{}\n{marker}", lowerer.marks.mark_line(*span));
        }
        if let ItemRef::Function(id) = item {
            if program.functions[*id].kind == FunctionKind::Test {
                let outside = std::mem::take(&mut lowerer.uses);
                tests.push((marker, lowerer.function(*id)));
                test_uses = test_uses.or(std::mem::replace(&mut lowerer.uses, outside));
                tests_name_items |= names_items(program, *id);
                continue;
            }
            if matches!(program.functions[*id].kind, FunctionKind::Rust { .. }) {
                continue;
            }
        }
        if lowerer.leaves_out(*item) {
            continue;
        }
        let tokens = lowerer.item(*item);
        if tokens.is_empty() {
            continue;
        }
        match format_items(vec![tokens]) {
            Ok(text) => sections.push((marker, text)),
            // With errors, an item that does not come out as Rust is left out.
            Err(_) if !errors.is_empty() => {}
            Err(error) => return Err(error),
        }
    }
    let extension_items = extensions::lower_extensions(&mut lowerer, dependencies);
    if !extension_items.is_empty() {
        match format_items(extension_items) {
            Ok(text) => sections.push((String::new(), text)),
            Err(_) if !errors.is_empty() => {}
            Err(error) => return Err(error),
        }
    }
    // Before the tests module (clippy: items_after_test_module).
    if lowerer.uses.insert_missing {
        let helper = format_items(vec![entries::insert_missing_helper(&lowerer.library)])?;
        sections.push((String::new(), helper));
    }
    if lowerer.uses.compare_f64 {
        let helper = format_items(vec![order::compare_f64_helper(&lowerer.library)])?;
        sections.push((String::new(), helper));
    }
    if lowerer.uses.partition_plan {
        let plan = format_items(vec![partitions::plan_constant(&program.partitions)])?;
        sections.push((String::new(), plan));
    }
    if !tests.is_empty() {
        let mut body = String::new();
        for (marker, tokens) in tests {
            let text = match format_items(vec![quote!(#[test] #tokens)]) {
                Ok(text) => text,
                Err(_) if !errors.is_empty() => continue,
                Err(error) => return Err(error),
            };
            body.push_str(&format!("\n{marker}\n{text}"));
        }
        // The tests' own copy: the module's is there only if its
        // functions use it.
        if test_uses.insert_missing {
            let helper = format_items(vec![entries::insert_missing_helper(&lowerer.library)])?;
            body.push_str(&format!("\n{helper}"));
        }
        if test_uses.compare_f64 {
            let helper = format_items(vec![order::compare_f64_helper(&lowerer.library)])?;
            body.push_str(&format!("\n{helper}"));
        }
        if test_uses.partition_plan {
            let plan = format_items(vec![partitions::plan_constant(&program.partitions)])?;
            body.push_str(&format!("\n{plan}"));
        }
        let mut indented = String::new();
        for line in body.trim_start().lines() {
            if !line.is_empty() {
                indented.push_str("    ");
            }
            indented.push_str(line);
            indented.push('\n');
        }
        let mut imports = String::new();
        if tests_name_items {
            imports.push_str("    use super::*;\n");
        }
        for line in use_lines(test_uses, &lowerer.library) {
            imports.push_str(&format!("    {line}\n"));
        }
        if !imports.is_empty() {
            imports.push('\n');
        }
        sections.push((
            String::new(),
            format!("#[cfg(test)]\nmod tests {{\n{imports}{indented}}}\n"),
        ));
    }
    let mut header = Vec::new();
    let imports = &program.modules[module].imports;
    if module != 0 && !imports.is_empty() {
        let names: Vec<_> = imports
            .iter()
            .map(|m| format_ident!("{}", program.modules[*m].name.as_str()))
            .collect();
        header.push(quote!(use super::{#(#names),*};));
    }
    let uses = lowerer.uses;
    let library = lowerer.library.clone();
    *marks = std::mem::take(&mut lowerer.marks);
    for line in use_lines(uses, &library) {
        header.push(line.parse().map_err(|e| LowerError {
            message: format!("an import does not parse ({e}): {line}"),
        })?);
    }
    let mut out = String::new();
    if !header.is_empty() {
        out.push_str(&format_items(header)?);
    }
    for (marker, text) in sections {
        if !out.is_empty() {
            out.push('\n');
        }
        if !marker.is_empty() {
            out.push_str(&marker);
            out.push('\n');
        }
        out.push_str(&text);
    }
    Ok(out)
}

/// The `use` lines of the library names in `uses`. A library name the
/// program declares itself is written with its absolute path instead (see
/// `library.rs`), never imported.
fn use_lines(uses: Uses, library: &library::Library) -> Vec<String> {
    let wanted = |used: bool, name: &str| used && !library.is_hidden(name);
    // A module of the program named `std` would take the crate's place.
    let std = if library.is_hidden("std") {
        "::std"
    } else {
        "std"
    };
    let mut lines = Vec::new();
    if wanted(uses.cow, "Cow") {
        lines.push(format!("use {std}::borrow::Cow;"));
    }
    if wanted(uses.ordering, "Ordering") {
        lines.push(format!("use {std}::cmp::Ordering;"));
    }
    match (
        wanted(uses.btree_map, "BTreeMap"),
        wanted(uses.hash_map, "HashMap"),
    ) {
        (true, true) => lines.push(format!("use {std}::collections::{{BTreeMap, HashMap}};")),
        (true, false) => lines.push(format!("use {std}::collections::BTreeMap;")),
        (false, true) => lines.push(format!("use {std}::collections::HashMap;")),
        _ => {}
    }
    match (wanted(uses.arc, "Arc"), wanted(uses.mutex, "Mutex")) {
        (true, true) => lines.push(format!("use {std}::sync::{{Arc, Mutex}};")),
        (true, false) => lines.push(format!("use {std}::sync::Arc;")),
        (false, true) => lines.push(format!("use {std}::sync::Mutex;")),
        _ => {}
    }
    lines
}

/// Whether function `id` names an item of the program (a function,
/// constant, record or enum; Rust functions are called by their paths),
/// so a `tests` module needs `use super::*`.
fn names_items(program: &Program, id: FunctionId) -> bool {
    use crate::ir::ExprKind as K;
    let Some(body) = &program.functions[id].body else {
        return false;
    };
    // A type written in an annotation (`map<i64, Point>`) names one too.
    fn names_a_type(program: &Program, ty: &Ty) -> bool {
        match ty {
            Ty::Named(t) => !program.types[*t].kind.is_opaque(),
            Ty::List(t) | Ty::Option(t) | Ty::Thread(t) | Ty::Task(t) | Ty::Mailbox(t) => {
                names_a_type(program, t)
            }
            Ty::Map(a, b) | Ty::Result(a, b) => {
                names_a_type(program, a) || names_a_type(program, b)
            }
            _ => false,
        }
    }
    if body.locals.iter().any(|l| names_a_type(program, &l.ty)) {
        return true;
    }
    let found = std::cell::Cell::new(false);
    crate::ir::walk_block(
        &body.block,
        &mut |e| match &e.kind {
            K::Call { function, .. } => {
                let rust = matches!(program.functions[*function].kind, FunctionKind::Rust { .. });
                found.set(found.get() || !rust);
            }
            K::MethodCall { .. } | K::Const(_) | K::Record { .. } | K::Variant { .. } => {
                found.set(true)
            }
            _ => {}
        },
        &mut |_| {},
    );
    found.get()
}

/// Whether a body calls `std::cmp::min` or `max` through a `rust_function`
/// on another min or max, or a min or max method on such a call (clippy:
/// min_max).
fn calls_rust_min_or_max(block: &crate::ir::Block, program: &Program) -> bool {
    use crate::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind as K};
    let min_or_max = |e: &Expr| match &e.kind {
        K::Call { function, .. } => matches!(&program.functions[*function].kind,
            FunctionKind::Rust { path } if path.ends_with("cmp::min") || path.ends_with("cmp::max")),
        _ => false,
    };
    let folded = |e: &Expr| {
        min_or_max(e)
            || matches!(
                e.kind,
                K::Builtin {
                    builtin: Builtin::Method(M::Min | M::Max),
                    ..
                }
            )
    };
    let found = std::cell::Cell::new(false);
    crate::ir::walk_block(
        block,
        &mut |e| match &e.kind {
            K::Call { args, .. } if min_or_max(e) && args.iter().any(folded) => found.set(true),
            // `std::cmp::min(0, n).max(0)`: the method on the function.
            K::Builtin {
                builtin: Builtin::Method(M::Min | M::Max),
                args,
            } if args.iter().any(min_or_max) => found.set(true),
            _ => {}
        },
        &mut |_| {},
    );
    found.get()
}

/// Whether a parameter of function `id` is read only in arguments of the
/// function's calls of itself, given to parameters that are themselves
/// only used so (clippy's only_used_in_recursion, a fixpoint as clippy
/// computes it).
fn only_used_in_recursion(body: &crate::ir::Body, id: FunctionId) -> bool {
    use crate::ir::ExprKind as K;
    // `self` is the first parameter, and a call's receiver its argument.
    let params = &body.params;
    let count = |e: &crate::ir::Expr, local: usize| {
        let n = std::cell::Cell::new(0usize);
        crate::ir::walk_expr(
            e,
            &mut |e| {
                if matches!(e.kind, K::Local { id, .. } if id == local) {
                    n.set(n.get() + 1);
                }
            },
            &mut |_| {},
        );
        n.get()
    };
    // For each parameter read only inside arguments of calls of itself:
    // the positions of those arguments.
    let targets: Vec<Option<Vec<usize>>> = params
        .iter()
        .map(|&local| {
            let all = std::cell::Cell::new(0);
            let inside = std::cell::Cell::new(0);
            let positions = std::cell::RefCell::new(Vec::new());
            crate::ir::walk_block(
                &body.block,
                &mut |e| match &e.kind {
                    K::Local { id, .. } if *id == local => all.set(all.get() + 1),
                    K::Call { function, args } if *function == id => {
                        for (position, arg) in args.iter().enumerate() {
                            let n = count(arg, local);
                            if n > 0 {
                                inside.set(inside.get() + n);
                                positions.borrow_mut().push(position);
                            }
                        }
                    }
                    K::MethodCall {
                        function,
                        receiver,
                        args,
                    } if *function == id => {
                        let arguments = std::iter::once(&**receiver).chain(args);
                        for (position, arg) in arguments.enumerate() {
                            let n = count(arg, local);
                            if n > 0 {
                                inside.set(inside.get() + n);
                                positions.borrow_mut().push(position);
                            }
                        }
                    }
                    _ => {}
                },
                &mut |_| {},
            );
            (all.get() > 0 && all.get() == inside.get()).then(|| positions.into_inner())
        })
        .collect();
    let mut only: Vec<bool> = targets.iter().map(Option::is_some).collect();
    loop {
        let mut changed = false;
        for (i, target) in targets.iter().enumerate() {
            let flows_out = target
                .as_ref()
                .is_some_and(|ts| ts.iter().any(|t| !only.get(*t).copied().unwrap_or(false)));
            if only[i] && flows_out {
                only[i] = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    only.contains(&true)
}

fn is_search_loop(block: &crate::ir::Block, returns: &Ty) -> bool {
    use crate::ir::{Builtin, ExprKind as K, Stmt};
    let ends_in_none = matches!(
        block.tail.as_deref().map(|e| &e.kind),
        Some(K::Builtin {
            builtin: Builtin::None,
            ..
        })
    );
    matches!(returns, Ty::Option(_))
        && ends_in_none
        && block.stmts.iter().any(|s| matches!(s, Stmt::For { .. }))
}

/// True if the list in `local` is resized, replaced or handed on as
/// `mutable`, so it must be passed as `&mut Vec<T>` rather than a slice.
/// Whether a value of `ty` holds a map inline (through options, results
/// and records, not behind a list): its size is the `HashMap`'s.
/// The size difference between variants at which clippy's
/// `large_enum_variant` speaks.
const LARGE_VARIANT_BYTES: usize = 200;

/// At least the size of `ty` in the generated Rust: every part counted at
/// its largest (no niche or layout saving), a Rust type as unbounded, so
/// a variant this puts under [`LARGE_VARIANT_BYTES`] is under it in Rust.
fn size_upper_bound(program: &Program, ty: &Ty, depth: usize) -> usize {
    if depth > 8 {
        return LARGE_VARIANT_BYTES;
    }
    match ty {
        Ty::I64 | Ty::F64 | Ty::Bool | Ty::Ordering | Ty::Unit | Ty::Never | Ty::Range => 8,
        Ty::Str | Ty::List(_) => 24,
        Ty::Map(..) => 48,
        Ty::Thread(_) | Ty::Task(_) | Ty::Mailbox(_) => 32,
        Ty::Option(t) if program.boxed_in_option(t) => 8,
        Ty::Option(t) => size_upper_bound(program, t, depth + 1) + 8,
        Ty::Result(a, b) => {
            size_upper_bound(program, a, depth + 1).max(size_upper_bound(program, b, depth + 1)) + 8
        }
        Ty::Named(id) => match &program.types[*id].kind {
            TypeDefKind::Record(fields) => fields
                .iter()
                .map(|(_, t)| size_upper_bound(program, t, depth + 1))
                .sum(),
            TypeDefKind::Enum(variants) => {
                variants
                    .iter()
                    .map(|(_, payload)| {
                        payload
                            .iter()
                            .map(|t| size_upper_bound(program, t, depth + 1))
                            .sum::<usize>()
                    })
                    .max()
                    .unwrap_or(0)
                    + 8
            }
            TypeDefKind::Rust(_) | TypeDefKind::Extension => LARGE_VARIANT_BYTES,
        },
        Ty::Unknown | Ty::Error => 0,
    }
}

fn holds_map(program: &Program, ty: &Ty, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    match ty {
        Ty::Map(..) => true,
        Ty::Option(t) => holds_map(program, t, depth + 1),
        Ty::Result(a, b) => holds_map(program, a, depth + 1) || holds_map(program, b, depth + 1),
        Ty::Named(id) => match &program.types[*id].kind {
            TypeDefKind::Record(fields) => {
                fields.iter().any(|(_, t)| holds_map(program, t, depth + 1))
            }
            // An enum is as large as its largest variant.
            TypeDefKind::Enum(variants) => variants
                .iter()
                .flat_map(|(_, payload)| payload)
                .any(|t| holds_map(program, t, depth + 1)),
            TypeDefKind::Rust(_) | TypeDefKind::Extension => false,
        },
        _ => false,
    }
}

fn grows_or_shrinks(block: &crate::ir::Block, local: usize, program: &Program) -> bool {
    use crate::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind as K, Stmt};
    let is_local = |e: &Expr| matches!(e.kind, K::Local { id, .. } if id == local);
    let found = std::cell::Cell::new(false);
    crate::ir::walk_block(
        block,
        &mut |e| match &e.kind {
            K::Builtin {
                builtin: Builtin::Method(M::Push | M::Pop | M::Insert | M::Remove | M::Clear),
                args,
            } => {
                found.set(found.get() || is_local(&args[0]));
            }
            K::Call { function, args } | K::MethodCall { function, args, .. } => {
                let params = &program.functions[*function].params;
                found.set(
                    found.get()
                        || args
                            .iter()
                            .zip(params)
                            .any(|(a, p)| p.mode == ParamMode::Mutable && is_local(a)),
                );
            }
            _ => {}
        },
        &mut |s| {
            if let Stmt::Assign { target, .. } = s {
                found.set(found.get() || is_local(target));
            }
        },
    );
    found.get()
}

/// The `let_var` lists of text literals that are only indexed, measured,
/// joined or printed (`is_empty` of a constant array is clippy's
/// const_is_empty): arrays of `&'static str`, so an element taken is
/// copied from the literal (`names[i].to_string()`) as Rust writes it,
/// not cloned from a `String` built first.
fn static_text_arrays(
    block: &crate::ir::Block,
    locals: &[crate::ir::Local],
    program: &Program,
) -> Vec<usize> {
    use crate::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind as K, Stmt};
    let mut candidates = Vec::new();
    crate::ir::walk_block(block, &mut |_| {}, &mut |stmt| {
        if let Stmt::Let { local, value, .. } = stmt {
            let texts = expr::literal_list(value)
                .filter(|items| items.iter().all(|i| matches!(i.kind, K::Str(_))));
            if let Some(items) = texts {
                if !locals[*local].mutated && locals[*local].repr == Repr::Value {
                    candidates.push((*local, items.len()));
                }
            }
        }
    });
    candidates.retain(|&(local, length)| {
        let is_local = |e: &Expr| matches!(e.kind, K::Local { id, .. } if id == local);
        let (total, safe) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        crate::ir::walk_block(
            block,
            &mut |e| match &e.kind {
                K::Local { id, .. } if *id == local => total.set(total.get() + 1),
                K::Index { base, .. } if is_local(base) => safe.set(safe.get() + 1),
                K::Builtin {
                    builtin: Builtin::Method(M::Length | M::Join),
                    args,
                } if is_local(&args[0]) => safe.set(safe.get() + 1),
                K::Builtin {
                    builtin:
                        Builtin::PrintLine | Builtin::Print | Builtin::PrintErrorLine | Builtin::Format,
                    args,
                } => safe.set(safe.get() + args.iter().filter(|a| is_local(a)).count()),
                _ => {}
            },
            &mut |_| {},
        );
        total.get() == safe.get() && used_only_as_slice(block, local, length, program)
    });
    candidates.into_iter().map(|(local, _)| local).collect()
}

/// True if the list in `local` is only read, sorted or reversed in place,
/// so a fixed-size array serves as well as a `Vec` (and clippy asks for one).
fn used_only_as_slice(
    block: &crate::ir::Block,
    local: usize,
    length: usize,
    program: &Program,
) -> bool {
    use crate::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind as K, Stmt};
    let is_local = |e: &Expr| matches!(e.kind, K::Local { id, .. } if id == local);
    let total = std::cell::Cell::new(0usize);
    let safe = std::cell::Cell::new(0usize);
    let count_safe = |n: usize| safe.set(safe.get() + n);
    crate::ir::walk_block(
        block,
        &mut |e| match &e.kind {
            K::Local { id, .. } if *id == local => total.set(total.get() + 1),
            // Read, a copy of the list is the list (the lowering drops it),
            // and so is `match 0 { _ => xs }`.
            K::Builtin {
                builtin:
                    Builtin::Method(
                        M::Length
                        | M::IsEmpty
                        | M::Get
                        | M::First
                        | M::Last
                        | M::Contains
                        | M::Join
                        | M::MinBy
                        | M::MaxBy
                        | M::MinByKey
                        | M::MaxByKey,
                    ),
                args,
            } => count_safe(usize::from(is_local(source_lints::simplified(&args[0])))),
            K::Builtin {
                builtin:
                    Builtin::Method(
                        M::Sort
                        | M::SortBy
                        | M::SortByKey
                        | M::Reverse
                        | M::ReverseRange
                        | M::RotateRange
                        | M::FillRange
                        | M::CopyRange
                        | M::Sublist,
                    ),
                args,
            } => count_safe(usize::from(is_local(&args[0]))),
            K::Builtin {
                builtin:
                    Builtin::PrintLine | Builtin::Print | Builtin::PrintErrorLine | Builtin::Format,
                args,
            } => {
                count_safe(args.iter().filter(|a| is_local(a)).count());
            }
            K::Index { base, index } => {
                // A literal index is checked by rustc against an array's
                // length; out of range it is a compile error, so keep a Vec.
                let literal_ok = match index.kind {
                    K::Int(v) => v >= 0 && (v as usize) < length,
                    _ => true,
                };
                count_safe(usize::from(is_local(base) && literal_ok));
            }
            K::Call { function, args } | K::MethodCall { function, args, .. } => {
                let params = &program.functions[*function].params;
                let read_only = args
                    .iter()
                    .zip(params)
                    .filter(|(a, p)| p.mode == ParamMode::Read && is_local(a))
                    .count();
                count_safe(read_only);
            }
            _ => {}
        },
        &mut |s| {
            if let Stmt::For { iterable, .. } = s {
                count_safe(usize::from(is_local(iterable)));
            }
        },
    );
    total.get() == safe.get()
}

/// `attributes` followed by one `#[allow(…)]` of `lints`, if there are any.
fn with_allowed(
    attributes: TokenStream,
    lints: std::collections::BTreeSet<&'static str>,
) -> TokenStream {
    if lints.is_empty() {
        return attributes;
    }
    let lints: Vec<TokenStream> = lints
        .into_iter()
        .map(|lint| lint.parse().unwrap_or_default())
        .collect();
    quote!(#attributes #[allow(#(#lints),*)])
}

/// The naming lints a record or enum must allow: its own name's, and its
/// fields' (`non_snake_case`).
fn naming_allows(camel_name: bool, snake_fields: bool) -> TokenStream {
    match (camel_name, snake_fields) {
        (true, true) => quote!(),
        (false, true) => quote!(#[allow(non_camel_case_types)]),
        (true, false) => quote!(#[allow(non_snake_case)]),
        (false, false) => quote!(#[allow(non_camel_case_types, non_snake_case)]),
    }
}

fn docs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

impl<'p> Lowerer<'p> {
    /// How generated Rust names the library item `short` (`Arc`, `String`).
    fn lib(&self, short: &str) -> TokenStream {
        self.library.path(short)
    }

    fn visibility(&self, public: bool) -> TokenStream {
        if public {
            quote!(pub)
        } else {
            quote!()
        }
    }

    /// Whether an error inside `span` was reported.
    fn has_error_in(&self, span: Span) -> bool {
        // An empty span just past the end (a missing value before `}`)
        // belongs to the item it ends.
        self.errors.iter().any(|e| {
            e.file == span.file
                && e.start >= span.start
                && (e.start < span.end || (e.start == span.end && e.end == e.start))
        })
    }

    /// With errors, whether `item` is left out of the valid items.
    fn leaves_out(&self, item: ItemRef) -> bool {
        if self.errors.is_empty() {
            return false;
        }
        match item {
            ItemRef::Type(_) | ItemRef::Constant(_) => self
                .program
                .item_spans
                .get(&item)
                .is_none_or(|span| self.has_error_in(*span)),
            ItemRef::Function(id) => !self.signature_is_valid(id),
            ItemRef::Methods(..) => false,
        }
    }

    fn signature_is_valid(&self, id: usize) -> bool {
        let f = &self.program.functions[id];
        !f.returns.is_incomplete() && f.params.iter().all(|p| !p.ty.is_incomplete())
    }

    fn item(&mut self, item: ItemRef) -> TokenStream {
        match item {
            ItemRef::Type(id) => self.type_def(id),
            ItemRef::Function(id) => self.function(id),
            ItemRef::Methods(ty, group) => {
                let target = self.type_path(ty);
                let valid: Vec<usize> = self.program.methods[group]
                    .iter()
                    .copied()
                    .filter(|f| self.errors.is_empty() || self.signature_is_valid(*f))
                    .collect();
                let functions: Vec<TokenStream> =
                    valid.into_iter().map(|f| self.function(f)).collect();
                quote!(impl #target { #(#functions)* })
            }
            ItemRef::Constant(id) => {
                let c = &self.program.constants[id];
                let name = format_ident!("{}", c.name.as_str());
                let ty = match &c.ty {
                    Ty::Str => {
                        let str = self.lib("str");
                        quote!(&#str)
                    }
                    other => self.rust_type(other),
                };
                let value = self.constant_value(&c.value);
                let vis = self.visibility(c.public);
                let doc = docs(&c.docs);
                let allow = if c.referenced {
                    quote!()
                } else if c.referenced_in_tests {
                    quote!(#[cfg_attr(not(test), allow(dead_code))])
                } else {
                    quote!(#[allow(dead_code)])
                };
                let allow = if naming::is_upper_case(&c.name) {
                    allow
                } else {
                    quote!(#allow #[allow(non_upper_case_globals)])
                };
                let allow = with_allowed(
                    allow,
                    source_lints::value_lints(&c.value, &self.program.constants),
                );
                quote!(#doc #allow #vis const #name: #ty = #value;)
            }
        }
    }

    fn type_def(&mut self, id: usize) -> TokenStream {
        let def = &self.program.types[id];
        let name = format_ident!("{}", def.name.as_str());
        // Privacy is the checker's business; in Rust every record and enum
        // is `pub`, so a public function may name any of them.
        let vis = self.visibility(true);
        let doc = docs(&def.docs);
        match &def.kind {
            TypeDefKind::Record(fields) => {
                let fields: Vec<TokenStream> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, (n, t))| {
                        let n = format_ident!("{}", n.as_str());
                        let t = self.rust_type(t);
                        let d = docs(def.member_docs.get(i).map_or(&[][..], Vec::as_slice));
                        quote!(#d pub #n: #t)
                    })
                    .collect();
                let derives = self.derives(id);
                let debug = self.own_debug(id);
                let naming = naming_allows(
                    naming::is_camel_case(&def.name),
                    matches!(&def.kind, TypeDefKind::Record(f) if f.iter().all(|(n, _)| naming::is_snake_case(n))),
                );
                quote!(#doc #derives #[allow(dead_code)] #naming #vis struct #name { #(#fields),* } #debug)
            }
            TypeDefKind::Enum(variants) => {
                let variants: Vec<TokenStream> = variants
                    .iter()
                    .enumerate()
                    .map(|(i, (n, payload))| {
                        let n = format_ident!("{}", n.as_str());
                        let d = docs(def.member_docs.get(i).map_or(&[][..], Vec::as_slice));
                        if payload.is_empty() {
                            quote!(#d #n)
                        } else {
                            let ts: Vec<TokenStream> =
                                payload.iter().map(|t| self.rust_type(t)).collect();
                            quote!(#d #n(#(#ts),*))
                        }
                    })
                    .collect();
                let derives = self.derives(id);
                let debug = self.own_debug(id);
                let conventional = naming::is_camel_case(&def.name)
                    && matches!(&def.kind, TypeDefKind::Enum(v) if v.iter().all(|(n, _)| naming::is_camel_case(n)));
                let naming = naming_allows(conventional, true);
                // Variant sizes follow the lowering's representations (a
                // map is a `HashMap`), and the language has no `Box` to
                // even them out with: wherever clippy could find a variant
                // 200 bytes larger than another, it is allowed.
                let carries = matches!(&self.program.types[id].kind,
                    TypeDefKind::Enum(all) if all.iter().flat_map(|(_, payload)| payload).any(|t| holds_map(self.program, t, 0))
                        || all.iter().any(|(_, payload)| payload.iter().map(|t| size_upper_bound(self.program, t, 0)).sum::<usize>() >= LARGE_VARIANT_BYTES));
                let naming = if carries {
                    quote!(#naming #[allow(clippy::large_enum_variant)])
                } else {
                    naming
                };
                // `enum Shape { CircleShape }`: the author's naming.
                let repeats_name = matches!(&def.kind, TypeDefKind::Enum(v)
                    if v.iter().any(|(n, _)| n.starts_with(def.name.as_str()) || n.ends_with(def.name.as_str())));
                let naming = if repeats_name {
                    quote!(#naming #[allow(clippy::enum_variant_names)])
                } else {
                    naming
                };
                quote!(#doc #derives #[allow(dead_code)] #naming #vis enum #name { #(#variants),* } #debug)
            }
            TypeDefKind::Rust(_) | TypeDefKind::Extension => quote!(),
        }
    }

    /// Records and enums derive `Debug`, `Clone` and `PartialEq`; `Copy`
    /// is never derived so ownership reads the same for every user type.
    /// One that holds a map writes its own `Debug`, in key order.
    fn derives(&self, id: usize) -> TokenStream {
        let wanted = extensions::type_attributes(self.program, id);
        if self.needs_sorted_debug(id) {
            quote!(#[derive(Clone, PartialEq)] #wanted)
        } else {
            quote!(#[derive(Debug, Clone, PartialEq)] #wanted)
        }
    }

    /// The `Debug` of a record or enum that holds a map.
    fn own_debug(&mut self, id: usize) -> TokenStream {
        if self.needs_sorted_debug(id) {
            self.sorted_debug_impl(id)
        } else {
            quote!()
        }
    }

    fn function(&mut self, id: usize) -> TokenStream {
        let f = &self.program.functions[id];
        let Some(body) = &f.body else { return quote!() };
        self.locals = &body.locals;
        self.params = &body.params;
        self.body = Some(&body.block);
        self.static_text = static_text_arrays(&body.block, &body.locals, self.program);
        let name = format_ident!("{}", f.name.as_str());
        let mut params = Vec::new();
        let mut param_locals = body.params.iter();
        if let FunctionKind::Method {
            receiver: Some(mode),
            ..
        } = &f.kind
        {
            param_locals.next();
            params.push(match mode {
                ParamMode::Read => quote!(&self),
                ParamMode::Mutable => quote!(&mut self),
                ParamMode::Owned if body.locals[0].mutated => quote!(mut self),
                ParamMode::Owned => quote!(self),
            });
        }
        for (param, local) in f.params.iter().zip(param_locals) {
            let ident = self.local_ident(*local);
            let ty = match (&param.ty, param.mode) {
                (Ty::List(element), ParamMode::Mutable)
                    if !grows_or_shrinks(&body.block, *local, self.program) =>
                {
                    // Only elements change: a mutable slice is enough.
                    let element = self.rust_type(element);
                    quote!(&mut [#element])
                }
                _ => self.param_type(&param.ty, param.mode),
            };
            let mutable = param.mode == ParamMode::Owned && body.locals[*local].mutated;
            params.push(if mutable {
                quote!(mut #ident: #ty)
            } else {
                quote!(#ident: #ty)
            });
        }
        let returns = match &f.returns {
            Ty::Unit => quote!(),
            other => {
                let t = self.rust_type(other);
                quote!(-> #t)
            }
        };
        let stubbed = self.has_error_in(f.extent);
        let block = if stubbed {
            let message = format!("`{}` has errors; see the compiler's messages", f.name);
            quote!({ unimplemented!(#message) })
        } else if f.name == "main"
            && f.module == 0
            && f.kind == FunctionKind::Free
            && self.program.partitions.used
        {
            partitions::with_main_guard(self.function_body(&body.block, f.returns == Ty::Unit))
        } else {
            self.function_body(&body.block, f.returns == Ty::Unit)
        };
        let vis = if f.kind == FunctionKind::Test {
            quote!()
        } else {
            self.visibility(f.public || (f.module != 0 && matches!(f.kind, FunctionKind::Free)))
        };
        let doc = docs(&f.docs);
        // rustc would warn about an item nothing calls; the checker has
        // already said so (for private items) or it is public API.
        let is_entry = f.kind == FunctionKind::Test || (f.name == "main" && f.module == 0);
        let allow = if f.referenced || is_entry {
            quote!()
        } else if f.referenced_in_tests {
            quote!(#[cfg_attr(not(test), allow(dead_code))])
        } else {
            quote!(#[allow(dead_code)])
        };
        // The checker reported stores nothing reads (PT0505); rustc would
        // report them again.
        let allow = if body.has_dead_stores {
            quote!(#allow #[allow(unused_assignments)])
        } else {
            allow
        };
        // A search loop that returns `Some(item)` and ends in `None` is the
        // one way to write a search in Parseltongue, which has no closures;
        // clippy would ask for `Iterator::find` instead.
        let allow = if is_search_loop(&body.block, &f.returns) {
            quote!(#allow #[allow(clippy::manual_find)])
        } else {
            allow
        };
        let allow = if stubbed {
            quote!(#allow #[allow(unused_variables)])
        } else {
            allow
        };
        // Lints about the author's own logic (`x == x`, `x = x`), where
        // this body has their shape (see `source_lints.rs`).
        let mut lints =
            source_lints::source_lints(&body.block, &body.locals, &self.program.constants);
        lints.append(&mut self.chosen_lints);
        // `std::cmp::min(x.max(1), 5)`: clippy knows these Rust functions.
        if calls_rust_min_or_max(&body.block, self.program) {
            lints.insert("clippy::min_max");
        }
        // A parameter a recursive function only hands on to itself.
        if only_used_in_recursion(body, id) {
            lints.insert("clippy::only_used_in_recursion");
        }
        // A method the author named `to_string` (clippy would have the
        // record implement `Display`).
        if f.name == "to_string"
            && f.returns == Ty::Str
            && matches!(
                f.kind,
                FunctionKind::Method {
                    receiver: Some(_),
                    ..
                }
            )
        {
            lints.insert("clippy::inherent_to_string");
        }
        if f.returns == Ty::Unit && stmt::keeps_tail_return(&body.block) {
            lints.insert("clippy::needless_return");
        }
        // A `mutable` string the body never changes is still `&mut String`.
        let unchanged_string = f
            .params
            .iter()
            .zip(body.params.iter().skip(usize::from(matches!(
                f.kind,
                FunctionKind::Method {
                    receiver: Some(_),
                    ..
                }
            ))))
            .any(|(p, local)| {
                p.mode == ParamMode::Mutable
                    && p.ty == Ty::Str
                    && !self.block_changes(&body.block, *local)
            });
        if unchanged_string {
            lints.insert("clippy::ptr_arg");
        }
        // `to_…`, `into_…`, `as_…`, `is_…`, `from_…` carry receiver
        // conventions in Rust that a Parseltongue method need not follow.
        let conventional_prefix = ["to_", "into_", "as_", "is_", "from_"]
            .iter()
            .any(|p| f.name.starts_with(p));
        if conventional_prefix && matches!(f.kind, FunctionKind::Method { .. }) {
            lints.insert("clippy::wrong_self_convention");
        }
        // `Drop::drop()` returning a `Drop`: a constructor named after its
        // type, to clippy.
        if let FunctionKind::Method { of, receiver: None } = f.kind {
            let type_name = self.program.types[of].name.to_lowercase();
            if f.name.replace('_', "") == type_name.replace('_', "") && f.returns == Ty::Named(of) {
                lints.insert("clippy::self_named_constructors");
            }
        }
        if allow.to_string().contains("dead_code") {
            lints.remove("dead_code");
        }
        let allow = with_allowed(allow, lints);
        let conventional = naming::is_snake_case(&f.name)
            && body.locals.iter().all(|l| naming::is_snake_case(&l.name));
        let allow = if conventional {
            allow
        } else {
            quote!(#allow #[allow(non_snake_case)])
        };
        quote!(#doc #allow #vis fn #name(#(#params),*) #returns #block)
    }

    /// The Rust name of a local: unused ones get a leading underscore, as
    /// the checker's warning suggested, so rustc does not warn again.
    fn local_ident(&self, id: usize) -> proc_macro2::Ident {
        let local = &self.locals[id];
        if local.name == "self" {
            return format_ident!("self");
        }
        if !local.used && !local.name.starts_with('_') {
            format_ident!("_{}", local.name.as_str())
        } else {
            format_ident!("{}", local.name.as_str())
        }
    }

    fn local_repr(&self, id: usize) -> Repr {
        self.locals[id].repr
    }
}
