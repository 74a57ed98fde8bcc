//! Every feature of the server, driven over the protocol in process, with
//! the answers pinned by insta snapshots. Sources mark the cursor with `$0`.

mod support;

use serde_json::{json, Value};
use support::{cursor, uri, Client, MemoryFiles};

const SHAPES: &str = "/// A point on the plane.
record Point {
    x: f64,
    y: f64,
}

enum Shape {
    Circle(f64),
    Square(f64),
}

methods Point {
    function length(self) returns f64 {
        (self.x * self.x + self.y * self.y).sqrt()
    }
}

function area(shape: Shape, scale: f64) returns f64 {
    match shape {
        Shape::Circle(radius) => 3.14 * radius * radius * scale,
        Shape::Square(side) => side * side * scale,
    }
}

function main() {
    let_var origin = Point { x: 3.0, y: 4.0 };
    let_var total = area(Shape::Square(2.0), 1.5);
    print_line(\"{} {}\", origin.length(), total);
}
";

const MAIN: &str = "/memory/shapes/main.pt";

/// A JSON snapshot with every object's keys in sorted order, so it does
/// not depend on whether serde_json keeps insertion order (a feature any
/// crate in the build may turn on).
macro_rules! assert_sorted_json_snapshot {
    ($($arg:tt)*) => {
        insta::with_settings!({ sort_maps => true }, {
            insta::assert_json_snapshot!($($arg)*);
        })
    };
}

/// A server with `text` open as `main.pt`; returns the client and the
/// cursor position of `$0`.
async fn open(marked: &str) -> (Client, Value) {
    let (text, position) = cursor(marked);
    let mut client = Client::start(MemoryFiles::default()).await;
    client.open(MAIN, &text).await;
    client.diagnostics(&uri(MAIN)).await;
    (client, position)
}

fn at(position: &Value) -> Value {
    json!({ "textDocument": { "uri": uri(MAIN) }, "position": position })
}

fn with_cursor(marker_after: &str) -> String {
    SHAPES.replacen(marker_after, &format!("{marker_after}$0"), 1)
}

#[tokio::test]
async fn diagnostics_carry_code_description_related_information_and_data() {
    let mut client = Client::start(MemoryFiles::default()).await;
    client
        .open(MAIN, "function main() {\n    let_var count = 0;\n    count = count + 1;\n    print_line(\"{}\", count);\n}\n")
        .await;
    let mut diagnostics = client.diagnostics(&uri(MAIN)).await;
    // The explanation is a real file; its folder differs between machines.
    let href = diagnostics[0]["codeDescription"]["href"]
        .as_str()
        .expect("a link")
        .to_string();
    let path = href.strip_prefix("file://").expect("a file link");
    assert!(std::fs::read_to_string(path)
        .expect("the explanation exists")
        .starts_with("# PT0301"));
    diagnostics[0]["codeDescription"]["href"] = json!("file:///<temp>/PT0301.md");
    assert_sorted_json_snapshot!(diagnostics);
}

#[tokio::test]
async fn an_edit_to_an_imported_file_refreshes_the_importer() {
    let files = MemoryFiles::default();
    files.write(
        "/memory/app/main.pt",
        "use_module tools;\n\nfunction main() {\n    print_line(\"{}\", tools::double(2));\n}\n",
    );
    files.write(
        "/memory/app/tools.pt",
        "public function double(n: i64) returns i64 {\n    n * 2\n}\n",
    );
    let mut client = Client::start(files).await;
    client.open("/memory/app/main.pt", "use_module tools;\n\nfunction main() {\n    print_line(\"{}\", tools::double(2));\n}\n").await;
    assert_eq!(
        client.diagnostics(&uri("/memory/app/main.pt")).await,
        json!([])
    );
    client
        .open(
            "/memory/app/tools.pt",
            "public function double(n: i64) returns i64 {\n    n * 2\n}\n",
        )
        .await;
    client.notifications.clear();
    // `double` becomes private: the call in main.pt is now an error.
    client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri("/memory/app/tools.pt"), "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 7 } }, "text": "" }]
            }),
        )
        .await;
    let refreshed = client.diagnostics(&uri("/memory/app/main.pt")).await;
    assert_eq!(refreshed[0]["code"], "PT0108", "{refreshed}");
}

