//! The program generator: random, well-typed Parseltongue programs that
//! the checker must accept without a diagnostic, in the manner of Csmith
//! and YARPGen. Each program is determined by its seed and a size knob.
//!
//! The generator writes source text while keeping a model of what it has
//! declared ([`model`]): types of items and variables, and for each variable
//! whether it was read, changed, or holds a value nothing has read yet.
//! That model is how it avoids every warning by construction: a binding
//! that would go unread is printed at the end of its block, a store is read
//! before the next store, a `let_mut_var` that nothing changed is written
//! `let_var`, and every function is called.

mod expr;
mod items;
pub mod model;
mod names;
mod order;
mod patterns;
mod rng;
mod stmt;
mod streams;

pub use rng::Rng;

use model::{Items, Kind, Ty, Var};

/// How large a program to write.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    /// Helper functions besides `main` (methods come on top).
    pub functions: usize,
    /// Statements per block, at most.
    pub statements: usize,
    /// How deep expressions nest.
    pub expression_depth: usize,
    /// How deep blocks nest.
    pub block_depth: usize,
}

impl Size {
    /// A size from a knob: 0 is tiny, 10 is large.
    pub fn from_knob(knob: usize) -> Size {
        let knob = knob.min(20);
        Size {
            functions: 1 + knob,
            statements: 3 + knob,
            expression_depth: 2 + knob / 3,
            block_depth: 2 + knob / 4,
        }
    }
}

/// A generated program: its files, root first.
#[derive(Clone, Debug)]
pub struct Program {
    /// The seed it came from.
    pub seed: u64,
    /// `(file name, text)`; the first is the root module.
    pub files: Vec<(String, String)>,
}

/// Writes the program of `seed` at `size`.
pub fn generate(seed: u64, size: Size) -> Program {
    let mut gen = Gen::new(seed, size);
    let (text, module) = gen.program();
    let mut files = vec![("main.pt".to_string(), text)];
    if let Some((name, text)) = module {
        files.push((format!("{name}.pt"), text));
    }
    Program { seed, files }
}

/// The state of one program being written.
pub(crate) struct Gen {
    rng: Rng,
    size: Size,
    items: Items,
    /// Variables in scope, innermost block last.
    scopes: Vec<Vec<Var>>,
    /// Lines of the function being written.
    lines: Vec<String>,
    indent: usize,
    /// For each `let_mut_var` placeholder: whether the variable changed.
    keyword_slots: Vec<bool>,
    /// The function being written.
    current: FunctionContext,
    /// Unique names.
    next_name: usize,
    /// Variables borrowed by a `let_cow_var`: (scope depth of the
    /// `let_cow_var`, name of the source), so the source stays unchanged.
    cow_sources: Vec<(usize, String)>,
    /// Record literals being written inside each other.
    nesting: usize,
    /// The comparison and key functions of each sortable element type.
    order_functions: Vec<order::Order>,
}

/// What the function being written allows.
#[derive(Clone, Debug, Default)]
struct FunctionContext {
    /// Its index in `items.functions` (`None` for `main` and tests).
    index: Option<usize>,
    /// Its return type.
    returns: Option<Ty>,
    /// Loops around the code being written (0 inside a thread's body).
    loops: usize,
    /// `spawn_thread` bodies around the code being written.
    threads: usize,
    /// Shared variables whose lock is held here.
    locked: Vec<String>,
}

impl Gen {
    fn new(seed: u64, size: Size) -> Gen {
        Gen {
            rng: Rng::new(seed),
            size,
            items: Items::default(),
            scopes: Vec::new(),
            lines: Vec::new(),
            indent: 0,
            keyword_slots: Vec::new(),
            current: FunctionContext::default(),
            next_name: 0,
            cow_sources: Vec::new(),
            nesting: 0,
            order_functions: Vec::new(),
        }
    }

    /// Writes a line of the current function at the current indentation.
    fn emit(&mut self, line: impl AsRef<str>) {
        let mut text = "    ".repeat(self.indent);
        text.push_str(line.as_ref());
        self.lines.push(text);
    }

    /// A fresh name with `stem` (names never repeat within a program, so
    /// shadowing is a deliberate choice elsewhere, not an accident).
    fn fresh(&mut self, stem: &str) -> String {
        self.next_name += 1;
        format!("{stem}_{}", self.next_name)
    }

