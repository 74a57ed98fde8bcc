#!/usr/bin/env bash
# Runs the whole test suite, as CI does. Needs only the Rust toolchain
# (cargo, rustc and clippy, which rustup installs by default).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v clippy-driver >/dev/null 2>&1; then
    echo "error: clippy-driver is not on PATH; the corpus tests compile generated Rust with clippy's lints." >&2
    echo "       install it with: rustup component add clippy" >&2
    exit 2
fi

cargo test --workspace --locked
