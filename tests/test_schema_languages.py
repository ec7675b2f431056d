"""The JSON Schemas in both languages (``situation.schema_zh``, ``schema_in_language``): every
title and description of the situation's schema, the watch stream line's and the service's has
its Chinese, and the catalogue holds nothing else; the Chinese schema is the English one with
only those texts changed, keeps every code its English names and leaves no English sentence;
the English schema is the model's own, unchanged; ``tongcheng schema [--events]`` says either.
(The HTTP endpoint: tests/service/test_service_schema.py.)"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner

import tongcheng
from tongcheng.cases.stream_schema import events_json_schema
from tongcheng.cli import main
from tongcheng.places import default_registry
from tongcheng.service.schema import situation_schema
from tongcheng.situation import Situation, schema_in_language, situation_json_schema
from tongcheng.situation.schema_lang import schema_texts
from tongcheng.situation.schema_zh import ZH

BUILDERS = {
    "situation": situation_json_schema,
    "events": events_json_schema,
    "service": lambda lang="en": situation_schema(tongcheng.bundled_pack(), default_registry(),
                                                  lang),
}
NAMES = list(BUILDERS)


@pytest.fixture(scope="module")
def english() -> dict[str, dict[str, Any]]:
    return {name: build() for name, build in BUILDERS.items()}


@pytest.fixture(scope="module")
def chinese() -> dict[str, dict[str, Any]]:
    return {name: build("zh") for name, build in BUILDERS.items()}


# --- the catalogue --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_title_and_description_has_its_chinese(english, name):
    missing = [f"{where}: {text!r}" for where, text in schema_texts(english[name])
               if text not in ZH]
    assert not missing, f"no Chinese in schema_zh.ZH for ({name}):\n" + "\n".join(missing)


def test_every_catalogue_entry_is_a_text_in_use(english):
    used = {text for schema in english.values() for _, text in schema_texts(schema)}
    unused = sorted(set(ZH) - used)
    assert not unused, f"entries no schema has (changed or gone in English?): {unused}"


# codes a program sends, which a translation keeps as they are
_CODES = re.compile(r"``[^`]+``|[a-z]+(?:_[a-z]+)+|YYYY-MM(?:-DD)?|GB/T \d+|/v1/\S+?(?=[);]|$)"
                    r"|\b(?:true|null)\b|\[\]|\b\d-\d\b"
                    r"|(?<=\| )[a-z]+\b|\b[a-z]+(?= (?:\([^)]*\) )?\|)")  # values listed a | b


def test_every_chinese_text_keeps_the_codes_its_english_names():
    for en, zh in ZH.items():
        lost = [code for code in _CODES.findall(en)
                if not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", zh)]
        assert not lost, (en, zh, lost)
    assert _CODES.findall("yes (是) | no.") == ["yes", "no"]


def test_every_chinese_text_is_written_as_the_project_writes_chinese():
    """Chinese words (a title may be a code: GDP), ASCII ``,;:()`` and Chinese ``。、``; a
    sentence ends with 。 where the English sentence ends with a full stop."""
    for en, zh in ZH.items():
        assert re.search(r"[\u4e00-\u9fff]", zh) or zh == "GDP", (en, zh)
        assert not re.search("[\uff0c\uff1b\uff1a\uff08\uff09\uff01\uff1f]", zh), (en, zh)
        assert not zh.endswith("."), (en, zh)
        assert en.endswith(".") == zh.endswith("。"), (en, zh)


# English words in a row: a sentence left untranslated (code, names and values excepted).
_SENTENCE = re.compile(r"(?<![\w./$-])[A-Za-z]+(?:'[a-z]+)?(?:[ ,]+[a-z]+(?:'[a-z]+)?){2,}")


def _english_left(text: str) -> list[str]:
    return _SENTENCE.findall(re.sub(r"``[^`]*``", "", text))


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_schema_has_no_english_sentence_left(chinese, name):
    left = [(where, text) for where, text in schema_texts(chinese[name]) if _english_left(text)]
    assert not left, left
    assert _english_left("Where the person works.")  # (the check sees a sentence)


# --- the schemas ------------------------------------------------------------------------------


def _blanked(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every title and description emptied where it stands."""
    out = json.loads(json.dumps(schema))
    for where, _ in schema_texts(schema):
        *path, key = [p.replace("~1", "/").replace("~0", "~") for p in where.split("/")[1:]]
        node = out
        for step in path:
            node = node[int(step)] if isinstance(node, list) else node[step]
        node[key] = ""
    return out


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_schema_is_the_english_one_but_for_its_texts(english, chinese, name):
    en, zh = english[name], chinese[name]
    assert [w for w, _ in schema_texts(en)] == [w for w, _ in schema_texts(zh)]
    assert json.dumps(_blanked(en)) == json.dumps(_blanked(zh))  # the same keys, in order
    said = dict(schema_texts(zh))
    assert all(said[where] == ZH[text] for where, text in schema_texts(en))


def test_the_english_schema_is_the_models_own():
    model = Situation.model_json_schema(by_alias=True, mode="validation")
    model["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    assert json.dumps(situation_json_schema()) == json.dumps(model)
    assert situation_json_schema("en") == situation_json_schema()
    assert events_json_schema("en") == events_json_schema()
    schema = {"title": "Card"}
    assert schema_in_language(schema, "en") is schema
    with pytest.raises(ValueError, match="lang"):
        schema_in_language(schema, "fr")


def test_only_annotations_are_said():
    """A property named ``title`` is a name; enum values, constants, defaults and examples
    are values a program sends."""
    schema = {"title": "Card", "properties": {
        "title": {"title": "Kind", "enum": ["Kind"], "default": "Card"},
        "description": {"const": "Card", "examples": [{"title": "Card"}],
                        "description": "Date of birth."}}}
    assert schema_in_language(schema, "zh") == {"title": "卡", "properties": {
        "title": {"title": "种类", "enum": ["Kind"], "default": "Card"},
        "description": {"const": "Card", "examples": [{"title": "Card"}],
                        "description": "出生日期。"}}}
    assert schema_in_language({"description": "not in the catalogue"}, "zh") == {
        "description": "not in the catalogue"}


# --- tongcheng schema ----------------------------------------------------------------------------


def _printed(*args: str) -> str:
    result = CliRunner().invoke(main, ["schema", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _as_printed(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def test_the_command_prints_chinese_unless_asked_for_english(english, chinese):
    assert _printed() == _as_printed(chinese["situation"])
    assert json.loads(_printed())["title"] == "情形"
    assert _printed("--lang", "zh", "--events") == _as_printed(chinese["events"])
    assert _printed("--lang", "en") == _as_printed(english["situation"])
    assert _printed("--events", "--lang", "en") == _as_printed(english["events"])
    said = CliRunner().invoke(main, ["--lang", "en", "schema"])
    assert said.exit_code == 0 and said.stdout == _as_printed(english["situation"])
