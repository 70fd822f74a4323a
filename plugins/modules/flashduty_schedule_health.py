#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: flashduty_schedule_health
short_description: Find coverage gaps, people on call in two schedules at once and uneven on-call load
version_added: 0.3.0
description:
  - Reads the computed shifts of Flashduty schedules (C(final_schedule) of C(POST /schedule/list), every layer and
    override collapsed) for a window of any length and reports, per schedule, the share of the window with someone
    on call, every gap (nobody on call) and whether it has no shift at all; across schedules, the people on call in
    two or more at once; per person, the hours on call, at night and on weekends; and how evenly the hours are
    spread.
  - The API computes at most 45 days at a time, so a longer window is asked in windows of 44 days and the shifts cut
    at a window's edge are joined again; a gap across an edge is one gap.
  - A shift whose group has no person counts as a gap. Shifts that touch (one ends where the next starts) leave
    no gap.
  - With O(fail_on) the task fails when it finds any of those kinds, with one line per finding (the first ten, then
    how many more) while its result still carries everything, so that a scheduled job can gate on it.
  - Reads only; it runs in check mode as it does otherwise.
author:
  - Flashduty collection maintainers (@flashcat)
extends_documentation_fragment:
  - flashcat.flashduty.connection
  - flashcat.flashduty.connection.ACTIONGROUP
  - flashcat.flashduty.connection.READ_ONLY
  - flashcat.flashduty.schedule
  - ansible.builtin.action_common_attributes
