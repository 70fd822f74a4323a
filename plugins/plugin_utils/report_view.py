# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the insight report shows, ready for its templates (HTML and Markdown).

From the per-team summaries of the period and of the period before it (see
:mod:`insight_summary`), and from flashduty_schedule_info's result for the period:
the headline figures with their change, the teams sorted by incidents, the
hour-bucket split of interruptions, who is on call grouped by team (every
schedule, those that matter first), every
schedule with nobody on call now or next, and the on-call load of every
person (wall-clock hours with overlapping schedules merged, schedule-hours,
sleep and weekend hours and shifts, from the computed shifts clipped to the
period). Lists a person reads are capped, with how many more
there are; the CSV files stay complete.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime

from ansible_collections.flashcat.flashduty.plugins.plugin_utils.export_columns import HOUR_BUCKETS
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_chart import sparkline_svg, sparkline_text
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.oncall_roster import nobody, uncovered
from ansible_collections.flashcat.flashduty.plugins.module_utils.shifts import hours, person_load, shifts_of
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone

METRICS = (
    # key, label, kind: "count" and "seconds" change in %, "pct" in percentage points
    ("incidents", "Incidents", "count"),
    ("mtta_seconds", "MTTA", "seconds"),
    ("mttr_seconds", "MTTR", "seconds"),
    ("acknowledgement_pct", "Acknowledged", "pct"),
    ("interruptions", "Interruptions", "count"),
)
# For these a rise is bad news (shown in red); for acknowledgement a fall is.
RISE_IS_BAD = ("incidents", "mtta_seconds", "mttr_seconds", "interruptions", "sleep_interruptions")
CAPS = {"load": 25, "gaps": 25, "night": 5}


# A change is news when it is at least this large (percent for counts and times, percentage points for a
# percentage) and the figure rests on at least this many incidents (or interruptions) in one of the two
# periods; a smaller change is shown, without colour or arrow.
CHANGES = {"threshold_pct": 10.0, "threshold_pp": 2.0, "min_count": 10}
ARROWS = {"up": u"\u25b2", "down": u"\u25bc"}


def change(current, previous, kind):
    """``{"value", "previous", "delta", "text", "trend"}`` of one figure against the period before.

    ``delta`` is the relative change in percent (percentage points for a
    percentage); None when there is nothing to compare with. ``trend``
    follows the change as it is shown: a change that rounds to "0%" is flat.
    """
    delta = None
    if current is not None and previous is not None:
        if kind == "pct":
            delta = round(current - previous, 1)
        elif previous:
            delta = round(100.0 * (current - previous) / previous, 1)
    if delta is None:
        text = "new" if previous in (None, 0) and current else ""
    elif kind == "pct":
        text = "%+.1f pp" % delta
    elif round(delta) == 0:
        text = "0%"
    else:
        text = "%+.0f%%" % delta
    visible = delta if kind == "pct" else (round(delta) if delta is not None else None)
    trend = "flat" if not visible else ("up" if visible > 0 else "down")
    return {"value": current, "previous": previous, "delta": delta, "text": text, "trend": trend,
            "shown": shown(current, kind), "previous_shown": shown(previous, kind)}


def shown(value, kind):
    """A figure as the report prints it: counts with thousands separators."""
    if value is None:
        return "-"
    if kind == "seconds":
        return duration(value)
    if kind == "pct":
        return "%.1f %%" % value
    return "{:,}".format(int(value))


def judge(key, entry, kind=None, base=None, changes=None):
    """Tone and arrow of a change: ``worse``/``better`` with an arrow only when it is news (see CHANGES),
    ``same`` otherwise. ``base`` is the larger count the figure rests on in the two periods."""
    changes = changes or CHANGES
    limit = changes["threshold_pp"] if kind == "pct" else changes["threshold_pct"]
    news = (entry["trend"] != "flat" and entry["delta"] is not None and abs(entry["delta"]) >= limit
            and (base is None or base >= changes["min_count"]))
    entry["news"] = news
    entry["arrow"] = ARROWS[entry["trend"]] if news else ""
    if not news:
        entry["tone"] = "same"
    else:
        worse = (entry["trend"] == "up") == (key in RISE_IS_BAD)
        entry["tone"] = "worse" if worse else "better"
    return entry


