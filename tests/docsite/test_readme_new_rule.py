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
    assert setup.split("#")[0].strip() == "cp -r rules my-pack"
    shutil.copytree(bundled_pack_path(), tmp_path / "my-pack")
    files = _files()
    assert set(files) == {"my-pack/rules/public_services.yaml",
                          "my-pack/tests/public_services.yaml"}
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
    assert "public_services.resident_coverage" not in linted.output  # tested, nothing amiss
    assert documented.exit_code == 0, documented.output
    site = tmp_path / "site"
    rule = "public_services.resident_coverage"
    for lang in ("zh", "en"):
        rule_page = site / lang / "rules" / f"{rule}.html"
        title = {"zh": "基本公共服务覆盖都市圈常住人口",
                 "en": "Basic public services for the metro area&#39;s permanent residents"}[lang]
        assert f"<h1>{title}</h1>" in rule_page.read_text("utf-8")
        html = (site / lang / "documents" / "qingdao_metro_plan_2023.html").read_text("utf-8")
        sentence = re.search(r'<span class="sentence cited" id="s\d+">[^<]*'
                             r'<span class="anchor" id="(q\d+)"></span><mark class="quote" '
                             r'data-quotes="q\d+">推动基本公共服务覆盖都市圈全部常住人口</mark>'
                             r'<sup class="cites">\[(.*?)\]</sup>', html)
        assert sentence, "the new rule's quote is not highlighted"
        assert f'<a href="../rules/{rule}.html">' in sentence.group(2)
        # the rule page links to that very quote
        assert f'../documents/qingdao_metro_plan_2023.html#{sentence.group(1)}' in (
            rule_page.read_text("utf-8"))
