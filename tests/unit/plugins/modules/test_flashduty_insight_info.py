# -*- coding: utf-8 -*-
"""flashduty_insight_info against the simulator: typed items as the API gives them, totals per
team, responder and channel held against the simulator's own figures (weighted means, fields
that are missing, deleted people), the shared filter rules, long ranges, team names, and a playbook."""

from __future__ import absolute_import, division, print_function

import json
from datetime import timezone

import pytest

from support import sim_figures
from flashduty_simulator import DELETED_PERSONS, ZoneInfo
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export as export_module
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_info as module

DAY = 86400
START = 1779667200  # 2026-05-25T00:00:00Z
THIRD = 4295771902133  # the third team: its people include a deleted person
COUNTS = ("total_incident_cnt", "total_incidents_acknowledged", "total_interruptions", "total_notifications",
          "total_engaged_seconds", "total_seconds_to_ack", "total_incidents_escalated", "total_incidents_reassigned")


@pytest.fixture
def args(conn):
    return dict(conn, start_time=START, end_time=START + 7 * DAY, pacing=False, time_zone="UTC")


def records(sim, body, dimension):
    """The simulator's own figures (typed, before the JSON leaves fields out) for a request it served."""
    zone = ZoneInfo(body["time_zone"]) if body.get("time_zone") else timezone.utc
    return sim.sim.insight_records(body, body["start_time"], body["end_time"], body.get("aggregate_unit"), zone,
                                   dimension)


def expected_totals(sim, dimension, path):
    """Per id: every count summed and the weighted means, from the simulator's figures of every request."""
    out = {}
    for request in sim.requests(path):
        for record in records(sim, request["body"], dimension):
            mine = out.setdefault(record[dimension + "_id"], {"name": record[dimension + "_name"], "n": 0})
            mine["n"] += 1
            for key in COUNTS + ("total_incidents_closed", "total_seconds_to_close"):
                if key in record:
                    mine[key] = mine.get(key, 0) + record[key]
    return out


def run(run_module, args, **extra):
    result = run_module(module, dict(args, **extra))
    assert "failed" not in result, result
    return result


@pytest.mark.matrix
@pytest.mark.parametrize("dimension", ["team", "responder", "channel"])
def test_totals_per_value_are_the_simulators_figures_with_weighted_means(sim, args, run_module, dimension):
    result = run(run_module, args, dimension=dimension, aggregate_unit="day", split_hours=True)
    (request,) = sim.requests("/insight/" + dimension)
    assert request["body"] == {"start_time": START, "end_time": START + 7 * DAY, "time_zone": "UTC",
                               "aggregate_unit": "day", "split_hours": True}
    assert result["request_ids"] == [request["request_id"]] and result["changed"] is False
    expected = expected_totals(sim, dimension, "/insight/" + dimension)
    assert [t[dimension + "_id"] for t in result["totals"]] and len(result["totals"]) == len(expected)
    for total in result["totals"]:
        want = expected[total[dimension + "_id"]]
        assert total[dimension + "_name"] == want["name"] and total["records"] == want["n"] == 7 * 3
        for key in COUNTS:
            # The simulator leaves out counts of 0: a count no item carries is absent, not 0.
            assert total[key] == (want[key] or None), key
        assert total["mean_seconds_to_ack"] == pytest.approx(want["total_seconds_to_ack"]
                                                             / want["total_incidents_acknowledged"])
        assert total["acknowledgement_pct"] == pytest.approx(100.0 * want["total_incidents_acknowledged"]
                                                             / want["total_incident_cnt"])
        if dimension == "responder":
            assert total["mean_seconds_to_close"] is None and total["total_incidents_closed"] is None
        else:
            assert total["mean_seconds_to_close"] == pytest.approx(want["total_seconds_to_close"]
                                                                   / want["total_incidents_closed"])
        assert total["noise_reduction_pct"] is None  # 21 items: no documented way to combine it
        assert sum(total["by_hours"][h]["total_incident_cnt"] or 0 for h in ("work", "sleep", "off")) \
            == total["total_incident_cnt"]
    assert len(result["records"]) == sum(t["records"] for t in result["totals"])


