#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: flashduty_silence_rule_info
short_description: List the silence rules of one Flashduty channel, or of every channel
version_added: 0.3.0
description:
  - Lists silence rules (maintenance windows) through C(POST /channel/silence/rule/list), one request a channel.
  - With O(channel_id), that channel's rules. With O(channel_name), the channel of that exact name (every page of
    C(POST /channel/list) is read). With neither, the rules of every channel of the account.
  - Reading silence rules needs the C(Channels Read) permission; without it the task fails on one line saying so.
author:
  - Flashduty collection maintainers (@flashcat)
extends_documentation_fragment:
  - flashcat.flashduty.connection
  - flashcat.flashduty.connection.ACTIONGROUP
  - flashcat.flashduty.connection.READ_ONLY
  - ansible.builtin.action_common_attributes
options:
  channel_id:
    description:
      - Only the rules of this channel. Not together with O(channel_name).
    type: int
  channel_name:
    description:
      - Only the rules of the channel named exactly this (case, spaces and quotes included). No match fails with the
        closest names; two channels of that name fail with their ids.
    type: str
  rule_name:
    description:
      - Keep only the rules named exactly this.
    type: str
  concurrency:
    description:
      - Requests in flight at once when reading the channels' pages and the rules of every channel. Every request
        still waits for its slot under the account's rate limits (50 a second, 1,000 a minute).
    type: int
    default: 50
seealso:
  - module: flashcat.flashduty.flashduty_silence_rule
"""

EXAMPLES = r"""
- name: The silence rules of the checkout channel
  flashcat.flashduty.flashduty_silence_rule_info:
    channel_name: checkout
  register: checkout_rules

- name: Every rule of the account that is in effect now
  flashcat.flashduty.flashduty_silence_rule_info:
  register: all_rules

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.channel_name }}: {{ item.rule_name }}"
  loop: "{{ all_rules.rules | selectattr('is_effective') }}"
"""

RETURN = r"""
rules:
  description:
    - The rules, as the API returns them, channel by channel, with C(channel_name) added where it is known (the
      channel was given by name, or every channel was read).
    - C(time_filter) is a one-off window (Unix seconds), C(time_filters) recurring windows; C(status) is V(enabled)
      or V(disabled); C(is_effective) says whether the rule is in effect now.
  returned: success
  type: list
  elements: dict
  sample:
    - rule_id: 665f1c2e00a1b2c300000001
      channel_id: 1300000000
      channel_name: checkout
      rule_name: deploy-checkout
      priority: 0
      time_filter: {start_time: 1796300000, end_time: 1796307200}
      filters: [[{key: alert_severity, oper: IN, vals: [Critical]}]]
      is_directly_discard: false
      status: enabled
      is_effective: true
total:
  description: The number of rules returned.
  returned: success
  type: int
  sample: 1
channels:
  description: The number of channels whose rules were read.
  returned: success
  type: int
  sample: 1
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

from ansible_collections.flashcat.flashduty.plugins.module_utils.common import (
    concurrency_option,
    flashduty_module,
    run_module,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.silence_rules import run_info


def main():
    options = dict(
        channel_id=dict(type="int"),
        channel_name=dict(type="str"),
        rule_name=dict(type="str"),
        concurrency=concurrency_option(),
    )
    module = flashduty_module(options, supports_check_mode=True, mutually_exclusive=[("channel_id", "channel_name")])
    run_module(module, run_info)


if __name__ == "__main__":
    main()
