# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: oncall
short_description: Who is on call in Flashduty schedules, now or at any time
version_added: 0.3.0
author:
  - Flashduty collection maintainers (@flashcat)
description:
  - Returns one entry per person and schedule on call at O(at) (or in the next shift, O(shift=next)), read from the
    schedules' computed final schedule (C(final_schedule) of C(POST /schedule/list) for a window around O(at)), the
    shifts the server collapses across layers and overrides, not the rotation's configuration.
  - Runs on the controller, so it needs no inventory, connection or Python on the managed hosts.
  - Uses the modules' client, retries, pacing and name look-ups; the app key never appears in any output.
  - A schedule with nobody on call yields no entry and one warning naming it. A schedule name that matches no
    schedule fails, naming it and the closest names.
  - Connection options not given fall back to the environment variables the modules read (E(FLASHDUTY_APP_KEY),
    E(FLASHDUTY_BASE_URL), E(FLASHDUTY_PACING_DIR), E(FLASHDUTY_PACING_URL), E(FLASHDUTY_PACING_PASSWORD)).
  - Ansible evaluates a lookup each time a template that holds it is rendered (every loop item). What was read
    for a query is kept O(cache_ttl) seconds, so a loop of 50 items asks the API once, not 50 times.
extends_documentation_fragment:
  - flashcat.flashduty.connection
options:
  _terms:
    description:
      - Schedule names, matched exactly (case included), or schedule ids (whole numbers, or their digits as text).
      - Without terms, every schedule of O(team_names) and O(team_ids); no terms and no teams is an error.
      - With terms, O(team_names) and O(team_ids) narrow where the names are looked for.
    type: list
    elements: raw
  at:
    description:
      - When to ask about. Unix seconds, an ISO 8601 date-time (naive means UTC), V(now), or an offset from now
        such as V(+2h) or V(-1d), as the modules' times.
    type: raw
    default: now
  shift:
    description:
      - V(current) gives the people on call at O(at); V(next) those of the next shift with people after it
        (within 30 days).
    type: str
    choices: [current, next]
    default: current
  team_ids:
    description:
      - Every schedule of these teams when no terms are given; otherwise only names in these teams.
    type: list
    elements: int
  team_names:
    description:
      - As O(team_ids), by team name (exactly, case included). An unknown name fails naming the closest names.
    type: list
    elements: str
  time_zone:
    description:
      - IANA time zone of RV(_raw[].start_iso) and RV(_raw[].end_iso). UTC when not set.
    type: str
  cache_ttl:
    description:
      - Seconds to keep what was read for the same app key, server, terms and teams, in a file under
        O(pacing_dir) (named by a hash; the key is never written). The file holds the schedules' computed shifts
        and the names and email addresses of their people, readable by its owner only.
      - A cached answer is used only for an O(at) within this many seconds of the one it was read for; who is on
        call is worked out anew for each call.
      - V(0) turns the cache off.
    type: float
    default: 60
notes:
  - "The server computes shifts for a window from 14 days before O(at) to 30 days after it. Where it cuts a shift
    at the window's edges, a shift that began earlier shows that edge as its RV(_raw[].start)."
  - Back-to-back computed shifts of the same group and people are returned as one.
  - Schedule ids are found through a listing of every schedule (or those of the teams given) without a window,
    then each by its name; names cost one request each.
seealso:
  - module: flashcat.flashduty.flashduty_schedule_info
"""

EXAMPLES = r"""
- name: Who is on call now in two schedules
  ansible.builtin.debug:
    msg: "{{ query('flashcat.flashduty.oncall', 'SRE primary', 'Payments') }}"

- name: Only the on-call engineer may deploy
  ansible.builtin.assert:
    that: deployer in oncall_emails
    fail_msg: "{{ deployer }} is not on call in SRE primary; ask {{ oncall_emails | join(', ') }}"
  vars:
    deployer: "{{ lookup('ansible.builtin.env', 'DEPLOYER_EMAIL') }}"
    oncall_emails: "{{ query('flashcat.flashduty.oncall', 'SRE primary') | map(attribute='email') | list }}"

