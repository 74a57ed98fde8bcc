//! Soundness testing of the Parseltongue compiler, in the spirit of Csmith
//! and YARPGen: [`generate`] writes random well-typed programs from a seed,
//! [`interpret`] runs a checked program's typed IR by the reference's
//! semantics (the oracle for what a program must print), and the batch
//! runner compiles many generated programs into one Rust crate, builds it
//! with clippy under `-D warnings`, runs it and compares every program's
//! output with the evaluator's; [`reduce`] shrinks a failing program to a
//! small one that fails the same way.

pub mod batch;
pub mod campaign;
pub mod generate;
pub mod interpret;
pub mod reduce;