#[tokio::test]
async fn hover_shows_types_signatures_and_keywords() {
    let (mut client, position) = open(&with_cursor("let_var tot")).await;
    let local = client.request("textDocument/hover", at(&position)).await;
    let (mut client2, position2) = open(&with_cursor("let_var total = ar")).await;
    let function = client2.request("textDocument/hover", at(&position2)).await;
    let (mut client3, position3) = open(&with_cursor("  let_v")).await;
    let keyword = client3.request("textDocument/hover", at(&position3)).await;
    let (mut client4, position4) =
        open(&with_cursor("(self.x * self.x + self.y * self.y).sq")).await;
    let method = client4.request("textDocument/hover", at(&position4)).await;
    assert_sorted_json_snapshot!(
        json!({ "local": local, "function": function, "keyword": keyword, "builtin_method_call": method })
    );
}

#[tokio::test]
async fn definition_references_highlight_and_rename() {
    let (mut client, position) = open(&with_cursor("origin.len")).await;
    let definition = client
        .request("textDocument/definition", at(&position))
        .await;
    let references = client
        .request("textDocument/references", json!({ "textDocument": { "uri": uri(MAIN) }, "position": position, "context": { "includeDeclaration": true } }))
        .await;
    let highlights = client
        .request("textDocument/documentHighlight", at(&position))
        .await;
    let rename = client
        .request("textDocument/rename", json!({ "textDocument": { "uri": uri(MAIN) }, "position": position, "newName": "magnitude" }))
        .await;
    let bad_rename = client
        .request("textDocument/rename", json!({ "textDocument": { "uri": uri(MAIN) }, "position": position, "newName": "let_var" }))
        .await;
    assert_sorted_json_snapshot!(json!({
        "definition": definition,
        "references": references,
        "highlights": highlights,
        "rename": rename,
        "rename_to_a_keyword": bad_rename,
    }));
}

#[tokio::test]
async fn rename_reaches_every_file_of_the_program() {
    let files = MemoryFiles::default();
    let main =
        "use_module tools;\n\nfunction main() {\n    print_line(\"{}\", tools::double(2));\n}\n";
    files.write("/memory/app/main.pt", main);
    files.write(
        "/memory/app/tools.pt",
        "public function double(n: i64) returns i64 {\n    n * 2\n}\n",
    );
    let mut client = Client::start(files).await;
    client.open("/memory/app/main.pt", main).await;
    let edit = client
        .request("textDocument/rename", json!({ "textDocument": { "uri": uri("/memory/app/main.pt") }, "position": { "line": 3, "character": 30 }, "newName": "twice" }))
        .await;
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(changes.len(), 2, "{edit}");
    assert_eq!(changes[&uri("/memory/app/tools.pt")][0]["newText"], "twice");
}

#[tokio::test]
async fn symbols_folding_semantic_tokens_and_inlay_hints() {
    let (mut client, _) = open(&with_cursor("function ma")).await;
    let document = json!({ "textDocument": { "uri": uri(MAIN) } });
    let symbols = client
        .request("textDocument/documentSymbol", document.clone())
        .await;
    let workspace = client
        .request("workspace/symbol", json!({ "query": "ar" }))
        .await;
    let folds = client
        .request("textDocument/foldingRange", document.clone())
        .await;
    let tokens = client
        .request("textDocument/semanticTokens/full", document.clone())
        .await;
    let hints = client
        .request("textDocument/inlayHint", json!({ "textDocument": { "uri": uri(MAIN) }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } } }))
        .await;
    assert_sorted_json_snapshot!(json!({
        "symbols": symbols,
        "workspace_symbols": workspace,
        "folds": folds,
        "semantic_token_count": tokens["data"].as_array().map_or(0, |d| d.len() / 5),
        "inlay_hints": hints,
    }));
}

