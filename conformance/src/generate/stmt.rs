//! Statements, and the blocks they nest in.

use super::expr::Level;
use super::model::{Kind, Mode, Ty};
use super::names;
use super::Gen;

impl Gen {
    /// Writes up to `size.statements` statements into the open block.
    pub(super) fn statements(&mut self, depth: usize) {
        let n = 1 + self.rng.below(self.size.statements);
        for _ in 0..n {
            self.statement(depth);
        }
    }

    /// A nested block: opened, filled, closed.
    fn nested(&mut self, depth: usize) {
        self.open();
        self.statements(depth + 1);
        self.close();
    }

    fn statement(&mut self, depth: usize) {
        let d = self.size.expression_depth;
        let nest = depth < self.size.block_depth;
        let in_thread = self.current.threads > 0;
        let weights = [
            25,                                                 // let
            12,                                                 // assignment
            10,                                                 // mutating method
            if in_thread { 0 } else { 8 },                      // print
            if nest { 8 } else { 0 },                           // if
            if nest { 6 } else { 0 },                           // match
            if nest && self.current.loops < 2 { 6 } else { 0 }, // for
            if nest && self.current.loops < 2 { 3 } else { 0 }, // while / loop
            if in_thread { 0 } else { 6 },                      // call
            4,                                                  // element assignment
            if nest && !in_thread { 3 } else { 0 },             // early exit
            if nest && !in_thread && self.current.locked.is_empty() {
                2
            } else {
                0
            }, // threads
            if nest { 3 } else { 0 },                           // with_lock
            if nest { 2 } else { 0 },                           // block
            4,                                                  // let_cow_var
            2,                                                  // shadowing
            if nest { 4 } else { 0 },                           // with_entry
        ];
        match self.rng.weighted(&weights) {
            0 => self.let_statement(d),
            1 => self.assignment(d),
            2 => self.mutating_method(d),
            3 => self.print_statement(d),
            4 => self.if_statement(depth, d),
            5 => self.match_statement(depth, d),
            6 => self.for_statement(depth, d),
            7 => self.while_statement(depth, d),
            8 => self.call_statement(d),
            9 => self.element_assignment(d),
            10 => self.early_exit(d),
            11 => self.threads(d),
            12 => self.with_lock_statement(depth, d),
            13 => {
                self.emit("{");
                self.nested(depth);
                self.emit("}");
            }
            14 => self.cow_statement(d),
            15 => self.shadowing(d),
            _ => self.with_entry_statement(depth, d),
        }
    }

    fn let_statement(&mut self, d: usize) {
        let ty = self.any_type(2);
        let in_thread = self.current.threads > 0;
        let kind = match self.rng.below(100) {
            0..=39 => Kind::Let,
            40..=79 => Kind::LetMut,
            80..=89 if !ty.is_copy() => Kind::Cow,
            90..=94 if !in_thread => Kind::Shared,
            95..=99 if !in_thread => Kind::MutShared,
            _ => Kind::Let,
        };
        let annotate = self.rng.chance(50);
        let value = if annotate {
            match &ty {
                Ty::List(_) if self.rng.chance(25) => "list_of()".to_string(),
                Ty::Map(..) if self.rng.chance(40) => "map_of()".to_string(),
                _ => self.typed(&ty, d).text,
            }
        } else {
            self.expr(&ty, d).text
        };
        let name = self.variable_name();
        let annotation = if annotate {
            format!(": {}", self.items.show(&ty))
        } else {
            String::new()
        };
        let (keyword, slot) = match kind {
            Kind::LetMut => {
                self.keyword_slots.push(false);
                let slot = self.keyword_slots.len() - 1;
                (format!("\u{1}{slot}\u{1}"), Some(slot))
            }
            Kind::Cow => ("let_cow_var".into(), None),
            Kind::Shared => ("let_shared_var".into(), None),
            Kind::MutShared => ("let_mut_shared_var".into(), None),
            _ => ("let_var".into(), None),
        };
        self.emit(format!("{keyword} {name}{annotation} = {value};"));
        self.declare(&name, ty, kind, slot);
        if kind == Kind::Cow {
            self.freeze_source(&value);
        }
    }

