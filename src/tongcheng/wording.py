"""The words of every problem tongcheng reports about a situation, in English and Chinese.

Validation messages are read by a person at a terminal, a caseworker on the Chinese page and a
portal's developer, so each is written once here in both languages and chosen at the edge
(``--lang``, the page's language, the HTTP request's ``lang``). Each kind of problem has a
``code`` (stable, for programs and for the test that walks every kind); the functions below are
the whole catalogue, and ``KINDS`` lists their codes.

A message quotes what was written (``'x'``) as it was written: input is never translated.
"""

from __future__ import annotations

import difflib
import errno
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

import attrs


@attrs.frozen
class Words:
    """One problem's message in both languages, and the kind of problem it is."""

    code: str
    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


KINDS: list[str] = []


def _kind(code: str) -> str:
    KINDS.append(code)
    return code


# --- values as written --------------------------------------------------------------------------


def shortened(text: str, lang: str = "en", limit: int = 60) -> str:
    """``text`` cut after ``limit`` characters, so a hostile value never fills a message."""
    if len(text) <= limit:
        return text
    if lang == "zh":
        return f"{text[:limit]}…(共 {len(text):,} 个字符)"
    return f"{text[:limit]}… ({len(text):,} characters)"


def quoted(value: str, lang: str = "en") -> str:
    """What the user wrote, quoted (``'x'``) and cut when long."""
    return repr(shortened(value, lang))


def describe(value: object) -> tuple[str, str]:
    """A value as a person wrote it, for "got ..." (JSON/YAML words, not Python's); long text
    and numbers of many digits are cut."""
    if value is None:
        return "null", "null"
    if isinstance(value, bool):
        word = "true" if value else "false"
        return word, word
    if isinstance(value, str):
        return f"the string {quoted(value)}", f"字符串 {quoted(value, 'zh')}"
    if isinstance(value, int) and value.bit_length() > 64:
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"a number of about {digits:,} digits", f"约 {digits:,} 位的数字"
    if isinstance(value, datetime):
        return f"a date and time {value.isoformat()}", f"日期时间 {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}", f"日期 {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping", "一个映射(键值对)"
    if isinstance(value, list | tuple):
        return "a list", "一个列表"
    if isinstance(value, int | float | Decimal):
        return f"the number {shortened(str(value))}", f"数字 {shortened(str(value), 'zh')}"
    return f"a {type(value).__name__}", "一个无法识别的值"


def _got(value: object) -> tuple[str, str]:
    en, zh = describe(value)
    return f"got {en}", f"实际为{zh}"


# --- shapes of single values --------------------------------------------------------------------

EXPECTED_MONTH = _kind("expected_month")
MONTH_NOT_CALENDAR = _kind("month_not_calendar")
YEAR_TOO_EARLY = _kind("year_too_early")
EXPECTED_DATE = _kind("expected_date")
IMPOSSIBLE_DATE = _kind("impossible_date")
EXPECTED_AMOUNT = _kind("expected_amount")
AMOUNT_NOT_FINITE = _kind("amount_not_finite")
AMOUNT_TOO_LARGE = _kind("amount_too_large")
NEGATIVE = _kind("negative")
EXPECTED_COUNT = _kind("expected_count")
EXPECTED_PLACE = _kind("expected_place")
UNKNOWN_PLACE = _kind("unknown_place")
RETIRED_PLACE = _kind("retired_place")
EXPECTED_CHOICE = _kind("expected_choice")
HOSPITAL_GRADE = _kind("hospital_grade")


def expected_month(value: object) -> Words:
    if isinstance(value, str):
        return Words(EXPECTED_MONTH, f"expected a month as YYYY-MM, got {quoted(value)}",
                     f"应为 YYYY-MM 格式的月份,实际为 {quoted(value, 'zh')}")
    en, zh = _got(value)
    return Words(EXPECTED_MONTH, f"expected a month as YYYY-MM, {en}",
                 f"应为 YYYY-MM 格式的月份,{zh}")


def month_not_calendar(text: str, month: int) -> Words:
    return Words(MONTH_NOT_CALENDAR,
                 f"month {month:02d} in {text!r} is not a calendar month (01-12)",
                 f"{text!r} 中的月份 {month:02d} 不是日历上的月份(01–12)")


def year_too_early(text: str, year: int) -> Words:
    return Words(YEAR_TOO_EARLY, f"year {year} in {text!r} is before 1900",
                 f"{text!r} 中的年份 {year} 早于 1900 年")


def expected_date(value: object) -> Words:
    if isinstance(value, str):
        return Words(EXPECTED_DATE, f"expected a date as YYYY-MM-DD, got {quoted(value)}",
                     f"应为 YYYY-MM-DD 格式的日期,实际为 {quoted(value, 'zh')}")
    en, zh = _got(value)
    return Words(EXPECTED_DATE, f"expected a date as YYYY-MM-DD, {en}",
                 f"应为 YYYY-MM-DD 格式的日期,{zh}")


