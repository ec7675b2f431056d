#!/usr/bin/env bash
# Build the wheel, install it in a fresh virtual environment and run the main job from outside
# the repository: proves the bundled rule pack and place data ship inside the package.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check ".[records]"
cp examples/recognition-yantai-qingdao.yaml "$work/case.yaml"
cd "$work"
out=$("$work/venv/bin/tongcheng" check case.yaml --format json \
      --rule medical_insurance.contribution_years_recognition)
echo "$out" | "$work/venv/bin/python" -c '
import json, sys
d = json.load(sys.stdin)["decisions"][0]
assert d["status"] == "eligible" and d["outcome"]["recognized_months"] == 305, d
print("wheel check: installed package decides the example outside the repository: ok")
'
# Decision records from the installed package: its Alembic migrations ship inside it.
"$work/venv/bin/tongcheng" check case.yaml --records "$work/records.db" --actor wheel >/dev/null
"$work/venv/bin/tongcheng" records verify --records "$work/records.db" --lang en
