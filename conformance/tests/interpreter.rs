//! The reference evaluator against the corpus's expected output, and
//! against what compiled programs print at the sharp edges.

use parseltongue_conformance::interpret::{run_main, End, Outcome};
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};

const FUEL: u64 = 10_000_000;

/// Corpus programs the evaluator cannot run, with the reason.
const SKIPPED: &[&str] = &[
    // Calls `rust_function`s (std::time::Instant::now and friends).
    "rust_interop",
];

fn check(sources: &SourceMap) -> parseltongue_core::ir::Program {
    let checked = parseltongue_extensions::check(sources);
    let problems: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {}", d.code, d.message))
        .collect();
    assert!(problems.is_empty(), "diagnostics: {problems:#?}");
    checked.program
}

fn run(source: &str) -> Outcome {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("main.pt", source));
    run_main(&check(&sources), FUEL)
}

/// Runs a program that must finish, and returns its output.
fn stdout(source: &str) -> String {
    let outcome = run(source);
    assert_eq!(
        outcome.end,
        End::Finished,
        "stdout so far: {}",
        outcome.stdout
    );
    outcome.stdout
}

/// Runs a program that must panic, and returns its output and message.
fn panicked(source: &str) -> (String, String) {
    let outcome = run(source);
    match outcome.end {
        End::Panicked(message) => (outcome.stdout, message),
        other => panic!("expected a panic, got {other:?} after {:?}", outcome.stdout),
    }
}

fn in_main(body: &str) -> String {
    format!("function main() {{\n{body}\n}}\n")
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../parseltongue-core/tests/corpus/valid")
}

/// The corpus entry's files, the root module first (as the corpus test
/// loads them), or `None` for a file that is not a program.
fn corpus_sources(path: &Path) -> Option<(String, SourceMap)> {
    let name = path.file_stem()?.to_string_lossy().to_string();
    let mut files = Vec::new();
    if path.is_dir() {
        let main = path.join("main.pt");
        let mut others: Vec<PathBuf> = std::fs::read_dir(path)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pt") && *p != main)
            .collect();
        others.sort();
        files.push((main, path.to_path_buf()));
        files.extend(others.into_iter().map(|p| (p, path.to_path_buf())));
    } else if path.extension().is_some_and(|e| e == "pt") {
        files.push((path.to_path_buf(), corpus_dir()));
    } else {
        return None;
    }
    let mut map = SourceMap::new();
    for (file, dir) in files {
        let text = std::fs::read_to_string(&file).expect("readable corpus file");
        let relative = file.strip_prefix(&dir).unwrap_or(&file);
        map.add(SourceFile::new(relative.to_string_lossy(), text));
    }
    Some((name, map))
}

#[test]
fn corpus_programs_print_their_expected_output() {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in entries {
        let Some((name, sources)) = corpus_sources(&path) else {
            continue;
        };
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        let expected = std::fs::read_to_string(corpus_dir().join(format!("{name}.stdout")))
            .unwrap_or_default();
        let outcome = run_main(&check(&sources), FUEL);
        ran += 1;
        if outcome.end != End::Finished || outcome.stdout != expected {
            failures.push(format!(
                "{name}: {:?}\n--- expected\n{expected}--- got\n{}",
                outcome.end, outcome.stdout
            ));
        }
    }
    assert!(ran > 30, "only {ran} corpus programs found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn expect(source: &str, stdout: &str, end: End) {
    let outcome = run(source);
    assert_eq!(
        (outcome.stdout.as_str(), &outcome.end),
        (stdout, &end),
        "program:\n{source}"
    );
}

#[test]
fn integer_overflow_panics_like_a_debug_build() {
    // ov_add.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var big = id(9223372036854775807);
    print_line("before");
    print_line("{}", big + 1);
}
"#,
        r#"before
"#,
        End::Panicked(r#"attempt to add with overflow"#.into()),
    );
    // ov_sub.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var small = id(-9223372036854775807 - 1);
    print_line("{}", small);
    let_mut_var x = small;
    x -= 1;
    print_line("{}", x);
}
"#,
        r#"-9223372036854775808
"#,
        End::Panicked(r#"attempt to subtract with overflow"#.into()),
    );
    // ov_mul.pt
    expect(
        r#"function main() {
    let_mut_var x = 3;
    for _i in range(0, 100) {
        x *= 3;
    }
    print_line("{}", x);
}
"#,
        r#""#,
        End::Panicked(r#"attempt to multiply with overflow"#.into()),
    );
    // ov_neg.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var small = id(-9223372036854775807 - 1);
    print_line("{}", -small);
}
"#,
        r#""#,
        End::Panicked(r#"attempt to negate with overflow"#.into()),
    );
    // ov_abs.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var small = id(-9223372036854775807 - 1);
    print_line("{}", small.abs());
}
"#,
        r#""#,
        End::Panicked(r#"attempt to negate with overflow"#.into()),
    );
    // ov_pow.pt
    expect(
        r#"function main() {
    let_var two = 2;
    print_line("{} {}", two.pow(62), (-2).pow(63));
    print_line("{}", two.pow(63));
}
"#,
        r#"4611686018427387904 -9223372036854775808