def _base(current, previous):
    """The larger incident count of the two periods a figure rests on."""
    counts = [(f or {}).get("incidents") for f in (current, previous)]
    counts = [c for c in counts if c is not None]
    return max(counts) if counts else None


def _compare_all(current, previous, changes=None):
    out = {}
    base = _base(current, previous)
    for key, dummy, kind in METRICS:
        value_base = base
        if key == "interruptions":
            value_base = _base({"incidents": (current or {}).get(key)}, {"incidents": (previous or {}).get(key)})
        entry = change((current or {}).get(key), (previous or {}).get(key) if previous else None, kind)
        out[key] = judge(key, entry, kind, value_base, changes)
    return out


def what_changed(headline, teams, limit=6):
    """The few changes that matter, largest first: the headline's and the teams' incident counts."""
    items = []
    for h in headline:
        if h.get("news"):
            items.append({"scope": "All teams", "label": h["label"], "kind": h["kind"], "entry": h})
    for team in teams:
        entry = team["changes"]["incidents"]
        if entry.get("news"):
            items.append({"scope": team["team_name"] if team["team_name"] is not None else "%s" % team["team_id"],
                          "label": "Incidents", "kind": "count", "entry": entry})
    items.sort(key=lambda i: (i["scope"] != "All teams", -abs(i["entry"]["delta"] or 0)))
    return items[:limit], max(0, len(items) - limit)


def duration(seconds):
    """Seconds as a short text: 45 s, 12.5 min, 3.2 h."""
    if seconds is None:
        return "-"
    if seconds < 90:
        return "%.0f s" % seconds
    if seconds < 5400:
        return "%.1f min" % (seconds / 60.0)
    return "%.1f h" % (seconds / 3600.0)


def hours_split(team):
    split = team.get("interruptions_by_hours")
    if not split:
        return None
    total = sum(split.values())
    return {"total": total, "buckets": [{"name": name, "count": split.get(name, 0),
                                         "pct": round(100.0 * split.get(name, 0) / total, 1) if total else 0.0}
                                        for name in HOUR_BUCKETS]}


def _oncall_groups(oncall, teams=None, health=None):
    """Every schedule, grouped by team: the teams in the Teams table's order (most incidents first), then
    the others by name; in a team the schedules that matter first (nobody on call now or next, then gaps in
    the coming days), then by name. Nothing is left out: the report collapses each team instead."""
    order = dict((t["team_id"], index) for index, t in enumerate(teams or []))
    incidents = dict((t["team_id"], t.get("incidents")) for t in teams or [])
    gaps = {}
    for item in (health or {}).get("schedules") or []:
        if item.get("gaps"):
            gaps[item.get("schedule_id")] = len(item["gaps"])
    groups = {}
    for entry in oncall or []:
        row = dict(entry, nobody_now=nobody(entry.get("current")), nobody_next=nobody(entry.get("next")),
                   gaps=gaps.get(entry.get("schedule_id"), 0))
        row["rank"] = 0 if row["nobody_now"] else (1 if row["nobody_next"] else (2 if row["gaps"] else 3))
        groups.setdefault(entry.get("team_id"), []).append(row)
    out = []
    for team_id, rows in groups.items():
        rows.sort(key=lambda r: (r["rank"], ("%s" % r.get("schedule_name")).lower()))
        name = rows[0].get("team_name") or "%s" % team_id
        out.append({"team": name, "team_id": team_id, "incidents": incidents.get(team_id), "schedules": rows,
                    "count": len(rows), "now": sum(1 for r in rows if not r["nobody_now"]),
                    "nobody": sum(1 for r in rows if r["nobody_now"] or r["nobody_next"]),
                    "with_gaps": sum(1 for r in rows if r["gaps"])})
    out.sort(key=lambda g: (order.get(g["team_id"], len(order)), ("%s" % g["team"]).lower()))
    return out