def impossible_date(text: str) -> Words:
    """A ``YYYY-MM-DD`` text that names no day of the calendar (``1965-02-30``)."""
    year, month, day = (int(part) for part in text.split("-"))
    if not 1 <= month <= 12:
        why_en, why_zh = "month must be in 1..12", f"没有 {month} 月"
    else:
        why_en, why_zh = "day is out of range for month", f"{year} 年 {month} 月没有 {day} 日"
    return Words(IMPOSSIBLE_DATE,
                 f"expected a real calendar date as YYYY-MM-DD, got {text!r} ({why_en})",
                 f"应为日历上真实存在的日期(YYYY-MM-DD),实际为 {text!r}({why_zh})")


def expected_amount(value: object, finite: bool = False) -> Words:
    en, zh = _got(value)
    if finite:
        return Words(AMOUNT_NOT_FINITE,
                     f"expected an amount in yuan (a finite number), got {value}",
                     f"应为以元计的金额(有限的数),实际为 {value}")
    return Words(EXPECTED_AMOUNT, f"expected an amount in yuan (a number), {en}",
                 f"应为以元计的金额(一个数),{zh}")


def amount_too_large(value: object) -> Words:
    return Words(AMOUNT_TOO_LARGE, f"expected an amount in yuan below 10^13, got {value}",
                 f"金额应小于 10^13 元,实际为 {value}")


def negative() -> Words:
    return Words(NEGATIVE, "must not be negative", "不能为负数")


def expected_count(value: object) -> Words:
    en, zh = _got(value)
    return Words(EXPECTED_COUNT, f"expected a whole number, {en}", f"应为非负整数,{zh}")


def expected_place(value: object) -> Words:
    if isinstance(value, str):
        en, zh = quoted(value), quoted(value, "zh")
    elif type(value) is int and value.bit_length() <= 64:
        en = zh = repr(value)
    else:
        en, zh = describe(value)
    return Words(EXPECTED_PLACE,
                 f'expected a six-digit place code as a string, e.g. "370200", got {en}',
                 f'应为六位行政区划代码(字符串,如 "370200"),实际为{zh}')


def unknown_place(code: str) -> Words:
    return Words(UNKNOWN_PLACE,
                 f"unknown place code {code!r}: not a GB/T 2260 administrative division code",
                 f"未知的地区代码 {code!r}:不是 GB/T 2260 行政区划代码")


def retired_place(code: str, name: tuple[str, str], retired: date | None, at: date | None,
                  successor: str, successor_name: tuple[str, str]) -> Words:
    """``name`` and ``successor_name``: each place's (English, Chinese) name."""
    head_en = f"place code {code!r} ({name[0]}) was retired on {retired}"
    use_en = f"use {successor!r} ({successor_name[0]}) instead"
    head_zh = f"地区代码 {code!r}({name[1]})已于 {retired} 停用"
    use_zh = f"请改用 {successor!r}({successor_name[1]})"
    if at is None:
        return Words(RETIRED_PLACE,
                     f"{head_en}: {use_en} (the old code is valid only for dates before "
                     f"{retired}, and no date was given)",
                     f"{head_zh}:{use_zh}(旧代码只适用于 {retired} 之前的日期,而此处没有给出日期)")
    return Words(RETIRED_PLACE, f"{head_en}, so it is not valid for {at}: {use_en}",
                 f"{head_zh},不适用于 {at}:{use_zh}")


def expected_choice(allowed: Sequence[str], value: object) -> Words:
    en, zh = _got(value)
    return Words(EXPECTED_CHOICE, f"expected one of: {', '.join(allowed)}, {en}",
                 f"应为以下之一:{', '.join(allowed)};{zh}")


def hospital_grade(grade: int) -> Words:
    return Words(HOSPITAL_GRADE, f"expected a hospital grade 1, 2 or 3, got {grade}",
                 f"医院等级应为 1、2 或 3,实际为 {grade}")


# --- shapes of objects and lists ----------------------------------------------------------------

EXPECTED_MAPPING = _kind("expected_mapping")
UNKNOWN_KEY = _kind("unknown_key")
MISSING_KEY = _kind("missing_key")
EXPECTED_LIST = _kind("expected_list")
EXPECTED_BOOL = _kind("expected_bool")
EXPECTED_STRING = _kind("expected_string")
EXPECTED_NULL = _kind("expected_null")
INVALID = _kind("invalid")
EXPECTED_SITUATION = _kind("expected_situation")


