//! Generated programs with Slytherin blocks: random message types (nested
//! records, enums, lists, options, maps), topics with random settings, and
//! pipelines whose steps map between them, stateless or windowed, half of
//! them joining a table topic of another random record. Every
//! program must check without a diagnostic and lower; a sample of them must
//! build under clippy with the run-time crate (the serde derives, the
//! topic functions and the pipeline code of every shape).

mod support;

use proptest::prelude::*;

/// A field type, as written, and an expression of it.
#[derive(Clone, Debug)]
struct Field {
    ty: String,
    value: String,
}

/// Writes the program of one seed.
struct Writer {
    /// splitmix64: the program is a function of its seed.
    state: u64,
    items: Vec<String>,
    /// Records declared so far: name and fields (name, type, value).
    records: Vec<(String, Vec<(String, Field)>)>,
    /// Records named so far (a record's fields may declare more before it
    /// is complete).
    named: usize,
    enums: usize,
}

impl Writer {
    fn below(&mut self, n: usize) -> usize {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }

    fn field(&mut self, depth: usize) -> Field {
        let choice = if depth >= 2 {
            self.below(4)
        } else {
            self.below(10)
        };
        match choice {
            0 => Field {
                ty: "i64".into(),
                value: format!("{}", self.below(1000)),
            },
            1 => Field {
                ty: "f64".into(),
                value: "1.5".into(),
            },
            2 => Field {
                ty: "bool".into(),
                value: "true".into(),
            },
            3 => Field {
                ty: "string".into(),
                value: "\"x\"".into(),
            },
            4 => {
                let inner = self.field(depth + 1);
                Field {
                    ty: format!("list<{}>", inner.ty),
                    value: format!("list_of({})", inner.value),
                }
            }
            5 => {
                let inner = self.field(depth + 1);
                Field {
                    ty: format!("option<{}>", inner.ty),
                    value: format!("Some({})", inner.value),
                }
            }
            6 => {
                let inner = self.field(depth + 1);
                let key = if self.below(2) == 0 { "string" } else { "i64" };
                Field {
                    ty: format!("map<{key}, {}>", inner.ty),
                    value: "map_of()".into(),
                }
            }
            7 => {
                let name = format!("Kind{}", self.enums);
                self.enums += 1;
                self.items.push(format!(
                    "enum {name} {{\n    Empty,\n    Number(i64),\n    Pair(string, i64),\n}}\n"
                ));
                let value = match self.below(3) {
                    0 => format!("{name}::Empty"),
                    1 => format!("{name}::Number(7)"),
                    _ => format!("{name}::Pair(\"p\", 2)"),
                };
                Field { ty: name, value }
            }
            _ => {
                let name = self.record(depth + 1);
                let value = self.literal(&name);
                Field { ty: name, value }
            }
        }
    }

    /// Declares a record of random fields; its name.
    fn record(&mut self, depth: usize) -> String {
        let labelled = self.below(2) == 0;
        self.record_labelled(depth, labelled)
    }

    /// Declares a record of random fields, with a `label` text field when
    /// `labelled`; its name.
    fn record_labelled(&mut self, depth: usize, labelled: bool) -> String {
        let name = format!("Record{}", self.named);
        self.named += 1;
        let count = 1 + self.below(4);
        let mut fields = Vec::new();
        for i in 0..count {
            let field = self.field(depth);
            fields.push((format!("f{i}"), field));
        }
        // A text field to key by.
        if labelled {
            fields.push((
                "label".into(),
                Field {
                    ty: "string".into(),
                    value: "\"l\"".into(),
                },
            ));
        }
        let body: Vec<String> = fields
            .iter()
            .map(|(n, f)| format!("    {n}: {},", f.ty))
            .collect();
        self.items
            .push(format!("record {name} {{\n{}\n}}\n", body.join("\n")));
        self.records.push((name.clone(), fields));
        name
    }

    fn literal(&self, record: &str) -> String {
        let (_, fields) = self
            .records
            .iter()
            .find(|(n, _)| n == record)
            .expect("declared");
        let parts: Vec<String> = fields
            .iter()
            .map(|(n, f)| format!("{n}: {}", f.value))
            .collect();
        format!("{record} {{ {} }}", parts.join(", "))
    }

    fn has_label(&self, record: &str) -> bool {
        self.records
            .iter()
            .any(|(n, fields)| n == record && fields.iter().any(|(f, _)| f == "label"))
    }

