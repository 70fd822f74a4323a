# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The numbers and pictures of the insight_report role.

Column names of an export are display names in the caller's locale, so the
role asks for a known list of ``export_fields`` and this module maps the
header by position: the last ``len(fields)`` columns are those fields, in
order, and any columns before them (the time bucket) are the period.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import math
import time
from datetime import datetime, timezone

from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone, parse_time

REPORT_FIELDS = [
    "team_id", "team_name", "total_incident_cnt", "total_incidents_acknowledged", "total_incidents_closed",
    "mean_seconds_to_ack", "mean_seconds_to_close", "total_interruptions",
]
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939"]


def to_unix(value, time_zone=None, name="time", now=None):
    """A time in any of the modules' forms as Unix seconds."""
    return parse_time(value, time.time() if now is None else now, name, get_zone(time_zone))


def _keyed(rows, columns, fields):
    offset = len(columns) - len(fields)
    if offset < 0:
        raise ValidationError("export", "the CSV has %d columns but %d fields were asked for"
                              % (len(columns), len(fields)))
    names = dict((columns[offset + i], field) for i, field in enumerate(fields))
    period = columns[0] if offset else None
    out = []
    for row in rows:
        keyed = dict((names[c], v) for c, v in row.items() if c in names)
        keyed["period"] = row.get(period) if period else None
        out.append(keyed)
    return out


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def summarize(rows, columns, fields=None):
    """Per-team totals and incidents per period, from export rows.

    MTTA and MTTR are means weighted by the acknowledged and closed counts of
    each row; the acknowledgement percentage is acknowledged / incidents.
    """
    fields = fields or REPORT_FIELDS
    teams, periods = {}, []
    for row in _keyed(rows, columns, fields):
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
        period = row["period"]
        if period is not None:
            if period not in periods:
                periods.append(period)
            team["per_period"][period] = team["per_period"].get(period, 0) + incidents
    periods.sort()
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
    return {"teams": result, "periods": periods}


def _escape(text):
    return ("%s" % text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def chart_svg(summary, width=760, height=320):
    """An inline SVG line chart of incidents per period, one line per team."""
    periods, teams = summary["periods"], summary["teams"]
    left, right, top, bottom = 48, 170, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    # Four gridlines at whole numbers: round the peak up to a multiple of 4.
    peak = max([max(t["incidents_per_period"] or [0]) for t in teams] + [1])
    peak = int(math.ceil(peak / 4.0)) * 4
    step = plot_w / float(max(len(periods) - 1, 1))
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" id="incidents-chart" role="img" width="%d" height="%d" '
             'viewBox="0 0 %d %d"><title>Incidents per period and team</title>' % (width, height, width, height)]
    parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#ccc"/>'
                 % (left, top, plot_w, plot_h))
    for tick in range(5):
        value = peak * tick / 4.0
        y = top + plot_h - plot_h * tick / 4.0
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/>' % (left, left + plot_w, y, y))
        label = '<text x="%d" y="%.1f" font-size="10" text-anchor="end">%g</text>'
        parts.append(label % (left - 4, y + 3, round(value, 1)))
    label_every = max(1, len(periods) // 8)
    for i, period in enumerate(periods):
        if i % label_every == 0:
            parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>'
                         % (left + i * step, top + plot_h + 16, _escape(period)))
    for index, team in enumerate(teams):
        color = PALETTE[index % len(PALETTE)]
        points = " ".join("%.1f,%.1f" % (left + i * step, top + plot_h - plot_h * v / float(peak))
                          for i, v in enumerate(team["incidents_per_period"]))
        parts.append('<polyline class="series" data-team="%s" fill="none" stroke="%s" stroke-width="2" '
                     'points="%s"/>' % (_escape(team["team_id"]), color, points))
        y = top + 12 + index * 16
        parts.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (left + plot_w + 12, y - 9, color))
        legend = '<text x="%d" y="%d" font-size="11">%s</text>'
        parts.append(legend % (left + plot_w + 26, y, _escape(team["team_name"])))
    parts.append("</svg>")
    return "".join(parts)


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


def roster(schedules, time_zone=None, teams=None):
    """One row per shift in the window: schedule, team, start/end in the zone, person ids.

    ``teams`` (the ``teams`` of :func:`summarize`) gives the team names.
    """
    zone = get_zone(time_zone) if time_zone else timezone.utc
    names = dict((team["team_id"], team["team_name"]) for team in teams or [])
    rows = []
    for item in schedules:
        for shift in (item.get("final_schedule") or {}).get("schedules") or []:
            persons = []
            for member in ((shift.get("group") or {}).get("members") or []):
                persons += [p for p in (member or {}).get("person_ids") or [] if p not in persons]
            rows.append({
                "schedule": item.get("schedule_name"), "team_id": item.get("team_id"),
                "team": names.get(item.get("team_id"), ""),
                "group": (shift.get("group") or {}).get("group_name"),
                "start": _local(shift.get("start"), zone), "end": _local(shift.get("end"), zone),
                "person_ids": " ".join("%s" % p for p in persons),
            })
    return rows


def local_time(ts, time_zone=None):
    """Unix seconds as 'YYYY-MM-DD HH:MM' in the zone."""
    return _local(ts, get_zone(time_zone) if time_zone else timezone.utc)
