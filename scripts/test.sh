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

if ! command -v rustfmt >/dev/null 2>&1; then
    echo "error: rustfmt is not on PATH; the suite checks the layout of the Rust sources." >&2
    echo "       install it with: rustup component add rustfmt" >&2
    exit 2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked 2>&1 | tee "$log" || status=$?

# No warnings and one layout, everywhere: two more checks.
checks_passed=0
checks_failed=0
for check in "cargo fmt --all --check" "cargo clippy --workspace --all-targets --locked -- -D warnings"; do
    echo "== $check"
    if $check; then
        checks_passed=$((checks_passed + 1))
    else
        checks_failed=$((checks_failed + 1))
        status=1
    fi
done

# One closing line for the whole run: cargo prints a result per test binary.
passed=$(grep -aoE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
failed=$(grep -aoE '[0-9]+ failed;' "$log" | awk '{s += $1} END {print s + 0}')
echo
echo "summary: $((passed + checks_passed)) passed, $((failed + checks_failed)) failed"
exit "$status"
