# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""flashduty_schedule_health: coverage gaps, double-booked people and balance of the schedules.

Reads /schedule/list for a window of any length, asking in windows the API
accepts (under 45 days) and joining the shifts cut at their edges; the
arithmetic is :mod:`shifts`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime

from ansible_collections.flashcat.flashduty.plugins.module_utils import shifts as sh
from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import SCHEDULE_LIST
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.names import add_team_names, name_oncall
from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import PageHint
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import (
    OPTION_NAMES,
    build_body,
    list_schedules,
    schedule_id,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import validate_schedule_list
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import (
    get_zone,
    parse_duration,
    parse_time,
)

DAY = 86400
# The API computes a window shorter than 45 days; each request asks at most 44.
WINDOW = 44 * DAY
DEFAULT_SPAN = 14 * DAY
FINDING_KINDS = ("gaps", "empty", "overlaps")
SHOWN_FINDINGS = 10


def window_of(params, now):
    """``(start, end)`` in Unix seconds: ``start`` (default now) to ``end`` (default 14 days after start)."""
    start = parse_time(params["start"], now, "start") if params.get("start") not in (None, "") else int(now)
    end = parse_time(params["end"], now, "end") if params.get("end") not in (None, "") else start + DEFAULT_SPAN
    if end <= start:
        raise ValidationError("end", "must be after start (start %d, end %d)" % (start, end))
    return start, end


def read_shifts(client, body, start, end, name=None, concurrency=1):
    """Every matching schedule with its shifts over [start, end): ``(items, {schedule_id: shifts}, windows)``.

    One listing per window of at most WINDOW; a schedule seen in any window is
    kept (in the order first seen), and its shifts are joined across the edges.
    The windows list the same schedules: each asks ahead only as far as the
    pages the one before read (``paging.PageHint``), not the pages a capped
    total lets an unknown count ask.
    """
    windows = sh.windows(start, end, WINDOW)
    items, found, truncated = [], {}, False
    hint = PageHint()
    for begin, finish in windows:
        result = list_schedules(client, dict(body, start=begin, end=finish), name=name, concurrency=concurrency,
                                hint=hint)
        truncated = truncated or result["truncated"]
        for item in result["schedules"]:
            sid = schedule_id(item)
            if sid not in found:
                found[sid] = []
                items.append(item)
            found[sid].extend(sh.shifts_of(item, begin, finish))
    edges = [w[0] for w in windows[1:]]
    return items, dict((sid, sh.join_shifts(found[sid], edges)) for sid in found), windows, truncated


def _local(ts, zone):
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M")


def _person(pid, names):
    return {"person_id": pid, "person_name": names.get(pid)}


def _who(ids, names):
    return ", ".join("%s" % (names.get(p) or p) for p in ids) or "nobody"


def _load_rows(load, names):
    rows = []
    for pid, entry in load.items():
        row = dict(_person(pid, names), hours=sh.hours(entry["seconds"]), shifts=entry["shifts"])
        if entry["sleep_seconds"] is not None:
            row.update(schedule_hours=sh.hours(entry["schedule_seconds"]), sleep_hours=sh.hours(entry["sleep_seconds"]),
                       weekend_hours=sh.hours(entry["weekend_seconds"]))
        rows.append(row)
    rows.sort(key=lambda r: (-r["hours"], -r["shifts"], "%s" % r["person_id"]))
    return rows


def _balance(rows, share, names):
    hours = dict((r["person_id"], r["hours"]) for r in rows)
    mean = round(sum(hours.values()) / float(len(hours)), 2) if hours else None
    return {"value": sh.balance(list(hours.values())), "mean_hours": mean, "share": share,
            "above_mean": [dict(_person(pid, names), hours=hours[pid]) for pid in sh.above_mean(hours, share)]}


def assess(items, shifts_by_schedule, start, end, min_gap, zone, share, names, teams):
    """The health of the schedules over [start, end): the module's result without its bookkeeping."""
    schedules = []
    titles = {}
    for item in items:
        sid = schedule_id(item)
        shifts = shifts_by_schedule.get(sid) or []
        title = item.get("schedule_name", item.get("name"))
        titles[sid] = title
        load = _load_rows(sh.person_load({sid: shifts}, zone, detail=False), names)
        empty = not shifts
        gaps = [] if empty else sh.gaps(shifts, start, end, min_gap)
        schedules.append({
            "schedule_id": sid, "schedule_name": title, "team_id": item.get("team_id", item.get("group_id")),
            "team_name": teams.get(item.get("team_id", item.get("group_id"))),
            "empty": empty, "coverage_pct": sh.coverage_pct(shifts, start, end),
            "gap_seconds": sum(g["seconds"] for g in gaps),
            "gaps": [{"start": g["start"], "end": g["end"], "seconds": g["seconds"],
                      "start_local": _local(g["start"], zone), "end_local": _local(g["end"], zone),
                      "before": [_person(p, names) for p in g["before"]],
                      "after": [_person(p, names) for p in g["after"]]} for g in gaps],
            "shifts": len(shifts), "people": load, "balance": _balance(load, share, names),
        })
    overlaps = [dict(_person(o["person_id"], names), start=o["start"], end=o["end"], seconds=o["seconds"],
                     start_local=_local(o["start"], zone), end_local=_local(o["end"], zone),
                     schedules=[{"schedule_id": s, "schedule_name": titles.get(s)} for s in o["schedule_ids"]])
                for o in sh.overlaps(shifts_by_schedule)]
    persons = _load_rows(sh.person_load(shifts_by_schedule, zone), names)
    return schedules, overlaps, persons, _balance(persons, share, names)


def findings(schedules, overlaps, zone_name):
    """``{kind: [one line per finding]}`` for each of FINDING_KINDS."""
    out = dict((kind, []) for kind in FINDING_KINDS)
    for entry in schedules:
        where = "schedule %r (%s)" % (entry["schedule_name"], entry["team_name"] or entry["team_id"])
        if entry["empty"]:
            out["empty"].append("empty: %s has no shift in the window" % where)
        for gap in entry["gaps"]:
            names = dict((p["person_id"], p["person_name"]) for p in gap["before"] + gap["after"])
            out["gaps"].append("gap: %s has nobody on call from %s to %s %s (%.1f h); before: %s; after: %s" % (
                where, gap["start_local"], gap["end_local"], zone_name, gap["seconds"] / 3600.0,
                _who([p["person_id"] for p in gap["before"]], names),
                _who([p["person_id"] for p in gap["after"]], names)))
    for entry in overlaps:
        out["overlaps"].append("overlap: %s is on call in %s at once from %s to %s %s (%.1f h)" % (
            entry["person_name"] or entry["person_id"],
            " and ".join("%r" % s["schedule_name"] for s in entry["schedules"]),
            entry["start_local"], entry["end_local"], zone_name, entry["seconds"] / 3600.0))
    return out


def failure_message(lines, fail_on):
    """The task's message: one line per finding, the first SHOWN_FINDINGS, then how many more."""
    head = "%d finding%s of %s:" % (len(lines), "" if len(lines) == 1 else "s", ", ".join(fail_on))
    shown = lines[:SHOWN_FINDINGS]
    if len(lines) > SHOWN_FINDINGS:
        shown.append("... and %d more (see findings in the result)" % (len(lines) - SHOWN_FINDINGS))
    return "\n".join([head] + shown)


def check(params):
    """Options that need no request: ``(min_gap, zone, share, fail_on)``; a ValidationError names the option."""
    min_gap = parse_duration(params.get("min_gap", 0), "min_gap")
    zone = get_zone(params.get("time_zone"), "time_zone")
    share = params.get("overload_share")
    if share is None or share < 0:
        raise ValidationError("overload_share", "must be 0 or more (0.25 means 25 %% above the mean), got %r"
                              % (share,))
    return min_gap, zone, share, list(params.get("fail_on") or [])


def run(module, client, now):
    """The module's whole run; with ``fail_on`` findings the task fails with the full result."""
    params = module.params
    concurrency = params["concurrency"]
    start, end = window_of(params, now)
    min_gap, zone, share, fail_on = check(params)
    body = build_body(dict(params, start=None, end=None), now)
    validate_schedule_list(dict(body, p=1, limit=SCHEDULE_LIST.page_limit), OPTION_NAMES)
    add_team_names(client, body, params.get("team_names"), concurrency=concurrency)
    items, by_schedule, windows, truncated = read_shifts(client, body, start, end, params.get("name"), concurrency)
    names, teams = {}, {}
    if params.get("resolve_names", True):
        entries = [{"team_id": item.get("team_id", item.get("group_id"))} for item in items]
        people, problem = name_oncall(client, entries, concurrency,
                                      [p for shifts in by_schedule.values() for s in shifts for p in s["person_ids"]])
        if problem:
            client.warn(problem)
        names = dict((p["person_id"], p["person_name"]) for p in people)
        teams = dict((e["team_id"], e.get("team_name")) for e in entries)
    schedules, overlaps, persons, balance = assess(items, by_schedule, start, end, min_gap, zone, share, names, teams)
    zone_name = params.get("time_zone") or "UTC"
    found = findings(schedules, overlaps, zone_name)
    result = {
        "changed": False,
        "window": {"start": start, "end": end, "start_local": _local(start, zone), "end_local": _local(end, zone),
                   "time_zone": zone_name, "min_gap": min_gap, "requests": windows},
        "schedules": schedules, "overlaps": overlaps, "persons": persons, "balance": balance,
        "summary": {"schedules": len(schedules), "empty": len(found["empty"]), "gaps": len(found["gaps"]),
                    "overlaps": len(found["overlaps"]),
                    "covered_pct": round(sum(s["coverage_pct"] for s in schedules) / len(schedules), 1)
                    if schedules else None},
        "findings": [line for kind in FINDING_KINDS for line in found[kind]],
        "truncated": truncated,
        "request_ids": list(client.request_ids),
    }
    failing = [line for kind in FINDING_KINDS if kind in fail_on for line in found[kind]]
    if failing:
        module.fail_json(msg=failure_message(failing, fail_on), **result)
    return result
