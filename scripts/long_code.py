"""The developers' guide's size limits: every function over 60 lines, every module over 600.

    python scripts/long_code.py            # under src/
    python scripts/long_code.py src/tongcheng/batch

Longest first; exits 1 when anything is over, so it can gate a change.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_FUNCTION = 60
MAX_MODULE = 600


def over(root: Path) -> list[tuple[int, str]]:
    """(lines, description) of every function and module past its limit under ``root``."""
    rows = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        n = len(text.splitlines())
        if n > MAX_MODULE:
            rows.append((n, f"{path}: module, {n} lines"))
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION:
                    rows.append((length, f"{path}:{node.lineno}: {node.name}, {length} lines"))
    return sorted(rows, key=lambda row: (-row[0], row[1]))


def main(argv: list[str]) -> int:
    rows = over(Path(argv[0] if argv else "src"))
    for _, line in rows:
        print(line)
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