"#,
        End::Panicked(r#"attempt to multiply with overflow"#.into()),
    );
    // ov_pow_neg.pt
    expect(
        r#"function main() {
    let_var e = -1;
    print_line("{}", 2.pow(e));
}
"#,
        r#""#,
        End::Panicked(
            r#"the exponent of `pow` must be between 0 and 4294967295: TryFromIntError(())"#.into(),
        ),
    );
}

#[test]
fn division_truncates_and_panics_on_zero_and_overflow() {
    // div_zero.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var z = id(0);
    print_line("{} {} {} {}", -7 / 2, -7 % 2, 7 % -2, -7 / -2);
    print_line("{}", 5 / z);
}
"#,
        r#"-3 -1 1 3
"#,
        End::Panicked(r#"attempt to divide by zero"#.into()),
    );
    // rem_zero.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var z = id(0);
    print_line("{}", 5 % z);
}
"#,
        r#""#,
        End::Panicked(r#"attempt to calculate the remainder with a divisor of zero"#.into()),
    );
    // div_ov.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var small = id(-9223372036854775807 - 1);
    let_var m = id(-1);
    print_line("{:?}", small.checked_div(m));
    print_line("{}", small / m);
}
"#,
        r#"None
"#,
        End::Panicked(r#"attempt to divide with overflow"#.into()),
    );
    // rem_ov.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_var small = id(-9223372036854775807 - 1);
    let_var m = id(-1);
    print_line("{}", small % m);
}
"#,
        r#""#,
        End::Panicked(r#"attempt to calculate the remainder with overflow"#.into()),
    );
    // divassign.pt
    expect(
        r#"function id(n: i64) returns i64 {
    n
}

function main() {
    let_mut_var x = 100;
    x /= 7;
    x %= 5;
    let_mut_var f = 7.5;
    f /= 0.0;
    let_mut_var g = -7.5;
    g %= 2.0;
    print_line("{} {} {} {:?}", x, f, g, 0.0 / 0.0);
    let_var z = id(0);
    x /= z;
    print_line("{}", x);
}
"#,
        r#"4 inf -1.5 NaN
"#,
        End::Panicked(r#"attempt to divide by zero"#.into()),
    );
}

#[test]
fn floats_display_debug_and_round_like_rust() {
    // floats.pt
    expect(
        r#"function main() {
    let_var xs = list_of(1.0, 0.1, 1e300, 1e-7, -0.0, 2.5, -2.5, 123456789.125, 1e16, 1.5e15);
    for x in xs {
        print_line("{} {:?} {:.3} {:10.2} {:<10.1}| {} {} {}", x, x, x, x, x, x.round(), x.to_i64(), x.floor());
    }
}
"#,
        r#"1 1.0 1.000       1.00 1.0       | 1 1 1
0.1 0.1 0.100       0.10 0.1       | 0 0 0
1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 1e300 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.00 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.0| 1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 9223372036854775807 1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
0.0000001 1e-7 0.000       0.00 0.0       | 0 0 0
-0 -0.0 -0.000      -0.00 -0.0      | -0 0 -0
2.5 2.5 2.500       2.50 2.5       | 3 2 2
-2.5 -2.5 -2.500      -2.50 -2.5      | -3 -2 -3
123456789.125 123456789.125 123456789.125 123456789.12 123456789.1| 123456789 123456789 123456789
10000000000000000 1e16 10000000000000000.000 10000000000000000.00 10000000000000000.0| 10000000000000000 10000000000000000 10000000000000000
1500000000000000 1500000000000000.0 1500000000000000.000 1500000000000000.00 1500000000000000.0| 1500000000000000 1500000000000000 1500000000000000
"#,
        End::Finished,
    );
}

