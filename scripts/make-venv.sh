#!/usr/bin/env bash
# make-venv.sh LINK PYTHON_VERSION LOCKFILE
# Create (or reuse) a virtual environment for LOCKFILE and point the symlink LINK at it.
# Environments live in a cache folder named by the hash of the lock file and the interpreter,
# so a fresh clone on the same machine reuses them and a changed lock file builds a new one.
set -euo pipefail
link="$1"; version="$2"; lock="$3"
python="$(scripts/find-python.sh "$version")"
cache="${DESKMATE_CACHE_DIR:-$HOME/.cache/deskmate}/venvs"
key="$( (cat "$lock"; "$python" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"
target="$cache/$(basename "$link")-$key"
if [ ! -f "$target/.complete" ]; then
  echo "Creating $link with $python from $lock (this takes a few minutes the first time)..."
  rm -rf "$target"
  mkdir -p "$cache"
  "$python" -m venv "$target"
  # pip's notes about the machine's extra package folders are noise here; errors still show.
  "$target/bin/python" -m pip install --quiet -r "$lock" 2> >(grep -v "is ignored: it is neither" >&2)
  touch "$target/.complete"
fi
ln -sfn "$target" "$link"
