#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: flashduty_schedule_info
short_description: List Flashduty on-call schedules, every page, with who is on call now and next
version_added: 0.1.0
description:
  - Lists the on-call schedules of a Flashduty account through C(POST /schedule/list).
  - Without O(page) it fetches every page, 100 schedules a request, several at a time (O(concurrency)), and
    de-duplicates them by id. It goes on while pages come back full, because the server's total is capped at
    1,000 (it means "1,000 or more") and so is never the reason to stop.
  - The API lets one filter reach only its first 10,000 schedules; when the last reachable page is still full the
    result is cut with RV(truncated=true) and a warning.
  - With O(start) and O(end) the server computes the on-call layers of that window; RV(oncall) then says who is on
    call now and next for each schedule.
  - Options are checked against the API's rules before anything is sent.
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
      - Only schedules of the teams with these names, merged with O(team_ids).
      - Names match exactly, case included, against every team of the account (C(POST /team/list)). A name that
        matches no team fails the task before anything else is sent, naming it and the closest existing names.
    type: list
    elements: str
    version_added: 0.2.0
  resolve_names:
    description:
      - Name the people on call and the teams in RV(oncall) (C(POST /person/infos) and C(POST /team/infos), 100
        distinct ids a request, each id asked once per run).
      - People the API no longer knows (deleted) keep their id with a null name. When a look-up fails after the
        retries, the listing still succeeds with ids only and one warning that says why.
    type: bool
    default: true
    version_added: 0.2.0
  start:
    description:
      - Start of the on-call window. Unix seconds, an ISO 8601 date (V(2026-05-01)) or date-time (naive means
        UTC), V(now), an offset from now such as V(-2h), V(+7d) or V(-1w), or V(today) (the last midnight, UTC)
        with an optional offset such as V(today-7d).
      - Goes together with O(end); the window must span less than 45 days.
      - Without a window the API computes no shifts, so RV(oncall) has C(current) and C(next) null for every
        schedule and RV(oncall_note) says so; to get who is on call, give for example O(start=now) and O(end=+1d).
    type: raw
  end:
    description:
      - End of the on-call window, in the same forms as O(start).
    type: raw
  page:
    description:
      - Fetch only this page (from 1) of O(limit) schedules. Without it, every page is fetched.
      - O(page) times O(limit) may not exceed 10,000.
    type: int
  limit:
    description:
      - Schedules per request, 1 to 100.
    type: int
    default: 100
  concurrency:
    description:
      - Requests in flight at once when fetching every page (and, with O(resolve_names), looking up names). Every
        request still waits for its slot under the account's rate limits, shared with other tasks and processes
        through the pacer, so this only hides network latency.
      - Page 1 is fetched alone first. When the server's total is exact (under 1,000) only the pages it announces
        are fetched; otherwise pages are fetched ahead and fewer than O(concurrency) requests past the last page
        are wasted. No page is asked O(concurrency) or more pages past the oldest one still unanswered.
      - V(1) fetches one page after the other. The default and the most is 50, the endpoint's per-second limit.
        Over a network with 150 ms round trips fewer in flight cannot send a second's worth of requests at
        once, and more would only wait longer. Lists past 1,000 schedules (whose count the server does not
        say) may cost up to 49 requests for empty pages past the end; a lower O(concurrency) wastes fewer.
    type: int
    default: 50
    version_added: 0.2.0
  return_schedules:
    description:
      - Return RV(schedules), the API's whole schedule objects.
      - V(false) leaves them out and keeps RV(total), RV(oncall) and RV(persons). A large account's schedules
        weigh about 1 KB each (some 12 MB for 10,000); Ansible scrubs every value of a result for secrets before
        it leaves the module, which alone costs about 2 s at that size, and the controller keeps the result in
        memory. Use V(false) when only who is on call matters.
    type: bool
    default: true
    version_added: 0.2.0
notes:
  - Offset paging is not a snapshot. Schedules created or deleted during the run can shift items between pages;
    duplicates are dropped, and a change of the server's total is reported as a warning.
  - Null list fields of the API (C(layers), C(schedule_layers), C(final_schedule.schedules),
    C(notify.webhooks), ...) are returned as empty lists.
seealso:
  - module: flashcat.flashduty.flashduty_insight_export
"""

EXAMPLES = r"""
# The module only talks to the API: run it on the controller, in a play that starts with
#   hosts: localhost
#   connection: local
#   gather_facts: false
#   vars:
#     ansible_python_interpreter: "{{ ansible_playbook_python }}"
# so that it runs the same with no inventory, -i localhost, or an inventory file.
- name: All schedules of two teams
  flashcat.flashduty.flashduty_schedule_info:
    app_key: "{{ flashduty_app_key }}"
    team_ids: [4295771902131, 4295771902132]
  register: team_schedules

- name: Who is on call now (and next), for every schedule
  flashcat.flashduty.flashduty_schedule_info:
    start: now
    end: +1d
  register: roster

- name: Print who is on call now, by name, for each schedule
  ansible.builtin.debug:
    msg: "{{ item.schedule_name }} ({{ item.team_name }}): {{ item.current.persons | map(attribute='person_name') | join(', ') }}"
  loop: "{{ roster.oncall | selectattr('current') }}"