def test_a_weighted_mean_by_hand_is_not_a_mean_of_means(sim, args, run_module):
    """Two items of one channel, worked out here from their own fields."""
    result = run(run_module, args, dimension="channel", channel_ids=[1100000000000], aggregate_unit="day",
                 end_time=START + 2 * DAY)
    first, second = result["records"]
    assert first["channel_id"] == second["channel_id"] == 1100000000000 and first["ts"] + DAY == second["ts"]
    by_hand = float(first["total_seconds_to_ack"] + second["total_seconds_to_ack"]) / (
        first["total_incidents_acknowledged"] + second["total_incidents_acknowledged"])
    mean_of_means = (first["mean_seconds_to_ack"] + second["mean_seconds_to_ack"]) / 2.0
    (total,) = result["totals"]
    assert total["mean_seconds_to_ack"] == pytest.approx(by_hand)
    assert abs(by_hand - mean_of_means) > 1  # the data set makes the two differ
    assert total["mean_seconds_to_ack"] != pytest.approx(mean_of_means)


@pytest.mark.parametrize("style", ["omit_zero", "omit", "null"])
def test_fields_without_a_value_give_the_same_totals_however_the_api_leaves_them_out(sim, args, run_module, style):
    sim.config(json_no_value=style)
    result = run(run_module, args, dimension="responder", team_ids=[THIRD], aggregate_unit="day", split_hours=True)
    expected = expected_totals(sim, "responder", "/insight/responder")
    for total in result["totals"]:
        want = expected[total["responder_id"]]
        for key in COUNTS:
            value = want.get(key)
            assert total[key] == (value if style != "omit_zero" or value else None), (style, key)
        assert total["mean_seconds_to_ack"] == pytest.approx(want["total_seconds_to_ack"]
                                                             / want["total_incidents_acknowledged"])
    if style == "omit_zero":
        assert any("total_incidents_acknowledged" not in item for item in result["records"])
    if style == "null":
        assert any(item.get("mean_seconds_to_ack", 0) is None for item in result["records"])


def test_a_deleted_person_is_counted_without_a_name(sim, args, run_module):
    result = run(run_module, args, dimension="responder", team_ids=[THIRD])
    data = sim.sim.data
    deleted = [data.persons[i] for i in DELETED_PERSONS if data.persons[i] in data.team_persons(THIRD)]
    assert deleted, "the third team has a deleted person"
    (gone,) = [t for t in result["totals"] if t["responder_id"] == deleted[0]]
    assert gone["responder_name"] is None and gone["total_incident_cnt"]
    assert all("responder_name" not in i for i in result["records"] if i["responder_id"] == deleted[0])
    want = expected_totals(sim, "responder", "/insight/responder")[deleted[0]]
    assert gone["total_incident_cnt"] == want["total_incident_cnt"]
    assert gone["total_interruptions"] == (want["total_interruptions"] or None)


def test_json_and_export_tell_the_same_story(sim, args, run_module):
    """Team totals from the JSON endpoint equal the team export's figures; channels add up to their teams;
    responders' interruptions add up to their teams' (the same incidents underneath)."""
    teams = run(run_module, args, dimension="team", split_hours=True)
    channels = run(run_module, args, dimension="channel", split_hours=True)
    people = run(run_module, args, dimension="responder", split_hours=True)
    exported = run_module(export_module, dict(args, split_hours=True))
    assert "failed" not in exported, exported
    figures, dummy = sim_figures(sim, START, START + 7 * DAY)
    data = sim.sim.data
    by_channel = dict((t["channel_id"], t) for t in channels["totals"])
    by_person = dict((t["responder_id"], t) for t in people["totals"])
    assert len(teams["totals"]) == 12
    for team in teams["totals"]:
        want = figures[team["team_id"]]
        assert team["total_incident_cnt"] == want["incidents"]
        assert team["total_interruptions"] == want["interruptions"]
        # The export's MTTA is rounded to 0.1 s a row; the JSON's seconds totals are exact.
        assert team["mean_seconds_to_ack"] == pytest.approx(want["mtta"], abs=0.1)
        mine = [by_channel[c["channel_id"]] for c in data.channels({"team_id": team["team_id"],
                                                                    "team_name": team["team_name"]})]
        for key in ("total_incident_cnt", "total_incidents_closed", "total_seconds_to_ack", "total_alert_cnt"):
            assert sum(c[key] or 0 for c in mine) == team[key], key
        for hours in ("work", "sleep", "off"):
            assert team["by_hours"][hours]["total_interruptions"] == (want["hours"].get(hours) or None)
    interruptions = sum(t["total_interruptions"] or 0 for t in teams["totals"])
    assert sum(p["total_interruptions"] or 0 for p in by_person.values()) == interruptions


