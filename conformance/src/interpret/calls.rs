//! Calls of functions and methods: arguments by mode (a `mutable`
//! argument is the caller's place, every other one a copy) and frames.

use super::machine::{unsupported, Eval, Flow, Frame, Machine, Slot, MAX_CALL_DEPTH};
use super::value::Value;
use parseltongue_core::ir::{Expr, FunctionId, FunctionKind};
use parseltongue_core::syntax::ast::ParamMode;
use std::rc::Rc;

impl Machine<'_> {
    /// `f(args)`: arguments left to right, each by its parameter's mode.
    pub fn call_function(&mut self, function: FunctionId, args: &[Expr]) -> Eval<Value> {
        let mut slots = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            slots.push(self.argument(arg, self.param_mode(function, i)?)?);
        }
        self.call(function, slots)
    }

    /// `receiver.m(args)`: the receiver first, by the mode of `self`.
    pub fn call_method(
        &mut self,
        function: FunctionId,
        receiver: &Expr,
        args: &[Expr],
    ) -> Eval<Value> {
        let mode = match self.program.functions.get(function).map(|f| &f.kind) {
            Some(FunctionKind::Method {
                receiver: Some(mode),
                ..
            }) => *mode,
            _ => return unsupported("a method call of a function without `self`"),
        };
        let mut slots = Vec::with_capacity(args.len() + 1);
        slots.push(self.argument(receiver, mode)?);
        for (i, arg) in args.iter().enumerate() {
            slots.push(self.argument(arg, self.param_mode(function, i)?)?);
        }
        self.call(function, slots)
    }

    fn param_mode(&self, function: FunctionId, i: usize) -> Eval<ParamMode> {
        match self
            .program
            .functions
            .get(function)
            .and_then(|f| f.params.get(i))
        {
            Some(p) => Ok(p.mode),
            None => unsupported("an argument without a parameter"),
        }
    }

    fn argument(&mut self, arg: &Expr, mode: ParamMode) -> Eval<Slot> {
        Ok(match mode {
            ParamMode::Mutable => Slot::Place(Rc::new(self.place(arg)?)),
            ParamMode::Read | ParamMode::Owned => Slot::Value(self.expr(arg)?),
        })
    }

    /// Runs `function` with its parameters' slots (`self` first).
    pub fn call(&mut self, function: FunctionId, args: Vec<Slot>) -> Eval<Value> {
        let Some(f) = self.program.functions.get(function) else {
            return unsupported("a call of an unknown function");
        };
        if let FunctionKind::Rust { path } = &f.kind {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                match arg {
                    Slot::Value(value) => values.push(value),
                    Slot::Place(_) => {
                        return unsupported(format!("a `mutable` argument of rust_function {path}"))
                    }
                }
            }
            self.tick()?;
            return super::rust_functions::call(path, &values);
        }
        let Some(body) = f.body.as_ref() else {
            return unsupported(format!("a call of {} without a body", f.name));
        };
        if self.frames.len() >= MAX_CALL_DEPTH {
            return unsupported("recursion too deep");
        }
        self.tick()?;
        let mut slots = vec![Slot::Value(Value::Unit); body.locals.len()];
        for (local, arg) in body.params.iter().zip(args) {
            match slots.get_mut(*local) {
                Some(slot) => *slot = arg,
                None => return unsupported("a parameter outside the locals"),
            }
        }
        self.frames.push(Frame { body, slots });
        let result = self.block(&body.block);
        self.frames.pop();
        match result {
            Ok(v) | Err(Flow::Return(v)) => Ok(v),
            Err(Flow::Break | Flow::Continue) => unsupported("`break` out of a function"),
            Err(other) => Err(other),
        }
    }
}
