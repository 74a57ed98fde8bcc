//! The typed IR: the checker's output and the contract with every back end.
//! Names are resolved to ids, every expression carries its type, and each
//! local records how it is represented in Rust, so the lowering makes no
//! semantic decisions of its own.

use crate::source::Span;
use crate::syntax::ast::{BinaryOp, ParamMode, UnaryOp};
pub use smol_str::SmolStr;

/// Index of a record, enum or Rust type in [`Program::types`].
pub type TypeId = usize;
/// Index of a function in [`Program::functions`].
pub type FunctionId = usize;
/// Index of a constant in [`Program::constants`].
pub type ConstId = usize;
/// Index of a module in [`Program::modules`].
pub type ModuleId = usize;
/// Index of a local in its function's [`Body::locals`].
pub type LocalId = usize;

/// A Parseltongue type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// `i64`
    I64,
    /// `f64`
    F64,
    /// `bool`
    Bool,
    /// `string`
    Str,
    /// `ordering`: the result of comparing two values (`Ordering::Less`,
    /// `Ordering::Equal`, `Ordering::Greater`), Rust's `std::cmp::Ordering`.
    Ordering,
    /// The type of statements and of functions without `returns`.
    Unit,
    /// The type of `return`, `break`, `panic(…)`: fits anywhere.
    Never,
    /// `list<T>`
    List(Box<Ty>),
    /// `map<K, V>`
    Map(Box<Ty>, Box<Ty>),
    /// `option<T>`
    Option(Box<Ty>),
    /// `result<T, E>`
    Result(Box<Ty>, Box<Ty>),
    /// `thread<T>`: a running thread that produces a `T`.
    Thread(Box<Ty>),
    /// `task<T>`: work running on a partition's core that produces a `T`.
    Task(Box<Ty>),
    /// `mailbox<T>`: the sending end of a partition's message queue.
    Mailbox(Box<Ty>),
    /// `range(a, b)`: only iterated by `for`.
    Range,
    /// A record, enum or Rust type.
    Named(TypeId),
    /// An empty `list_of()` or `map_of()` or `None` whose element type is
    /// not known yet.
    Unknown,
    /// The type of an expression that had an error; fits anywhere so one
    /// mistake is reported once.
    Error,
}

impl Ty {
    /// `i64`, `f64`, `bool` and unit are copied, never borrowed or cloned.
    pub fn is_copy(&self) -> bool {
        matches!(
            self,
            Ty::I64 | Ty::F64 | Ty::Bool | Ty::Ordering | Ty::Unit | Ty::Never
        )
    }

    /// True if the type has an error or unknown part.
    pub fn is_incomplete(&self) -> bool {
        match self {
            Ty::Error | Ty::Unknown => true,
            Ty::List(t) | Ty::Option(t) | Ty::Thread(t) | Ty::Task(t) | Ty::Mailbox(t) => {
                t.is_incomplete()
            }
            Ty::Map(a, b) | Ty::Result(a, b) => a.is_incomplete() || b.is_incomplete(),
            _ => false,
        }
    }
}

/// What a record, enum or Rust type is.
#[derive(Clone, Debug)]
pub enum TypeDefKind {
    /// Named fields.
    Record(Vec<(SmolStr, Ty)>),
    /// Variants with tuple payloads.
    Enum(Vec<(SmolStr, Vec<Ty>)>),
    /// A Rust type used through `rust_type`, with its Rust path.
    Rust(String),
    /// A type declared by an extension from one of its blocks (a topic's
    /// producer): opaque as a Rust type is; the extension's lowering
    /// defines it in the generated module of the declaring module.
    Extension,
}

impl TypeDefKind {
    /// True for types whose values programs only store, pass and return:
    /// Rust types and extensions' types.
    pub fn is_opaque(&self) -> bool {
        matches!(self, TypeDefKind::Rust(_) | TypeDefKind::Extension)
    }
}

