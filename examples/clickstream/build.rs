//! Lowers `src/*.pt` to Rust in `OUT_DIR`.
fn main() {
    parseltongue_build::compile_package();
}
