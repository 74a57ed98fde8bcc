//! The syntax tree: what the parser produces, with a span on every node.
//! Malformed input becomes `Error` nodes, so every later phase runs on
//! broken code too. Some nodes record a Rust spelling the parser accepted
//! on purpose (`RustCast`, `RustRange`) so the checker can report it with a
//! fix and carry on.

use super::token::Keyword;
use crate::source::{FileId, Span};

/// A name and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: smol_str::SmolStr,
    /// Where.
    pub span: Span,
}

/// One source file: one module.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// The file.
    pub file: FileId,
    /// Its items in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// `///` lines before it, without the slashes.
    pub docs: Vec<String>,
    /// The span of `public`, if written.
    pub public: Option<Span>,
    /// What it declares.
    pub kind: ItemKind,
    /// The whole item.
    pub span: Span,
}

/// The kinds of item.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `function name(params) returns T { … }`
    Function(Function),
    /// `record Name { field: T, … }`
    Record(Record),
    /// `enum Name { Variant(T, …), … }`
    Enum(Enum),
    /// `constant NAME: T = value;`
    Constant(Constant),
    /// `methods Name { function … }`
    Methods(Methods),
    /// `rust_function name(params) returns T = path::to::function;`
    RustFunction(RustFunction),
    /// `rust_type Name = path::to::Type;`
    RustType(RustType),
    /// `use_module name;`
    UseModule(Ident),
    /// `test name { … }`
    Test(Test),
    /// `word name { entries }`: a block whose first word is not a keyword,
    /// such as `partition app { … }`. Every block kind shares this one
    /// syntax; the checker gives each kind its meaning.
    Block(ExtensionBlock),
    /// An item the parser could not read; already reported.
    Error,
}

/// `word name? { entries }`: a block of settings, declarations and nested
/// blocks, read the same way whatever its kind.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtensionBlock {
    /// The word that names the block's kind (`partition`).
    pub keyword: Ident,
    /// The block's own name, if written (`app`).
    pub name: Option<Ident>,
    /// The entries in written order.
    pub entries: Vec<BlockEntry>,
    /// From the kind's word to the closing brace.
    pub span: Span,
}

/// One entry of an [`ExtensionBlock`].
#[derive(Clone, Debug, PartialEq)]
pub struct BlockEntry {
    /// Its shape.
    pub kind: BlockEntryKind,
    /// The whole entry, without its `,`.
    pub span: Span,
}

/// The three shapes of a block entry, each made of ordinary pieces.
#[derive(Clone, Debug, PartialEq)]
pub enum BlockEntryKind {
    /// `name: value,`
    Setting {
        /// The setting's name.
        name: Ident,
        /// Its value: any expression; the block's kind says what fits.
        value: Expr,
    },
    /// `word name: type = value,` (the value is optional).
    Declaration {
        /// The word that says what is declared (`field`, `state`).
        keyword: Ident,
        /// The declared name.
        name: Ident,
        /// Its type.
        ty: TypeExpr,
        /// Its initial value.
        value: Option<Expr>,
    },
    /// `word name? { entries }`
    Block(ExtensionBlock),
    /// An entry the parser could not read; already reported.
    Error,
}

/// How a parameter receives its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamMode {
    /// Read-only borrow (the default): `&T`, or `T` for `i64`, `f64`, `bool`.
    Read,
    /// `mutable`: a mutable borrow, `&mut T`.
    Mutable,
    /// `owned`: the value is moved in, `T`.
    Owned,
}

/// A parameter, or a method's `self`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its mode and the span of the mode keyword, if written.
    pub mode: ParamMode,
    /// Span of `mutable` / `owned`, if written.
    pub mode_span: Option<Span>,
    /// Its name (`self` for the receiver).
    pub name: Ident,
    /// Its type; `None` for `self`.
    pub ty: Option<TypeExpr>,
}

/// A function or method.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Its name.
    pub name: Ident,
    /// Its parameters; a method's first may be `self`.
    pub params: Vec<Param>,
    /// `returns T`, if written.
    pub returns: Option<TypeExpr>,
    /// The body.
    pub body: Block,
}

/// A record field or its declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Doc lines.
    pub docs: Vec<String>,
    /// Its name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
}

