# -*- coding: utf-8 -*-
"""The collection's playbooks and the molecule scenario's plays run on the
controller whatever the inventory says about localhost: no inventory,
``-i localhost,``, and an inventory file that lists localhost bare (which
would mean SSH and the system Python without the plays' own settings)."""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import pytest

from support import ROOT, playbook_env

BIN = os.path.dirname(sys.executable)
INVENTORIES = ["none", "localhost,", "file"]
MOLECULE = os.path.join(ROOT, "roles", "insight_report", "molecule", "default")


def role_case(inventory, *values):
    """A case that runs the role, which is slow: on the lighter legs of the test matrix only with
    ``-i localhost,`` (the inventory that used to mean SSH); every shape in make unit and on the
    version the Makefile's MATRIX_FULL names."""
    if inventory == "localhost,":
        return (inventory,) + values if values else inventory
    return pytest.param(inventory, *values, marks=pytest.mark.extended)


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


@pytest.mark.parametrize(
    "inventory,playbook,words",
    [(kind, "flashcat.flashduty.oncall_now", "schedules have someone on call") for kind in INVENTORIES]
    + [role_case(kind, "flashcat.flashduty.insight_report", "Files:") for kind in INVENTORIES])
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


@pytest.mark.parametrize("inventory", [role_case(kind) for kind in INVENTORIES])
def test_the_molecule_scenarios_plays_run_with_any_inventory(sim, tmp_path, inventory):
    ephemeral = tmp_path / "molecule"
    ephemeral.mkdir()
    (ephemeral / "sim.url").write_text(sim.url)
    env = playbook_env(sim, tmp_path, MOLECULE_EPHEMERAL_DIRECTORY=str(ephemeral),
                       MOLECULE_PROJECT_DIRECTORY=os.path.join(ROOT, "roles", "insight_report"))
    for play in ("converge.yml", "verify.yml"):
        run = ansible_playbook([os.path.join(MOLECULE, play)] + inventory_args(inventory, tmp_path), env, tmp_path)
        assert run.returncode == 0, play + run.stdout[-3000:] + run.stderr[-3000:]
        assert "ok=" in run.stdout and "skipping: no hosts matched" not in run.stdout
    assert (ephemeral / "report" / "report.html").exists()
