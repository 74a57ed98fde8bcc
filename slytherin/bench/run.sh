#!/usr/bin/env bash
# The peer benchmark (not a test): installs nats-server and redis-server
# from Debian's packages when missing, builds Slytherin and the load
# generator in release mode, and runs every system, message size and
# durability mode in one run. Arguments go to slytherin-peer-bench
# (`--help` lists them), e.g. `--sizes 100 --durability off`.
set -euo pipefail
cd "$(dirname "$0")/../.."

for package in nats-server redis-server; do
    if ! command -v "$package" >/dev/null 2>&1; then
        if [ "$(id -u)" != 0 ]; then
            echo "error: $package is needed; install it with: apt-get install $package" >&2
            exit 2
        fi
        echo "== installing $package"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null; }
    fi
done
# Debian's package starts a redis-server of its own where services run;
# the benchmark starts its own on a free port, so that one only competes
# for the cores.
if command -v systemctl >/dev/null 2>&1; then
    systemctl stop redis-server >/dev/null 2>&1 || true
fi

cargo build --release --locked -q -p slytherin-broker -p slytherin-bench
# `run.sh --pipelines [ARGS]`: the pipeline benchmark (in the broker against
# a consumer process) instead of the peer benchmark.
if [ "${1:-}" = "--pipelines" ]; then
    shift
    exec "${CARGO_TARGET_DIR:-target}/release/slytherin-pipeline-bench" "$@"
fi
exec "${CARGO_TARGET_DIR:-target}/release/slytherin-peer-bench" "$@"