def expected_mapping(value: object, keys: Iterable[str] = ()) -> Words:
    en, zh = _got(value)
    keys = list(keys)
    if keys:
        return Words(EXPECTED_MAPPING, f"expected a mapping (keys: {', '.join(keys)}), {en}",
                     f"应为映射(键:{', '.join(keys)}),{zh}")
    return Words(EXPECTED_MAPPING, f"expected a mapping, {en}", f"应为映射(键值对),{zh}")


def unknown_key(key: object, allowed: Sequence[str]) -> Words:
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    hint_en = f" (did you mean {close[0]!r}?)" if close else ""
    hint_zh = f"(是否应为 {close[0]!r}?)" if close else ""
    return Words(UNKNOWN_KEY, f"unknown key{hint_en}; allowed keys: {', '.join(allowed)}",
                 f"未知的键{hint_zh};允许的键:{', '.join(allowed)}")


def missing_key() -> Words:
    return Words(MISSING_KEY, "required key is missing", "缺少必填的键")


def expected_list(value: object) -> Words:
    en, zh = _got(value)
    return Words(EXPECTED_LIST, f"expected a list, {en}", f"应为列表,{zh}")


def expected_bool(value: object) -> Words:
    en, zh = _got(value)
    return Words(EXPECTED_BOOL, f"expected true or false, {en}", f"应为 true 或 false,{zh}")


def expected_string(value: object) -> Words:
    en, zh = _got(value)
    return Words(EXPECTED_STRING, f"expected a string, {en}", f"应为字符串,{zh}")


def expected_null(value: object) -> Words:
    en, zh = _got(value)
    return Words(EXPECTED_NULL, f"expected null, {en}", f"应为 null,{zh}")


def invalid(detail: str) -> Words:
    """Any other refusal of the model (none is known; kept so nothing goes unworded)."""
    return Words(INVALID, detail, "值无效")


def expected_situation(value: object) -> Words:
    if value is None:
        en, zh = "nothing (an empty document)", "空文档"
    else:
        en, zh = describe(value)
    return Words(EXPECTED_SITUATION,
                 f"expected a mapping of situation keys at the top level, got {en}",
                 f"顶层应为情形各项(键值对)的映射,实际为{zh}")


# --- between fields -----------------------------------------------------------------------------

TO_BEFORE_FROM = _kind("to_before_from")
ONLY_WHEN_RETIRED = _kind("only_when_retired")
BEFORE_BIRTH = _kind("before_birth")
AFTER_AS_OF = _kind("after_as_of")
UNKNOWN_SERVICE = _kind("unknown_service")
ONE_SUBJECT = _kind("one_subject")


def to_before_from() -> Words:
    return Words(TO_BEFORE_FROM, "month before 'from'", "早于 'from' 的月份")


def only_when_retired(employment: str) -> Words:
    return Words(ONLY_WHEN_RETIRED,
                 f"only for employment: retired, but employment is {employment!r}",
                 f"仅在 employment 为 retired 时填写,而 employment 为 {employment!r}")


def before_birth(born: date) -> Words:
    return Words(BEFORE_BIRTH, f"date before birth_date ({born.isoformat()})",
                 f"日期早于出生日期 birth_date({born.isoformat()})")


def after_as_of(as_of: date) -> Words:
    return Words(AFTER_AS_OF, f"date after as_of ({as_of.isoformat()})",
                 f"日期晚于评估日期 as_of({as_of.isoformat()})")


def one_subject() -> Words:
    return Words(ONE_SUBJECT,
                 "a situation is about one subject: give a project or an enterprise, not both",
                 "一个情形只针对一个对象:请只给出项目(project)或企业(enterprise)之一")


def unknown_service(service: str, known: Sequence[str]) -> Words:
    """``request.service`` names no item of the pack: the nearest ids, by spelling."""
    nearest = difflib.get_close_matches(service, known, n=3, cutoff=0.0) or list(known)[:3]
    return Words(UNKNOWN_SERVICE,
                 f"unknown service item {service!r}; nearest known ids: {', '.join(nearest)}",
                 f"未知的政务服务事项 {service!r};最接近的已知事项:{', '.join(nearest)}")


# --- reading text -------------------------------------------------------------------------------

NOT_JSON = _kind("not_json")
DUPLICATE_KEY = _kind("duplicate_key")
NOT_YAML = _kind("not_yaml")
NOT_UTF8 = _kind("not_utf8")
CANNOT_READ = _kind("cannot_read")
TOO_DEEP = _kind("too_deep")
NUMBER_TOO_LONG = _kind("number_too_long")
LONE_SURROGATE = _kind("lone_surrogate")
TOO_MANY_ITEMS = _kind("too_many_items")
TOO_LARGE = _kind("too_large")

