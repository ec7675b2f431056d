"""A new rule written by following the README alone: its files taken from the README's worked
example into a copy of the bundled pack, its YAML tests pass `tongcheng test`, and `tongcheng
docs` shows its quote highlighted in the source text, linked to the rule."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from click.testing import CliRunner

from tongcheng.cli import main
from tongcheng.pack.loader import bundled_pack_path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Writing a rule"):README.index("## Extensions to the contract")]


def _files() -> dict[str, str]:
    """The README's files of the worked example: yaml blocks opening with ``# my-pack/PATH``."""
    return {m.group(1): m.group(0) for m in re.finditer(
        r"(?<=```yaml\n)# (my-pack/\S+)\n.*?(?=```)", SECTION, re.S)}


def _commands() -> list[list[str]]:
    block = re.search(r"\*\*3\. Run them.*?```bash\n(.*?)```", SECTION, re.S).group(1)
    return [shlex.split(line.split("#")[0]) for line in block.splitlines()
            if line.startswith("tongcheng ")]


def test_the_worked_example_passes_its_tests_and_shows_in_the_site(tmp_path, monkeypatch):
    setup = re.search(r"```bash\n(cp -r rules my-pack.*?)\n```", SECTION).group(1)
    assert setup == "cp -r rules my-pack && mkdir -p my-pack/tests"
    shutil.copytree(bundled_pack_path(), tmp_path / "my-pack")
    (tmp_path / "my-pack" / "tests").mkdir(exist_ok=True)
    files = _files()
    assert set(files) == {"my-pack/rules/health_capital_circle.yaml",
                          "my-pack/tests/health_capital_circle.yaml"}
    for path, text in files.items():
        (tmp_path / path).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    commands = _commands()
    assert [c[:2] for c in commands] == [["tongcheng", "test"], ["tongcheng", "lint"],
                                        ["tongcheng", "docs"]]
    results = [CliRunner().invoke(main, c[1:]) for c in commands]
    tested, linted, documented = results
    assert tested.exit_code == 0, tested.output
    assert "0 个失败,0 个无效" in tested.output, tested.output
    assert linted.exit_code == 0, linted.output
    assert "health.capital_circle_test_results" not in linted.output  # tested, nothing amiss
    assert documented.exit_code == 0, documented.output
    site = tmp_path / "site"
    for lang in ("zh", "en"):
        rule_page = site / lang / "rules" / "health.capital_circle_test_results.html"
        title = {"zh": "省会经济圈医学检验检查结果互通互认",
                 "en": "Medical test results recognised across the capital circle"}[lang]
        assert f"<h1>{title}</h1>" in rule_page.read_text("utf-8")
        html = (site / lang / "documents" / "dongying_capital_circle_2020.html").read_text(
            "utf-8")
        marked = re.search(r'<mark class="quote" data-quotes="(q\d+)">'
                           r"推动电子病历、医学检验检查结果跨地区、跨机构互通互认</mark>"
                           r'<sup class="cites">\[<a href="([^"]+)"', html)
        assert marked, "the new rule's quote is not highlighted"
        assert marked.group(2) == "../rules/health.capital_circle_test_results.html"
        assert f'id="{marked.group(1)}"' in html


def test_the_sentence_was_an_uncited_promise_before(site: Path):
    """The story the README tells: the bundled pack's site flags that sentence."""
    html = (site / "en" / "documents" / "dongying_capital_circle_2020.html").read_text("utf-8")
    sentence = re.search(r'<span class="sentence uncited-promise" id="s\d+">[^<]*'
                         r"推动电子病历、医学检验检查结果跨地区、跨机构互通互认", html)
    assert sentence
