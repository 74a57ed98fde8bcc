//! The program is written in Parseltongue (`main.pt`); the build script
//! lowers it to Rust, which is included here.
include!(concat!(env!("OUT_DIR"), "/parseltongue/main.rs"));
