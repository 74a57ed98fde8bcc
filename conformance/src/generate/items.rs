//! Items: records, enums, constants, functions and methods, and `main`,
//! which finally calls every function nothing has called yet.

use super::model::{Constant, Enum, Function, Kind, Mode, Record, Ty};
use super::names;
use super::{FunctionContext, Gen};

/// Whether `value` names the root constant `name` (not a module's
/// `module::name`, nor a longer name that contains it).
fn names_constant(value: &str, name: &str) -> bool {
    value.match_indices(name).any(|(at, _)| {
        let before = &value[..at];
        let after = &value[at + name.len()..];
        let word = |c: char| c.is_alphanumeric() || c == '_';
        !before.ends_with("::")
            && !before.chars().next_back().is_some_and(word)
            && !after.chars().next().is_some_and(word)
    })
}

impl Gen {
    /// The whole program: the root module's text, and the module it uses,
    /// if any (its name and text).
    pub(super) fn program(&mut self) -> (String, Option<(String, String)>) {
        let module = self.module();
        let root_constants = self.items.constants.len();
        self.records();
        self.enums();
        self.orders();
        let constants = self.constants();
        let rust_functions = self.rust_functions();
        let mut functions = Vec::new();
        for _ in 0..self.size.functions {
            functions.push(self.function());
        }
        let streams = self.streams();
        if let Some(streams) = &streams {
            functions.extend(streams.functions.iter().cloned());
        }
        let main = self.main();
        // Tests come last: every function is called from `main` already.
        let mut tests = Vec::new();
        if self.rng.chance(25) {
            for _ in 0..1 + self.rng.below(2) {
                tests.push(self.test());
            }
        }
        // Messages sent last in `main`, so its own output is all before
        // the handler's, whatever the schedule (drawn after everything
        // else, so programs without one are as before).
        let mailbox = self.rng.chance(20).then(|| self.mailbox());
        let main = match &mailbox {
            Some((_, sends)) => match main.strip_suffix("}\n") {
                Some(body) => format!("{body}{sends}}}\n"),
                None => main,
            },
            None => main,
        };
        let mut out = String::new();
        for record in &self.items.records {
            let fields: Vec<String> = record
                .fields
                .iter()
                .map(|(n, t)| format!("    {n}: {},", self.items.show(t)))
                .collect();
            out.push_str(&format!(
                "record {} {{\n{}\n}}\n\n",
                record.name,
                fields.join("\n")
            ));
        }
        for en in &self.items.enums {
            let variants: Vec<String> = en
                .variants
                .iter()
                .map(|(n, payload)| {
                    if payload.is_empty() {
                        format!("    {n},")
                    } else {
                        let ts: Vec<String> = payload.iter().map(|t| self.items.show(t)).collect();
                        format!("    {n}({}),", ts.join(", "))
                    }
                })
                .collect();
            out.push_str(&format!(
                "enum {} {{\n{}\n}}\n\n",
                en.name,
                variants.join("\n")
            ));
        }
        if let Some(streams) = &streams {
            out.push_str(&streams.blocks);
        }
        for (c, text) in constants.iter().enumerate() {
            // Unused constants would be warned about: keep the used ones.
            let c = root_constants + c;
            if self.items.constants[c].used || self.constant_needed(c, root_constants, &constants) {
                out.push_str(text);
                out.push('\n');
            }
        }
        out.push('\n');
        for declaration in rust_functions {
            out.push_str(&declaration);
            out.push('\n');
        }
        out.push('\n');
        for f in self.used_order_functions() {
            out.push_str(&f);
            out.push('\n');
        }
        for f in functions {
            out.push_str(&f);
            out.push('\n');
        }
        if let Some((handler, _)) = &mailbox {
            out.push_str(handler);
            out.push('\n');
        }
        out.push_str(&main);
        for test in tests {
            out.push('\n');
            out.push_str(&test);
        }
        let module = module.map(|(name, text)| {
            // Used from the root (`main` calls what nothing else did).
            if out.contains(&format!("{name}::")) {
                out.insert_str(0, &format!("use_module {name};\n\n"));
            }
            (name, self.patch_keywords(&text))
        });
        // Tasks run on the default plan's `main`, or on a declared `main`
        // of any policy (drawn last, so programs without tasks are the
        // same as before); a mailbox needs a plan with a `messaging` one.
        let tasks = out.contains("spawn_on main")
            || module
                .as_ref()
                .is_some_and(|(_, text)| text.contains("spawn_on main"));
        let main_partition = tasks && (mailbox.is_some() || self.rng.chance(50));
        if main_partition || mailbox.is_some() {
            let mut plan = String::from("partition_plan {\n    fallback: shrink,\n}\n\n");
            if main_partition {
                plan.push_str(&self.main_partition());
            }
            if mailbox.is_some() {
                plan.push_str(
                    "partition bus {\n    cores: list_of(2),\n    policy: messaging,\n}\n\n",
                );
            }
            out.insert_str(0, &plan);
        }
        (self.patch_keywords(&out), module)
    }

