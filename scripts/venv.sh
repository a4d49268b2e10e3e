# Sourced by the other scripts: make .venv with Python 3.11+ and install Yimen into it,
# with the example third-party mini-app (examples/yimen-library) beside it.
PYTHON_BIN=${PYTHON:-$(command -v python3.11 || command -v python3.12 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON_BIN" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]" -e examples/yimen-library
export PATH="$PWD/.venv/bin:$PATH"
