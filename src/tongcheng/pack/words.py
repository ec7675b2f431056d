"""Words that several load problems share (the pack's, an overlay's, the triggers' and the
catalogue's files), each as (English, Chinese): a file that cannot be read, a link out of the
pack, dates in the wrong order, a place code the registry refuses."""

from __future__ import annotations

from tongcheng import wording as W
from tongcheng.places import RetiredPlace, UnknownPlace

OUTSIDE = ("a link to a file outside the rule pack: pack files stay inside the pack",
           "链接指向规则包以外的文件:规则包的文件须在规则包之内")
TO_BEFORE_FROM = ("'to' before 'from'", "'to' 早于 'from'")


def cannot_read(error: OSError) -> tuple[str, str]:
    """A pack file the system would not read: its reason, in Chinese where it is a common one
    (otherwise the system's own words, quoted)."""
    reason = error.strerror or str(error)
    zh = W.ERRNO_ZH.get(error.errno or 0) or f"系统报告错误(“{reason}”)"
    return f"cannot read: {reason}", f"无法读取:{zh}"


def place_words(error: ValueError, value: object) -> str:
    """The Chinese of the registry's refusal of a place code written in the pack (its English
    is the error's own text)."""
    if isinstance(error, UnknownPlace):
        return W.unknown_place(error.code).zh
    if isinstance(error, RetiredPlace):
        old, new = error.place, error.current
        return W.retired_place(old.code, (old.name_en or old.name_zh, old.name_zh), old.retired,
                               error.at, new.code, (new.name_en or new.name_zh, new.name_zh)).zh
    return W.expected_place(value).zh
