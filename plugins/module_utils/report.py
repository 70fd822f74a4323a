# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The numbers and pictures of the insight_report role.

Column names of an export are display names in the caller's locale and their
order is not documented, so the role asks for a known list of
``export_fields`` in the vendor's key order and :mod:`columns` checks which
column holds which field before any number is read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import math
import time
from datetime import datetime, timezone

from ansible_collections.flashcat.flashduty.plugins.module_utils import columns as layout
from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import INSIGHT_TEAM_EXPORT
from ansible_collections.flashcat.flashduty.plugins.module_utils.insight import EXPORT_ROW_CAP
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import group_person_ids
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import EXPORT_MAX_DAY_RANGE, EXPORT_MAX_RANGE
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone, parse_time

# The export fields the report reads, in the vendor's key order, so that a
# server writing the order asked and one writing its own order give the same
# layout (columns.py still checks it).
REPORT_FIELDS = [
    "team_id", "team_name", "total_incident_cnt", "total_incidents_acknowledged", "total_incidents_closed",
    "total_interruptions", "mean_seconds_to_ack", "mean_seconds_to_close",
]
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939"]


def to_unix(value, time_zone=None, name="time", now=None):
    """A time in any of the modules' forms as Unix seconds."""
    return parse_time(value, time.time() if now is None else now, name, get_zone(time_zone))


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _asked(export, key):
    """What one export was asked for: its own key, else its registered module arguments."""
    if export.get(key) is not None:
        return export[key]
    return ((export.get("invocation") or {}).get("module_args") or {}).get(key)


def export_rows(exports, fields=None, time_zone=None):
    """The rows of several exports keyed by field, each export's header checked.

    ``exports`` are results of flashduty_insight_export (``rows``, ``columns``,
    and what was asked: ``team_ids``, ``aggregate_unit``, from the result or
    its ``invocation``). A header that cannot be mapped raises one line.
    """
    fields = layout.vendor_order(fields or REPORT_FIELDS)
    keyed = []
    for export in exports or []:
        if export.get("skipped") or not export.get("columns"):
            continue
        mapping = layout.map_columns(export["columns"], export.get("rows") or [], fields,
                                     team_ids=_asked(export, "team_ids"),
                                     bucket=bool(_asked(export, "aggregate_unit")), time_zone=time_zone)
        keyed.extend(layout.keyed_rows(export.get("rows") or [], mapping, time_zone))
    return keyed


def summarize(exports, fields=None, time_zone=None):
    """Per-team totals and incidents per period (Unix seconds), from exports.

    MTTA and MTTR are means weighted by the acknowledged and closed counts of
    each row; the acknowledgement percentage is acknowledged / incidents.
    With the ``hours`` field, interruptions are also split by hour bucket.
    """
    teams, periods = {}, set()
    totals = dict(incidents=0, acknowledged=0, closed=0, interruptions=0, ack_seconds=0.0, close_seconds=0.0)
    for row in export_rows(exports, fields, time_zone):
        team = teams.setdefault(row["team_id"], {
            "team_id": row["team_id"], "team_name": row.get("team_name"), "incidents": 0, "acknowledged": 0,
            "closed": 0, "interruptions": 0, "_ack_seconds": 0.0, "_close_seconds": 0.0, "per_period": {}})
        incidents = _number(row.get("total_incident_cnt"))
        acknowledged = _number(row.get("total_incidents_acknowledged"))
        closed = _number(row.get("total_incidents_closed"))
        team["incidents"] += incidents
        team["acknowledged"] += acknowledged
        team["closed"] += closed
        team["interruptions"] += _number(row.get("total_interruptions"))
        team["_ack_seconds"] += _number(row.get("mean_seconds_to_ack")) * acknowledged
        team["_close_seconds"] += _number(row.get("mean_seconds_to_close")) * closed
        for key, value in (("incidents", incidents), ("acknowledged", acknowledged), ("closed", closed),
                           ("interruptions", _number(row.get("total_interruptions"))),
                           ("ack_seconds", _number(row.get("mean_seconds_to_ack")) * acknowledged),
                           ("close_seconds", _number(row.get("mean_seconds_to_close")) * closed)):
            totals[key] += value
        if "hours" in row:
            split = team.setdefault("interruptions_by_hours", dict((h, 0) for h in layout.HOUR_BUCKETS))
            split[row["hours"]] += _number(row.get("total_interruptions"))
        period = row.get(layout.BUCKET)
        if period is not None:
            periods.add(period)
            team["per_period"][period] = team["per_period"].get(period, 0) + incidents
    periods = sorted(periods)
    result = []
    for team in sorted(teams.values(), key=lambda t: ("%s" % t["team_name"]).lower()):
        ack_s, close_s = team.pop("_ack_seconds"), team.pop("_close_seconds")
        team["mtta_seconds"] = round(ack_s / team["acknowledged"], 1) if team["acknowledged"] else None
        team["mttr_seconds"] = round(close_s / team["closed"], 1) if team["closed"] else None
        team["acknowledgement_pct"] = round(100.0 * team["acknowledged"] / team["incidents"], 1) \
            if team["incidents"] else None
        team["incidents_per_period"] = [team["per_period"].get(p, 0) for p in periods]
        del team["per_period"]
        result.append(team)
    ack_s, close_s = totals.pop("ack_seconds"), totals.pop("close_seconds")
    totals["mtta_seconds"] = round(ack_s / totals["acknowledged"], 1) if totals["acknowledged"] else None
    totals["mttr_seconds"] = round(close_s / totals["closed"], 1) if totals["closed"] else None
    totals["acknowledgement_pct"] = round(100.0 * totals["acknowledged"] / totals["incidents"], 1) \
        if totals["incidents"] else None
    return {"teams": result, "periods": periods, "totals": totals}


