"""The comparison as one self-contained HTML page: Vega-Lite charts (built with altair) and the
Vega, Vega-Lite and vega-embed JavaScript inlined (the bundle vl-convert ships), so the file
opens offline, from a mail attachment or a shared drive, with nothing fetched at view time.

Per rule decided on both sides: the transition matrix (base status × new status), the changed
transitions, the changes by target city, household city and age band, and each numeric
outcome's distribution on both sides, with the tables behind them.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import altair as alt
import jinja2

from tongcheng.compare import words
from tongcheng.compare.report import side_line
from tongcheng.compare.tally import AGE_BANDS, UNKNOWN
from tongcheng.compare.words import WORDS

TOP_GROUPS = 15
STATUS_ORDER = ("eligible", "ineligible", "undetermined", "not_applicable", "absent")
COLORS = ("#c0392b", "#2e86c1", "#d68910", "#7d3c98", "#17a589", "#839192", "#1f618d",
          "#b9770e")


@functools.cache
def javascript() -> str:
    """Vega, Vega-Lite and vega-embed in one script, for the Vega-Lite version altair writes."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())


def render(data: dict[str, Any], lang: str = "zh") -> str:
    charts: dict[str, dict[str, Any]] = {}
    rules = []
    for n, rule in enumerate(r for r in data["rules"] if r["decided"] != "once"):
        rules.append(_rule_view(rule, lang, f"r{n}", charts))
    once = [r for r in data["rules"] if r["decided"] == "once"]
    page = _TEMPLATE.render(
        lang=lang, w=WORDS[lang], data=data, rules=rules, once=once,
        base_line=side_line(data["base"], lang), new_line=side_line(data["new"], lang),
        status=lambda s: words.status(s, lang),
        decided=lambda d: words.DECIDED[d][lang],
        charts_json=json.dumps(charts, ensure_ascii=False).replace("</", "<\\/"),
        script=javascript().replace("</script", "<\\/script"),
    )
    return page


def _rule_view(rule: dict[str, Any], lang: str, key: str,
               charts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    w = WORDS[lang]
    view: dict[str, Any] = {"rule": rule, "charts": [], "tables": []}
    view["transitions"] = [{**t, "label": words.transition(t, lang)}
                           for t in rule["transitions"]]

    def add(name: str, title: str, chart: alt.TopLevelMixin | None) -> None:
        if chart is None:
            return
        cid = f"{key}-{name}"
        charts[cid] = chart.to_dict()
        view["charts"].append({"id": cid, "title": title})

    add("matrix", w["matrix"], _matrix(rule, lang))
    if rule["changed"]:
        add("transitions", w["transitions"], _transitions(rule, lang))
        for group in ("by_target_city", "by_hukou_city", "by_age_band"):
            add(group, w[group], _groups(rule, group, lang))
    for name, entry in rule.get("outcomes", {}).items():
        add(f"outcome-{name}", f"{w['outcomes']}: {name}", _distribution(name, entry, lang))
        view["tables"].append({"name": name, "entry": entry})
    return view


def _matrix(rule: dict[str, Any], lang: str) -> alt.Chart:
    w = WORDS[lang]
    cells: dict[tuple[str, str], int] = {}
    for t in rule["transitions"]:
        k = (t["from"], t["to"])
        cells[k] = cells.get(k, 0) + t["persons"]
    rows = [{"base": words.status(f, lang), "new": words.status(t, lang), "persons": c,
             "share": c / max(rule["persons"], 1)} for (f, t), c in cells.items()]
    order = [words.status(s, lang) for s in STATUS_ORDER]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("new:N", sort=order, title=w["new"]),
        y=alt.Y("base:N", sort=order, title=w["base"]),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("persons:Q", scale=alt.Scale(type="log", scheme="blues"),
                        title=w["persons"]),
        tooltip=[alt.Tooltip("base:N", title=w["base"]), alt.Tooltip("new:N", title=w["new"]),
                 alt.Tooltip("persons:Q", title=w["persons"], format=","),
                 alt.Tooltip("share:Q", title=w["share"], format=".1%")])
    text = base.mark_text(fontSize=13).encode(text=alt.Text("persons:Q", format=","))
    return (rect + text).properties(width=360, height=200)


def _transitions(rule: dict[str, Any], lang: str) -> alt.Chart | None:
    w = WORDS[lang]
    rows = [{"transition": words.transition(t, lang), "persons": t["persons"],
             "share": t["share"]} for t in rule["transitions"] if t["changed"]]
    if not rows:
        return None
    return alt.Chart(alt.Data(values=rows)).mark_bar(color=COLORS[0]).encode(
        y=alt.Y("transition:N", sort="-x", title=None),
        x=alt.X("persons:Q", title=w["persons"]),
        tooltip=[alt.Tooltip("transition:N", title=w["transition"]),
                 alt.Tooltip("persons:Q", title=w["persons"], format=","),
                 alt.Tooltip("share:Q", title=w["share"], format=".2%")],
    ).properties(width=520, height=alt.Step(28))


