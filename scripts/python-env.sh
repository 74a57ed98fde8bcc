#!/usr/bin/env bash
# Makes, once, the Python environment some tests use (a real MCP client,
# llguidance's GBNF converter and a Kafka client, from
# scripts/python-requirements.txt) and prints the path of its python. Safe to
# run from several tests at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
requirements="$here/python-requirements.txt"
dir="${PARSELTONGUE_PYTHON_ENV:-${XDG_CACHE_HOME:-$HOME/.cache}/parseltongue/python-env}"
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
if [ ! -x "$dir/bin/python" ] || ! cmp -s "$requirements" "$dir/.requirements"; then
    # Debian's python3 has the venv module but not ensurepip, which venv
    # needs to put pip in the environment: both come with python3-venv.
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        echo "error: python3 with the venv module is needed (apt-get install python3-venv)" >&2
        exit 2
    fi
    rm -rf "$dir"
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
    cp "$requirements" "$dir/.requirements"
fi
echo "$dir/bin/python"