#[test]
fn format_specs_pad_align_and_truncate_like_rust() {
    // fmt_specs.pt
    expect(
        r#"function main() {
    let_var s = "héllo";
    let_var n = -42;
    let_var b = true;
    let_var x = 3.14159;
    print_line("[{:8}] [{:<8}] [{:>8}] [{:^8}] [{:08}] [{:.2}] [{:8.3}] [{:^9.1}]", s, s, s, s, s, s, s, s);
    print_line("[{:8}] [{:<8}] [{:>8}] [{:^8}] [{:08}] [{:.2}] [{:8.3}] [{:^9.1}] [{:<08}]", n, n, n, n, n, n, n, n, n);
    print_line("[{:8}] [{:<8}] [{:>8}] [{:^8}] [{:08}] [{:.2}] [{:8.3}] [{:^9.1}]", b, b, b, b, b, b, b, b);
    print_line("[{:8}] [{:<8}] [{:>8}] [{:^8}] [{:08}] [{:.2}] [{:8.3}] [{:^9.1}] [{:>010.3}] [{:0}] [{:1}]", x, x, x, x, x, x, x, x, x, x, x);
    print_line("{{}} {{{}}} }}{{", 1);
    print_line("{:?} {:?} {:?}", "quote\"tab\t\u{1F40D}nl\n\\ \0 \x7f é", 1.0e20, -0.0);
}
"#,
        r#"[héllo   ] [héllo   ] [   héllo] [ héllo  ] [héllo   ] [hé] [hél     ] [    h    ]
[     -42] [-42     ] [     -42] [  -42   ] [-0000042] [-42] [     -42] [   -42   ] [-0000042]
[true    ] [true    ] [    true] [  true  ] [true    ] [tr] [tru     ] [    t    ]
[ 3.14159] [3.14159 ] [ 3.14159] [3.14159 ] [03.14159] [3.14] [   3.142] [   3.1   ] [000003.142] [3.14159] [3.14159]
{} {1} }{
"quote\"tab\t🐍nl\n\\ \0 \u{7f} é" 1e20 -0.0
"#,
        End::Finished,
    );
}

#[test]
fn debug_and_pretty_debug_of_nested_values() {
    // colls.pt
    expect(
        r#"enum Shape {
    Circle(f64),
    Rect(f64, f64),
    Empty,
}

record Box {
    label: string,
    inner: option<Shape>,
    sizes: map<string, list<i64>>,
}

function nothing_inside() returns option<result<option<i64>, string>> {
    Some(Ok(None))
}

function main() {
    let_mut_var m: map<string, list<i64>> = map_of();
    m.insert("b", list_of(2));
    m.insert("a", list_of(1, 11));
    m.insert("c", list_of());
    let_var bx = Box { label: "x\"y", inner: Some(Shape::Rect(1.0, 2.5)), sizes: m };
    print_line("{:?}", bx);
    print_line("{:#?}", bx);
    let_var shapes = list_of(Shape::Circle(1.0), Shape::Empty, Shape::Rect(0.5, -0.0));
    print_line("{:?}", shapes);
    print_line("{:#?}", shapes);
    let_var nested = nothing_inside();
    let_var e: result<list<i64>, string> = Err("bad");
    print_line("{:?} {:#?} {:?}", nested, nested, e);
    let_mut_var im: map<i64, bool> = map_of();
    im.insert(-5, true);
    im.insert(3, false);
    im.insert(-20, false);
    print_line("{:?} {:#?} {:?} {:?}", im, im, im.keys(), im.values());
    let_mut_var bm: map<bool, string> = map_of();
    bm.insert(true, "t");
    bm.insert(false, "f");
    print_line("{:?} {:?} {:?} {}", bm, bm.get(true), bm.remove(false), bm.contains_key(false));
    let_var empty_list: list<i64> = list_of();
    let_var empty_map: map<i64, i64> = map_of();
    print_line("{:?} {:#?} {:?} {:#?}", empty_list, empty_list, empty_map, empty_map);
    print_line("{}", shapes == list_of(Shape::Circle(1.0), Shape::Empty, Shape::Rect(0.5, 0.0)));
    let_var nan = 0.0 / 0.0;
    let_var fl = list_of(nan);
    print_line("{} {} {}", fl == fl, nan == nan, fl.contains(nan));
}
"#,
        r#"Box { label: "x\"y", inner: Some(Rect(1.0, 2.5)), sizes: {"a": [1, 11], "b": [2], "c": []} }
Box {
    label: "x\"y",
    inner: Some(
        Rect(
            1.0,
            2.5,
        ),
    ),
    sizes: {
        "a": [
            1,
            11,
        ],
        "b": [
            2,
        ],
        "c": [],
    },
}
[Circle(1.0), Empty, Rect(0.5, -0.0)]
[
    Circle(
        1.0,
    ),
    Empty,
    Rect(
        0.5,
        -0.0,
    ),
]
Some(Ok(None)) Some(
    Ok(
        None,
    ),
) Err("bad")
{-20: false, -5: true, 3: false} {
    -20: false,
    -5: true,
    3: false,
} [-20, -5, 3] [false, true, false]
{false: "f", true: "t"} Some("t") Some("f") false
[] [] {} {}
true
false false false
"#,
        End::Finished,
    );
}

