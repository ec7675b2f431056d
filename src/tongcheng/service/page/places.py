"""Places typed by name (Chinese or English) or code, resolved against the registry."""

from __future__ import annotations

import re
import unicodedata

from tongcheng.places import Place, PlaceRegistry


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isascii() and ch.isalnum())


def _bare(name_zh: str) -> str:
    for suffix in ("自治县", "市", "区", "县", "旗", "省"):
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix) + 1:
            return name_zh[: -len(suffix)]
    return name_zh


def place_label(place: Place) -> str:
    """How a resolved place is shown in its field: names and code (the code is what counts)."""
    names = place.name_zh + (f" {place.name_en}" if place.name_en else "")
    return f"{names} ({place.code})"


_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def resolve_place(
    registry: PlaceRegistry, text: str, lang: str = "en"
) -> tuple[str | None, str | None]:
    """A typed place as a code, or a message saying why it cannot be chosen.

    A six-digit code anywhere in the text wins (the suggestions put it there). Otherwise the
    name must match one place exactly (青岛, 青岛市, Qingdao), Shandong's current places first;
    when several remain, the message lists them.
    """
    query = text.strip()
    m = _CODE_IN_TEXT.search(query)
    if m:
        return m.group(1), None
    zh = lang == "zh"
    if len(query) > 60:
        return None, "请填写地名或六位代码" if zh else "expected a place name or a six-digit code"
    found = registry.search(query, limit=40)
    folded = _fold(query)

    def exact(p: Place) -> bool:
        return query in (p.name_zh, _bare(p.name_zh)) or bool(
            folded and p.name_en and _fold(p.name_en) == folded
        )

    candidates = [p for p in found if exact(p)] or found
    for group in (
        [p for p in candidates if p.current and p.code.startswith("37")],
        [p for p in candidates if p.current],
        candidates,
    ):
        if len(group) == 1:
            return group[0].code, None
        if len(group) > 1:
            listed = "; ".join(f"{p.name_zh} {p.name_en} {p.code}".replace("  ", " ")
                               for p in group[:6])
            more = ", …" if len(group) > 6 else ""
            if zh:
                return None, f"“{query}”对应多个地点({listed}{more}):请从建议中选择,或填写代码"
            return None, (
                f"{query!r} matches several places ({listed}{more}): choose one from the "
                "suggestions or type its code"
            )
    if zh:
        return None, f"没有名为“{query}”的地点:请填写城市或县区名称(中英文均可)或六位代码"
    return None, (
        f"no place named {query!r}: type a city or county name (Chinese or English) or its "
        "six-digit code"
    )
