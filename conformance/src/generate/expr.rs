//! Expressions of a wanted type. Each comes with its precedence level so
//! operands are parenthesised exactly where Parseltongue's grammar needs
//! it (and sometimes where it does not, which the lowering must handle).

use super::model::{Kind, Mode, Ty};
use super::names;
use super::Gen;

/// Precedence levels of Parseltongue's grammar, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    Logic,
    Compare,
    Sum,
    Product,
    Prefix,
    Postfix,
}

/// A variable (scope, index) and maybe one of its fields.
type Place = ((usize, usize), Option<String>);

/// A generated expression.
pub(super) struct E {
    pub text: String,
    pub level: Level,
}

impl E {
    pub(super) fn new(text: impl Into<String>, level: Level) -> E {
        E {
            text: text.into(),
            level,
        }
    }

    fn atom(text: impl Into<String>) -> E {
        E::new(text, Level::Postfix)
    }

    /// The text, parenthesised if it binds looser than `min`.
    pub fn at(self, min: Level) -> String {
        if self.level < min {
            format!("({})", self.text)
        } else {
            self.text
        }
    }
}

impl Gen {
    /// An expression of type `ty` where the context fixes the type (an
    /// annotated binding, an argument, a field): `None`, `Ok`, `Err` are fine.
    pub(super) fn typed(&mut self, ty: &Ty, depth: usize) -> E {
        if self.rng.chance(15) {
            match ty {
                Ty::Option(_) => return E::atom("None"),
                Ty::Result(t, e) => {
                    let (t, e) = (t.clone(), e.clone());
                    return if self.rng.chance(50) {
                        let v = self.typed(&t, depth.saturating_sub(1)).text;
                        E::atom(format!("Ok({v})"))
                    } else {
                        let v = self.typed(&e, depth.saturating_sub(1)).text;
                        E::atom(format!("Err({v})"))
                    };
                }
                _ => {}
            }
        }
        self.expr(ty, depth)
    }

    /// An expression of type `ty` whose own form shows its type.
    pub(super) fn expr(&mut self, ty: &Ty, depth: usize) -> E {
        if depth == 0 || self.rng.chance(25) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        // Forms every type has.
        match self.rng.below(14) {
            0 => {
                if let Some(e) = self.call_returning(ty, d) {
                    return e;
                }
            }
            1 => return self.if_expr(ty, d),
            2 => {
                if let Some(e) = self.match_expr(ty, d) {
                    return e;
                }
            }
            3 => return self.block_expr(ty, d),
            4 => {
                if let Some(e) = self.field_of(ty, d) {
                    return e;
                }
            }
            5 if !ty.is_copy() => {
                let inner = self.expr(ty, d).at(Level::Postfix);
                return E::atom(format!("{inner}.clone()"));
            }
            6 => {
                if let Some(e) = self.lock_read(ty) {
                    return e;
                }
            }
            7 => {
                if let Some(e) = self.propagated(ty, d) {
                    return e;
                }
            }
            _ => {}
        }
        match ty {
            Ty::I64 => self.int_expr(d),
            Ty::F64 => self.float_expr(d),
            Ty::Bool => self.bool_expr(d),
            Ty::Str => self.str_expr(d),
            Ty::List(t) => self.list_expr(t, d),
            Ty::Map(..) => self.leaf(ty),
            Ty::Option(t) => self.option_expr(t, d),
            Ty::Result(t, e) => {
                if **t == Ty::I64 && **e == Ty::Str && self.rng.chance(60) {
                    let s = self.str_expr(d).at(Level::Postfix);
                    return E::atom(format!("{s}.parse_int()"));
                }
                if **t == Ty::F64 && **e == Ty::Str && self.rng.chance(60) {
                    let s = self.str_expr(d).at(Level::Postfix);
                    return E::atom(format!("{s}.parse_float()"));
                }
                self.leaf(ty)
            }
            Ty::Record(_) | Ty::Enum(_) => self.leaf(ty),
        }
    }

    /// `propagate X` with X a `result` of the function's error type or an
    /// `option`, as the function's return type allows (never in a thread,
    /// whose block cannot return).
    fn propagated(&mut self, ty: &Ty, d: usize) -> Option<E> {
        if self.current.threads > 0 {
            return None;
        }
        let wrapped = match self.current.returns.as_ref()? {
            Ty::Result(_, error) => Ty::Result(Box::new(ty.clone()), error.clone()),
            Ty::Option(_) => Ty::Option(Box::new(ty.clone())),
            _ => return None,
        };
        // `expr`, not `typed`: nothing around `propagate` fixes the type
        // of a bare `None` or `Err(…)`.
        let inner = self.expr(&wrapped, d).at(Level::Postfix);
        Some(E::new(format!("propagate {inner}"), Level::Prefix))
    }

    /// A variable of the type, or a literal.
    pub(super) fn leaf(&mut self, ty: &Ty) -> E {
        let vars = self.visible(|v| v.readable() && v.ty == *ty);
        if !vars.is_empty() && self.rng.chance(65) {
            let at = *self.rng.pick(&vars);
            return E::atom(self.read_var(at));
        }
        if let Some(e) = self.constant_of(ty) {
            return e;
        }
        self.literal(ty)
    }

