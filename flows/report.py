"""Run report: one self-contained HTML file (inline CSS, inline SVG charts, no scripts, no remote loads).

Every piece of text that can come from an article goes through html.escape: the report is opened in
a browser and news text is attacker-controlled.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import polars as pl

RECENT_EVENTS = 50
TOP_N = 12
BLUE, RED, TEAL, GREY = "#3a6ea5", "#b3403a", "#2a8a82", "#8a94a0"
# the CSP makes the "offline, nothing remote" promise enforceable by the browser, not just by review
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1d2430;
  font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 32px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:16px;margin:0 0 12px;color:#2d3746}
.sub{color:#5d6878;margin:0 0 22px;font-size:13px}.sub span{margin-right:18px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:20px}
.card{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:26px;font-weight:650;font-variant-numeric:tabular-nums}
.card small{color:#5d6878;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card.bad b{color:#b3403a}.card.ok b{color:#2e7d4f}.card.warn b{color:#a86b00}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;margin-bottom:16px}
section{background:#fff;border-radius:8px;padding:16px 18px;box-shadow:0 1px 2px rgba(0,0,0,.08);
  margin-bottom:16px;overflow-x:auto}
.grid section{margin-bottom:0}
svg{display:block;max-width:100%;height:auto}svg text{font:11px sans-serif;fill:#3d4757}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;font-weight:600;color:#5d6878;border-bottom:2px solid #dde1e6;padding:6px 8px;white-space:nowrap}
td{border-bottom:1px solid #eceef1;padding:6px 8px;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.sent{max-width:460px;color:#3d4757}
.pill{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600}
.pass .pill{background:#e3f3e8;color:#22683f}.warn .pill{background:#fdf1d8;color:#8a5a00}
.fail .pill{background:#fbe2e0;color:#a02c25}tr.fail td{background:#fff8f7}
.empty{color:#8a94a0;font-style:italic;margin:8px 0}\ndetails{margin-top:12px}
summary{cursor:pointer;color:#22683f;font-weight:600;font-size:13px}
"""


def _fmt(value: object) -> str:
    """A cell value as escaped text; numbers with thousands separators."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return escape(str(value))


def _short(label: str, limit: int = 26) -> str:
    """A chart label cut to fit its gutter."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(items: list[tuple[str, float]], color: str = BLUE, width: int = 540, gutter: int = 170) -> str:
    """Horizontal bars, one per (label, value), labels in a left gutter, as inline SVG."""
    if not items:
        return '<p class="empty">No data.</p>'
    top = max(v for _, v in items) or 1
    row, bar_w, limit = 24, width - gutter - 60, gutter // 6
    parts = [f'<svg viewBox="0 0 {width} {row * len(items) + 4}" width="{width}" role="img">']
    for i, (label, value) in enumerate(items):
        y, w = i * row + 2, max(1.0, bar_w * value / top)
        parts.append(
            f'<g><title>{escape(label)}: {value:,.0f}</title>'
            f'<text x="{gutter - 8}" y="{y + 15}" text-anchor="end">{escape(_short(label, limit))}</text>'
            f'<rect x="{gutter}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" rx="2" fill="{color}"/>'
            f'<text x="{gutter + w + 6:.1f}" y="{y + 15}">{value:,.0f}</text></g>')
    return "".join(parts) + "</svg>"