/// `record Name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Its name.
    pub name: Ident,
    /// Its fields.
    pub fields: Vec<Field>,
    /// A field could not be read (already reported): questions about its
    /// fields are not answered with more errors.
    pub incomplete: bool,
}

/// An enum variant with an optional tuple payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Doc lines.
    pub docs: Vec<String>,
    /// Its name.
    pub name: Ident,
    /// The payload types, empty for a unit variant.
    pub payload: Vec<TypeExpr>,
}

/// `enum Name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    /// Its name.
    pub name: Ident,
    /// Its variants.
    pub variants: Vec<Variant>,
}

/// `constant NAME: T = value;`
#[derive(Clone, Debug, PartialEq)]
pub struct Constant {
    /// Its name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// Its value.
    pub value: Expr,
}

/// `methods Name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Methods {
    /// The record or enum the methods belong to.
    pub target: Ident,
    /// The methods (each an `Item` so it can carry docs and `public`).
    pub functions: Vec<Item>,
}

/// `rust_function name(params) returns T = path;`
#[derive(Clone, Debug, PartialEq)]
pub struct RustFunction {
    /// The Parseltongue name.
    pub name: Ident,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Its return type.
    pub returns: Option<TypeExpr>,
    /// The Rust path it calls.
    pub path: Vec<Ident>,
}

/// `rust_type Name = path;`
#[derive(Clone, Debug, PartialEq)]
pub struct RustType {
    /// The Parseltongue name.
    pub name: Ident,
    /// The Rust path of the type.
    pub path: Vec<Ident>,
}

/// `test name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// Its name.
    pub name: Ident,
    /// The body.
    pub body: Block,
}

/// A written type such as `i64`, `list<string>` or `shapes::Shape`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// What was written.
    pub kind: TypeExprKind,
    /// Where.
    pub span: Span,
}

/// The shapes of a written type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// A path with optional `<…>` arguments.
    Named {
        /// `module::Name` segments.
        path: Vec<Ident>,
        /// Type arguments.
        args: Vec<TypeExpr>,
    },
    /// A Rust reference type `&T`, accepted so it can be reported with a fix.
    RustReference(Box<TypeExpr>),
    /// Unreadable; already reported.
    Error,
}

/// `{ statements; tail }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The statements.
    pub stmts: Vec<Stmt>,
    /// The final expression without `;`, the block's value.
    pub tail: Option<Box<Expr>>,
    /// Braces included.
    pub span: Span,
}

/// The binding keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    /// `let_var`: immutable, owned.
    Var,
    /// `let_mut_var`: mutable, owned.
    MutVar,
    /// `let_cow_var`: borrowed until first mutated, then owned (`Cow`).
    CowVar,
    /// `let_shared_var`: shared and read-only (`Arc<T>`).
    SharedVar,
    /// `let_mut_shared_var`: shared and mutable under a lock (`Arc<Mutex<T>>`).
    MutSharedVar,
}

impl BindingKind {
    /// The keyword that introduces this binding.
    pub fn keyword(self) -> Keyword {
        match self {
            BindingKind::Var => Keyword::LetVar,
            BindingKind::MutVar => Keyword::LetMutVar,
            BindingKind::CowVar => Keyword::LetCowVar,
            BindingKind::SharedVar => Keyword::LetSharedVar,
            BindingKind::MutSharedVar => Keyword::LetMutSharedVar,
        }
    }
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// Where, including its `;`.
    pub span: Span,
}

/// Assignment operators: `=` and the compound forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `+=`, `-=`, `*=`, `/=`, `%=`
    Update(BinaryOp),
}

