# -*- coding: utf-8 -*-
"""The collection's playbooks run on the controller whatever the inventory
says about localhost: no inventory,
``-i localhost,``, and an inventory file that lists localhost bare (which
would mean SSH and the system Python without the plays' own settings)."""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import pytest

from support import playbook_env

BIN = os.path.dirname(sys.executable)
INVENTORIES = ["none", "localhost,", "file"]


def inventory_args(kind, tmp_path):
    if kind == "none":
        return []
    if kind == "file":
        path = tmp_path / "hosts.ini"
        path.write_text("[reporting]\nlocalhost\n")
        return ["-i", str(path)]
    return ["-i", kind]


def ansible_playbook(args, env, cwd):
    return subprocess.run([os.path.join(BIN, "ansible-playbook")] + args, env=env, cwd=str(cwd),
                          capture_output=True, text=True, timeout=600, check=False)


# Every inventory shape with the light playbook, and the role's playbook, whose play starts the same way
# (hosts: localhost, connection: local, the controller's Python), with the inventory file that lists
# localhost bare. The molecule scenario's plays start the same way again; make molecule runs them with
# molecule's own inventory, which lists localhost bare too.
@pytest.mark.matrix
@pytest.mark.parametrize(
    "inventory,playbook,words",
    [(kind, "flashcat.flashduty.oncall_now", "schedules have someone on call") for kind in INVENTORIES]
    + [("file", "flashcat.flashduty.insight_report", "Files:")])
def test_playbooks_run_on_the_controller_with_any_inventory(sim, tmp_path, inventory, playbook, words):
    env = playbook_env(sim, tmp_path)
    # A system Python without requests would be picked by interpreter discovery.
    env["ANSIBLE_PYTHON_INTERPRETER"] = "auto_silent"
    args = [playbook, "-e", "insight_report_dir=%s" % (tmp_path / "report")] + inventory_args(inventory, tmp_path)
    run = ansible_playbook(args, env, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert words in run.stdout
    assert "UNREACHABLE" not in run.stdout and "ssh" not in run.stdout.lower()
    assert "skipping: no hosts matched" not in run.stdout
    assert sim.requests() and all(r["status"] == 200 for r in sim.requests())


# The audit of the coming days: it fails on the simulator's gaps and empty schedules with one line per
# finding and still prints its summary; with nothing to fail on it only reports.
@pytest.mark.matrix
@pytest.mark.parametrize("inventory", INVENTORIES)
def test_schedule_audit_fails_on_gaps_with_one_line_each_and_prints_the_summary(sim, tmp_path, inventory):
    env = playbook_env(sim, tmp_path)
    env["ANSIBLE_PYTHON_INTERPRETER"] = "auto_silent"
    sim.config(health_scenarios=True)
    args = ["flashcat.flashduty.schedule_audit", "-e", '{"audit_team_names": ["Payments, EU"]}'] + inventory_args(inventory,
                                                                                                        tmp_path)
    run = ansible_playbook(args, env, tmp_path)
    assert run.returncode == 2, run.stdout[-3000:] + run.stderr[-3000:]
    assert "findings of gaps, empty:" in run.stdout and "gap: schedule " in run.stdout
    assert "empty: schedule " in run.stdout and "schedules checked from" in run.stdout
    assert "UNREACHABLE" not in run.stdout and "ssh" not in run.stdout.lower()
    assert all(r["status"] == 200 for r in sim.requests())
    if inventory == "file":
        run = ansible_playbook(args + ["-e", '{"audit_fail_on": []}'], env, tmp_path)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "25 schedules checked from" in run.stdout and "NIGHTS" in run.stdout
