"""Who decided: the caseworker a request names in the deployment's actor header
(``serve --actor-header X-Caseworker``), as a record keeps it.

HTTP carries a header's value as bytes, and the ASGI servers hand them over as Latin-1 text, so
a caseworker's name sent as UTF-8 (``张三``) arrives as ``å¼ ä¸\\x89``: a record keeping that
would name someone who does not exist. ``actor_of`` reads the bytes as UTF-8, and refuses what
names no one (bytes that are no UTF-8, a control character, a name past ``MAX_ACTOR``) rather
than record it garbled: the service refuses the request, naming the header, before deciding.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

MAX_ACTOR = 200  # characters of a caseworker's id or name


class ActorRefused(ValueError):
    """The actor header names no one: ``header`` (its name) and why, in English (``message``)
    and Chinese (``zh``)."""

    def __init__(self, header: str, message: str, zh: str) -> None:
        super().__init__(message)
        self.header, self.message, self.zh = header, message, zh


def actor_of(headers: Mapping[str, str], header: str | None) -> str | None:
    """The caseworker named in ``headers[header]`` (None: no header configured, or none sent,
    or blank), its bytes read as UTF-8 and surrounding spaces trimmed; ``ActorRefused`` when
    it names no one."""
    if not header:
        return None
    sent = headers.get(header)
    if sent is None:
        return None
    try:
        raw = sent.encode("latin-1")
    except UnicodeEncodeError:  # Python text already (a test client's), not a server's bytes
        actor = sent.strip()
    else:
        try:
            actor = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ActorRefused(header, "not UTF-8 text: send the caseworker's name in UTF-8",
                               "不是 UTF-8 文本:经办人名称应以 UTF-8 编码发送") from None
    if len(actor) > MAX_ACTOR:
        raise ActorRefused(header, f"at most {MAX_ACTOR} characters, got {len(actor):,}",
                           f"最多 {MAX_ACTOR} 个字符,实际为 {len(actor):,} 个")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in actor):
        raise ActorRefused(header, "a control character in the caseworker's name",
                           "经办人名称中含有控制字符")
    return actor or None