/// The kinds of statement.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let_var name: T = value;` and the other binding keywords.
    Let {
        /// Which keyword.
        kind: BindingKind,
        /// The keyword's span (for fixes that change it).
        keyword_span: Span,
        /// The bound name.
        name: Ident,
        /// The annotation, if written.
        ty: Option<Box<TypeExpr>>,
        /// The initial value.
        value: Box<Expr>,
    },
    /// `place = value;` or `place += value;`
    Assign {
        /// The place written to.
        target: Box<Expr>,
        /// `=` or a compound operator.
        op: AssignOp,
        /// The span of the operator.
        op_span: Span,
        /// The value.
        value: Box<Expr>,
    },
    /// An expression used as a statement.
    Expr {
        /// The expression.
        expr: Expr,
        /// Whether it ended with `;`.
        semicolon: bool,
    },
    /// `return value;`
    Return(Option<Expr>),
    /// `break;`
    Break,
    /// `continue;`
    Continue,
    /// `while condition { … }`
    While {
        /// The condition.
        condition: Box<Expr>,
        /// The body.
        body: Block,
    },
    /// `for name in iterable { … }`
    For {
        /// The loop variable.
        binding: Ident,
        /// What is iterated.
        iterable: Box<Expr>,
        /// The body.
        body: Block,
    },
    /// `loop { … }`
    Loop(Block),
    /// Rust's `while let P = v { … }`, kept to report it.
    RustWhileLet {
        /// The span of `let`.
        let_span: Span,
        /// The pattern.
        pattern: Box<Pattern>,
        /// The matched value.
        value: Box<Expr>,
        /// The loop body.
        body: Block,
    },
    /// Unreadable; already reported.
    Error,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Negate,
    /// `!x`
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
}

/// A Rust bit operator, which Parseltongue writes as an `i64` method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOperator {
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `<<`
    ShiftLeft,
    /// `>>`
    ShiftRight,
}

impl BitOperator {
    /// The operator's Rust spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BitOperator::And => "&",
            BitOperator::Or => "|",
            BitOperator::Xor => "^",
            BitOperator::ShiftLeft => "<<",
            BitOperator::ShiftRight => ">>",
        }
    }

    /// The `i64` method Parseltongue writes instead.
    pub fn method(self) -> &'static str {
        match self {
            BitOperator::And => "bit_and",
            BitOperator::Or => "bit_or",
            BitOperator::Xor => "bit_xor",
            BitOperator::ShiftLeft => "shift_left",
            BitOperator::ShiftRight => "shift_right",
        }
    }
}

impl BinaryOp {
    /// The operator's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }

    /// True for `==`, `!=`, `<`, `<=`, `>`, `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }

    /// True for `&&` and `||`.
    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or)
    }

    /// How tightly the operator binds, loosest first: `&&` and `||`
    /// (one level: mixing them needs parentheses), comparisons, `+ -`,
    /// `* / %`.
    pub fn level(self) -> u8 {
        match self {
            BinaryOp::And | BinaryOp::Or => 0,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => 1,
            BinaryOp::Add | BinaryOp::Sub => 2,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 3,
        }
    }
}

/// One arm of a `match`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    /// The pattern.
    pub pattern: Pattern,
    /// The value.
    pub body: Expr,
    /// The whole arm.
    pub span: Span,
}

/// A pattern in a `match` arm.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    /// Its shape.
    pub kind: PatternKind,
    /// Where.
    pub span: Span,
}