    /// A handler function that prints what it is sent, and the lines that
    /// end `main`: a mailbox on `bus` and a few messages sent to it.
    fn mailbox(&mut self) -> (String, String) {
        let ty = self.any_type(1);
        let shown = self.items.show(&ty);
        let handler = self.fresh("handle");
        let mailbox = self.fresh("mailbox");
        let mut sends = format!("    let_var {mailbox} = mailbox_on(bus, {handler});\n");
        for _ in 0..1 + self.rng.below(3) {
            let message = self.literal(&ty).text;
            sends.push_str(&format!("    {mailbox}.send({message});\n"));
        }
        let function = format!(
            "function {handler}(message: {shown}) {{\n    print_line(\"{handler}: {{:?}}\", message);\n}}\n"
        );
        (function, sends)
    }

    /// The `main` partition of a declared plan, which takes the tasks: any
    /// policy, on cores the machine may lack (`shrink` shares the ones
    /// there are).
    fn main_partition(&mut self) -> String {
        let policy = match self.rng.below(4) {
            0 => "api".to_string(),
            1 => format!("messaging,\n    batch: {}", 1 + self.rng.below(64)),
            2 => format!("frame,\n    cycle_ms: {}", 1 + self.rng.below(20)),
            _ => "batch".to_string(),
        };
        let cores = *self.rng.pick(&["0", "1", "0, 1", "3"]);
        format!("partition main {{\n    cores: list_of({cores}),\n    policy: {policy},\n}}\n\n")
    }

    /// A module of public constants and functions (of types it can name:
    /// no records or enums exist yet), which the root reaches as
    /// `name::item`: its name and text.
    fn module(&mut self) -> Option<(String, String)> {
        if !self.rng.chance(25) {
            return None;
        }
        // `std`, `core` and `alloc` must not hide the crates of those names.
        let name = self.rng.pick(names::MODULES).to_string();
        let constants = self.constants();
        let mut functions = Vec::new();
        for _ in 0..1 + self.rng.below(2) {
            functions.push(self.function());
        }
        for constant in &mut self.items.constants {
            constant.name = format!("{name}::{}", constant.name);
        }
        for function in &mut self.items.functions {
            function.name = format!("{name}::{}", function.name);
        }
        let mut text = String::new();
        for constant in constants {
            text.push_str(&format!("public {constant}\n"));
        }
        for function in functions {
            text.push_str(&format!("\npublic {function}"));
        }
        Some((name, text))
    }

    /// `rust_function` declarations of Rust functions the evaluator knows
    /// (see `interpret::rust_functions`), called like any function.
    fn rust_functions(&mut self) -> Vec<String> {
        use crate::interpret::rust_functions::KNOWN;
        let ty = |name: &str| match name {
            "f64" => Ty::F64,
            "string" => Ty::Str,
            _ => Ty::I64,
        };
        let mut declarations = Vec::new();
        if !self.rng.chance(30) {
            return declarations;
        }
        for _ in 0..1 + self.rng.below(3) {
            let known = self.rng.pick(KNOWN);
            let name = self.function_name();
            let params: Vec<(String, Mode, Ty)> = known
                .params
                .iter()
                .map(|p| (self.fresh("arg"), Mode::Read, ty(p)))
                .collect();
            let shown: Vec<String> = params
                .iter()
                .map(|(n, _, t)| format!("{n}: {}", self.items.show(t)))
                .collect();
            declarations.push(format!(
                "rust_function {name}({}) returns {} = {};",
                shown.join(", "),
                known.returns,
                known.path
            ));
            self.items.functions.push(Function {
                name,
                method_of: None,
                params,
                returns: Some(ty(known.returns)),
                called: false,
                recursive: false,
            });
        }
        declarations
    }