/// A record, enum or Rust type.
#[derive(Clone, Debug)]
pub struct TypeDef {
    /// The module that declares it.
    pub module: ModuleId,
    /// Its name.
    pub name: SmolStr,
    /// Its shape.
    pub kind: TypeDefKind,
    /// Declared `public`.
    pub public: bool,
    /// Where it was declared.
    pub span: Span,
    /// `///` lines.
    pub docs: Vec<String>,
    /// Field or variant doc lines, by position.
    pub member_docs: Vec<Vec<String>>,
    /// Where each field or variant is named in the declaration, by position.
    pub member_spans: Vec<crate::source::Span>,
    /// Declared with a syntax error in its members: lookups of missing
    /// members are not reported again.
    pub incomplete: bool,
    /// Contains itself through an `option` (directly or through other
    /// types): every `option` of it is stored behind a pointer
    /// (`Option<Box<T>>`), so values stay finite.
    pub recursive: bool,
}

/// Whether a function is free, a method or a Rust function.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionKind {
    /// `function name(…)`
    Free,
    /// A function in `methods T { … }`; `receiver` is the mode of `self`,
    /// if it takes one.
    Method {
        /// The record or enum.
        of: TypeId,
        /// `self`'s mode, or `None` for an associated function.
        receiver: Option<ParamMode>,
    },
    /// Declared by an extension from one of its blocks; the extension's
    /// lowering writes its body in the generated module of `module`.
    Extension,
    /// `rust_function … = path;`
    Rust {
        /// The Rust path called.
        path: String,
    },
    /// `test name { … }`
    Test,
}

/// A parameter.
#[derive(Clone, Debug)]
pub struct Param {
    /// Its name.
    pub name: SmolStr,
    /// How it is passed.
    pub mode: ParamMode,
    /// Its type.
    pub ty: Ty,
}

/// A function's signature and, once checked, its body.
#[derive(Clone, Debug)]
pub struct Function {
    /// The declaring module.
    pub module: ModuleId,
    /// Its name.
    pub name: SmolStr,
    /// Free, method, Rust or test.
    pub kind: FunctionKind,
    /// Its parameters, without `self`.
    pub params: Vec<Param>,
    /// Its return type (`Unit` if none).
    pub returns: Ty,
    /// Declared `public`.
    pub public: bool,
    /// The name's span.
    pub span: Span,
    /// The whole declaration, from its doc comment to its closing brace.
    pub extent: Span,
    /// `///` lines.
    pub docs: Vec<String>,
    /// The checked body; `None` for Rust functions.
    pub body: Option<Body>,
    /// Called or referenced somewhere in the program outside tests.
    pub referenced: bool,
    /// Called or referenced from `test` blocks.
    pub referenced_in_tests: bool,
}

/// A `constant`.
#[derive(Clone, Debug)]
pub struct Constant {
    /// The declaring module.
    pub module: ModuleId,
    /// Its name.
    pub name: SmolStr,
    /// Its type.
    pub ty: Ty,
    /// Its value.
    pub value: Expr,
    /// Declared `public`.
    pub public: bool,
    /// Where.
    pub span: Span,
    /// `///` lines.
    pub docs: Vec<String>,
    /// Used somewhere in the program outside tests.
    pub referenced: bool,
    /// Used from `test` blocks.
    pub referenced_in_tests: bool,
}

/// One source file.
#[derive(Clone, Debug)]
pub struct Module {
    /// The module name (file stem).
    pub name: String,
    /// The file name, for source markers.
    pub file_name: String,
    /// Modules named by `use_module` and actually used.
    pub imports: Vec<ModuleId>,
    /// Items in source order, for the lowering to emit in that order.
    pub items: Vec<ItemRef>,
}

/// A reference to an item of a module, in source order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemRef {
    /// A record, enum or Rust type.
    Type(TypeId),
    /// A free function, Rust function or test.
    Function(FunctionId),
    /// A `methods` block.
    Methods(TypeId, usize),
    /// A constant.
    Constant(ConstId),
}

