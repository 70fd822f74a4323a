# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The on-call roster of the insight report: one row per computed shift, and
a row for each schedule with nobody on call (no shift in the period, nobody
now or nobody next), so that such a schedule never drops out of the report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import group_person_ids, schedule_id
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.report_format import local, zone_or_utc


def nobody(shift):
    """True when a cur/next on-call entry has no one in it (none at all, or an empty group)."""
    return not (isinstance(shift, dict) and shift.get("person_ids"))


def uncovered(oncall):
    """The entries of flashduty_schedule_info's ``oncall`` with nobody on call now or next, each with
    ``nobody_now`` and ``nobody_next``, by team and schedule name."""
    out = [dict(entry, nobody_now=nobody(entry.get("current")), nobody_next=nobody(entry.get("next")))
           for entry in oncall or [] if nobody(entry.get("current")) or nobody(entry.get("next"))]
    out.sort(key=lambda e: (("%s" % (e.get("team_name") or e.get("team_id"))).lower(),
                            ("%s" % e.get("schedule_name")).lower()))
    return out


def roster(schedules, time_zone=None, teams=None, persons=None, oncall=None):
    """One row per shift in the window: schedule, team, start/end in the zone, people, coverage.

    ``teams`` (the ``teams`` of :func:`summarize`) gives team names, ``persons``
    (flashduty_schedule_info's ``persons``) the names of the people; a person
    without a name shows as the id. ``person_ids`` keeps the ids, for machines.
    ``coverage`` is empty for a shift with someone in it, ``nobody in the group``
    for one without. A schedule with no shift in the window, or (with ``oncall``,
    flashduty_schedule_info's ``oncall``) with nobody on call now or next, gets
    one more row without times that says so in ``coverage``.
    """
    zone = zone_or_utc(time_zone)
    names = dict((team["team_id"], team["team_name"]) for team in teams or [])
    people = dict((p.get("person_id"), p.get("person_name")) for p in persons or [])
    states = dict((entry.get("schedule_id"), entry) for entry in oncall or [])
    rows = []
    for item in schedules:
        base = {"schedule": item.get("schedule_name"), "team_id": item.get("team_id"),
                "team": names.get(item.get("team_id"), "")}
        shifts = (item.get("final_schedule") or {}).get("schedules") or []
        for shift in shifts:
            ids = group_person_ids(shift.get("group"))
            rows.append(dict(base, **{
                "group": (shift.get("group") or {}).get("group_name"),
                "start": local(shift.get("start"), zone), "end": local(shift.get("end"), zone),
                "persons": "; ".join("%s" % (people.get(p) or p) for p in ids),
                "person_ids": " ".join("%s" % p for p in ids),
                "coverage": "" if ids else "nobody in the group",
            }))
        notes = [] if shifts else ["no shift in the period"]
        state = states.get(schedule_id(item))
        if state is not None:
            if nobody(state.get("current")):
                notes.append("nobody on call now")
            if nobody(state.get("next")):
                notes.append("nobody on call next")
        if notes:
            rows.append(dict(base, group="", start="", end="", persons="", person_ids="", coverage="; ".join(notes)))
    return rows