/// The shapes of a pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// A lowercase name that binds the value.
    Binding(Ident),
    /// An integer literal, possibly negative.
    Int(i128),
    /// A string literal.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `Path::Variant`, `Path::Variant(p, …)`, `Some(p)`, `None`, `Ok(p)`, `Err(p)`.
    Variant {
        /// The path as written.
        path: Vec<Ident>,
        /// Sub-patterns; `None` when written without parentheses.
        args: Option<Vec<Pattern>>,
    },
    /// Unreadable; already reported.
    Error,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// Its shape.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// The shapes of an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal (its magnitude; the sign is a unary minus).
    /// Anything past `u64::MAX` is out of range for `i64` anyway and is
    /// kept as `u64::MAX`; a narrower field keeps every node smaller.
    Int(u64),
    /// A float literal.
    Float(f64),
    /// A string literal, escapes resolved.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// A path of one or more segments: `x`, `Shape::Circle`, `shapes::area`.
    Path(Vec<Ident>),
    /// `self`
    SelfValue,
    /// `callee(args)` where the callee is a path.
    Call {
        /// The function or variant.
        callee: Vec<Ident>,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// A built-in such as `print_line(…)` or `list_of(…)`.
    Builtin {
        /// Which one.
        keyword: Keyword,
        /// The keyword's span.
        keyword_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `receiver.method(args)`
    MethodCall {
        /// The receiver.
        receiver: Box<Expr>,
        /// The method name.
        method: Box<Ident>,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `base.field`
    Field {
        /// The record.
        base: Box<Expr>,
        /// The field name.
        field: Ident,
    },
    /// `base[index]`
    Index {
        /// The list.
        base: Box<Expr>,
        /// The position.
        index: Box<Expr>,
    },
    /// `Name { field: value, … }`
    RecordLiteral {
        /// The record's path.
        path: Vec<Ident>,
        /// The fields in written order.
        fields: Vec<(Ident, Expr)>,
    },
    /// `-x`, `!x`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A chain of operators of one precedence level, kept flat:
    /// `a + b - c` is `first = a, rest = [(+, b), (-, c)]`.
    Binary {
        /// The first operand.
        first: Box<Expr>,
        /// The operators with their spans and right operands.
        rest: Vec<(BinaryOp, Span, Expr)>,
    },
    /// `propagate x`: return early with the error or `None`.
    Propagate(Box<Expr>),
    /// `if c { … } else if d { … } else { … }`, kept flat.
    If {
        /// Each condition with its block.
        branches: Vec<(Expr, Block)>,
        /// The final `else` block.
        otherwise: Option<Box<Block>>,
    },
    /// `match x { arms }`
    Match {
        /// The matched value.
        scrutinee: Box<Expr>,
        /// The arms.
        arms: Vec<Arm>,
    },
    /// `{ … }`
    Block(Box<Block>),
    /// `( x )`
    Paren(Box<Expr>),
    /// `spawn_thread { … }`
    SpawnThread(Box<Block>),
    /// `spawn_on partition { … }`: the block runs as a task on one of the
    /// partition's cores.
    SpawnOn {
        /// The partition's name, as its `partition` block declares it.
        partition: Box<Ident>,
        /// The body.
        body: Box<Block>,
    },
    /// `with_lock shared as guard { … }`: the block's value is the value.
    WithLock {
        /// The `let_mut_shared_var` binding.
        shared: Box<Ident>,
        /// The name of the locked value inside the block.
        guard: Box<Ident>,
        /// The body.
        body: Box<Block>,
    },
    /// `with_entry map[key] or_insert value as name { … }`: `name` is the
    /// key's value in the map, inserted first if missing, changed in
    /// place; the block's value is the value.
    WithEntry {
        /// The map (a variable, field or element).
        map: Box<Expr>,
        /// The key.
        key: Box<Expr>,
        /// The value inserted when the key is missing.
        default: Box<Expr>,
        /// The name of the value inside the block.
        name: Box<Ident>,
        /// The body.
        body: Box<Block>,
    },
    /// Rust's `x as T`, kept to report it with a fix.
    RustCast {
        /// The value.
        value: Box<Expr>,
        /// The target type.
        ty: Box<TypeExpr>,
    },
    /// Rust's `if let P = v { … } else { … }`, kept to report it and to
    /// check it like the `match` it stands for.
    RustIfLet {
        /// The span of `let`.
        let_span: Span,
        /// The pattern.
        pattern: Box<Pattern>,
        /// The matched value.
        value: Box<Expr>,
        /// The block run on a match.
        then: Box<Block>,
        /// The `else` block.
        otherwise: Option<Box<Block>>,
    },
    /// Operands separated by text the lexer could not read (already
    /// reported); they are still checked so their names count as used.
    Unreadable(Vec<Expr>),
    /// Rust's `x?`, kept to report it with a fix; checked as `propagate x`.
    RustTry(Box<Expr>),
    /// Rust's `a & b`, `a | b`, `a ^ b`, `a << b` or `a >> b`, kept to
    /// report it with a fix; checked as the method it stands for.
    RustBitOperation {
        /// Which operator.
        op: BitOperator,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// Rust's `a..b` or `a..=b`, kept to report it with a fix.
    RustRange {
        /// Start.
        start: Box<Expr>,
        /// End.
        end: Box<Expr>,
        /// `..=`
        inclusive: bool,
    },
    /// Unreadable; already reported.
    Error,
}
