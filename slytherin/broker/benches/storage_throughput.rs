//! Storage throughput benchmark (to be written).

fn main() {}