options:
  team_names:
    description:
      - Only schedules of the teams with these names (exact, case included), merged with O(team_ids). A name that
        matches no team fails the task before anything else is sent.
    type: list
    elements: str
  start:
    description:
      - Start of the window. Unix seconds, an ISO 8601 date-time (naive means UTC), V(now), V(today) or an offset
        such as V(+1d). Default now.
    type: raw
  end:
    description:
      - End of the window (exclusive), in the same forms as O(start). Default 14 days after O(start).
      - Any length; the API is asked in windows of 44 days.
    type: raw
  min_gap:
    description:
      - Gaps shorter than this are ignored. Seconds, or a duration such as V(30m), V(1h30m) or V(2d).
    type: raw
    default: 0
  time_zone:
    description:
      - IANA zone of the sleep hours (23:00 to 08:00, as Flashduty's insights count them) and the weekends in
        RV(persons), and of the local times in RV(schedules[].gaps) and the messages.
    type: str
    default: UTC
  overload_share:
    description:
      - C(above_mean) in RV(balance) lists the people whose hours exceed the mean by more than this share (V(0.25) is
        25 %).
    type: float
    default: 0.25
  fail_on:
    description:
      - Fail the task when any finding of these kinds is found. V(gaps) a time with nobody on call (at least
        O(min_gap) long), V(empty) a schedule with no shift in the window, V(overlaps) a person on call in two or
        more schedules at once.
      - The message has one line per finding, the first ten, then how many more; the result still carries
        everything.
    type: list
    elements: str
    choices: [gaps, empty, overlaps]
    default: []
  resolve_names:
    description:
      - Name the people and teams (C(POST /person/infos) and C(POST /team/infos)). When a look-up fails the task
        goes on with ids only and one warning.
    type: bool
    default: true
  concurrency:
    description:
      - Requests in flight at once, as in M(flashcat.flashduty.flashduty_schedule_info). Every request still waits
        for its slot under the account's rate limits.
    type: int
    default: 50
notes:
  - Empty schedules are reported in RV(schedules[].empty) with a coverage of 0 and no gaps, so that one such schedule
    is one finding, not two.
  - A disabled schedule is read as the API computes it.
seealso:
  - module: flashcat.flashduty.flashduty_schedule_info
"""

EXAMPLES = r"""
- name: Fail a week before a gap, for the schedules of two teams
  flashcat.flashduty.flashduty_schedule_health:
    team_names: [SRE, Payments]
    start: now
    end: +14d
    min_gap: 15m
    fail_on: [gaps, empty]

- name: A quarter's on-call load, night and weekend hours in Shanghai time
  flashcat.flashduty.flashduty_schedule_health:
    start: today
    end: today+90d
    time_zone: Asia/Shanghai
  register: health

- name: Who carries the most night hours
  ansible.builtin.debug:
    msg: "{{ (health.persons | sort(attribute='sleep_hours', reverse=true))[:5] }}"
"""

RETURN = r"""
window:
  description: The window read, C(start) and C(end) (Unix seconds, end exclusive) with their local texts, the
    C(time_zone), C(min_gap) in seconds, and C(requests), the windows the API was asked for.
  returned: success
  type: dict
  sample: {start: 1779667200, end: 1780876800, start_local: "2026-05-25 00:00", end_local: "2026-06-08 00:00",
           time_zone: UTC, min_gap: 0, requests: [[1779667200, 1780876800]]}
schedules:
  description: One entry per schedule.
  returned: success
  type: list
  elements: dict
  contains:
    schedule_id:
      description: The schedule's id.
      type: int
    schedule_name:
      description: The schedule's name.
      type: str
    team_id:
      description: The id of the team that owns it.
      type: int
    team_name:
      description: The team's name; null when not resolved.
      type: str
    empty:
      description: True when the schedule has no shift at all in the window.
      type: bool
    coverage_pct:
      description: The share of the window with someone on call, in percent (one decimal).
      type: float
    gap_seconds:
      description: The seconds of the gaps listed.
      type: int
    gaps:
      description:
        - Each time with nobody on call at least O(min_gap) long, by start, with C(start), C(end) (Unix seconds),
          C(seconds), C(start_local), C(end_local), and C(before) and C(after), the people on call just before and
          just after (C(person_id), C(person_name); empty at the window's edges).
      type: list
      elements: dict
    shifts:
      description:
        - The number of shifts in the window. A shift is a continuous stretch of one group on call; pieces the API
          returns back to back for the same group (cut at a request window's edge, or where a layer or an override
          begins) count once.
      type: int
    people:
      description: Each person of this schedule with C(person_id), C(person_name), C(hours) and C(shifts) in it.
      type: list
      elements: dict
    balance:
      description: The balance of this schedule's people, in the form of RV(balance).
      type: dict
overlaps:
  description:
    - Each stretch of time in which a person is on call in two or more schedules at once, with C(person_id),
      C(person_name), C(schedules) (C(schedule_id), C(schedule_name)), C(start), C(end), C(seconds), C(start_local),
      C(end_local).
  returned: success
  type: list
  elements: dict
persons:
  description:
    - Every person on call in the window, most hours first, with C(person_id), C(person_name), C(hours) (wall clock,
      overlapping schedules counted once), C(schedule_hours) (each schedule's hours added up), C(sleep_hours)
      (23:00 to 08:00 in O(time_zone)), C(weekend_hours) (Saturday and Sunday) and C(shifts).
  returned: success
  type: list
  elements: dict
  sample: [{person_id: 2476123212131, person_name: Li Na, hours: 84.0, schedule_hours: 96.0, sleep_hours: 31.5,
            weekend_hours: 24.0, shifts: 7}]
balance:
  description:
    - C(value), the mean over every pair of people of min(hours) / max(hours) (1.0 is even; null for fewer than two
      people), C(mean_hours), C(share) (O(overload_share)) and C(above_mean), the people whose hours exceed the
      mean by more than that share (C(person_id), C(person_name), C(hours)), most first.
  returned: success
  type: dict
  sample: {value: 0.82, mean_hours: 40.5, share: 0.25, above_mean: []}
summary:
  description: How many schedules, empty schedules, gaps and overlaps were found, and the mean coverage.
  returned: success
  type: dict
  sample: {schedules: 12, empty: 1, gaps: 4, overlaps: 2, covered_pct: 91.3}
findings:
  description: One line per finding of every kind (empty schedules, gaps, overlaps), whether or not O(fail_on) names it.
  returned: always
  type: list
  elements: str
truncated:
  description: True when a window's listing reached the API's 10,000 schedules per filter.
  returned: success
  type: bool
request_ids:
  description: The request ids of the calls made.
  returned: success
  type: list
  elements: str
rate_limit_wait:
  description:
    - Seconds the task waited for rate-limit slots (O(pacing)); waits of requests side by side count once.
    - Over 10 seconds, a warning also says so, naming the endpoints and their limits.
  returned: success
  type: float
  sample: 0.0
  version_added: 0.3.0
"""

from ansible_collections.flashcat.flashduty.plugins.module_utils.common import (
    concurrency_option,
    flashduty_module,
    run_module,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import selection_options
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule_health import FINDING_KINDS, run


def main():
    options = dict(
        selection_options(),
        start=dict(type="raw"),
        end=dict(type="raw"),
        min_gap=dict(type="raw", default=0),
        time_zone=dict(type="str", default="UTC"),
        overload_share=dict(type="float", default=0.25),
        fail_on=dict(type="list", elements="str", choices=list(FINDING_KINDS), default=[]),
        resolve_names=dict(type="bool", default=True),
        concurrency=concurrency_option(),
    )
    module = flashduty_module(options, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
