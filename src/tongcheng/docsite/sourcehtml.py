"""A policy text as HTML: whole, each sentence addressable (``#s12``), every quoted passage
highlighted (``#q3``) and followed by links to what cites it, and each sentence that reads as a
promise of a treatment but is cited by nothing flagged (``sourcetext.promise_words``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import attrs
from markupsafe import Markup, escape

from tongcheng import sourcetext
from tongcheng.sourcetext import Block, Sentence, SourceText


@attrs.frozen
class Mark:
    """A quoted passage: where it stands, its anchor, and (href, label) of each citer."""

    start: int
    end: int
    anchor: str
    citers: tuple[tuple[str, str], ...]


def uncited_promises(text: SourceText, marks: Sequence[Mark]) -> list[tuple[Sentence, tuple]]:
    """Sentences with the words of a promise that no quote touches (with those words)."""
    out = []
    for s in text.sentences:
        if any(m.start < s.end and s.start < m.end for m in marks):
            continue
        words = sourcetext.promise_words(text.sentence_text(s))
        if words:
            out.append((s, words))
    return out


def render(text: SourceText, marks: Sequence[Mark], flag: Callable[[tuple], str]) -> Markup:
    """The whole text: headings, notes and paragraphs, sentences with their marks."""
    flagged = {s.index: words for s, words in uncited_promises(text, marks)}
    html: list[str] = []
    for block in text.blocks:
        inner = "".join(_sentence(text, s, marks, flagged.get(s.index), flag)
                        for s in block.sentences)
        html.append(_wrap(block, inner))
    return Markup("\n".join(html))


def _wrap(block: Block, inner: str) -> str:
    if block.kind == "heading":
        level = min(block.level + 1, 6)  # the page's own title is the h1
        return f"<h{level} class=\"source-heading\">{inner}</h{level}>"
    if block.kind == "note":
        return f"<aside class=\"source-note\">{inner}</aside>"
    return f"<p>{inner}</p>"


def _sentence(text: SourceText, s: Sentence, marks: Sequence[Mark], words: tuple | None,
              flag: Callable[[tuple], str]) -> str:
    inside = [m for m in marks if m.start < s.end and s.start < m.end]
    cuts = sorted({s.start, s.end, *(p for m in inside for p in (m.start, m.end)
                                     if s.start < p < s.end)})
    parts = []
    for a, b in itertools.pairwise(cuts):
        chunk = str(escape(text.text[a:b]))
        covering = [m for m in inside if m.start <= a and b <= m.end]
        anchors = "".join(f'<span class="anchor" id="{m.anchor}"></span>' for m in inside
                          if m.start == a)
        if covering:
            ids = " ".join(m.anchor for m in covering)
            chunk = f'<mark class="quote" data-quotes="{ids}">{chunk}</mark>'
        cites = "".join(_cites(m) for m in inside if m.end == b)
        parts.append(anchors + chunk + cites)
    classes = "sentence" + (" cited" if inside else "") + (" uncited-promise" if words else "")
    body = "".join(parts)
    if words:
        body += (f'<span class="flag" title="{escape(flag(words))}">⚑ '
                 f'<span class="flag-text">{escape(flag(words))}</span></span>')
    return f'<span class="{classes}" id="s{s.index}">{body}</span>'


def _cites(m: Mark) -> str:
    links = ", ".join(f'<a href="{escape(href)}">{escape(label)}</a>' for href, label in m.citers)
    return f'<sup class="cites">[{links}]</sup>' if links else ""