/// A checked program: all modules, the root first.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Modules; index 0 is the root.
    pub modules: Vec<Module>,
    /// Records, enums and Rust types.
    pub types: Vec<TypeDef>,
    /// Functions, methods, Rust functions and tests.
    pub functions: Vec<Function>,
    /// Constants.
    pub constants: Vec<Constant>,
    /// Method groups: for `ItemRef::Methods(t, i)`, `methods[i]` lists its functions.
    pub methods: Vec<Vec<FunctionId>>,
    /// The 1-based line of each item in its module's file, for source markers.
    pub item_lines: rustc_hash::FxHashMap<ItemRef, usize>,
    /// The span of each item's declaration, for the generated lines' origins.
    pub item_spans: rustc_hash::FxHashMap<ItemRef, crate::source::Span>,
    /// Every name the checker resolved, with what it refers to (sorted by
    /// position once checking ends): the index editors navigate by.
    pub references: Vec<Reference>,
    /// The partition plan: the program's `partition` blocks, or the
    /// default plan when it declares none.
    pub partitions: PartitionPlan,
    /// The extensions the program was checked with.
    pub extensions: crate::extension::Extensions,
    /// What each extension with blocks in the program made of them.
    pub checked_extensions: Vec<crate::extension::CheckedExtension>,
}

/// Which cores run a program's work and how they schedule it: the
/// `partition` blocks (and the `partition_plan` block) of a program.
#[derive(Clone, Debug, Default)]
pub struct PartitionPlan {
    /// The partitions in declaration order; a program without `partition`
    /// blocks has the default plan's one partition, `main`.
    pub partitions: Vec<PartitionDecl>,
    /// Cores left to the operating system.
    pub system_cores: Vec<u32>,
    /// `fallback: shrink`: share cores when the machine has too few,
    /// with a warning, instead of refusing to start.
    pub shrink: bool,
    /// True if the program wrote a plan (else it has the default plan).
    pub declared: bool,
    /// True if the program runs work on a partition or reads its counters:
    /// only then does the generated program start the runtime.
    pub used: bool,
}

impl PartitionPlan {
    /// The partition called `name`.
    pub fn find(&self, name: &str) -> Option<&PartitionDecl> {
        self.partitions.iter().find(|p| p.name == name)
    }

    /// The position of the partition called `name`.
    pub fn position(&self, name: &str) -> Option<PartitionId> {
        self.partitions.iter().position(|p| p.name == name)
    }
}

/// One `partition NAME { … }` block.
#[derive(Clone, Debug)]
pub struct PartitionDecl {
    /// Its name.
    pub name: SmolStr,
    /// Its cores; `None` for every usable core (the default plan).
    pub cores: Option<Vec<u32>>,
    /// How its cores schedule work.
    pub policy: PartitionPolicy,
    /// `realtime_priority: N`: run under `SCHED_FIFO` at this priority.
    pub realtime_priority: Option<u8>,
    /// Where its name is declared (the whole program for the default plan).
    pub span: Span,
}

/// A partition's scheduler policy, as its block's `policy` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionPolicy {
    /// Run-to-completion, first come first served: request/response work.
    Api,
    /// Message consumers served in batches of up to `batch`.
    Messaging {
        /// The most messages handled in one go.
        batch: u32,
    },
    /// A cyclic executive: slots once per cycle of `cycle_ms` milliseconds.
    Frame {
        /// The cycle's length.
        cycle_ms: u32,
    },
    /// Background work that yields to everything else.
    Batch,
}

impl PartitionPolicy {
    /// The policy's name as a block writes it.
    pub fn name(self) -> &'static str {
        match self {
            PartitionPolicy::Api => "api",
            PartitionPolicy::Messaging { .. } => "messaging",
            PartitionPolicy::Frame { .. } => "frame",
            PartitionPolicy::Batch => "batch",
        }
    }
}

impl Program {
    /// Whether `option<inner>` is stored behind a pointer: `inner` is a
    /// record or enum that contains itself (`TypeDef::recursive`).
    pub fn boxed_in_option(&self, inner: &Ty) -> bool {
        matches!(inner, Ty::Named(id) if self.types.get(*id).is_some_and(|t| t.recursive))
    }

    /// A type as the user writes it (`list<string>`, `Point`).
    pub fn show_type(&self, ty: &Ty) -> String {
        match ty {
            Ty::I64 => "i64".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "string".into(),
            Ty::Ordering => "ordering".into(),
            Ty::Unit => "nothing".into(),
            Ty::Never => "never".into(),
            Ty::List(t) => format!("list<{}>", self.show_type(t)),
            Ty::Map(k, v) => format!("map<{}, {}>", self.show_type(k), self.show_type(v)),
            Ty::Option(t) => format!("option<{}>", self.show_type(t)),
            Ty::Result(t, e) => format!("result<{}, {}>", self.show_type(t), self.show_type(e)),
            Ty::Thread(t) => format!("thread<{}>", self.show_type(t)),
            Ty::Task(t) => format!("task<{}>", self.show_type(t)),
            Ty::Mailbox(t) => format!("mailbox<{}>", self.show_type(t)),
            Ty::Range => "range".into(),
            Ty::Named(id) => self
                .types
                .get(*id)
                .map_or("_".into(), |t| t.name.to_string()),
            Ty::Unknown => "_".into(),
            Ty::Error => "{error}".into(),
        }
    }
}