    /// A variable name: mostly fresh, sometimes one of the names Rust
    /// or the lowering uses itself.
    pub(super) fn variable_name(&mut self) -> String {
        let stem = *self.rng.pick(names::VARIABLES);
        // The exact name only where it shadows nothing and no function
        // has it (a variable hides a function of its name).
        let taken = self.scopes.iter().flatten().any(|v| v.name == stem)
            || self.items.functions.iter().any(|f| f.name == stem);
        if !taken && self.rng.chance(30) {
            stem.to_string()
        } else {
            self.fresh(stem)
        }
    }

    /// A changeable variable (not shared, not frozen), chosen by `keep`.
    fn changeable(&mut self, keep: impl Fn(&super::model::Var) -> bool) -> Option<(usize, usize)> {
        let vars = self.visible(|v| v.changeable() && keep(v));
        if vars.is_empty() {
            None
        } else {
            Some(*self.rng.pick(&vars))
        }
    }

    fn assignment(&mut self, d: usize) {
        let Some(at) = self.changeable(|_| true) else {
            return self.let_statement(d);
        };
        let var = self.var(at).clone();
        // A field of a record variable, sometimes.
        if let Ty::Record(r) = var.ty {
            if self.rng.chance(60) {
                let (field, fty) = self.rng.pick(&self.items.records[r].fields.clone()).clone();
                self.before_change(at, false);
                let value = self.typed(&fty, d).text;
                self.var(at).read = true;
                self.emit(format!("{}.{field} = {value};", var.name));
                self.after_change(at);
                return;
            }
        }
        if matches!(var.ty, Ty::I64 | Ty::F64) && self.rng.chance(50) {
            let op = *self.rng.pick(&["+=", "-=", "*=", "/=", "%="]);
            let value = if matches!(op, "/=" | "%=") {
                if var.ty == Ty::I64 {
                    self.rng.between(1, 5).to_string()
                } else {
                    "2.0".to_string()
                }
            } else {
                self.expr(&var.ty, d).at(Level::Prefix)
            };
            self.before_change(at, false);
            self.var(at).read = true;
            self.emit(format!("{} {op} {value};", var.name));
            self.after_change(at);
            return;
        }
        self.before_change(at, true);
        let value = self.typed(&var.ty, d).text;
        self.emit(format!("{} = {value};", var.name));
        // The value may have consumed the old one (`x = x.owned_method()`);
        // the variable holds a new value, which something must read.
        self.var(at).consumed = false;
        self.after_change(at);
    }

    fn mutating_method(&mut self, d: usize) {
        let Some(at) = self.changeable(|v| matches!(v.ty, Ty::List(_) | Ty::Map(..) | Ty::Str))
        else {
            return self.assignment(d);
        };
        let var = self.var(at).clone();
        self.before_change(at, false);
        let name = self.read_var(at);
        let line = match &var.ty {
            Ty::List(t) => match self.rng.below(14) {
                // Ranges that are always in bounds.
                8 => format!("{name}.reverse_range(0, {name}.length());"),
                9 => {
                    let count = self.expr(&Ty::I64, d).text;
                    format!("{name}.rotate_range(0, {name}.length(), {count});")
                }
                10 => format!(
                    "{name}.fill_range(0, {name}.length().min(1), {});",
                    self.expr(t, d).text
                ),
                11 => format!("{name}.copy_range(0, {name}.length() / 2, {name}.length() / 2);"),
                0 | 1 => format!("{name}.push({});", self.expr(t, d).text),
                2 => format!("{name}.pop();"),
                3 => format!("{name}.insert(0, {});", self.expr(t, d).text),
                4 => format!("{name}.insert({name}.length(), {});", self.expr(t, d).text),
                5 if matches!(**t, Ty::I64 | Ty::F64 | Ty::Str | Ty::Bool) => {
                    format!("{name}.sort();")
                }
                5 | 12 | 13 => match self.sort_call(t) {
                    Some(call) => format!("{name}.{call};"),
                    None => format!("{name}.reverse();"),
                },
                6 => format!("{name}.reverse();"),
                7 => format!("if {name}.length() > 1 {{ {name}.remove(1); }}"),
                _ => format!("{name}.clear();"),
            },
            Ty::Str => format!("{name}.append({});", self.expr(&Ty::Str, d).text),
            Ty::Map(k, v) => {
                let key = self.expr(k, d).text;
                if self.rng.chance(70) {
                    let value = self.expr(v, d).text;
                    format!("{name}.insert({key}, {value});")
                } else {
                    format!("{name}.remove({key});")
                }
            }
            _ => String::new(),
        };
        self.emit(line);
        self.after_change(at);
    }

