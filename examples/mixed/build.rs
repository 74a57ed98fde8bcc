//! Lowers `src/grading.pt`, which lives beside the Rust sources.
fn main() {
    parseltongue_build::Build::new()
        .source("src/grading.pt")
        .run();
}
