#!/usr/bin/env bash
# The project's test command (README, second command; CI runs it too): set up .venv when it is
# missing, install the project with its test tools, lint, then run the whole test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k golden`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
.venv/bin/ruff check .
# Rule-pack consistency of the bundled pack: static checks, then the property suite.
.venv/bin/tongcheng lint rules
.venv/bin/tongcheng verify rules
.venv/bin/python -m pytest "$@"
