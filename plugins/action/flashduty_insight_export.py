# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The flashduty_insight_export module runs through the collection's action (plugin_utils/module_action.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.plugin_utils.module_action import ModuleAction


class ActionModule(ModuleAction):
    """The flashduty_insight_export module's action: its result stays off the screen when flashduty_show_results is false."""