def test_a_long_range_by_day_is_asked_in_windows_at_bucket_boundaries(sim, args, run_module):
    result = run(run_module, args, dimension="responder", aggregate_unit="day", end_time=START + 70 * DAY,
                 team_ids=[THIRD])
    log = sim.requests("/insight/responder")
    assert [[r["body"]["start_time"], r["body"]["end_time"]] for r in log] == result["windows"]
    assert len(log) == 3 and result["windows"][0][0] == START and result["windows"][-1][1] == START + 70 * DAY
    assert all(b - a <= 31 * DAY for a, b in result["windows"])
    assert sorted(set(i["ts"] for i in result["records"])) == list(range(START, START + 70 * DAY, DAY))
    want = expected_totals(sim, "responder", "/insight/responder")
    for total in result["totals"]:
        assert total["total_incident_cnt"] == want[total["responder_id"]]["total_incident_cnt"]


def test_without_split_range_a_long_range_is_refused_before_sending(sim, args, run_module):
    result = run_module(module, dict(args, aggregate_unit="day", end_time=START + 40 * DAY, split_range=False))
    assert result["failed"] is True and "aggregate_unit" in result["msg"] and "31 days" in result["msg"]
    result = run_module(module, dict(args, end_time=START + 400 * DAY))  # split_range is on by default
    assert result["failed"] is True and result["msg"].startswith("split_range") and "aggregate_unit" in result["msg"]
    result = run_module(module, dict(args, end_time=START + 400 * DAY, split_range=False))
    assert result["failed"] is True and "end_time" in result["msg"] and "365 days" in result["msg"]
    assert sim.requests() == []


@pytest.mark.parametrize("extra,words", [
    (dict(team_ids=list(range(1, 102))), "team_ids"),
    (dict(responder_ids=list(range(1, 102))), "responder_ids"),
    (dict(severities=["Critical", "Warning", "Info", "Ok"]), "severities"),
    (dict(incident_ids=["xyz"]), "incident_ids[0]"),
    (dict(seconds_to_ack_from=10, seconds_to_ack_to=10), "seconds_to_ack_to"),
    (dict(aggregate_unit="day", end_time=START + 3600), "aggregate_unit"),
    (dict(time_zone="Mars/Olympus"), "time_zone"),
])
def test_the_exports_rules_reject_bad_input_before_sending(sim, args, run_module, extra, words):
    result = run_module(module, dict(args, dimension="channel", **extra))
    assert result["failed"] is True and words in result["msg"], result
    assert sim.requests() == []


def test_team_names_are_resolved_and_sent_as_ids(sim, args, run_module):
    result = run(run_module, args, dimension="channel", team_names=["SRE", u"运维团队"])
    (request,) = sim.requests("/insight/channel")
    assert request["body"]["team_ids"] == [4295771902131, THIRD] == result["team_ids"]
    assert len(result["totals"]) == 4
    failed = run_module(module, dict(args, team_names=["sre"]))
    assert failed["failed"] is True and "team_names" in failed["msg"] and "'SRE'" in failed["msg"]


@pytest.mark.parametrize("value", ["12", 1.5, True, -3])
def test_a_count_of_the_wrong_type_fails_naming_the_field(sim, args, run_module, value):
    item = {"team_id": 1, "team_name": "x", "total_incident_cnt": value}
    sim.faults({"kind": "json_empty", "data": {"items": [item]}, "path": "/insight/team"})
    result = run_module(module, args)
    assert result["failed"] is True and "total_incident_cnt" in result["msg"] and "whole number" in result["msg"]


def test_check_mode_reads_as_usual(sim, args, run_module):
    result = run_module(module, dict(args, dimension="team"), check_mode=True)
    assert "failed" not in result and len(result["totals"]) == 12 and result["changed"] is False


@pytest.mark.integration
@pytest.mark.matrix
def test_playbook_registers_items_and_totals(sim, playbook, tmp_path):
    out = tmp_path / "people.json"
    run = playbook("""
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Per person
      flashcat.flashduty.flashduty_insight_info:
        dimension: responder
        start_time: %d
        end_time: %d
        team_names: ["运维团队"]
        split_hours: true
        time_zone: UTC
        pacing: false
      register: people
    - name: Keep what a report would use
      ansible.builtin.copy:
        content: "{{ people.totals | map(attribute='by_hours') | map(attribute='sleep') | to_json }}"
        dest: %s
""" % (START, START + 7 * DAY, out))
    assert run.returncode == 0, run.stdout + run.stderr
    sleep = json.loads(out.read_text())
    (request,) = sim.requests("/insight/responder")
    want = {}
    for record in records(sim, request["body"], "responder"):
        if record["hours"] == "sleep":
            want[record["responder_id"]] = want.get(record["responder_id"], 0) + record["total_interruptions"]
    assert [s["total_interruptions"] or 0 for s in sleep] == list(want.values())
