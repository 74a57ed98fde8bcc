//! A generated Parseltongue program of any size, for the front-end and
//! toolchain benchmarks: the same varied code repeated under fresh names.

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

/// A program of at least `min_lines` lines (blocks of varied code and a
/// `main`), and its exact line count.
pub fn program(min_lines: usize) -> (String, usize) {
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
