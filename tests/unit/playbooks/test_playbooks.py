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


def matrix_one(kinds, kind):
    """The parameters, with only ``kind`` run on the older ansible-core legs (make test-matrix): the other
    inventory shapes have their matrix run in test_playbooks_run_on_the_controller_with_any_inventory."""
    return [pytest.param(k, marks=pytest.mark.matrix) if k == kind else k for k in kinds]


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
@pytest.mark.integration
@pytest.mark.parametrize(
    "inventory,playbook,words",
    [pytest.param(kind, "flashcat.flashduty.oncall_now", "schedules have someone on call", marks=pytest.mark.matrix)
     for kind in INVENTORIES]
    + [("file", "flashcat.flashduty.insight_report", "Files:")])
def test_playbooks_run_on_the_controller_with_any_inventory(sim, tmp_path, inventory, playbook, words):
    if playbook.endswith("insight_report"):
        sim.config(teams=2, schedules=4)  # what is shown here is the play's start, not the report's size
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


# The quiet deploy: the silence rule is in effect during the deploy and gone afterwards, also when the deploy
# fails (block/always).
@pytest.mark.integration
@pytest.mark.parametrize("inventory,command,code", [(kind, "true", 0) for kind in INVENTORIES]
                         + [pytest.param("none", "false", 2, marks=pytest.mark.matrix)])
def test_quiet_deploy_silences_the_channel_and_always_removes_the_rule(sim, tmp_path, inventory, command, code):
    env = playbook_env(sim, tmp_path)
    env["ANSIBLE_PYTHON_INTERPRETER"] = "auto_silent"
    args = ["flashcat.flashduty.quiet_deploy", "-e", '{"quiet_channel_name": "Payments \\"EU\\"", '
            '"quiet_deploy_command": "%s"}' % command] + inventory_args(inventory, tmp_path)
    run = ansible_playbook(args, env, tmp_path)
    assert run.returncode == code, run.stdout[-3000:] + run.stderr[-3000:]
    assert "in effect now: True" in run.stdout
    writes = [r["path"].rsplit("/", 1)[1] for r in sim.requests() if "/silence/rule/" in r["path"]
              and not r["path"].endswith("/list")]
    assert writes == ["create", "delete"]
    assert [rule for account in sim.sim.rules.values() for rule in account] == []
    (create,) = sim.requests("/channel/silence/rule/create")
    window = create["body"]["time_filter"]
    assert window["end_time"] - window["start_time"] == 3600


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOCS = ["README.md", os.path.join("roles", "insight_report", "README.md")] + [
    os.path.join("docs", name) for name in sorted(os.listdir(os.path.join(ROOT, "docs"))) if name.endswith(".md")]


def yaml_blocks(path):
    import re
    with open(os.path.join(ROOT, path)) as handle:
        return re.findall(r"```yaml\n(.*?)```", handle.read(), re.S)


def plays_in_docs():
    import yaml
    plays = []
    for path in DOCS:
        for block in yaml_blocks(path):
            data = yaml.safe_load(block)
            if isinstance(data, list):
                plays += [(path, play) for play in data if isinstance(play, dict) and "hosts" in play]
    return plays


def runs_a_module_or_the_role(play):
    """Does the play run one of the collection's modules or its role (which need the controller's Python)?
    A play that only evaluates the oncall lookup needs no connection at all, on any host."""
    import json
    text = json.dumps(play)
    return any(word in text for word in ("flashcat.flashduty.flashduty_", "group/flashcat.flashduty.flashduty",
                                         "flashcat.flashduty.insight_report"))


def test_every_play_in_the_docs_runs_on_the_controller_with_its_python():
    plays = [(path, play) for path, play in plays_in_docs() if runs_a_module_or_the_role(play)]
    assert len(plays) >= 4, plays  # README (2), the role's README, docs/awx.md
    for path, play in plays:
        assert play["hosts"] == "localhost" and play.get("connection") == "local", (path, play)
        assert play.get("gather_facts") is False, (path, play)
        assert play.get("vars", {}).get("ansible_python_interpreter") == "{{ ansible_playbook_python }}", (path, play)


def test_every_module_example_says_how_its_play_starts():
    from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export, flashduty_schedule_info
    for module in (flashduty_insight_export, flashduty_schedule_info):
        for words in ("connection: local", 'ansible_python_interpreter: "{{ ansible_playbook_python }}"'):
            assert words in module.EXAMPLES, (module.__name__, words)


