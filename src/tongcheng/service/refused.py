"""What FastAPI and Starlette refuse on their own, worded in both languages: a query or path
parameter out of its bounds (pydantic's messages are English only) and an HTTP error (no such
route, a method the route does not take). The app's handlers (``app._answer_errors``) answer
them in the request's language like every other problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tongcheng.errors import Problem

# pydantic's kinds of error met in the query and path parameters, said in Chinese (the
# English is pydantic's own message); ``{…}`` is filled from the error's context
_PARAMETER_ZH = {
    "missing": "缺少必填的参数",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "应大于或等于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应小于或等于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "literal_error": "应为以下之一:{expected}",
    "enum": "应为以下之一:{expected}",
    "string_pattern_mismatch": "格式不符",
}

# HTTP errors Starlette answers itself
_HTTP_ZH = {
    404: "没有这个地址",
    405: "此地址不接受该请求方法",
    400: "无法理解该请求",
}


def parameter_problem(error: Mapping[str, Any]) -> Problem:
    """One of FastAPI's ``RequestValidationError.errors()``, named by the parameter."""
    path = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
    en = str(error.get("msg", "invalid"))
    context = {k: _listed(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        zh = _PARAMETER_ZH[str(error.get("type"))].format(**context)
    except (KeyError, IndexError):
        zh = "取值无效"
    return Problem(path, en, zh)


def _listed(value: Any) -> str:
    """A context value as Chinese lists it: pydantic's ``'zh' or 'en'`` as ``'zh'、'en'``."""
    return str(value).replace(" or ", "、").replace(", ", "、")


def http_problem(status: int, detail: Any) -> Problem:
    """An HTTP error: Starlette's detail (the status's phrase: no route raises its own) and
    its Chinese."""
    return Problem("", str(detail), _HTTP_ZH.get(status) or f"请求无法处理(状态码 {status})")