    /// `xs[i] = …` and `xs[i].field = …` under a guard that keeps `i` in
    /// range; the value may read the same list (`xs[xs.length() - 1] = xs[0] + 1`).
    fn element_assignment(&mut self, d: usize) {
        let Some(at) = self.changeable(|v| matches!(v.ty, Ty::List(_)) && v.kind != Kind::Cow)
        else {
            return self.mutating_method(d);
        };
        let var = self.var(at).clone();
        let Ty::List(t) = &var.ty else { return };
        let name = var.name.clone();
        let index = *self
            .rng
            .pick(&["0", "{n}.length() - 1", "{n}.length() / 2"]);
        let index = index.replace("{n}", &name);
        self.before_change(at, false);
        self.var(at).read = true;
        let value_from_list = if **t == Ty::I64 && self.rng.chance(50) {
            Some(format!("{name}[0] + {name}.length()"))
        } else {
            None
        };
        let target = match (&**t, self.rng.chance(50)) {
            (Ty::Record(r), true) => {
                let (field, fty) = self
                    .rng
                    .pick(&self.items.records[*r].fields.clone())
                    .clone();
                let value = self.typed(&fty, d).text;
                format!("{name}[{index}].{field} = {value};")
            }
            _ => {
                let value = match value_from_list {
                    Some(v) => v,
                    None => self.typed(t, d).text,
                };
                format!("{name}[{index}] = {value};")
            }
        };
        self.emit(format!("if {name}.length() > 0 {{"));
        self.emit(format!("    {target}"));
        self.emit("}");
        self.after_change(at);
    }

    fn print_statement(&mut self, d: usize) {
        let (template, args) = self.template(d, 4);
        let function = *self.rng.pick(&[
            "print_line",
            "print_line",
            "print_line",
            "print",
            "print_error_line",
        ]);
        if args.is_empty() {
            self.emit(format!("{function}(\"{template}\");"));
        } else {
            self.emit(format!("{function}(\"{template}\", {});", args.join(", ")));
        }
        if function == "print" {
            self.emit("print_line();");
        }
    }

    fn if_statement(&mut self, depth: usize, d: usize) {
        let c = self.expr(&Ty::Bool, d).text;
        self.emit(format!("if {c} {{"));
        self.nested(depth);
        let mut closing = "}".to_string();
        for _ in 0..self.rng.below(3) {
            let c = self.expr(&Ty::Bool, d).text;
            self.emit(format!("}} else if {c} {{"));
            self.nested(depth);
        }
        if self.rng.chance(50) {
            self.emit("} else {");
            self.nested(depth);
        }
        closing.clear();
        self.emit("}");
    }