    fn constant_of(&mut self, ty: &Ty) -> Option<E> {
        let found: Vec<usize> = (0..self.items.constants.len())
            .filter(|c| self.items.constants[*c].ty == *ty)
            .collect();
        if found.is_empty() || !self.rng.chance(30) {
            return None;
        }
        let c = *self.rng.pick(&found);
        self.items.constants[c].used = true;
        Some(E::atom(self.items.constants[c].name.clone()))
    }

    /// A literal value of the type (composite types are built).
    pub(super) fn literal(&mut self, ty: &Ty) -> E {
        match ty {
            Ty::I64 => self.int_literal(),
            Ty::F64 => {
                let text = *self.rng.pick(&[
                    "0.0",
                    "1.0",
                    "2.5",
                    "0.1",
                    "3.75",
                    "1e3",
                    "1.5e-3",
                    "100.0",
                    "0.5",
                    "1e16",
                    "1e-7",
                    "123456.789",
                    "2.0",
                ]);
                if self.rng.chance(20) {
                    E::new(format!("-{text}"), Level::Prefix)
                } else {
                    E::atom(text)
                }
            }
            Ty::Bool => E::atom(if self.rng.chance(50) { "true" } else { "false" }),
            Ty::Str => E::atom(format!("\"{}\"", self.rng.pick(names::WORDS))),
            Ty::List(t) => {
                let n = 1 + self.rng.below(4);
                let t = (**t).clone();
                let items: Vec<String> = (0..n).map(|_| self.literal(&t).text).collect();
                E::atom(format!("list_of({})", items.join(", ")))
            }
            Ty::Map(k, v) => {
                let (k, v) = ((**k).clone(), (**v).clone());
                let name = self.fresh("built");
                let shown = self.items.show(ty);
                let mut inserts = String::new();
                for _ in 0..1 + self.rng.below(3) {
                    let key = self.literal(&k).text;
                    let value = self.literal(&v).text;
                    inserts.push_str(&format!(" {name}.insert({key}, {value});"));
                }
                E::new(
                    format!("{{ let_mut_var {name}: {shown} = map_of();{inserts} {name} }}"),
                    Level::Logic,
                )
            }
            Ty::Option(t) => {
                let t = (**t).clone();
                let v = self.literal(&t).text;
                E::atom(format!("Some({v})"))
            }
            Ty::Result(t, e) => {
                // A lone `Ok`/`Err` does not show its other type: annotate
                // through a block binding.
                let shown = self.items.show(ty);
                let name = self.fresh("outcome");
                let (t, e) = ((**t).clone(), (**e).clone());
                let value = if self.rng.chance(50) {
                    format!("Ok({})", self.literal(&t).text)
                } else {
                    format!("Err({})", self.literal(&e).text)
                };
                E::new(
                    format!("{{ let_var {name}: {shown} = {value}; {name} }}"),
                    Level::Logic,
                )
            }
            Ty::Record(r) => self.record_literal(*r, 0),
            Ty::Enum(e) => self.variant_literal(*e, 0),
        }
    }

    fn int_literal(&mut self) -> E {
        let roll = self.rng.below(100);
        let text = match roll {
            0..=59 => self.rng.between(0, 20).to_string(),
            60..=69 => self.rng.between(21, 1000).to_string(),
            70..=76 => (*self.rng.pick(&["0xff", "0o17", "0b1010", "1_000", "0x1F"])).into(),
            _ => {
                let v = self.rng.between(1, 50);
                return E::new(format!("-{v}"), Level::Prefix);
            }
        };
        E::atom(text)
    }

    pub(super) fn record_literal(&mut self, r: usize, depth: usize) -> E {
        self.nesting += 1;
        let e = self.record_literal_inner(r, depth);
        self.nesting -= 1;
        e
    }

    fn record_literal_inner(&mut self, r: usize, depth: usize) -> E {
        let record = self.items.records[r].clone();
        // Fields are evaluated in the order written: write them in
        // declaration order, reversed or shuffled, generating each value
        // in that order so the model sees the program's own order.
        let mut order: Vec<usize> = (0..record.fields.len()).collect();
        match self.rng.below(10) {
            0..=1 => order.reverse(),
            2..=3 => {
                for i in (1..order.len()).rev() {
                    let j = self.rng.below(i + 1);
                    order.swap(i, j);
                }
            }
            _ => {}
        }
        let mut fields: Vec<String> = Vec::with_capacity(order.len());
        for position in order {
            let (name, ty) = &record.fields[position];
            let value = if depth > 0 {
                self.typed(ty, depth - 1).text
            } else {
                self.literal_or_empty(ty)
            };
            fields.push(format!("{name}: {value}"));
        }
        E::atom(format!("{} {{ {} }}", record.name, fields.join(", ")))
    }

