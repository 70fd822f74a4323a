# -*- coding: utf-8 -*-
"""flashduty_schedule_health against the simulator's health scenarios (a time-restricted layer, an
override, a group with nobody in it, a schedule with no shift), each figure checked against the
scenarios' rules applied hour by hour here (every shift of the simulator starts on a whole hour)."""

from __future__ import absolute_import, division, print_function

import itertools
import json
from datetime import datetime, timezone

import pytest

from flashduty_simulator import DataSet
from support import scenario_gaps as oracle_gaps, scenario_on_call as on_call
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule_health import SHOWN_FINDINGS
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_health as module

PATH = "/schedule/list"
NOW = 1779667200  # 2026-05-25T00:00:00Z, a Monday
H = 3600
DAY = 86400
DATA = DataSet()
SCHEDULES = 300


def by_kind(kind, team=None):
    """Indexes of the simulator's schedules of a health scenario (index % 10)."""
    return [i for i in range(SCHEDULES) if i % 10 == kind and (team is None or i % 12 == team)]


def shift_starts(index, start, end):
    """The shifts of schedule ``index`` in [start, end): continuous stretches of the same group, from the
    simulator's own rotation (its segments, back to back with the same group counted once)."""
    sched = DATA.schedule(index)
    DATA.health = True
    try:
        segments = DATA.segments(sched, start, end)
    finally:
        DATA.health = False
    stretches = 0
    for number, (begin, dummy, group) in enumerate(segments):
        before = segments[number - 1] if number else None
        if not (before and before[1] == begin and before[2] == group):
            stretches += 1
    return stretches


def run_health(sim, run_module, conn, check_mode=False, **args):
    sim.config(now=NOW, health_scenarios=True, **args.pop("sim_config", {}))
    args.setdefault("start", NOW)
    return run_module(module, dict(conn, **args), check_mode=check_mode)


def entry(result, index):
    (found,) = [s for s in result["schedules"] if s["schedule_id"] == DATA.schedule(index)["id"]]
    return found