- name: Schedules of two teams, by name
  flashcat.flashduty.flashduty_schedule_info:
    team_names: [SRE, Payments]
    start: now
    end: +1d
  register: by_team

- name: One week's roster of the schedule called exactly "primary"
  flashcat.flashduty.flashduty_schedule_info:
    name: primary
    start: "2026-11-23T00:00:00+08:00"
    end: "2026-11-30T00:00:00+08:00"
  register: week

- name: Set the key once for every module of the collection
  module_defaults:
    group/flashcat.flashduty.flashduty:
      app_key: "{{ vault_flashduty_app_key }}"
  block:
    - name: My team's schedules
      flashcat.flashduty.flashduty_schedule_info:
        is_my_team: true
"""

RETURN = r"""
schedules:
  description:
    - The schedules, as the API returns them, in the server's order, de-duplicated by id.
    - Null list fields are empty lists. With O(start)/O(end) they carry C(schedule_layers), C(final_schedule),
      C(cur_oncall) and C(next_oncall).
  returned: when O(return_schedules=true)
  type: list
  elements: dict
  sample:
    - schedule_id: 5789640530410
      schedule_name: primary
      team_id: 4291079133131
      description: Primary on-call
      status: 0
      disabled: 0
      layers: []
      cur_oncall: null
      next_oncall: null
total:
  description:
    - The number of distinct schedules read from every page (before O(name) filtering); with RV(truncated=true) a
      lower bound.
    - With O(page) set, the server's own figure, which is exact only below 1,000 (from 1,000 matches up the
      server answers 1000).
  returned: success
  type: int
  sample: 41
truncated:
  description:
    - True when the last page the API lets one filter reach (10,000 schedules) came back full, so more schedules
      may match than were returned.
  returned: success
  type: bool
  sample: false
oncall:
  description: One entry per returned schedule, for playbooks and templates.
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
      description: The id of the team that owns the schedule.
      type: int
    team_name:
      description: The team's name; null when O(resolve_names=false) or the team could not be looked up.
      type: str
      version_added: 0.2.0
    current:
      description:
        - The shift on call now, or null (no window given, or nobody on call).
        - C(start) and C(end) are Unix seconds; C(person_ids) are the ids of all members of the group, in order,
          without duplicates.
        - With O(resolve_names), C(persons) lists them in the same order as dictionaries with C(person_id),
          C(person_name) and C(email); both are null for a person the API does not return (deleted) or when the
          look-up failed.
      type: dict
      sample:
        start: 1763856000
        end: 1763942400
        group_name: Group A
        person_ids: [2476123212131]
        persons: [{person_id: 2476123212131, person_name: Li Na, email: li.na@example.com}]
    next:
      description: The next shift, in the same form as RV(oncall[].current), or null.
      type: dict
team_ids:
  description: The team filter that was sent, O(team_ids) and the ids of O(team_names); empty without a team filter.
  returned: success
  type: list
  elements: int
  sample: [4295771902131]
  version_added: 0.2.0
persons:
  description:
    - With O(resolve_names), everyone on call now, next, or in the computed shifts of the window, once each, with
      C(person_id), C(person_name) and C(email) (both null for a person the API does not return).
  returned: when O(resolve_names=true)
  type: list
  elements: dict
  sample: [{person_id: 2476123212131, person_name: Li Na, email: li.na@example.com}]
  version_added: 0.2.0
oncall_note:
  description:
    - Without O(start) and O(end), why C(current) and C(next) of RV(oncall) are null and how to get who is on
      call; null with a window.
  returned: success
  type: str
  sample: "no on-call window: current and next are null; give start and end (for example start: now, end: +1d) to get who is on call"
  version_added: 0.3.0
read_at:
  description:
    - When the schedules were read, in Unix seconds, which is the "now" of C(current) and C(next) in RV(oncall).
    - The server's clock (the C(Date) header of its answer to the listing); this host's when the answer has none.
  returned: success
  type: int
  sample: 1796313600
  version_added: 0.3.0
request_ids:
  description: The request ids of the calls made, to quote to Flashduty support.
  returned: success
  type: list
  elements: str
  sample: [01HK8XQE3Z7JM2NTFQ5YJ8P9R4]
rate_limit_wait:
  description:
    - Seconds the task waited for rate-limit slots (O(pacing)); waits of requests side by side count once.
    - Over 10 seconds, a warning also says so, naming the endpoints and their limits.
  returned: success
  type: float
  sample: 12.2
  version_added: 0.3.0
"""

from ansible_collections.flashcat.flashduty.plugins.module_utils.common import (
    concurrency_option,
    flashduty_module,
    run_module,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import SCHEDULE_LIST
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import run, selection_options


def main():
    options = dict(
        selection_options(),
        start=dict(type="raw"),
        end=dict(type="raw"),
        page=dict(type="int"),
        limit=dict(type="int", default=SCHEDULE_LIST.page_limit),
        concurrency=concurrency_option(),
        resolve_names=dict(type="bool", default=True),
        return_schedules=dict(type="bool", default=True),
    )
    module = flashduty_module(options, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