/// What a name in the source stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A local of a function body (a parameter, binding, loop or pattern name).
    Local {
        /// The function whose body declares it.
        function: FunctionId,
        /// The local.
        local: LocalId,
    },
    /// A function, method, test or Rust function.
    Function(FunctionId),
    /// A record, enum or Rust type.
    Type(TypeId),
    /// A record's field, by position.
    Field(TypeId, usize),
    /// An enum's variant, by position.
    Variant(TypeId, usize),
    /// A constant.
    Constant(ConstId),
    /// A module.
    Module(ModuleId),
    /// A partition of the plan.
    Partition(PartitionId),
}

/// A resolved name: where it is written and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The name as written (one identifier).
    pub span: crate::source::Span,
    /// What it refers to.
    pub target: Target,
}

impl Reference {
    /// The order references are kept in: by position, then by target.
    pub fn source_order(&self) -> (crate::source::FileId, u32, u32, Target) {
        (self.span.file, self.span.start, self.span.end, self.target)
    }
}

/// How a local is represented in the generated Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr {
    /// An owned value `T`.
    Value,
    /// A shared reference `&T` (read parameters, borrowed loop items and
    /// match bindings).
    Ref,
    /// A mutable reference `&mut T` (`mutable` parameters).
    MutRef,
    /// `Cow<'_, T>`.
    Cow,
    /// `Arc<T>`.
    Arc,
    /// `Arc<Mutex<T>>`.
    ArcMutex,
    /// A `MutexGuard<T>` inside `with_lock`.
    Guard,
}

/// A local variable or parameter.
#[derive(Clone, Debug)]
pub struct Local {
    /// Its name.
    pub name: SmolStr,
    /// Its type.
    pub ty: Ty,
    /// Its Rust representation.
    pub repr: Repr,
    /// Declared with `let_mut_var` (or a mutable guard / parameter).
    pub mutable: bool,
    /// Assigned or mutated after its declaration.
    pub mutated: bool,
    /// Read at least once.
    pub used: bool,
    /// Where it was declared.
    pub span: Span,
    /// Made by the compiler, not written (the parameters of the closure a
    /// function argument lowers to): editors do not offer it.
    pub generated: bool,
}

/// A function body with its locals.
#[derive(Clone, Debug)]
pub struct Body {
    /// Every local, parameters first (`self` included, if any).
    pub locals: Vec<Local>,
    /// The parameters' locals in order.
    pub params: Vec<LocalId>,
    /// The code.
    pub block: Block,
    /// Some value stored in a local is never read (reported as PT0505);
    /// the lowering tells rustc not to report it again.
    pub has_dead_stores: bool,
}

/// A block of statements with an optional value.
#[derive(Clone, Debug)]
pub struct Block {
    /// The statements.
    pub stmts: Vec<Stmt>,
    /// The value, if any.
    pub tail: Option<Box<Expr>>,
}

/// A checked statement.
#[derive(Clone, Debug)]
pub enum Stmt {
    /// A binding.
    Let {
        /// The local it introduces.
        local: LocalId,
        /// Its initial value.
        value: Expr,
        /// The source line, for readability of the output.
        span: Span,
    },
    /// `target = value` or `target op= value`.
    Assign {
        /// A place: local, field or index.
        target: Box<Expr>,
        /// `None` for plain `=`.
        op: Option<BinaryOp>,
        /// The value.
        value: Box<Expr>,
    },
    /// An expression statement.
    Expr(Expr),
    /// `return`.
    Return(Option<Expr>),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `while`.
    While {
        /// The condition.
        condition: Box<Expr>,
        /// The body.
        body: Block,
    },
    /// `for`.
    For {
        /// The loop variable.
        local: LocalId,
        /// What is iterated.
        iterable: Box<Expr>,
        /// The body.
        body: Block,
    },
    /// `loop`.
    Loop(Block),
}

