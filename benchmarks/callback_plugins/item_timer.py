# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper: write the time each loop item finished, as JSON lines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: item_timer
type: aggregate
short_description: Time loop items (benchmarks only)
description:
  - Appends one JSON line per finished loop item to the file named by E(ITEM_TIMER_FILE).
options: {}
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "item_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.path = os.environ.get("ITEM_TIMER_FILE")
        self.task = None
        self.task_start = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.task = task.get_name()
        self.task_start = time.time()

    def v2_runner_item_on_ok(self, result):
        if self.path:
            with open(self.path, "a") as handle:
                handle.write(json.dumps({"task": self.task, "t": time.time(), "task_start": self.task_start}) + "\n")