#[test]
fn list_methods_and_loops() {
    // lists.pt
    expect(
        r#"function main() {
    let_mut_var xs = list_of(5, 3, 9, 1, 3);
    xs.sort();
    print_line("{:?}", xs);
    xs.reverse();
    xs.insert(5, 0);
    xs.insert(0, 10);
    print_line("{:?} {} {:?}", xs, xs.remove(2), xs);
    print_line("{:?} {:?} {:?} {:?}", xs.pop(), xs.first(), xs.last(), xs.get(1));
    let_mut_var words = list_of("pear", "Apple", "apple", "Äpfel", "", "z");
    words.sort();
    print_line("{:?} {}", words, words.join("|"));
    let_mut_var flags = list_of(true, false, true);
    flags.sort();
    print_line("{:?} {} {}", flags, flags.contains(false), flags.is_empty());
    flags.clear();
    print_line("{:?} {:?} {:?} {:?}", flags.pop(), flags.first(), flags, flags.length());
    let_var neg = -1;
    print_line("{:?}", xs.get(neg));
    let_mut_var count = 0;
    for x in xs {
        if x == 3 {
            continue;
        }
        if x == 1 {
            break;
        }
        count += x;
    }
    print_line("{}", count);
    for i in range_inclusive(9223372036854775805, 9223372036854775807) {
        print("{} ", i);
    }
    for i in range(5, 2) {
        print("never {}", i);
    }
    print_line();
    let_mut_var k = 0;
    while true {
        k += 1;
        if k > 3 {
            break;
        }
    }
    print_line("{}", k);
}
"#,
        r#"[1, 3, 3, 5, 9]
[10, 9, 5, 3, 3, 1, 0] 5 [10, 9, 3, 3, 1, 0]
Some(0) Some(10) Some(1) Some(9)
["", "Apple", "apple", "pear", "z", "Äpfel"] |Apple|apple|pear|z|Äpfel
[false, true, true] true false
None None [] 0
None
19
9223372036854775805 9223372036854775806 9223372036854775807 
4
"#,
        End::Finished,
    );
}

#[test]
fn string_methods_are_rusts() {
    // strings.pt
    expect(
        r#"function main() {
    let_var s = "  Hello, Wörld ß\t\n";
    print_line("[{}] [{}] [{}] {} {}", s.trim(), s.to_upper(), s.to_lower(), s.length(), s.is_empty());
    print_line("{:?}", "a,,b,".split(","));
    print_line("{:?}", "".split(","));
    print_line("{:?}", "abc".split(""));
    print_line("{:?}", "a\nb\r\n\nc\n".lines());
    print_line("{:?}", "".lines());
    print_line("{:?}", "\n".lines());
    print_line("{} {} {}", "banana".replace("an", "AN"), "aaa".replace("", "-"), "abc".replace("x", "y"));
    print_line("{} {} {} {}", "hello".contains("ll"), "hello".starts_with("he"), "hello".ends_with(""), "hello".contains(""));
    print_line("{} {} {}", "B" < "a", "apple" < "apples", "é" > "z");
    print_line("{} {} {} {}", 1.5.to_string(), 10.to_string(), true.to_string(), "x".to_string());
    print_line("{:?} {:?} {:?} {:?}", " 12".parse_int(), "12 ".parse_int(), "-".parse_int(), "9223372036854775808".parse_int());
    print_line("{:?} {:?} {:?} {:?} {:?} {:?}", "inf".parse_float(), "NaN".parse_float(), ".5".parse_float(), "-1e3".parse_float(), "1.".parse_float(), "".parse_float());
    let_var word = "héllo";
    print_line("{} {:.2} {:>7.4}|", word.length(), word, word);
}
"#,
        r#"[Hello, Wörld ß] [  HELLO, WÖRLD SS	
] [  hello, wörld ß	
] 20 false
["a", "", "b", ""]
[""]
["", "a", "b", "c", ""]
["a", "b", "", "c"]
[]
[""]
bANANa -a-a-a- abc
true true true true
true true true
1.5 10 true x
Err("invalid digit found in string") Err("invalid digit found in string") Err("invalid digit found in string") Err("number too large to fit in target type")
Ok(inf) Ok(NaN) Ok(0.5) Ok(-1000.0) Ok(1.0) Err("cannot parse float from empty string")
6 hé    héll|
"#,
        End::Finished,
    );
}