/// A built-in operation: a keyword call or a method of a built-in type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `print_line(fmt, …)`
    PrintLine,
    /// `print(fmt, …)`
    Print,
    /// `print_error_line(fmt, …)`
    PrintErrorLine,
    /// `format(fmt, …)`
    Format,
    /// `panic(fmt, …)`
    Panic,
    /// `assert(condition)`
    Assert,
    /// `assert_equal(left, right)`
    AssertEqual,
    /// `list_of_copies(value, count)`
    ListOfCopies,
    /// `list_of(…)`
    ListOf,
    /// `map_of()`
    MapOf,
    /// `range(start, end)`
    Range,
    /// `range_inclusive(start, end)`
    RangeInclusive,
    /// `Some(x)`
    Some,
    /// `None`
    None,
    /// `Ok(x)`
    Ok,
    /// `Err(e)`
    Err,
    /// A method of a built-in type; the receiver is the first argument.
    Method(BuiltinMethod),
    /// `run_every_cycle(partition, function, budget_ms)`: the arguments are
    /// the function (a `FunctionArgument` of the cycle number) and the budget.
    RunEveryCycle(PartitionId),
    /// `mailbox_on(partition, handler)`: the argument is the handler (a
    /// `FunctionArgument` of one message).
    MailboxOn(PartitionId),
    /// `partition_metrics()`: the runtime's counters as text.
    PartitionMetrics,
}

/// A partition's position in [`PartitionPlan::partitions`].
pub type PartitionId = usize;

/// Methods of the built-in types.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinMethod {
    Length,
    IsEmpty,
    Contains,
    StartsWith,
    EndsWith,
    ToUpper,
    ToLower,
    Trim,
    Substring,
    Find,
    Chars,
    SplitFirst,
    Append,
    Split,
    Replace,
    Lines,
    ParseInt,
    ParseFloat,
    ToText,
    ToF64,
    ToI64,
    Abs,
    Min,
    Max,
    Pow,
    Sqrt,
    Floor,
    Ceil,
    Round,
    CheckedAdd,
    CheckedSub,
    CheckedMul,
    CheckedDiv,
    Compare,
    OrderReverse,
    OrderThen,
    BitAnd,
    BitOr,
    BitXor,
    BitNot,
    ShiftLeft,
    ShiftRight,
    Push,
    Pop,
    Get,
    First,
    Last,
    Sort,
    SortBy,
    SortByKey,
    MinBy,
    MaxBy,
    MinByKey,
    MaxByKey,
    Reverse,
    Join,
    Insert,
    Remove,
    Clear,
    ReverseRange,
    RotateRange,
    FillRange,
    CopyRange,
    Sublist,
    ContainsKey,
    Keys,
    Values,
    IsSome,
    IsNone,
    IsOk,
    IsErr,
    Unwrap,
    Expect,
    UnwrapOr,
    JoinThread,
    JoinTask,
    Send,
    Clone,
}

impl BuiltinMethod {
    /// Whether the method changes the value it is called on (`push`,
    /// `sort`, `append`, the list range methods…).
    pub fn changes_receiver(self) -> bool {
        use BuiltinMethod as M;
        matches!(
            self,
            M::Push
                | M::Pop
                | M::Insert
                | M::Remove
                | M::Clear
                | M::Sort
                | M::SortBy
                | M::SortByKey
                | M::Reverse
                | M::Append
                | M::ReverseRange
                | M::RotateRange
                | M::FillRange
                | M::CopyRange
        )
    }
}

/// A checked expression with its type.
#[derive(Clone, Debug)]
pub struct Expr {
    /// Its shape.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Ty,
    /// Where.
    pub span: Span,
}

