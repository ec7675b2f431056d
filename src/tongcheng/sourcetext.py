"""The policy texts a pack carries (``sources/*.md``), read as blocks and sentences.

The docs site renders them whole with every quoted sentence marked, and lint reads the sentence
a quote sits in; both need the same answers to "where is this quote" (found as the loader
checks it, ignoring white space) and "which sentence holds it".

Which sentences *promise a person a treatment* is read from their words: a verb of commitment
(实现, 推行, 推动, 探索, …) with a word of cross-city treatment (互认, 转移接续, 异地, 一卡通, …).
That is the project's reading, a guide for authors looking for uncited promises, not a
classification of the law.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import attrs

# Sentence ends: Chinese and Western full stops, question and exclamation marks, semicolons.
_ENDS = "。！？；!?;"
# Characters that close a sentence's quotation or bracket and belong to it.
_CLOSERS = "”’」』）)》\"'"

# A verb committing someone to do something (the firmness words of CONTRACT.md and their kin).
COMMITMENT_WORDS = ("实现", "推行", "完善", "深化", "探索", "推动", "推进", "支持", "建立",
                    "健全", "开展", "落实", "提升", "加快", "试点", "放开", "放宽")
# Words of a cross-city treatment a person may be entitled to.
TREATMENT_WORDS = ("互认", "转移接续", "直接结算", "即时结算", "一卡通", "一网通办",
                   "通办", "通借通还", "异地就医", "异地贷款", "异地申领", "异地居住", "同城待遇",
                   "同城缴存", "同城使用", "待遇共享", "无障碍转移", "一地受理")


@attrs.frozen
class Sentence:
    index: int
    start: int  # offsets into the whole text
    end: int


@attrs.frozen
class Block:
    """A heading (``#``), a note (``>``, the project's words about the text) or a paragraph."""

    kind: str  # heading | note | paragraph
    level: int
    start: int
    end: int
    sentences: tuple[Sentence, ...]


@attrs.frozen
class SourceText:
    text: str
    blocks: tuple[Block, ...]

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for b in self.blocks for s in b.sentences)

    @cached_property
    def _folded(self) -> tuple[str, tuple[int, ...]]:
        kept = [(i, c) for i, c in enumerate(self.text) if not c.isspace()]
        return "".join(c for _, c in kept), tuple(i for i, _ in kept)

    def find(self, quote: str) -> tuple[int, int] | None:
        """Where ``quote`` stands in the text, white space aside (as the loader checks it)."""
        folded, offsets = self._folded
        needle = "".join(quote.split())
        at = folded.find(needle) if needle else -1
        if at < 0:
            return None
        return offsets[at], offsets[at + len(needle) - 1] + 1

    def sentences_over(self, start: int, end: int) -> list[Sentence]:
        return [s for s in self.sentences if s.start < end and start < s.end]

    def sentence_text(self, s: Sentence) -> str:
        return self.text[s.start:s.end]


def parse(text: str) -> SourceText:
    blocks: list[Block] = []
    count = 0
    offset = 0
    note: list[tuple[int, int]] = []

    def flush_note() -> None:
        nonlocal count
        if note:
            start, end = note[0][0], note[-1][1]
            sentences = tuple(Sentence(count + n, a, b) for n, (a, b) in enumerate(note))
            count += len(sentences)
            blocks.append(Block("note", 0, start, end, sentences))
            note.clear()

    for line in text.splitlines(keepends=True):
        start, body = offset, line.rstrip("\r\n")
        offset += len(line)
        stripped = body.strip()
        if not stripped:
            flush_note()
            continue
        lead = start + (len(body) - len(body.lstrip()))
        if stripped.startswith(">"):
            cut = lead + 1 + (len(stripped[1:]) - len(stripped[1:].lstrip()))
            note.append((cut, start + len(body.rstrip())))
            continue
        flush_note()
        end = start + len(body.rstrip())
        if stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            head = lead + level + (len(stripped[level:]) - len(stripped[level:].lstrip()))
            blocks.append(Block("heading", level, head, end, (Sentence(count, head, end),)))
            count += 1
            continue
        sentences = _split(text, lead, end, count)
        count += len(sentences)
        blocks.append(Block("paragraph", 0, lead, end, sentences))
    flush_note()
    return SourceText(text, tuple(blocks))


def _split(text: str, start: int, end: int, first: int) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    i = begin = start
    while i < end:
        if text[i] in _ENDS:
            i += 1
            while i < end and text[i] in _ENDS + _CLOSERS:
                i += 1
            out.append(Sentence(first + len(out), begin, i))
            while i < end and text[i].isspace():
                i += 1
            begin = i
            continue
        i += 1
    if begin < end:
        out.append(Sentence(first + len(out), begin, end))
    return tuple(out)


def read(path: Path) -> SourceText:
    return parse(path.read_text(encoding="utf-8"))


def promise_words(sentence: str) -> tuple[str, ...]:
    """The commitment and treatment words that make a sentence read as a promise to a person
    (both kinds present), or nothing."""
    commit = [w for w in COMMITMENT_WORDS if w in sentence]
    treat = [w for w in TREATMENT_WORDS if w in sentence]
    return (*commit, *treat) if commit and treat else ()