def coverage(oncall, health=None, caps=None):
    """How many schedules have someone on call now, every schedule with nobody now or next (never capped),
    and with ``health`` (flashduty_schedule_health's result for the coming days) ``ahead``: its window, the
    gaps by start (capped), the schedules with no shift and the people most on call at night."""
    caps = dict(CAPS, **(caps or {}))
    entries = oncall or []
    missing = uncovered(entries)
    for entry in missing:
        entry["team"] = entry.get("team_name") or "%s" % entry.get("team_id")
    out = {"schedules": len(entries), "now": sum(1 for e in entries if not nobody(e.get("current"))),
           "uncovered": missing, "ahead": None}
    if health:
        def who(people):
            return ", ".join("%s" % (p.get("person_name") or p.get("person_id")) for p in people) or "nobody"
        gaps = sorted(({"schedule": s.get("schedule_name"), "schedule_id": s.get("schedule_id"),
                        "team": s.get("team_name") or "%s" % s.get("team_id"), "start": g["start_local"],
                        "end": g["end_local"], "hours": round(g["seconds"] / 3600.0, 1), "before": who(g["before"]),
                        "after": who(g["after"]), "_start": g["start"]}
                       for s in health.get("schedules") or [] for g in s.get("gaps") or []),
                      key=lambda g: (g["_start"], "%s" % g["schedule"]))
        for gap in gaps:
            del gap["_start"]
        night = sorted((p for p in health.get("persons") or [] if p.get("sleep_hours")),
                       key=lambda p: (-p["sleep_hours"], -p["hours"], "%s" % p["person_id"]))
        out["ahead"] = {
            "start": health["window"]["start_local"], "end": health["window"]["end_local"],
            "gaps": gaps[:caps["gaps"]], "more_gaps": max(0, len(gaps) - caps["gaps"]), "gap_count": len(gaps),
            "schedules_with_gaps": len(set(g["schedule_id"] for g in gaps)),
            "empty": sorted("%s" % s.get("schedule_name") for s in health.get("schedules") or [] if s.get("empty")),
            "night": [{"person_id": p["person_id"], "person_name": p.get("person_name"), "sleep_hours": p["sleep_hours"],
                       "hours": p["hours"]} for p in night[:caps["night"]]],
        }
    return out


def oncall_load(schedules, persons, start, end, time_zone=None):
    """On-call load per person over [start, end), from the computed shifts (most hours first).

    ``hours`` is wall-clock time on call, overlapping schedules merged, so it
    is never more than the period; ``schedule_hours`` adds each schedule's own
    hours (more than ``hours`` for a person on call in several at once);
    ``sleep_hours`` (23:00 to 08:00) and ``weekend_hours`` are in ``time_zone``;
    ``shifts`` counts the shifts (in every schedule) the person is in.
    """
    names = dict((p.get("person_id"), p.get("person_name")) for p in persons or [])
    by_schedule = dict((index, shifts_of(item, start, end)) for index, item in enumerate(schedules or []))
    rows = []
    for pid, entry in person_load(by_schedule, get_zone(time_zone)).items():
        rows.append({"person_id": pid, "person_name": names.get(pid), "hours": hours(entry["seconds"], 1),
                     "schedule_hours": hours(entry["schedule_seconds"], 1),
                     "sleep_hours": hours(entry["sleep_seconds"], 1),
                     "weekend_hours": hours(entry["weekend_seconds"], 1), "shifts": entry["shifts"],
                     "_seconds": entry["seconds"]})
    rows.sort(key=lambda r: (-r["_seconds"], -r["shifts"], "%s" % r["person_id"]))
    for row in rows:
        del row["_seconds"]
    return rows


def _plain(number):
    """10.0 as 10, 2.5 as 2.5: a number as a person writes it."""
    return int(number) if float(number) == int(number) else number


def _days(start, end):
    """The period's length in days as a person writes it: 7, 0.5, 30.4."""
    if start is None or not end:
        return None
    return _plain(round((end - start) / 86400.0, 1))