#[tokio::test]
async fn completion_offers_keywords_scope_members_and_variants() {
    let labels = |list: &Value| -> Vec<String> {
        list.as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i["label"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (mut client, position) = open(&SHAPES.replace(
        "print_line(\"{} {}\", origin.length(), total);",
        "print_line(\"{} {}\", origin.$0, total);",
    ))
    .await;
    let members = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri(MAIN) }, "position": position }),
        )
        .await;
    let (mut client, position) =
        open(&SHAPES.replace("    let_var total", "    tot$0\n    let_var total")).await;
    let scope = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri(MAIN) }, "position": position }),
        )
        .await;
    let (mut client, position) = open(&SHAPES.replace(
        "        Shape::Square(side) => side * side * scale,\n",
        "        $0\n",
    ))
    .await;
    let arms = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri(MAIN) }, "position": position }),
        )
        .await;
    let members = labels(&members);
    let scope_labels = labels(&scope);
    let arms = labels(&arms);
    assert!(
        members.contains(&"x".to_string()) && members.contains(&"length".to_string()),
        "{members:?}"
    );
    assert!(
        scope_labels.contains(&"origin".to_string()) && scope_labels.contains(&"area".to_string()),
        "{scope_labels:?}"
    );
    assert!(scope_labels.contains(&"let_mut_var".to_string()));
    assert!(
        arms.first().is_some_and(|l| l.starts_with("Shape::")),
        "{arms:?}"
    );
    let snippet = scope
        .as_array()
        .and_then(|items| items.iter().find(|i| i["label"] == "for"))
        .cloned();
    assert_sorted_json_snapshot!(
        json!({ "members": members, "match_arms": arms, "for_snippet": snippet })
    );
}

#[tokio::test]
async fn signature_help_follows_the_argument() {
    let (mut client, position) = open(&SHAPES.replace(
        "area(Shape::Square(2.0), 1.5)",
        "area(Shape::Square(2.0), $0",
    ))
    .await;
    let help = client
        .request("textDocument/signatureHelp", at(&position))
        .await;
    assert_sorted_json_snapshot!(help);
}

#[tokio::test]
async fn formatting_whole_document_and_range() {
    let messy =
        "function main(){\n  let_var x=1;\n  let_var y=2;\n    print_line(\"{} {}\",x,y);\n}\n";
    let mut client = Client::start(MemoryFiles::default()).await;
    client.open(MAIN, messy).await;
    let whole = client
        .request("textDocument/formatting", json!({ "textDocument": { "uri": uri(MAIN) }, "options": { "tabSize": 4, "insertSpaces": true } }))
        .await;
    let range = client
        .request("textDocument/rangeFormatting", json!({ "textDocument": { "uri": uri(MAIN) }, "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 5 } }, "options": { "tabSize": 4, "insertSpaces": true } }))
        .await;
    assert_sorted_json_snapshot!(json!({ "whole": whole, "range": range }));
}

#[tokio::test]
async fn code_actions_fix_and_convert_bindings() {
    let marked = "function main() {\n    $0let_var count = 0;\n    count = count + 1;\n    print_line(\"{}\", count);\n}\n";
    let (text, position) = cursor(marked);
    let mut client = Client::start(MemoryFiles::default()).await;
    client.open(MAIN, &text).await;
    client.diagnostics(&uri(MAIN)).await;
    let actions = client
        .request("textDocument/codeAction", json!({ "textDocument": { "uri": uri(MAIN) }, "range": { "start": position, "end": { "line": 2, "character": 10 } }, "context": { "diagnostics": [] } }))
        .await;
    let titles: Vec<Value> = actions
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| json!({ "title": a["title"], "kind": a["kind"], "isPreferred": a["isPreferred"], "edit": a["edit"] }))
        .collect();
    assert_sorted_json_snapshot!(titles);
    // Before and after: the preferred quick fix, applied, leaves a program
    // the server finds no error in.
    let fix = actions
        .as_array()
        .and_then(|a| a.iter().find(|a| a["isPreferred"] == true))
        .expect("a preferred fix");
    let after = apply(&text, &fix["edit"]["changes"][uri(MAIN)]);
    insta::assert_snapshot!(format!("--- before\n{text}--- after\n{after}"));
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(MAIN), "version": 2 }, "contentChanges": [{ "text": after }] }),
        )
        .await;
    assert_eq!(client.diagnostics(&uri(MAIN)).await, json!([]));
}

/// Applies protocol text edits (line/character ranges) to `text`.
fn apply(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().expect("line") as usize;
        let character = p["character"].as_u64().expect("character") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character
    };
    let mut edits: Vec<&Value> = edits.as_array().expect("edits").iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for edit in edits {
        let (start, end) = (
            offset(&edit["range"]["start"]),
            offset(&edit["range"]["end"]),
        );
        out.replace_range(start..end, edit["newText"].as_str().expect("text"));
    }
    out
}

