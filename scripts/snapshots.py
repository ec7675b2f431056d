"""Compare or regenerate the whole-decision snapshots (tests/snapshots/, tests/snapshottools.py).

    python scripts/snapshots.py            # compare: prints each diff, exit 1 when one differs
    python scripts/snapshots.py --update   # rewrite changed files, remove stale ones

After --update, read `git diff tests/snapshots` against the contract before committing: a
snapshot is right because it was reviewed, not because it is current.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import snapshottools as snap


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--update", action="store_true", help="rewrite the files that differ")
    args = p.parse_args(argv)
    known = snap.cases()
    changed = 0
    for case in known:
        now = snap.rendered(case)
        delta = snap.diff(case, now)
        if not delta:
            continue
        changed += 1
        if args.update:
            case.path.parent.mkdir(parents=True, exist_ok=True)
            case.path.write_text(snap.text(now), encoding="utf-8")
            print(f"updated {case.path.relative_to(snap.ROOT)}")
        else:
            sys.stdout.write(delta)
    for path in snap.stale(known):
        changed += 1
        if args.update:
            path.unlink()
            print(f"removed {path.relative_to(snap.ROOT)} (no case gives it)")
        else:
            print(f"stale: {path.relative_to(snap.ROOT)} (no case gives it)")
    print(f"{len(known)} cases, {changed} {'updated' if args.update else 'differ'}",
          file=sys.stderr)
    return 1 if changed and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