    /// A literal where the type is known from the context, so empty lists
    /// and `None` are allowed.
    fn literal_or_empty(&mut self, ty: &Ty) -> String {
        // Records that contain themselves through a list end in empty lists.
        if self.nesting > 2 {
            match ty {
                Ty::List(_) => return "list_of()".into(),
                Ty::Map(..) => return "map_of()".into(),
                Ty::Option(_) => return "None".into(),
                _ => {}
            }
        }
        match ty {
            Ty::List(_) if self.rng.chance(40) => "list_of()".into(),
            Ty::Map(..) if self.rng.chance(60) => "map_of()".into(),
            Ty::Option(_) if self.rng.chance(40) => "None".into(),
            Ty::Result(t, _) if self.rng.chance(50) => {
                let t = (**t).clone();
                format!("Ok({})", self.literal(&t).text)
            }
            _ => self.literal(ty).text,
        }
    }

    /// A bit operation on `i64`: shift amounts are literals from 0 to 70
    /// (past 63 every bit is shifted out) or any value masked to 0…63.
    fn bit_expr(&mut self, d: usize) -> E {
        let a = self.expr(&Ty::I64, d).at(Level::Postfix);
        let method = *self.rng.pick(&[
            "bit_and",
            "bit_or",
            "bit_xor",
            "bit_not",
            "shift_left",
            "shift_right",
        ]);
        let argument = match method {
            "bit_not" => String::new(),
            "shift_left" | "shift_right" => {
                if self.rng.chance(50) {
                    self.rng.between(0, 70).to_string()
                } else {
                    let n = self.expr(&Ty::I64, d).at(Level::Postfix);
                    format!("{n}.bit_and(63)")
                }
            }
            _ => self.expr(&Ty::I64, d).text,
        };
        // A left shift makes numbers as large as `i64` holds, which the
        // arithmetic around it would overflow (PT0006 where all constant):
        // keep the low bits.
        if method == "shift_left" {
            return E::atom(format!("{a}.shift_left({argument}).bit_and(1023)"));
        }
        E::atom(format!("{a}.{method}({argument})"))
    }

    pub(super) fn variant_literal(&mut self, e: usize, depth: usize) -> E {
        // Enums that contain themselves end in `None` (see
        // `literal_or_empty`), as records do.
        self.nesting += 1;
        let literal = self.variant_literal_inner(e, depth);
        self.nesting -= 1;
        literal
    }

    fn variant_literal_inner(&mut self, e: usize, depth: usize) -> E {
        let en = self.items.enums[e].clone();
        let (variant, payload) = self.rng.pick(&en.variants).clone();
        if payload.is_empty() {
            return E::atom(format!("{}::{variant}", en.name));
        }
        let args: Vec<String> = payload
            .iter()
            .map(|t| {
                if depth > 0 {
                    self.typed(t, depth - 1).text
                } else {
                    self.literal_or_empty(t)
                }
            })
            .collect();
        E::atom(format!("{}::{variant}({})", en.name, args.join(", ")))
    }

    fn int_expr(&mut self, d: usize) -> E {
        if self.rng.chance(7) {
            return self.bit_expr(d);
        }
        match self.rng.below(16) {
            0..=2 => {
                let op = *self.rng.pick(&["+", "-", "*"]);
                let level = if op == "*" {
                    Level::Product
                } else {
                    Level::Sum
                };
                let a = self.expr(&Ty::I64, d).at(level);
                let b = if self.rng.chance(50) {
                    self.expr(&Ty::I64, d).at(Level::Product.max(level))
                } else {
                    self.rng.between(1, 9).to_string()
                };
                let b = if op == "*" && b.starts_with('-') {
                    format!("({b})")
                } else {
                    b
                };
                E::new(format!("{a} {op} {b}"), level)
            }
            3 => {
                let op = *self.rng.pick(&["/", "%"]);
                let a = self.expr(&Ty::I64, d).at(Level::Product);
                let b = self.rng.between(1, 7) * if self.rng.chance(20) { -1 } else { 1 };
                let b = if b < 0 {
                    format!("({b})")
                } else {
                    b.to_string()
                };
                E::new(format!("{a} {op} {b}"), Level::Product)
            }
            4 => {
                let a = self.expr(&Ty::I64, d).at(Level::Postfix);
                // A shift can make `i64::MIN` (`(-27).shift_left(63)`),
                // whose negation overflows.
                if a.contains("shift_left") {
                    return E::new(a, Level::Postfix);
                }
                E::new(format!("-{a}"), Level::Prefix)
            }
            5 => {
                let a = self.expr(&Ty::I64, d).at(Level::Postfix);
                match self.rng.below(4) {
                    // `abs` of `i64::MIN` overflows, as negation does.
                    0 if !a.contains("shift_left") => E::atom(format!("{a}.abs()")),
                    1 => {
                        let b = self.expr(&Ty::I64, d).text;
                        E::atom(format!("{a}.min({b})"))
                    }
                    2 => {
                        let b = self.expr(&Ty::I64, d).text;
                        E::atom(format!("{a}.max({b})"))
                    }
                    _ => E::atom(format!("{a}.pow({})", self.rng.between(0, 2))),
                }
            }
            6 | 7 => {
                let ty = self.container_type();
                let c = self.expr(&ty, d).at(Level::Postfix);
                E::atom(format!("{c}.length()"))
            }
            8 => {
                let o = self
                    .expr(&Ty::Option(Box::new(Ty::I64)), d)
                    .at(Level::Postfix);
                let b = self.expr(&Ty::I64, d).text;
                E::atom(format!("{o}.unwrap_or({b})"))
            }
            9 => {
                let a = self.expr(&Ty::I64, d).at(Level::Postfix);
                let b = self.expr(&Ty::I64, d).text;
                let op =
                    *self
                        .rng
                        .pick(&["checked_add", "checked_sub", "checked_mul", "checked_div"]);
                let fallback = self.int_literal().text;
                E::atom(format!("{a}.{op}({b}).unwrap_or({fallback})"))
            }
            10 => {
                let f = self.expr(&Ty::F64, d).at(Level::Postfix);
                let round = *self.rng.pick(&["", ".round()", ".floor()", ".ceil()"]);
                E::atom(format!("{f}{round}.to_i64()"))
            }
            11 => {
                let list = self
                    .expr(&Ty::List(Box::new(Ty::I64)), d)
                    .at(Level::Postfix);
                let how = match self.rng.below(3) {
                    0 => format!("get({})", self.expr(&Ty::I64, d).text),
                    1 => "first()".to_string(),
                    _ => "last()".to_string(),
                };
                let fallback = self.int_literal().text;
                E::atom(format!("{list}.{how}.unwrap_or({fallback})"))
            }
            12 => {
                let r = self.expr(&Ty::Result(Box::new(Ty::I64), Box::new(Ty::Str)), d);
                let r = r.at(Level::Postfix);
                E::atom(format!("{r}.unwrap_or(-1)"))
            }
            13 => {
                if let Some(e) = self.popped(&Ty::I64) {
                    return e;
                }
                self.leaf(&Ty::I64)
            }
            _ => self.leaf(&Ty::I64),
        }
    }

