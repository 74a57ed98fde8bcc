//! The parser: tokens to a syntax tree, with chumsky. It recovers from
//! errors at statement, item and delimiter boundaries, so several
//! independent syntax errors are reported in one run and the rest of the
//! file still reaches the checker.

use super::ast::*;
use super::lexer::unescape_string;
use super::token::{Delimiter, Keyword, Spacing, Token, TokenKind};
use crate::diagnostics::{codes, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use chumsky::prelude::*;

type In<'a> = &'a [TokenKind];
type Ex<E> = extra::Err<E>;

/// What the grammar needs of an error type. The parser runs first with
/// [`EmptyErr`](chumsky::error::EmptyErr), which costs nothing to build;
/// only when that pass finds a problem does it run again with `Rich`
/// errors to describe each one. Syntax errors are rare in large files, so
/// the fast pass is the common one.
pub(crate) trait SyntaxError<'a>:
    chumsky::error::Error<'a, In<'a>>
    + chumsky::label::LabelError<'a, In<'a>, chumsky::DefaultExpected<'a, TokenKind>>
    + chumsky::label::LabelError<'a, In<'a>, &'static str>
    + 'a
{
    /// An error with a message of our own.
    fn custom(span: SimpleSpan, message: &str) -> Self;

    /// `parser`, named `label` where an error says what was expected. A
    /// label changes only what an error says, never what parses, so the
    /// fast pass, whose errors say nothing, leaves it out.
    fn label<O, P>(parser: P, label: &'static str) -> impl Parser<'a, In<'a>, O, Ex<Self>> + Clone
    where
        P: Parser<'a, In<'a>, O, Ex<Self>> + Clone,
        Self: Sized;

    /// [`label`](Self::label) for a parser that is `Copy`, and stays so.
    fn label_copy<O, P>(
        parser: P,
        label: &'static str,
    ) -> impl Parser<'a, In<'a>, O, Ex<Self>> + Copy
    where
        P: Parser<'a, In<'a>, O, Ex<Self>> + Copy,
        Self: Sized;
}

impl<'a> SyntaxError<'a> for Rich<'a, TokenKind, SimpleSpan> {
    fn custom(span: SimpleSpan, message: &str) -> Self {
        Rich::custom(span, message)
    }

    fn label<O, P>(parser: P, label: &'static str) -> impl Parser<'a, In<'a>, O, Ex<Self>> + Clone
    where
        P: Parser<'a, In<'a>, O, Ex<Self>> + Clone,
    {
        parser.labelled(label)
    }

    fn label_copy<O, P>(
        parser: P,
        label: &'static str,
    ) -> impl Parser<'a, In<'a>, O, Ex<Self>> + Copy
    where
        P: Parser<'a, In<'a>, O, Ex<Self>> + Copy,
    {
        parser.labelled(label)
    }
}

impl<'a> SyntaxError<'a> for chumsky::error::EmptyErr {
    fn custom(_: SimpleSpan, _: &str) -> Self {
        chumsky::error::EmptyErr::default()
    }

    fn label<O, P>(parser: P, _: &'static str) -> impl Parser<'a, In<'a>, O, Ex<Self>> + Clone
    where
        P: Parser<'a, In<'a>, O, Ex<Self>> + Clone,
    {
        parser
    }

    fn label_copy<O, P>(parser: P, _: &'static str) -> impl Parser<'a, In<'a>, O, Ex<Self>> + Copy
    where
        P: Parser<'a, In<'a>, O, Ex<Self>> + Copy,
    {
        parser
    }
}

/// A chain of postfix operations (`.field`, `.method()`, `[i]`) may be this
/// long; the limit bounds the depth of the tree the checker walks.
pub const MAX_POSTFIX_CHAIN: usize = 64;

const POSTFIX_TOO_LONG: &str = "chain of `.` and `[…]` operations is too long";

const WITH_ENTRY_PLACE: &str =
    "`with_entry` takes a map and a key: `with_entry counts[word] or_insert 0 as count { … }`";

const WITH_ENTRY_NAME: &str =
    "`with_entry` names the value after `as`: `with_entry counts[word] or_insert 0 as count { … }`";

/// Parses one file's tokens into a module, describing every syntax error
/// (the careful pass; [`parse_clean`] is the fast one). Never fails: what
/// cannot be read is reported and becomes `Error` nodes.
pub fn parse(
    tokens: &[Token],
    text: &str,
    file: FileId,
    already_reported: &rustc_hash::FxHashSet<u32>,
    diagnostics: &mut Diagnostics,
) -> Module {
    let kinds: Vec<TokenKind> = tokens.iter().map(|t| t.kind).collect();
    let (items, errors) = module_parser::<Rich<'_, TokenKind, SimpleSpan>>(text, file, tokens)
        .parse(kinds.as_slice())
        .into_output_errors();
    let mut seen_error_at = rustc_hash::FxHashSet::default();
    for error in errors {
        let span = byte_range(tokens, text, *error.span());
        // One report per position: recovery can revisit the same token,
        // and tokens the lexer rejected were reported already.
        if !seen_error_at.insert(span.start)
            || already_reported.contains(&(span.start as u32))
            || error.found() == Some(&TokenKind::Error)
        {
            continue;
        }
        diagnostics.push(error_to_diagnostic(&error, span, text, file));
    }
    Module {
        file,
        items: items.unwrap_or_default(),
    }
}

/// The fast pass: parses `tokens` with errors that cost nothing to build.
/// `None` if there is a syntax error; [`parse`] then parses again to
/// describe each error.
pub(crate) fn parse_clean(tokens: &[Token], text: &str, file: FileId) -> Option<Vec<Item>> {
    let kinds: Vec<TokenKind> = tokens.iter().map(|t| t.kind).collect();
    let (items, errors) = module_parser::<chumsky::error::EmptyErr>(text, file, tokens)
        .parse(kinds.as_slice())
        .into_output_errors();
    items.filter(|_| errors.is_empty())
}

/// The byte range covered by a span of token indices (the parser's input
/// is the token slice; spans in the tree are bytes).
fn byte_range(tokens: &[Token], text: &str, span: SimpleSpan) -> SimpleSpan {
    if span.start == span.end {
        // A position between tokens: right after the previous one, where a
        // missing `;` or `)` belongs.
        let at = match span.start.checked_sub(1).and_then(|i| tokens.get(i)) {
            Some(previous) => previous.end as usize,
            None => 0,
        };
        return SimpleSpan::from(at..at);
    }
    let start = tokens
        .get(span.start)
        .map_or(text.len(), |t| t.start as usize);
    let end = if span.end > span.start {
        tokens
            .get(span.end - 1)
            .map_or(text.len(), |t| t.end as usize)
    } else {
        start
    };
    SimpleSpan::from(start..end.max(start))
}

/// The index of the first token that starts at or after byte `offset`.
fn token_at(tokens: &[Token], offset: u32) -> usize {
    tokens.partition_point(|t| t.start < offset)
}

fn error_to_diagnostic(
    error: &Rich<'_, TokenKind, SimpleSpan>,
    span: SimpleSpan,
    text: &str,
    file: FileId,
) -> Diagnostic {
    let at = Span::new(file, span.start, span.end.max(span.start));
    if let chumsky::error::RichReason::Custom(message) = error.reason() {
        let code = if message == POSTFIX_TOO_LONG {
            codes::NESTING_TOO_DEEP
        } else {
            codes::SYNTAX
        };
        let mut diagnostic =
            Diagnostic::error(code, at, message.clone()).with_label(custom_label(message));
        if message == JUMP_AS_VALUE {
            let written = text.get(span.start..span.end).unwrap_or("");
            diagnostic = diagnostic.with_suggestion(
                "wrap it in a block",
                at,
                format!("{{ {written}; }}"),
                crate::diagnostics::Applicability::MachineApplicable,
            );
        }
        if message == MISSING_COMMA {
            diagnostic = diagnostic.with_suggestion(
                "add `,`",
                at,
                ",",
                crate::diagnostics::Applicability::MachineApplicable,
            );
        }
        if message == MISSING_SEMICOLON || message.starts_with("expected `;`") {
            diagnostic = diagnostic.with_suggestion(
                "add `;`",
                at,
                ";",
                crate::diagnostics::Applicability::MachineApplicable,
            );
        }
        return diagnostic;
    }
    let found = match error.found() {
        Some(kind) => describe_found(*kind, &text[span.start..span.end.min(text.len())]),
        None => "end of file".to_string(),
    };
    let mut expected: Vec<String> = error
        .expected()
        .filter_map(|pattern| match pattern {
            // Rust spellings the parser accepts only to report them, and the
            // unreadable token it reads only to recover.
            chumsky::error::RichPattern::Token(t)
                if matches!(
                    **t,
                    TokenKind::Punct('?', _) | TokenKind::Keyword(Keyword::As) | TokenKind::Error
                ) =>
            {
                None
            }
            chumsky::error::RichPattern::Token(t) => Some(describe_expected(**t)),
            chumsky::error::RichPattern::Label(l) => Some(l.to_string()),
            chumsky::error::RichPattern::EndOfInput => Some("end of file".to_string()),
            _ => None,
        })
        .collect();
    expected.sort();
    expected.dedup();
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_alternatives(&expected))
    };
    let mut diagnostic =
        Diagnostic::error(codes::SYNTAX, at, message).with_label("unexpected here");
    if let Some(TokenKind::Char | TokenKind::Lifetime) = error.found() {
        diagnostic = diagnostic
            .with_note("Parseltongue has no character type and no lifetimes; use a `string`");
    }
    diagnostic
}

/// The label under a syntax error the parser described in its own words:
/// what is at the place it points to.
fn custom_label(message: &str) -> String {
    match message {
        POSTFIX_TOO_LONG => {
            format!("more than {MAX_POSTFIX_CHAIN} operations in one chain")
        }
        WITH_ENTRY_PLACE => "expected `map[key]` after `with_entry`".to_string(),
        WITH_ENTRY_NAME => "no `as NAME` before the block".to_string(),
        JUMP_AS_VALUE => "a statement where a value is expected".to_string(),
        MISSING_COMMA => "missing `,`".to_string(),
        RUST_CHAR => "a Rust character literal or lifetime".to_string(),
        EXPECTED_EXPRESSION => "a Rust keyword, not an expression".to_string(),
        EXPECTED_IDENTIFIER => "a Rust keyword, not a name".to_string(),
        SEMICOLON_OR_OPERATOR => "missing `;` or operator".to_string(),
        m if m.starts_with("expected `;`") => "missing `;`".to_string(),
        _ => "not valid here".to_string(),
    }
}

fn describe_found(kind: TokenKind, text: &str) -> String {
    match kind {
        TokenKind::Ident | TokenKind::RustKeyword => format!("`{text}`"),
        TokenKind::Int | TokenKind::Float | TokenKind::Str => format!("{kind} `{text}`"),
        _ => kind.to_string(),
    }
}

fn describe_expected(kind: TokenKind) -> String {
    match kind {
        TokenKind::Punct(c, _) => format!("`{c}`"),
        other => other.to_string(),
    }
}

fn join_alternatives(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if init.len() < 6 => format!("{} or {last}", init.join(", ")),
        _ => format!("one of {}", items.join(", ")),
    }
}

fn punct<'a, E: SyntaxError<'a>>(c: char) -> impl Parser<'a, In<'a>, (), Ex<E>> + Clone {
    one_of([
        TokenKind::Punct(c, Spacing::Alone),
        TokenKind::Punct(c, Spacing::Joint),
    ])
    .ignored()
}

/// A two-character operator such as `->` or `==`: a joint character followed
/// by a second one.
fn op2<'a, E: SyntaxError<'a>>(a: char, b: char) -> impl Parser<'a, In<'a>, (), Ex<E>> + Clone {
    just(TokenKind::Punct(a, Spacing::Joint))
        .then(punct(b))
        .ignored()
}

fn kw<'a, E: SyntaxError<'a>>(keyword: Keyword) -> impl Parser<'a, In<'a>, (), Ex<E>> + Clone {
    just(TokenKind::Keyword(keyword)).ignored()
}

fn open<'a, E: SyntaxError<'a>>(d: Delimiter) -> impl Parser<'a, In<'a>, (), Ex<E>> + Clone {
    just(TokenKind::Open(d)).ignored()
}

fn close<'a, E: SyntaxError<'a>>(d: Delimiter) -> impl Parser<'a, In<'a>, (), Ex<E>> + Clone {
    just(TokenKind::Close(d)).ignored()
}

const MISSING_SEMICOLON: &str = "expected `;` after this statement";

const MISSING_COMMA: &str = "expected `,` after this field";

const RUST_CHAR: &str =
    "Parseltongue has no character type or lifetimes; write a one-letter string such as \"a\"";

const EXPECTED_EXPRESSION: &str = "expected an expression";

const EXPECTED_IDENTIFIER: &str = "expected identifier";

const SEMICOLON_OR_OPERATOR: &str = "expected `;` or an operator after this expression";

const JUMP_AS_VALUE: &str =
    "`return`, `break` and `continue` are statements: put them in a block, e.g. `None => { return value; }`";

/// True if the statement whose last token ends at `end` is plausibly over:
/// the next token is `;` or `}`, or is on a later line (a forgotten `;`).
fn ends_statement(src: &str, end: usize) -> bool {
    let rest = &src[end.min(src.len())..];
    for (i, c) in rest.char_indices() {
        match c {
            '\n' => return true,
            ' ' | '\t' | '\r' => {}
            ';' | '}' => return true,
            '/' if rest[i..].starts_with("//") => return true,
            _ => return false,
        }
    }
    true
}

/// `p` followed by `;`. A missing `;` is reported right after `p` and the
/// statement is kept, so the next statement is not swallowed by recovery.
fn with_semicolon<'a, O, E: SyntaxError<'a>>(
    p: impl Parser<'a, In<'a>, O, Ex<E>> + Clone,
) -> impl Parser<'a, In<'a>, O, Ex<E>> + Clone {
    p.then(punct(';').or_not())
        .validate(|(output, semicolon), e, emitter| {
            if semicolon.is_none() {
                let span: SimpleSpan = e.span();
                emitter.emit(E::custom(
                    SimpleSpan::from(span.end..span.end),
                    MISSING_SEMICOLON,
                ));
            }
            output
        })
}

/// One balanced group or one token that is not a delimiter: the unit that
/// recovery skips, so a skip never tears a group apart.
fn skip_unit<'a, E: SyntaxError<'a>>() -> impl Parser<'a, In<'a>, (), Ex<E>> + Clone {
    recursive(|unit| {
        let group = |d: Delimiter| {
            unit.clone()
                .repeated()
                .delimited_by(open(d), close(d))
                .ignored()
        };
        group(Delimiter::Brace)
            .or(group(Delimiter::Paren))
            .or(group(Delimiter::Bracket))
            .or(any()
                .filter(|t: &TokenKind| !matches!(t, TokenKind::Open(_) | TokenKind::Close(_)))
                .ignored())
    })
}

/// Succeeds, reading nothing, where a block starts (`word name? {`). It
/// looks ahead without parsing, so where no block starts its error says
/// only what was found, and the other items' expectations are reported.
fn block_start<'a, E: SyntaxError<'a>>() -> impl Parser<'a, In<'a>, (), Ex<E>> + Clone {
    custom(|inp| {
        let before = inp.save();
        let start = inp.cursor();
        let first = inp.next();
        let second = inp.next();
        let starts = match (first, second) {
            (Some(TokenKind::Ident), Some(TokenKind::Open(Delimiter::Brace))) => true,
            (Some(TokenKind::Ident), Some(TokenKind::Ident)) => {
                inp.next() == Some(TokenKind::Open(Delimiter::Brace))
            }
            _ => false,
        };
        inp.rewind(before);
        if starts {
            return Ok(());
        }
        let found = inp.peek_maybe();
        let span = inp.span_since(&start);
        Err(<E as chumsky::label::LabelError<
            'a,
            In<'a>,
            &'static str,
        >>::expected_found(std::iter::empty(), found, span))
    })
}

/// Recovery that skips one whole group opened by `outer`, with the groups
/// of the other two delimiters nested in it, and reads it as `fallback`.
fn whole_group<'a, O, E: SyntaxError<'a>>(
    outer: Delimiter,
    fallback: impl Fn(SimpleSpan) -> O + Clone + 'a,
) -> impl Parser<'a, In<'a>, O, Ex<E>> + Clone {
    let [a, b] = match outer {
        Delimiter::Paren => [Delimiter::Bracket, Delimiter::Brace],
        Delimiter::Bracket => [Delimiter::Paren, Delimiter::Brace],
        Delimiter::Brace => [Delimiter::Paren, Delimiter::Bracket],
    };
    nested_delimiters(
        TokenKind::Open(outer),
        TokenKind::Close(outer),
        [
            (TokenKind::Open(a), TokenKind::Close(a)),
            (TokenKind::Open(b), TokenKind::Close(b)),
        ],
        fallback,
    )
}

/// A comma-separated list in `delimiter`s where each element recovers on
/// its own: a broken element is reported and dropped, the others are kept.
fn list_items<'a, O: 'a, E: SyntaxError<'a>>(
    element: impl Parser<'a, In<'a>, O, Ex<E>> + Clone + 'a,
    delimiter: Delimiter,
) -> impl Parser<'a, In<'a>, Vec<O>, Ex<E>> + Clone {
    list_items_flagged(element, delimiter).map(|(items, _)| items)
}

