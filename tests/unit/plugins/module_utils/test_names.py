# -*- coding: utf-8 -*-
"""Who is on call, by name: people and teams looked up in batches, deleted
people, failing look-ups, team names as filters; through ansible-playbook,
and the report's names escaped in HTML and intact in the CSVs."""

from __future__ import absolute_import, division, print_function

import csv
import io
import json
import math

import pytest

from support import role_play
from flashduty_simulator import DELETED_PERSONS, PERSON_NAMES, DataSet
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export as export_module
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as schedule_module

NOW = 1779667200
SRE, PAYMENTS = 4295771902131, 4295771902132

ONCALL_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Who is on call
      flashcat.flashduty.flashduty_schedule_info:
%(args)s
      register: roster
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ roster | to_json }}"
        dest: %(out)s
"""


def oncall_play(out, **args):
    lines = "\n".join("        %s: %s" % (k, json.dumps(v)) for k, v in args.items())
    return ONCALL_PLAY % {"args": lines, "out": out}


def test_1234_schedules_are_named_in_a_handful_of_batched_requests(sim, conn, run_module):
    sim.config(schedules=1234, now=NOW)
    result = run_module(schedule_module, dict(conn, start=NOW - 86400, end=NOW + 6 * 86400))
    assert "failed" not in result, result
    assert len(result["oncall"]) == 1234
    shifts = [e[k] for e in result["oncall"] for k in ("current", "next") if e[k]]
    people = set(p for s in shifts for p in s["person_ids"])
    people |= set(p["person_id"] for p in result["persons"])
    person_requests = sim.requests("/person/infos")
    team_requests = sim.requests("/team/infos")
    assert len(person_requests) == math.ceil(len(people) / 100.0)
    assert len(team_requests) == math.ceil(12 / 100.0)
    asked = [pid for r in person_requests for pid in r["body"]["person_ids"]]
    assert len(asked) == len(set(asked)) == len(people)  # every id once per run
    data = DataSet()
    for shift in shifts:
        assert [p["person_id"] for p in shift["persons"]] == shift["person_ids"]
        for person in shift["persons"]:
            index = data.person_index(person["person_id"])
            if index in DELETED_PERSONS:
                assert person["person_name"] is None and person["email"] is None
            else:
                assert person["person_name"] == DataSet.person_name(index)
    assert any(p["person_name"] is None for s in shifts for p in s["persons"])  # deleted people were on call
    assert all(e["team_name"] for e in result["oncall"])


@pytest.mark.matrix
def test_failing_name_look_ups_leave_the_listing_with_ids_and_one_warning(sim, conn, run_module):
    sim.config(now=NOW)
    sim.faults({"kind": "status", "status": 503, "path": "/person/infos", "times": 100},
               {"kind": "status", "status": 500, "path": "/team/infos", "times": 100})
    result = run_module(schedule_module, dict(conn, team_ids=[SRE], start="-1d", end="+1d", max_retries=1))
    assert "failed" not in result, result
    assert len(result["oncall"]) == 25
    shift = [e["current"] for e in result["oncall"] if e["current"]][0]
    assert shift["persons"] and all(p["person_name"] is None for p in shift["persons"])
    names_warnings = [w for w in result["warnings"] if "names could not be looked up" in w]
    assert len(names_warnings) == 1 and "HTTP 503" in names_warnings[0] and "HTTP 500" in names_warnings[0]


@pytest.mark.matrix
def test_an_invalid_key_still_fails(sim, conn, run_module):
    result = run_module(schedule_module, dict(conn, app_key="not-the-key-4f2a9c", start="-1d", end="+1d"))
    assert result["failed"] is True and result["error_code"] == "Unauthorized"


@pytest.mark.matrix
def test_resolve_names_false_looks_nothing_up(sim, conn, run_module):
    result = run_module(schedule_module, dict(conn, start="-1d", end="+1d", resolve_names=False))
    assert set(r["path"] for r in sim.requests()) == {"/schedule/list"}
    assert "persons" not in result and "team_name" not in result["oncall"][0]


@pytest.mark.matrix
@pytest.mark.parametrize("check_mode", [False, True])
def test_team_names_resolve_exactly_and_merge_with_team_ids(sim, conn, run_module, check_mode):
    result = run_module(schedule_module, dict(conn, team_names=["Payments, EU", u"运维团队"], team_ids=[SRE]),
                        check_mode=check_mode)
    assert "failed" not in result, result
    assert result["team_ids"] == [SRE, PAYMENTS, SRE + 2]
    (listing,) = sim.requests("/schedule/list")
    assert listing["body"]["team_ids"] == [SRE, PAYMENTS, SRE + 2]
    assert set(s["team_id"] for s in result["schedules"]) == {SRE, PAYMENTS, SRE + 2}


@pytest.mark.parametrize("module,args", [
    (schedule_module, {}),
    (export_module, {"start_time": NOW - 86400, "end_time": NOW}),
])
@pytest.mark.matrix
@pytest.mark.parametrize("check_mode", [False, True])
def test_an_unknown_team_name_fails_before_any_other_request(sim, conn, run_module, module, args, check_mode):
    result = run_module(module, dict(conn, team_names=["SRE", "payments, eu"], **args), check_mode=check_mode)
    assert result["failed"] is True
    assert result["msg"].startswith("team_names: no team is named 'payments, eu'")
    assert "closest: 'Payments, EU'" in result["msg"]
    assert set(r["path"] for r in sim.requests()) == {"/team/list"}


@pytest.mark.matrix
def test_the_export_takes_team_names(sim, conn, run_module):
    result = run_module(export_module, dict(conn, start_time=NOW - 86400, end_time=NOW, team_names=['Data "Lake"']))
    assert "failed" not in result, result
    assert sim.requests("/insight/team/export")[0]["body"]["team_ids"] == [SRE + 3]
    assert [row["Team Name"] for row in result["rows"]] == ['Data "Lake"']


@pytest.mark.integration
def test_the_report_shows_names_escaped_in_html_and_intact_in_csv(sim, playbook, tmp_path):
    report = tmp_path / "report"
    run = playbook(role_play(report, insight_report_team_names=["SRE", "Payments, EU"]))
    assert run.returncode == 0, run.stdout + run.stderr
    fact = json.loads((report / "fact.json").read_text())
    assert set(t["team_id"] for t in fact["teams"]) == {SRE, PAYMENTS}
    named = [p for e in fact["oncall"] for k in ("current", "next") if e[k] for p in e[k]["persons"]]
    assert named and all("person_id" in p and "person_name" in p for p in named)
    rows = list(csv.DictReader(io.StringIO((report / "oncall.csv").read_text())))
    assert list(rows[0]) == ["schedule", "team_id", "team", "group", "start", "end", "persons", "person_ids",
                             "coverage"]
    names = set(n for r in rows for n in r["persons"].split("; "))
    tricky = [n for n in PERSON_NAMES if n in names]
    assert "<b>Kim</b> & Co" in tricky and "Seán O'Brien" in tricky and 'Anna "Nan" Berg' in tricky
    assert all(len(r["persons"].split("; ")) == len(r["person_ids"].split()) for r in rows if r["person_ids"])
    html = (report / "report.html").read_text()
    assert "&lt;b&gt;Kim&lt;/b&gt; &amp; Co" in html and "<b>Kim</b>" not in html
    assert "Payments, EU" in html
    md = (report / "report.md").read_text()
    assert any(n in md for n in tricky)


@pytest.mark.integration
@pytest.mark.matrix
def test_through_ansible_playbook_failing_look_ups_warn_and_unknown_names_fail(sim, playbook, tmp_path):
    sim.config(now=NOW)
    sim.faults({"kind": "status", "status": 503, "path": "/person/infos", "times": 100})
    out = tmp_path / "roster.json"
    run = playbook(oncall_play(out, team_ids=[SRE], start="-1d", end="+1d", max_retries=0))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "names could not be looked up" in run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert all(p["person_name"] is None for e in result["oncall"] if e["current"] for p in e["current"]["persons"])
    assert all(e["team_name"] == "SRE" for e in result["oncall"])
    before = len(sim.requests())
    run = playbook(oncall_play(out, team_names=["Search", "Obsrvability"]), "--check")
    assert run.returncode != 0
    assert "team_names: no team is named 'Obsrvability'" in run.stdout and "closest: 'Observability'" in run.stdout
    assert set(r["path"] for r in sim.requests()[before:]) == {"/team/list"}


class MeetingClient:
    """Answers /person/infos only once /team/infos has been asked too: people
    and teams looked up one after the other would wait here, and fail."""

    def __init__(self):
        import threading
        self.team_asked = threading.Event()
        self.paths = []

    def post(self, path, body, stop=None):
        from ansible_collections.flashcat.flashduty.plugins.module_utils.client import Response
        self.paths.append(path)
        if path == "/team/infos":
            self.team_asked.set()
            return Response({"items": [{"team_id": t, "team_name": "team %d" % t} for t in body["team_ids"]]},
                            "r-team", 200)
        assert self.team_asked.wait(10), "people were looked up before teams were asked"
        return Response({"items": [{"person_id": p, "person_name": "person %d" % p, "email": None}
                                   for p in body["person_ids"]]}, "r-person", 200)


@pytest.mark.parametrize("concurrency", [2, 50])
def test_people_and_teams_are_looked_up_at_the_same_time(concurrency):
    from ansible_collections.flashcat.flashduty.plugins.module_utils.names import name_oncall
    oncall = [{"schedule_id": 1, "team_id": SRE, "next": None,
               "current": {"start": 0, "end": 1, "group_name": "A", "person_ids": [7, 8]}}]
    client = MeetingClient()
    people, problem = name_oncall(client, oncall, concurrency)
    assert problem is None and sorted(client.paths) == ["/person/infos", "/team/infos"]
    assert [p["person_name"] for p in people] == ["person 7", "person 8"]
    assert oncall[0]["team_name"] == "team %d" % SRE