    /// `xs.pop().unwrap_or(…)`: an expression that changes a variable.
    fn popped(&mut self, ty: &Ty) -> Option<E> {
        if self.current.threads > 0 {
            return None;
        }
        let want = Ty::List(Box::new(ty.clone()));
        let vars = self.visible(|v| v.changeable() && v.ty == want && v.kind != Kind::Guard);
        if vars.is_empty() {
            return None;
        }
        let at = *self.rng.pick(&vars);
        self.before_change(at, false);
        let name = self.read_var(at);
        self.after_change(at);
        let fallback = self.literal(ty).text;
        Some(E::atom(format!("{name}.pop().unwrap_or({fallback})")))
    }

    fn container_type(&mut self) -> Ty {
        match self.rng.below(4) {
            0 => Ty::Str,
            1 => Ty::List(Box::new(Ty::I64)),
            2 => Ty::List(Box::new(Ty::Str)),
            _ => Ty::Map(Box::new(Ty::Str), Box::new(Ty::I64)),
        }
    }

    fn float_expr(&mut self, d: usize) -> E {
        match self.rng.below(8) {
            0..=2 => {
                let op = *self.rng.pick(&["+", "-", "*", "/"]);
                let level = if matches!(op, "*" | "/") {
                    Level::Product
                } else {
                    Level::Sum
                };
                let a = self.expr(&Ty::F64, d).at(level);
                let b = self.expr(&Ty::F64, d).at(if level == Level::Sum {
                    Level::Product
                } else {
                    Level::Prefix
                });
                E::new(format!("{a} {op} {b}"), level)
            }
            3 => {
                let a = self.expr(&Ty::F64, d).at(Level::Postfix);
                let m = *self.rng.pick(&["abs()", "floor()", "ceil()", "round()"]);
                E::atom(format!("{a}.{m}"))
            }
            4 => {
                let a = self.expr(&Ty::F64, d).at(Level::Postfix);
                E::atom(format!("{a}.abs().sqrt()"))
            }
            5 => {
                let a = self.expr(&Ty::I64, d).at(Level::Postfix);
                E::atom(format!("{a}.to_f64()"))
            }
            6 => {
                let a = self.expr(&Ty::F64, d).at(Level::Postfix);
                let b = self.expr(&Ty::F64, d).text;
                let m = *self.rng.pick(&["min", "max"]);
                E::atom(format!("{a}.{m}({b})"))
            }
            _ => {
                let a = self.expr(&Ty::F64, d).at(Level::Postfix);
                E::new(format!("-{a}"), Level::Prefix)
            }
        }
    }

