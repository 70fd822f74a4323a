# -*- coding: utf-8 -*-
"""The flashcat.flashduty.oncall lookup (plugins/lookup/oncall.py and its helper
plugins/plugin_utils/oncall_lookup.py) against the simulator.

The helper runs in this process; the lookup plugin itself (LookupModule.run,
through Ansible's plugin loader, which reads its documented options) runs in a
subprocess, because importing controller code here would change how the
modules tested in this process report warnings (see conftest.run_module); the
playbook tests run it under ansible-playbook with unreachable hosts.

The expected people come from the simulator's own rotation (DataSet.shift_at),
not from the answer the lookup reads, and the simulator's "now" (what its
cur_oncall describes) is the real time, far from the times asked here.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from support import COLLECTIONS, FakeTime, free_port
from flashduty_simulator import DAY, DELETED_PERSONS
from ansible_collections.flashcat.flashduty.plugins.module_utils.common import Task, connection_argument_spec
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import FlashdutyError, ValidationError
from ansible_collections.flashcat.flashduty.plugins.plugin_utils import oncall_lookup
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.oncall_lookup import Query, lookup

# 2026-02-14 05:00:17 UTC: long past the simulator's "now", so its cur_oncall says nothing about it.
AT = 1767571200 + 40 * DAY + 5 * 3600 + 17
GAP = 9  # every tenth schedule of the simulator has no layers: nobody is ever on call


def _missing(msg, exc):
    raise AssertionError(msg)


def params(sim, tmp_path, **over):
    values = dict((name, spec.get("default")) for name, spec in connection_argument_spec().items())
    values.update(app_key=sim.app_key, base_url=sim.url, pacing_dir=str(tmp_path / "pacing"))
    values.update(over)
    return values


def run(sim, tmp_path, terms, cache_ttl=60, conn=None, clock=None, **query):
    """``(entries, warnings)`` of one lookup."""
    warnings = []
    task = Task(params(sim, tmp_path, **(conn or {})), warnings.append, _missing)
    query.setdefault("at", AT)
    if clock:
        query["now"] = clock()
    entries = lookup(task, Query(terms, **query), cache_ttl, warnings.append,
                     **({"clock": clock} if clock else {}))
    return entries, warnings


def expected(sim, index, at=AT, which="current", zone=timezone.utc):
    """The entries of schedule ``index`` at ``at``, from the simulator's rotation itself."""
    data = sim.sim.data
    sched = data.schedule(index)
    start, end, group = data.shift_at(sched, at)
    if which == "next":
        start, end, group = data.shift_at(sched, end)
    team = [t for t in data.teams if t["team_id"] == sched["team_id"]][0]
    people = []
    for member in group["members"]:
        for pid in member["person_ids"]:
            if pid not in people:
                people.append(pid)
    out = []
    for pid in people:
        known = data.person_index(pid) not in DELETED_PERSONS
        out.append({
            "person_id": pid, "person_name": data.person_name(data.person_index(pid)) if known else None,
            "email": "person%02d@example.com" % data.person_index(pid) if known else None,
            "schedule_id": sched["id"], "schedule_name": sched["name"], "team_id": team["team_id"],
            "team_name": team["team_name"], "group_name": group["group_name"],
            "role_ids": [m["role_id"] for m in group["members"] if pid in m["person_ids"]],
            "start": start, "end": end,
            "start_iso": datetime.fromtimestamp(start, zone).isoformat(),
            "end_iso": datetime.fromtimestamp(end, zone).isoformat(),
        })
    return out


def name(sim, index):
    return sim.sim.data.schedule(index)["name"]


@pytest.mark.parametrize("final_shifts", ["clipped", "whole", "split"])
def test_the_people_on_call_at_a_time_come_from_the_computed_shifts(sim, tmp_path, final_shifts):
    # However the server cuts the shifts of final_schedule (the documents do not say), the answer is the same.
    sim.config(final_shifts=final_shifts)
    entries, warnings = run(sim, tmp_path, [name(sim, 0), name(sim, 12)])
    assert entries == expected(sim, 0) + expected(sim, 12)
    assert warnings == []
    assert entries and all(e["start"] <= AT < e["end"] for e in entries)
    # One listing a name, then the people and the teams: nothing more.
    assert sorted(r["path"] for r in sim.requests()) == ["/person/infos", "/schedule/list", "/schedule/list",
                                                         "/team/infos"]
    for request in sim.requests("/schedule/list"):
        assert request["body"]["start"] == AT - 14 * DAY and request["body"]["end"] == AT + 30 * DAY


