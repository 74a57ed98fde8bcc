//! What the generator knows about the program it is writing: the types,
//! the items declared so far and the variables in scope, with the facts
//! it needs to keep the program free of diagnostics (which bindings were
//! read, changed, or hold a value nothing has read yet).

/// A Parseltongue type, as the generator chooses them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `i64`
    I64,
    /// `f64`
    F64,
    /// `bool`
    Bool,
    /// `string`
    Str,
    /// `list<T>`
    List(Box<Ty>),
    /// `map<K, V>`
    Map(Box<Ty>, Box<Ty>),
    /// `option<T>`
    Option(Box<Ty>),
    /// `result<T, E>`
    Result(Box<Ty>, Box<Ty>),
    /// A record, by index in [`Items::records`].
    Record(usize),
    /// An enum, by index in [`Items::enums`].
    Enum(usize),
}

impl Ty {
    /// `i64`, `f64` and `bool` are copied.
    pub fn is_copy(&self) -> bool {
        matches!(self, Ty::I64 | Ty::F64 | Ty::Bool)
    }

    /// Types whose values are ordered by `<` (and sortable in a list).
    pub fn is_ordered(&self) -> bool {
        matches!(self, Ty::I64 | Ty::F64 | Ty::Str)
    }

    /// Types that may be map keys.
    pub fn is_key(&self) -> bool {
        matches!(self, Ty::I64 | Ty::Str | Ty::Bool)
    }

    /// Types shown by `{}`.
    pub fn is_display(&self) -> bool {
        matches!(self, Ty::I64 | Ty::F64 | Ty::Bool | Ty::Str)
    }
}

/// A record declaration.
#[derive(Clone, Debug)]
pub struct Record {
    /// Its name.
    pub name: String,
    /// Fields in declaration order.
    pub fields: Vec<(String, Ty)>,
}

/// An enum declaration.
#[derive(Clone, Debug)]
pub struct Enum {
    /// Its name.
    pub name: String,
    /// Variants with their payload types.
    pub variants: Vec<(String, Vec<Ty>)>,
}

/// A constant declaration.
#[derive(Clone, Debug)]
pub struct Constant {
    /// Its name.
    pub name: String,
    /// Its type (`i64`, `f64`, `bool` or `string`).
    pub ty: Ty,
    /// Read somewhere.
    pub used: bool,
}

/// How a parameter is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `name: T`
    Read,
    /// `mutable name: T`
    Mutable,
    /// `owned name: T`
    Owned,
}

impl Mode {
    /// The keyword written before the parameter's name.
    pub fn keyword(self) -> &'static str {
        match self {
            Mode::Read => "",
            Mode::Mutable => "mutable ",
            Mode::Owned => "owned ",
        }
    }
}

/// A function or method signature.
#[derive(Clone, Debug)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// The record it is a method of, and the mode of `self`
    /// (`None`: an associated function called `Type::name(…)`).
    pub method_of: Option<(usize, Option<Mode>)>,
    /// Parameters after `self`.
    pub params: Vec<(String, Mode, Ty)>,
    /// The return type, if any.
    pub returns: Option<Ty>,
    /// Called from somewhere already written.
    pub called: bool,
    /// Recursive: its first parameter counts down the calls left, and its
    /// body calls itself once with one less while that is above zero.
    pub recursive: bool,
}

/// Every item declared so far.
#[derive(Clone, Debug, Default)]
pub struct Items {
    /// Records.
    pub records: Vec<Record>,
    /// Enums.
    pub enums: Vec<Enum>,
    /// Constants.
    pub constants: Vec<Constant>,
    /// Functions and methods, in the order they are written.
    pub functions: Vec<Function>,
}

impl Items {
    /// A type as the source writes it.
    pub fn show(&self, ty: &Ty) -> String {
        match ty {
            Ty::I64 => "i64".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "string".into(),
            Ty::List(t) => format!("list<{}>", self.show(t)),
            Ty::Map(k, v) => format!("map<{}, {}>", self.show(k), self.show(v)),
            Ty::Option(t) => format!("option<{}>", self.show(t)),
            Ty::Result(t, e) => format!("result<{}, {}>", self.show(t), self.show(e)),
            Ty::Record(i) => self.records[*i].name.clone(),
            Ty::Enum(i) => self.enums[*i].name.clone(),
        }
    }
}

/// How a variable was introduced, which decides what may be done with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `let_var`
    Let,
    /// `let_mut_var` (written as `let_var` if nothing changes it)
    LetMut,
    /// `let_cow_var`
    Cow,
    /// `let_shared_var`
    Shared,
    /// `let_mut_shared_var`: only inside `with_lock`
    MutShared,
    /// A parameter.
    Param(Mode),
    /// A loop variable or a match binding: a read-only view.
    View,
    /// A `with_lock` guard.
    Guard,
    /// A `thread<T>` handle that must be joined once.
    Thread,
}

/// A variable in scope.
#[derive(Clone, Debug)]
pub struct Var {
    /// Its name.
    pub name: String,
    /// Its type (for a thread: the type `join` gives).
    pub ty: Ty,
    /// How it was introduced.
    pub kind: Kind,
    /// The placeholder of its `let_mut_var` keyword, patched at the end.
    pub keyword_slot: Option<usize>,
    /// Read at least once.
    pub read: bool,
    /// Changed after its declaration.
    pub mutated: bool,
    /// Holds a stored value that nothing has read yet.
    pub pending: bool,
    /// Borrowed by a `let_cow_var` that is still in scope: must not change.
    pub frozen: usize,
    /// Declared outside the `spawn_thread` being written (depth of threads
    /// at declaration).
    pub thread_depth: usize,
    /// A thread handle already joined.
    pub joined: bool,
    /// Consumed by an `owned self` method: never used again.
    pub consumed: bool,
    /// Loops around its declaration.
    pub loops: usize,
}

impl Var {
    /// Whether the program may change this variable as a whole or in part.
    pub fn changeable(&self) -> bool {
        !self.consumed
            && self.frozen == 0
            && matches!(
                self.kind,
                Kind::LetMut | Kind::Cow | Kind::Param(Mode::Mutable | Mode::Owned) | Kind::Guard
            )
    }

    /// Whether it can be passed to a `mutable` parameter.
    pub fn passable_mutable(&self) -> bool {
        !self.consumed
            && self.frozen == 0
            && matches!(self.kind, Kind::LetMut | Kind::Param(Mode::Mutable))
    }

    /// Whether reading it is an ordinary expression.
    pub fn readable(&self) -> bool {
        !self.consumed && !matches!(self.kind, Kind::MutShared | Kind::Thread)
    }
}
