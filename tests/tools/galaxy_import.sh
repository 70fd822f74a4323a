#!/usr/bin/env bash
# galaxy-importer (Galaxy's own checker) on the tarball ansible-galaxy builds:
# no errors, no warnings. Usage: tests/tools/galaxy_import.sh GALAXY_VENV OUT_DIR
# galaxy-importer pins its own ansible-core and ansible-lint, so it runs in a
# virtualenv of its own and sees neither ours nor the collection link.
set -euo pipefail
venv=$1 out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out" && mkdir -p "$out"
ansible-galaxy collection build "$root" --output-path "$out" --force >/dev/null
cd "$out"
env -u ANSIBLE_COLLECTIONS_PATH -u PYTHONPATH PATH="$venv/bin:$PATH" \
  GALAXY_IMPORTER_CONFIG="$root/tests/galaxy-importer.cfg" \
  "$venv/bin/python" -m galaxy_importer.main flashcat-flashduty-*.tar.gz > importer.log 2>&1 \
  || { cat importer.log; exit 1; }
if grep -E '^(WARNING|ERROR)' importer.log; then echo "galaxy-importer: warnings or errors (above)"; exit 1; fi
tail -n 1 importer.log
