#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: flashduty_silence_rule
short_description: Create, change, enable, disable or delete a Flashduty silence rule (a maintenance window)
version_added: 0.3.0
description:
  - Manages one silence rule of a Flashduty channel as declarative state. Alerts of the channel that match the rule's
    filters during its window are silenced (or, with O(discard), dropped).
  - The rule is identified by its channel and O(rule_name). The module reads the channel's rules, compares the wanted
    rule with the one the API holds, field by field, and sends only the calls needed (create, update, enable,
    disable, delete). A second run with the same options reports C(changed=false) and sends no write.
  - An update sends the whole rule (the API has no partial update); options left out keep the rule's current values.
  - Writes are never repeated blindly. After a timeout or a server error on create, the module reads the channel's
    rules before trying again, so the rule is never made twice. Any other write that fails that way fails the task
    and says that the server may have done it; running the task again reads the rule first and sends only what is
    still needed.
  - Every write needs the app key's owner to have the C(Channels Manage) permission; without it the task fails on one
    line saying so, before anything is changed.
author:
  - Flashduty collection maintainers (@flashcat)
extends_documentation_fragment:
  - flashcat.flashduty.connection
  - flashcat.flashduty.connection.ACTIONGROUP
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the channel and its rules, predicts RV(changed) and RV(calls), and sends no write.
  diff_mode:
    support: full
    details: Shows the rule before and after, in the form of the options (an absent rule is an empty dictionary).
  platform:
    platforms: posix