    fn bool_expr(&mut self, d: usize) -> E {
        match self.rng.below(9) {
            0 | 1 => {
                let ty = self.rng.pick(&[Ty::I64, Ty::F64, Ty::Str]).clone();
                if self.rng.chance(20) && self.ordering_values_visible() {
                    let a = self.expr(&ty, d).at(Level::Postfix);
                    let b = self.expr(&ty, d).text;
                    let op = *self.rng.pick(&["==", "!="]);
                    let value = *self.rng.pick(&["Less", "Equal", "Greater"]);
                    return E::new(
                        format!("{a}.compare({b}) {op} Ordering::{value}"),
                        Level::Compare,
                    );
                }
                let a = self.expr(&ty, d).at(Level::Sum);
                let b = self.expr(&ty, d).at(Level::Sum);
                let op = *self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                E::new(format!("{a} {op} {b}"), Level::Compare)
            }
            2 => {
                let ty = self.any_type(1);
                let a = self.expr(&ty, d).at(Level::Sum);
                let b = self.expr(&ty, d).at(Level::Sum);
                let op = *self.rng.pick(&["==", "!="]);
                E::new(format!("{a} {op} {b}"), Level::Compare)
            }
            3 => {
                let a = self.expr(&Ty::Bool, d).at(Level::Postfix);
                E::new(format!("!{a}"), Level::Prefix)
            }
            4 => {
                let op = *self.rng.pick(&["&&", "||"]);
                let n = 2 + self.rng.below(2);
                let parts: Vec<String> = (0..n)
                    .map(|_| self.expr(&Ty::Bool, d).at(Level::Compare))
                    .collect();
                E::new(parts.join(&format!(" {op} ")), Level::Logic)
            }
            5 => {
                let s = self.expr(&Ty::Str, d).at(Level::Postfix);
                let t = self.expr(&Ty::Str, d).text;
                let m = *self.rng.pick(&["contains", "starts_with", "ends_with"]);
                E::atom(format!("{s}.{m}({t})"))
            }
            6 => {
                let t = self.rng.pick(&[Ty::I64, Ty::Str]).clone();
                let list = self
                    .expr(&Ty::List(Box::new(t.clone())), d)
                    .at(Level::Postfix);
                let v = self.expr(&t, d).text;
                E::atom(format!("{list}.contains({v})"))
            }
            7 => {
                let t = Ty::Option(Box::new(Ty::I64));
                let o = self.expr(&t, d).at(Level::Postfix);
                let m = *self.rng.pick(&["is_some()", "is_none()"]);
                E::atom(format!("{o}.{m}"))
            }
            _ => {
                let m = Ty::Map(Box::new(Ty::Str), Box::new(Ty::I64));
                let map = self.expr(&m, d).at(Level::Postfix);
                let k = self.expr(&Ty::Str, d).text;
                E::atom(format!("{map}.contains_key({k})"))
            }
        }
    }

    fn str_expr(&mut self, d: usize) -> E {
        if self.rng.chance(12) {
            return self.text_piece(d);
        }
        match self.rng.below(9) {
            0 | 1 => self.format_call(d),
            2 => {
                let s = self.expr(&Ty::Str, d).at(Level::Postfix);
                let m = *self
                    .rng
                    .pick(&["to_upper()", "to_lower()", "trim()", "to_string()"]);
                E::atom(format!("{s}.{m}"))
            }
            3 => {
                let s = self.expr(&Ty::Str, d).at(Level::Postfix);
                let a = self.expr(&Ty::Str, d).text;
                let b = self.expr(&Ty::Str, d).text;
                E::atom(format!("{s}.replace({a}, {b})"))
            }
            4 => {
                let ty = self
                    .rng
                    .pick(&[Ty::I64, Ty::F64, Ty::Bool, Ty::Str])
                    .clone();
                let v = self.expr(&ty, d).at(Level::Postfix);
                E::atom(format!("{v}.to_string()"))
            }
            5 => {
                let list = self
                    .expr(&Ty::List(Box::new(Ty::Str)), d)
                    .at(Level::Postfix);
                let sep = self.literal(&Ty::Str).text;
                E::atom(format!("{list}.join({sep})"))
            }
            6 => {
                let list = self
                    .expr(&Ty::List(Box::new(Ty::Str)), d)
                    .at(Level::Postfix);
                let fallback = self.literal(&Ty::Str).text;
                let i = self.expr(&Ty::I64, d).text;
                E::atom(format!("{list}.get({i}).unwrap_or({fallback})"))
            }
            7 => {
                if let Some(e) = self.popped(&Ty::Str) {
                    return e;
                }
                self.leaf(&Ty::Str)
            }
            _ => self.leaf(&Ty::Str),
        }
    }

    /// Pieces of a text that never panic: positions from `length()` and
    /// `find` (always on a character's first byte), the first split,
    /// the characters joined back.
    fn text_piece(&mut self, d: usize) -> E {
        let text = self.leaf(&Ty::Str).at(Level::Postfix);
        let part = self.literal(&Ty::Str).text;
        match self.rng.below(4) {
            0 => E::atom(format!("{text}.substring(0, {text}.length())")),
            1 => E::atom(format!(
                "{text}.substring(0, {text}.find({part}).unwrap_or(0))"
            )),
            2 => {
                let separator = self.literal(&Ty::Str).text;
                E::atom(format!("{text}.split_first({part}).join({separator})"))
            }
            _ => {
                let count = self.expr(&Ty::I64, d).at(Level::Postfix);
                E::atom(format!(
                    "{text}.chars().get({count}.abs() % 3).unwrap_or({part})"
                ))
            }
        }
    }

    /// `format("…", …)` with specs that fit each argument's type.
    pub(super) fn format_call(&mut self, d: usize) -> E {
        let (template, args) = self.template(d, 3);
        if args.is_empty() {
            E::atom(format!("format(\"{template}\")"))
        } else {
            E::atom(format!("format(\"{template}\", {})", args.join(", ")))
        }
    }