@pytest.mark.parametrize("final_shifts", ["clipped", "split"])
def test_shift_next_gives_the_people_of_the_following_shift_in_a_time_zone(sim, tmp_path, final_shifts):
    sim.config(final_shifts=final_shifts)
    from zoneinfo import ZoneInfo
    zone = ZoneInfo("Asia/Shanghai")
    entries, dummy = run(sim, tmp_path, [name(sim, 3)], shift="next", time_zone="Asia/Shanghai")
    assert entries == expected(sim, 3, which="next", zone=zone)
    assert entries[0]["start_iso"].endswith("+08:00") and entries[0]["start"] > AT


def test_a_schedule_with_nobody_on_call_gives_no_entry_and_one_warning_naming_it(sim, tmp_path):
    entries, warnings = run(sim, tmp_path, [name(sim, GAP), name(sim, 0)])
    assert entries == expected(sim, 0)
    assert len(warnings) == 1 and name(sim, GAP) in warnings[0] and "nobody is on call" in warnings[0]


def test_people_the_api_no_longer_knows_keep_their_id_with_null_name_and_email(sim, tmp_path):
    data = sim.sim.data
    deleted = [data.persons[i] for i in DELETED_PERSONS]
    index = next(i for i in range(300) if data.schedule(i)["groups"] and
                 any(p in m["person_ids"] for m in data.shift_at(data.schedule(i), AT)[2]["members"]
                     for p in deleted))
    entries, dummy = run(sim, tmp_path, [name(sim, index)])
    assert entries == expected(sim, index)
    gone = [e for e in entries if e["person_id"] in deleted]
    assert gone and all(e["person_name"] is None and e["email"] is None for e in gone)


def test_ids_as_numbers_or_digits_give_what_the_names_give_in_the_order_of_the_terms(sim, tmp_path):
    data = sim.sim.data
    entries, dummy = run(sim, tmp_path, [str(data.schedule(12)["id"]), name(sim, 0), data.schedule(5)["id"]],
                         cache_ttl=0)
    assert entries == expected(sim, 12) + expected(sim, 0) + expected(sim, 5)


def test_team_names_without_terms_give_every_schedule_of_the_team(sim, tmp_path):
    team = sim.sim.data.teams[1]
    entries, warnings = run(sim, tmp_path, [], team_names=[team["team_name"]])
    indexes = [i for i in range(299, -1, -1) if sim.sim.data.schedule(i)["team_id"] == team["team_id"]]
    assert entries == [e for i in indexes if sim.sim.data.schedule(i)["groups"] for e in expected(sim, i)]
    gaps = [i for i in indexes if not sim.sim.data.schedule(i)["groups"]]
    assert len(warnings) == len(gaps) > 0
    listed = sim.requests("/schedule/list")
    assert listed and all(r["body"]["team_ids"] == [team["team_id"]] for r in listed)


def test_team_ids_narrow_where_a_name_is_looked_for(sim, tmp_path):
    other = sim.sim.data.teams[5]["team_id"]
    with pytest.raises(ValidationError) as err:
        run(sim, tmp_path, [name(sim, 0)], team_ids=[other])
    assert "in the teams given" in str(err.value) and name(sim, 0) in str(err.value)


def test_an_unknown_name_fails_naming_it_and_the_closest_names_before_people_are_looked_up(sim, tmp_path):
    with pytest.raises(ValidationError) as err:
        run(sim, tmp_path, [name(sim, 0), "sre-oncall-0000"])
    text = str(err.value)
    assert "'sre-oncall-0000'" in text and "closest:" in text and repr(name(sim, 0)) in text
    assert [r["path"] for r in sim.requests() if r["path"] != "/schedule/list"] == []


def test_an_unknown_id_fails_naming_it(sim, tmp_path):
    with pytest.raises(ValidationError) as err:
        run(sim, tmp_path, [12345])
    assert "no schedule has the id 12345" in str(err.value)


