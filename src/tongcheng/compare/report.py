"""Reports of a comparison: the terminal table and the self-contained HTML page."""

from __future__ import annotations

import json

HTML = "report.html"


def terminal(data, lang):
    print(json.dumps([{k: r[k] for k in ("rule", "decided", "changed")} for r in data["rules"]]))


def write_html(data, path, lang):
    pass