/// Like [`list_items`], and also tells whether an element was dropped.
fn list_items_flagged<'a, O: 'a, E: SyntaxError<'a>>(
    element: impl Parser<'a, In<'a>, O, Ex<E>> + Clone + 'a,
    delimiter: Delimiter,
) -> impl Parser<'a, In<'a>, (Vec<O>, bool), Ex<E>> + Clone {
    let skip_element = skip_unit()
        .and_is(punct(',').not())
        .repeated()
        .at_least(1)
        .map(|_| None);
    element
        .map(Some)
        .recover_with(via_parser(skip_element))
        .separated_by(punct(','))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(open(delimiter), close(delimiter))
        .map(|items: Vec<Option<O>>| {
            let dropped = items.iter().any(Option::is_none);
            (items.into_iter().flatten().collect(), dropped)
        })
}

fn binding_keyword(k: Keyword) -> Option<BindingKind> {
    Some(match k {
        Keyword::LetVar => BindingKind::Var,
        Keyword::LetMutVar => BindingKind::MutVar,
        Keyword::LetCowVar => BindingKind::CowVar,
        Keyword::LetSharedVar => BindingKind::SharedVar,
        Keyword::LetMutSharedVar => BindingKind::MutSharedVar,
        _ => return None,
    })
}

/// True if `k` starts one of the statements `keyword_stmt` reads (a
/// binding, `return`, `break`, `continue`, `while`, `for` or `loop`);
/// every other statement is an expression statement.
fn starts_keyword_statement(k: Keyword) -> bool {
    binding_keyword(k).is_some()
        || matches!(
            k,
            Keyword::Return
                | Keyword::Break
                | Keyword::Continue
                | Keyword::While
                | Keyword::For
                | Keyword::Loop
        )
}

