# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The insight filter envelope: the same options, and the same rules, for the JSON insight
    # endpoints and every insight export (module_utils/insight.py, filter_options()).
    DOCUMENTATION = r"""
options:
  start_time:
    description:
      - Start of the range. Unix seconds, an ISO 8601 date (V(2026-05-01)) or date-time (naive means UTC),
        V(now), an offset from now such as V(-7d), or V(today) (the last midnight in O(time_zone), UTC when not
        set) with an optional offset such as V(today-7d). Sent as Unix seconds; must be greater than 0.
    type: raw
    required: true
  end_time:
    description:
      - End of the range, in the same forms as O(start_time); after it, and at most one year later.
    type: raw
    required: true
  team_ids:
    description: Only these teams (at most 100).
    type: list
    elements: int
  team_names:
    description:
      - Only these teams, by name, merged with O(team_ids) (at most 100 teams in all).
      - Names match exactly, case included, against every team of the account (C(POST /team/list)). A name that
        matches no team fails the task before anything else is sent, naming it and the closest existing names;
        in check mode too.
    type: list
    elements: str
    version_added: 0.2.0
  channel_ids:
    description: Only incidents of these channels (at most 100).
    type: list
    elements: int
  responder_ids:
    description: Only incidents of these responders (person ids, at most 100).
    type: list
    elements: int
  severities:
    description: Only incidents of these severities (at most 3).
    type: list
    elements: str
    choices: [Critical, Warning, Info, Ok]
  incident_ids:
    description: Only these incidents (24 hexadecimal digits each, at most 100).
    type: list
    elements: str
  query:
    description: Full-text query on incident title and description.
    type: str
  labels:
    description: Label filters, exact match.
    type: dict
  fields:
    description: Custom-field filters, exact match.
    type: dict
  orderby:
    description: Field to sort the underlying incidents by.
    type: str
    choices: [created_at]
  asc:
    description: Sort ascending.
    type: bool
  is_my_team:
    description: Only the teams the app key's owner belongs to.
    type: bool
  time_zone:
    description:
      - IANA time zone name (for example V(Asia/Shanghai)) the server interprets the range and buckets in.
      - When not set the server picks its default, so reports that must be reproducible should set it.
    type: str
  seconds_to_close_from:
    description: Lower bound (inclusive) on time to close, in seconds.
    type: int
  seconds_to_close_to:
    description: Upper bound (exclusive) on time to close; greater than O(seconds_to_close_from).
    type: int
  seconds_to_ack_from:
    description: Lower bound (inclusive) on time to acknowledge, in seconds.
    type: int
  seconds_to_ack_to:
    description: Upper bound (exclusive) on time to acknowledge; greater than O(seconds_to_ack_from).
    type: int
  split_hours:
    description: Split metrics into work, sleep and off hour buckets (one row per bucket).
    type: bool
  aggregate_unit:
    description:
      - One row (item) per dimension value and time bucket. The range must cover at least 24 hours; V(day) allows at most 31 days.
    type: str
    choices: [day, week, month]
"""