#[test]
fn mutable_parameters_change_elements_and_fields_in_place() {
    // mut_places.pt
    expect(
        r#"record Point {
    x: i64,
    tags: list<string>,
}

record Shape {
    name: string,
    points: list<Point>,
}

methods Point {
    function shift(mutable self, by: i64) {
        self.x += by;
        self.tags.push(format("shift{}", by));
    }

    function moved(owned self, by: i64) returns Point {
        self.x = self.x + by;
        self
    }

    function sum(self) returns i64 {
        self.x * 10
    }
}

function grow(mutable xs: list<i64>, n: i64) {
    xs.push(n);
    if n > 0 {
        grow(xs, n - 1);
    }
}

function tag(mutable p: Point, t: string) {
    p.tags.push(t);
    p.shift(1);
}

function tag_all(mutable s: Shape) {
    for i in range(0, s.points.length()) {
        tag(s.points[i], format("p{}", i));
    }
    s.name = format("{}!", s.name);
}

function rename(mutable name: string) {
    name = format("<{}>", name);
}

function take(owned xs: list<i64>) returns i64 {
    xs.push(100);
    xs.length()
}

function main() {
    let_mut_var xs: list<i64> = list_of();
    grow(xs, 3);
    print_line("{:?}", xs);
    let_mut_var shape = Shape { name: "tri", points: list_of(Point { x: 1, tags: list_of() }, Point { x: 2, tags: list_of("a") }) };
    let_var before = shape.clone();
    tag_all(shape);
    rename(shape.name);
    rename(shape.points[1].tags[0]);
    shape.points[0].shift(5);
    print_line("{:?}", shape);
    print_line("{:?}", before);
    let_var p = shape.points[0].clone().moved(7);
    print_line("{:?} {} {}", p, p.sum(), shape.points[0].x);
    let_mut_var ys = list_of(1, 2);
    let_var copy = ys;
    ys.push(3);
    print_line("{} {:?} {:?}", take(ys), ys, copy);
    let_mut_var grid = list_of(list_of(1, 2), list_of(3));
    let_var row = grid[0];
    grid[0][1] = 20;
    grid[1].push(4);
    grow(grid[1], 1);
    print_line("{:?} {:?}", grid, row);
    print_line("{:#?}", shape);
}
"#,
        r#"[3, 2, 1, 0]
Shape { name: "<tri!>", points: [Point { x: 7, tags: ["p0", "shift1", "shift5"] }, Point { x: 3, tags: ["<a>", "p1", "shift1"] }] }
Shape { name: "tri", points: [Point { x: 1, tags: [] }, Point { x: 2, tags: ["a"] }] }
Point { x: 14, tags: ["p0", "shift1", "shift5"] } 140 7
4 [1, 2, 3] [1, 2]
[[1, 20], [3, 4, 1, 0]] [1, 2]
Shape {
    name: "<tri!>",
    points: [
        Point {
            x: 7,
            tags: [
                "p0",
                "shift1",
                "shift5",
            ],
        },
        Point {
            x: 3,
            tags: [
                "<a>",
                "p1",
                "shift1",
            ],
        },
    ],
}
"#,
        End::Finished,
    );
}

#[test]
fn propagate_returns_err_and_none_early() {
    // propagate.pt
    expect(
        r#"function half(n: i64) returns result<i64, string> {
    if n % 2 == 0 {
        Ok(n / 2)
    } else {
        Err(format("{} is odd", n))
    }
}

function quarter(n: i64) returns result<i64, string> {
    let_var h = propagate half(n);
    print_line("half of {} is {}", n, h);
    let_var q = propagate half(h);
    Ok(q)
}

function first_even(xs: list<i64>) returns option<i64> {
    let_var first = propagate xs.first();
    if first % 2 == 0 {
        return Some(first);
    }
    let_var last = propagate xs.last();
    Some(last * 2)
}

function parse_sum(text: string) returns result<i64, string> {
    let_mut_var total = 0;
    for part in text.split(",") {
        total += propagate part.trim().parse_int();
    }
    Ok(total)
}

function main() {
    print_line("{:?} {:?} {:?}", quarter(8), quarter(6), quarter(5));
    let_var empty: list<i64> = list_of();
    print_line("{:?} {:?} {:?}", first_even(list_of(4, 5)), first_even(list_of(3, 5)), first_even(empty));
    print_line("{:?} {:?} {:?}", parse_sum("1, 2,3"), parse_sum("1,,2"), parse_sum("99999999999999999999"));
    print_line("{:?} {:?}", "1e3".parse_float(), "x".parse_float());
    print_line("{:?} {:?} {:?}", "+5".parse_int(), "-0".parse_int(), "1_000".parse_int());
}
"#,
        r#"half of 8 is 4
half of 6 is 3
Ok(2) Err("3 is odd") Err("5 is odd")
Some(4) Some(10) None
Ok(6) Err("cannot parse integer from empty string") Err("number too large to fit in target type")
Ok(1000.0) Err("invalid float literal")
Ok(5) Ok(0) Err("invalid digit found in string")
"#,
        End::Finished,
    );
}