    /// Whether constant `c` is named by a used constant's value (`texts`
    /// are the root's constants, the first being constant `first`).
    fn constant_needed(&self, c: usize, first: usize, texts: &[String]) -> bool {
        let name = &self.items.constants[c].name;
        // Only a later constant can name an earlier one.
        texts
            .iter()
            .enumerate()
            .skip(c + 1 - first)
            .any(|(i, text)| {
                let i = first + i;
                (self.items.constants[i].used || self.constant_needed(i, first, texts))
                    && text
                        .split(" = ")
                        .nth(1)
                        .is_some_and(|v| names_constant(v, name))
            })
    }

    /// `let_mut_var` where something changed the variable, else `let_var`.
    fn patch_keywords(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut parts = text.split('\u{1}');
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        while let (Some(slot), Some(rest)) = (parts.next(), parts.next()) {
            let changed = slot
                .parse::<usize>()
                .ok()
                .and_then(|s| self.keyword_slots.get(s).copied())
                .unwrap_or(false);
            out.push_str(if changed { "let_mut_var" } else { "let_var" });
            out.push_str(rest);
        }
        out
    }

    fn type_name(&mut self) -> String {
        loop {
            let stem = *self.rng.pick(names::TYPES);
            let taken = self.items.records.iter().any(|r| r.name == stem)
                || self.items.enums.iter().any(|e| e.name == stem);
            if !taken {
                return stem.to_string();
            }
            let name = format!("{stem}{}", self.next_name);
            self.next_name += 1;
            if !self.items.records.iter().any(|r| r.name == name) {
                return name;
            }
        }
    }

    fn records(&mut self) {
        for _ in 0..self.rng.below(4) {
            let name = self.type_name();
            let mut fields: Vec<(String, Ty)> = Vec::new();
            for _ in 0..1 + self.rng.below(4) {
                let field = *self.rng.pick(names::FIELDS);
                if fields.iter().any(|(n, _)| n == field) {
                    continue;
                }
                let ty = self.any_type(1);
                fields.push((field.to_string(), ty));
            }
            // A record may contain itself through a list, or through an
            // option (which the lowering boxes).
            let index = self.items.records.len();
            if self.rng.chance(20) {
                fields.push(("children".into(), Ty::List(Box::new(Ty::Record(index)))));
            } else if self.rng.chance(25) && !fields.iter().any(|(n, _)| n == "next") {
                fields.push(("next".into(), Ty::Option(Box::new(Ty::Record(index)))));
            }
            self.items.records.push(Record { name, fields });
        }
    }

    fn enums(&mut self) {
        for _ in 0..self.rng.below(3) {
            let name = self.type_name();
            let mut variants: Vec<(String, Vec<Ty>)> = Vec::new();
            for _ in 0..1 + self.rng.below(4) {
                let variant = *self.rng.pick(names::VARIANTS);
                if variants.iter().any(|(n, _)| n == variant) {
                    continue;
                }
                let payload = (0..self.rng.below(3)).map(|_| self.any_type(1)).collect();
                variants.push((variant.to_string(), payload));
            }
            // An enum may contain itself through an option (a linked
            // structure, boxed by the lowering).
            let index = self.items.enums.len();
            if self.rng.chance(25) && !variants.iter().any(|(n, _)| n == "Link") {
                let link = Ty::Option(Box::new(Ty::Enum(index)));
                variants.push(("Link".into(), vec![Ty::I64, link]));
            }
            self.items.enums.push(Enum { name, variants });
        }
    }

