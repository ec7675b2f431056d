"""Whole decisions pinned: every example and golden case, traced and untraced, in zh and en, equal
to its reviewed file under tests/snapshots/ (see tests/snapshottools.py). When a change is meant,
regenerate with `python scripts/snapshots.py --update` and review the diff against the contract.
"""

from __future__ import annotations

import pytest

import snapshottools as snap

CASES = snap.cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.key)
def test_decisions_equal_the_reviewed_snapshot(case):
    now = snap.rendered(case)
    delta = snap.diff(case, now)
    assert not delta, f"decisions changed; if meant, run `{snap.UPDATE}` and review:\n{delta}"
    bare = snap.rendered(case, trace=False)
    assert bare == snap.without_reasons(now), "untraced decisions differ from traced ones"


def test_every_example_and_golden_case_has_a_snapshot_and_no_file_is_stale():
    assert sum(c.key.startswith("examples/") for c in CASES) >= 15
    assert sum(c.key.startswith("golden/") for c in CASES) >= 16
    assert snap.stale(CASES) == []
