//! Tokens. Every token is a Rust token (an identifier, a literal, one
//! punctuation character with its spacing, or a delimiter), so the same
//! stream can come from a `.pt` file or from a `parseltongue!{}` invocation.

use std::fmt;

/// Whether a punctuation character is immediately followed by another one,
/// as in `proc_macro::Spacing`; multi-character operators such as `->` or
/// `==` are sequences of joint characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Spacing {
    /// Followed by another punctuation character.
    Joint,
    /// Followed by anything else.
    Alone,
}

/// The three delimiter pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delimiter {
    /// `( … )`
    Paren,
    /// `[ … ]`
    Bracket,
    /// `{ … }`
    Brace,
}

impl Delimiter {
    /// The opening character.
    pub fn open(self) -> char {
        match self {
            Delimiter::Paren => '(',
            Delimiter::Bracket => '[',
            Delimiter::Brace => '{',
        }
    }

    /// The closing character.
    pub fn close(self) -> char {
        match self {
            Delimiter::Paren => ')',
            Delimiter::Bracket => ']',
            Delimiter::Brace => '}',
        }
    }
}

macro_rules! keywords {
    ($($variant:ident = $text:literal,)*) => {
        /// The words Parseltongue reserves. Each is also a valid Rust identifier
        /// or keyword, so the token stream stays a Rust token stream.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Keyword { $(#[doc = concat!("`", $text, "`")] $variant,)* }

        impl Keyword {
            /// Every keyword, in declaration order.
            pub const ALL: &'static [Keyword] = &[$(Keyword::$variant,)*];

            /// The keyword's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(Keyword::$variant => $text,)* }
            }

            /// The keyword spelled `text`, if it is one.
            pub fn from_spelling(text: &str) -> Option<Keyword> {
                match text { $($text => Some(Keyword::$variant),)* _ => None }
            }
        }
    };
}

keywords! {
    Function = "function",
    Returns = "returns",
    Record = "record",
    Enum = "enum",
    Constant = "constant",
    Methods = "methods",
    Public = "public",
    UseModule = "use_module",
    RustFunction = "rust_function",
    RustType = "rust_type",
    Test = "test",
    LetVar = "let_var",
    LetMutVar = "let_mut_var",
    LetCowVar = "let_cow_var",
    LetSharedVar = "let_shared_var",
    LetMutSharedVar = "let_mut_shared_var",
    If = "if",
    Else = "else",
    Match = "match",
    For = "for",
    In = "in",
    While = "while",
    Loop = "loop",
    Break = "break",
    Continue = "continue",
    Return = "return",
    WithLock = "with_lock",
    WithEntry = "with_entry",
    As = "as",
    SpawnThread = "spawn_thread",
    SpawnOn = "spawn_on",
    Propagate = "propagate",
    True = "true",
    False = "false",
    SelfValue = "self",
    Mutable = "mutable",
    Owned = "owned",
    PrintLine = "print_line",
    Print = "print",
    PrintErrorLine = "print_error_line",
    Format = "format",
    ListOf = "list_of",
    ListOfCopies = "list_of_copies",
    MapOf = "map_of",
    Range = "range",
    RangeInclusive = "range_inclusive",
    Panic = "panic",
    Assert = "assert",
    AssertEqual = "assert_equal",
    RunEveryCycle = "run_every_cycle",
    MailboxOn = "mailbox_on",
    PartitionMetrics = "partition_metrics",
}

impl Keyword {
    /// True for the keywords that begin an item (after its doc comment):
    /// where recovery resumes, and where a file may be split for threads.
    pub fn starts_item(self) -> bool {
        matches!(
            self,
            Keyword::Function
                | Keyword::Record
                | Keyword::Enum
                | Keyword::Constant
                | Keyword::Methods
                | Keyword::Public
                | Keyword::UseModule
                | Keyword::RustFunction
                | Keyword::RustType
                | Keyword::Test
        )
    }
}

/// Rust keywords that Parseltongue does not use. They cannot name anything
/// (the generated Rust could not use them), and several are common Rust
/// habits that get a targeted diagnostic.
pub const RUST_ONLY_KEYWORDS: &[&str] = &[
    "abstract", "async", "await", "become", "box", "const", "crate", "do", "dyn", "extern",
    "final", "fn", "gen", "impl", "let", "macro", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "Self", "static", "struct", "super", "trait", "try", "type", "typeof", "union",
    "unsafe", "unsized", "use", "virtual", "where", "yield",
];

/// What a token is. The token's text is found through its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An identifier that is not a keyword.
    Ident,
    /// A Parseltongue keyword.
    Keyword(Keyword),
    /// A Rust keyword that Parseltongue does not use.
    RustKeyword,
    /// An integer literal such as `42`.
    Int,
    /// A float literal such as `4.2` or `1e9`.
    Float,
    /// A string literal, plain or raw.
    Str,
    /// A character literal such as `'a'`.
    Char,
    /// A lifetime such as `'a`.
    Lifetime,
    /// One punctuation character.
    Punct(char, Spacing),
    /// An opening delimiter.
    Open(Delimiter),
    /// A closing delimiter.
    Close(Delimiter),
    /// A `///` doc comment.
    DocComment,
    /// Text the lexer could not read; already reported.
    Error,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::Ident => f.write_str("identifier"),
            TokenKind::Keyword(k) => write!(f, "`{}`", k.as_str()),
            TokenKind::RustKeyword => f.write_str("Rust keyword"),
            TokenKind::Int => f.write_str("integer"),
            TokenKind::Float => f.write_str("float"),
            TokenKind::Str => f.write_str("string"),
            TokenKind::Char => f.write_str("character literal"),
            TokenKind::Lifetime => f.write_str("lifetime"),
            TokenKind::Punct(c, _) => write!(f, "`{c}`"),
            TokenKind::Open(d) => write!(f, "`{}`", d.open()),
            TokenKind::Close(d) => write!(f, "`{}`", d.close()),
            TokenKind::DocComment => f.write_str("doc comment"),
            TokenKind::Error => f.write_str("invalid token"),
        }
    }
}

/// A comment kept for the formatter (comments are not tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Byte range of the whole comment.
    pub start: u32,
    /// One past its last byte.
    pub end: u32,
}

/// One token and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}
