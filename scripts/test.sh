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

# Installs Debian package $2 when the shell check $1 fails (as root with
# apt-get), or stops with how to install it; $3 says what needs it.
require() {
    if sh -c "$1" >/dev/null 2>&1; then
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing $2 (for $3)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null; }
    else
        echo "error: $2 is needed by $3 (\`$1\` failed); install it with: apt-get install $2${4:-}" >&2
        exit 2
    fi
}

# Installs Debian package $2 when command $1 is missing, as `require` does.
require_command() {
    require "command -v $1" "$2" "$3" "${4:-}"
}

# Neovim drives the language server in lsp/tests/neovim.rs (a real client).
require_command nvim neovim "the language-server client test"
export PARSELTONGUE_REQUIRE_NVIM=1

# scripts/python-env.sh makes a Python environment for the tests with real
# clients written in Python (the MCP client, llguidance, confluent-kafka in
# slytherin/broker/tests/confluent.rs); Debian's python3 makes one only with
# python3-venv (which brings python3 itself too).
require "python3 -c 'import venv, ensurepip'" python3-venv "the tests with Python clients"

# kcat (librdkafka) is the Kafka client in slytherin/broker/tests/kcat.rs.
if [ "${PARSELTONGUE_SKIP_KCAT:-0}" != 1 ]; then
    require_command kcat kcat "the Slytherin broker's client tests" " (or set PARSELTONGUE_SKIP_KCAT=1)"
fi

# A CI run starts cold and never reuses incremental state: it would only
# take disk space.
if [ -n "${CI:-}" ]; then
    export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log" || status=$?

# No warnings and one layout, everywhere; and the VS Code extension:
# its dependencies from the lockfile, a type check, the grammar tests and
# the .vsix package.
checks_passed=0
checks_failed=0
run_check() {
    echo "== $*"
    if "$@"; then
        checks_passed=$((checks_passed + 1))
    else
        checks_failed=$((checks_failed + 1))
        status=1
    fi
}
run_check cargo fmt --all --check
run_check cargo clippy --workspace --all-targets --locked -- -D warnings
if command -v npm >/dev/null 2>&1; then
    run_check npm --prefix vscode-ext ci --no-audit --no-fund
    run_check npm --prefix vscode-ext run check
    run_check npm --prefix vscode-ext run test:grammar
    run_check bash -c "cd vscode-ext && npm run package"
else
    echo "error: npm is needed to check the VS Code extension (vscode-ext/)" >&2
    checks_failed=$((checks_failed + 1))
    status=1
fi

# One closing line for the whole run: cargo prints a result per test binary.
passed=$(grep -aoE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
failed=$(grep -aoE '[0-9]+ failed;' "$log" | awk '{s += $1} END {print s + 0}')
echo
echo "summary: $((passed + checks_passed)) passed, $((failed + checks_failed)) failed"
exit "$status"
