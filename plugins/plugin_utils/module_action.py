# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action the collection's modules run through: Ansible's own (``normal``),
which also keeps a result off the screen when ``flashduty_show_results`` is
false.

A module's result runs to megabytes for a large account, and ansible-core
prints it whole from ``-v`` on. With the variable false the task's line
(``ok:``, ``changed:``) and its warnings are printed, the result is not (as
ansible-core does for gathered facts, ``_ansible_verbose_override``); a
``register:`` still gets all of it, and a failure is printed whole as ever.
The insight_report role and the playbooks that read much set it false.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action.normal import ActionModule as NormalAction

SHOW_RESULTS = "flashduty_show_results"


class ModuleAction(NormalAction):
    """Ansible's normal action; the result is not printed when ``flashduty_show_results`` is false."""

    def run(self, tmp=None, task_vars=None):
        result = super(ModuleAction, self).run(tmp, task_vars)
        if not self._show_results(task_vars or {}):
            result["_ansible_verbose_override"] = True
        return result

    def _show_results(self, task_vars):
        # The value may be a template (a role sets it from its own variable), or text from -e.
        value = self._templar.template(task_vars.get(SHOW_RESULTS, True))
        return boolean(value, strict=False)
