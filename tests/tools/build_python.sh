#!/usr/bin/env bash
# Print the path of a Python 3.13 for the ansible-core 2.20/2.21 legs of the
# test matrix, building it once if needed.
#
# The interpreter is CPython built from the pristine upstream tarball
# (python3.13's .orig.tar.xz) in Debian's source archive: the trixie deb-src
# entry lives in a private apt configuration under the cache directory, so
# the system's sources and package lists stay as they are. The build goes to
# $FLASHDUTY_PYTHON_CACHE (default ~/.cache/flashcat.flashduty/cpython-3.13)
# and is reused by every later run; a cold build takes about three minutes on
# two cores. Progress goes to stderr; stdout is the interpreter's path only.
set -euo pipefail

series=3.13
cache=${FLASHDUTY_PYTHON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flashcat.flashduty/cpython-$series}
python=$cache/bin/python$series

usable() {
  "$1" -c 'import ssl, sqlite3, zlib, lzma, bz2, ctypes, venv, ensurepip, sys; assert sys.version_info[:2] == (3, 13)' \
    >/dev/null 2>&1
}

if usable "$python"; then
  echo "$python"
  exit 0
fi

say() { echo "build_python: $*" >&2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/flashduty-cpython.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A private apt configuration: one deb-src line, its own lists and cache.
apt_dir=$work/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$apt_dir/archives/partial"
echo "deb-src http://deb.debian.org/debian trixie main" > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives"
          -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
say "reading trixie's source index (private apt configuration)"
apt-get "${apt_opts[@]}" update -qq >&2
say "downloading the python$series source package"
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq "python$series" >&2)
orig=$(find "$work" -maxdepth 1 -name "python${series}_*.orig.tar.*" | sort | head -n 1)
say "building $(basename "$orig") into $cache"
mkdir -p "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
cd "$work/src"
./configure --prefix="$cache" --with-ensurepip=install --disable-test-modules >"$work/configure.log" 2>&1 \
  || { tail -n 40 "$work/configure.log" >&2; exit 1; }
make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 40 "$work/make.log" >&2; exit 1; }
rm -rf "$cache"
make install >"$work/install.log" 2>&1 || { tail -n 40 "$work/install.log" >&2; exit 1; }
usable "$python" || { say "the built interpreter lacks a standard module (ssl, sqlite3, ...)"; exit 1; }
say "done: $("$python" --version)"
echo "$python"