    fn constants(&mut self) -> Vec<String> {
        let mut texts = Vec::new();
        for i in 0..self.rng.below(4) {
            let ty = self
                .rng
                .pick(&[Ty::I64, Ty::I64, Ty::F64, Ty::Bool, Ty::Str])
                .clone();
            let name = format!(
                "{}_{i}",
                self.rng
                    .pick(&["LIMIT", "STEP", "NAME", "STD", "CORE", "MAX", "MIN"])
            );
            let earlier: Vec<usize> = (0..self.items.constants.len())
                .filter(|c| self.items.constants[*c].ty == ty)
                .collect();
            let value = match (&ty, earlier.is_empty()) {
                (Ty::I64, false) if self.rng.chance(50) => {
                    let c = *self.rng.pick(&earlier);
                    format!(
                        "{} * 2 + {}",
                        self.items.constants[c].name,
                        self.rng.between(0, 9)
                    )
                }
                (Ty::I64, _) => self.rng.between(-100, 1000).to_string(),
                _ => self.literal(&ty).text,
            };
            let shown = self.items.show(&ty);
            texts.push(format!("constant {name}: {shown} = {value};"));
            self.items.constants.push(Constant {
                name,
                ty,
                used: false,
            });
        }
        texts
    }

    fn function_name(&mut self) -> String {
        let stem = *self.rng.pick(names::FUNCTIONS);
        let taken = self
            .items
            .functions
            .iter()
            .any(|f| f.name == stem && f.method_of.is_none());
        if taken || self.rng.chance(50) {
            self.fresh(stem)
        } else {
            stem.to_string()
        }
    }

    /// A function or a method, written now: it may call those before it.
    fn function(&mut self) -> String {
        let method_of = if !self.items.records.is_empty() && self.rng.chance(35) {
            let r = self.rng.below(self.items.records.len());
            let mode = *self.rng.pick(&[
                None,
                Some(Mode::Read),
                Some(Mode::Mutable),
                Some(Mode::Owned),
            ]);
            Some((r, mode))
        } else {
            None
        };
        let name = match method_of {
            Some((r, _)) => {
                let taken: Vec<String> = self
                    .items
                    .functions
                    .iter()
                    .filter(|f| f.method_of.is_some_and(|(o, _)| o == r))
                    .map(|f| f.name.clone())
                    .collect();
                // A method named `clone` would hide the one every record
                // has: the checker does not reject it yet (an open gap).
                let stem = *self.rng.pick(names::FUNCTIONS);
                let stem = if stem == "clone" { "duplicate" } else { stem };
                if taken.iter().any(|t| t == stem) {
                    self.fresh(stem)
                } else {
                    stem.to_string()
                }
            }
            None => self.function_name(),
        };
        let mut params = Vec::new();
        for _ in 0..self.rng.below(4) {
            let ty = self.any_type(2);
            let mode = if ty.is_copy() {
                *self.rng.pick(&[Mode::Read, Mode::Owned])
            } else {
                *self.rng.pick(&[Mode::Read, Mode::Mutable, Mode::Owned])
            };
            let pname = {
                let stem = *self.rng.pick(names::VARIABLES);
                self.fresh(stem)
            };
            params.push((pname, mode, ty));
        }
        let returns = if self.rng.chance(70) {
            Some(self.any_type(2))
        } else {
            None
        };
        let recursive = self.rng.chance(15);
        if recursive {
            let depth = self.fresh("depth");
            params.insert(0, (depth, Mode::Read, Ty::I64));
        }
        self.write_function(name, method_of, params, returns, recursive)
    }

    /// Writes a function of the given signature with a generated body,
    /// and lists it, so `main` calls it unless something else does.
    pub(super) fn write_function(
        &mut self,
        name: String,
        method_of: Option<(usize, Option<Mode>)>,
        params: Vec<(String, Mode, Ty)>,
        returns: Option<Ty>,
        recursive: bool,
    ) -> String {
        let index = self.items.functions.len();
        self.items.functions.push(Function {
            name: name.clone(),
            method_of,
            params: params.clone(),
            returns: returns.clone(),
            called: false,
            recursive,
        });
        self.current = FunctionContext {
            index: Some(index),
            returns: returns.clone(),
            ..FunctionContext::default()
        };
        self.lines.clear();
        self.indent = 0;
        self.open();
        if let Some((r, Some(mode))) = method_of {
            self.declare("self", Ty::Record(r), Kind::Param(mode), None);
        }
        self.declare_params(&params);
        if recursive {
            self.recursive_call(index, &params[0].0);
        }
        self.statements(0);
        let tail = returns
            .as_ref()
            .map(|t| self.typed(t, self.size.expression_depth).text);
        self.close_reads();
        if let Some(tail) = tail {
            self.emit(tail);
        }
        self.end_scope();
        let body = std::mem::take(&mut self.lines).join("\n");
        let mut shown_params: Vec<String> = Vec::new();
        if let Some((_, Some(mode))) = method_of {
            shown_params.push(format!("{}self", mode.keyword()));
        }
        for (pname, mode, ty) in &params {
            shown_params.push(format!(
                "{}{pname}: {}",
                mode.keyword(),
                self.items.show(ty)
            ));
        }
        let returns = returns
            .map(|t| format!(" returns {}", self.items.show(&t)))
            .unwrap_or_default();
        let function = format!(
            "function {name}({}){returns} {{\n{body}\n}}\n",
            shown_params.join(", ")
        );
        match method_of {
            Some((r, _)) => {
                let indented: Vec<String> = function
                    .lines()
                    .map(|l| {
                        if l.is_empty() {
                            String::new()
                        } else {
                            format!("    {l}")
                        }
                    })
                    .collect();
                format!(
                    "methods {} {{\n{}\n}}\n",
                    self.items.records[r].name,
                    indented.join("\n")
                )
            }
            None => function,
        }
    }