def _groups(rule: dict[str, Any], key: str, lang: str) -> alt.Chart | None:
    w = WORDS[lang]
    entries = [g for g in rule.get(key, []) if g["changed"]]
    if key == "by_age_band":
        band_order = [b[2] for b in AGE_BANDS] + [UNKNOWN]
        entries.sort(key=lambda g: band_order.index(g["group"]) if g["group"] in band_order
                     else len(band_order))
    else:
        entries = entries[:TOP_GROUPS]
    rows = []
    for g in entries:
        for tkey, count in g["transitions"].items():
            f, t = tkey.split("→")
            rows.append({"group": words.group_name(g, lang),
                         "transition": f"{words.status(f, lang)} → {words.status(t, lang)}",
                         "persons": count, "of": g["persons"],
                         "share": g["share_changed"]})
    if not rows:
        return None
    order = list(dict.fromkeys(r["group"] for r in rows))
    title = w["age_band"] if key == "by_age_band" else w["city"]
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("group:N", sort=order, title=title),
        x=alt.X("sum(persons):Q", title=w["persons"]),
        color=alt.Color("transition:N", title=w["transition"],
                        scale=alt.Scale(range=list(COLORS))),
        tooltip=[alt.Tooltip("group:N", title=title),
                 alt.Tooltip("transition:N", title=w["transition"]),
                 alt.Tooltip("persons:Q", title=w["persons"], format=","),
                 alt.Tooltip("of:Q", title=w["population"], format=","),
                 alt.Tooltip("share:Q", title=w["changed_share"], format=".1%")],
    ).properties(width=520, height=alt.Step(22))


def _distribution(name: str, entry: dict[str, Any], lang: str) -> alt.Chart | None:
    w = WORDS[lang]
    rows = []
    for side in ("base", "new"):
        label = w[side]
        for value, count in entry[side].get("distribution", []):
            rows.append({"value": value, "persons": count, "side": label})
    if len({r["value"] for r in rows}) < 2:
        return None  # one value on both sides: the table says it
    return alt.Chart(alt.Data(values=rows)).mark_bar(opacity=0.6, binSpacing=0).encode(
        x=alt.X("value:Q", bin=alt.Bin(maxbins=40), title=name),
        y=alt.Y("sum(persons):Q", stack=None, title=w["persons"]),
        color=alt.Color("side:N", title=w["side"],
                        scale=alt.Scale(range=[COLORS[5], COLORS[1]])),
        tooltip=[alt.Tooltip("side:N", title=w["side"]),
                 alt.Tooltip("value:Q", bin=True, title=w["value"]),
                 alt.Tooltip("sum(persons):Q", title=w["persons"], format=",")],
    ).properties(width=520, height=180)


_TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ w.title }} — tongcheng</title>
<style>
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0;
       color: #1c2833; background: #fbfcfc; }