fn is_builtin(k: Keyword) -> bool {
    matches!(
        k,
        Keyword::PrintLine
            | Keyword::Print
            | Keyword::PrintErrorLine
            | Keyword::Format
            | Keyword::ListOf
            | Keyword::ListOfCopies
            | Keyword::MapOf
            | Keyword::Range
            | Keyword::RangeInclusive
            | Keyword::Panic
            | Keyword::Assert
            | Keyword::AssertEqual
            | Keyword::RunEveryCycle
            | Keyword::MailboxOn
            | Keyword::PartitionMetrics
    )
}

/// `value as name` read as a Rust cast binds to the rightmost operand
/// (`count + 1 as total` is `count + (1 as total)`): takes the name off
/// and gives the whole value back.
fn split_trailing_name(expr: Expr) -> Option<(Expr, Ident)> {
    let span = expr.span;
    match expr.kind {
        ExprKind::RustCast { value, ty } => match ty.kind {
            TypeExprKind::Named { mut path, args } if path.len() == 1 && args.is_empty() => {
                Some((*value, path.remove(0)))
            }
            _ => None,
        },
        ExprKind::Binary { first, mut rest } => {
            let (op, op_span, last) = rest.pop()?;
            let (last, name) = split_trailing_name(last)?;
            let end = last.span;
            rest.push((op, op_span, last));
            Some((
                Expr {
                    kind: ExprKind::Binary { first, rest },
                    span: span.shrink_to_start().to(end),
                },
                name,
            ))
        }
        ExprKind::Unary { op, operand } => {
            let (operand, name) = split_trailing_name(*operand)?;
            let end = operand.span;
            Some((
                Expr {
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                    span: span.shrink_to_start().to(end),
                },
                name,
            ))
        }
        ExprKind::Propagate(operand) => {
            let (operand, name) = split_trailing_name(*operand)?;
            let end = operand.span;
            Some((
                Expr {
                    kind: ExprKind::Propagate(Box::new(operand)),
                    span: span.shrink_to_start().to(end),
                },
                name,
            ))
        }
        _ => None,
    }
}

fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::If { .. }
            | ExprKind::Match { .. }
            | ExprKind::Block(_)
            | ExprKind::SpawnThread(_)
            | ExprKind::SpawnOn { .. }
            | ExprKind::WithLock { .. }
            | ExprKind::WithEntry { .. }
    )
}

fn parse_int(text: &str) -> Option<u128> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (digits, radix) = match clean.get(..2) {
        Some("0x") => (&clean[2..], 16),
        Some("0o") => (&clean[2..], 8),
        Some("0b") => (&clean[2..], 2),
        _ => (&clean[..], 10),
    };
    u128::from_str_radix(digits, radix).ok()
}

/// A list that grows from room for one element, doubling: most paths,
/// argument lists and operator chains hold one or two elements, where a
/// `Vec`'s first growth would make room for four.
struct GrowFromOne<T>(Vec<T>);

impl<T> Default for GrowFromOne<T> {
    fn default() -> Self {
        GrowFromOne(Vec::new())
    }
}

impl<T> chumsky::container::Container<T> for GrowFromOne<T> {
    fn push(&mut self, item: T) {
        if self.0.len() == self.0.capacity() {
            self.0.reserve_exact(self.0.len().max(1));
        }
        self.0.push(item);
    }
}

impl<T> GrowFromOne<T> {
    fn into_vec(self) -> Vec<T> {
        self.0
    }
}

/// A binary operator as read: Parseltongue's, or a Rust bit operator
/// (kept at Rust's precedence, to be reported with its method).
#[derive(Clone, Copy)]
enum Operator {
    Binary(BinaryOp),
    Bit(BitOperator),
}

impl Operator {
    /// Binding strength, Rust's: `||`/`&&`, comparisons, `|`, `^`, `&`,
    /// shifts, `+`/`-`, `*`/`/`/`%`.
    fn level(self) -> u8 {
        match self {
            Operator::Binary(op) => match op.level() {
                0 | 1 => op.level(),
                tighter => tighter + 4,
            },
            Operator::Bit(BitOperator::Or) => 2,
            Operator::Bit(BitOperator::Xor) => 3,
            Operator::Bit(BitOperator::And) => 4,
            Operator::Bit(BitOperator::ShiftLeft | BitOperator::ShiftRight) => 5,
        }
    }
}

/// An operator, where it is, and the operand to its right.
type Operation = (Operator, Span, Expr);

/// Operands joined by operators of any level, as read left to right,
/// grouped by level: `a + b * c < d` is `(a + (b * c)) < d`. Each group
/// of one level stays flat (`a + b - c` is one `Binary`).
fn group_by_level(first: Expr, rest: Vec<Operation>) -> Expr {
    let Some(loosest) = rest.iter().map(|(op, _, _)| op.level()).min() else {
        return first;
    };
    if rest.iter().all(|(op, _, _)| op.level() == loosest) {
        // One level (the common case): the chain as read.
        return one_level(first, rest);
    }
    // The loosest operators split the chain; each piece between two of
    // them binds tighter and is grouped on its own.
    let mut first_tighter = Vec::new();
    let mut pieces: Vec<(Operation, Vec<Operation>)> = Vec::new();
    for (op, op_span, operand) in rest {
        if op.level() == loosest {
            pieces.push(((op, op_span, operand), Vec::new()));
        } else {
            match pieces.last_mut() {
                Some((_, tighter)) => tighter.push((op, op_span, operand)),
                None => first_tighter.push((op, op_span, operand)),
            }
        }
    }
    let first = group_by_level(first, first_tighter);
    let rest: Vec<Operation> = pieces
        .into_iter()
        .map(|((op, op_span, operand), tighter)| (op, op_span, group_by_level(operand, tighter)))
        .collect();
    one_level(first, rest)
}

