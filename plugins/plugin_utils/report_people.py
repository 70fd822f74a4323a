# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The People section of the insight report: who carries the load.

From flashduty_insight_info results (``dimension: responder``, with
``split_hours``) of the period and of the period before it, one or more per
period (one per batch of teams: a person's items of every batch are added up,
by :func:`insight_info.totals`, so a mean stays weighted by its counts), and
the on-call load of the period (:func:`report_view.oncall_load`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils.insight_info import totals
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.report_view import CHANGES, change, duration, judge

# How many of the people woken most in sleep hours stand out (red in the report).
STAND_OUT = 3
CAPS = {"people": 25}
CSV_COLUMNS = ["responder_id", "responder_name", "incidents", "interruptions", "sleep_interruptions", "sleep_pct",
               "engaged_seconds", "mtta_seconds", "acknowledgement_pct", "incidents_before", "interruptions_before",
               "sleep_interruptions_before", "mtta_seconds_before", "oncall_hours", "shifts"]


def _items(results):
    return [item for result in results or [] if not result.get("skipped") for item in result.get("records") or []]


def _by_person(results):
    return dict((t["responder_id"], t) for t in totals(_items(results), "responder"))


def _sleep(total):
    return ((total or {}).get("by_hours") or {}).get("sleep", {}).get("total_interruptions")


def people(results, previous=None, load=None, caps=None, changes=None):
    """``{"rows", "shown", "more", "compared"}``: one row per person who took part in incidents or was on call.

    A row has the person's id and name (the insight's, else the roster's; None for a deleted person),
    ``incidents``, ``interruptions``, ``sleep_interruptions`` and ``sleep_pct`` (their share of the
    person's interruptions), ``engaged_seconds``, ``mtta_seconds`` (weighted), ``acknowledgement_pct``,
    the same figures of the period before (``*_before``) with ``changes``, ``oncall_hours`` and ``shifts``,
    and ``stands_out`` for the STAND_OUT people woken most in sleep hours. A figure without a value is None.
    Rows are sorted by sleep-hour interruptions, then interruptions, then name.
    """
    changes = dict(CHANGES, **(changes or {}))
    caps = dict(CAPS, **(caps or {}))
    now, before = _by_person(results), _by_person(previous) if previous is not None else {}
    oncall = dict((row["person_id"], row) for row in load or [])
    order = list(now) + [pid for pid in oncall if pid not in now]
    rows = []
    for pid in order:
        mine, earlier, duty = now.get(pid) or {}, before.get(pid) or {}, oncall.get(pid) or {}
        interruptions, sleep = mine.get("total_interruptions"), _sleep(mine)
        row = {
            "responder_id": pid,
            "responder_name": mine.get("responder_name") or duty.get("person_name"),
            "incidents": mine.get("total_incident_cnt"),
            "interruptions": interruptions,
            "sleep_interruptions": sleep,
            "sleep_pct": round(100.0 * (sleep or 0) / interruptions, 1) if interruptions else None,
            "engaged_seconds": mine.get("total_engaged_seconds"),
            "mtta_seconds": _round(mine.get("mean_seconds_to_ack")),
            "acknowledgement_pct": _round(mine.get("acknowledgement_pct")),
            "incidents_before": earlier.get("total_incident_cnt"),
            "interruptions_before": earlier.get("total_interruptions"),
            "sleep_interruptions_before": _sleep(earlier),
            "mtta_seconds_before": _round(earlier.get("mean_seconds_to_ack")),
            "oncall_hours": duty.get("hours"),
            "shifts": duty.get("shifts"),
        }
        row["engaged_shown"] = duration(row["engaged_seconds"])
        compared = previous is not None
        row["changes"] = {}
        for key, kind in (("incidents", "count"), ("interruptions", "count"), ("sleep_interruptions", "count"),
                          ("mtta_seconds", "seconds")):
            entry = change(row[key], row[key + "_before"] if compared else None, kind)
            # A rise of any of these is bad news, when it is news (the report's thresholds): counts on their own
            # size, the mean time to acknowledge on the person's incidents.
            counts = (row[key], row[key + "_before"]) if kind == "count" else (row["incidents"], row["incidents_before"])
            base = max([c for c in counts if c is not None] or [0])
            row["changes"][key] = judge(key, entry, kind, base, changes)
        rows.append(row)
    rows.sort(key=lambda r: (-(r["sleep_interruptions"] or 0), -(r["interruptions"] or 0),
                             ("%s" % (r["responder_name"] or "")).lower(), "%s" % r["responder_id"]))
    for rank, row in enumerate(rows):
        row["stands_out"] = rank < STAND_OUT and bool(row["sleep_interruptions"])
    return {"rows": rows, "shown": rows[:caps["people"]], "more": max(0, len(rows) - caps["people"]),
            "compared": previous is not None, "columns": CSV_COLUMNS}


def _round(value):
    return round(value, 1) if value is not None else None