# The system's words for the common failures, in Chinese (its own text is English).
ERRNO_ZH = {
    errno.ENOENT: "没有这个文件或文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许这样操作",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EROFS: "文件系统只读",
    errno.EEXIST: "已经存在",
    errno.EMFILE: "打开的文件过多",
}


def os_problem(error: OSError, lang: str, path: object = None) -> str:
    """What the system said about ``path``, in ``lang``: in Chinese, the common failures in
    Chinese words and any other as the system's own text, quoted (its file named when it is
    not ``path``)."""
    if lang != "zh":
        return str(error)
    named = error.filename is not None and str(error.filename) != str(path)
    where = f"{error.filename}:" if named else ""
    words = ERRNO_ZH.get(error.errno or 0)
    if words is not None:
        return where + words
    detail = error.strerror or str(error) or type(error).__name__
    return f"{where}系统报告错误(“{detail}”)"


# The json module's messages, in Chinese (others: "syntax error").
_JSON_ZH = {
    "Expecting value": "此处应有一个值",
    "Expecting ',' delimiter": "此处应有逗号",
    "Expecting ':' delimiter": "此处应有冒号",
    "Expecting property name enclosed in double quotes": "此处应有用双引号括起的键名",
    "Extra data": "末尾有多余内容",
    "Unterminated string starting at": "字符串没有结束引号",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的转义序列",
    "Illegal trailing comma before end of object": "对象末尾多了逗号",
    "Illegal trailing comma before end of array": "数组末尾多了逗号",
}


def where(source: str | None, line: int | None, column: int | None) -> tuple[str, str]:
    """``file:line:column: `` (the same in both languages), or the line and column in words."""
    if source is None and line is not None:
        return f"line {line}, column {column}: ", f"第 {line} 行第 {column} 列:"
    parts = [str(p) for p in (source, line, column) if p is not None]
    prefix = ":".join(parts) + ": " if parts else ""
    return prefix, prefix


def not_json(detail: str, at: tuple[str, str] = ("", "")) -> Words:
    return Words(NOT_JSON, f"{at[0]}not valid JSON: {detail}",
                 f"{at[1]}不是有效的 JSON:{_JSON_ZH.get(detail, '语法错误')}")


def duplicate_key(key: str, at: tuple[str, str] = ("", "")) -> Words:
    return Words(DUPLICATE_KEY, f"{at[0]}duplicate key {key!r}", f"{at[1]}键 {key!r} 出现了两次")


def not_yaml(detail: str, at: tuple[str, str] = ("", "")) -> Words:
    return Words(NOT_YAML, f"{at[0]}not valid YAML: {detail}", f"{at[1]}不是有效的 YAML:语法错误")


def not_utf8(byte: int, at: tuple[str, str] = ("", "")) -> Words:
    return Words(NOT_UTF8, f"{at[0]}not UTF-8 text (byte {byte})",
                 f"{at[1]}不是 UTF-8 文本(第 {byte} 字节)")


def cannot_read(source: str, reason: str) -> Words:
    return Words(CANNOT_READ, f"{source}: cannot read: {reason}", f"{source}:无法读取该文件")


def too_deep(limit: int) -> Words:
    return Words(TOO_DEEP, f"nested more than {limit} levels deep", f"嵌套超过 {limit} 层")


def number_too_long(limit: int | None, digits: int | None) -> Words:
    """An integer of more than ``limit`` digits (None: a number too large to hold at all)."""
    if limit is None:
        return Words(NUMBER_TOO_LONG, "a number too large to hold", "数字太大,无法保存")
    size_en = f" ({digits:,} digits)" if digits else ""
    size_zh = f"(共 {digits:,} 位)" if digits else ""
    return Words(NUMBER_TOO_LONG, f"a number longer than {limit:,} digits{size_en}",
                 f"数字超过 {limit:,} 位{size_zh}")


def lone_surrogate(text: str, key: bool = False) -> Words:
    """``text`` (with its lone surrogate written as an escape) is no valid Unicode text."""
    what_en, what_zh = ("the key", "键") if key else ("the string", "字符串")
    return Words(LONE_SURROGATE, f"{what_en} '{shortened(text)}' holds a lone surrogate: not "
                 "valid Unicode text",
                 f"{what_zh} '{shortened(text, 'zh')}' 含有孤立的代理码元:不是有效的文本")


def too_many_items(limit: int, count: int) -> Words:
    return Words(TOO_MANY_ITEMS, f"at most {limit:,} items, got {count:,}",
                 f"最多 {limit:,} 项,实际为 {count:,} 项")


def too_large(limit_bytes: int, at: tuple[str, str] = ("", "")) -> Words:
    mib = limit_bytes // 2**20
    return Words(TOO_LARGE, f"{at[0]}larger than {mib} MiB", f"{at[1]}大于 {mib} 兆字节")
