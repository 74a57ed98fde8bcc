//! The evaluator's state: the frame stack, places (what `mutable`
//! parameters and assignments refer to), fuel and the captured output.

use super::value::Value;
use super::End;
use parseltongue_core::ir::{Body, LocalId, Program};
use std::rc::Rc;

/// Calls deeper than this end the run as unsupported rather than risk the
/// evaluator's own stack.
pub(crate) const MAX_CALL_DEPTH: usize = 10_000;

/// The longest string (and the most output) the evaluator builds: a
/// program that doubles a string in a loop ends as unsupported instead of
/// exhausting the evaluator's memory (the compiled program would abort).
pub(crate) const MAX_TEXT_BYTES: usize = 1 << 26;

/// Why evaluation stopped going forward.
pub(crate) enum Flow {
    Return(Value),
    Break,
    Continue,
    Panic(String),
    /// The whole run ends here (out of fuel, or something unsupported).
    Stop(End),
}

pub(crate) type Eval<T> = Result<T, Flow>;

pub(crate) fn panic<T>(message: impl Into<String>) -> Eval<T> {
    Err(Flow::Panic(message.into()))
}

pub(crate) fn unsupported<T>(what: impl Into<String>) -> Eval<T> {
    Err(Flow::Stop(End::Unsupported(what.into())))
}

/// Stops the run if `bytes` of text is more than the evaluator builds.
pub(crate) fn check_text_size(bytes: usize) -> Eval<()> {
    if bytes > MAX_TEXT_BYTES {
        return unsupported(format!("a text of {bytes} bytes, too large to build"));
    }
    Ok(())
}

/// One step from a value into a part of it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    Field(usize),
    /// A list position, already checked to be in range when the place was
    /// formed (as Rust's `IndexMut` checks it then).
    Index(usize),
}

/// A changeable location: a local of some frame and a path into it.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    pub frame: usize,
    pub local: LocalId,
    pub path: Vec<Step>,
}

/// A local's storage: its value, or for a `mutable` parameter the
/// caller's place it stands for.
#[derive(Clone)]
pub(crate) enum Slot {
    Value(Value),
    Place(Rc<Place>),
}

pub(crate) struct Frame<'p> {
    pub body: &'p Body,
    pub slots: Vec<Slot>,
}

pub(crate) struct Machine<'p> {
    pub program: &'p Program,
    pub frames: Vec<Frame<'p>>,
    pub fuel: u64,
    pub stdout: String,
    pub stderr: String,
    /// A spawned thread panicked (see [`super::Outcome::thread_panicked`]).
    pub thread_panicked: bool,
}

/// The message of Rust's slice index check; a negative index shows as the
/// huge `usize` it becomes in the lowered code.
pub(crate) fn index_message(index: i64, len: usize) -> String {
    format!(
        "index out of bounds: the len is {len} but the index is {}",
        index as u64
    )
}

/// `index` as a position in a list of `len` items, or Rust's panic.
pub(crate) fn position(index: i64, len: usize) -> Eval<usize> {
    match usize::try_from(index) {
        Ok(i) if i < len => Ok(i),
        _ => panic(index_message(index, len)),
    }
}

impl<'p> Machine<'p> {
    pub fn new(program: &'p Program, fuel: u64) -> Self {
        Machine {
            program,
            frames: Vec::new(),
            fuel,
            stdout: String::new(),
            stderr: String::new(),
            thread_panicked: false,
        }
    }

    /// Spends one unit of fuel.
    pub fn tick(&mut self) -> Eval<()> {
        if self.fuel == 0 {
            return Err(Flow::Stop(End::OutOfFuel));
        }
        self.fuel -= 1;
        Ok(())
    }

