# -*- coding: utf-8 -*-
"""What ansible-playbook prints at -v: the role's run stays readable (each task's line and its warnings, not the
modules' results and the report's facts, which run to megabytes for a large account); a failure still shows its
one-line message; a play's own ``register:`` of a module still gets the whole result, and a module's result is
printed at -v as ansible-core does unless ``flashduty_show_results`` is false (plugins/action/*,
plugins/plugin_utils/module_action.py)."""

from __future__ import absolute_import, division, print_function

import importlib
import json
import os

import pytest
import yaml

from support import ROOT, role_play

ROLE_TASKS = os.path.join(ROOT, "roles", "insight_report", "tasks", "main.yml")


def task_names(tasks):
    names = []
    for task in tasks:
        if "block" in task:
            names += task_names(task["block"] + task.get("rescue", []) + task.get("always", []))
        else:
            names.append(task["name"])
    return names


@pytest.mark.integration
def test_the_role_at_v_prints_each_task_and_its_warnings_in_under_50_kb(sim, playbook, tmp_path):
    # One export answers 429 first: the retry's warning must reach the screen.
    sim.faults({"kind": "rate_limit", "path": "/insight/team/export", "retry_after": 0})
    run = playbook(role_play(tmp_path / "report"), "-v")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout + run.stderr
    assert len(out.encode("utf-8")) < 50000, len(out)
    with open(ROLE_TASKS, encoding="utf-8") as handle:
        names = task_names(yaml.safe_load(handle))
    assert len(names) > 15
    missing = [name for name in names if "flashcat.flashduty.insight_report : %s]" % name not in out]
    assert missing == []
    assert "RequestTooFrequently" in out and "retry 1 of" in out
    # The data did not go away with the printing: the fact holds every schedule's roster.
    fact = json.loads((tmp_path / "report" / "fact.json").read_text())
    assert len(fact["oncall"]) > 100 and len(fact["teams"]) == 12


@pytest.mark.integration
def test_a_failing_module_in_the_role_shows_its_one_line_message_at_v(sim, playbook, tmp_path):
    sim.faults({"kind": "status", "status": 403, "code": "AccessDenied", "message": "no access to these teams",
                "path": "/schedule/list"})
    run = playbook(role_play(tmp_path / "report"), "-v")
    assert run.returncode == 2, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout + run.stderr
    assert "FAILED!" in out and "AccessDenied" in out and "no access to these teams" in out
    assert len(out.encode("utf-8")) < 20000, len(out)
    assert not (tmp_path / "report").exists()


PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Quiet read
      flashcat.flashduty.flashduty_schedule_info:
        start: now
        end: +1d
      vars:
        flashduty_show_results: false
      register: quiet
    - name: Loud read
      flashcat.flashduty.flashduty_schedule_info:
        team_ids: [4295771902131]
        start: now
        end: +1d
      register: loud
    - name: Count
      ansible.builtin.debug:
        msg: "quiet {{ quiet.schedules | length }} of {{ quiet.total }}, loud {{ loud.schedules | length }}"
"""


@pytest.mark.integration
def test_register_gets_the_whole_result_and_only_a_quiet_task_keeps_it_off_the_screen(sim, playbook):
    run = playbook(PLAY, "-v")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    quiet = run.stdout.split("TASK [Quiet read]")[1].split("TASK [")[0]
    loud = run.stdout.split("TASK [Loud read]")[1].split("TASK [")[0]
    assert quiet.strip("* \n") == "ok: [localhost]"
    assert '"schedules": [' in loud and '"schedule_name": ' in loud
    assert "quiet 300 of 300, loud 25" in run.stdout


@pytest.mark.integration
@pytest.mark.parametrize("value", ["{{ not_defined_anywhere }}", "perhaps"])
def test_an_unusable_show_results_costs_no_module_run_the_result_is_shown_with_a_warning(sim, playbook, value):
    # Read before the module runs: a write (a silence rule) made is never lost to a bad flag after it.
    play = PLAY.replace("flashduty_show_results: false", "flashduty_show_results: %s" % json.dumps(value))
    run = playbook(play, "-v")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    quiet = run.stdout.split("TASK [Quiet read]")[1].split("TASK [")[0]
    assert '"schedules": [' in quiet  # shown, as without the variable
    out = " ".join((run.stdout + run.stderr).split())
    assert "flashduty_show_results must be true or false" in out and "the result is shown" in out
    assert "quiet 300 of 300, loud 25" in run.stdout
    assert len(sim.requests("/schedule/list")) >= 2


def test_every_module_runs_through_the_collections_action():
    # An action file beside each module (plugins/action/<module>.py), or its result prints at -v in the role.
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.module_action import ModuleAction
    names = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", "modules"))
                   if name.startswith("flashduty_") and name.endswith(".py"))
    assert len(names) >= 6
    for name in names:
        action = importlib.import_module("ansible_collections.flashcat.flashduty.plugins.action." + name)
        assert issubclass(action.ActionModule, ModuleAction), name
