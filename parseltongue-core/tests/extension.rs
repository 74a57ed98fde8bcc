//! The extension interface, through a tiny extension written here and
//! nowhere else: a `greeting` block kind that declares a function for
//! ordinary code, checks its settings with a code of its own and writes the
//! function's body. The parser, formatter and editor answers handle its
//! blocks with no change of theirs; the checker resolves, reports and
//! records references through `ExtensionCx`; the generated Rust compiles
//! under clippy and runs.

mod support;

use std::sync::Arc;

use parseltongue_core::analysis::Analysis;
use parseltongue_core::diagnostics::codes::{Code, CodeInfo};
use parseltongue_core::extension::{
    expr_name, param, type_expr, BlockKind, BlockRef, Declarations, DeclaredFunction, Extension,
    ExtensionCx, ExtensionIr, Extensions, LowerCx, Lowered, SettingKind,
};
use parseltongue_core::formatter::format_source;
use parseltongue_core::ir::{FunctionId, Target, Ty, TypeDefKind};
use parseltongue_core::source::{FileId, SourceFile, SourceMap};
use parseltongue_core::syntax::ast::ExprKind;
use quote::quote;

/// The test extension's one code, outside every real extension's range.
const GREETING_SETTING: Code = Code(9001);

static KINDS: &[BlockKind] = &[BlockKind {
    keyword: "greeting",
    description: "**`greeting NAME { … }`**: declares `greet_NAME(person)`.",
    settings: &[
        SettingKind {
            name: "text",
            description: "**`text`**: the word before the name.",
        },
        SettingKind {
            name: "to",
            description: "**`to`**: a record with a `name: string` field.",
        },
    ],
}];

static CODES: &[CodeInfo] = &[CodeInfo {
    code: GREETING_SETTING,
    title: "a greeting setting that is missing or of the wrong kind",
    explanation: "A `greeting` block needs `text: \"…\"` and `to: Record`.",
}];

/// What the check hands the lowering: each declared function with its text.
struct Greetings(Vec<(FunctionId, String)>);

struct Greeting;

impl Extension for Greeting {
    fn name(&self) -> &'static str {
        "greeting"
    }

    fn block_kinds(&self) -> &'static [BlockKind] {
        KINDS
    }

    fn codes(&self) -> &'static [CodeInfo] {
        CODES
    }

    fn declare(&self, blocks: &[BlockRef<'_>], declarations: &mut Declarations) {
        for block in blocks {
            let (Some(name), Some((_, to))) = (block.name(), block.setting("to")) else {
                continue;
            };
            let Some(record) = expr_name(to) else {
                continue;
            };
            let mut function_name = name.clone();
            function_name.name = format!("greet_{}", name.name).into();
            declarations.declare_function(DeclaredFunction {
                module: block.module,
                name: function_name,
                params: vec![param(
                    "person",
                    type_expr(&record.name, Vec::new(), record.span),
                )],
                returns: Some(type_expr("string", Vec::new(), name.span)),
                docs: vec![format!("Greets with the `{}` block's text.", name.name)],
            });
        }
    }

    fn check(&self, blocks: &[BlockRef<'_>], cx: &mut ExtensionCx<'_, '_>) -> Option<ExtensionIr> {
        let mut greetings = Vec::new();
        let mut ok = true;
        for block in blocks {
            let text = match block.setting("text").map(|(_, value)| &value.kind) {
                Some(ExprKind::Str(text)) => text.clone(),
                _ => {
                    cx.error(
                        parseltongue_core::diagnostics::Diagnostic::error(
                            GREETING_SETTING,
                            block.block.keyword.span,
                            "a greeting needs `text: \"…\"`",
                        )
                        .with_label("no text"),
                    );
                    ok = false;
                    continue;
                }
            };
            let Some((_, to)) = block.setting("to") else {
                continue;
            };
            let Some(record) = cx.resolve_type(block.module, to) else {
                ok = false;
                continue;
            };
            let has_name = matches!(&cx.program().types[record].kind,
                TypeDefKind::Record(fields) if fields.iter().any(|(f, t)| f == "name" && *t == Ty::Str));
            if !has_name {
                cx.error(
                    parseltongue_core::diagnostics::Diagnostic::error(
                        GREETING_SETTING,
                        to.span,
                        "a greeting's record needs a `name: string` field",
                    )
                    .with_label("no `name: string` field"),
                );
                ok = false;
                continue;
            }
            let name = block.name().expect("declared blocks are named");
            let function = cx
                .program()
                .functions
                .iter()
                .position(|f| f.name == format!("greet_{}", name.name))?;
            greetings.push((function, text));
        }
        ok.then(|| Arc::new(Greetings(greetings)) as ExtensionIr)
    }

    fn lower(&self, ir: &ExtensionIr, cx: &mut LowerCx<'_, '_>) -> Lowered {
        let greetings = ir.downcast_ref::<Greetings>().expect("the check's value");
        let mut lowered = Lowered::default();
        for (function, text) in &greetings.0 {
            if cx.program().functions[*function].module != cx.module() {
                continue;
            }
            let signature = cx.declared_function(*function);
            lowered
                .items
                .push(quote!(#signature { format!("{}, {}!", #text, person.name) }));
        }
        lowered
    }
}

fn extensions() -> Extensions {
    Extensions::of([Arc::new(Greeting) as Arc<dyn Extension>])
}

const PROGRAM: &str = r#"record Person {
    name: string,
}

greeting hello {
    text: "Hello",
    to: Person,
}

function main() {
    let_var ada = Person { name: "Ada" };
    print_line("{}", greet_hello(ada));
}
"#;

fn sources(text: &str) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("main.pt", text));
    sources
}

fn offset_of(text: &str, needle: &str) -> u32 {
    text.find(needle).expect("the needle is in the program") as u32
}