- name: Mail the people on call in the SRE team's schedules
  community.general.mail:
    to: "{{ query('flashcat.flashduty.oncall', team_names=['SRE']) | map(attribute='email') | select | unique | join(',') }}"
    subject: Maintenance tonight
    body: The database maintenance starts at 22:00.

- name: Assign the change ticket to whoever is on call when it starts
  ansible.builtin.set_fact:
    assignee: "{{ (query('flashcat.flashduty.oncall', 'SRE primary', at='2026-12-24T22:00:00+01:00') | first).person_name }}"

- name: Who takes over next
  ansible.builtin.debug:
    msg: "{{ query('flashcat.flashduty.oncall', 'SRE primary', shift='next', time_zone='Europe/Berlin') }}"
"""

RETURN = r"""
_raw:
  description: One entry per person and schedule, in the order of the terms (or of the teams' schedules).
  type: list
  elements: dict
  contains:
    person_id:
      description: The person's id.
      type: int
    person_name:
      description: The person's name; null when the API no longer knows the person or the look-up failed.
      type: str
    email:
      description: The person's email address; null as RV(_raw[].person_name).
      type: str
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
      description: The team's name; null when it could not be looked up.
      type: str
    group_name:
      description: The name of the on-call group of the shift.
      type: str
    role_ids:
      description: The role ids the person holds in that group.
      type: list
      elements: int
    start:
      description: Start of the shift, Unix seconds.
      type: int
    end:
      description: End of the shift, Unix seconds.
      type: int
    start_iso:
      description: Start of the shift, ISO 8601 with the offset of O(time_zone).
      type: str
    end_iso:
      description: End of the shift, ISO 8601 with the offset of O(time_zone).
      type: str
"""

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.flashcat.flashduty.plugins.module_utils.client import HAS_REQUESTS
from ansible_collections.flashcat.flashduty.plugins.module_utils.common import Task, connection_argument_spec
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import FlashdutyError
from ansible_collections.flashcat.flashduty.plugins.module_utils.redaction import Redactor
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.oncall_lookup import Query, lookup, with_environment

display = Display()


class _MissingLibrary(Exception):
    pass


def _missing_lib(msg, exc):
    raise _MissingLibrary(msg)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if not HAS_REQUESTS:
            raise AnsibleLookupError(missing_required_lib("requests"))
        kwargs = with_environment(kwargs)
        if not kwargs.get("app_key"):
            raise AnsibleLookupError("flashcat.flashduty.oncall: app_key: required; pass app_key= or set "
                                     "FLASHDUTY_APP_KEY in the controller's environment")
        try:
            self.set_options(var_options=variables, direct=kwargs)
        except AnsibleError as err:
            message = "%s" % err
        else:
            message = None
        if message is not None:
            redact = Redactor(*[kwargs.get(k) for k in ("app_key", "pacing_url", "pacing_password")])
            raise AnsibleLookupError("flashcat.flashduty.oncall: %s" % " ".join(redact(message).split()))
        params = dict((name, self.get_option(name)) for name in connection_argument_spec())
        task = Task(params, display.warning, _missing_lib)
        message = None
        try:
            query = Query(terms, team_ids=self.get_option("team_ids"), team_names=self.get_option("team_names"),
                          at=self.get_option("at"), shift=self.get_option("shift"),
                          time_zone=self.get_option("time_zone"))
            return lookup(task, query, self.get_option("cache_ttl"), display.warning)
        except FlashdutyError as err:
            err.redact(task.redact)
            message = str(err)
        except _MissingLibrary as err:
            message = str(err)
        except Exception as err:  # pylint: disable=broad-except
            message = "unexpected error: %s: %s" % (type(err).__name__, err)
        # Raised outside the handler, so that no exception (which may quote the request URL) rides along.
        raise AnsibleLookupError("flashcat.flashduty.oncall: %s" % task.one_line(message))
