//! The same program as a library, for a broker to load: its pipelines are
//! exported under `slytherin_pipelines_v2`. `main` is the binary's.
#![allow(dead_code)]
include!(concat!(env!("OUT_DIR"), "/parseltongue/main.rs"));
