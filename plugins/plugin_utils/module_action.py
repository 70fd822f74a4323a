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

The variable is read before the module runs, so that a value that is not a
boolean (or a template that fails) never costs a module's result, nor a
write it made: the result is then shown, with a warning. A task with
``async`` is polled by ansible-core outside the action, so its final result
is printed as ever.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.utils.display import Display

display = Display()

SHOW_RESULTS = "flashduty_show_results"


class ModuleAction(NormalAction):
    """Ansible's normal action; the result is not printed when ``flashduty_show_results`` is false."""

    def run(self, tmp=None, task_vars=None):
        show, problem = self._show_results(task_vars or {})
        if problem:
            # Said on the controller's display: a result's warnings take a structured form from
            # ansible-core 2.19 on, which a text added here would break.
            display.warning(problem)
        result = super(ModuleAction, self).run(tmp, task_vars)
        if not show:
            result["_ansible_verbose_override"] = True
        return result

    def _show_results(self, task_vars):
        """``(show, warning)``: whether to print the result, and why it is printed when the variable is unusable."""
        # The value may be a template (a role sets it from its own variable), or text from -e.
        try:
            value = self._templar.template(task_vars.get(SHOW_RESULTS, True))
            return boolean(value, strict=True), None
        except Exception as exc:  # pylint: disable=broad-except
            # Undefined, a failing template, a list: never worth a module run. Only the error's kind is
            # named, never its text, which may quote the value (it could be anything, a key too).
            return True, "%s must be true or false (%s); the result is shown" % (SHOW_RESULTS, type(exc).__name__)