    /// A format template and its arguments.
    pub(super) fn template(&mut self, d: usize, most: usize) -> (String, Vec<String>) {
        let n = self.rng.below(most + 1);
        let mut template = String::new();
        let mut args = Vec::new();
        for i in 0..n {
            if i > 0 || self.rng.chance(50) {
                let word = *self
                    .rng
                    .pick(&["", " ", ", ", " = ", "|", "{{", "}}", "x", "é"]);
                template.push_str(word);
            }
            let ty = self.any_type(2);
            let spec = self.spec_for(&ty);
            template.push('{');
            template.push_str(&spec);
            template.push('}');
            args.push(self.expr(&ty, d).text);
        }
        if self.rng.chance(30) {
            template.push_str(" end");
        }
        (template, args)
    }

    fn spec_for(&mut self, ty: &Ty) -> String {
        let width = self.rng.between(1, 12);
        let precision = self.rng.between(0, 4);
        let align = *self.rng.pick(&["", "<", ">", "^"]);
        let choices: Vec<String> = match ty {
            Ty::I64 => vec![
                String::new(),
                ":?".into(),
                format!(":{align}{width}"),
                format!(":0{width}"),
                format!(":.{precision}"),
            ],
            Ty::F64 => vec![
                String::new(),
                ":?".into(),
                format!(":.{precision}"),
                format!(":{align}{width}"),
                format!(":0{width}.{precision}"),
                format!(":{align}{width}.{precision}"),
                ":#?".into(),
            ],
            Ty::Str => vec![
                String::new(),
                ":?".into(),
                format!(":{align}{width}"),
                format!(":.{precision}"),
                format!(":{align}{width}.{precision}"),
            ],
            Ty::Bool => vec![String::new(), ":?".into(), format!(":{align}{width}")],
            _ => vec![":?".into(), ":#?".into()],
        };
        self.rng.pick(&choices).clone()
    }

    fn list_expr(&mut self, t: &Ty, d: usize) -> E {
        match (t, self.rng.below(7)) {
            (_, 5) => {
                let v = self.expr(t, d).text;
                let count = self.rng.below(4);
                E::atom(format!("list_of_copies({v}, {count})"))
            }
            (_, 6) => {
                let list = self.leaf(&Ty::List(Box::new(t.clone()))).at(Level::Postfix);
                E::atom(format!(
                    "{list}.sublist({list}.length() / 3, {list}.length())"
                ))
            }
            (Ty::Str, 0) => {
                let s = self.expr(&Ty::Str, d).at(Level::Postfix);
                let sep = self.literal(&Ty::Str).text;
                E::atom(format!("{s}.split({sep})"))
            }
            (Ty::Str, 1) => {
                let s = self.expr(&Ty::Str, d).at(Level::Postfix);
                E::atom(format!("{s}.lines()"))
            }
            (Ty::I64 | Ty::Str, 2) => {
                let map = Ty::Map(Box::new(t.clone()), Box::new(Ty::I64));
                let m = self.expr(&map, d).at(Level::Postfix);
                E::atom(format!("{m}.keys()"))
            }
            (_, 3) => {
                let map = Ty::Map(Box::new(Ty::Str), Box::new(t.clone()));
                let m = self.expr(&map, d).at(Level::Postfix);
                E::atom(format!("{m}.values()"))
            }
            _ => {
                let n = 1 + self.rng.below(3);
                let items: Vec<String> = (0..n).map(|_| self.expr(t, d).text).collect();
                E::atom(format!("list_of({})", items.join(", ")))
            }
        }
    }

    fn option_expr(&mut self, t: &Ty, d: usize) -> E {
        match self.rng.below(5) {
            0 | 1 => {
                let v = self.expr(t, d).text;
                E::atom(format!("Some({v})"))
            }
            2 => {
                let list = self
                    .expr(&Ty::List(Box::new(t.clone())), d)
                    .at(Level::Postfix);
                let how = match self.rng.below(5) {
                    0 => format!("get({})", self.expr(&Ty::I64, d).text),
                    1 => "first()".into(),
                    2 | 3 => self.min_max_call(t).unwrap_or_else(|| "last()".into()),
                    _ => "last()".into(),
                };
                E::atom(format!("{list}.{how}"))
            }
            3 => {
                let map = Ty::Map(Box::new(Ty::Str), Box::new(t.clone()));
                let m = self.expr(&map, d).at(Level::Postfix);
                let k = self.expr(&Ty::Str, d).text;
                E::atom(format!("{m}.get({k})"))
            }
            _ if *t == Ty::I64 => {
                let a = self.expr(&Ty::I64, d).at(Level::Postfix);
                let b = self.expr(&Ty::I64, d).text;
                let op =
                    *self
                        .rng
                        .pick(&["checked_add", "checked_sub", "checked_mul", "checked_div"]);
                E::atom(format!("{a}.{op}({b})"))
            }
            _ => self.leaf(&Ty::Option(Box::new(t.clone()))),
        }
    }

    /// `record_expression.field` for a record with a field of the type.
    fn field_of(&mut self, ty: &Ty, d: usize) -> Option<E> {
        let mut candidates = Vec::new();
        for (r, record) in self.items.records.iter().enumerate() {
            for (name, t) in &record.fields {
                if t == ty {
                    candidates.push((r, name.clone()));
                }
            }
        }
        if candidates.is_empty() {
            return None;
        }
        let (r, field) = self.rng.pick(&candidates).clone();
        let base = self.expr(&Ty::Record(r), d).at(Level::Postfix);
        Some(E::atom(format!("{base}.{field}")))
    }