#[tokio::test]
async fn generated_rust_of_the_current_file() {
    let (mut client, _) = open(&with_cursor("function ma")).await;
    let rust = client
        .request("parseltongue/generatedRust", json!({ "uri": uri(MAIN) }))
        .await;
    assert_eq!(rust["complete"], true);
    assert!(
        rust["rust"]
            .as_str()
            .is_some_and(|r| r.contains("pub struct Point")),
        "{rust}"
    );
    let mut broken = Client::start(MemoryFiles::default()).await;
    broken
        .open(
            MAIN,
            "record Point { x: i64 }\n\nfunction main() {\n    let_var p = Point { x: nope };\n}\n",
        )
        .await;
    let partial = broken
        .request("parseltongue/generatedRust", json!({ "uri": uri(MAIN) }))
        .await;
    assert_eq!(partial["complete"], false);
    assert!(
        partial["rust"]
            .as_str()
            .is_some_and(|r| r.contains("pub struct Point") && r.contains("unimplemented!")),
        "{partial}"
    );
}

#[tokio::test]
async fn answers_stay_useful_in_a_file_with_errors() {
    let broken = SHAPES
        .replace(
            "function main() {",
            "function main() {\n    let_var broken = ;\n    let_var other: strin = 1;",
        )
        .replace("let_var total = area(", "let_var total = ar$0ea(");
    let (text, position) = cursor(&broken);
    let mut client = Client::start(MemoryFiles::default()).await;
    client.open(MAIN, &text).await;
    let diagnostics = client.diagnostics(&uri(MAIN)).await;
    assert!(
        diagnostics.as_array().is_some_and(|d| d.len() >= 2),
        "{diagnostics}"
    );
    let hover = client.request("textDocument/hover", at(&position)).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("function area(shape: Shape, scale: f64) returns f64")),
        "{hover}"
    );
    let definition = client
        .request("textDocument/definition", at(&position))
        .await;
    assert_eq!(definition["range"]["start"]["line"], 17, "{definition}");
    let completion = client
        .request("textDocument/completion", at(&position))
        .await;
    assert!(
        completion
            .as_array()
            .is_some_and(|c| c.iter().any(|i| i["label"] == "origin")),
        "{completion}"
    );
}

#[tokio::test]
async fn generated_rust_is_the_files_own_module() {
    let files = MemoryFiles::default();
    let main =
        "use_module tools;\n\nfunction main() {\n    print_line(\"{}\", tools::double(2));\n}\n";
    let tools = "public function double(n: i64) returns i64 {\n    n * 2\n}\n";
    files.write("/memory/app/main.pt", main);
    files.write("/memory/app/tools.pt", tools);
    let mut client = Client::start(files).await;
    client.open("/memory/app/tools.pt", tools).await;
    let rust = client
        .request(
            "parseltongue/generatedRust",
            json!({ "uri": uri("/memory/app/tools.pt") }),
        )
        .await;
    let text = rust["rust"].as_str().expect("Rust");
    assert!(text.contains("pub fn double(n: i64) -> i64"), "{text}");
    assert!(!text.contains("fn main"), "{text}");
}

const ORDERED: &str = r#"record Item {
    name: string,
    price: i64,
}

function by_price(a: Item, b: Item) returns ordering {
    a.price.compare(b.price)
}

function main() {
    let_mut_var items = list_of(Item { name: "pen", price: 3 });
    items.sort_by(by_price);
    let_var cheapest = items.min_by(by_price);
    print_line("{:?}", cheapest);
}
"#;

