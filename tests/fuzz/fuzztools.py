"""Strategies and checks of the fuzz suite (issue 12): what a hostile client sends, and the
contract every face must keep whatever it is sent.

The values are what the review used: lone surrogates, digits that are not ASCII (``²`` ``①``
``１``), integers of 5,000 digits, nesting hundreds deep, codes with a leading zero, impossible
dates, NaN — drawn alone, as whole documents, or put at any path of a valid situation (the
mutations reach the validators behind the first key). Texts go out as JSON with ASCII escapes,
so a lone surrogate travels as ``"\\ud800"`` exactly as a client would send it; integers and
nesting too large for ``json.dumps`` travel as markers replaced in the text.

Example counts scale with the hypothesis profile (``ci``: 150, ``deep``: 3,000): each test asks
for a share of it, so the suite stays within its CI budget and a deep run searches further.
"""

from __future__ import annotations

import json
import re
from typing import Any

from click.testing import Result
from hypothesis import settings
from hypothesis import strategies as st

import tongcheng
from tongcheng.testing import get_path, set_path, situations

PACK = tongcheng.bundled_pack()
PROFILE_EXAMPLES = settings().max_examples  # the loaded profile's


def examples(share: float) -> settings:
    """``share`` of the profile's examples (at least 5)."""
    return settings(max_examples=max(5, int(PROFILE_EXAMPLES * share)))


# --- hostile values ---------------------------------------------------------------------------

_BIG = "\x00BIG\x00"  # stands for an integer of 5,000 digits
_DEEP = re.compile(r'"\\u0000DEEP(\d+)\\u0000"')

HOSTILE_TEXT = (
    "\ud800", "\udfff", "a\udc80b", "²", "①", "１２", "٣", "0370200", "370_200", "370200 ",
    "370200\n", "999999", "2023-02-29", "2020-13", "0000-01-01", "9999-12-31", "10000-01-01",
    "２０２０-０１", "NaN", "-0", "1e999999", "", " ", "\x00", "persn", "__dict__",
    "<script>alert(1)</script>", "'; drop table x; --", "x" * 300,
)
SITUATION_KEYS = ("as_of", "target", "person", "insurance", "provident_fund", "cards", "request",
                  "results", "project", "birth_date", "sex", "place", "from", "to", "scheme",
                  "kind", "issuer", "periods", "balance", "id")

texts = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=12)
scalars = (st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
           | st.floats() | st.just(_BIG) | texts
           | st.integers(1, 300).map(lambda n: f"\x00DEEP{n}\x00"))
keys = st.sampled_from(SITUATION_KEYS) | texts
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


def to_text(value: Any) -> str:
    """JSON text for ``value`` as a client would send it (ASCII escapes; NaN as NaN)."""
    text = json.dumps(value, ensure_ascii=True, default=str)
    text = text.replace(json.dumps(_BIG), "9" * 5000)
    return _DEEP.sub(lambda m: "[" * int(m.group(1)) + "]" * int(m.group(1)), text)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


# Free text the model keeps and the outputs echo: where a lone surrogate would reach stdout.
FREE_TEXT = (("request", "service"), ("results", 0, "level"), ("project", "name"))


@st.composite
def mutated_situations(draw) -> Any:
    """A valid situation of the bundled pack with one to three hostile changes: a value
    replaced by any JSON value, a text by a hostile text, a key added or removed, free text set."""
    data = json.loads(json.dumps(draw(situations(pack=PACK)), default=str))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        action = draw(st.sampled_from(["replace", "text", "text", "add", "delete", "free"]))
        strings = [p for p in paths if isinstance(get_path(data, p), str)]
        if action == "text" and strings:
            set_path(data, draw(st.sampled_from(strings)), draw(texts))
        elif action == "free":
            head, *_, field = draw(st.sampled_from(FREE_TEXT))
            if head == "results":
                data[head] = [{"kind": "medical_test", "place": "370200", field: draw(texts)}]
            else:
                holder = data.get(head)
                data[head] = {**(holder if isinstance(holder, dict) else {}), field: draw(texts)}
        elif not paths or action in ("add", "text"):
            target = draw(st.sampled_from([(), *[p for p in paths
                                                 if isinstance(get_path(data, p), dict)]]))
            holder = get_path(data, target) if target else data
            holder[draw(keys)] = draw(json_values)
        elif action == "replace":
            set_path(data, draw(st.sampled_from(paths)), draw(json_values))
        else:
            path = draw(st.sampled_from(paths))
            holder = get_path(data, path[:-1]) if len(path) > 1 else data
            del holder[path[-1]]
    return data


documents = mutated_situations() | json_values


# --- the contract -----------------------------------------------------------------------------


def assert_contract(result: Result, *codes: int) -> None:
    """An allowed exit code, no traceback in any output, an error said on stderr."""
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in output, output[-2000:]
    assert result.exit_code in codes, f"exit {result.exit_code}: {output[-2000:]}"
    if result.exit_code == 2:
        assert result.stderr.startswith(("error:", "错误:", "Usage:", "用法:")), result.stderr[:500]