    /// `with_lock shared as guard { guard }` on a shared variable of the type.
    fn lock_read(&mut self, ty: &Ty) -> Option<E> {
        // A thread reading a total others change would print by schedule.
        if self.current.threads > 0 {
            return None;
        }
        let locked = self.current.locked.clone();
        let vars =
            self.visible(|v| v.kind == Kind::MutShared && v.ty == *ty && !locked.contains(&v.name));
        if vars.is_empty() {
            return None;
        }
        let at = *self.rng.pick(&vars);
        let name = self.read_var(at);
        let guard = self.fresh("guard");
        let read = if ty.is_copy() {
            guard.clone()
        } else {
            format!("{guard}.clone()")
        };
        Some(E::new(
            format!("with_lock {name} as {guard} {{ {read} }}"),
            Level::Logic,
        ))
    }

    fn if_expr(&mut self, ty: &Ty, d: usize) -> E {
        let mut text = String::new();
        let branches = 1 + self.rng.below(2);
        for i in 0..branches {
            let c = self.expr(&Ty::Bool, d).text;
            // The first branch's value shows the `if`'s type.
            let v = if i == 0 {
                self.expr(ty, d).text
            } else {
                self.typed(ty, d).text
            };
            if i > 0 {
                text.push_str(" else ");
            }
            text.push_str(&format!("if {c} {{ {v} }}"));
        }
        let v = self.typed(ty, d).text;
        text.push_str(&format!(" else {{ {v} }}"));
        E::new(text, Level::Logic)
    }

    /// `{ let_var t = …; … t … }`
    fn block_expr(&mut self, ty: &Ty, d: usize) -> E {
        let t_ty = self.any_type(1);
        let value = self.typed(&t_ty, d).text;
        let name = {
            let stem = *self.rng.pick(names::VARIABLES);
            self.fresh(stem)
        };
        self.scopes.push(Vec::new());
        self.declare(&name, t_ty.clone(), Kind::Let, None);
        let tail = self.expr(ty, d).text;
        let read = self.scopes.last().is_some_and(|s| s[0].read);
        self.scopes.pop();
        let shown = self.items.show(&t_ty);
        let binding = if read { name } else { format!("_{name}") };
        E::new(
            format!("{{ let_var {binding}: {shown} = {value}; {tail} }}"),
            Level::Logic,
        )
    }

    /// A call of a generated function or method that returns the type.
    fn call_returning(&mut self, ty: &Ty, d: usize) -> Option<E> {
        if self.current.threads > 0 {
            return None;
        }
        let limit = self.current.index.unwrap_or(self.items.functions.len());
        let candidates: Vec<usize> = (0..limit)
            .filter(|f| self.items.functions[*f].returns.as_ref() == Some(ty))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let f = *self.rng.pick(&candidates);
        self.call(f, d)
    }

    /// A call of function `f` with arguments that fit its modes; `None`
    /// if a `mutable` argument has no place to come from.
    pub(super) fn call(&mut self, f: usize, d: usize) -> Option<E> {
        let function = self.items.functions[f].clone();
        // Every place to change must exist before anything is written:
        // text thrown away would leave variables marked read.
        // In evaluation order: the receiver, then the parameters. One value
        // is never passed `mutable` twice (PT0309).
        let mut needs: Vec<Ty> = Vec::new();
        if let Some((r, Some(Mode::Mutable))) = function.method_of {
            needs.push(Ty::Record(r));
        }
        needs.extend(
            function
                .params
                .iter()
                .filter(|(_, m, _)| *m == Mode::Mutable)
                .map(|(_, _, t)| t.clone()),
        );
        let places = self.choose_places(&needs)?;
        // A variable that gives a `mutable` argument (or a field of one)
        // cannot also be consumed as the receiver.
        let taken: Vec<(usize, usize)> = places.iter().map(|(at, _)| *at).collect();
        let mut chosen = places.into_iter();
        // The receiver first: it is evaluated first, and a consumed
        // variable must not be read by the arguments after it.
        let receiver = match function.method_of {
            None => None,
            Some((r, None)) => Some(format!("{}::", self.items.records[r].name)),
            Some((r, Some(Mode::Read))) => Some(format!(
                "{}.",
                self.expr(&Ty::Record(r), d).at(Level::Postfix)
            )),
            Some((_, Some(Mode::Mutable))) => Some(format!("{}.", self.take_place(chosen.next()?))),
            Some((r, Some(Mode::Owned))) => Some(format!("{}.", self.owned_receiver(r, d, &taken))),
        };
        let mut args = Vec::new();
        let mut mutable_names: Vec<(String, Ty)> = Vec::new();
        for (position, (name, mode, ty)) in function.params.iter().enumerate() {
            if function.recursive && position == 0 {
                args.push(self.depth_argument(f, name));
                continue;
            }
            match mode {
                Mode::Mutable => {
                    let place = self.take_place(chosen.next()?);
                    mutable_names.push((place.clone(), ty.clone()));
                    args.push(place);
                }
                _ => {
                    // Sometimes the same variable as a `mutable` argument:
                    // the aliasing the lowering must get right.
                    let alias = mutable_names.iter().find(|(_, t)| t == ty).cloned();
                    match alias {
                        Some((name, _)) if self.rng.chance(50) => args.push(name),
                        _ => args.push(self.typed(ty, d).text),
                    }
                }
            }
        }
        let text = format!(
            "{}{}({})",
            receiver.unwrap_or_default(),
            function.name,
            args.join(", ")
        );
        self.items.functions[f].called = true;
        Some(E::atom(text))
    }