/// The shapes of a checked expression.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// An `i64` literal.
    Int(i64),
    /// An `f64` literal.
    Float(f64),
    /// A string literal (borrowed `&'static str` until an owned string is needed).
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// `Ordering::Less`, `Ordering::Equal`, `Ordering::Greater`.
    Ordering(std::cmp::Ordering),
    /// A function named as the argument of a built-in method
    /// (`xs.sort_by(by_name)`): `call` applies it to `params`, locals that
    /// view the elements the method hands it (Rust closure parameters).
    FunctionArgument {
        /// The locals the function is applied to, in order.
        params: Vec<LocalId>,
        /// The call of the named function on them.
        call: Box<Expr>,
    },
    /// A local; `moved` is set when this is its last use and the value may
    /// be moved instead of cloned.
    Local {
        /// The local.
        id: LocalId,
        /// Whether the value may be moved here.
        moved: bool,
    },
    /// A constant.
    Const(ConstId),
    /// A call of a free function, associated function or Rust function.
    Call {
        /// The function.
        function: FunctionId,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// A method call on a record or enum.
    MethodCall {
        /// The method.
        function: FunctionId,
        /// The receiver.
        receiver: Box<Expr>,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// A built-in operation.
    Builtin {
        /// Which.
        builtin: Builtin,
        /// Its arguments (the receiver first for methods).
        args: Vec<Expr>,
    },
    /// An enum variant value.
    Variant {
        /// The enum.
        ty: TypeId,
        /// The variant's position.
        index: usize,
        /// The payload.
        args: Vec<Expr>,
    },
    /// A record literal.
    Record {
        /// The record.
        ty: TypeId,
        /// Each field's position in the declaration and its value, in the
        /// order written: the order they are evaluated in.
        fields: Vec<(usize, Expr)>,
    },
    /// `base.field`
    Field {
        /// The record value.
        base: Box<Expr>,
        /// The field's position.
        index: usize,
    },
    /// `base[index]`
    Index {
        /// The list.
        base: Box<Expr>,
        /// The position.
        index: Box<Expr>,
    },
    /// `-x`, `!x`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A flat chain of operators of one precedence level.
    Binary {
        /// The first operand.
        first: Box<Expr>,
        /// The rest.
        rest: Vec<(BinaryOp, Expr)>,
    },
    /// `propagate x`
    Propagate(Box<Expr>),
    /// `if` / `else if` / `else`
    If {
        /// Conditions and blocks.
        branches: Vec<(Expr, Block)>,
        /// The `else` block.
        otherwise: Option<Box<Block>>,
    },
    /// `match`
    Match {
        /// The matched value.
        scrutinee: Box<Expr>,
        /// The arms.
        arms: Vec<(Pattern, Expr)>,
    },
    /// `{ … }`
    Block(Block),
    /// `spawn_thread { … }`, or `spawn_on partition { … }` when `on` names
    /// the partition: `captures` are the shared locals it uses.
    SpawnThread {
        /// The partition the block runs on, or `None` for a new thread.
        on: Option<PartitionId>,
        /// Shared locals whose `Arc` is cloned into the thread.
        captures: Vec<LocalId>,
        /// The thread's code.
        body: Box<Block>,
    },
    /// `with_lock shared as guard { … }`, whose value is the block's.
    WithLock {
        /// The `Arc<Mutex<T>>` local.
        shared: LocalId,
        /// The guard local.
        guard: LocalId,
        /// The body.
        body: Box<Block>,
    },
    /// `with_entry map[key] or_insert default as value { … }`, whose value
    /// is the block's: `value` views the key's value in the map (inserted
    /// first, if missing, by evaluating `default`) and may change it.
    WithEntry {
        /// The map: a variable, field or element.
        map: Box<Expr>,
        /// The key.
        key: Box<Expr>,
        /// The value inserted for a missing key.
        default: Box<Expr>,
        /// The local that views the value (a `&mut V`).
        value: LocalId,
        /// The body.
        body: Box<Block>,
    },
    /// A format string with its arguments, for the printing built-ins.
    Template {
        /// The format string as written.
        template: String,
    },
    /// Anything that had an error.
    Error,
}

/// A checked pattern.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// `_`
    Wildcard,
    /// A binding.
    Binding(LocalId),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// `Ordering::Less`, `Ordering::Equal` or `Ordering::Greater`.
    Ordering(std::cmp::Ordering),
    /// A user enum variant.
    Variant {
        /// The enum.
        ty: TypeId,
        /// The variant.
        index: usize,
        /// The payload patterns.
        args: Vec<Pattern>,
    },
    /// `Some(p)`
    Some(Box<Pattern>),
    /// `None`
    None,
    /// `Ok(p)`
    Ok(Box<Pattern>),
    /// `Err(p)`
    Err(Box<Pattern>),
    /// Had an error.
    Error,
}