def build_view(summary, previous=None, schedules=None, period=None, time_zone=None, window_start=None, caps=None,
               changes=None, health=None, read_at=None):
    """Everything the report shows, as plain data for its templates.

    ``schedules`` is flashduty_schedule_info's result (``schedules``,
    ``oncall``, ``persons``) for the window starting at ``window_start``
    (the API computes at most 45 days); ``period`` is ``[start, end]``;
    ``changes`` overrides CHANGES (what counts as news); ``health`` is
    flashduty_schedule_health's result for the coming days (the coverage look-ahead);
    ``read_at`` (Unix seconds) is when the schedules were read: the time their "now" is.
    """
    caps = dict(CAPS, **(caps or {}))
    schedules = schedules or {}
    start, end = period or (None, None)
    zone = get_zone(time_zone)
    previous_teams = dict((t["team_id"], t) for t in (previous or {}).get("teams") or [])
    teams = sorted(summary["teams"], key=lambda t: (-t["incidents"], ("%s" % t["team_name"]).lower()))
    totals = summary.get("totals") or {}
    changes = dict((key, _plain(value)) for key, value in dict(CHANGES, **(changes or {})).items())
    # A team's bar is its share of every team's incidents (the bars add up to 100 %).
    all_incidents = sum(t["incidents"] for t in teams)
    rows = []
    for team in teams:
        before = previous_teams.get(team["team_id"])
        share = 100.0 * team["incidents"] / all_incidents if all_incidents else 0.0
        rows.append(dict(team, changes=_compare_all(team, before if previous is not None else None, changes),
                         share_pct=round(share, 1), hours=hours_split(team),
                         sparkline=sparkline_svg(team.get("incidents_per_period"),
                                                 (before or {}).get("incidents_per_period") if previous else None,
                                                 label="%s: incidents per period" % team["team_name"]),
                         trend=sparkline_text(team.get("incidents_per_period"))))
    previous_totals = ((previous or {}).get("totals") or {}) if previous is not None else None
    headline = []
    for key, label, kind in METRICS:
        base = _base(totals, previous_totals) if key != "interruptions" else _base(
            {"incidents": totals.get(key)}, {"incidents": (previous_totals or {}).get(key)})
        headline.append(dict(key=key, label=label, kind=kind, **judge(key, change(
            totals.get(key), previous_totals.get(key) if previous_totals is not None else None, kind),
            kind, base, changes)))
    changed, more_changed = what_changed(headline, rows) if previous is not None else ([], 0)
    hours_totals = None
    if any(t.get("interruptions_by_hours") for t in teams):
        hours_totals = hours_split({"interruptions_by_hours": dict(
            (name, sum((t.get("interruptions_by_hours") or {}).get(name, 0) for t in teams)) for name in HOUR_BUCKETS)})
    groups = _oncall_groups(schedules.get("oncall"), rows, health)
    load_from = max(start, window_start) if window_start is not None and start is not None else start
    load = oncall_load(schedules.get("schedules"), schedules.get("persons"), load_from, end, time_zone) if end else []

    def local(ts, fmt="%Y-%m-%d %H:%M"):
        return datetime.fromtimestamp(ts, zone).strftime(fmt) if ts else ""
    return {
        "period": {"start": local(start), "end": local(end), "time_zone": time_zone or "UTC",
                   "days": _days(start, end),
                   "load_from": local(load_from)},
        "compared": previous is not None,
        "headline": headline,
        # All teams' incidents per bucket (every team has the same buckets), as block characters.
        "trend": sparkline_text([sum(c) for c in zip(*[t["incidents_per_period"] for t in teams
                                                       if t.get("incidents_per_period")])]),
        "changes": {"items": changed, "more": more_changed, "rules": changes},
        "teams": rows,
        "hours_totals": hours_totals,
        "oncall": {"groups": groups, "schedules": sum(g["count"] for g in groups), "at": local(int(float(read_at))) if read_at not in (None, "") else ""},
        "coverage": coverage(schedules.get("oncall"), health, caps),
        "load": {"rows": load[:caps["load"]], "more": max(0, len(load) - caps["load"]), "people": len(load)},
    }
