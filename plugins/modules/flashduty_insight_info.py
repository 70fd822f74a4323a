#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: flashduty_insight_info
short_description: Insight by team, responder or channel from the Flashduty JSON insight endpoints, with totals
version_added: 0.3.0
description:
  - Reads insight metrics (incidents, acknowledgements, interruptions, engaged time, MTTA, MTTR, ...) per team
    (C(POST /insight/team)), per responder (C(POST /insight/responder)) or per channel (C(POST /insight/channel)),
    as the API's typed JSON items.
  - The filters and their rules are those of M(flashcat.flashduty.flashduty_insight_export) (one definition), checked
    before anything is sent, with a message that names the option.
  - Adds RV(totals) per team, responder or channel. A mean over several items is weighted by the counts it is a
    mean of (MTTA = the seconds to acknowledge of all items / all acknowledged incidents), never a mean of means.
  - These endpoints allow 50 requests a second and 1,000 a minute (the CSV exports 1 a second and 10 a minute).
author:
  - Flashduty collection maintainers (@flashcat)
extends_documentation_fragment:
  - flashcat.flashduty.connection
  - flashcat.flashduty.connection.ACTIONGROUP
  - flashcat.flashduty.connection.READ_ONLY
  - flashcat.flashduty.insight
  - ansible.builtin.action_common_attributes
options:
  dimension:
    description:
      - What one item is about. V(team), V(responder) (a person, by person id) or V(channel).
      - Responder items carry the responder's subset of the metrics (incidents, acknowledged, escalated and its
        kinds, reassigned, interruptions, notifications, engaged seconds, seconds to acknowledge, MTTA,
        acknowledgement percentage).
    type: str
    choices: [team, responder, channel]
    default: team
  split_range:
    description:
      - With O(aggregate_unit), cut a range longer than one request may cover (31 days for V(day), one year
        otherwise) into consecutive windows aligned to bucket boundaries in O(time_zone) (UTC when not set) and
        ask each; RV(records) holds the items of every window.
      - Without O(aggregate_unit) a range that is too long is an error, since how the server counts an incident
        that spans two windows is not documented.
    type: bool
    default: true
notes:
  - Any field of an item may be missing when it has no value (the vendor's reference). RV(records) are returned as
    they came; in RV(totals) a field that no item carries is null, never 0, and a mean whose weight is unknown is
    null, never a guess.
  - Data can lag about one hour behind real time.
seealso:
  - module: flashcat.flashduty.flashduty_insight_export
"""

EXAMPLES = r"""
- name: Who was woken most last month, per person
  flashcat.flashduty.flashduty_insight_info:
    dimension: responder
    start_time: -30d
    end_time: now
    team_names: [SRE]
    split_hours: true
    time_zone: Europe/Berlin
  register: people

- name: Interruptions in sleep hours, per person
  ansible.builtin.debug:
    msg: "{{ item.responder_name | default('(deleted)', true) }}: {{ item.by_hours.sleep.total_interruptions | default(0, true) }}"
  loop: "{{ people.totals }}"

- name: A quarter by day, per channel, in three requests
  flashcat.flashduty.flashduty_insight_info:
    dimension: channel
    start_time: "2026-07-01T00:00:00"
    end_time: "2026-09-29T00:00:00"
    aggregate_unit: day
    time_zone: UTC
  register: channels
"""

RETURN = r"""
dimension:
  description: The O(dimension) asked.
  returned: always
  type: str
  sample: responder
records:
  description:
    - The API's items of every window, as it gave them (C(data.items) of each answer; named C(records) here
      because C(result.items) is a method in Jinja2) (typed; a field without a value may be missing).
    - Each may carry C(ts) (the bucket start, Unix seconds, with O(aggregate_unit)), C(hours) (C(work), C(sleep),
      C(off), with O(split_hours)), the dimension's id and name (C(team_id)/C(team_name),
      C(responder_id)/C(responder_name), C(channel_id)/C(channel_name)), integer counts such as
      C(total_incident_cnt), C(total_interruptions), C(total_seconds_to_ack), and the numbers
      C(mean_seconds_to_ack), C(mean_seconds_to_close), C(noise_reduction_pct), C(acknowledgement_pct).
  returned: always
  type: list
  elements: dict
  sample: [{"responder_id": 2476123212131, "responder_name": "Li Na", "ts": 1782864000, "hours": "sleep",
            "total_incident_cnt": 4, "total_incidents_acknowledged": 3, "total_interruptions": 5,
            "total_seconds_to_ack": 930, "mean_seconds_to_ack": 310.0, "acknowledgement_pct": 75.0}]
totals:
  description:
    - One entry per team, responder or channel, in the order they first appear in RV(records).
    - The dimension's id and name (null when no item names it, as for a deleted person), C(records) (how many
      records it adds up), every count summed (C(total_incident_cnt), C(total_interruptions), C(total_seconds_to_ack),
      ...), C(mean_seconds_to_ack) = sum of C(total_seconds_to_ack) / sum of C(total_incidents_acknowledged),
      C(mean_seconds_to_close) likewise over the closed incidents, C(acknowledgement_pct) = 100 * acknowledged /
      incidents, and C(noise_reduction_pct) only when one item carries it (its denominator is not documented).
    - A field that no item carries is null. With O(split_hours), C(by_hours) has the same totals for C(work),
      C(sleep) and C(off).
  returned: always
  type: list
  elements: dict
  sample: [{"responder_id": 2476123212131, "responder_name": "Li Na", "records": 3, "total_incident_cnt": 12,
            "total_interruptions": 9, "mean_seconds_to_ack": 287.5, "acknowledgement_pct": 83.3,
            "by_hours": {"sleep": {"total_interruptions": 5}}}]
windows:
  description: The C([start, end]) pairs (Unix seconds) asked, one per request.
  returned: always
  type: list
  elements: list
  sample: [[1782864000, 1785542400]]
team_ids:
  description: The team filter that was sent, O(team_ids) and the ids of O(team_names); empty without one.
  returned: always
  type: list
  elements: int
  sample: [4295771902131]
aggregate_unit:
  description: The O(aggregate_unit) sent, or null without time buckets.
  returned: always
  type: str
  sample: day
request_ids:
  description: The request ids of the calls made.
  returned: always
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

from ansible_collections.flashcat.flashduty.plugins.module_utils.common import flashduty_module, run_module
from ansible_collections.flashcat.flashduty.plugins.module_utils.insight import filter_options
from ansible_collections.flashcat.flashduty.plugins.module_utils.insight_info import run
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import DIMENSIONS


def main():
    options = filter_options()
    options.update(
        dimension=dict(type="str", choices=DIMENSIONS, default="team"),
        split_range=dict(type="bool", default=True),
    )
    module = flashduty_module(options, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
