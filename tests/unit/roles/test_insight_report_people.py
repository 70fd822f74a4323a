# -*- coding: utf-8 -*-
"""The report's People section and people.csv: every figure held against the simulator's own figures
of the responder insight it served (weighted means, sleep-hour share, the period before, a deleted
person), the on-call hours beside them, and the people woken most standing out."""

from __future__ import absolute_import, division, print_function

import csv
import html as htmllib
import io
import json
import re
from datetime import timezone

import pytest

from support import role_play, run_playbook
from flashduty_simulator import ZoneInfo

# Every test here runs the role with ansible-playbook, or reads a run that did.
pytestmark = pytest.mark.integration

NOW = 1779667200  # 2026-05-25 00:00 UTC
START, END = NOW - 7 * 86400, NOW
TEAMS = [4295771902131, 4295771902132, 4295771902133]  # the third has a deleted person


@pytest.fixture(scope="module")
def report(module_sim, tmp_path_factory):
    module_sim.config(now=NOW)
    folder = tmp_path_factory.mktemp("people")
    out = folder / "report"
    run = run_playbook(module_sim, folder, role_play(out, insight_report_start=START, insight_report_end=END,
                                                     insight_report_team_ids=TEAMS))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return module_sim, out, json.loads((out / "fact.json").read_text())


def figures(sim, start):
    """Per person: the simulator's own figures of the responder requests it served for the period from ``start``."""
    people = {}
    for request in sim.requests("/insight/responder"):
        body = request["body"]
        if body["start_time"] != start:
            continue
        zone = ZoneInfo(body["time_zone"]) if body.get("time_zone") else timezone.utc
        for record in sim.sim.insight_records(body, body["start_time"], body["end_time"], body.get("aggregate_unit"),
                                              zone, "responder"):
            mine = people.setdefault(record["responder_id"], dict(
                name=record["responder_name"], incidents=0, interruptions=0, sleep=0, engaged=0, ack=0, ack_s=0))
            mine["incidents"] += record["total_incident_cnt"]
            mine["interruptions"] += record["total_interruptions"]
            mine["sleep"] += record["total_interruptions"] if record["hours"] == "sleep" else 0
            mine["engaged"] += record["total_engaged_seconds"]
            mine["ack"] += record["total_incidents_acknowledged"]
            mine["ack_s"] += record["total_seconds_to_ack"]
    return people


def number(text):
    return None if text == "" else float(text)


def test_people_csv_holds_the_simulators_figures(report):
    sim, out, fact = report
    assert fact["files"]["people_csv"] == str(out / "people.csv")
    rows = list(csv.DictReader(io.StringIO((out / "people.csv").read_text())))
    now, before = figures(sim, START), figures(sim, START - 7 * 86400)
    assert sorted(sim.requests("/insight/responder")[0]["body"]["team_ids"]) == TEAMS
    load = dict((int(r["person_id"]), r) for r in csv.DictReader(io.StringIO((out / "oncall_load.csv").read_text())))
    assert set(int(r["responder_id"]) for r in rows) == set(now) | set(load)
    deleted = [r for r in rows if int(r["responder_id"]) in now and now[int(r["responder_id"])]["name"] is None]
    assert len(deleted) == 1 and deleted[0]["responder_name"] == ""
    for row in rows:
        pid = int(row["responder_id"])
        want, was = now.get(pid), before.get(pid)
        if want is None:  # on call, in no incident of these teams
            assert row["incidents"] == row["interruptions"] == ""
        else:
            assert row["responder_name"] == (want["name"] or "")
            # A count of 0 is left out by the API (json_no_value omit_zero), so it is no value here.
            assert number(row["incidents"]) == (want["incidents"] or None)
            assert number(row["interruptions"]) == (want["interruptions"] or None)
            assert number(row["sleep_interruptions"]) == (want["sleep"] or None)
            assert number(row["sleep_pct"]) == (round(100.0 * want["sleep"] / want["interruptions"], 1)
                                                if want["interruptions"] else None)
            assert number(row["engaged_seconds"]) == (want["engaged"] or None)
            assert number(row["mtta_seconds"]) == (round(float(want["ack_s"]) / want["ack"], 1) if want["ack"]
                                                   else None)
            assert number(row["interruptions_before"]) == ((was or {}).get("interruptions") or None)
        assert number(row["oncall_hours"]) == (float(load[pid]["hours"]) if pid in load else None)
    # Woken most in sleep hours first.
    sleeps = [number(r["sleep_interruptions"]) or 0 for r in rows]
    assert sleeps == sorted(sleeps, reverse=True) and sleeps[0] > 0


def test_the_people_section_shows_them_and_the_ones_woken_most_stand_out(report):
    sim, out, dummy = report
    page = (out / "report.html").read_text()
    body = page.split('id="people"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-person-id="(\d+)"( class="worse")?>(.*?)</tr>', body)
    csv_rows = list(csv.DictReader(io.StringIO((out / "people.csv").read_text())))
    assert [int(r[0]) for r in rows] == [int(r["responder_id"]) for r in csv_rows][:25]
    marked = [int(r[0]) for r in rows if r[1]]
    assert marked == [int(r["responder_id"]) for r in csv_rows[:3] if number(r["sleep_interruptions"])]
    first = [htmllib.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[0][2])]
    top = csv_rows[0]
    assert first[2][0] == top["interruptions"] and first[3][0] == top["sleep_interruptions"]
    assert "(%s %%)" % top["sleep_pct"] in " ".join(first[3])
    assert "## People" in (out / "report.md").read_text()