@pytest.mark.parametrize("terms, options, words", [
    ([], {}, "give schedule names or ids"),
    ([""], {}, "each term is a schedule name or id"),
    ([["a"]], {}, "each term is a schedule name or id"),
    (["x"], {"at": "yesterday"}, "at: cannot read 'yesterday'"),
    (["x"], {"shift": "previous"}, "shift: must be one of current, next"),
    (["x"], {"time_zone": "Mars/Olympus"}, "time_zone: 'Mars/Olympus' is not a known IANA"),
])
def test_bad_input_fails_naming_the_option_and_sends_nothing(sim, tmp_path, terms, options, words):
    with pytest.raises(ValidationError) as err:
        run(sim, tmp_path, terms, **options)
    assert words in str(err.value)
    assert sim.requests() == []


def test_the_cache_answers_again_for_a_minute_and_is_named_by_a_hash(sim, tmp_path):
    clock = FakeTime(now=AT)
    first, dummy = run(sim, tmp_path, [name(sim, 0)], clock=clock.clock, at="now")
    sent = len(sim.requests())
    clock.now += 30
    # Who is on call is worked out anew for the new time, from the same data: also the next shift.
    again, dummy = run(sim, tmp_path, [name(sim, 0)], clock=clock.clock, at="now")
    following, dummy = run(sim, tmp_path, [name(sim, 0)], clock=clock.clock, at="now", shift="next")
    assert (again, following) == (first, expected(sim, 0, at=AT + 30, which="next"))
    assert len(sim.requests()) == sent
    files = os.listdir(str(tmp_path / "pacing" / "oncall"))
    cached = [f for f in files if f.endswith(".json")]
    assert len(cached) == 1 and len(cached[0]) == 64 + len(".json")
    path = tmp_path / "pacing" / "oncall" / cached[0]
    assert sim.app_key not in path.read_text() and sim.app_key not in "".join(files)
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    # A minute later, or another key, asks again.
    clock.now += 31
    run(sim, tmp_path, [name(sim, 0)], clock=clock.clock, at="now")
    assert len(sim.requests()) == 2 * sent


def test_a_time_outside_the_cached_one_asks_again(sim, tmp_path):
    run(sim, tmp_path, [name(sim, 0)])
    sent = len(sim.requests())
    entries, dummy = run(sim, tmp_path, [name(sim, 0)], at=AT + 3 * DAY)
    assert entries == expected(sim, 0, at=AT + 3 * DAY)
    assert len(sim.requests()) == 2 * sent


def test_cache_ttl_0_asks_every_time_and_writes_nothing(sim, tmp_path):
    for dummy in range(3):
        run(sim, tmp_path, [name(sim, 0)], cache_ttl=0)
    assert len(sim.requests()) == 3 * 3
    assert not os.path.exists(str(tmp_path / "pacing" / "oncall"))


def test_a_connection_error_is_one_line_without_the_key(sim, tmp_path):
    url = "http://127.0.0.1:%d" % free_port()
    with pytest.raises(FlashdutyError) as err:
        run(sim, tmp_path, [name(sim, 0)], conn=dict(base_url=url, max_retries=0))
    assert "cannot reach" in str(err.value) and sim.app_key not in str(err.value)
    assert "app_key=********" in str(err.value) or "app_key" not in str(err.value)


def test_connection_options_fall_back_to_the_modules_environment_variables():
    env = {"FLASHDUTY_APP_KEY": "k", "FLASHDUTY_BASE_URL": "http://x", "FLASHDUTY_PACING_DIR": "/p"}
    assert oncall_lookup.with_environment({"base_url": "http://y"}, env) == {
        "app_key": "k", "base_url": "http://y", "pacing_dir": "/p"}


# ---------------------------------------------------------------- the plugin, through Ansible

DRIVER = r"""
import json, sys
from ansible.plugins.loader import init_plugin_loader, lookup_loader
init_plugin_loader([sys.argv[1]])
lookup = lookup_loader.get("flashcat.flashduty.oncall")
out = []
for terms, kwargs in json.loads(sys.argv[2]):
    try:
        out.append({"result": lookup.run(terms, {}, **kwargs)})
    except Exception as err:
        out.append({"error": type(err).__name__, "msg": str(err), "cause": repr(err.__cause__)})
print(json.dumps(out))
"""