/// The chain of operators of one level that `rest` holds, after `first`.
/// Rust bit operators group left to right, one node each.
fn one_level(first: Expr, rest: Vec<Operation>) -> Expr {
    if matches!(rest.first(), Some((Operator::Bit(_), _, _))) {
        return rest.into_iter().fold(first, |left, (op, _, right)| {
            let Operator::Bit(op) = op else {
                unreachable!("one level holds bit operators only")
            };
            Expr {
                span: left.span.to(right.span),
                kind: ExprKind::RustBitOperation {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
            }
        });
    }
    let end = rest.last().map_or(first.span, |(_, _, last)| last.span);
    let rest = rest
        .into_iter()
        .map(|(op, span, right)| match op {
            Operator::Binary(op) => (op, span, right),
            Operator::Bit(_) => unreachable!("one level holds Parseltongue operators only"),
        })
        .collect();
    Expr {
        span: first.span.to(end),
        kind: ExprKind::Binary {
            first: Box::new(first),
            rest,
        },
    }
}

#[derive(Clone)]
enum Postfix {
    Field(Ident),
    Method(Ident, Vec<Expr>),
    Index(Expr),
    Cast(TypeExpr),
    Try,
}

#[allow(clippy::too_many_lines)]
fn module_parser<'a, E: SyntaxError<'a>>(
    src: &'a str,
    file: FileId,
    tokens: &'a [Token],
) -> impl Parser<'a, In<'a>, Vec<Item>, Ex<E>> {
    let sp = move |s: SimpleSpan| {
        let bytes = byte_range(tokens, src, s);
        Span::new(file, bytes.start, bytes.end)
    };
    // A broken value: everything up to `stop` (groups kept whole) becomes
    // one error node, so the surrounding call or statement survives.
    let broken_value_until = move |stop: char| {
        skip_unit()
            .and_is(punct(stop).not())
            .repeated()
            .at_least(1)
            .map_with(move |_, e| Expr {
                kind: ExprKind::Error,
                span: sp(e.span()),
            })
    };
    // The text of a one-token span.
    let text = move |s: SimpleSpan| -> &'a str {
        let bytes = byte_range(tokens, src, s);
        &src[bytes.start..bytes.end]
    };

    let ident = E::label_copy(
        select! { TokenKind::Ident = e => {
            let s: SimpleSpan = e.span();
            Ident { name: smol_str::SmolStr::new(text(s)), span: sp(s) }
        }},
        "identifier",
    );
    let self_ident = kw(Keyword::SelfValue).map_with(move |_, e| Ident {
        name: smol_str::SmolStr::new_static("self"),
        span: sp(e.span()),
    });
    let path_sep = op2(':', ':');
    // The Rust path of a `rust_function` or `rust_type` may start at the
    // crate root or the parent module, as Rust paths do.
    let rust_path_root =
        select! { TokenKind::RustKeyword = e => e.span() }.try_map(move |s: SimpleSpan, span| {
            match text(s) {
                "crate" | "super" => Ok(Ident {
                    name: smol_str::SmolStr::new(text(s)),
                    span: sp(s),
                }),
                _ => Err(E::custom(span, EXPECTED_IDENTIFIER)),
            }
        });
    let rust_path = rust_path_root
        .then_ignore(path_sep.clone())
        .or_not()
        .then(
            ident
                .separated_by(path_sep.clone())
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .map(|(root, mut rest)| {
            if let Some(root) = root {
                rest.insert(0, root);
            }
            rest
        });
    let path = ident
        .separated_by(path_sep.clone())
        .at_least(1)
        .collect::<GrowFromOne<_>>()
        .map(GrowFromOne::into_vec);

    let docs = select! { TokenKind::DocComment = e => {
        let s: SimpleSpan = e.span();
        let text = text(s);
        let text = text.strip_prefix("///").unwrap_or(text);
        text.strip_prefix(' ').unwrap_or(text).trim_end().to_string()
    }}
    .repeated()
    .collect::<Vec<_>>();

    // ---- types ----
    let ty = recursive(|ty| {
        let args = ty
            .clone()
            .separated_by(punct(','))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(punct('<'), punct('>'));
        let named = path
            .clone()
            .then(args.or_not())
            .map_with(move |(path, args), e| TypeExpr {
                kind: TypeExprKind::Named {
                    path,
                    args: args.unwrap_or_default(),
                },
                span: sp(e.span()),
            });
        let reference = punct('&')
            .ignore_then(just(TokenKind::RustKeyword).or_not())
            .ignore_then(ty)
            .map_with(move |inner, e| TypeExpr {
                kind: TypeExprKind::RustReference(Box::new(inner)),
                span: sp(e.span()),
            });
        E::label(named.or(reference), "type")
    });

    let mut expr =
        Recursive::<chumsky::recursive::Indirect<'a, 'a, In<'a>, Expr, Ex<E>>>::declare();
    let mut block =
        Recursive::<chumsky::recursive::Indirect<'a, 'a, In<'a>, Block, Ex<E>>>::declare();
    // `if`, `match`, a block, `with_lock` or `spawn_thread` standing alone:
    // at the start of a statement or as a `match` arm's body it ends there,
    // as in Rust (`if c { … }` then `-1;` are two statements).
    let mut block_like =
        Recursive::<chumsky::recursive::Indirect<'a, 'a, In<'a>, Expr, Ex<E>>>::declare();
    let postfix_lookahead = select! {
        TokenKind::Punct('.' | '?', _) => (),
        TokenKind::Open(Delimiter::Bracket) => (),
        TokenKind::Keyword(Keyword::As) => (),
    };

    // ---- patterns ----
    let pattern = recursive(|pattern| {
        let int = punct('-')
            .or_not()
            .then(select! { TokenKind::Int = e => { let s: SimpleSpan = e.span(); parse_int(text(s)).unwrap_or(u128::MAX) } })
            .map(|(neg, v)| {
                let v = i128::try_from(v).unwrap_or(i128::MAX);
                PatternKind::Int(if neg.is_some() { -v } else { v })
            });
        let string = select! { TokenKind::Str = e => { let s: SimpleSpan = e.span(); PatternKind::Str(unescape_string(text(s))) } };
        let boolean = kw(Keyword::True)
            .to(PatternKind::Bool(true))
            .or(kw(Keyword::False).to(PatternKind::Bool(false)));
        let args = pattern
            .separated_by(punct(','))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(open(Delimiter::Paren), close(Delimiter::Paren));
        let path_pattern = path
            .clone()
            .then(args.or_not())
            .map(|(path, args): (Vec<Ident>, _)| {
                if path.len() == 1 && args.is_none() {
                    let name = &path[0].name;
                    if name == "_" {
                        return PatternKind::Wildcard;
                    }
                    if name != "None" && !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                        return PatternKind::Binding(path[0].clone());
                    }
                }
                PatternKind::Variant { path, args }
            });
        E::label(
            choice((int, string, boolean, path_pattern)).map_with(move |kind, e| Pattern {
                kind,
                span: sp(e.span()),
            }),
            "pattern",
        )
    });

    // ---- expressions ----
    // A broken argument becomes an error node in its place, so the call
    // (and the names it uses) survives.
    let call_args = expr
        .clone()
        .then_ignore(punct(',').or(close(Delimiter::Paren)).rewind())
        .recover_with(via_parser(broken_value_until(',')))
        .separated_by(punct(','))
        .allow_trailing()
        .collect::<GrowFromOne<Expr>>()
        .map(GrowFromOne::into_vec)
        .delimited_by(open(Delimiter::Paren), close(Delimiter::Paren))
        .boxed();

    let literal = select! {
        TokenKind::Int = e => { let s: SimpleSpan = e.span(); ExprKind::Int(parse_int(text(s)).and_then(|v| u64::try_from(v).ok()).unwrap_or(u64::MAX)) },
        TokenKind::Float = e => { let s: SimpleSpan = e.span(); ExprKind::Float(text(s).replace('_', "").parse().unwrap_or(f64::NAN)) },
        TokenKind::Str = e => { let s: SimpleSpan = e.span(); ExprKind::Str(unescape_string(text(s))) },
        TokenKind::Keyword(Keyword::True) => ExprKind::Bool(true),
        TokenKind::Keyword(Keyword::False) => ExprKind::Bool(false),
        TokenKind::Keyword(Keyword::SelfValue) => ExprKind::SelfValue,
        TokenKind::Error => ExprKind::Error,
    };
    let rust_char =
        select! { TokenKind::Char => (), TokenKind::Lifetime => () }.validate(|_, e, emitter| {
            emitter.emit(E::custom(e.span(), RUST_CHAR));
            ExprKind::Error
        });

    let builtin = select! { TokenKind::Keyword(k) = e if is_builtin(k) => (k, sp(e.span())) }
        .then(call_args.clone())
        .map(|((keyword, keyword_span), args)| ExprKind::Builtin {
            keyword,
            keyword_span,
            args,
        });

    let record_field = ident.then_ignore(punct(':')).then(expr.clone());
    // `Name { field: …` — the lookahead keeps `if flag { … }` a block.
    let record_start = open(Delimiter::Brace)
        .then(ident)
        .then(just(TokenKind::Punct(':', Spacing::Alone)))
        .rewind();
    // A path is read once and then continued as a record literal, a call
    // or nothing (a variable, constant or unit variant).
    enum PathTail {
        Record(Vec<(Ident, Expr)>),
        Call(Vec<Expr>),
    }
    let record_fields = record_start
        .ignore_then(
            record_field
                .separated_by(punct(','))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(open(Delimiter::Brace), close(Delimiter::Brace)),
        )
        .map(PathTail::Record);
    let path_expr = path
        .clone()
        .then(
            record_fields
                .or(call_args.clone().map(PathTail::Call))
                .or_not(),
        )
        .map(|(path, tail)| match tail {
            Some(PathTail::Record(fields)) => ExprKind::RecordLiteral { path, fields },
            Some(PathTail::Call(args)) => ExprKind::Call { callee: path, args },
            None => ExprKind::Path(path),
        });

    let paren = expr
        .clone()
        .delimited_by(open(Delimiter::Paren), close(Delimiter::Paren))
        .map(|e| ExprKind::Paren(Box::new(e)));

    let rust_let = just(TokenKind::RustKeyword).try_map(move |_, span: SimpleSpan| {
        if text(span) == "let" {
            Ok(sp(span))
        } else {
            Err(E::custom(span, EXPECTED_EXPRESSION))
        }
    });
    let if_let = kw(Keyword::If)
        .ignore_then(rust_let)
        .then(pattern.clone())
        .then_ignore(punct('='))
        .then(expr.clone())
        .then(block.clone())
        .then(kw(Keyword::Else).ignore_then(block.clone()).or_not())
        .map(
            |((((let_span, pattern), value), then), otherwise)| ExprKind::RustIfLet {
                let_span,
                pattern: Box::new(pattern),
                value: Box::new(value),
                then: Box::new(then),
                otherwise: otherwise.map(Box::new),
            },
        );
    let if_expr = kw(Keyword::If)
        .ignore_then(expr.clone())
        .then(block.clone())
        .separated_by(kw(Keyword::Else))
        .at_least(1)
        .collect::<Vec<_>>()
        .then(kw(Keyword::Else).ignore_then(block.clone()).or_not())
        .map(|(branches, otherwise)| ExprKind::If {
            branches,
            otherwise: otherwise.map(Box::new),
        });

    // A block-like arm body (`=> { … }`) ends the arm, as in Rust: what
    // follows starts the next arm even when it begins with `-`.
    let block_like_start = kw(Keyword::If)
        .or(kw(Keyword::Match))
        .or(kw(Keyword::WithLock))
        .or(kw(Keyword::WithEntry))
        .or(kw(Keyword::SpawnThread))
        .or(kw(Keyword::SpawnOn))
        .ignored()
        .or(open(Delimiter::Brace).ignored())
        .rewind();
    let block_arm_body = block_like_start
        .clone()
        .ignore_then(block_like.clone())
        .then_ignore(postfix_lookahead.not().rewind());
    let arm = pattern
        .clone()
        .then_ignore(op2('=', '>'))
        .then(block_arm_body.or(expr.clone()))
        .map_with(move |(pattern, body), e| Arm {
            pattern,
            body,
            span: sp(e.span()),
        });
    let arm_recovery = skip_unit()
        .and_is(punct(',').not())
        .repeated()
        .at_least(1)
        .map_with(move |_, e| Arm {
            pattern: Pattern {
                kind: PatternKind::Error,
                span: sp(e.span()),
            },
            body: Expr {
                kind: ExprKind::Error,
                span: sp(e.span()),
            },
            span: sp(e.span()),
        });
    let arms = arm
        .clone()
        .recover_with(via_parser(arm_recovery))
        .then_ignore(punct(',').or_not())
        .repeated()
        .collect::<Vec<_>>()
        .delimited_by(open(Delimiter::Brace), close(Delimiter::Brace));
    let match_expr =
        kw(Keyword::Match)
            .ignore_then(expr.clone())
            .then(arms)
            .map(|(scrutinee, arms)| ExprKind::Match {
                scrutinee: Box::new(scrutinee),
                arms,
            });

    let block_expr = block.clone().map(|b| ExprKind::Block(Box::new(b)));
    let with_lock = kw(Keyword::WithLock)
        .ignore_then(ident)
        .then_ignore(kw(Keyword::As))
        .then(ident)
        .then(block.clone())
        .map(|((shared, guard), body)| ExprKind::WithLock {
            shared: Box::new(shared),
            guard: Box::new(guard),
            body: Box::new(body),
        });
    // `with_entry counts[word] or_insert 0 as count { … }`: the value and
    // its name read as Rust's `value as Type`, taken apart here.
    // `or_insert` is a word only here, so Rust's `.or_insert(…)` still reads
    // as a method call (and is reported as one).
    let or_insert = ident
        .filter(|name: &Ident| name.name == "or_insert")
        .labelled("`or_insert`");
    let with_entry = kw(Keyword::WithEntry)
        .ignore_then(expr.clone())
        .then_ignore(or_insert)
        .then(expr.clone())
        .then(block.clone())
        .validate(move |((place, named_default), body), e, emitter| {
            let ExprKind::Index { base, index } = place.kind else {
                emitter.emit(E::custom(e.span(), WITH_ENTRY_PLACE));
                return ExprKind::Error;
            };
            match split_trailing_name(named_default) {
                Some((default, name)) => ExprKind::WithEntry {
                    map: base,
                    key: index,
                    default: Box::new(default),
                    name: Box::new(name),
                    body: Box::new(body),
                },
                None => {
                    emitter.emit(E::custom(e.span(), WITH_ENTRY_NAME));
                    ExprKind::Error
                }
            }
        });
    let spawn = kw(Keyword::SpawnThread)
        .ignore_then(block.clone())
        .map(|b| ExprKind::SpawnThread(Box::new(b)));
    let spawn_on = kw(Keyword::SpawnOn)
        .ignore_then(ident)
        .then(block.clone())
        .map(|(partition, body)| ExprKind::SpawnOn {
            partition: Box::new(partition),
            body: Box::new(body),
        });

    block_like.define(
        choice((
            if_expr.clone(),
            match_expr.clone(),
            block_expr.clone(),
            spawn.clone(),
            spawn_on.clone(),
            with_lock.clone(),
            with_entry.clone(),
        ))
        .map_with(move |kind, e| Expr {
            kind,
            span: sp(e.span()),
        }),
    );

    // `return`, `break` and `continue` are statements; written where a
    // value is expected (a `match` arm, Rust style) they are reported and
    // read on, so the rest of the `match` is still checked.
    let jump_as_value = choice((
        kw(Keyword::Return)
            .ignore_then(expr.clone().or_not())
            .ignored(),
        kw(Keyword::Break).ignored(),
        kw(Keyword::Continue).ignored(),
    ))
    .validate(|_, e, emitter| {
        emitter.emit(E::custom(e.span(), JUMP_AS_VALUE));
        ExprKind::Error
    });
    // Each alternative starts with its own tokens; the common ones go first.
    let atom = E::label(
        choice((
            path_expr,
            literal,
            builtin,
            paren,
            rust_char,
            jump_as_value,
            if_let,
            if_expr,
            match_expr,
            block_expr,
            spawn,
            spawn_on,
            with_lock,
            with_entry,
        ))
        .map_with(move |kind, e| Expr {
            kind,
            span: sp(e.span()),
        })
        .recover_with(via_parser(whole_group(Delimiter::Paren, move |s| Expr {
            kind: ExprKind::Error,
            span: sp(s),
        }))),
        "expression",
    )
    .boxed();

    // One token tells whether a postfix operation follows (mostly none does).
    let postfix_start = select! {
        TokenKind::Punct('.' | '?', _) => (),
        TokenKind::Open(Delimiter::Bracket) => (),
        TokenKind::Keyword(Keyword::As) => (),
    };
    let postfix_op = postfix_start
        .rewind()
        .ignore_then(choice((
            punct('.')
                .ignore_then(ident)
                .then(call_args.clone().or_not())
                .map(|(name, args)| match args {
                    Some(args) => Postfix::Method(name, args),
                    None => Postfix::Field(name),
                }),
            expr.clone()
                .delimited_by(open(Delimiter::Bracket), close(Delimiter::Bracket))
                .map(Postfix::Index),
            kw(Keyword::As).ignore_then(ty.clone()).map(Postfix::Cast),
            punct('?').to(Postfix::Try),
        )))
        .map_with(move |op, e| (op, sp(e.span())));

    let postfix = atom
        .then(
            postfix_op
                .repeated()
                .collect::<GrowFromOne<_>>()
                .map(GrowFromOne::into_vec),
        )
        .validate(move |(base, ops), e, emitter| {
            if ops.len() > MAX_POSTFIX_CHAIN {
                // Keep the base (its names are used) but not the chain: a
                // tree as deep as the chain is long is what the limit avoids.
                emitter.emit(E::custom(e.span(), POSTFIX_TOO_LONG));
                return Expr {
                    span: sp(e.span()),
                    ..base
                };
            }
            ops.into_iter().fold(base, |acc, (op, op_span)| {
                let span = acc.span.to(op_span);
                let kind = match op {
                    Postfix::Field(field) => ExprKind::Field {
                        base: Box::new(acc),
                        field,
                    },
                    Postfix::Method(method, args) => ExprKind::MethodCall {
                        receiver: Box::new(acc),
                        method: Box::new(method),
                        args,
                    },
                    Postfix::Index(index) => ExprKind::Index {
                        base: Box::new(acc),
                        index: Box::new(index),
                    },
                    Postfix::Cast(ty) => ExprKind::RustCast {
                        value: Box::new(acc),
                        ty: Box::new(ty),
                    },
                    Postfix::Try => ExprKind::RustTry(Box::new(acc)),
                };
                Expr { kind, span }
            })
        });

    // A prefix (`-`, `!`, `propagate`) is one token, looked at once.
    enum Prefix {
        Unary(UnaryOp),
        Propagate,
    }
    let prefix = select! {
        TokenKind::Punct('-', _) => Prefix::Unary(UnaryOp::Negate),
        TokenKind::Punct('!', _) => Prefix::Unary(UnaryOp::Not),
        TokenKind::Keyword(Keyword::Propagate) => Prefix::Propagate,
    };
    let unary = E::label(
        prefix
            .or_not()
            .then(postfix)
            .map_with(move |(prefix, operand), e| match prefix {
                None => operand,
                Some(Prefix::Unary(op)) => Expr {
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                    span: sp(e.span()),
                },
                Some(Prefix::Propagate) => Expr {
                    kind: ExprKind::Propagate(Box::new(operand)),
                    span: sp(e.span()),
                },
            }),
        "expression",
    );

    // Every binary operator, whatever its level: one token is looked at to
    // know whether one follows (once after every operand, and mostly none
    // does). `+=` and the like are assignments, not operators.
    let arithmetic = select! {
        TokenKind::Punct('*', _) => BinaryOp::Mul,
        TokenKind::Punct('/', _) => BinaryOp::Div,
        TokenKind::Punct('%', _) => BinaryOp::Rem,
        TokenKind::Punct('+', _) => BinaryOp::Add,
        TokenKind::Punct('-', _) => BinaryOp::Sub,
    }
    .then_ignore(punct('=').not().rewind());
    let binary_op = E::label(
        select! {
            TokenKind::Punct('*' | '/' | '%' | '+' | '-' | '=' | '!' | '<' | '>' | '&' | '|' | '^', _) => (),
        },
        "operator",
    )
    .rewind()
    .ignore_then(choice((
        arithmetic.map(Operator::Binary),
        op2('=', '=').to(Operator::Binary(BinaryOp::Eq)),
        op2('!', '=').to(Operator::Binary(BinaryOp::Ne)),
        op2('<', '=').to(Operator::Binary(BinaryOp::Le)),
        op2('>', '=').to(Operator::Binary(BinaryOp::Ge)),
        op2('<', '<').to(Operator::Bit(BitOperator::ShiftLeft)),
        op2('>', '>').to(Operator::Bit(BitOperator::ShiftRight)),
        punct('<').to(Operator::Binary(BinaryOp::Lt)),
        punct('>').to(Operator::Binary(BinaryOp::Gt)),
        op2('&', '&').to(Operator::Binary(BinaryOp::And)),
        op2('|', '|').to(Operator::Binary(BinaryOp::Or)),
        punct('&').to(Operator::Bit(BitOperator::And)),
        punct('|').to(Operator::Bit(BitOperator::Or)),
        punct('^').to(Operator::Bit(BitOperator::Xor)),
    )))
    .map_with(move |op, e| (op, sp(e.span())));
    let logic = unary
        .clone()
        .then(
            binary_op
                .then(unary)
                .map(|((op, op_span), right)| (op, op_span, right))
                .repeated()
                .collect::<GrowFromOne<_>>(),
        )
        .map(|(first, rest)| group_by_level(first, rest.into_vec()));
    // An unreadable character between two operands (already reported by
    // the lexer) joins them into one error node, so the statement survives.
    let logic = logic
        .clone()
        .then(
            just(TokenKind::Error)
                .ignore_then(logic)
                .repeated()
                .collect::<Vec<_>>(),
        )
        .map(|(first, mut rest): (Expr, Vec<Expr>)| match rest.last() {
            None => first,
            Some(last) => Expr {
                span: first.span.to(last.span),
                kind: ExprKind::Unreadable({
                    rest.insert(0, first);
                    rest
                }),
            },
        });
    let range_tail = just(TokenKind::Punct('.', Spacing::Joint))
        .then(punct('.'))
        .ignore_then(punct('=').or_not().map(|eq| eq.is_some()))
        .then(logic.clone());
    expr.define(
        logic
            .then(range_tail.or_not())
            .map(|(start, tail)| match tail {
                None => start,
                Some((inclusive, end)) => {
                    let span = start.span.to(end.span);
                    Expr {
                        kind: ExprKind::RustRange {
                            start: Box::new(start),
                            end: Box::new(end),
                            inclusive,
                        },
                        span,
                    }
                }
            }),
    );

    // ---- statements ----
    // The value of a `let`, `return` or assignment: if something other than
    // `;` follows it on the same line, the value is broken; it becomes an
    // error node and the statement (and its binding) is kept.
    let statement_value = expr
        .clone()
        .try_map(move |value: Expr, span: SimpleSpan| {
            if ends_statement(src, value.span.end as usize) {
                Ok(value)
            } else {
                Err(E::custom(
                    SimpleSpan::from(span.end..span.end),
                    SEMICOLON_OR_OPERATOR,
                ))
            }
        })
        .recover_with(via_parser(broken_value_until(';')))
        .boxed();
    let let_stmt =
        select! { TokenKind::Keyword(k) = e if binding_keyword(k).is_some() => (k, sp(e.span())) }
            .then(ident)
            .then(punct(':').ignore_then(ty.clone()).or_not())
            .then_ignore(punct('='))
            .then(statement_value.clone())
            .map(|((((k, keyword_span), name), ty), value)| StmtKind::Let {
                kind: binding_keyword(k).unwrap_or(BindingKind::Var),
                keyword_span,
                name,
                ty: ty.map(Box::new),
                value: Box::new(value),
            });
    let let_stmt = with_semicolon(let_stmt);
    let return_stmt = with_semicolon(
        kw(Keyword::Return)
            .ignore_then(statement_value.clone().or_not())
            .map(StmtKind::Return),
    );
    let break_stmt = with_semicolon(kw(Keyword::Break).to(StmtKind::Break));
    let continue_stmt = with_semicolon(kw(Keyword::Continue).to(StmtKind::Continue));
    let while_let = kw(Keyword::While)
        .ignore_then(rust_let)
        .then(pattern.clone())
        .then_ignore(punct('='))
        .then(expr.clone())
        .then(block.clone())
        .map(
            |(((let_span, pattern), value), body)| StmtKind::RustWhileLet {
                let_span,
                pattern: Box::new(pattern),
                value: Box::new(value),
                body,
            },
        );
    let while_stmt = kw(Keyword::While)
        .ignore_then(expr.clone())
        .then(block.clone())
        .map(|(condition, body)| StmtKind::While {
            condition: Box::new(condition),
            body,
        });
    let for_stmt = kw(Keyword::For)
        .ignore_then(ident)
        .then_ignore(kw(Keyword::In))
        .then(expr.clone())
        .then(block.clone())
        .map(|((binding, iterable), body)| StmtKind::For {
            binding,
            iterable: Box::new(iterable),
            body,
        });
    let loop_stmt = kw(Keyword::Loop)
        .ignore_then(block.clone())
        .map(StmtKind::Loop);
    // `=`, or an operator joined to `=` (`+=`): the first token decides.
    let update_op = select! {
        TokenKind::Punct('+', Spacing::Joint) => BinaryOp::Add,
        TokenKind::Punct('-', Spacing::Joint) => BinaryOp::Sub,
        TokenKind::Punct('*', Spacing::Joint) => BinaryOp::Mul,
        TokenKind::Punct('/', Spacing::Joint) => BinaryOp::Div,
        TokenKind::Punct('%', Spacing::Joint) => BinaryOp::Rem,
    };
    let assign_op = choice((
        punct('=').to(AssignOp::Set),
        update_op.then_ignore(punct('=')).map(AssignOp::Update),
    ))
    .map_with(move |op, e| (op, sp(e.span())));
    let block_like_stmt = block_like_start
        .ignore_then(block_like.clone())
        .then_ignore(
            postfix_lookahead
                .or(assign_op.clone().ignored())
                .not()
                .rewind(),
        )
        .then(punct(';').or_not().map(|s| s.is_some()))
        .map(|(expr, semicolon)| StmtKind::Expr { expr, semicolon });
    let expr_stmt = expr
        .clone()
        .then(assign_op.then(expr.clone()).or_not())
        .then(punct(';').or_not().map(|s| s.is_some()))
        .validate(|((target, assign), semicolon), e, emitter| match assign {
            Some(((op, op_span), value)) => {
                if !semicolon {
                    emitter.emit(E::custom(
                        SimpleSpan::from(e.span().end..e.span().end),
                        "expected `;` after the assignment",
                    ));
                }
                StmtKind::Assign {
                    target: Box::new(target),
                    op,
                    op_span,
                    value: Box::new(value),
                }
            }
            None => StmtKind::Expr {
                expr: target,
                semicolon,
            },
        });

    let stmt_recovery = skip_unit()
        .and_is(punct(';').not())
        .repeated()
        .at_least(1)
        .then(punct(';').or_not())
        .to(StmtKind::Error);
    // Most statements start with no statement keyword: one token sends
    // them straight to the expression statement.
    let statement_keyword = select! {
        TokenKind::Keyword(k) if starts_keyword_statement(k) => (),
    };
    let keyword_stmt = choice((
        let_stmt,
        return_stmt,
        break_stmt,
        continue_stmt,
        while_let,
        while_stmt,
        for_stmt,
        loop_stmt,
    ));
    let stmt = statement_keyword
        .rewind()
        .ignore_then(keyword_stmt)
        .or(block_like_stmt)
        .or(expr_stmt)
        .recover_with(via_parser(stmt_recovery))
        .map_with(move |kind, e| Stmt {
            kind,
            span: sp(e.span()),
        })
        .boxed();

    block.define(
        stmt.repeated()
            .collect::<GrowFromOne<_>>()
            .map(GrowFromOne::into_vec)
            .delimited_by(open(Delimiter::Brace), close(Delimiter::Brace))
            .validate(move |mut stmts: Vec<Stmt>, e, emitter| {
                let mut tail = None;
                if let Some(Stmt {
                    kind:
                        StmtKind::Expr {
                            semicolon: false, ..
                        },
                    ..
                }) = stmts.last()
                {
                    if let Some(Stmt {
                        kind: StmtKind::Expr { expr, .. },
                        ..
                    }) = stmts.pop()
                    {
                        tail = Some(Box::new(expr));
                    }
                }
                for s in &stmts {
                    if let StmtKind::Expr {
                        expr,
                        semicolon: false,
                    } = &s.kind
                    {
                        if !is_block_like(expr) {
                            let end = token_at(tokens, expr.span.end);
                            emitter.emit(E::custom(
                                SimpleSpan::from(end..end),
                                "expected `;` after this expression",
                            ));
                        }
                    }
                }
                Block {
                    stmts,
                    tail,
                    span: sp(e.span()),
                }
            })
            .recover_with(via_parser(whole_group(Delimiter::Brace, move |s| Block {
                stmts: vec![Stmt {
                    kind: StmtKind::Error,
                    span: sp(s),
                }],
                tail: None,
                span: sp(s),
            }))),
    );

    // ---- items ----
    let param = choice((
        kw(Keyword::Mutable).to(ParamMode::Mutable),
        kw(Keyword::Owned).to(ParamMode::Owned),
    ))
    .map_with(move |m, e| (m, sp(e.span())))
    .or_not()
    .then(choice((
        self_ident.map(|name| (name, None)),
        ident
            .then_ignore(punct(':'))
            .then(ty.clone())
            .map(|(name, ty)| (name, Some(ty))),
    )))
    .map(|(mode, (name, ty))| Param {
        mode: mode.map_or(ParamMode::Read, |(m, _)| m),
        mode_span: mode.map(|(_, s)| s),
        name,
        ty,
    });
    let params = list_items(param, Delimiter::Paren);
    let returns = kw(Keyword::Returns).ignore_then(ty.clone()).or_not();

    let function = kw(Keyword::Function)
        .ignore_then(ident)
        .then(params.clone())
        .then(returns.clone())
        .then(block.clone())
        .map(|(((name, params), returns), body)| Function {
            name,
            params,
            returns,
            body,
        });

    let field = docs
        .then(ident)
        .then_ignore(punct(':'))
        .then(ty.clone())
        .map(|((docs, name), ty)| Field { docs, name, ty });
    // A field ends at `,`, at the closing brace, or, where the `,` was
    // forgotten, where the next field starts: reported with the `,` to add,
    // and the record kept whole so its uses still resolve.
    let field_end = choice((
        punct(',').to(true),
        close(Delimiter::Brace).rewind().to(true),
        ident.then(punct(':')).rewind().to(false),
    ));
    let record_field = field
        .then(field_end)
        .validate(|(field, separated), e, emitter| {
            if !separated {
                let span: SimpleSpan = e.span();
                emitter.emit(E::custom(
                    SimpleSpan::from(span.end..span.end),
                    MISSING_COMMA,
                ));
            }
            field
        });
    let skip_field = skip_unit()
        .and_is(punct(',').not())
        .repeated()
        .at_least(1)
        .then(punct(',').or_not())
        .map(|_| None);
    let record_fields = record_field
        .map(Some)
        .recover_with(via_parser(skip_field))
        .repeated()
        .collect::<Vec<_>>()
        .delimited_by(open(Delimiter::Brace), close(Delimiter::Brace))
        .map(|items: Vec<Option<Field>>| {
            let dropped = items.iter().any(Option::is_none);
            (items.into_iter().flatten().collect::<Vec<_>>(), dropped)
        });
    let record = kw(Keyword::Record)
        .ignore_then(ident)
        .then(record_fields)
        .map(|(name, (fields, incomplete))| {
            ItemKind::Record(Record {
                name,
                fields,
                incomplete,
            })
        });

    let variant = docs
        .then(ident)
        .then(
            ty.clone()
                .separated_by(punct(','))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(open(Delimiter::Paren), close(Delimiter::Paren))
                .or_not(),
        )
        .map(|((docs, name), payload)| Variant {
            docs,
            name,
            payload: payload.unwrap_or_default(),
        });
    let enumeration = kw(Keyword::Enum)
        .ignore_then(ident)
        .then(list_items(variant, Delimiter::Brace))
        .map(|(name, variants)| ItemKind::Enum(Enum { name, variants }));

    let constant = kw(Keyword::Constant)
        .ignore_then(ident)
        .then_ignore(punct(':'))
        .then(ty.clone())
        .then_ignore(punct('='))
        .then(expr.clone())
        .then_ignore(punct(';'))
        .map(|((name, ty), value)| ItemKind::Constant(Constant { name, ty, value }));

    let public = kw(Keyword::Public)
        .map_with(move |_, e| sp(e.span()))
        .or_not();
    let method_item =
        docs.then(public.clone())
            .then(function.clone())
            .map_with(move |((docs, public), f), e| Item {
                docs,
                public,
                kind: ItemKind::Function(f),
                span: sp(e.span()),
            });
    let methods = kw(Keyword::Methods)
        .ignore_then(ident)
        .then(
            method_item
                .repeated()
                .collect::<Vec<_>>()
                .delimited_by(open(Delimiter::Brace), close(Delimiter::Brace)),
        )
        .map(|(target, functions)| ItemKind::Methods(Methods { target, functions }));

    let rust_function = kw(Keyword::RustFunction)
        .ignore_then(ident)
        .then(params)
        .then(returns)
        .then_ignore(punct('='))
        .then(rust_path.clone())
        .then_ignore(punct(';'))
        .map(|(((name, params), returns), path)| {
            ItemKind::RustFunction(RustFunction {
                name,
                params,
                returns,
                path,
            })
        });
    let rust_type = kw(Keyword::RustType)
        .ignore_then(ident)
        .then_ignore(punct('='))
        .then(rust_path)
        .then_ignore(punct(';'))
        .map(|(name, path)| ItemKind::RustType(RustType { name, path }));
    let use_module = kw(Keyword::UseModule)
        .ignore_then(ident)
        .then_ignore(punct(';'))
        .map(ItemKind::UseModule);
    let test = kw(Keyword::Test)
        .ignore_then(ident)
        .then(block.clone())
        .map(|(name, body)| ItemKind::Test(Test { name, body }));

    // Blocks: `word name? { entries }`, one syntax for every block kind.
    // An entry ends at `,`, or at the closing brace; a nested block needs
    // no `,`. A broken entry is skipped to its `,` and the rest are kept.
    let block_head = ident.then(ident.or_not());
    let extension_block = recursive(|extension_block| {
        let entry_end = punct(',')
            .ignored()
            .or(close(Delimiter::Brace).rewind().ignored());
        let setting = ident
            .then_ignore(punct(':'))
            .then(expr.clone())
            .then_ignore(entry_end.clone())
            .map(|(name, value)| BlockEntryKind::Setting { name, value });
        let declaration = ident
            .then(ident)
            .then_ignore(punct(':'))
            .then(ty.clone())
            .then(punct('=').ignore_then(expr.clone()).or_not())
            .then_ignore(entry_end)
            .map(
                |(((keyword, name), ty), value)| BlockEntryKind::Declaration {
                    keyword,
                    name,
                    ty,
                    value,
                },
            );
        let nested = extension_block
            .then_ignore(punct(',').or_not())
            .map(BlockEntryKind::Block);
        let skip_entry = skip_unit()
            .and_is(punct(',').not())
            .repeated()
            .at_least(1)
            .then(punct(',').or_not())
            .to(BlockEntryKind::Error);
        let entry = choice((nested, declaration, setting))
            .recover_with(via_parser(skip_entry))
            .map_with(move |kind, e| BlockEntry {
                kind,
                span: sp(e.span()),
            });
        block_head
            .then(
                entry
                    .repeated()
                    .collect::<Vec<_>>()
                    .delimited_by(open(Delimiter::Brace), close(Delimiter::Brace)),
            )
            .map_with(move |((keyword, name), entries), e| ExtensionBlock {
                keyword,
                name,
                entries,
                span: sp(e.span()),
            })
    });

    // Recovery resumes at a named block (`partition app {`); `word {` alone
    // is too common inside broken code (`returns i64 {`) to resume at.
    let item_start = select! {
        TokenKind::Keyword(k) if k.starts_item() => (),
        TokenKind::DocComment => (),
    }
    .or(ident.then(ident).then(open(Delimiter::Brace)).ignored())
    .rewind();
    let item_recovery = skip_unit()
        .then(skip_unit().and_is(item_start.not()).repeated())
        .to(ItemKind::Error);

    let item = docs
        .then(public)
        .then(
            choice((
                function.map(ItemKind::Function),
                record,
                enumeration,
                constant,
                methods,
                rust_function,
                rust_type,
                use_module,
                test,
                // Only what starts like a block is read as one, so code
                // written outside any function (`greet();`) is reported
                // as not an item.
                block_start()
                    .ignore_then(extension_block)
                    .map(ItemKind::Block),
            ))
            .recover_with(via_parser(item_recovery)),
        )
        .map_with(move |((docs, public), kind), e| Item {
            docs,
            public,
            kind,
            span: sp(e.span()),
        });

    item.repeated().collect::<Vec<_>>().then_ignore(end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{lexer, rust_habits};

    /// Every `.pt` file of the valid and error corpora (a valid program may
    /// be a folder of modules).
    fn corpus_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut files = Vec::new();
        let mut folders = vec![root];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("corpus folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "pt") {
                    files.push(path);
                }
            }
        }
        files
    }

    #[test]
    fn the_fast_pass_reads_what_the_careful_pass_reads() {
        // The corpus nests deeply on purpose: parse on the compiler's stack.
        crate::parallel::on_compiler_thread(both_passes_agree_on_the_corpus);
    }

    fn both_passes_agree_on_the_corpus() {
        let files = corpus_files();
        assert!(files.len() > 100, "found {} corpus files", files.len());
        let (mut read_by_both, mut syntax_errors) = (0, 0);
        for path in files {
            let text = std::fs::read_to_string(&path).expect("corpus file");
            let mut diagnostics = Diagnostics::new();
            let mut lexed = lexer::lex(&text, FileId(0), &mut diagnostics);
            rust_habits::rewrite(&mut lexed.tokens, &text, FileId(0), &mut diagnostics);
            let fast = parse_clean(&lexed.tokens, &text, FileId(0));
            let mut careful_errors = Diagnostics::new();
            let careful = parse(
                &lexed.tokens,
                &text,
                FileId(0),
                &Default::default(),
                &mut careful_errors,
            );
            match fast {
                Some(items) => {
                    assert!(careful_errors.is_empty(), "{}", path.display());
                    assert_eq!(items, careful.items, "{}", path.display());
                    read_by_both += 1;
                }
                None => {
                    // A token the lexer rejected was reported by the lexer.
                    let rejected = lexed.tokens.iter().any(|t| t.kind == TokenKind::Error);
                    let reported = !careful_errors.is_empty() || rejected;
                    assert!(reported, "{}", path.display());
                    syntax_errors += 1;
                }
            }
        }
        assert!(read_by_both > 0 && syntax_errors > 0);
    }
}