    fn match_statement(&mut self, depth: usize, d: usize) {
        let ty = self.any_type(2);
        let scrutinee = self.expr(&ty, d).text;
        let arms = self.arms(&ty);
        self.emit(format!("match {scrutinee} {{"));
        self.indent += 1;
        for arm in &arms {
            let start = self.lines.len();
            self.emit("");
            self.open();
            self.bind_arm(arm);
            self.statements(depth + 1);
            self.close_reads();
            let pattern = self.finish_pattern(arm);
            self.end_scope();
            self.lines[start] = format!("{}{pattern} => {{", "    ".repeat(self.indent));
            self.emit("}");
        }
        self.indent -= 1;
        self.emit("}");
    }

    fn for_statement(&mut self, depth: usize, d: usize) {
        let name = self.variable_name();
        let (iterable, item_ty) = match self.rng.below(5) {
            0 => {
                let a = self.rng.between(-2, 3);
                let b = self.rng.between(-1, 4);
                let f = if self.rng.chance(50) {
                    "range"
                } else {
                    "range_inclusive"
                };
                (format!("{f}({a}, {b})"), Ty::I64)
            }
            1 => {
                let list = self.visible(|v| v.readable() && matches!(v.ty, Ty::List(_)));
                if list.is_empty() {
                    (format!("range(0, {})", self.rng.between(0, 3)), Ty::I64)
                } else {
                    let at = *self.rng.pick(&list);
                    let Ty::List(t) = self.var(at).ty.clone() else {
                        return;
                    };
                    (self.read_var(at), *t)
                }
            }
            2 => {
                let s = self.expr(&Ty::Str, d).at(Level::Postfix);
                let sep = self.literal(&Ty::Str).text;
                (format!("{s}.split({sep})"), Ty::Str)
            }
            3 => {
                let n = self.rng.between(0, 3);
                ("range(0, ".to_string() + &n.to_string() + ")", Ty::I64)
            }
            _ => {
                let t = self.any_type(1);
                let list = self.expr(&Ty::List(Box::new(t.clone())), d).text;
                (list, t)
            }
        };
        self.emit(format!("for {name} in {iterable} {{"));
        self.current.loops += 1;
        self.open();
        self.declare(&name, item_ty, Kind::View, None);
        self.statements(depth + 1);
        self.close();
        self.current.loops -= 1;
        self.emit("}");
    }

    fn while_statement(&mut self, depth: usize, _d: usize) {
        let counter = self.fresh("round");
        let limit = self.rng.between(0, 3);
        self.emit(format!("let_mut_var {counter} = 0;"));
        self.declare(&counter, Ty::I64, Kind::LetMut, None);
        let at = (
            self.scopes.len() - 1,
            self.scopes.last().map_or(0, |s| s.len() - 1),
        );
        self.var(at).read = true;
        self.var(at).mutated = true;
        self.var(at).pending = false;
        // The counter changes only here: nothing else may pick it.
        self.var(at).kind = Kind::Let;
        if self.rng.chance(60) {
            self.emit(format!("while {counter} < {limit} {{"));
            self.emit(format!("    {counter} += 1;"));
        } else {
            self.emit("loop {");
            self.emit(format!("    {counter} += 1;"));
            self.emit(format!("    if {counter} > {limit} {{"));
            self.emit("        break;");
            self.emit("    }");
        }
        self.current.loops += 1;
        self.nested(depth);
        self.current.loops -= 1;
        self.emit("}");
    }

    fn call_statement(&mut self, d: usize) {
        let limit = self.current.index.unwrap_or(self.items.functions.len());
        if limit == 0 {
            return self.print_statement(d);
        }
        let f = self.rng.below(limit);
        match self.call(f, d) {
            Some(call) => {
                if self.items.functions[f].returns.is_some() && self.rng.chance(60) {
                    self.emit(format!("print_line(\"{{:?}}\", {});", call.text));
                } else {
                    self.emit(format!("{};", call.text));
                }
            }
            None => self.print_statement(d),
        }
    }

