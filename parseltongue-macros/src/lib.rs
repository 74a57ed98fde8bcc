//! `parseltongue! { … }`: a Parseltongue program inside an ordinary Rust
//! crate. The macro runs the one compiler (`parseltongue-core`): the
//! tokens are read by the same lexer and parser as a `.pt` file, checked
//! by the same checker and lowered by the same lowering, so the expansion
//! is exactly the Rust `plc emit` prints for the same text.
//!
//! ```ignore
//! parseltongue::parseltongue! {
//!     public function double(n: i64) returns i64 {
//!         n * 2
//!     }
//! }
//!
//! fn main() {
//!     assert_eq!(double(21), 42);
//! }
//! ```
//!
//! Errors become `compile_error!`s on the tokens that caused them (all of
//! them, not just the first), with the same codes and messages as
//! `plc check`; warnings become deprecation warnings on their tokens. A
//! program with errors still expands to the items that are valid, so the
//! Rust around it keeps compiling in an editor.

mod expand;

/// Compiles the Parseltongue program in the braces to Rust items.
#[proc_macro]
pub fn parseltongue(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand::expand(input.into()).into()
}

/// Compiles a Parseltongue program that may use Slytherin's blocks
/// (`topic`) to Rust items; the crate around it depends on
/// `slytherin-runtime`. A proc-macro cannot be configured when it expands,
/// so each set of extensions has its own entry point.
#[proc_macro]
pub fn slytherin(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let extensions = parseltongue_core::extension::Extensions::of([slytherin_lang::extension()]);
    expand::expand_with(input.into(), &extensions).into()
}