    fn program(mut self) -> String {
        let input = self.record(0);
        let output = self.record(0);
        let mut topics = Vec::new();
        for (topic, message) in [("source", &input), ("sink", &output)] {
            let mut settings = vec![format!("    message: {message},")];
            if self.below(2) == 0 {
                settings.push(format!("    partitions: {},", 1 + self.below(8)));
            }
            if self.has_label(message) && self.below(2) == 0 {
                settings.push("    key: label,".into());
            }
            if self.below(3) == 0 {
                settings.push("    encoding: binary,".into());
            }
            if self.below(4) == 0 {
                settings.push(format!("    retention_hours: {},", 1 + self.below(100)));
            }
            if self.below(4) == 0 {
                settings.push("    verifiable: true,".into());
            }
            topics.push(format!("topic {topic} {{\n{}\n}}\n", settings.join("\n")));
        }
        let out_literal = self.literal(&output);
        let mut functions = vec![format!(
            "function keep(message: {input}) returns bool {{\n    message == message\n}}\n"
        )];
        // Sometimes a join with a table of another random record.
        let join = if self.below(2) == 0 {
            let row = self.record_labelled(0, true);
            let encoding = if self.below(2) == 0 { "json" } else { "binary" };
            topics.push(format!(
                "topic lookup {{\n    message: {row},\n    key: label,\n    encoding: {encoding},\n}}\n"
            ));
            functions.push(format!(
                "function row_key(message: {input}) returns string {{\n    format(\"{{:?}}\", message).substring(0, 2)\n}}\n"
            ));
            functions.push(format!(
                "function combine(message: {input}, row: option<{row}>) returns {input} {{\n    print_line(\"{{:?}}\", row);\n    message.clone()\n}}\n"
            ));
            "    join: lookup,\n    join_key: row_key,\n    join_with: combine,\n"
        } else {
            ""
        };
        let windowed = self.below(2) == 0;
        let pipeline = if windowed {
            functions.push(format!(
                "function key_of(message: {input}) returns string {{\n    format(\"{{:?}}\", message).substring(0, 1)\n}}\n"
            ));
            functions.push(format!(
                "function time_of(message: {input}) returns i64 {{\n    format(\"{{:?}}\", message).length()\n}}\n"
            ));
            functions.push(format!(
                "function emit(key: string, start_ms: i64, end_ms: i64, value: i64) returns {output} {{\n    print_line(\"{{}} {{}} {{}} {{}}\", key, start_ms, end_ms, value);\n    {out_literal}\n}}\n"
            ));
            let window = if self.below(2) == 0 {
                format!("tumbling_seconds({})", 1 + self.below(60))
            } else {
                "sliding_seconds(60, 20)".to_string()
            };
            let aggregate = if self.below(2) == 0 {
                "count"
            } else {
                "max(time_of)"
            };
            format!(
                "pipeline flow {{\n    from: source,\n    filter: keep,\n{join}    key_by: key_of,\n    event_time: time_of,\n    window: {window},\n    aggregate: {aggregate},\n    emit: emit,\n    to: sink,\n}}\n"
            )
        } else {
            functions.push(format!(
                "function convert(message: {input}) returns {output} {{\n    print_line(\"{{:?}}\", message);\n    {out_literal}\n}}\n"
            ));
            let step = if self.below(2) == 0 {
                "map: convert,"
            } else {
                "flat_map: many,"
            };
            if step.starts_with("flat_map") {
                functions.push(format!(
                    "function many(message: {input}) returns list<{output}> {{\n    list_of(convert(message))\n}}\n"
                ));
            }
            format!("pipeline flow {{\n    from: source,\n    filter: keep,\n{join}    {step}\n    to: sink,\n}}\n")
        };
        let mut text = self.items.join("\n");
        for part in topics.iter().chain(&functions) {
            text.push('\n');
            text.push_str(part);
        }
        text.push('\n');
        text.push_str(&pipeline);
        text.push_str("\nfunction main() {\n    print_line(\"declared\");\n}\n");
        text
    }
}

fn program(seed: u64) -> String {
    Writer {
        state: seed,
        items: Vec::new(),
        records: Vec::new(),
        named: 0,
        enums: 0,
    }
    .program()
}

#[test]
fn generated_programs_check_without_a_diagnostic_and_lower() {
    for seed in 0..300 {
        let text = program(seed);
        let diagnostics = support::diagnostics(&text);
        assert!(
            diagnostics.is_empty(),
            "seed {seed}:\n{text}\n{diagnostics:#?}"
        );
        support::rust_of(&text);
    }
}

#[test]
fn a_sample_of_generated_programs_builds_under_clippy() {
    for seed in [1u64, 7, 19, 42, 99, 123] {
        let text = program(seed);
        let rust = support::rust_of(&text);
        support::build(&format!("generated_{seed}"), &rust);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any seed, not only the fixed ones.
    #[test]
    fn any_seed_checks(seed in any::<u64>()) {
        let text = program(seed);
        let diagnostics = support::diagnostics(&text);
        prop_assert!(diagnostics.is_empty(), "{}\n{:#?}", text, diagnostics);
    }
}
