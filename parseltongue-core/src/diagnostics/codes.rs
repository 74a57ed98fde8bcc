//! The registry of diagnostic codes. Codes are stable: once published, a
//! code keeps its meaning, and a retired code is never reused.
//!
//! Every code has a long explanation in `explanations/PTxxxx.md` with a
//! wrong and a fixed example; the test suite compiles both.

use std::fmt;

/// A stable diagnostic code such as `PT0301`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(pub u16);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PT{:04}", self.0)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What the registry knows about one code.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// A one-line summary.
    pub title: &'static str,
    /// The long explanation (Markdown), as `plc explain` prints it.
    pub explanation: &'static str,
}

/// Declares a registry of diagnostic codes: a constant per code and
/// `ALL`, every code with its title and its explanation, read from
/// `DIR/PTxxxx.md` (`DIR` relative to the file that invokes the macro).
/// The core's codes are declared with it, and so are each extension's.
#[macro_export]
macro_rules! diagnostic_codes {
    ($dir:literal; $($name:ident = $num:literal, $file:literal, $title:literal;)*) => {
        $(
            #[doc = $title]
            pub const $name: $crate::diagnostics::codes::Code = $crate::diagnostics::codes::Code($num);
        )*
        /// Every code, in numeric order.
        pub static ALL: &[$crate::diagnostics::codes::CodeInfo] = &[
            $($crate::diagnostics::codes::CodeInfo {
                code: $crate::diagnostics::codes::Code($num),
                title: $title,
                explanation: include_str!(concat!($dir, "/", $file, ".md")),
            },)*
        ];
    };
}

crate::diagnostic_codes! {
    "../../explanations";
    UNKNOWN_CHARACTER = 1, "PT0001", "a character that is not part of any token";
    UNTERMINATED = 2, "PT0002", "a string literal or block comment that never ends";
    UNBALANCED_DELIMITER = 3, "PT0003", "an opening or closing delimiter without its partner";
    SYNTAX = 4, "PT0004", "tokens that do not form a valid construct here";
    NESTING_TOO_DEEP = 5, "PT0005", "code nested deeper than the compiler accepts";
    INVALID_LITERAL = 6, "PT0006", "a literal that is out of range, malformed or has a suffix";
    RUST_SPELLING = 7, "PT0007", "a Rust spelling where Parseltongue uses a keyword";
    AMBIGUOUS_OPERATORS = 8, "PT0008", "operators mixed without the parentheses that make the order explicit";
    UNKNOWN_NAME = 101, "PT0101", "a name that is not defined in scope";
    UNKNOWN_TYPE = 102, "PT0102", "a type name that is not defined";
    DUPLICATE_DEFINITION = 103, "PT0103", "a name defined twice in the same scope";
    UNKNOWN_FIELD = 104, "PT0104", "a record field that does not exist";
    UNKNOWN_METHOD = 105, "PT0105", "a method that does not exist for the receiver's type";
    UNKNOWN_MODULE = 106, "PT0106", "a module that is not part of the program";
    UNKNOWN_VARIANT = 107, "PT0107", "an enum variant that does not exist";
    PRIVATE_ITEM = 108, "PT0108", "an item used from another module without `public`";
    UNKNOWN_BLOCK = 109, "PT0109", "a block of a kind that no part of the language provides";
    UNKNOWN_PARTITION = 110, "PT0110", "a partition that the plan does not declare";
    MISMATCHED_TYPES = 201, "PT0201", "an expression whose type is not the one expected";
    WRONG_ARGUMENT_COUNT = 202, "PT0202", "a call with too many or too few arguments";
    TYPE_ANNOTATION_NEEDED = 203, "PT0203", "a value whose type cannot be inferred";
    INVALID_OPERATOR = 204, "PT0204", "an operator applied to types it is not defined for";
    INVALID_FORMAT = 205, "PT0205", "a format string that does not match its arguments";
    INVALID_PROPAGATE = 206, "PT0206", "`propagate` where the error cannot be returned";
    RECORD_FIELDS = 207, "PT0207", "a record literal with missing, repeated or unknown fields";
    NOT_DISPLAYABLE = 208, "PT0208", "a value formatted with `{}` that has no display form";
    INVALID_MAP_KEY = 209, "PT0209", "a map key type that is not `i64`, `string` or `bool`";
    NOT_A_VALUE = 210, "PT0210", "a name used in a way its kind does not allow";
    OUTSIDE_LOOP = 211, "PT0211", "`break`, `continue` or `return` where it cannot leave";
    INVALID_SELF = 212, "PT0212", "`self` outside a method";
    MISSING_RETURN = 213, "PT0213", "a function that can end without returning its value";
    FUNCTION_ARGUMENT = 214, "PT0214", "a function given by name that does not fit the method taking it";
    PARTITION_POLICY = 215, "PT0215", "work sent to a partition whose policy does not run that kind of work";
    EMPTY_PARTITION = 216, "PT0216", "a partition that names no cores";
    INVALID_PARTITION_PLAN = 217, "PT0217", "a partition plan with a setting that is unknown, repeated, out of range or in conflict";
    ASSIGN_IMMUTABLE = 301, "PT0301", "assignment to or mutation of a `let_var` binding";
    MUTATE_READ_ONLY_PARAMETER = 302, "PT0302", "mutation of a parameter that is not `mutable`";
    LOCK_REQUIRED = 303, "PT0303", "a `let_mut_shared_var` used outside `with_lock`";
    MUTATE_SHARED = 304, "PT0304", "mutation of a `let_shared_var` binding";
    THREAD_CAPTURE = 305, "PT0305", "a thread that captures a value it cannot own";
    NOT_MUTABLE_ARGUMENT = 306, "PT0306", "a change to something that is not a variable, field or element";
    CONSUMED_BORROW = 307, "PT0307", "a value consumed where it is only borrowed";
    CHANGED_WHILE_BORROWED = 308, "PT0308", "a value changed while a `let_cow_var` still borrows it";
    MUTABLE_TWICE = 309, "PT0309", "one value passed to two `mutable` parameters of one call";
    MAP_IN_USE = 310, "PT0310", "a map used inside the `with_entry` that updates it";
    NON_EXHAUSTIVE_MATCH = 401, "PT0401", "a `match` that does not cover every value";
    UNREACHABLE_ARM = 402, "PT0402", "a `match` arm that can never be reached";
    PATTERN_MISMATCH = 403, "PT0403", "a pattern that does not fit the matched type";
    UNUSED_BINDING = 501, "PT0501", "a binding that is never read";
    UNNEEDED_MUT = 502, "PT0502", "a `let_mut_var` that is never mutated";
    UNUSED_ITEM = 503, "PT0503", "a private function, constant or import that is never used";
    UNREACHABLE_CODE = 504, "PT0504", "a statement that can never run";
    DEAD_STORE = 505, "PT0505", "a value stored in a variable that is never read";
}

/// Looks up a code by its spelling (`PT0301`, `pt0301` or `0301`).
pub fn lookup(spelling: &str) -> Option<&'static CodeInfo> {
    let digits = spelling
        .trim()
        .trim_start_matches(['P', 'p'])
        .trim_start_matches(['T', 't']);
    let number: u16 = digits.parse().ok()?;
    ALL.iter().find(|info| info.code.0 == number)
}