#[test]
fn without_the_extension_its_block_kind_is_unknown() {
    let checked = parseltongue_core::check(&sources(PROGRAM));
    let codes: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    assert!(codes.contains(&"PT0109".to_string()), "{codes:?}");
}

#[test]
fn the_declared_function_is_checked_lowered_compiled_and_run() {
    let compiled = parseltongue_core::compile_with(&sources(PROGRAM), &extensions())
        .expect("the lowering succeeds");
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    let rust = compiled.rust.expect("no errors, so Rust");
    let binary =
        support::compile_with_clippy("extension_greeting", &rust).unwrap_or_else(|e| panic!("{e}"));
    let output = support::run_binary(&binary, "extension_greeting").expect("the program runs");
    assert_eq!(output, "Hello, Ada!\n");
}

#[test]
fn calls_of_declared_functions_are_checked_as_any_call() {
    let wrong = PROGRAM.replace("greet_hello(ada)", "greet_hello(42)");
    let checked = parseltongue_core::check_with(&sources(&wrong), &extensions());
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code.to_string(), "PT0201");
    assert_eq!(
        &wrong[errors[0].primary.span.range()],
        "42",
        "the error is at the argument"
    );
}

#[test]
fn the_extension_reports_with_its_own_codes_at_the_block() {
    let no_field = PROGRAM.replace("    name: string,\n}", "    age: i64,\n}");
    let no_field = no_field.replace("Person { name: \"Ada\" }", "Person { age: 3 }");
    let checked = parseltongue_core::check_with(&sources(&no_field), &extensions());
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, GREETING_SETTING);
    assert_eq!(&no_field[errors[0].primary.span.range()], "Person");

    // A misspelt type: the core's code, once, with the core's fix.
    let misspelt = PROGRAM.replace("to: Person", "to: Persn");
    let checked = parseltongue_core::check_with(&sources(&misspelt), &extensions());
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code.to_string(), "PT0102");
    assert!(
        format!("{:?}", errors[0]).contains("Person"),
        "{:?}",
        errors[0]
    );
}

#[test]
fn a_declared_name_taken_by_a_written_item_is_reported_once() {
    let taken = format!(
        "{PROGRAM}\nfunction greet_hello(person: Person) returns string {{\n    person.name\n}}\n"
    );
    let checked = parseltongue_core::check_with(&sources(&taken), &extensions());
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code.to_string(), "PT0103");
}

#[test]
fn the_formatter_lays_out_an_extension_block_with_no_extension_known() {
    let messy = PROGRAM.replace(
        "greeting hello {\n    text: \"Hello\",\n    to: Person,\n}",
        "greeting   hello{text:\"Hello\",\n to :Person}",
    );
    let formatted = format_source(&messy).expect("the program parses");
    assert_eq!(formatted, PROGRAM);
    assert_eq!(format_source(&formatted).expect("still parses"), formatted);
}

#[test]
fn the_editor_hovers_outlines_folds_and_navigates_inside_extension_blocks() {
    let analysis = Analysis::with_extensions(sources(PROGRAM), &extensions());
    let file = FileId(0);
    let (_, keyword) = analysis
        .hover(file, offset_of(PROGRAM, "greeting hello"))
        .expect("hover on the block's word");
    assert!(
        keyword.contains("declares `greet_NAME(person)`"),
        "{keyword}"
    );
    let (_, setting) = analysis
        .hover(file, offset_of(PROGRAM, "to: Person"))
        .expect("hover on a setting");
    assert!(setting.contains("`name: string` field"), "{setting}");
    // The record named in the block is a reference: go to definition and
    // rename reach it.
    let in_block = offset_of(PROGRAM, "Person,\n}") + 1;
    let definition = analysis.definition(file, in_block).expect("a definition");
    assert_eq!(&PROGRAM[definition.range()], "Person");
    assert_eq!(definition.start, offset_of(PROGRAM, "Person {"));
    // The declared function leads to the block that declares it.
    let call = offset_of(PROGRAM, "greet_hello(ada)") + 2;
    let declared = analysis.definition(file, call).expect("the declaration");
    assert_eq!(&PROGRAM[declared.range()], "hello");
    let (_, hover) = analysis.hover(file, call).expect("hover on the call");
    assert!(
        hover.contains("greet_hello(person: Person) returns string"),
        "{hover}"
    );
    assert!(
        analysis
            .symbols(file)
            .iter()
            .any(|s| s.name.contains("hello")),
        "the outline lists the block"
    );
    assert!(
        analysis.folds(file).len() >= 3,
        "record, block and function fold"
    );
    assert!(analysis
        .references_to(Target::Type(0))
        .iter()
        .any(|span| span.start == in_block - 1));
}

#[test]
fn completion_offers_an_extension_s_block_kinds_and_their_settings() {
    let text = PROGRAM.replace("    to: Person,\n", "    to: Person,\n    \n");
    let analysis = Analysis::with_extensions(sources(&text), &extensions());
    let at_entry = offset_of(&text, "    \n}") + 4;
    let labels: Vec<String> = analysis
        .completions(FileId(0), at_entry)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(labels, vec!["text", "to"], "unwritten first: both written");
    let with_gap = format!("{text}\n\n");
    let analysis = Analysis::with_extensions(sources(&with_gap), &extensions());
    let completions = analysis.completions(FileId(0), with_gap.len() as u32 - 1);
    let greeting = completions
        .iter()
        .find(|c| c.label == "greeting")
        .expect("the extension's block kind");
    assert_eq!(
        greeting.snippet.as_deref(),
        Some("greeting ${1:name} {\n\ttext: ${2:value},\n\t$0\n}")
    );
    assert!(completions.iter().any(|c| c.label == "partition"));
}
