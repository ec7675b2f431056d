"""Run ``tongcheng lint`` and the ``tongcheng verify`` properties from a rule author's pytest.

In a test module of your pack (``tests/test_pack.py``)::

    from tongcheng.consistency.pytest_plugin import lint_test, property_tests

    test_lint = lint_test("my-pack")                       # fails on lint errors
    test_property = property_tests("my-pack", examples=100)  # one test per property

``pytest -q`` then shows ``test_property[no_contradictions]``, ``test_property[time]``, … A
failing property fails its test with the message and the shrunk counterexample as YAML, ready
to save and run with ``tongcheng check``. Relative pack paths are taken from the directory
pytest runs in.

Listing the module as a plugin (``pytest_plugins = ["tongcheng.consistency.pytest_plugin"]``
in ``conftest.py``, or ``-p tongcheng.consistency.pytest_plugin``) adds two options:
``--tongcheng-examples N`` and ``--tongcheng-seed N``, which override the numbers given here
(for a deep search now and then: ``pytest --tongcheng-examples 3000``).

Both speak English unless given ``lang="zh"`` (a test report is read where the code is; the
commands, read by the author at the terminal, default to Chinese).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tongcheng.cli_options import say

_OVERRIDES: dict[str, int] = {}


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("tongcheng", "tongcheng rule-pack consistency")
    group.addoption("--tongcheng-examples", type=int, default=None,
                    help="situations generated per property (overrides property_tests)")
    group.addoption("--tongcheng-seed", type=int, default=None,
                    help="seed of the property search (overrides property_tests)")


def pytest_configure(config: Any) -> None:
    for name, key in (("tongcheng_examples", "examples"), ("tongcheng_seed", "seed")):
        value = config.getoption(name, default=None)
        if value is not None:
            _OVERRIDES[key] = value


def _load(pack: str | Path | Any) -> Any:
    from tongcheng.pack.loader import load_pack

    if hasattr(pack, "rules"):
        return pack
    return load_pack(Path(pack))


def lint_test(pack: str | Path, *, warnings_fail: bool = False, lang: str = "en"
              ) -> Callable[[], None]:
    """A test that fails when ``tongcheng lint`` finds an error in ``pack`` (or a warning, with
    ``warnings_fail``); the failure lists every finding as ``file:line: severity: message``,
    in ``lang``."""

    def test() -> None:
        from tongcheng.consistency.lint import lint_pack

        loaded = _load(pack)
        findings = lint_pack(loaded)
        bad = [f for f in findings if f.severity == "error" or warnings_fail]
        if bad:
            pytest.fail("\n".join(f.line_text(loaded.root, lang) for f in bad), pytrace=False)

    test.__doc__ = f"tongcheng lint {pack}"
    return test


def property_tests(pack: str | Path, *, examples: int = 100, seed: int = 0,
                   properties: Sequence[str] | None = None,
                   shrink_seconds: float = 30.0, lang: str = "en") -> Callable[[str], None]:
    """A test parametrized over the properties of ``tongcheng verify`` (all, or ``properties``),
    each searched with ``examples`` situations from ``seed``; a failure said in ``lang``."""
    from tongcheng.consistency.properties import PROPERTY_NAMES

    names = list(properties or PROPERTY_NAMES)
    contexts: dict[str, Any] = {}

    @pytest.mark.parametrize("prop", names)
    def test(prop: str) -> None:
        from tongcheng.consistency import properties as props
        from tongcheng.consistency.verify import render_failure

        if "ctx" not in contexts:
            contexts["ctx"] = props.Context(_load(pack))
        chosen = next(p for p in props.PROPERTIES if p.name == prop)
        result = props.run_property(
            chosen, contexts["ctx"], examples=_OVERRIDES.get("examples", examples),
            seed=_OVERRIDES.get("seed", seed), shrink_seconds=shrink_seconds)
        if result.status == "skipped":
            pytest.skip(result.said_note(lang) or say(lang, "does not apply", "不适用"))
        if result.failure is not None:
            pytest.fail(f"{prop}:\n" + render_failure(result.failure, str(pack), lang=lang),
                        pytrace=False)

    test.__doc__ = f"tongcheng verify {pack}"
    return test
