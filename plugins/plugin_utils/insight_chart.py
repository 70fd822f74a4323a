# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The insight report's trend: incidents per bucket as inline SVG.

:func:`chart_svg` draws the selection's total (and optionally the top teams)
with the period before drawn faintly behind it; :func:`sparkline_svg` draws
one team's line, small enough for a table cell.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
from datetime import datetime

from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf", "#393b79", "#637939"]
# Colours no team line ever takes: the total, the rest summed, the period before.
TOTAL_COLOR, OTHERS_COLOR, BEFORE_COLOR = "#222", "#8a8a8a", "#9db4d8"


def _escape(text):
    return ("%s" % text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def trend_series(summary, top=5):
    """The trend's lines: the selection's total, the ``top`` teams by incidents, the rest as "others"."""
    teams = sorted(summary["teams"], key=lambda t: (-t["incidents"], "%s" % t["team_name"]))
    count = len(summary["periods"])
    series = [{"name": "All teams" if top else "This period, all teams", "values": _totals(summary), "total": True}]
    for team in teams[:top]:
        series.append({"name": team["team_name"], "values": team["incidents_per_period"], "total": False})
    if top and len(teams) > top:
        rest = teams[top:]
        series.append({"name": "Others (%d teams)" % len(rest), "total": False, "others": True,
                       "values": [sum(t["incidents_per_period"][i] for t in rest) for i in range(count)]})
    return series


def period_label(ts, zone, unit=None):
    """A bucket's start as a date in the zone: a day with its weekday (``Mon 2026-05-18``), a week by the
    date it starts, a month as ``YYYY-MM``."""
    when = datetime.fromtimestamp(ts, zone)
    if unit == "month":
        return when.strftime("%Y-%m")
    if unit == "day":
        return "%s %s" % (("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[when.weekday()], when.strftime("%Y-%m-%d"))
    return when.strftime("%Y-%m-%d")


def _totals(summary):
    count = len(summary.get("periods") or [])
    return [sum(t["incidents_per_period"][i] for t in summary.get("teams") or []) for i in range(count)]


def nice_ceiling(value, ticks=4):
    """The smallest 1, 2, 2.5 or 5 x 10^k step whose ``ticks`` multiples reach ``value``: ``(top, step)``."""
    raw = max(float(value), 1.0) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    if step < 1:
        step = 1
    return step * ticks, step


def chart_svg(summary, time_zone=None, unit=None, top=5, width=760, height=300, chart_id="incidents-chart",
              css_class="chart", previous=None):
    """An inline SVG line chart of incidents per bucket: the selection's total, the ``top`` teams (none
    with 0), the rest summed as "others", and the total of the period before (``previous``, a summary of
    the same length) drawn faintly, bucket by bucket. Scales to its box (viewBox); the text is larger in
    a narrow drawing, which a phone shows at about its own width.

    Periods are bucket starts (Unix seconds), labelled as dates in ``time_zone``.
    """
    zone = get_zone(time_zone)
    periods = summary["periods"]
    series = trend_series(summary, top)
    if previous is not None:
        before = _totals(previous)[:len(periods)]
        series.append({"name": "The period before", "values": before, "total": False, "before": True})
    font = 11 if width >= 600 else 14
    columns = 3 if width >= 600 else 1
    left, right, top_pad, bottom = 30 + 4 * font, 36, 12, 24 + 2 * font
    legend_h = (font + 7) * ((len(series) + columns - 1) // columns)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    total_h = height + legend_h
    peak, tick_step = nice_ceiling(max([max(s["values"] or [0]) for s in series] + [1]))
    step = plot_w / float(max(len(periods) - 1, 1))
    what = "Incidents per %s" % (unit or "period")
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="%s" role="img" '
             'viewBox="0 0 %d %d" preserveAspectRatio="xMinYMin meet"><title>%s</title>'
             % (chart_id, css_class, width, total_h, _escape(what))]
    parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#ccc"/>'
                 % (left, top_pad, plot_w, plot_h))
    parts.append('<text class="y-title" x="%d" y="%.1f" font-size="%d" text-anchor="middle" '
                 'transform="rotate(-90 %d %.1f)">%s</text>'
                 % (font, top_pad + plot_h / 2.0, font, font, top_pad + plot_h / 2.0, _escape(what)))
    for tick in range(5):
        y = top_pad + plot_h - plot_h * tick / 4.0
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/>' % (left, left + plot_w, y, y))
        parts.append('<text class="y-label" x="%d" y="%.1f" font-size="%d" text-anchor="end">%s</text>'
                     % (left - 4, y + 4, font, "{:,}".format(tick_step * tick).replace(".0", "")))
    # As many date labels as fit (about 10 characters of the font each), always the first one.
    label_w = font * (9.0 if unit == "day" else 6.5)
    label_every = max(1, int(math.ceil(len(periods) / max(1.0, plot_w / label_w))))
    for i, period in enumerate(periods):
        if i % label_every == 0:
            parts.append('<text class="x-label" x="%.1f" y="%d" font-size="%d" text-anchor="%s">%s</text>'
                         % (left + i * step, top_pad + plot_h + font + 5, font,
                            "start" if i == 0 else ("end" if i == len(periods) - 1 else "middle"),
                            period_label(period, zone, unit)))
    # The period before first, so that this period's lines are drawn over it.
    order = [line for line in series if line.get("before")] + [line for line in series if not line.get("before")]
    for line in order:
        index = series.index(line)
        if line.get("before"):
            color, stroke, extra = BEFORE_COLOR, "2", ' stroke-dasharray="5 4" class="series before"'
        elif line["total"]:
            color, stroke, extra = TOTAL_COLOR, "3", ' class="series"'
        elif line.get("others"):
            color, stroke, extra = OTHERS_COLOR, "1.8", ' class="series"'
        else:
            color, stroke, extra = PALETTE[(index - 1) % len(PALETTE)], "1.8", ' class="series"'
        line["color"] = color
        points = " ".join("%.1f,%.1f" % (left + i * step, top_pad + plot_h - plot_h * v / float(peak))
                          for i, v in enumerate(line["values"]))
        parts.append('<polyline%s data-name="%s" fill="none" stroke="%s" stroke-width="%s" points="%s"/>'
                     % (extra, _escape(line["name"]), color, stroke, points))
    for index, line in enumerate(series):
        x = left + (index % columns) * (plot_w / float(columns))
        y = height + 4 + (index // columns) * (font + 7)
        parts.append('<rect x="%.1f" y="%d" width="10" height="10" fill="%s"/>' % (x, y, line["color"]))
        parts.append('<text class="legend" x="%.1f" y="%d" font-size="%d">%s</text>'
                     % (x + 14, y + 9, font, _escape(_clip(line["name"], 28 if columns == 3 else 36))))
    parts.append("</svg>")
    return "".join(parts)


def sparkline_svg(values, before=None, width=120, height=28, label=None):
    """One team's incidents per bucket as a small line, the period before faint behind it, on one scale."""
    values = list(values or [])
    before = list(before or [])[:len(values)]
    peak = float(max(values + before + [1]))
    step = (width - 4) / float(max(len(values) - 1, 1))

    def points(line):
        return " ".join("%.0f,%.0f" % (2 + i * step, height - 2 - (height - 4) * v / peak) for i, v in enumerate(line))
    # Drawn by the page's style (svg.spark polyline, .before): a hundred teams' lines stay light.
    parts = ['<svg class="spark" viewBox="0 0 %d %d" width="%d" height="%d" role="img"><title>%s</title>'
             % (width, height, width, height, _escape(label or "Incidents per period"))]
    if before:
        parts.append('<polyline class="before" points="%s"/>' % points(before))
    parts.append('<polyline class="now" points="%s"/>' % points(values))
    parts.append("</svg>")
    return "".join(parts)


def _clip(text, size):
    text = "%s" % text
    return text if len(text) <= size else text[:size - 1] + u"\u2026"


SPARK_CHARACTERS = u"\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def sparkline_text(values):
    """Counts per bucket as block characters (lowest to highest: ▁ to █), for Markdown and chat; the
    lowest block is zero, the highest the peak."""
    values = [v or 0 for v in values or []]
    peak = max(values + [0])
    top = len(SPARK_CHARACTERS) - 1
    return u"".join(SPARK_CHARACTERS[int(round(top * v / float(peak))) if peak else 0] for v in values)