    /// Declares a variable in the innermost scope.
    fn declare(&mut self, name: &str, ty: Ty, kind: Kind, keyword_slot: Option<usize>) {
        let var = Var {
            name: name.to_string(),
            ty,
            kind,
            keyword_slot,
            read: false,
            mutated: false,
            pending: matches!(
                kind,
                Kind::LetMut | Kind::Cow | Kind::Param(model::Mode::Owned)
            ),
            frozen: 0,
            thread_depth: self.current.threads,
            joined: false,
            consumed: false,
            loops: self.current.loops,
        };
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(var);
        }
    }

    /// The variables visible here, innermost last, as (scope, index) pairs
    /// of those matching `keep`.
    fn visible(&self, keep: impl Fn(&Var) -> bool) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut shadowed: Vec<&str> = Vec::new();
        for (s, scope) in self.scopes.iter().enumerate().rev() {
            for (i, var) in scope.iter().enumerate().rev() {
                if shadowed.contains(&var.name.as_str()) {
                    continue;
                }
                shadowed.push(&var.name);
                let in_reach = !var.consumed
                    && (var.thread_depth == self.current.threads
                        || matches!(var.kind, Kind::Shared | Kind::MutShared)
                        || (var.ty.is_copy() && !matches!(var.kind, Kind::Thread | Kind::Guard)));
                if in_reach && keep(var) {
                    found.push((s, i));
                }
            }
        }
        found.reverse();
        found
    }

    fn var(&mut self, at: (usize, usize)) -> &mut Var {
        &mut self.scopes[at.0][at.1]
    }

    /// Marks a variable read and returns its name.
    fn read_var(&mut self, at: (usize, usize)) -> String {
        let var = self.var(at);
        var.read = true;
        var.pending = false;
        var.name.clone()
    }

    /// Records that a variable changes (its whole value is replaced when
    /// `replaced`), reading its pending value first so no store is dead.
    fn before_change(&mut self, at: (usize, usize), replaced: bool) {
        if replaced && self.var(at).pending {
            self.print_var(at);
        }
        let var = self.var(at);
        var.mutated = true;
        if let Some(slot) = var.keyword_slot {
            self.keyword_slots[slot] = true;
        }
    }

    /// After a change: the new value is pending until something reads it.
    fn after_change(&mut self, at: (usize, usize)) {
        let var = self.var(at);
        if matches!(
            var.kind,
            Kind::LetMut | Kind::Cow | Kind::Param(model::Mode::Owned)
        ) {
            var.pending = true;
        }
    }

    /// Prints a variable (its debug form), which reads it.
    fn print_var(&mut self, at: (usize, usize)) {
        if self.current.threads > 0 {
            return;
        }
        let var = self.var(at).clone();
        match var.kind {
            Kind::MutShared => {
                if self.current.locked.contains(&var.name) {
                    return;
                }
                let guard = self.fresh("seen");
                self.read_var(at);
                self.emit(format!("with_lock {} as {guard} {{", var.name));
                self.emit(format!(
                    "    print_line(\"{}: {{:?}}\", {guard});",
                    var.name
                ));
                self.emit("}");
            }
            Kind::Thread => {
                if !var.joined {
                    self.read_var(at);
                    self.var(at).joined = true;
                    self.emit(format!(
                        "print_line(\"{}: {{:?}}\", {}.join());",
                        var.name, var.name
                    ));
                }
            }
            _ => {
                let name = self.read_var(at);
                self.emit(format!("print_line(\"{name}: {{:?}}\", {name});"));
            }
        }
    }

    /// Opens a block scope.
    fn open(&mut self) {
        self.scopes.push(Vec::new());
        self.indent += 1;
    }

    /// Closes a block scope: every variable of it that was never read, or
    /// holds a value nothing read, is printed first; threads are joined.
    fn close(&mut self) {
        self.close_reads();
        self.end_scope();
    }

    /// The reads `close` makes before the scope ends.
    fn close_reads(&mut self) {
        let depth = self.scopes.len() - 1;
        let count = self.scopes[depth].len();
        for i in 0..count {
            let var = &self.scopes[depth][i];
            let needs = match var.kind {
                _ if var.consumed => false,
                Kind::Thread => !var.joined,
                _ => !var.read || var.pending,
            };
            if needs {
                self.print_var((depth, i));
            }
        }
        // Values stored into outer variables in this block are read here
        // too, so a loop's next round cannot overwrite them unread.
        self.read_pending_outer(depth);
    }

    /// Reads every pending variable of the scopes outside `depth`.
    fn read_pending_outer(&mut self, depth: usize) {
        for s in 0..depth {
            for i in 0..self.scopes[s].len() {
                if self.scopes[s][i].pending && self.visible_var((s, i)) {
                    self.print_var((s, i));
                }
            }
        }
    }

    /// Reads every pending variable in scope, before control leaves.
    fn read_all_pending(&mut self) {
        let depth = self.scopes.len();
        self.read_pending_outer(depth);
    }

    fn visible_var(&self, at: (usize, usize)) -> bool {
        self.visible(|_| true).contains(&at)
    }

    /// Drops the innermost scope without printing (its variables were
    /// handled by the caller); unfreezes what its `let_cow_var`s borrowed.
    fn end_scope(&mut self) {
        self.scopes.pop();
        self.unfreeze_dropped();
        self.indent -= 1;
    }

    /// Recomputes which variables are borrowed by live `let_cow_var`s.
    fn unfreeze_dropped(&mut self) {
        let borrowed: Vec<String> = self
            .cow_sources
            .iter()
            .filter(|(depth, _)| *depth < self.scopes.len())
            .map(|(_, name)| name.clone())
            .collect();
        self.cow_sources
            .retain(|(depth, _)| *depth < self.scopes.len());
        for scope in &mut self.scopes {
            for var in scope.iter_mut() {
                var.frozen = borrowed.iter().filter(|b| **b == var.name).count();
            }
        }
    }
}