    fn frame(&self) -> Eval<&Frame<'p>> {
        match self.frames.last() {
            Some(f) => Ok(f),
            None => unsupported("no frame"),
        }
    }

    pub fn body(&self) -> Eval<&'p Body> {
        Ok(self.frame()?.body)
    }

    fn slot(&self, local: LocalId) -> Eval<&Slot> {
        match self.frame()?.slots.get(local) {
            Some(s) => Ok(s),
            None => unsupported(format!("unknown local {local}")),
        }
    }

    pub fn set_local(&mut self, local: LocalId, value: Value) -> Eval<()> {
        match self.frames.last_mut().and_then(|f| f.slots.get_mut(local)) {
            Some(slot) => {
                *slot = Slot::Value(value);
                Ok(())
            }
            None => unsupported(format!("unknown local {local}")),
        }
    }

    /// Takes a local's value out (leaving nothing), for `with_lock` to hand
    /// the guard's value back to its shared cell.
    pub fn take_local(&mut self, local: LocalId) -> Eval<Value> {
        match self.frames.last_mut().and_then(|f| f.slots.get_mut(local)) {
            Some(Slot::Value(v)) => Ok(std::mem::replace(v, Value::Unit)),
            _ => unsupported(format!("local {local} is not a value")),
        }
    }

    /// A copy of a local's value (through a `mutable` parameter to the
    /// caller's place).
    pub fn local(&self, local: LocalId) -> Eval<Value> {
        match self.slot(local)? {
            Slot::Value(v) => Ok(v.clone()),
            Slot::Place(p) => {
                let p = p.clone();
                self.read_place(&p)
            }
        }
    }

    /// The place a local names: its own storage, or the caller's place for
    /// a `mutable` parameter.
    pub fn local_place(&self, local: LocalId) -> Eval<Place> {
        match self.slot(local)? {
            Slot::Value(_) => Ok(Place {
                frame: self.frames.len() - 1,
                local,
                path: Vec::new(),
            }),
            Slot::Place(p) => Ok((**p).clone()),
        }
    }

    fn root(&self, place: &Place) -> Eval<&Value> {
        match self
            .frames
            .get(place.frame)
            .and_then(|f| f.slots.get(place.local))
        {
            Some(Slot::Value(v)) => Ok(v),
            _ => unsupported("a place whose root is not a value"),
        }
    }

    pub fn read_place(&self, place: &Place) -> Eval<Value> {
        let mut v = self.root(place)?;
        for step in &place.path {
            v = step_into(v, *step)?;
        }
        Ok(v.clone())
    }

    /// Runs `f` on the value at `place`, changed where it lives.
    pub fn with_place<R>(
        &mut self,
        place: &Place,
        f: impl FnOnce(&mut Value) -> Eval<R>,
    ) -> Eval<R> {
        let root = match self
            .frames
            .get_mut(place.frame)
            .and_then(|fr| fr.slots.get_mut(place.local))
        {
            Some(Slot::Value(v)) => v,
            _ => return unsupported("a place whose root is not a value"),
        };
        let mut v = root;
        for step in &place.path {
            v = step_into_mut(v, *step)?;
        }
        f(v)
    }
}

fn step_into(v: &Value, step: Step) -> Eval<&Value> {
    match (v, step) {
        (Value::Record(_, fields), Step::Field(i)) => match fields.get(i) {
            Some(v) => Ok(v),
            None => unsupported("a missing field"),
        },
        (Value::List(items), Step::Index(i)) => match items.get(i) {
            Some(v) => Ok(v),
            None => panic(index_message(i as i64, items.len())),
        },
        (other, _) => unsupported(format!("a step into a {}", other.kind())),
    }
}

fn step_into_mut(v: &mut Value, step: Step) -> Eval<&mut Value> {
    match (v, step) {
        (Value::Record(_, fields), Step::Field(i)) => match Rc::make_mut(fields).get_mut(i) {
            Some(v) => Ok(v),
            None => unsupported("a missing field"),
        },
        (Value::List(items), Step::Index(i)) => {
            let len = items.len();
            match Rc::make_mut(items).get_mut(i) {
                Some(v) => Ok(v),
                None => panic(index_message(i as i64, len)),
            }
        }
        (other, _) => unsupported(format!("a step into a {}", other.kind())),
    }
}
