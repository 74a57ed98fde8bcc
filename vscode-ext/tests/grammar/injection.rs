// SYNTAX TEST "source.rust" "parseltongue!{} inside Rust is highlighted as Parseltongue"
parseltongue_macros::parseltongue! {
// <---------------------------------- entity.name.function.macro.rust
    function double(n: i64) returns i64 {
//  ^^^^^^^^ meta.embedded.block.parseltongue storage.type.function.parseltongue
//                     ^^^ meta.embedded.block.parseltongue support.type.primitive.parseltongue
        if n > 0 { n * 2 } else { 0 }
//      ^^ meta.embedded.block.parseltongue keyword.control.parseltongue
//                         ^^^^ meta.embedded.block.parseltongue keyword.control.parseltongue
    }
    record Point { x: i64 }
//  ^^^^^^ meta.embedded.block.parseltongue storage.type.parseltongue
}
fn main() {}
// <-- keyword.other.fn.rust