#[test]
fn with_lock_across_spawned_threads() {
    // threads.pt
    expect(
        r#"record Stats {
    count: i64,
    names: list<string>,
}

function bump(mutable s: Stats, name: string) {
    s.count += 1;
    s.names.push(name);
}

function main() {
    let_mut_shared_var stats = Stats { count: 0, names: list_of() };
    let_shared_var prefix = "w";
    let_mut_var handles: list<thread<i64>> = list_of();
    for i in range(0, 4) {
        handles.push(spawn_thread {
            let_var n = with_lock stats as s {
                bump(s, format("{}{}", prefix, i));
                s.count
            };
            n * 100 + i
        });
    }
    let_mut_var total = 0;
    for h in handles {
        total += h.join();
    }
    let_var snapshot = with_lock stats as s {
        s.names.sort();
        s.clone()
    };
    print_line("{} {:?}", total, snapshot);
    let_mut_shared_var m: map<string, i64> = map_of();
    let_var t = spawn_thread {
        with_lock m as g {
            g.insert("a", 1);
            g.insert("b", 2);
        }
    };
    t.join();
    let_var keys = with_lock m as g {
        g.keys()
    };
    print_line("{:?}", keys);
    let_var bad = spawn_thread {
        with_lock m as g {
            g.insert("c", 3);
            if g.length() > 2 {
                panic("too many: {}", g.length());
            }
        }
        5
    };
    print_line("spawned");
    let_var r = bad.join();
    print_line("unreachable {}", r);
}
"#,
        r#"1006 Stats { count: 4, names: ["w0", "w1", "w2", "w3"] }
["a", "b"]
spawned
"#,
        End::Panicked(r#"the thread panicked: Any { .. }"#.into()),
    );
}

#[test]
fn methods_cow_shadowing_matches_and_locks() {
    // misc.pt
    expect(
        r#"enum Light {
    Red,
    Amber(i64),
    Green(string, bool),
}

methods Light {
    function next(mutable self) {
        self = match self {
            Light::Red => Light::Amber(1),
            Light::Amber(n) => {
                if n > 1 {
                    Light::Green("go", true)
                } else {
                    Light::Amber(n + 1)
                }
            }
            Light::Green(_, _) => Light::Red,
        };
    }

    function name(self) returns string {
        match self {
            Light::Red => "red",
            Light::Amber(_) => "amber",
            Light::Green(text, true) => format("green {}", text),
            Light::Green(_, false) => "dim",
        }
    }
}

function fill(mutable xs: list<i64>, n: i64) returns i64 {
    xs.push(n);
    xs.length()
}

function locked_sum(limit: i64) returns i64 {
    let_mut_shared_var acc = 0;
    for i in range(0, 10) {
        let_var done = with_lock acc as a {
            a += i;
            if a > limit {
                return a * 1000;
            }
            false
        };
        if done {
            return -1;
        }
    }
    with_lock acc as a {
        a
    }
}

function main() {
    let_mut_var light = Light::Red;
    for _i in range(0, 5) {
        print("{} ", light.name());
        light.next();
    }
    print_line("{:?}", light);
    let_mut_var lights = list_of(Light::Red, Light::Amber(2));
    lights[1].next();
    lights[0].next();
    print_line("{:?}", lights);
    let_var original = list_of(3, 1, 2);
    let_cow_var sorted = original;
    sorted.sort();
    sorted.push(9);
    print_line("{:?} {:?}", sorted, original);
    let_mut_var xs = list_of(1);
    let_var n = fill(xs, 5) * 10 + fill(xs, 6);
    print_line("{} {:?}", n, xs);
    xs[0] += 10;
    xs[1] *= -3;
    xs[2] = xs[0] - xs[1];
    print_line("{:?}", xs);
    let_var x = 1;
    let_var x = x + 1;
    let_var y = {
        let_var x = x * 10;
        x + 1
    };
    print_line("{} {}", x, y);
    print_line("{} {}", locked_sum(100), locked_sum(20));
    let_var word = "b";
    let_var v = match word {
        "a" => 1,
        "b" => 2,
        _ => 3,
    };
    let_var w = match v {
        1 => "one",
        -2 => "minus two",
        other => if other > 1 { "big" } else { "small" },
    };
    print_line("{} {}", v, w);
    let_mut_var threads: list<thread<string>> = list_of();
    for i in range(0, 3) {
        threads.push(spawn_thread {
            format("t{}", i)
        });
    }
    for t in threads {
        print("{} ", t.join());
    }
    print_line();
}
"#,
        r#"red amber amber green go red Amber(1)
[Amber(1), Green("go", true)]
[1, 2, 3, 9] [3, 1, 2]
23 [1, 5, 6]
[11, -15, 26]
2 21
45 21000
2 big
t0 t1 t2 
"#,
        End::Finished,
    );
}

