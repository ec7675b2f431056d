"""The entry points: a situation from a mapping, a text or a file, refused whole with every
problem named by its path (and line, for text); and the situation's JSON Schema, in either
language."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from tongcheng import reading, yamlio
from tongcheng import wording as W
from tongcheng.errors import Problem, SituationError
from tongcheng.jsonio import path_text
from tongcheng.places import PlaceRegistry
from tongcheng.situation.facts import _MAX_LIST, Loc, _plain_message
from tongcheng.situation.models import Situation
from tongcheng.situation.schema_lang import schema_in_language
from tongcheng.wording import Words

MAX_SITUATION_BYTES = 2**20
"""The largest situation file ``load_situation`` reads."""


def _lines(text: str | None) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """Where each path of a YAML or JSON text is (JSON is read as YAML 1.2 here), for messages:
    computed only for a situation already refused, so valid input pays nothing for it."""
    if text is None:
        return {}
    try:
        return yamlio.load_text(text, max_items=_MAX_LIST)[1]  # a longer list: no lines
    except yamlio.YamlSyntaxError:
        return {}


def _service_problem(data: Mapping[str, Any], services: Collection[str] | None) -> Words | None:
    """``request.service`` must be an item the pack knows (a validation problem, not a "no")."""
    request = data.get("request")
    if services is None or not isinstance(request, Mapping):
        return None
    service = request.get("service")
    if not isinstance(service, str) or service in services:
        return None
    return W.unknown_service(service, sorted(services))


def _validate(
    data: Any,
    *,
    as_of: date | None,
    source: str | None,
    registry: PlaceRegistry | None,
    services: Collection[str] | None,
    text: str | None = None,
) -> Situation:
    if not isinstance(data, Mapping):
        words = W.expected_situation(data)
        raise SituationError([Problem("", words.en, words.zh, code=words.code)], source)
    if as_of is not None:
        data = {**data, "as_of": as_of}
    context = {"registry": registry} if registry is not None else None
    found: list[tuple[Loc, Words]] = []
    model = None
    try:
        model = Situation.model_validate(data, context=context)
    except ValidationError as exc:
        found = [(tuple(error["loc"]), _plain_message(error)) for error in exc.errors()]
    service = _service_problem(data, services)
    if service is not None:
        found.append((("request", "service"), service))
    if not found:
        assert model is not None
        return model
    lines = _lines(text)
    problems = [
        Problem(path_text(tuple(loc)), words.en, words.zh,
                yamlio.line_of(lines, loc) if lines else None, words.code)
        for loc, words in found
    ]
    raise SituationError(problems, source)


def parse_situation(
    data: Mapping[str, Any] | Situation | str | bytes,
    *,
    as_of: date | None = None,
    source: str | None = None,
    registry: PlaceRegistry | None = None,
    services: Collection[str] | None = None,
) -> Situation:
    """Validate a situation given as a mapping, or as JSON or YAML text.

    ``as_of``, when given, overrides the situation's own. ``source`` names where the input came
    from, for messages. ``services``, when given, are the service item ids ``request.service``
    may name (a pack's: ``RulePack.service_ids``). Raises SituationError listing every problem
    found, each worded in English and Chinese, with its line when the input was text.
    """
    text = None
    if isinstance(data, Situation):
        data = data.to_dict()
    if isinstance(data, bytes):
        data = reading.decode(data, source)
    if isinstance(data, str):
        text = data
        data = reading.load_text(data, source, "any", _MAX_LIST)
    return _validate(data, as_of=as_of, source=source, registry=registry, services=services,
                     text=text)


def load_situation(
    path: str | Path,
    *,
    as_of: date | None = None,
    registry: PlaceRegistry | None = None,
    services: Collection[str] | None = None,
) -> Situation:
    """Read and validate a situation file (.json, .yaml or .yml; otherwise JSON, then YAML)."""
    path = Path(path)
    source = str(path)
    try:
        raw = yamlio.read_bytes(path, MAX_SITUATION_BYTES)
    except OSError as exc:
        words = W.cannot_read(source, exc.strerror or str(exc))
        raise SituationError([Problem("", words.en, words.zh, code=words.code)], source) from None
    except yamlio.YamlSyntaxError:
        words = W.too_large(MAX_SITUATION_BYTES, W.where(source, None, None))
        raise SituationError([Problem("", words.en, words.zh, code=words.code)], source) from None
    text = reading.decode(raw, source)
    suffix = path.suffix.lower()
    kind: Literal["json", "yaml", "any"] = (
        "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "any"
    )
    data = reading.load_text(text, source, kind, _MAX_LIST)
    return _validate(data, as_of=as_of, source=source, registry=registry, services=services,
                     text=text)


def situation_json_schema(lang: str = "en") -> dict[str, Any]:
    """The JSON Schema of a situation, generated from the model (keys as written: ``from``),
    its titles and descriptions in ``lang`` (en: the model's own words)."""
    schema = Situation.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema_in_language(schema, lang)
