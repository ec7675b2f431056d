"""One command line: every command reads the pack the same way (``--pack``; a positional PACK
kept where it was), and every option the README documents exists."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tongcheng.cli import main

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "tests" / "packs" / "consistency" / "clean"
NO_PACK = {"schema", "synth", "records"}  # commands that read no rule pack (records: a store)
TWO_PACKS = {"compare"}  # decides under two packs: --base and --new, each with its overlays


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


def options(command: click.Command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


@pytest.mark.parametrize("name", sorted(set(main.commands) - NO_PACK - TWO_PACKS))
def test_every_command_reading_a_pack_takes_pack(name):
    assert {"--pack", "--overlay"} <= options(main.commands[name])


def test_compare_takes_its_two_packs_alike():
    assert {"--base", "--base-overlay", "--new", "--new-overlay"} <= options(
        main.commands["compare"])


def test_commands_read_the_given_pack():
    result = run("rules", "--pack", CLEAN, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| `test.recognition` |" in result.output
    assert "medical_insurance" not in result.output


@pytest.mark.parametrize("name", ["lint", "verify"])
def test_a_positional_pack_stays_an_alias(name):
    extra = ["--property", "deterministic", "-n", "5"] if name == "verify" else []
    by_option = run(name, "--pack", CLEAN, *extra)
    by_argument = run(name, CLEAN, *extra)
    assert by_option.exit_code == by_argument.exit_code == 0, by_option.output
    timings = re.compile(r"\d+\.\d(s| 秒)")  # verify prints its timings
    assert timings.sub("", by_option.output) == timings.sub("", by_argument.output)
    both = run(name, CLEAN, "--pack", ROOT / "rules")
    assert both.exit_code == 2 and "给出了两个规则包" in both.output  # (no --lang: Chinese)
    assert "two packs" not in both.output
    both = run(name, CLEAN, "--pack", ROOT / "rules", "--lang", "en")
    assert both.exit_code == 2 and "two packs given" in both.output


def test_rules_format_markdown_is_the_readme_table():
    from tongcheng.api import bundled_pack
    from tongcheng.render import rules_markdown

    result = run("rules", "--format", "markdown", "--lang", "en")
    assert result.exit_code == 0
    assert result.output == rules_markdown(bundled_pack())
    assert run("rules", "--format", "markdown").output == rules_markdown(bundled_pack(), "zh")
    one = run("rules", "transit.senior_free_ride", "--format", "markdown")
    assert one.output.count("\n") == 3 and "`transit.senior_free_ride`" in one.output


def _readme_commands() -> list[tuple[str, str]]:
    """(command, the text of its synopsis) for every ``tongcheng COMMAND …`` the README's code
    blocks show, with the indented lines that continue it."""
    blocks: list[list[str]] = []
    inside = False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
            if inside:
                blocks.append([]) if line.strip() in ("```", "```bash") else blocks.append(None)
            continue
        if inside and blocks[-1] is not None:
            blocks[-1].append(line)
    out = []
    for lines in filter(None, blocks):
        for i, line in enumerate(lines):
            m = re.search(r"(?:^|\$ |&& )tongcheng ([a-z]+)(.*)", line)
            if not m:
                continue
            body = m.group(2)
            for more in lines[i + 1:]:
                if not more.startswith("      "):
                    break
                body += " " + more
            out.append((m.group(1), body.split("#")[0]))
    return out


def test_the_readme_shows_commands():
    shown = {name for name, _ in _readme_commands()}
    assert {"check", "rules", "coverage", "lint", "verify", "test", "docs", "screen", "watch",
            "serve"} <= shown


@pytest.mark.parametrize(("name", "synopsis"), _readme_commands())
def test_every_option_the_readme_documents_exists(name, synopsis):
    assert name in main.commands, f"the README shows 'tongcheng {name}', which does not exist"
    command = main.commands[name]
    if isinstance(command, click.Group):  # tongcheng records show …: the subcommand's options
        sub, _, synopsis = synopsis.strip().partition(" ")
        assert sub in command.commands, f"the README shows 'tongcheng {name} {sub}'"
        command = command.commands[sub]
        name = f"{name} {sub}"
    known = options(command)
    for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", synopsis):
        assert option in known, f"tongcheng {name} has no {option} (README: {synopsis.strip()})"
    for choices in re.findall(r"--([a-z-]+) ([a-z_]+(?:\|[a-z_]+)+)", synopsis):
        param = next(p for p in command.params if f"--{choices[0]}" in p.opts)
        assert set(choices[1].split("|")) <= set(param.type.choices), choices