/// A function named as an argument is a reference to it (definition,
/// rename), shows nothing of the closure it lowers to (no completion of
/// its parameters, no inlay hint), and the method's hover names the
/// function's shape.
#[tokio::test]
async fn a_function_named_as_an_argument_is_a_reference_and_nothing_more() {
    let (mut client, position) = open(&ORDERED.replacen("sort_by(by_", "sort_by(by_$0", 1)).await;
    let definition = client
        .request("textDocument/definition", at(&position))
        .await;
    assert_eq!(definition["range"]["start"]["line"], 5, "{definition}");
    let rename = client
        .request("textDocument/rename", json!({ "textDocument": { "uri": uri(MAIN) }, "position": position, "newName": "cheaper_first" }))
        .await;
    let edits = rename["changes"][uri(MAIN)]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        edits.len(),
        3,
        "the declaration and both arguments: {rename}"
    );

    let (mut client, position) =
        open(&ORDERED.replacen("items.sort_by", "items.sort$0_by", 1)).await;
    let hover = client.request("textDocument/hover", at(&position)).await;
    let shown = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        shown.contains("sort_by(compare: a function (Item, Item) returns ordering)"),
        "{shown}"
    );

    let (mut client, position) = open(&ORDERED.replacen(
        "    print_line(\"{:?}\", cheapest);",
        "    $0\n    print_line(\"{:?}\", cheapest);",
        1,
    ))
    .await;
    let scope = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri(MAIN) }, "position": position }),
        )
        .await;
    let labels: Vec<&str> = scope
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        labels.contains(&"cheapest") && labels.contains(&"by_price"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"a") && !labels.contains(&"b"),
        "{labels:?}"
    );
    let hints = client
        .request("textDocument/inlayHint", json!({ "textDocument": { "uri": uri(MAIN) }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } } }))
        .await;
    // Only the two variables are hinted, on their own lines.
    let hinted: Vec<(i64, String)> = hints
        .as_array()
        .map(|h| {
            h.iter()
                .map(|h| {
                    let line = h["position"]["line"].as_i64().unwrap_or(-1);
                    (line, h["label"].to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    let lines: Vec<i64> = hinted.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [10, 12], "{hints}");
    assert!(hinted[1].1.contains("option<Item>"), "{hints}");
}

const DECLARED: &str = r#"record Item {
    name: string,
    price: i64,
}

enum Command {
    Buy(i64),
    Stop,
}

constant LIMIT: i64 = 10;

function apply(item: Item, command: Command) returns i64 {
    match command {
        Command::Buy(n) => item.price * n + LIMIT,
        Command::Stop => 0,
    }
}

function main() {
    let_var item = Item { name: "pen", price: 3 };
    print_line("{} {}", apply(item, Command::Buy(2)), apply(item, Command::Stop));
}
"#;

/// Every editor feature works with the cursor on a declaration's name, as
/// from a use: hover, definition, references, highlights and rename.
#[tokio::test]
async fn editor_features_work_on_declarations() {
    for (marker, uses, renamed) in [
        ("function app", 2, "run"),
        ("record It", 2, "Thing"),
        ("enum Comm", 5, "Order"),
        ("    Bu", 2, "Purchase"),
        ("    pri", 2, "cost"),
        ("constant LIM", 1, "CAP"),
    ] {
        let (mut client, position) =
            open(&DECLARED.replacen(marker, &format!("{marker}$0"), 1)).await;
        let hover = client.request("textDocument/hover", at(&position)).await;
        assert!(
            hover["contents"]["value"].as_str().is_some(),
            "{marker}: {hover}"
        );
        let definition = client
            .request("textDocument/definition", at(&position))
            .await;
        assert_eq!(
            definition["range"]["start"]["line"], position["line"],
            "{marker}: {definition}"
        );
        let references = client
            .request("textDocument/references", json!({ "textDocument": { "uri": uri(MAIN) }, "position": position, "context": { "includeDeclaration": true } }))
            .await;
        let found = references.as_array().map_or(0, Vec::len);
        assert_eq!(found, uses + 1, "{marker}: {references}");
        let highlights = client
            .request("textDocument/documentHighlight", at(&position))
            .await;
        assert_eq!(
            highlights.as_array().map_or(0, Vec::len),
            uses + 1,
            "{marker}: {highlights}"
        );
        let rename = client
            .request("textDocument/rename", json!({ "textDocument": { "uri": uri(MAIN) }, "position": position, "newName": renamed }))
            .await;
        let edits = rename["changes"][uri(MAIN)].as_array().map_or(0, Vec::len);
        assert_eq!(edits, uses + 1, "{marker}: {rename}");
    }
}

/// Range formatting edits the lines of the range only; a document with
/// syntax errors is not formatted, with an error that says where; the
/// diagnostics name the document version they are about.
#[tokio::test]
async fn formatting_keeps_to_its_range_and_says_why_it_cannot() {
    let messy =
        "function main(){\n  let_var x=1;\n  let_var y=2;\n    print_line(\"{} {}\",x,y);\n}\n";
    let mut client = Client::start(MemoryFiles::default()).await;
    client.open(MAIN, messy).await;
    let first = client.published(&uri(MAIN)).await;
    assert_eq!(first["version"], 1, "{first}");
    let range = client
        .request("textDocument/rangeFormatting", json!({ "textDocument": { "uri": uri(MAIN) }, "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 5 } }, "options": { "tabSize": 4, "insertSpaces": true } }))
        .await;
    let edits = range.as_array().cloned().unwrap_or_default();
    assert!(!edits.is_empty(), "{range}");
    for edit in &edits {
        assert_eq!(edit["range"]["start"]["line"], 2, "{range}");
        assert_eq!(edit["range"]["end"]["line"], 3, "{range}");
    }
    assert_eq!(edits[0]["newText"], "    let_var y = 2;\n");

    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(MAIN), "version": 7 }, "contentChanges": [{ "text": "function main() {\n    let_var x = ;\n}\n" }] }),
        )
        .await;
    let second = client.published(&uri(MAIN)).await;
    assert_eq!(second["version"], 7, "{second}");
    let refused = client
        .request("textDocument/formatting", json!({ "textDocument": { "uri": uri(MAIN) }, "options": { "tabSize": 4, "insertSpaces": true } }))
        .await;
    let message = refused["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        message.contains("syntax errors") && message.contains("line 2"),
        "{refused}"
    );
}

/// An unsaved buffer (`untitled:`) is served like a file: diagnostics come
/// back to its URI and hover answers in it.
#[tokio::test]
async fn untitled_buffers_are_served() {
    let untitled = "untitled:Untitled-1";
    let mut client = Client::start(MemoryFiles::default()).await;
    client
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": untitled, "languageId": "parseltongue", "version": 1, "text": "function main() {\n    let_var count = 1;\n    print_line(\"{}\", cuont);\n}\n" } }),
        )
        .await;
    let published = client.published(untitled).await;
    assert_eq!(published["uri"], untitled, "{published}");
    let messages: Vec<&str> = published["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["message"].as_str()).collect())
        .unwrap_or_default();
    assert!(messages.iter().any(|m| m.contains("cuont")), "{published}");
    let hover = client
        .request("textDocument/hover", json!({ "textDocument": { "uri": untitled }, "position": { "line": 1, "character": 14 } }))
        .await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("count")),
        "{hover}"
    );
}