    fn early_exit(&mut self, d: usize) {
        let c = self.expr(&Ty::Bool, d).text;
        self.emit(format!("if {c} {{"));
        self.indent += 1;
        self.read_all_pending();
        let exit = if self.current.loops > 0 && self.rng.chance(60) {
            if self.rng.chance(50) {
                "break;".to_string()
            } else {
                "continue;".to_string()
            }
        } else {
            match self.current.returns.clone() {
                Some(ty) => format!("return {};", self.typed(&ty, d).text),
                None => "return;".to_string(),
            }
        };
        self.emit(exit);
        self.indent -= 1;
        self.emit("}");
    }

    /// `with_entry map[key] or_insert value as entry { … }` on a map that
    /// may change; the key, the value and the block never read that map
    /// (it is out of reach while they are written).
    fn with_entry_statement(&mut self, depth: usize, d: usize) {
        let Some(at) = self.changeable(|v| matches!(v.ty, Ty::Map(..))) else {
            return self.mutating_method(d);
        };
        let var = self.var(at).clone();
        let Ty::Map(key_ty, value_ty) = &var.ty else {
            return;
        };
        self.before_change(at, false);
        let name = self.read_var(at);
        let was_consumed = std::mem::replace(&mut self.var(at).consumed, true);
        let key = self.expr(key_ty, d).text;
        let inserted = self.expr(value_ty, d).text;
        let entry = self.fresh("entry");
        self.emit(format!(
            "with_entry {name}[{key}] or_insert {inserted} as {entry} {{"
        ));
        self.open();
        self.declare(&entry, (**value_ty).clone(), Kind::Guard, None);
        self.statements(depth + 1);
        self.close();
        self.emit("}");
        self.var(at).consumed = was_consumed;
        self.after_change(at);
    }

    fn with_lock_statement(&mut self, depth: usize, _d: usize) {
        let locked = self.current.locked.clone();
        let vars = self.visible(|v| v.kind == Kind::MutShared && !locked.contains(&v.name));
        if vars.is_empty() {
            return;
        }
        let at = *self.rng.pick(&vars);
        let shared = self.read_var(at);
        let ty = self.var(at).ty.clone();
        let guard = self.fresh("guard");
        self.emit(format!("with_lock {shared} as {guard} {{"));
        self.current.locked.push(shared);
        self.open();
        self.declare(&guard, ty, Kind::Guard, None);
        self.statements(depth + 1);
        self.close();
        self.current.locked.pop();
        self.emit("}");
    }

    /// Threads (or tasks on the default plan's `main` partition) that add
    /// to a shared total under its lock and return a value computed from
    /// shared, read-only data; joined in order.
    fn threads(&mut self, d: usize) {
        let (handle, spawn) = if self.rng.chance(50) {
            ("task", "spawn_on main")
        } else {
            ("thread", "spawn_thread")
        };
        let data_ty = self.any_type(1);
        let data = self.fresh("shared");
        let value = self.typed(&data_ty, d).text;
        let shown = self.items.show(&data_ty);
        self.emit(format!("let_shared_var {data}: {shown} = {value};"));
        self.declare(&data, data_ty, Kind::Shared, None);
        let total = self.fresh("total");
        let start = self.rng.between(0, 9);
        self.emit(format!("let_mut_shared_var {total} = {start};"));
        self.declare(&total, Ty::I64, Kind::MutShared, None);
        let result_ty = self.any_type(1);
        let workers = self.fresh("workers");
        let shown = self.items.show(&result_ty);
        self.emit(format!(
            "let_mut_var {workers}: list<{handle}<{shown}>> = list_of();"
        ));
        let index = self.fresh("index");
        let count = 1 + self.rng.below(3);
        self.emit(format!("for {index} in range(0, {count}) {{"));
        self.open();
        self.declare(&index, Ty::I64, Kind::View, None);
        self.emit(format!("{workers}.push({spawn} {{"));
        self.current.threads += 1;
        let saved_loops = std::mem::take(&mut self.current.loops);
        self.open();
        let guard = self.fresh("sum");
        let add = self.expr(&Ty::I64, 1).at(Level::Product);
        self.emit(format!(
            "with_lock {total} as {guard} {{ {guard} += {index} * {add}; }}"
        ));
        let result = self.typed(&result_ty, d).text;
        self.close();
        self.emit(format!("    {result}"));
        self.current.loops = saved_loops;
        self.current.threads -= 1;
        self.emit("});");
        self.close();
        self.emit("}");
        let worker = self.fresh("worker");
        self.emit(format!("for {worker} in {workers} {{"));
        self.emit(format!("    print_line(\"{{:?}}\", {worker}.join());"));
        self.emit("}");
        let seen = self.fresh("seen");
        self.emit(format!(
            "with_lock {total} as {seen} {{ print_line(\"total {{}}\", {seen}); }}"
        ));
        if let Some(at) = self.visible(|v| v.name == data).first().copied() {
            if !self.var(at).read {
                self.print_var(at);
            }
        }
        if let Some(at) = self.visible(|v| v.name == total).first().copied() {
            self.var(at).read = true;
        }
    }

