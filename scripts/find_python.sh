#!/bin/sh
# Print the path of a Python >= 3.12 interpreter, or explain what to install and fail.
# Order: $PYTHON, python3.13/python3.12 on PATH, pyenv's installed versions.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for c in "${PYTHON:-}" python3.14 python3.13 python3.12 python3; do
  [ -n "$c" ] || continue
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for p in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
  if ok "$p"; then echo "$p"; exit 0; fi
done
echo "vnemis needs Python 3.12 or newer (Django 6). Install it (e.g. 'pyenv install 3.12'," >&2
echo "or your distribution's python3.12 package) or set PYTHON=/path/to/python3.12." >&2
exit 1
