# Sourced by the other scripts: make .venv with Python 3.11+ and install Yimen into it,
# with the example third-party mini-app (examples/yimen-library) beside it.
#
# Both are installed editable, so a change to their code needs no reinstall; only a change
# to what pip reads does. So this installs only when a pyproject.toml (or this script)
# differs from the last successful install, whose hash .venv/.yimen-installed keeps: a
# second start touches neither pip nor the package index. A fresh clone has no .venv and
# installs everything.
YIMEN_PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3.12 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$YIMEN_PYTHON" -m venv .venv
fi
YIMEN_WANTED=$(cat pyproject.toml examples/yimen-library/pyproject.toml scripts/venv.sh |
  .venv/bin/python -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
if [ "$(cat .venv/.yimen-installed 2>/dev/null)" != "$YIMEN_WANTED" ]; then
  # `if !`, not `&&`: a failed install must stop the sourcing script even under `set -e`,
  # and must leave no stamp behind.
  if ! .venv/bin/python -m pip install -q --upgrade pip ||
    ! .venv/bin/python -m pip install -q -e ".[test,bench]" -e examples/yimen-library; then
    echo "scripts/venv.sh: installing into .venv failed" >&2
    unset YIMEN_PYTHON YIMEN_WANTED
    return 1
  fi
  echo "$YIMEN_WANTED" >.venv/.yimen-installed
fi
unset YIMEN_PYTHON YIMEN_WANTED
export PATH="$PWD/.venv/bin:$PATH"
