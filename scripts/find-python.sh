#!/usr/bin/env bash
# Print the path of a Python interpreter of the given minor version (e.g. 3.10), looking under
# `pyenv root`/versions first, then on PATH. Fails with a clear message if there is none.
set -euo pipefail
want="$1"
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  for candidate in $(ls -d "$root"/versions/"$want".* 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/bin/python$want" ]; then echo "$candidate/bin/python$want"; exit 0; fi
  done
fi
for name in "python$want"; do
  if path="$(command -v "$name" 2>/dev/null)" && "$path" -c 'import sys' >/dev/null 2>&1; then
    echo "$path"; exit 0
  fi
done
echo "error: Python $want is required but was not found (looked in \`pyenv root\`/versions/$want.* and for python$want on PATH)." >&2
echo "       Install it (for example: pyenv install $want) and run make again." >&2
exit 1