/// Calls `visit_expr` on every expression of `block` (outer before inner)
/// and `visit_stmt` on every statement, in source order.
pub fn walk_block(
    block: &Block,
    visit_expr: &mut dyn FnMut(&Expr),
    visit_stmt: &mut dyn FnMut(&Stmt),
) {
    for stmt in &block.stmts {
        visit_stmt(stmt);
        match stmt {
            Stmt::Let { value, .. } => walk_expr(value, visit_expr, visit_stmt),
            Stmt::Assign { target, value, .. } => {
                walk_expr(target, visit_expr, visit_stmt);
                walk_expr(value, visit_expr, visit_stmt);
            }
            Stmt::Expr(e) | Stmt::Return(Some(e)) => walk_expr(e, visit_expr, visit_stmt),
            Stmt::Return(None) | Stmt::Break | Stmt::Continue => {}
            Stmt::While { condition, body } => {
                walk_expr(condition, visit_expr, visit_stmt);
                walk_block(body, visit_expr, visit_stmt);
            }
            Stmt::For { iterable, body, .. } => {
                walk_expr(iterable, visit_expr, visit_stmt);
                walk_block(body, visit_expr, visit_stmt);
            }
            Stmt::Loop(body) => walk_block(body, visit_expr, visit_stmt),
        }
    }
    if let Some(tail) = &block.tail {
        walk_expr(tail, visit_expr, visit_stmt);
    }
}

/// Calls `visit_expr` on `expr` and everything inside it.
pub fn walk_expr(
    expr: &Expr,
    visit_expr: &mut dyn FnMut(&Expr),
    visit_stmt: &mut dyn FnMut(&Stmt),
) {
    visit_expr(expr);
    match &expr.kind {
        ExprKind::Call { args, .. }
        | ExprKind::Builtin { args, .. }
        | ExprKind::Variant { args, .. } => {
            args.iter()
                .for_each(|a| walk_expr(a, visit_expr, visit_stmt));
        }
        ExprKind::Record { fields, .. } => fields
            .iter()
            .for_each(|(_, a)| walk_expr(a, visit_expr, visit_stmt)),
        ExprKind::MethodCall { receiver, args, .. } => {
            walk_expr(receiver, visit_expr, visit_stmt);
            args.iter()
                .for_each(|a| walk_expr(a, visit_expr, visit_stmt));
        }
        ExprKind::Field { base, .. }
        | ExprKind::Unary { operand: base, .. }
        | ExprKind::Propagate(base)
        | ExprKind::FunctionArgument { call: base, .. } => {
            walk_expr(base, visit_expr, visit_stmt);
        }
        ExprKind::Index { base, index } => {
            walk_expr(base, visit_expr, visit_stmt);
            walk_expr(index, visit_expr, visit_stmt);
        }
        ExprKind::Binary { first, rest } => {
            walk_expr(first, visit_expr, visit_stmt);
            rest.iter()
                .for_each(|(_, r)| walk_expr(r, visit_expr, visit_stmt));
        }
        ExprKind::If {
            branches,
            otherwise,
        } => {
            for (c, b) in branches {
                walk_expr(c, visit_expr, visit_stmt);
                walk_block(b, visit_expr, visit_stmt);
            }
            if let Some(b) = otherwise {
                walk_block(b, visit_expr, visit_stmt);
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            walk_expr(scrutinee, visit_expr, visit_stmt);
            arms.iter()
                .for_each(|(_, body)| walk_expr(body, visit_expr, visit_stmt));
        }
        ExprKind::Block(b) => walk_block(b, visit_expr, visit_stmt),
        ExprKind::SpawnThread { body, .. } | ExprKind::WithLock { body, .. } => {
            walk_block(body, visit_expr, visit_stmt)
        }
        ExprKind::WithEntry {
            map,
            key,
            default,
            body,
            ..
        } => {
            walk_expr(map, visit_expr, visit_stmt);
            walk_expr(key, visit_expr, visit_stmt);
            walk_expr(default, visit_expr, visit_stmt);
            walk_block(body, visit_expr, visit_stmt);
        }
        _ => {}
    }
}