    /// The depth a recursive function is called with: one less than its
    /// own inside itself, a small number elsewhere.
    fn depth_argument(&mut self, f: usize, depth: &str) -> String {
        if self.current.index == Some(f) {
            if let Some(at) = self.visible(|v| v.name == depth).pop() {
                return format!("{} - 1", self.read_var(at));
            }
        }
        self.rng.between(0, 3).to_string()
    }

    /// A receiver for an `owned self` method: not a field or element
    /// (PT0307), so a variable, a literal or a clone.
    fn owned_receiver(&mut self, r: usize, d: usize, taken: &[(usize, usize)]) -> String {
        let ty = Ty::Record(r);
        let vars: Vec<(usize, usize)> = self
            .visible(|v| {
                v.ty == ty && matches!(v.kind, Kind::Let | Kind::LetMut | Kind::Param(Mode::Owned))
            })
            .into_iter()
            .filter(|at| !taken.contains(at))
            .collect();
        if !vars.is_empty() && self.rng.chance(50) {
            let at = *self.rng.pick(&vars);
            let var = self.var(at).clone();
            // Consumed: only a variable of this loop and thread, already
            // read and holding nothing unread, whose use here is its last.
            if var.read
                && !var.pending
                && var.frozen == 0
                && var.loops == self.current.loops
                && var.thread_depth == self.current.threads
            {
                let name = self.read_var(at);
                self.var(at).consumed = true;
                return name;
            }
            let name = self.read_var(at);
            return format!("{name}.clone()");
        }
        if self.rng.chance(50) {
            let base = self.expr(&ty, d).at(Level::Postfix);
            return format!("{base}.clone()");
        }
        format!("({})", self.record_literal(r, d).text)
    }

    /// One place for each type of `needs`, no two of them overlapping
    /// (the same variable, or a variable and a field of it); nothing is
    /// marked yet.
    fn choose_places(&mut self, needs: &[Ty]) -> Option<Vec<Place>> {
        // A choice can leave a later need without a place (a field taken
        // first, then the record is needed whole): a few tries.
        (0..8).find_map(|_| self.try_choose_places(needs))
    }

    fn try_choose_places(&mut self, needs: &[Ty]) -> Option<Vec<Place>> {
        let mut chosen: Vec<Place> = Vec::new();
        for ty in needs {
            let options: Vec<Place> = self
                .place_options(ty)
                .into_iter()
                .filter(|p| {
                    !chosen
                        .iter()
                        .any(|c| c.0 == p.0 && (c.1.is_none() || p.1.is_none() || c.1 == p.1))
                })
                .collect();
            if options.is_empty() {
                return None;
            }
            chosen.push(self.rng.pick(&options).clone());
        }
        Some(chosen)
    }

    /// Marks a chosen place changed and returns its text.
    fn take_place(&mut self, (at, field): Place) -> String {
        self.before_change(at, false);
        let name = self.read_var(at);
        self.after_change(at);
        match field {
            None => name,
            Some(f) => format!("{name}.{f}"),
        }
    }

    /// The places of type `ty` that may be passed `mutable`.
    fn place_options(&self, ty: &Ty) -> Vec<Place> {
        let mut options: Vec<Place> = self
            .visible(|v| v.passable_mutable() && v.ty == *ty)
            .into_iter()
            .map(|at| (at, None))
            .collect();
        for at in self.visible(|v| v.passable_mutable() && matches!(v.ty, Ty::Record(_))) {
            if let Ty::Record(r) = self.scopes[at.0][at.1].ty {
                for (name, t) in &self.items.records[r].fields {
                    if t == ty {
                        options.push((at, Some(name.clone())));
                    }
                }
            }
        }
        options
    }

    /// A type for values in expressions, `depth` levels of nesting at most.
    pub(super) fn any_type(&mut self, depth: usize) -> Ty {
        let scalar = [Ty::I64, Ty::F64, Ty::Bool, Ty::Str];
        if depth == 0 || self.rng.chance(55) {
            return self.rng.pick(&scalar).clone();
        }
        match self.rng.below(7) {
            0 | 1 => Ty::List(Box::new(self.any_type(depth - 1))),
            2 => {
                let k = self.rng.pick(&[Ty::I64, Ty::Str, Ty::Bool]).clone();
                Ty::Map(Box::new(k), Box::new(self.any_type(depth - 1)))
            }
            3 => Ty::Option(Box::new(self.any_type(depth - 1))),
            4 => Ty::Result(Box::new(self.any_type(depth - 1)), Box::new(Ty::Str)),
            5 if !self.items.records.is_empty() => {
                Ty::Record(self.rng.below(self.items.records.len()))
            }
            6 if !self.items.enums.is_empty() => Ty::Enum(self.rng.below(self.items.enums.len())),
            _ => self.rng.pick(&scalar).clone(),
        }
    }
}