    /// `if depth > 0 { …call of itself with depth - 1… }`: the one call a
    /// recursive function makes of itself, so the depth bounds the work.
    fn recursive_call(&mut self, f: usize, depth: &str) {
        let called = self.items.functions[f].called;
        let call = self.call(f, 1);
        // A function only its own body calls is still unused.
        self.items.functions[f].called = called;
        let Some(call) = call else {
            return;
        };
        self.emit(format!("if {depth} > 0 {{"));
        if self.items.functions[f].returns.is_some() {
            let shown = self.items.functions[f].name.clone();
            self.emit(format!(
                "    print_line(\"{shown} below: {{:?}}\", {});",
                call.text
            ));
        } else {
            self.emit(format!("    {};", call.text));
        }
        self.emit("}");
    }

    /// Starts the body of `main` or a test: no parameters, no loops.
    fn begin_entry_body(&mut self) {
        self.current = FunctionContext::default();
        self.lines.clear();
        self.indent = 0;
        self.open();
    }

    fn main(&mut self) -> String {
        self.begin_entry_body();
        self.statements(0);
        for f in 0..self.items.functions.len() {
            if self.items.functions[f].called {
                continue;
            }
            self.call_from_main(f);
        }
        self.close();
        let body = std::mem::take(&mut self.lines).join("\n");
        format!("function main() {{\n{body}\n}}\n")
    }

    /// A `test` block: statements as in `main`, then an assertion that may
    /// or may not hold (the evaluator says which).
    fn test(&mut self) -> String {
        self.begin_entry_body();
        self.statements(1);
        let d = self.size.expression_depth.min(3);
        if self.rng.chance(50) {
            let condition = self.typed(&Ty::Bool, d).text;
            self.emit(format!("assert({condition});"));
        } else {
            let ty = self.any_type(1);
            let actual = self.typed(&ty, d).text;
            let expected = self.typed(&ty, d).text;
            self.emit(format!("assert_equal({actual}, {expected});"));
        }
        self.close();
        let body = std::mem::take(&mut self.lines).join("\n");
        let name = self.fresh("check");
        format!("test {name} {{\n{body}\n}}\n")
    }

    /// Calls `f` from `main`, first declaring a variable for each place it
    /// needs to change.
    fn call_from_main(&mut self, f: usize) {
        let function = self.items.functions[f].clone();
        let mut needs: Vec<Ty> = function
            .params
            .iter()
            .filter(|(_, m, _)| *m == Mode::Mutable)
            .map(|(_, _, t)| t.clone())
            .collect();
        if let Some((r, Some(Mode::Mutable))) = function.method_of {
            needs.push(Ty::Record(r));
        }
        for ty in needs {
            let name = self.fresh("place");
            let value = self.literal(&ty).text;
            self.keyword_slots.push(false);
            let slot = self.keyword_slots.len() - 1;
            self.emit(format!(
                "\u{1}{slot}\u{1} {name}: {} = {value};",
                self.items.show(&ty)
            ));
            self.declare(&name, ty, Kind::LetMut, Some(slot));
        }
        if let Some(call) = self.call(f, 1) {
            if function.returns.is_some() {
                self.emit(format!(
                    "print_line(\"{}: {{:?}}\", {});",
                    function.name, call.text
                ));
            } else {
                self.emit(format!("{};", call.text));
            }
        }
    }
}
