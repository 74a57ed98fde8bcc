//! Name pools. Besides ordinary names, programs use names that Rust's
//! prelude, `std` and the lowering itself use (`String`, `Vec`, `Arc`,
//! `std`, `item`, `error`…): legal in Parseltongue, so the generated Rust
//! must never let them clash with what it writes.

/// Record and enum names.
pub const TYPES: &[&str] = &[
    "Point", "Item", "Entry", "Shape", "Node", "Event", "String", "Vec", "Arc", "Mutex", "Cow",
    "Box", "BTreeMap", "HashMap", "Rc", "Option", "Result", "Ordering", "Default", "Clone",
    "Debug", "Display", "Iterator", "From", "Into", "Drop", "Send", "Sync", "Copy",
];

/// Variant names.
pub const VARIANTS: &[&str] = &[
    "Empty", "Leaf", "Pair", "Circle", "Square", "Start", "Stop", "Value", "String", "Vec", "Some",
    "None", "Ok", "Err", "Less", "Greater", "Equal", "Default", "Box",
];

/// Field names.
pub const FIELDS: &[&str] = &[
    "name",
    "count",
    "value",
    "items",
    "next",
    "total",
    "label",
    "len",
    "clone",
    "iter",
    "std",
    "core",
    "alloc",
    "str",
    "vec",
    "to_owned",
    "into_owned",
    "as_str",
    "data",
    "key",
];

/// Module names (a module named like a crate must not hide it).
pub const MODULES: &[&str] = &["helpers", "geometry", "text", "std", "core", "alloc"];

/// Function names.
pub const FUNCTIONS: &[&str] = &[
    "compute",
    "update",
    "describe",
    "fold",
    "step",
    "std",
    "core",
    "alloc",
    "drop",
    "min",
    "max",
    "len",
    "clone",
    "from",
    "into",
    "to_string",
    "vec",
    "println",
    "unwrap",
    "expect",
    "iter",
    "collect",
    "contains",
    "sort",
    "get",
];

/// Variable names.
pub const VARIABLES: &[&str] = &[
    "count", "items", "total", "text", "flag", "entry", "std", "core", "alloc", "item", "error",
    "str", "vec", "string", "result", "value", "len", "clone", "some", "none", "ok", "err", "arc",
    "mutex", "cow", "guard", "lock", "thread", "spawn", "join", "mem", "ptr", "box_", "i", "x",
];

/// Words for string literals and format templates (some need escaping).
pub const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "",
    " ",
    "a,b",
    "a,,b,",
    "x=1",
    "line\\nbreak",
    "tab\\there",
    "quote\\\"d",
    "back\\\\slash",
    "{braces}",
    "}{",
    "héllo",
    "🐍",
    "\\u{1F40D}",
    "UPPER",
    "MiXeD",
    "  padded  ",
    "1",
    "-7",
    "42",
    "3.5",
    "abc",
    "a b c",
];