@pytest.mark.integration
@pytest.mark.parametrize("inventory", matrix_one(INVENTORIES, "localhost,"))
def test_the_readmes_first_playbook_runs_as_written_under_any_inventory(sim, tmp_path, inventory):
    (block,) = [b for b in yaml_blocks("README.md") if b.startswith("# first.yml")]
    (tmp_path / "first.yml").write_text(block)
    env = playbook_env(sim, tmp_path)
    # Interpreter discovery would pick a system Python without requests.
    env["ANSIBLE_PYTHON_INTERPRETER"] = "auto_silent"
    run = ansible_playbook(["first.yml"] + inventory_args(inventory, tmp_path), env, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "ok=2" in run.stdout and "-oncall-00" in run.stdout and "(item=" in run.stdout
    assert "UNREACHABLE" not in run.stdout and "skipping: no hosts matched" not in run.stdout


@pytest.mark.integration
@pytest.mark.matrix
def test_without_the_controllers_python_a_missing_requests_names_the_interpreter_and_what_to_set(sim, tmp_path):
    import shutil
    system = shutil.which("python3", path="/usr/bin:/bin")
    probe = subprocess.run([system, "-c", "import requests"], capture_output=True, check=False) if system else None
    if probe is None or probe.returncode == 0:
        pytest.skip("needs a system python3 without requests")
    play = ("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
            "    - flashcat.flashduty.flashduty_schedule_info:\n        return_schedules: false\n")
    (tmp_path / "bare.yml").write_text(play)
    env = playbook_env(sim, tmp_path)
    env["ANSIBLE_PYTHON_INTERPRETER"] = system
    run = ansible_playbook(["bare.yml", "-i", "localhost,"], env, tmp_path)
    assert run.returncode != 0
    assert "Failed to import the required Python library (requests)" in run.stdout
    assert "install requests for %s" % system in run.stdout
    assert 'ansible_python_interpreter: \\"{{ ansible_playbook_python }}\\"' in run.stdout, run.stdout[-2000:]
    assert sim.requests() == []


SUMMARY_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    flashduty_demo: true
    flashduty_insight_report:
      period: {start: 1779062400, end: 1779667200, time_zone: UTC}
      files: {team_insight_csv: /r/team_insight.csv, report_html: /r/report.html}
      teams:
        - {team_name: SRE, incidents: 463, mtta_seconds: 1933, mttr_seconds: 1711, acknowledgement_pct: 85.1}
        - {team_name: "\\u8fd0\\u7ef4\\u56e2\\u961f", incidents: 391, mtta_seconds: 2391, mttr_seconds: 1723,
           acknowledgement_pct: 78.5}
        - {team_name: "\\u00c9quipe Donne\\u0301es", incidents: 7, mtta_seconds: null, mttr_seconds: null,
           acknowledgement_pct: null}
  tasks:
    - name: Render the demo's summary
      ansible.builtin.copy:
        content: "{{ lookup('ansible.builtin.template', '%s') }}"
        dest: "%s"
        mode: "0644"
"""


@pytest.mark.integration
@pytest.mark.matrix
def test_the_demo_summary_aligns_wide_characters_and_ends_with_the_next_step(sim, tmp_path):
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.report_format import display_width
    template = os.path.join(ROOT, "playbooks", "templates", "report_summary.j2")
    out = tmp_path / "summary.txt"
    (tmp_path / "summary.yml").write_text(SUMMARY_PLAY % (template, out))
    run = ansible_playbook(["summary.yml"], playbook_env(sim, tmp_path), tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    teams = [line for line in lines if " incidents " in line]
    assert [t.split()[0] for t in teams] == ["SRE", u"运维团队", u"Équipe"]
    # The counts start in the same terminal column whatever the script of the name before them.
    assert len(set(display_width(t[:t.index(" incidents")]) for t in teams)) == 1, teams
    assert lines[-1].startswith("Next: point it at your account with FLASHDUTY_APP_KEY=")
    assert "ansible-playbook flashcat.flashduty.insight_report" in lines[-1]


def test_the_simulators_help_describes_every_option_and_run_takes_a_command_without_dashes(tmp_path):
    sim_path = os.path.join(ROOT, "tests", "simulator", "flashduty_simulator.py")
    sys.path.insert(0, os.path.dirname(sim_path))
    from flashduty_simulator import build_parser, split_command
    parser = build_parser()
    for action in parser._actions:
        assert action.help and len(action.help) > 10, action.dest
    text = subprocess.run([sys.executable, sim_path, "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--port", "--port-file", "--app-key", "--schedules", "--no-limits", "serve", "run"):
        assert option in text
    assert split_command(["run", "--schedules", "5", "ansible-playbook", "-v", "x.yml"]) == (
        ["run", "--schedules", "5"], ["ansible-playbook", "-v", "x.yml"])
    assert split_command(["run", "--", "ansible-playbook", "--check"]) == (["run"], ["ansible-playbook", "--check"])
    ran = subprocess.run([sys.executable, sim_path, "run", "--no-limits", sys.executable, "-c",
                          "import os, sys; sys.exit(7 if os.environ['FLASHDUTY_BASE_URL'].startswith('http') else 1)"],
                         capture_output=True, text=True, check=False, timeout=60)
    assert ran.returncode == 7, ran.stderr
    missing = subprocess.run([sys.executable, sim_path, "run"], capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "run needs a command, for example" in missing.stderr


# The audit of the coming days: it fails on the simulator's gaps and empty schedules with one line per
# finding (and not the module's whole result) and still prints its summary; with nothing to fail on it only reports.
@pytest.mark.integration
@pytest.mark.parametrize("inventory", matrix_one(INVENTORIES, "file"))
def test_schedule_audit_fails_on_gaps_with_one_line_each_and_prints_the_summary(sim, tmp_path, inventory):
    env = playbook_env(sim, tmp_path)
    env["ANSIBLE_PYTHON_INTERPRETER"] = "auto_silent"
    sim.config(health_scenarios=True)
    args = ["flashcat.flashduty.schedule_audit", "-e", '{"audit_team_names": ["Payments, EU"]}']
    args += inventory_args(inventory, tmp_path)
    run = ansible_playbook(args, env, tmp_path)
    assert run.returncode == 2, run.stdout[-3000:] + run.stderr[-3000:]
    assert "findings of gaps, empty:" in run.stdout and "gap: schedule " in run.stdout
    assert "empty: schedule " in run.stdout and "schedules checked from" in run.stdout
    # The failure is the findings, not the module's whole result (every schedule's shifts).
    assert '"persons": [' not in run.stdout and '"schedules": [' not in run.stdout
    assert "UNREACHABLE" not in run.stdout and "ssh" not in run.stdout.lower()
    assert all(r["status"] == 200 for r in sim.requests())
    if inventory == "file":
        run = ansible_playbook(args + ["-e", '{"audit_fail_on": []}'], env, tmp_path)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "25 schedules checked from" in run.stdout and "NIGHTS" in run.stdout