#[test]
fn assignment_evaluates_the_value_before_the_place() {
    // order.pt
    expect(
        r#"function at(label: string, n: i64) returns i64 {
    print("{} ", label);
    n
}

record Pair {
    left: i64,
    right: list<i64>,
}

function main() {
    let_mut_var xs = list_of(0, 0, 0);
    xs[at("index", 1)] = at("value", 5);
    xs[at("index", 2)] += at("value", 7);
    let_var p = Pair { right: list_of(at("right", 1)), left: at("left", 2) };
    print_line("| {:?} {:?} {}", xs, p, at("a", 1) + at("b", 2) * at("c", 3));
    let_var big = at("x", 1) > at("y", 2) || at("z", 3) == 3;
    let_var small = at("x", 1) > at("y", 2) && at("z", 3) == 3;
    print_line("| {} {}", big, small);
    xs.insert(at("where", 0), at("what", 9));
    print_line("| {:?}", xs);
    xs[at("index", 5)] = at("value", 1);
}
"#,
        r#"value index value index right left a b c | [0, 5, 7] Pair { left: 2, right: [1] } 7
x y z x y | true false
where what | [9, 0, 5, 7]
value index "#,
        End::Panicked(r#"index out of bounds: the len is 4 but the index is 5"#.into()),
    );
}

/// A program whose `main` prints "partial " and then runs `statement`.
fn after_partial(statement: &str) -> String {
    format!(
        r#"public function id(n: i64) returns i64 {{
    n
}}

function main() {{
    let_mut_var xs = list_of(1, 2, 3);
    xs.reverse();
    xs.reverse();
    let_var e: result<i64, string> = Err("no");
    let_var o: option<i64> = None;
    print("partial ");
    {statement}
    print_line("{{:?}} {{:?}} {{:?}}", xs, e, o);
}}
"#
    )
}

#[test]
fn runtime_panics_carry_rusts_messages() {
    let cases = [
        (
            r#"print_line("{}", xs[id(3)]);"#,
            "index out of bounds: the len is 3 but the index is 3",
        ),
        (
            r#"print_line("{}", xs[id(-1)]);"#,
            "index out of bounds: the len is 3 but the index is 18446744073709551615",
        ),
        (
            "xs[id(7)] = 1;",
            "index out of bounds: the len is 3 but the index is 7",
        ),
        (
            "xs.insert(id(4), 1);",
            "insertion index (is 4) should be <= len (is 3)",
        ),
        (
            "xs.insert(id(-2), 1);",
            "insertion index (is 18446744073709551614) should be <= len (is 3)",
        ),
        (
            r#"print_line("{}", xs.remove(id(3)));"#,
            "removal index (is 3) should be < len (is 3)",
        ),
        (
            r#"print_line("{}", o.unwrap());"#,
            "called `Option::unwrap()` on a `None` value",
        ),
        (
            r#"print_line("{}", e.unwrap());"#,
            r#"called `Result::unwrap()` on an `Err` value: "no""#,
        ),
        (
            r#"print_line("{}", o.expect("needed a value"));"#,
            "needed a value",
        ),
        (
            r#"print_line("{}", e.expect("needed ok"));"#,
            r#"needed ok: "no""#,
        ),
        // rustc adds the condition's Rust source; the evaluator has no source.
        ("assert(xs.length() > id(5));", "assertion failed"),
        (
            "assert_equal(xs, list_of(1, 2));",
            "assertion `left == right` failed\n  left: [1, 2, 3]\n right: [1, 2]",
        ),
        (
            r#"if id(1) > 0 { panic("custom {} {:?}", 1, "two"); }"#,
            r#"custom 1 "two""#,
        ),
        (
            r#"print_line("{}", 2.pow(id(4294967296)));"#,
            "the exponent of `pow` must be between 0 and 4294967295: TryFromIntError(())",
        ),
    ];
    for (statement, message) in cases {
        let (stdout, got) = panicked(&after_partial(statement));
        assert_eq!((stdout.as_str(), got.as_str()), ("partial ", message));
    }
}