options:
  state:
    description:
      - V(present) makes the rule exist as described; V(absent) deletes it (nothing happens when there is none).
    type: str
    choices: [present, absent]
    default: present
  channel_id:
    description:
      - The id of the channel the rule belongs to. Exactly one of O(channel_id) and O(channel_name).
    type: int
  channel_name:
    description:
      - The channel's name, matched exactly (case, spaces and quotes included) against every channel of the account
        (C(POST /channel/list), every page). No match fails with the closest names; two channels of that name fail
        with their ids.
    type: str
  rule_name:
    description:
      - The rule's name, 1 to 39 characters. It identifies the rule within its channel; when two rules of the channel
        carry it, the task fails and lists both ids.
    type: str
    required: true
  enabled:
    description:
      - Whether the rule is enabled. A change is its own call (enable or disable), not an update.
    type: bool
    default: true
  description:
    description:
      - The rule's description, at most 500 characters. Left out, the current one stays (empty for a new rule).
    type: str
  priority:
    description:
      - The rule's priority; lower is evaluated first. Left out, the current one stays (0 for a new rule).
    type: int
  discard:
    description:
      - Drop the matching alerts instead of silencing them (the API's C(is_directly_discard)). Left out, the
        current setting stays (V(false) for a new rule).
    type: bool
  start:
    description:
      - Start of a one-off window. Unix seconds, an ISO 8601 date-time (naive means UTC), V(now), V(today) or an
        offset from now such as V(+30m). Goes with O(end) or O(duration); not together with O(windows).
      - A window given relative to the run (V(now), V(+1h), V(today), in O(start) or O(end)) is worked out when the
        rule is created. While that window has not ended, later runs keep it as it is and report no change, so running
        a deploy play twice neither moves nor stretches the window. Once it has ended, the next run sets a new window
        from that run's time (an update). To move or stretch a window that is still running, give absolute times.
      - Absolute times are compared as they are; a different time is an update.
    type: raw
  end:
    description:
      - End of the one-off window, in the forms of O(start); after O(start).
    type: raw
  duration:
    description:
      - Length of the one-off window instead of O(end), in seconds or as V(90m), V(2h), V(1d12h) (units s, m, h, d,
        w). The window still ends by itself if the play dies before it deletes the rule.
    type: raw
  windows:
    description:
      - Recurring windows instead of a one-off window (the API's C(time_filters)). The rule is in effect in any of
        them.
    type: list
    elements: dict
    suboptions:
      start:
        description:
          - Start of the window each day, V(HH:MM). Quote it. YAML 1.1 reads an unquoted V(22:30) as the number
            1350 (base 60); such a number is read back as the time it came from.
        type: raw
        required: true
      end:
        description: End of the window, V(HH:MM), after O(windows[].start) (split a window over midnight in two).
        type: raw
        required: true
      weekdays:
        description: The days it applies, 0 = Sunday to 6 = Saturday. Empty or left out means every day.
        type: list
        elements: int
      calendar_id:
        description: The id of a Flashduty calendar the window follows.
        type: str
      is_off:
        description: With O(windows[].calendar_id), match the calendar's days off.
        type: bool
        default: false
  filters:
    description:
      - The alerts the rule applies to, as the API has them. An OR of AND groups. Each group is a list of conditions,
        each a dictionary of C(key), C(oper) and C(vals). C(key) is an alert field (C(alert_severity), C(alert_key), C(check), C(resource),
        C(service), C(cluster), ...) or C(labels.<name>). C(oper) is C(IN) (the default) or C(NOTIN). C(vals) is a
        list of texts; a value wrapped in slashes (V(/pattern/)) is a regular expression.
      - The values of C(alert_severity) are V(Critical), V(Warning), V(Info) and V(Ok), case included; any other
        (V(critical)) fails before anything is sent, since the rule would silence nothing.
      - Groups, conditions and values are compared as sets, so their order never makes a change.
      - Not together with O(match). Needed (one of them) to create a rule; left out, the current filter stays.
    type: list
    elements: list
  match:
    description:
      - "The short form of O(filters) for one AND group of C(IN) conditions. For example
        C({alert_severity: [Critical], labels.service: [checkout]}) silences critical alerts of the checkout service.
        A single value needs no list."
    type: dict
notes:
  - The API reference does not say in which time zone the C(HH:MM) of O(windows) are read (most likely the
    account's); check a rule in the web console before relying on it.
  - The API's C(from_incident_id) of an existing rule is kept on update.
  - A rule made by someone else with the same name in the same channel is taken as this rule.
seealso:
  - module: flashcat.flashduty.flashduty_silence_rule_info
"""

EXAMPLES = r"""
- name: Silence the checkout channel's critical alerts for the deploy (2 hours at most)
  flashcat.flashduty.flashduty_silence_rule:
    channel_name: checkout
    rule_name: deploy-checkout
    description: Release {{ release_version }}
    start: now
    duration: 2h
    match:
      alert_severity: [Critical, Warning]
      labels.service: checkout
  register: quiet

- name: Remove it when the deploy is done
  flashcat.flashduty.flashduty_silence_rule:
    channel_id: "{{ quiet.channel_id }}"
    rule_name: deploy-checkout
    state: absent

- name: Every weekday night, drop the batch cluster's warnings
  flashcat.flashduty.flashduty_silence_rule:
    channel_id: 1300000000
    rule_name: nightly-batch
    discard: true
    windows:
      - start: "01:00"
        end: "05:30"
        weekdays: [1, 2, 3, 4, 5]
    filters:
      - - key: cluster
          oper: IN
          vals: [batch-1, "/batch-[0-9]+/"]
        - key: alert_severity
          oper: NOTIN
          vals: [Critical]

- name: Pause the rule without deleting it
  flashcat.flashduty.flashduty_silence_rule:
    channel_id: 1300000000
    rule_name: nightly-batch
    enabled: false
"""

RETURN = r"""
changed:
  description: Whether a write was sent (in check mode, whether one would be).
  returned: always
  type: bool
calls:
  description: The calls sent (in check mode, that would be sent), in order, of V(create), V(update), V(enable),
    V(disable) and V(delete).
  returned: success
  type: list
  elements: str
  sample: [create]
rule_id:
  description: The rule's id (24 hexadecimal digits); for O(state=absent) the id of the rule deleted. Null when there
    is no rule, and in check mode for a rule that would be created.
  returned: success
  type: str
  sample: 665f1c2e00a1b2c300000001
status:
  description: V(enabled), V(disabled), or V(absent).
  returned: success
  type: str
  sample: enabled
is_effective:
  description: Whether the rule is in effect now, as the API says. Null in check mode when the rule would change.
  returned: success
  type: bool
  sample: true
rule:
  description: The rule as the API holds it after the run (null when there is none, and in check mode when it would
    change).
  returned: success
  type: dict
channel_id:
  description: The channel's id.
  returned: success
  type: int
  sample: 1300000000
channel_name:
  description: The channel's name, when it was given by name; null otherwise.
  returned: success
  type: str
request_ids:
  description: The request ids of the calls made, to quote to Flashduty support.
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

from ansible_collections.flashcat.flashduty.plugins.module_utils.common import flashduty_module, run_module
from ansible_collections.flashcat.flashduty.plugins.module_utils.silence_rule import run


def main():
    options = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        channel_id=dict(type="int"),
        channel_name=dict(type="str"),
        rule_name=dict(type="str", required=True),
        enabled=dict(type="bool", default=True),
        description=dict(type="str"),
        priority=dict(type="int"),
        discard=dict(type="bool"),
        start=dict(type="raw"),
        end=dict(type="raw"),
        duration=dict(type="raw"),
        windows=dict(type="list", elements="dict", options=dict(
            start=dict(type="raw", required=True),
            end=dict(type="raw", required=True),
            weekdays=dict(type="list", elements="int"),
            calendar_id=dict(type="str"),
            is_off=dict(type="bool", default=False),
        )),
        filters=dict(type="list", elements="list"),
        match=dict(type="dict"),
    )
    module = flashduty_module(
        options, supports_check_mode=True,
        mutually_exclusive=[("channel_id", "channel_name"), ("start", "windows"), ("end", "duration"),
                            ("filters", "match")],
        required_one_of=[("channel_id", "channel_name")],
        required_by={"end": "start", "duration": "start"},
    )
    run_module(module, run)


if __name__ == "__main__":
    main()
