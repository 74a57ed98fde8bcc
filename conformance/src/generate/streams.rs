//! Extension blocks in generated programs: Slytherin topics over the
//! program's own records and a pipeline whose steps are generated
//! functions (random bodies, called from `main` like every function, so the
//! evaluator runs them). Each pipeline is stateless (filter, then map or
//! flat_map), windowed (key, event time, window, aggregate, emit) or joins a
//! table topic; the checker must accept the blocks without a diagnostic and
//! the lowering must give Rust that builds under clippy with the run-time
//! crate, whatever records the messages are.

use super::model::{Mode, Ty};
use super::Gen;

/// The blocks of one program and the step functions they name.
pub(super) struct Streams {
    /// `topic` and `pipeline` blocks.
    pub(super) blocks: String,
    /// The step functions.
    pub(super) functions: Vec<String>,
}

impl Gen {
    /// Slytherin blocks over the program's records, for one program in
    /// seven that has a record a message can be.
    pub(super) fn streams(&mut self) -> Option<Streams> {
        let messages: Vec<usize> = (0..self.items.records.len())
            .filter(|r| self.encodable(&Ty::Record(*r), &mut Vec::new()))
            .collect();
        if messages.is_empty() || !self.rng.chance(15) {
            return None;
        }
        let input = *self.rng.pick(&messages);
        let output = *self.rng.pick(&messages);
        let (input_ty, output_ty) = (Ty::Record(input), Ty::Record(output));
        let mut blocks = String::new();
        let mut functions = Vec::new();
        let source = self.fresh("events");
        let sink = self.fresh("results");
        blocks.push_str(&self.topic(&source, input, false));
        blocks.push_str(&self.topic(&sink, output, false));
        let mut steps = Vec::new();
        let message = || vec![("message".to_string(), Mode::Read, Ty::Record(input))];
        if self.rng.chance(60) {
            let (name, text) = self.step("keep", message(), Ty::Bool);
            functions.push(text);
            steps.push(format!("    filter: {name},"));
        }
        // A join's combining function writes the output record, or the
        // input record for the steps after it.
        let tables: Vec<usize> = (0..self.items.records.len())
            .filter(|r| self.topic_key_field(*r).is_some() && messages.contains(r))
            .collect();
        let joined = !tables.is_empty() && self.rng.chance(35);
        if joined {
            let table = *self.rng.pick(&tables);
            let (_, key_ty) = self.topic_key_field(table).expect("a keyed record");
            let rows = self.fresh("rows");
            blocks.push_str(&self.topic(&rows, table, true));
            let (key, text) = self.step("row_key", message(), key_ty);
            functions.push(text);
            let mut params = message();
            params.push((
                "row".to_string(),
                Mode::Read,
                Ty::Option(Box::new(Ty::Record(table))),
            ));
            let (with, text) = self.step("combine", params, input_ty.clone());
            functions.push(text);
            steps.push(format!(
                "    join: {rows},\n    join_key: {key},\n    join_with: {with},"
            ));
        }
        if self.rng.chance(50) {
            // Keyed windows.
            let key_ty = self.rng.pick(&[Ty::Str, Ty::I64]).clone();
            let (key_by, text) = self.step("key_of", message(), key_ty.clone());
            functions.push(text);
            let (time, text) = self.step("time_of", message(), Ty::I64);
            functions.push(text);
            let window = if self.rng.chance(50) {
                format!("tumbling_seconds({})", 1 + self.rng.below(120))
            } else {
                let every = 1 + self.rng.below(30);
                format!(
                    "sliding_seconds({}, {every})",
                    every * (1 + self.rng.below(4))
                )
            };
            let aggregate = match self.rng.below(4) {
                0 => "count".to_string(),
                kind => {
                    let (value, text) = self.step("value_of", message(), Ty::I64);
                    functions.push(text);
                    let fold = ["sum", "min", "max"][kind - 1];
                    format!("{fold}({value})")
                }
            };
            let emit_params = vec![
                ("key".to_string(), Mode::Read, key_ty),
                ("start_ms".to_string(), Mode::Read, Ty::I64),
                ("end_ms".to_string(), Mode::Read, Ty::I64),
                ("value".to_string(), Mode::Read, Ty::I64),
            ];
            let (emit, text) = self.step("emit", emit_params, output_ty);
            functions.push(text);
            steps.push(format!(
                "    key_by: {key_by},\n    event_time: {time},\n    window: {window},"
            ));
            if self.rng.chance(30) {
                steps.push(format!(
                    "    allowed_lateness_seconds: {},",
                    self.rng.below(10)
                ));
            }
            steps.push(format!("    aggregate: {aggregate},\n    emit: {emit},"));
        } else if input != output || self.rng.chance(50) {
            if self.rng.chance(50) {
                let (map, text) = self.step("convert", message(), output_ty);
                functions.push(text);
                steps.push(format!("    map: {map},"));
            } else {
                let (many, text) = self.step("spread", message(), Ty::List(Box::new(output_ty)));
                functions.push(text);
                steps.push(format!("    flat_map: {many},"));
            }
        }
        let pipeline = self.fresh("flow");
        blocks.push_str(&format!(
            "pipeline {pipeline} {{\n    from: {source},\n{}\n    to: {sink},\n}}\n\n",
            steps.join("\n")
        ));
        Some(Streams { blocks, functions })
    }