@pytest.mark.matrix
def test_gaps_coverage_and_empty_schedules_match_the_scenarios_hour_by_hour(sim, conn, run_module):
    result = run_health(sim, run_module, conn)
    assert "failed" not in result, result.get("msg")
    start, end = NOW, NOW + 14 * DAY  # the default end: 14 days after start
    assert result["window"]["start"] == start and result["window"]["end"] == end
    assert len(result["schedules"]) == SCHEDULES
    for index in range(SCHEDULES):
        got = entry(result, index)
        expected = oracle_gaps(index, start, end)
        if on_call(index, start) is None:
            assert got["empty"] is True and got["gaps"] == [] and got["coverage_pct"] == 0.0
            continue
        assert got["empty"] is False
        assert [(g["start"], g["end"], [p["person_id"] for p in g["before"]], [p["person_id"] for p in g["after"]])
                for g in got["gaps"]] == list(expected), index
        hours = sum(1 for h in range(start, end, H) if on_call(index, h))
        assert got["coverage_pct"] == round(100.0 * hours / (14 * 24), 1)
    # Touching shifts of a plain rotation leave no gap; the restricted layer leaves nightly and weekend gaps,
    # the empty group its shifts.
    assert all(entry(result, i)["gaps"] == [] and entry(result, i)["coverage_pct"] == 100.0 for i in by_kind(1))
    # Monday 00:00-08:00, four nights, a weekend, four nights, Friday 20:00 to the window's end (Monday 00:00).
    restricted = entry(result, 3)["gaps"]
    assert [g["seconds"] // H for g in restricted] == [8, 12, 12, 12, 12, 60, 12, 12, 12, 12, 52]
    assert restricted[1]["start_local"] == "2026-05-25 20:00" and restricted[1]["end_local"] == "2026-05-26 08:00"
    assert all(entry(result, i)["gaps"] for i in by_kind(7))
    assert result["summary"]["empty"] == 30 and len([f for f in result["findings"] if f.startswith("empty:")]) == 30


def test_min_gap_ignores_the_shorter_gaps(sim, conn, run_module):
    name = DATA.schedule(3)["name"]
    result = run_health(sim, run_module, conn, name=name, min_gap="13h")
    (only,) = result["schedules"]
    # The nightly gaps (20:00 to 08:00, 12 h) and the first morning (8 h) go; the weekend (Friday 20:00 to
    # Monday 08:00) and the last one (Friday 20:00 to the window's end) stay.
    assert [g["seconds"] for g in only["gaps"]] == [60 * H, 52 * H]
    expected = [(a, b) for a, b, x, y in oracle_gaps(3, NOW, NOW + 14 * DAY, 13 * H)]
    assert [(g["start"], g["end"]) for g in only["gaps"]] == expected
    assert result["window"]["min_gap"] == 13 * H


@pytest.mark.parametrize("final_shifts", ["clipped", "whole", "split"])
def test_a_window_over_45_days_is_asked_in_pieces_and_joined_across_their_edges(sim, conn, run_module, final_shifts):
    # However the server meets a window's edge (shifts cut there, kept whole, or cut in pieces inside too).
    # A restricted schedule (its nightly gap crosses each edge at midnight) and a weekly rotation.
    weekly = [i for i in range(SCHEDULES) if i % 10 in (0, 1, 2) and DATA.schedule(i)["shift"] == 7 * DAY][0]
    start, end = NOW, NOW + 100 * DAY
    for index in (3, weekly):
        sim.sim.log[:] = []
        result = run_health(sim, run_module, conn, name=DATA.schedule(index)["name"], start=start, end=end,
                            sim_config={"final_shifts": final_shifts})
        assert "failed" not in result, result.get("msg")
        windows = [(r["body"]["start"], r["body"]["end"]) for r in sim.requests(PATH)]
        assert windows == [(NOW, NOW + 44 * DAY), (NOW + 44 * DAY, NOW + 88 * DAY), (NOW + 88 * DAY, end)]
        assert all(r["status"] == 200 for r in sim.requests(PATH))
        (got,) = result["schedules"]
        assert [(g["start"], g["end"]) for g in got["gaps"]] == [(a, b) for a, b, x, y in oracle_gaps(index, start, end)]
        # A shift across an edge is one shift, not two.
        assert got["shifts"] == shift_starts(index, start, end)
    edge = NOW + 44 * DAY
    assert any(g["start"] < edge < g["end"] for g in entry(run_health(
        sim, run_module, conn, name=DATA.schedule(3)["name"], start=start, end=end), 3)["gaps"])


def test_the_windows_after_the_first_ask_only_the_pages_the_first_one_read(sim, conn, run_module):
    # 1,000 schedules: the server's total is capped (1000), so the first window pages ahead past its
    # end (its 11th page is empty); the next windows list the same schedules and ask those 11 alone.
    sim.config(now=NOW, schedules=1000, limits="documented")
    result = run_module(module, dict(conn, start=NOW, end=NOW + 50 * DAY, resolve_names=False))
    assert result["summary"]["schedules"] == 1000
    log = sim.requests(PATH)
    assert all(r["status"] == 200 for r in log)
    first, second = [sorted(r["body"]["p"] for r in log if r["body"]["start"] == begin)
                     for begin in (NOW, NOW + 44 * DAY)]
    assert set(range(1, 12)) <= set(first) and len(first) <= 1.5 * 11 + 1
    assert second == list(range(1, 12))


def test_people_hours_overlaps_and_balance_match_the_scenarios(sim, conn, run_module):
    team = 0
    result = run_health(sim, run_module, conn, team_ids=[DATA.teams[team]["team_id"]], time_zone="UTC")
    indexes = [i for i in range(SCHEDULES) if i % 12 == team]
    start, end = NOW, NOW + 14 * DAY
    hours, where = {}, {}
    for index in indexes:
        for hour in range(start, end, H):
            for pid in on_call(index, hour) or []:
                hours.setdefault(pid, set()).add(hour)
                where.setdefault((pid, hour), set()).add(DATA.schedule(index)["id"])
    persons = dict((p["person_id"], p) for p in result["persons"])
    assert set(persons) == set(hours)
    for pid, held in hours.items():
        at = [datetime.fromtimestamp(h, timezone.utc) for h in held]
        assert persons[pid]["hours"] == len(held)
        assert persons[pid]["sleep_hours"] == sum(1 for t in at if t.hour >= 23 or t.hour < 8)
        assert persons[pid]["weekend_hours"] == sum(1 for t in at if t.weekday() >= 5)
        assert persons[pid]["schedule_hours"] >= persons[pid]["hours"] <= 14 * 24
    # Overlaps: the hours a person is in two or more schedules, in unbroken stretches, each with every
    # schedule that overlaps within it.
    double = dict(((pid, hour), ids) for (pid, hour), ids in where.items() if len(ids) > 1)
    assert double, "the data set has people in overlapping schedules"
    covered = set()
    for overlap in result["overlaps"]:
        hours_in = range(overlap["start"], overlap["end"], H)
        covered.update((overlap["person_id"], hour) for hour in hours_in)
        assert set(s["schedule_id"] for s in overlap["schedules"]) == set().union(
            *[double[(overlap["person_id"], hour)] for hour in hours_in])
        assert (overlap["person_id"], overlap["start"] - H) not in double or overlap["start"] == start
        assert (overlap["person_id"], overlap["end"]) not in double
    assert covered == set(double)
    # Balance: the mean over every pair of min/max hours, overall and per schedule.
    values = [len(h) for h in hours.values()]
    pairs = [min(a, b) / float(max(a, b)) for a, b in itertools.combinations(values, 2)]
    assert result["balance"]["value"] == pytest.approx(sum(pairs) / len(pairs), abs=0.001)
    mean = sum(values) / float(len(values))
    assert [p["person_id"] for p in result["balance"]["above_mean"]] == [
        pid for pid, n in sorted(hours.items(), key=lambda x: (-len(x[1]), "%s" % x[0])) if len(n) > mean * 1.25]
    for got in result["schedules"]:
        people = [p["hours"] for p in got["people"]]
        if len(people) > 1:
            ratios = [min(a, b) / max(a, b) for a, b in itertools.combinations(people, 2)]
            assert got["balance"]["value"] == pytest.approx(sum(ratios) / len(ratios), abs=0.001)


@pytest.mark.matrix
def test_fail_on_fails_with_one_line_per_finding_and_the_whole_result(sim, conn, run_module):
    result = run_health(sim, run_module, conn, fail_on=["gaps", "empty"])
    assert result["failed"] is True
    lines = result["msg"].split("\n")
    failing = [f for f in result["findings"] if f.startswith(("gap:", "empty:"))]
    assert lines[0] == "%d findings of gaps, empty:" % len(failing) and len(failing) > 10
    assert SHOWN_FINDINGS == 10 and lines[1:11] == failing[:10]
    assert lines[11] == "... and %d more (see findings in the result)" % (len(failing) - 10) and len(lines) == 12
    assert len(result["schedules"]) == SCHEDULES and result["persons"] and result["overlaps"]
    gap = [line for line in lines if line.startswith("gap:")][0]
    assert "nobody on call from" in gap and "UTC" in gap and "before:" in gap and "after:" in gap
    # Nothing of the kinds asked: the task passes, the findings are still in the result.
    plain = run_health(sim, run_module, conn, name=DATA.schedule(1)["name"], fail_on=["gaps", "empty"])
    assert "failed" not in plain and plain["findings"] == []
    overlapping = run_health(sim, run_module, conn, team_ids=[DATA.teams[0]["team_id"]], fail_on=["overlaps"])
    assert overlapping["failed"] is True and overlapping["msg"].split("\n")[1].startswith("overlap: ")


@pytest.mark.matrix
def test_check_mode_reads_as_usual_and_the_window_defaults_to_now_and_14_days(sim, conn, run_module):
    import time
    before = int(time.time())
    result = run_health(sim, run_module, conn, check_mode=True, name=DATA.schedule(3)["name"], start=None)
    assert result["changed"] is False and len(result["schedules"]) == 1 and result["schedules"][0]["gaps"]
    assert before <= result["window"]["start"] <= int(time.time())
    assert result["window"]["end"] == result["window"]["start"] + 14 * DAY


def test_names_as_schedule_info_and_ids_with_a_warning_when_look_ups_fail(sim, conn, run_module):
    result = run_health(sim, run_module, conn, team_names=["SRE"])
    assert sim.requests("/schedule/list")[0]["body"]["team_ids"] == [DATA.teams[0]["team_id"]]
    assert all(s["team_name"] == "SRE" for s in result["schedules"])
    assert any(p["person_name"] == "Li Na" for p in result["persons"])
    sim.faults({"kind": "status", "status": 503, "path": "/person/infos", "times": 100})
    result = run_health(sim, run_module, conn, team_ids=[DATA.teams[0]["team_id"]], max_retries=0)
    assert "failed" not in result
    assert all(p["person_name"] is None for p in result["persons"])
    assert any("names could not be looked up" in w for w in result["warnings"])


@pytest.mark.parametrize("args, option", [
    (dict(min_gap="soon"), "min_gap"),
    (dict(min_gap=-5), "min_gap"),
    (dict(time_zone="Mars/Olympus"), "time_zone"),
    (dict(start="+2d", end="+1d"), "end"),
    (dict(start="next tuesday"), "start"),
    (dict(overload_share=-0.5), "overload_share"),
    (dict(fail_on=["holes"]), "fail_on"),
    (dict(is_my_team=True, is_my_manage=True), "is_my"),
    (dict(concurrency=0), "concurrency"),
])
@pytest.mark.matrix
def test_invalid_input_fails_naming_the_option_and_sends_nothing(sim, conn, run_module, args, option):
    result = run_module(module, dict(conn, **args))
    assert result["failed"] is True
    assert option in result["msg"], result["msg"]
    assert "Traceback" not in json.dumps(result) and conn["app_key"] not in json.dumps(result)
    assert sim.requests() == []