/// An unclosed `{` near the top does not swallow the items after it:
/// completion further down still offers them.
#[tokio::test]
async fn an_unclosed_brace_keeps_the_items_after_it() {
    let text = "function first() {\n    print_line(\"x\");\n\nfunction second() returns i64 {\n    7\n}\n\nfunction main() {\n    sec$0\n}\n";
    let (mut client, position) = open(text).await;
    let completions = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri(MAIN) }, "position": position }),
        )
        .await;
    let labels: Vec<&str> = completions
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        labels.contains(&"second") && labels.contains(&"first"),
        "{labels:?}"
    );
}

const PARTITIONS: &str = "partition app {
    cores: list_of(0),
    policy: api,
}

partition ui {
    cores: list_of(1),
    policy: frame,
    cycle_ms: 10,
}

function draw(cycle: i64) {
    print_line(\"{}\", cycle);
}

function main() {
    let_var answer = spawn_on app { 6 * 7 };
    run_every_cycle(ui, draw, 2);
    print_line(\"{}\", answer.join());
}
";

#[tokio::test]
async fn partition_names_hover_go_to_their_block_and_rename_everywhere() {
    let (mut client, position) =
        open(&PARTITIONS.replacen("spawn_on ap", "spawn_on ap$0", 1)).await;
    let hover = client.request("textDocument/hover", at(&position)).await;
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("partition app"), "{hover}");
    assert!(shown.contains("policy: api"), "{hover}");
    let definition = client
        .request("textDocument/definition", at(&position))
        .await;
    assert_eq!(definition["range"]["start"]["line"], 0, "{definition}");
    assert_eq!(
        definition["range"]["start"]["character"], 10,
        "{definition}"
    );
    let rename = client
        .request("textDocument/rename", json!({ "textDocument": { "uri": uri(MAIN) }, "position": position, "newName": "api_cores" }))
        .await;
    let edits = rename["changes"][uri(MAIN)]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edits.len(), 2, "the block's name and the use: {rename}");
    let (mut client, frame) =
        open(&PARTITIONS.replacen("run_every_cycle(u", "run_every_cycle(u$0", 1)).await;
    let hover = client.request("textDocument/hover", at(&frame)).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("frame (cycle 10 ms)"),
        "{hover}"
    );
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri(MAIN) } }),
        )
        .await;
    let names: Vec<&str> = symbols
        .as_array()
        .map(|all| all.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"partition app"), "{symbols}");
    assert!(names.contains(&"partition ui"), "{symbols}");
    // The block's kind word and its settings are described by the kind.
    let (mut client, word) = open(&PARTITIONS.replacen("partit", "partit$0", 1)).await;
    let hover = client.request("textDocument/hover", at(&word)).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("a named set of CPU cores"),
        "{hover}"
    );
    let (mut client, setting) = open(&PARTITIONS.replacen("cycle_m", "cycle_m$0", 1)).await;
    let hover = client.request("textDocument/hover", at(&setting)).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("`frame` partition's cycle"),
        "{hover}"
    );
}