# Hour buckets of split_hours, and the smallest length of each bucket unit
# (so that the count of buckets a window can touch is never under-estimated).
_HOURS_FACTOR = 3
_UNIT_MIN_SECONDS = {"day": 86400, "week": 7 * 86400, "month": 28 * 86400}


def export_batch_size(start, end, aggregate_unit=None, split_hours=False, max_teams=INSIGHT_TEAM_EXPORT.id_batch,
                      row_cap=EXPORT_ROW_CAP):
    """Teams per export request so that no export (or window) reaches the row cap.

    A window of split_range spans at most 31 days for ``day`` and a year
    otherwise; it touches at most one bucket more than it spans whole.
    """
    per_team = 1
    if aggregate_unit:
        window = min(max(end - start, 0), EXPORT_MAX_DAY_RANGE if aggregate_unit == "day" else EXPORT_MAX_RANGE)
        per_team = -(-window // _UNIT_MIN_SECONDS[aggregate_unit]) + 1
    if split_hours:
        per_team *= _HOURS_FACTOR
    return max(1, min(max_teams, (row_cap - 1) // per_team))


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


def to_csv(rows, columns):
    """CSV text (CRLF, quoted where needed) of dict rows in column order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()


def _local(ts, zone):
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M") if ts else ""


def roster(schedules, time_zone=None, teams=None, persons=None):
    """One row per shift in the window: schedule, team, start/end in the zone, people.

    ``teams`` (the ``teams`` of :func:`summarize`) gives team names, ``persons``
    (flashduty_schedule_info's ``persons``) the names of the people; a person
    without a name shows as the id. ``person_ids`` keeps the ids, for machines.
    """
    zone = get_zone(time_zone) if time_zone else timezone.utc
    names = dict((team["team_id"], team["team_name"]) for team in teams or [])
    people = dict((p.get("person_id"), p.get("person_name")) for p in persons or [])
    rows = []
    for item in schedules:
        for shift in (item.get("final_schedule") or {}).get("schedules") or []:
            ids = group_person_ids(shift.get("group"))
            rows.append({
                "schedule": item.get("schedule_name"), "team_id": item.get("team_id"),
                "team": names.get(item.get("team_id"), ""),
                "group": (shift.get("group") or {}).get("group_name"),
                "start": _local(shift.get("start"), zone), "end": _local(shift.get("end"), zone),
                "persons": "; ".join("%s" % (people.get(p) or p) for p in ids),
                "person_ids": " ".join("%s" % p for p in ids),
            })
    return rows


def local_time(ts, time_zone=None):
    """Unix seconds as 'YYYY-MM-DD HH:MM' in the zone; empty for none.

    Seconds may come as text: without Jinja2 native types (ansible-core
    before 2.19) a templated number is a string.
    """
    if ts is None or ts == "":
        return ""
    return _local(to_unix(ts, time_zone, "local_time"), get_zone(time_zone) if time_zone else timezone.utc)
