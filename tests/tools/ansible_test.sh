#!/usr/bin/env bash
# Run ansible-test (sanity, units) on a copy of the collection laid out as
# ansible_collections/flashcat/flashduty, which ansible-test requires.
# Usage: tests/tools/ansible_test.sh VENV_DIR ansible-test-args...
set -euo pipefail
venv=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
dest="$root/.build/ansible-test/$(basename "$venv")/ansible_collections/flashcat/flashduty"
rm -rf "$dest" && mkdir -p "$dest"
cd "$root"
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$dest/"
# ansible-test keeps its sanity virtualenvs in ~/.ansible/test, made without a
# lock: two ansible-core versions whose requirements hash alike would build one
# directory at the same time. Each virtualenv of ours gets a HOME of its own
# (kept between runs, beside the CPython build), so legs run side by side;
# pip's cache stays the user's.
real_home=$HOME
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-$real_home/.cache/pip}
leg_home="${XDG_CACHE_HOME:-$real_home/.cache}/flashcat.flashduty/ansible-test-home/$(basename "$venv")"
mkdir -p "$leg_home"
export HOME=$leg_home
"$venv/bin/python" tests/tools/ansible_test_bootstrap.py >/dev/null
cd "$dest"
# ansible-test lists a collection's files through git when there is a repository.
git init -q .
git add -A
PATH="$venv/bin:$PATH" exec "$venv/bin/ansible-test" "$@"