def column_chart(items: list[tuple[str, float]], color: str = BLUE, width: int = 540, height: int = 190) -> str:
    """Vertical bars over an ordered axis (days, bins), a few x labels, as inline SVG."""
    if not items:
        return '<p class="empty">No data.</p>'
    top = max(v for _, v in items) or 1
    left, bottom, plot_h = 40, 28, height - 28 - 10
    step = (width - left - 8) / len(items)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}" stroke="#c5cbd3"/>',
             f'<text x="{left - 6}" y="16" text-anchor="end">{top:,.0f}</text>',
             f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>']
    every = max(1, len(items) // 6)  # about six x labels whatever the number of bars
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        x = left + i * step + step * 0.12
        parts.append(f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{max(step * 0.76, 1):.1f}" '
                     f'height="{h:.1f}" fill="{color}"><title>{escape(label)}: {value:,.0f}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + step * 0.38:.1f}" y="{height - 10}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    return "".join(parts) + "</svg>"


def counts(df: pl.DataFrame, column: str, n: int = TOP_N) -> list[tuple[str, float]]:
    """The n most frequent non-null values of column, most frequent first."""
    if column not in df.columns or df.is_empty():
        return []
    vc = df.select(pl.col(column).drop_nulls().cast(pl.String).value_counts(sort=True)).unnest(column)
    return [(str(k), float(v)) for k, v in vc.head(n).iter_rows()]


def timeline(events: pl.DataFrame, value: pl.Expr) -> tuple[str, list[tuple[str, float]]]:
    """value per day (per month or year for long spans, e.g. background events), gaps as zero bars."""
    if "event_date" not in events.columns or events["event_date"].drop_nulls().is_empty():
        return "day", []
    dated = events.drop_nulls("event_date")
    first, last = dated["event_date"].min(), dated["event_date"].max()
    span = (last - first).days
    unit, every, fmt = ("day", "1d", "%m-%d") if span <= 92 else (
        ("month", "1mo", "%Y-%m") if span <= 6 * 366 else ("year", "1y", "%Y"))
    period = pl.col("event_date").dt.truncate(every)
    grouped = dated.group_by(period).agg(value.alias("v"))
    axis = pl.date_range(grouped["event_date"].min(), grouped["event_date"].max(), interval=every, eager=True)
    full = pl.DataFrame({"event_date": axis}).join(grouped, on="event_date", how="left").fill_null(0)
    return unit, [(d.strftime(fmt), float(v)) for d, v in full.sort("event_date").iter_rows()]


def confidence_bins(events: pl.DataFrame, bins: int = 10) -> list[tuple[str, float]]:
    """Histogram of confidence in equal bins over [0, 1]."""
    if "confidence" not in events.columns:
        return []
    values = events["confidence"].drop_nulls().to_list()
    if not values:
        return []
    hist = [0] * bins
    for v in values:
        hist[min(bins - 1, max(0, int(v * bins)))] += 1
    return [(f"{i / bins:.1f}", float(c)) for i, c in enumerate(hist)]


def top_actors(events: pl.DataFrame, n: int = TOP_N) -> list[tuple[str, float]]:
    """Actors by number of events they take part in, either side."""
    names = [c for c in ("actor1_name", "actor2_name") if c in events.columns]
    if not names or events.is_empty():
        return []
    return counts(events.select(pl.concat_list(names).explode().alias("actor")), "actor", n)


def table_html(headers: list[str], rows: list[list[str]], row_classes: list[str] | None = None,
               col_classes: dict[int, str] | None = None) -> str:
    """An HTML table; cells must already be escaped HTML (see _fmt)."""
    if not rows:
        return '<p class="empty">None.</p>'
    col_classes = col_classes or {}
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{escape(row_classes[i])}"' if row_classes else ""
        cells = "".join(f'<td class="{col_classes[j]}">{c}</td>' if j in col_classes else f"<td>{c}</td>"
                        for j, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _state(result: dict) -> str:
    """pass, warn (failed warning) or fail (failed critical)."""
    if result.get("success"):
        return "pass"
    return "fail" if result.get("severity") == "critical" else "warn"


def validation_table(validation: list[dict]) -> str:
    """Failed checks (red critical, amber warning) in full; passed ones (green) folded away."""
    heads = ["", "table", "expectation", "column", "severity", "unexpected", "rule"]
    labels = {"pass": "pass", "warn": "warning", "fail": "FAILED"}
    parts = []
    for group in (("fail", "warn"), ("pass",)):
        chosen = [r for r in validation if _state(r) in group]
        chosen.sort(key=lambda r: group.index(_state(r)))
        rows = [[f'<span class="pill">{labels[_state(r)]}</span>', _fmt(r.get("table")), _fmt(r.get("name")),
                 _fmt(r.get("column")), _fmt(r.get("severity")), _fmt(r.get("unexpected_count")),
                 _fmt(r.get("reason"))] for r in chosen]
        parts.append(table_html(heads, rows, [_state(r) for r in chosen], {5: "num"}) if rows else "")
    failed = parts[0] or '<p class="empty">Every check passed.</p>'
    passed = sum(1 for r in validation if _state(r) == "pass")
    return f"{failed}<details><summary>{passed:,} passed checks</summary>{parts[1]}</details>"


def recent_events(events: pl.DataFrame, n: int = RECENT_EVENTS) -> str:
    """The n most recent events with the sentence they were coded from."""
    cols = ["event_date", "event_type", "cameo_code", "actor1_name", "actor2_name", "location",
            "fatalities", "confidence", "sentence"]
    if events.is_empty() or not set(cols) <= set(events.columns):
        return '<p class="empty">No events.</p>'
    recent = events.sort("event_date", descending=True, nulls_last=True).head(n).select(cols)
    rows = [[_fmt(v) for v in row] for row in recent.iter_rows()]
    heads = ["date", "type", "CAMEO", "actor 1", "actor 2", "location", "killed", "conf.", "sentence"]
    return table_html(heads, rows, col_classes={0: "num", 6: "num", 7: "num", 8: "sent"})


def headline(events: pl.DataFrame, articles: pl.DataFrame, rejects: pl.DataFrame, validation: list[dict]) -> str:
    """The row of headline numbers; the gate card is red when a batch-level check failed."""
    coded = articles.filter(pl.col("status") == "coded").height if "status" in articles.columns else 0
    killed = int(events["fatalities"].sum() or 0) if "fatalities" in events.columns else 0
    failed = [r for r in validation if _state(r) == "fail"]
    # row-level failures only cost the rows (they are in rejects); batch-level ones stop publication
    blocked = any(r.get("scope") == "batch" or r.get("error") for r in failed)
    warned = sum(1 for r in validation if _state(r) == "warn")
    cards = [("articles", f"{articles.height:,}", ""), ("articles coded", f"{coded:,}", ""),
             ("events", f"{events.height:,}", ""), ("fatalities", f"{killed:,}", ""),
             ("rejects", f"{rejects.height:,}", "warn" if rejects.height else ""),
             ("checks failed / warned", f"{len(failed)} / {warned}", "warn" if failed or warned else "ok"),
             ("quality gate", "blocked" if blocked else "passed", "bad" if blocked else "ok")]
    return '<div class="cards">' + "".join(
        f'<div class="card {cls}"><b>{escape(value)}</b><small>{escape(label)}</small></div>'
        for label, value, cls in cards) + "</div>"


def _section(title: str, body: str) -> str:
    """A titled panel."""
    return f"<section><h2>{escape(title)}</h2>{body}</section>"


def render_report(events: pl.DataFrame, articles: pl.DataFrame, rejects: pl.DataFrame, validation: list[dict],
                  out: Path, run_info: dict) -> Path:
    """Write the run report to out and return its path."""
    place = pl.coalesce("location_country", "actor1_country").alias("country") if {
        "location_country", "actor1_country"} <= set(events.columns) else pl.lit(None).alias("country")
    killed = pl.col("fatalities").fill_null(0).sum() if "fatalities" in events.columns else pl.lit(0)
    unit, per_period = timeline(events, pl.len())
    charts = [
        ("Events by type", bar_chart(counts(events, "event_type"))),
        ("Events by country (place, else actor 1)", bar_chart(counts(events.select(place), "country"))),
        (f"Events by {unit}", column_chart(per_period)),
        (f"Fatalities by {unit}", column_chart(timeline(events, killed)[1], RED)),
        ("Top actors", bar_chart(top_actors(events))),
        ("Coder confidence", column_chart(confidence_bins(events), TEAL)),
    ]
    info = "".join(f"<span><b>{escape(str(k))}</b>: {escape(str(v))}</span>" for k, v in run_info.items())
    page = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>eventpipe run {escape(str(run_info.get('run_id', '')))}</title><style>{CSS}</style></head>",
        "<body><main><h1>eventpipe run report</h1>", f'<p class="sub">{info}</p>',
        headline(events, articles, rejects, validation),
        '<div class="grid">' + "".join(_section(t, b) for t, b in charts) + "</div>",
        _section("Rejects by reason", bar_chart(counts(rejects, "reason", 30), GREY, width=1100, gutter=420)),
        _section("Validation", validation_table(validation)),
        _section(f"{RECENT_EVENTS} most recent events", recent_events(events)),
        "</main></body></html>",
    ]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(page), encoding="utf-8")
    return out
