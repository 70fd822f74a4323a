# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Which schedules a task reads: the filters of POST /schedule/list that every schedule module takes
    # (module_utils/schedule.py, selection_options()). O(team_names) stays in each module's own docs.
    DOCUMENTATION = r"""
options:
  query:
    description:
      - The server's search keyword, matched loosely against schedule names.
      - When only O(name) is given, O(name) is sent as the query to cut traffic.
    type: str
  name:
    description:
      - Keep only the schedules whose name equals this exactly (the server's search is fuzzy).
    type: str
  team_ids:
    description:
      - Only schedules of these teams.
    type: list
    elements: int
  is_my_team:
    description:
      - Only schedules of the teams the app key's owner belongs to. Not together with O(is_my_manage).
    type: bool
  is_my_manage:
    description:
      - Only schedules the app key's owner created in their teams. Not together with O(is_my_team).
    type: bool
"""