    /// `topic NAME { … }` of record `message` with random settings, keyed
    /// when `keyed` (a table must be).
    fn topic(&mut self, name: &str, message: usize, keyed: bool) -> String {
        let mut settings = vec![format!(
            "    message: {},",
            self.items.records[message].name
        )];
        if self.rng.chance(50) {
            settings.push(format!("    partitions: {},", 1 + self.rng.below(8)));
        }
        if let Some((field, _)) = self.topic_key_field(message) {
            if keyed || self.rng.chance(60) {
                settings.push(format!("    key: {field},"));
            }
        }
        if self.rng.chance(30) {
            settings.push("    encoding: binary,".into());
        }
        if self.rng.chance(20) {
            settings.push(format!("    retention_hours: {},", 1 + self.rng.below(200)));
        }
        format!("topic {name} {{\n{}\n}}\n\n", settings.join("\n"))
    }

    /// A generated function `stem…(params) returns returns`; its name and
    /// text.
    fn step(
        &mut self,
        stem: &str,
        params: Vec<(String, Mode, Ty)>,
        returns: Ty,
    ) -> (String, String) {
        let name = self.fresh(stem);
        let text = self.write_function(name.clone(), None, params, Some(returns), false);
        (name, text)
    }

    /// A field of record `r` a topic may be keyed by (text, number or
    /// truth value), if it has one; with a `row_key` function's type, which
    /// must be the field's.
    fn topic_key_field(&self, r: usize) -> Option<(String, Ty)> {
        self.items.records[r]
            .fields
            .iter()
            .find(|(_, t)| matches!(t, Ty::Str | Ty::I64 | Ty::Bool))
            .map(|(n, t)| (n.clone(), t.clone()))
    }

    /// Whether a message may hold `ty`: no `result`, map keys of text or
    /// numbers (what the encoding writes as JSON object keys).
    fn encodable(&self, ty: &Ty, seen: &mut Vec<(bool, usize)>) -> bool {
        match ty {
            Ty::I64 | Ty::F64 | Ty::Bool | Ty::Str => true,
            Ty::List(inner) | Ty::Option(inner) => self.encodable(inner, seen),
            Ty::Map(key, value) => {
                matches!(**key, Ty::Str | Ty::I64) && self.encodable(value, seen)
            }
            Ty::Result(..) => false,
            Ty::Record(r) => {
                if seen.contains(&(true, *r)) {
                    return true;
                }
                seen.push((true, *r));
                let fields: Vec<Ty> = self.items.records[*r]
                    .fields
                    .iter()
                    .map(|(_, t)| t.clone())
                    .collect();
                fields.iter().all(|t| self.encodable(t, seen))
            }
            Ty::Enum(e) => {
                if seen.contains(&(false, *e)) {
                    return true;
                }
                seen.push((false, *e));
                let payloads: Vec<Ty> = self.items.enums[*e]
                    .variants
                    .iter()
                    .flat_map(|(_, payload)| payload.iter().cloned())
                    .collect();
                payloads.iter().all(|t| self.encodable(t, seen))
            }
        }
    }
}
