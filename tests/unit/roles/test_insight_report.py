# -*- coding: utf-8 -*-
"""The insight_report role through ansible-playbook: argument validation,
batching of team ids, connection pass-through, the period. The report's
figures and layout are in test_insight_report_pages.py."""

from __future__ import absolute_import, division, print_function

import json

import pytest

from support import role_play as support_role_play, run_playbook

# Every test here runs the role with ansible-playbook, or reads a run that did.
pytestmark = pytest.mark.integration


def role_play(tmp_path, **role_vars):
    return support_role_play(tmp_path / "report", **role_vars)


@pytest.mark.matrix
@pytest.mark.parametrize("role_vars,words", [
    (dict(insight_report_team_ids="not-a-list-of-ids"), "insight_report_team_ids"),
    (dict(insight_report_aggregate_unit="hour"), "insight_report_aggregate_unit"),
    (dict(insight_report_validate_certs="perhaps"), "insight_report_validate_certs"),
])
def test_wrong_variable_types_fail_in_argument_validation_before_any_request(
        sim, playbook, tmp_path, role_vars, words):
    run = playbook(role_play(tmp_path, **role_vars))
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert "Validating arguments against arg spec" in out and words in out
    assert sim.requests() == []


def test_a_negative_look_ahead_fails_naming_the_variable_before_any_request(sim, playbook, tmp_path):
    run = playbook(role_play(tmp_path, insight_report_coverage_days=-1))
    assert run.returncode != 0
    assert "insight_report_coverage_days is the look-ahead in days, 0 for none; got -1" in run.stdout + run.stderr
    assert sim.requests() == [] and not (tmp_path / "report").exists()


def test_more_than_100_teams_are_exported_100_a_request(sim, playbook, tmp_path):
    sim.config(teams=101, schedules=101)
    run = playbook(role_play(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    exports = sim.requests("/insight/team/export")
    # The period and the period before it (insight_report_compare), 100 teams a request each.
    assert sorted(len(r["body"]["team_ids"]) for r in exports) == [1, 1, 100, 100]
    fact = json.loads((tmp_path / "report" / "fact.json").read_text())
    assert len(fact["teams"]) == 101
    lines = (tmp_path / "report" / "team_insight.csv").read_text().splitlines()
    assert len(lines) == 1 + 101 * 7 * 3  # 7 days x work/off/sleep


@pytest.fixture(scope="module")
def fortnight(module_sim, tmp_path_factory):
    """One role run with the connection variables set (the environment's key and URL are wrong), a
    period of 14 days in Asia/Shanghai and two teams, which two tests of this file
    read: ``(sim, run, report dir, fact)``."""
    folder = tmp_path_factory.mktemp("fortnight")
    report = folder / "report"
    run = run_playbook(module_sim, folder,
                       support_role_play(report, insight_report_app_key=module_sim.app_key,
                                         insight_report_base_url=module_sim.url, insight_report_start="2026-05-01",
                                         insight_report_end="2026-05-15", insight_report_time_zone="Asia/Shanghai",
                                         insight_report_team_ids=[4295771902131, 4295771902132]),
                       FLASHDUTY_APP_KEY="wrong-key", FLASHDUTY_BASE_URL="http://127.0.0.1:9")
    assert run.returncode == 0, run.stdout + run.stderr
    return module_sim, run, report, json.loads((report / "fact.json").read_text())


@pytest.mark.matrix
def test_connection_variables_pass_through(fortnight):
    sim, run, dummy, dummy = fortnight
    assert sim.requests() and all(r["key_ok"] for r in sim.requests())
    assert "wrong-key" not in run.stdout + run.stderr


@pytest.mark.matrix
def test_period_and_totals_in_the_fact_match_the_export(fortnight):
    sim, dummy, report, fact = fortnight
    # 2026-05-01 is read as UTC midnight (naive ISO means UTC).
    assert fact["period"] == {"start": 1777593600, "end": 1777593600 + 14 * 86400, "time_zone": "Asia/Shanghai"}
    (export, before) = sim.requests("/insight/team/export")
    assert export["body"]["time_zone"] == "Asia/Shanghai" and export["body"]["aggregate_unit"] == "day"
    assert (before["body"]["start_time"], before["body"]["end_time"]) == (1777593600 - 14 * 86400, 1777593600)
    rows = (report / "team_insight.csv").read_text().splitlines()[1:]
    sre = [r for r in rows if ",4295771902131,SRE," in r]
    assert len(sre) == 15 * 3  # 14 days cut at Shanghai midnights: 15 buckets, each as work, off and sleep hours
    total = sum(int(r.split(",")[3]) for r in sre)
    assert [t["incidents"] for t in fact["teams"] if t["team_id"] == 4295771902131] == [total]


def test_check_diff_predicts_exactly_what_a_real_run_does(sim, playbook, tmp_path):
    sim.config(now=1779667200, teams=3, schedules=6)
    play = role_play(tmp_path, insight_report_start=1779667200 - 7 * 86400, insight_report_end=1779667200)
    first = playbook(play, "--check", "--diff")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert not (tmp_path / "report").exists()
    real = playbook(play)
    assert real.returncode == 0, real.stdout[-3000:] + real.stderr[-3000:]
    files = dict((p.name, p.read_bytes()) for p in (tmp_path / "report").iterdir())
    again = playbook(play, "--check", "--diff")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "changed=0" in again.stdout, again.stdout[-3000:]
    assert "+++ after" not in again.stdout and "--- before" not in again.stdout
    assert dict((p.name, p.read_bytes()) for p in (tmp_path / "report").iterdir()) == files
    second = playbook(play)
    assert "changed=0" in second.stdout, second.stdout[-3000:]


@pytest.mark.matrix
@pytest.mark.parametrize("role_vars,words", [
    (dict(insight_report_start="now", insight_report_end="-7d"),
     ["insight_report_end must be after insight_report_start", "insight_report_start is 'now'",
      "insight_report_end is '-7d'"]),
    (dict(insight_report_time_zone="Mars/Olympus"), ["insight_report_time_zone: 'Mars/Olympus'"]),
])
def test_the_role_checks_its_variables_by_their_names_before_any_side_effect(
        sim, playbook, tmp_path, role_vars, words):
    run = playbook(role_play(tmp_path, **role_vars))
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert all(w in out for w in words), out[-3000:]
    assert "end_time" not in out and "start_time" not in out
    assert sim.requests() == [] and not (tmp_path / "report").exists()
