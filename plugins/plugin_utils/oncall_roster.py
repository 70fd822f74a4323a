# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The on-call roster of the insight report: one row per computed shift."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import group_person_ids
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.report_format import local, zone_or_utc


def roster(schedules, time_zone=None, teams=None, persons=None):
    """One row per shift in the window: schedule, team, start/end in the zone, people.

    ``teams`` (the ``teams`` of :func:`summarize`) gives team names, ``persons``
    (flashduty_schedule_info's ``persons``) the names of the people; a person
    without a name shows as the id. ``person_ids`` keeps the ids, for machines.
    """
    zone = zone_or_utc(time_zone)
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
                "start": local(shift.get("start"), zone), "end": local(shift.get("end"), zone),
                "persons": "; ".join("%s" % (people.get(p) or p) for p in ids),
                "person_ids": " ".join("%s" % p for p in ids),
            })
    return rows
