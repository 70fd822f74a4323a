# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The insight report's trend chart: incidents per bucket as inline SVG."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
from datetime import datetime

from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939"]


def _escape(text):
    return ("%s" % text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def trend_series(summary, top=5):
    """The trend's lines: the selection's total, the ``top`` teams by incidents, the rest as "others"."""
    teams = sorted(summary["teams"], key=lambda t: (-t["incidents"], "%s" % t["team_name"]))
    count = len(summary["periods"])
    total = [sum(t["incidents_per_period"][i] for t in teams) for i in range(count)]
    series = [{"name": "All teams", "values": total, "total": True}]
    for team in teams[:top]:
        series.append({"name": team["team_name"], "values": team["incidents_per_period"], "total": False})
    if len(teams) > top:
        rest = teams[top:]
        series.append({"name": "Others (%d teams)" % len(rest), "total": False,
                       "values": [sum(t["incidents_per_period"][i] for t in rest) for i in range(count)]})
    return series


def period_label(ts, zone, unit=None):
    """A bucket's start as a date in the zone (a month as YYYY-MM)."""
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m" if unit == "month" else "%Y-%m-%d")


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
              css_class="chart"):
    """An inline SVG line chart of incidents per bucket: the selection's total,
    the top teams, the rest summed as "others". Scales to its box (viewBox).

    Periods are bucket starts (Unix seconds), labelled as dates in ``time_zone``.
    """
    zone = get_zone(time_zone)
    periods = summary["periods"]
    series = trend_series(summary, top)
    columns = 3 if width >= 600 else 2
    left, right, top_pad, bottom = 44, 36, 12, 40
    legend_h = 18 * ((len(series) + columns - 1) // columns)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    total_h = height + legend_h
    peak, tick_step = nice_ceiling(max([max(s["values"] or [0]) for s in series] + [1]))
    step = plot_w / float(max(len(periods) - 1, 1))
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="%s" role="img" '
             'viewBox="0 0 %d %d" preserveAspectRatio="xMinYMin meet"><title>Incidents per %s</title>'
             % (chart_id, css_class, width, total_h, _escape(unit or "period"))]
    parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#ccc"/>'
                 % (left, top_pad, plot_w, plot_h))
    for tick in range(5):
        y = top_pad + plot_h - plot_h * tick / 4.0
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/>' % (left, left + plot_w, y, y))
        parts.append('<text class="y-label" x="%d" y="%.1f" font-size="11" text-anchor="end">%g</text>'
                     % (left - 4, y + 4, tick_step * tick))
    # At most one date label per 110 units of width, always the first one.
    label_every = max(1, int(math.ceil(len(periods) / max(1.0, plot_w / 110.0))))
    for i, period in enumerate(periods):
        if i % label_every == 0:
            parts.append('<text class="x-label" x="%.1f" y="%d" font-size="11" text-anchor="%s">%s</text>'
                         % (left + i * step, top_pad + plot_h + 16, "start" if i == 0 else "middle",
                            period_label(period, zone, unit)))
    for index, line in enumerate(series):
        color = "#222" if line["total"] else PALETTE[(index - 1) % len(PALETTE)]
        points = " ".join("%.1f,%.1f" % (left + i * step, top_pad + plot_h - plot_h * v / float(peak))
                          for i, v in enumerate(line["values"]))
        parts.append('<polyline class="series" data-name="%s" fill="none" stroke="%s" stroke-width="%s" '
                     'points="%s"/>' % (_escape(line["name"]), color, "3" if line["total"] else "1.8", points))
        x = left + (index % columns) * (plot_w / float(columns))
        y = height + 4 + (index // columns) * 18
        parts.append('<rect x="%.1f" y="%d" width="10" height="10" fill="%s"/>' % (x, y, color))
        parts.append('<text class="legend" x="%.1f" y="%d" font-size="11">%s</text>'
                     % (x + 14, y + 9, _escape(_clip(line["name"], 28 if columns == 3 else 22))))
    parts.append("</svg>")
    return "".join(parts)


def _clip(text, size):
    text = "%s" % text
    return text if len(text) <= size else text[:size - 1] + u"\u2026"