    fn cow_statement(&mut self, d: usize) {
        let sources = self.visible(|v| {
            v.readable()
                && !v.ty.is_copy()
                && !matches!(v.kind, Kind::Guard | Kind::Shared)
                && v.thread_depth == 0
        });
        let (value, ty) = if !sources.is_empty() && self.rng.chance(70) {
            let at = *self.rng.pick(&sources);
            let ty = self.var(at).ty.clone();
            (self.read_var(at), ty)
        } else {
            let ty = self
                .rng
                .pick(&[Ty::Str, Ty::List(Box::new(Ty::I64))])
                .clone();
            (self.expr(&ty, d).text, ty)
        };
        let name = self.fresh("view");
        self.emit(format!("let_cow_var {name} = {value};"));
        self.declare(&name, ty.clone(), Kind::Cow, None);
        self.freeze_source(&value);
        if self.rng.chance(60) {
            let at = (
                self.scopes.len() - 1,
                self.scopes.last().map_or(0, |s| s.len() - 1),
            );
            let c = self.expr(&Ty::Bool, d).text;
            self.emit(format!("if {c} {{"));
            self.indent += 1;
            match &ty {
                Ty::List(t) if self.rng.chance(50) => {
                    let v = self.expr(t, d).text;
                    self.before_change(at, false);
                    self.emit(format!("{name}.push({v});"));
                }
                _ => {
                    self.before_change(at, true);
                    let v = self.typed(&ty, d).text;
                    self.emit(format!("{name} = {v};"));
                }
            }
            self.after_change(at);
            self.var(at).mutated = true;
            self.indent -= 1;
            self.emit("}");
        }
    }

    /// A `let_cow_var` borrows the variable its value names (`x`, `x.f`):
    /// that variable must not change while the `let_cow_var` lives.
    fn freeze_source(&mut self, value: &str) {
        let base = value.split('.').next().unwrap_or(value);
        let is_name =
            !base.is_empty() && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if is_name && !self.visible(|v| v.name == base).is_empty() {
            let depth = self.scopes.len() - 1;
            self.cow_sources.push((depth, base.to_string()));
            self.unfreeze_dropped();
        }
    }

    fn shadowing(&mut self, d: usize) {
        let vars = self.visible(|v| {
            v.readable() && v.read && !v.pending && matches!(v.kind, Kind::Let | Kind::View)
        });
        if vars.is_empty() {
            return self.let_statement(d);
        }
        let at = *self.rng.pick(&vars);
        let var = self.var(at).clone();
        let value = self.expr(&var.ty, d).text;
        self.emit(format!("let_var {} = {value};", var.name));
        self.declare(&var.name, var.ty, Kind::Let, None);
    }

    /// Declares each parameter of a function being written.
    pub(super) fn declare_params(&mut self, params: &[(String, Mode, Ty)]) {
        for (name, mode, ty) in params {
            self.declare(name, ty.clone(), Kind::Param(*mode), None);
        }
    }
}