def run_plugin(sim, tmp_path, calls, **env):
    environ = dict(os.environ, FLASHDUTY_APP_KEY=sim.app_key, FLASHDUTY_BASE_URL=sim.url,
                   FLASHDUTY_PACING_DIR=str(tmp_path / "pacing"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
    environ.pop("PYTHONPATH", None)
    environ.update(env)
    proc = subprocess.run([sys.executable, "-c", DRIVER, COLLECTIONS, json.dumps(calls)], capture_output=True,
                          text=True, env=environ, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1]), proc.stderr


@pytest.mark.matrix
def test_the_plugin_takes_its_options_and_the_environment_and_fails_in_one_line(sim, tmp_path):
    at = str(AT)
    results, stderr = run_plugin(sim, tmp_path, [
        [[name(sim, 0)], {"at": at}],
        [[name(sim, 0), name(sim, GAP)], {"at": at, "shift": "next", "time_zone": "UTC"}],
        [["sre-oncall-0000"], {"at": at}],
        [[name(sim, 0)], {"at": at, "shift": "later"}],
        [[], {}],
        [[name(sim, 0)], {"at": at, "base_url": "http://127.0.0.1:%d" % free_port(), "max_retries": 0,
                          "cache_ttl": 0}],
    ])
    assert results[0] == {"result": expected(sim, 0)}
    assert results[1] == {"result": expected(sim, 0, which="next")}
    assert "schedule %r" % name(sim, GAP) in stderr and "no next shift" in stderr
    errors = results[2:]
    assert all("error" in r for r in errors), errors
    assert "no schedule is named 'sre-oncall-0000'" in errors[0]["msg"] and "closest:" in errors[0]["msg"]
    assert "shift" in errors[1]["msg"] and "later" in errors[1]["msg"]
    assert "give schedule names or ids" in errors[2]["msg"]
    assert "cannot reach" in errors[3]["msg"]
    for error in errors:
        assert error["msg"].startswith("flashcat.flashduty.oncall: ") and "\n" not in error["msg"]
        assert sim.app_key not in json.dumps(error) and "Traceback" not in error["msg"]


@pytest.mark.matrix
def test_the_plugin_without_an_app_key_says_where_to_set_it(sim, tmp_path):
    results, dummy = run_plugin(sim, tmp_path, [[["x"], {}]], FLASHDUTY_APP_KEY="")
    assert "app_key: required" in results[0]["msg"] and "FLASHDUTY_APP_KEY" in results[0]["msg"]
    assert sim.requests() == []


PLAY = """
- hosts: all
  gather_facts: false
  vars:
    schedule: %(schedule)s
    flashduty_app_key: "{{ lookup('ansible.builtin.env', 'FLASHDUTY_APP_KEY') }}"
  tasks:
    - name: Who is on call, once per loop item, on hosts that cannot be reached
      ansible.builtin.debug:
        msg: "{{ item }}: {{ query('flashcat.flashduty.oncall', schedule, at=%(at)s, cache_ttl=%(ttl)s,
                 app_key=flashduty_app_key) | map(attribute='person_name') | join(', ') }}"
      loop: "{{ range(%(items)d) | list }}"

    - name: A deploy guard
      ansible.builtin.assert:
        that: deployer in (query('flashcat.flashduty.oncall', schedule, at=%(at)s) | map(attribute='email'))
      vars:
        deployer: "%(email)s"

    - name: Who takes over next (lookup with wantlist)
      ansible.builtin.debug:
        msg: "{{ lookup('flashcat.flashduty.oncall', schedule, at=%(at)s, shift='next', wantlist=True)
                 | map(attribute='email') | list }}"

    - name: An unknown schedule fails the task in one line
      ansible.builtin.debug:
        msg: "{{ query('flashcat.flashduty.oncall', 'no such schedule', at=%(at)s) }}"
      ignore_errors: true

    - name: A server that cannot be reached fails the task without the key
      ansible.builtin.debug:
        msg: "{{ query('flashcat.flashduty.oncall', schedule, base_url='%(closed)s', max_retries=0, cache_ttl=0,
                 app_key=flashduty_app_key) }}"
      ignore_errors: true
"""


def play(sim, tmp_path, items, ttl, *args):
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("badhost ansible_host=192.0.2.1\nbadhost2 ansible_host=192.0.2.2 ansible_user=nobody\n")
    people = expected(sim, 0)
    text = PLAY % {"schedule": name(sim, 0), "at": AT, "ttl": ttl, "items": items, "email": people[0]["email"],
                   "closed": "http://127.0.0.1:%d" % free_port()}
    from support import run_playbook
    return run_playbook(sim, tmp_path, text, "-i", str(inventory), *args)


@pytest.mark.integration
@pytest.mark.matrix
def test_a_play_on_unreachable_hosts_asks_once_for_a_whole_loop_and_never_shows_the_key(sim, tmp_path):
    result = play(sim, tmp_path, 5, 60, "-vvvv")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    names = ", ".join(e["person_name"] for e in expected(sim, 0))
    for host in ("badhost", "badhost2"):
        for item in range(5):
            assert "%d: %s" % (item, names) in output
    nexts = [e["email"] for e in expected(sim, 0, which="next")]
    assert nexts and all(email in output for email in nexts)
    assert "no schedule is named 'no such schedule'" in output and "UNREACHABLE" not in output
    assert "cannot reach http://127.0.0.1" in output
    assert "Traceback" not in output and sim.app_key not in output
    # Two hosts, five items each, a guard and a next-shift question: what one lookup asks, once.
    # (The unknown name's own listings aside: its query, then every schedule's name for the closest.)
    asked = [r["path"] for r in sim.requests() if r["path"] != "/schedule/list" or r["body"].get("query") == name(sim, 0)]
    assert sorted(asked) == ["/person/infos", "/schedule/list", "/team/infos"]


@pytest.mark.integration
def test_without_the_cache_each_loop_item_asks_again(sim, tmp_path):
    result = play(sim, tmp_path, 3, 0)
    assert result.returncode == 0, result.stdout + result.stderr
    asked = [r for r in sim.requests("/schedule/list") if r["body"].get("query") == name(sim, 0)]
    # 2 hosts x 3 items with cache_ttl=0, then the guard and the next shift (cached: ttl 60) once.
    assert len(asked) == 2 * 3 + 1


def readme_play():
    """The README's worked example of the lookup (its first YAML block under "The oncall lookup")."""
    import re
    from support import ROOT
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    section = text.split("## The oncall lookup", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


@pytest.mark.integration
def test_the_readme_deploy_guard_runs_as_written_on_unreachable_hosts(sim, tmp_path):
    import time
    from support import run_playbook
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("web1 ansible_host=192.0.2.1\nweb2 ansible_host=192.0.2.2\n")
    oncall = expected(sim, 0, at=int(time.time()))
    ok = run_playbook(sim, tmp_path, readme_play(), "-i", str(inventory), DEPLOYER_EMAIL=oncall[-1]["email"])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "All assertions passed" in ok.stdout and "UNREACHABLE" not in ok.stdout
    refused = run_playbook(sim, tmp_path, readme_play(), "-i", str(inventory), DEPLOYER_EMAIL="intruder@example.com")
    assert refused.returncode != 0
    assert "intruder@example.com is not on call; ask %s" % " or ".join(e["person_name"] for e in oncall) \
        in refused.stdout


@pytest.mark.integration
@pytest.mark.matrix
def test_the_readme_mail_to_the_on_call_renders_as_written(sim, tmp_path):
    # The README's mail task needs community.general, which this suite does not install: its expressions run
    # here as written (the lookup in `to` and `body`), and what the mail would get is checked against the
    # simulator's rotation.
    import json
    import re
    import time
    import yaml
    from support import ROOT, run_playbook
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        section = handle.read().split("## The oncall lookup", 1)[1].split("\n## ", 1)[0]
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if "community.general.mail" in b]
    (task,) = yaml.safe_load(block)
    mail = task["community.general.mail"]
    out = tmp_path / "mail.json"
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
             "tasks": [{"ansible.builtin.set_fact": {"mail_to": mail["to"], "mail_body": mail["body"]}},
                       {"ansible.builtin.copy": {"dest": str(out),
                                                 "content": "{{ {'to': mail_to, 'body': mail_body} | to_json }}"}}]}]
    now = int(time.time())
    run_result = run_playbook(sim, tmp_path, yaml.safe_dump(play))
    assert run_result.returncode == 0, run_result.stdout + run_result.stderr
    got = json.loads(out.read_text())
    sre = [t["team_id"] for t in sim.sim.data.teams if t["team_name"] == "SRE"]
    indexes = [i for i in range(300) if sim.sim.data.schedule(i)["team_id"] in sre and sim.sim.data.schedule(i)["groups"]]
    on_call = [e for i in indexes for e in expected(sim, i, at=now)]
    assert on_call and sorted(got["to"]) == sorted(set(e["email"] for e in on_call if e["email"]))
    assert got["body"].endswith(": you are on call during the maintenance.")
    assert all(e["schedule_name"] in got["body"] for e in on_call)
