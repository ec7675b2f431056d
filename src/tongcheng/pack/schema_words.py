"""pydantic's refusals of a pack file (schema.py, the triggers' and the catalogue's formats)
said in both languages.

pydantic words its errors in English; a rule author on a Chinese face reads the same refusal
in Chinese, chosen by the error's ``type`` (missing, unknown key, wrong type, not one of the
allowed values, bad date, too short…). The English is what it always was (pydantic's ``msg``
where this module has no plainer words), so existing messages do not change. A kind not known
here is still said in Chinese, as a value the format does not accept; the caller puts the path
(``zones[0].from``) before it in both languages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tongcheng import wording as W
from tongcheng.scalars import ERROR_TYPE

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
# the patterns of the format's ids and labels (schema.Id, schema.Label), in words
_PATTERNS_ZH = {
    r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$":
        "应为编号:小写英文字母、数字和 '_' 组成的词,以 '.' 连接,以字母开头",
    r"^[a-z][a-z0-9_]*$": "应为标签:小写英文字母、数字和 '_',以字母开头",
}

UNKNOWN_KEY = "unknown key; check the spelling against the rule-pack format"
UNKNOWN_KEY_ZH = "未知的键;请对照规则包格式检查拼写"


def said(err: Mapping[str, Any], unknown_key: tuple[str, str] = (UNKNOWN_KEY, UNKNOWN_KEY_ZH)
         ) -> tuple[str, str]:
    """One pydantic error (an item of ``ValidationError.errors()``) as (English, Chinese);
    ``unknown_key``: the words for a key the format does not have."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    value = err.get("input")
    en = str(err.get("msg", "invalid"))
    if kind == ERROR_TYPE:  # a validator of ours (scalars.py): its words are final
        return str(ctx.get("message", en)), str(ctx.get("zh", ctx.get("message", en)))
    if kind == "extra_forbidden":
        return unknown_key
    if kind == "missing":
        words = W.missing_key()
        return words.en, words.zh
    if kind.startswith("date_") and isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        words = W.impossible_date(value)  # an unquoted 2023-13-06, kept as text by yamlio
        return words.en, words.zh
    return en, _zh(kind, ctx, value)


def _zh(kind: str, ctx: Mapping[str, Any], value: Any) -> str:
    got = W.describe(value)[1]
    if kind in _TYPES_ZH:
        return f"{_TYPES_ZH[kind]},实际为{got}"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        if kind == "date_from_datetime_inexact":
            return "应为日期(YYYY-MM-DD),不能带时刻"
        return W.expected_date(value).zh
    if kind == "literal_error":
        allowed = str(ctx.get("expected", "")).replace(" or ", " 或 ")
        return f"应为以下之一:{allowed};实际为{got}"
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "不能为空" if n == 1 else f"至少应有 {n} 个字符"
    if kind == "string_too_long":
        return f"最多 {ctx.get('max_length')} 个字符"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return "至少应有一项,不能为空" if n == 1 else f"至少应有 {n} 项"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return _PATTERNS_ZH.get(pattern, f"不符合格式 {pattern!r}") + f";实际为{got}"
    if kind in _BOUNDS_ZH:
        key, words = _BOUNDS_ZH[kind]
        return f"应{words} {ctx.get(key)}"
    return f"此处的值不符合规则包格式,实际为{got}"


_TYPES_ZH = {
    "string_type": "应为字符串",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "float_type": "应为数", "float_parsing": "应为数", "decimal_type": "应为数",
    "finite_number": "应为有限的数",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "dict_type": "应为映射(键值对)", "model_type": "应为映射(键值对)",
    "model_attributes_type": "应为映射(键值对)",
    "list_type": "应为列表", "tuple_type": "应为列表", "set_type": "应为列表",
    "none_required": "应为 null",
}
_BOUNDS_ZH = {
    "greater_than_equal": ("ge", "大于或等于"), "greater_than": ("gt", "大于"),
    "less_than_equal": ("le", "小于或等于"), "less_than": ("lt", "小于"),
}
