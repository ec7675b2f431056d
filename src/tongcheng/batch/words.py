"""What ``screen`` and ``compare`` say to people when a run cannot go on, in both languages.

Both commands default to Chinese, so every message is written in English and in Chinese and
chosen by ``--lang``: the errors of the population's layout, of a format option, of a rule that
does not compile (``Worded``), and the command line's own (an unknown rule, an output that
cannot be written, a file the system refuses: ``tongcheng.cli_options``, shared with the other
commands). Nothing heavy is imported here: the commands word their errors before polars loads.
"""

from __future__ import annotations


class Worded(Exception):
    """An error said in both languages: ``str(e)`` is English, ``zh`` the same in Chinese, and
    ``text(lang)`` the one a run in ``lang`` prints."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh

    def __reduce__(self):  # pickled (a worker's error) with both languages
        return type(self), (str(self), self.zh)

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else str(self)


def say(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en
