//! Front-end throughput: parse + check a generated program of 100,000+
//! lines, and `cargo check` the Rust it lowers to, side by side.
//!
//! Run with `cargo bench -p parseltongue-core --bench frontend`. Prints
//! lines per second for each step and the ratio to `cargo check`.

use parseltongue_core::source::{SourceFile, SourceMap};
use std::process::Command;
use std::time::{Duration, Instant};

/// One block of varied code: a record, an enum, methods and functions that
/// use loops, matches, lists, maps, strings and options.
fn block(i: usize) -> String {
    format!(
        r#"/// Block {i}.
record Item{i} {{
    name: string,
    count: i64,
    price: f64,
}}

enum Shape{i} {{
    Circle(f64),
    Square(f64),
    Nothing,
}}

methods Item{i} {{
    function total(self) returns f64 {{
        self.count.to_f64() * self.price
    }}

    public function restock(mutable self, extra: i64) {{
        self.count += extra;
    }}
}}

public function area{i}(shape: Shape{i}) returns f64 {{
    match shape {{
        Shape{i}::Circle(radius) => 3.0 * radius * radius,
        Shape{i}::Square(side) => side * side,
        Shape{i}::Nothing => 0.0,
    }}
}}

public function summarise{i}(items: list<Item{i}>, limit: i64) returns result<string, string> {{
    let_mut_var names: list<string> = list_of();
    let_mut_var counts: map<string, i64> = map_of();
    let_mut_var total = 0.0;
    for item in items {{
        if item.count > limit && !item.name.is_empty() {{
            names.push(item.name.to_upper());
            counts.insert(item.name.clone(), item.count);
        }} else if item.count == 0 {{
            continue;
        }}
        total += item.total();
    }}
    let_var first = match names.first() {{
        Some(name) => name,
        None => {{
            return Err(format("no item above {{}}", limit));
        }}
    }};
    let_mut_var steps = 0;
    while steps < limit % 7 {{
        steps += 1;
    }}
    Ok(format("{{}} of {{}} items, first {{}}, total {{:.2}}, {{}} steps", names.length(), counts.length(), first, total, steps))
}}

"#
    )
}

fn program(min_lines: usize) -> (String, usize) {
    let mut text = String::new();
    let mut lines = 0;
    let mut i = 0;
    while lines < min_lines {
        let next = block(i);
        lines += next.lines().count();
        text.push_str(&next);
        i += 1;
    }
    text.push_str("function main() {\n    print_line(\"{}\", area0(Shape0::Square(2.0)));\n}\n");
    let lines = text.lines().count();
    (text, lines)
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        last = Some(value);
    }
    (best, last.expect("at least one run"))
}

fn per_second(lines: usize, d: Duration) -> f64 {
    lines as f64 / d.as_secs_f64()
}

fn main() {
    let (text, lines) = program(100_000);
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("generated.pt", text));

    let file = sources.get(parseltongue_core::source::FileId(0));
    let (lex_time, _) = best_of(5, || {
        let mut d = parseltongue_core::diagnostics::Diagnostics::new();
        parseltongue_core::syntax::lexer::lex(
            &file.text,
            parseltongue_core::source::FileId(0),
            &mut d,
        )
    });
    let (parse_time, module) = best_of(5, || {
        let mut d = parseltongue_core::diagnostics::Diagnostics::new();
        parseltongue_core::syntax::parse_file(
            &file.text,
            parseltongue_core::source::FileId(0),
            &mut d,
        )
        .0
    });
    let modules = vec![module];
    let (check_time, _) = best_of(5, || {
        let mut d = parseltongue_core::diagnostics::Diagnostics::new();
        parseltongue_core::check::check_program(&modules, &sources, &mut d)
    });
    println!(
        "phases: lex {:.1} ms, lex+parse {:.1} ms, check {:.1} ms",
        lex_time.as_secs_f64() * 1e3,
        parse_time.as_secs_f64() * 1e3,
        check_time.as_secs_f64() * 1e3
    );
    let (parse_check, checked) = best_of(5, || parseltongue_core::check(&sources));
    if checked.has_errors() || !checked.diagnostics.is_empty() {
        let shown: Vec<_> = checked.diagnostics.iter().take(3).cloned().collect();
        panic!(
            "the generated program must check cleanly:\n{}",
            parseltongue_core::diagnostics::render::render_all(
                &shown,
                &sources,
                parseltongue_core::diagnostics::render::ColorChoice::Never
            )
        );
    }
    let (full, compiled) = best_of(3, || {
        parseltongue_core::compile(&sources).expect("lowering")
    });
    let rust = compiled.rust.expect("no errors");

    // `cargo check` of the lowered Rust in a throwaway package.
    let dir = std::env::temp_dir().join("parseltongue-frontend-bench");
    std::fs::create_dir_all(dir.join("src")).expect("bench folder");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"lowered\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .expect("manifest");
    std::fs::write(dir.join("src/main.rs"), &rust).expect("source");
    let target = dir.join("target");
    let mut cargo_check = || {
        let _ = std::fs::remove_dir_all(target.join("debug/.fingerprint"));
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["check", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the lowered Rust must pass cargo check");
    };
    let (cargo, ()) = best_of(2, &mut cargo_check);

    println!(
        "program: {lines} lines of Parseltongue, {} lines of generated Rust",
        rust.lines().count()
    );
    println!(
        "parse + check:          {:>9.1} ms  {:>12.0} lines/s",
        parse_check.as_secs_f64() * 1e3,
        per_second(lines, parse_check)
    );
    println!(
        "parse + check + lower:  {:>9.1} ms  {:>12.0} lines/s",
        full.as_secs_f64() * 1e3,
        per_second(lines, full)
    );
    println!(
        "cargo check (lowered):  {:>9.1} ms  {:>12.0} lines/s",
        cargo.as_secs_f64() * 1e3,
        per_second(lines, cargo)
    );
    println!(
        "ratio cargo check / parse+check: {:.1}x",
        cargo.as_secs_f64() / parse_check.as_secs_f64()
    );
}
