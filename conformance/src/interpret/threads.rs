//! Threads and locks, evaluated sequentially. A thread runs to its end when
//! it is spawned, on a copy of the spawning frame (its body reads only
//! copied numbers, read-only shared values and locked shared cells, so no
//! later change of the frame could have reached it); `join` hands back its
//! value or repeats its panic. Where the compiled program's output depends
//! on scheduling (a thread that prints, `main` reading a shared value
//! before joining the threads that change it) there is no one right
//! answer, and this is the sequential one.

use super::machine::{panic, unsupported, Eval, Flow, Frame, Machine};
use super::value::Value;
use parseltongue_core::ir::{Block, LocalId};
use std::rc::Rc;

/// What `lock().expect(…)` says about a poisoned `Mutex`.
const POISONED: &str = "a thread panicked while holding this lock: PoisonError { .. }";
/// What `join().expect(…)` says about a thread that panicked.
pub(super) const THREAD_PANICKED: &str = "the thread panicked: Any { .. }";
/// What a task's `join()` says about a task that panicked.
pub(super) const TASK_PANICKED: &str = "the task panicked";

impl Machine<'_> {
    pub fn spawn(&mut self, body: &Block) -> Eval<Value> {
        self.tick()?;
        // The thread sees a copy of the frame: numbers it changes are its
        // own (a `move` closure's copies); shared cells stay shared.
        let Some(frame) = self.frames.last() else {
            return unsupported("a thread outside any function");
        };
        let copy = Frame {
            body: frame.body,
            slots: frame.slots.clone(),
        };
        self.frames.push(copy);
        let result = self.block(body);
        self.frames.pop();
        let result = match result {
            Ok(v) => Ok(v),
            // Which of the threads panics first, and so what the others
            // find (a poisoned lock, a total past the limit) and when
            // `main` stops, is up to the schedule: this is the sequential
            // answer, and the run says it depended on one.
            Err(Flow::Panic(message)) => {
                self.thread_panicked = true;
                Err(message)
            }
            Err(Flow::Stop(end)) => return Err(Flow::Stop(end)),
            Err(_) => return unsupported("`return`, `break` or `continue` out of a thread"),
        };
        Ok(Value::Thread(Rc::new(result)))
    }

    /// `join` on a thread or task: its value, or `panicked` if it panicked.
    pub fn join(&mut self, thread: &Value, panicked: &str) -> Eval<Value> {
        match thread {
            Value::Thread(result) => match &**result {
                Ok(v) => Ok(v.clone()),
                Err(_) => panic(panicked),
            },
            other => unsupported(format!("`join` on {}", other.kind())),
        }
    }

    /// `with_lock shared as guard { body }`: the guard is an ordinary local
    /// holding the shared value for the block, written back when the block
    /// ends however it ends.
    pub fn with_lock(&mut self, shared: LocalId, guard: LocalId, body: &Block) -> Eval<Value> {
        let cell = match self.local(shared)? {
            Value::Shared(cell) => cell,
            other => return unsupported(format!("`with_lock` on {}", other.kind())),
        };
        if cell.poisoned.get() {
            return panic(POISONED);
        }
        if cell.locked.get() {
            return unsupported("a lock taken again while held (a deadlock)");
        }
        let value = cell.value.replace(Value::Unit);
        cell.locked.set(true);
        let result = self.set_local(guard, value).and_then(|()| self.block(body));
        let back = self.take_local(guard);
        cell.locked.set(false);
        if let Ok(v) = back {
            cell.value.replace(v);
        }
        if let Err(Flow::Panic(_)) = &result {
            cell.poisoned.set(true);
        }
        result
    }
}