const TOPICS: &str = "record Click {
    page: string,
    user: i64,
}

topic clicks {
    message: Click,
    partitions: 3,
    key: page,
}

function main() {
    let_var producer = connect_clicks_producer(\"\").expect(\"a producer\");
    print_line(\"{}\", send_clicks(producer, Click { page: \"/\", user: 1 }).is_ok());
}
";

/// An extension's blocks get the same editor answers as the core's,
/// with no code of the server's own for them: hover on the kind and its
/// settings, diagnostics with the extension's codes, navigation from a
/// declared function to its topic and from the topic to its message type.
#[tokio::test]
async fn slytherin_topics_get_hover_diagnostics_and_navigation() {
    let (mut client, word) = open(&TOPICS.replacen("topi", "topi$0", 1)).await;
    let hover = client.request("textDocument/hover", at(&word)).await;
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("a stream of typed messages"), "{hover}");
    // The topic's own name: the block, and what it declares.
    let (mut client, name) = open(&TOPICS.replacen("topic cli", "topic cli$0", 1)).await;
    let hover = client.request("textDocument/hover", at(&name)).await;
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.starts_with("**`topic clicks`**"), "{hover}");
    assert!(
        shown.contains("type ClicksProducer")
            && shown.contains("send_clicks(producer: ClicksProducer, message: Click)"),
        "{hover}"
    );
    let (mut client, setting) = open(&TOPICS.replacen("    ke", "    ke$0", 1)).await;
    let hover = client.request("textDocument/hover", at(&setting)).await;
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("the same partition"), "{hover}");
    let (mut client, call) = open(&TOPICS.replacen("send_cl", "send_cl$0", 1)).await;
    let definition = client.request("textDocument/definition", at(&call)).await;
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 5, "character": 6 }),
        "{definition}"
    );
    let hover = client.request("textDocument/hover", at(&call)).await;
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        shown.contains("send_clicks(producer: ClicksProducer, message: Click)"),
        "{hover}"
    );
    let (mut client, message) = open(&TOPICS.replacen("message: Cli", "message: Cli$0", 1)).await;
    let definition = client
        .request("textDocument/definition", at(&message))
        .await;
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 0, "character": 7 }),
        "{definition}"
    );

    let mut client = Client::start(MemoryFiles::default()).await;
    client
        .open(MAIN, &TOPICS.replace("    key: page,", "    key: pag,"))
        .await;
    let diagnostics = client.diagnostics(&uri(MAIN)).await;
    assert_eq!(diagnostics[0]["code"], "PT1003", "{diagnostics}");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 8, "character": 9 })
    );
    assert!(
        diagnostics[0]["codeDescription"]["href"]
            .as_str()
            .unwrap_or_default()
            .ends_with("PT1003.md"),
        "{diagnostics}"
    );
}