#[test]
fn recursion_ten_thousand_deep_runs_and_deeper_is_unsupported() {
    let program = |n: i64| {
        format!(
            r#"function depth(n: i64) returns i64 {{
    if n == 0 {{
        0
    }} else {{
        let_var r = match n % 3 {{
            0 => {{ 1 + depth(n - 1) }}
            _ => {{ if n > 0 {{ depth(n - 1) + 1 }} else {{ 0 }} }}
        }};
        r
    }}
}}

function main() {{
    print_line("{{}}", depth({n}));
}}
"#
        )
    };
    assert_eq!(stdout(&program(9990)), "9990\n");
    assert_eq!(
        run(&program(100_000)).end,
        End::Unsupported("recursion too deep".into())
    );
}

#[test]
fn a_loop_without_end_runs_out_of_fuel() {
    let source = in_main(
        "    let_mut_var n = 0;
    print_line(\"start\");
    loop {
        n += 1;
        if n < 0 {
            break;
        }
    }
    print_line(\"{}\", n);",
    );
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("main.pt", source));
    let outcome = run_main(&check(&sources), 10_000);
    assert_eq!(outcome.stdout, "start\n");
    assert_eq!(outcome.end, End::OutOfFuel);
}

/// The Rust functions the generator declares run as the real ones do;
/// any other is beyond what the evaluator can judge.
#[test]
fn known_rust_functions_run_and_others_are_unsupported() {
    expect(
        r#"rust_function larger(a: i64, b: i64) returns i64 = std::cmp::max;
rust_function shout(text: string) returns string = str::to_uppercase;
rust_function wrap(a: i64, b: i64) returns i64 = i64::wrapping_mul;
rust_function modulo(a: i64, b: i64) returns i64 = i64::rem_euclid;

function main() {
    print_line("{} {} {}", larger(1, 2), shout("straße"), wrap(9223372036854775807, 2));
    print_line("{}", modulo(-7, 3));
    print_line("{}", modulo(1, 0));
}
"#,
        "2 STRASSE -2\n2\n",
        End::Panicked("attempt to calculate the remainder with a divisor of zero".into()),
    );
    let outcome = run(
        r#"rust_function seconds(ms: i64) returns i64 = std::time::Duration::from_millis;

function main() {
    print_line("before");
    print_line("{}", seconds(1));
}
"#,
    );
    assert_eq!(outcome.stdout, "before\n");
    assert!(matches!(outcome.end, End::Unsupported(what) if what.contains("from_millis")));
}

/// Threads run to their end when spawned, so a panic inside `with_lock`
/// poisons the lock before `main` takes it (in the compiled program this
/// depends on scheduling, which generated programs avoid).
#[test]
fn a_panic_inside_with_lock_poisons_the_lock() {
    let (stdout, message) = panicked(&in_main(
        r#"    let_mut_shared_var m = 0;
    let_var bad = spawn_thread {
        with_lock m as g {
            g += 1;
            if g > 0 {
                panic("inside");
            }
        }
    };
    print_line("spawned");
    let_var v = with_lock m as g {
        g
    };
    print_line("{}", v);
    bad.join();"#,
    ));
    assert_eq!(stdout, "spawned\n");
    assert_eq!(
        message,
        "a thread panicked while holding this lock: PoisonError { .. }"
    );
}

#[test]
fn print_error_line_writes_to_stderr() {
    let outcome = run(&in_main(
        r#"    print_error_line("oops {}", 1);
    print_line("fine");"#,
    ));
    assert_eq!(
        (outcome.stdout.as_str(), outcome.stderr.as_str()),
        ("fine\n", "oops 1\n")
    );
}

/// A thread's numbers are copies (a `move` closure's): changing one inside
/// the thread leaves the spawning function's variable alone.
#[test]
fn a_thread_changes_its_own_copies_of_numbers() {
    expect(
        r#"function main() {
    let_mut_var x = 1;
    x += 1;
    let_var t = spawn_thread {
        x += 10;
        x
    };
    print_line("{} {}", t.join(), x);
}
"#,
        "12 2\n",
        End::Finished,
    );
}

/// The compiled program would run out of memory; the evaluator stops.
#[test]
fn a_string_doubled_without_end_is_unsupported() {
    let outcome = run(&in_main(
        r#"    let_mut_var text = "ab";
    for _i in range(0, 64) {
        text = format("{}{}", text, text);
    }
    print_line("{}", text.length());"#,
    ));
    assert!(
        matches!(&outcome.end, End::Unsupported(what) if what.contains("bytes")),
        "{:?}",
        outcome.end
    );
}