header, main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem; }
header { border-bottom: 3px solid #1f618d; }
h1 { margin: .2rem 0 .6rem; font-size: 1.6rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #d5d8dc; padding-bottom: .3rem; }
h3 { margin: 1.2rem 0 .4rem; font-size: 1.05rem; color: #1f618d; }
code { background: #eef2f4; padding: 0 .25rem; border-radius: 3px; font-size: .9em; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid #e5e8e8; padding: .25rem .7rem; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.unchanged td { color: #808b96; }
.sides { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .8rem; }
.side code { overflow-wrap: anywhere; }
.side { background: #fff; border: 1px solid #d5d8dc; border-radius: 6px; padding: .6rem .9rem; }
.side h3 { margin-top: 0; }
.key { font-size: 1.1rem; margin: .8rem 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2rem 2rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
.why { color: #5d6d7e; }
.note { color: #808b96; font-size: .85rem; }
</style>
<script>{{ script | safe }}</script>
</head>
<body>
<header>
<h1>{{ w.title }}</h1>
<div class="sides">
{% for side, label in ((data.base, w.base), (data.new, w.new)) %}
<div class="side"><h3>{{ label }}</h3>
<div><code>{{ side.spec }}</code></div>
<table>
<tr><th>{{ w.pack }}</th><td>{{ side.rule_pack.name }} {{ side.rule_pack.version }}</td></tr>
<tr><th>{{ w.digest }}</th><td><code>{{ side.rule_pack.digest }}</code></td></tr>
<tr><th>{{ w.as_of }}</th><td>{{ side.as_of or w.own_as_of }}</td></tr>
{% for layer in side.layers %}
<tr><th>{{ w.layers if loop.first else '' }}</th>
<td>{{ layer.name }} {{ layer.version }} <code>{{ layer.digest[:19] }}…</code></td></tr>
{% endfor %}
</table></div>
{% endfor %}
</div>
<p class="key">{{ w.rows }}: <b>{{ '{:,}'.format(data.population.rows) }}</b> ·
{{ w.decided }}: <b>{{ '{:,}'.format(data.population.decided) }}</b> ·
{{ w.rejected }}: {{ '{:,}'.format(data.population.rejected) }}<br>
{{ w.changed_persons }}: <b>{{ '{:,}'.format(data.population.changed) }}</b></p>
</header>
<main>
{% if not rules %}<p>{{ w.no_change }}</p>{% endif %}
{% for view in rules %}{% set rule = view.rule %}
<section class="rule" id="{{ rule.rule }}">
<h2>{{ rule.title[lang] }} <code>{{ rule.rule }}</code></h2>
<p class="why">{{ decided(rule.decided) }}
{%- if rule.why %} — {{ w.why }}: {{ rule.why[lang] }}{% endif %}</p>
<p class="key">{{ w.changed }}: <b>{{ '{:,}'.format(rule.changed) }}</b>
({{ '{:.1%}'.format(rule.share_changed) }}){% if rule.outcome_only_changed %} ·
{{ w.outcome_only }}: {{ '{:,}'.format(rule.outcome_only_changed) }}{% endif %}</p>
<table><tr><th>{{ w.transition }}</th><th class="n">{{ w.persons }}</th>
<th class="n">{{ w.share }}</th><th>{{ w.examples }}</th></tr>
{% for t in view.transitions %}
<tr class="{{ 'changed' if t.changed else 'unchanged' }}"><td>{{ t.label }}</td>
<td class="n">{{ '{:,}'.format(t.persons) }}</td><td class="n">{{ '{:.2%}'.format(t.share) }}</td>
<td>{{ t.examples | join(', ') }}</td></tr>
{% endfor %}</table>
<div class="charts">
{% for c in view.charts %}
<figure><figcaption>{{ c.title }}</figcaption><div class="chart" id="{{ c.id }}"></div></figure>
{% endfor %}
</div>
{% for t in view.tables %}
<h3>{{ w.outcomes }}: <code>{{ t.name }}</code></h3>
<table><tr><th>{{ w.side }}</th><th class="n">{{ w.count }}</th><th class="n">{{ w.sum }}</th>
<th class="n">{{ w.mean }}</th><th class="n">{{ w.p10 }}</th><th class="n">{{ w.median }}</th>
<th class="n">{{ w.p90 }}</th></tr>
{% for label, s in ((w.base, t.entry.base), (w.new, t.entry.new), (w.change, t.entry.changed)) %}
<tr><td>{{ label }}</td><td class="n">{{ '{:,}'.format(s.count) }}</td>
<td class="n">{{ s.sum if s.count else '—' }}</td>
<td class="n">{{ s.mean if s.count else '—' }}</td>
<td class="n">{{ s.p10 if s.count else '—' }}</td>
<td class="n">{{ s.median if s.count else '—' }}</td>
<td class="n">{{ s.p90 if s.count else '—' }}</td></tr>
{% endfor %}</table>
{% if t.entry.by_transition %}
<table><tr><th>{{ w.by_transition }}</th><th>{{ w.side }}</th><th class="n">{{ w.count }}</th>
<th class="n">{{ w.mean }}</th><th class="n">{{ w.median }}</th><th class="n">{{ w.p90 }}</th></tr>
{% for b in t.entry.by_transition %}
<tr><td>{{ status(b['from']) }} → {{ status(b['to']) }}</td><td>{{ w[b.side] }}</td>
<td class="n">{{ '{:,}'.format(b.count) }}</td><td class="n">{{ b.mean }}</td>
<td class="n">{{ b.median }}</td><td class="n">{{ b.p90 }}</td></tr>
{% endfor %}</table>
{% endif %}
{% endfor %}
</section>
{% endfor %}
{% if once %}
<h2>{{ w.rules_once }} ({{ once | length }})</h2>
<table><tr><th>{{ w.rule }}</th>
{% for s in ('eligible', 'ineligible', 'undetermined', 'not_applicable') %}
<th class="n">{{ status(s) }}</th>{% endfor %}</tr>
{% for r in once %}
<tr><td>{{ r.title[lang] }} <code>{{ r.rule }}</code></td>
{% for s in ('eligible', 'ineligible', 'undetermined', 'not_applicable') %}
<td class="n">{{ '{:,}'.format(r.statuses.base.get(s, 0)) }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endif %}
<p class="note">{{ w.report_note }}</p>
</main>
<script>
(function () {
  const charts = {{ charts_json | safe }};
  const done = {};
  window.tongchengCharts = done;
  window.tongchengReady = Promise.all(Object.keys(charts).map(function (id) {
    return vegaEmbed('#' + id, charts[id], {actions: false, renderer: 'svg'}).then(function (r) {
      done[id] = {marks: document.querySelectorAll('#' + id + ' svg .role-mark > *').length};
    });
  }));
})();
</script>
</body>
</html>
""")
