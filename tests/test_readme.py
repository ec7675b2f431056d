"""The README's generated parts match the pack, and its two commands are the ones that work."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("readme_rules", ROOT / "scripts" /
                                                  "readme_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_rule_list_is_generated_from_the_pack():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _script().generated(text) == text, "run: python scripts/readme_rules.py"


def test_readme_lists_every_rule_of_the_pack():
    import tongcheng

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in tongcheng.bundled_pack().rule_ids:
        assert f"`{rule}`" in text


def test_readme_first_screen_has_the_two_commands():
    first_screen = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert "tongcheng check examples/recognition-yantai-qingdao.yaml" in first_screen
    assert "bash scripts/test.sh" in first_screen
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
