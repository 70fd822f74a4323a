# -*- coding: utf-8 -*-
"""The vendor's documented behaviour that our first simulator lacked: capped
totals, the 10,000-row export cap, a 2xx body with an error object, newer
fields, and export columns in an undocumented order. Every reading the
documents leave open is a simulator switch, and each is covered here."""

from __future__ import absolute_import, division, print_function

import math
import re

import pytest

from support import role_play, sim_figures
from ansible_collections.flashcat.flashduty.plugins.plugin_utils import export_columns as layout
from ansible_collections.flashcat.flashduty.plugins.module_utils.client import FlashdutyClient
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ApiError, ResponseFormatError
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_summary import export_batch_size
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export as export_module
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as schedule_module

SCHEDULES = "/schedule/list"
EXPORT = "/insight/team/export"
DAY = 86400
START = 1779667200  # 2026-05-25T00:00:00Z
SRE, PAYMENTS = 4295771902131, 4295771902132


# ------------------------------------------------------------------ paging
@pytest.mark.parametrize("count,requests", [(999, 10), (1000, 11), (1001, 11), (1234, 13)])
@pytest.mark.parametrize("concurrency", [1, 16])
def test_paging_reads_every_schedule_although_the_total_is_capped_at_1000(
        sim, conn, run_module, count, requests, concurrency):
    sim.config(schedules=count)
    result = run_module(schedule_module, dict(conn, concurrency=concurrency))
    assert "failed" not in result, result
    assert [s["schedule_id"] for s in result["schedules"]] == [s["schedule_id"] for s in sim_items(sim, count)]
    assert result["total"] == count and result["truncated"] is False
    log = sim.requests(SCHEDULES)
    pages = sorted(r["body"]["p"] for r in log)
    if concurrency == 1 or count < 1000:
        assert pages == list(range(1, requests + 1))
    else:
        # The count is unknown (total: 1000), so pages are fetched ahead: fewer wasted than the concurrency.
        assert len(set(pages)) == len(pages) and set(range(1, requests + 1)) <= set(pages)
        assert max(pages) < requests + concurrency
    assert set(r["total"] for r in log) == {min(count, 1000)}  # the server never said more than 1000
    assert "warnings" not in result


def sim_items(sim, count):
    """The simulator's own list, newest first, as the API orders it."""
    data = sim.sim.data
    return [{"schedule_id": data.schedule(i)["id"]} for i in data.all_indexes()]


def test_paging_with_exact_totals_stops_at_the_short_page(sim, conn, run_module):
    sim.config(schedules=1234, total_cap=0)
    result = run_module(schedule_module, dict(conn, concurrency=8))
    # 1234 is not under 1000, so it is not trusted either: fewer than the concurrency past page 13.
    assert result["total"] == 1234 and 13 <= len(sim.requests(SCHEDULES)) <= 13 + 7


def test_12000_schedules_give_the_10000_the_api_reaches_with_truncated_and_a_warning(sim, conn, run_module):
    sim.config(schedules=12000)
    result = run_module(schedule_module, conn)
    assert result["truncated"] is True and len(result["schedules"]) == 10000 and result["total"] == 10000
    log = sim.requests(SCHEDULES)
    assert len(log) == 100 and max(r["body"]["p"] * r["body"]["limit"] for r in log) == 10000
    assert all(r["status"] == 200 for r in log)
    warnings = result["warnings"]
    assert len(warnings) == 1, warnings
    assert "more than 10000" in warnings[0] and "truncated: true" in warnings[0] and "team_ids" in warnings[0]


def test_a_smaller_limit_still_stops_at_the_paging_cap(sim, conn, run_module):
    sim.config(schedules=10050)
    result = run_module(schedule_module, dict(conn, limit=40))
    assert result["truncated"] is True and len(result["schedules"]) == 10000
    assert max(r["body"]["p"] for r in sim.requests(SCHEDULES)) == 250


def test_page_set_returns_the_servers_total(sim, conn, run_module):
    sim.config(schedules=1234)
    result = run_module(schedule_module, dict(conn, page=2, limit=100))
    assert result["total"] == 1000 and len(result["schedules"]) == 100


# ------------------------------------------------------------ rate limits
def test_the_simulator_counts_each_endpoints_limit_in_a_sliding_window_of_arrivals(sim):
    # The documented limits are per account and endpoint: /schedule/list 50/s and 1,000/min, and the
    # companion endpoints the same each. Times are arrivals at the server, in seconds.
    server = sim.sim
    server.limits = server._limits("documented")  # pylint: disable=protected-access
    key = sim.app_key
    assert not any(server.rate_limited(key, SCHEDULES, 100 + i / 100.0) for i in range(50))  # 100.00 .. 100.49
    assert server.rate_limited(key, SCHEDULES, 100.99)  # a 51st within one second of the first
    # The other endpoints count on their own: the same second is theirs to use.
    assert not server.rate_limited(key, "/person/infos", 100.99)
    assert not server.rate_limited(key, "/team/infos", 100.99)
    # One second after the first, the first has left the window: one more fits, and no second one.
    assert not server.rate_limited(key, SCHEDULES, 101.0)
    assert server.rate_limited(key, SCHEDULES, 101.005)
    # A request a handler thread gets to late (it arrived before the ones counted already) is
    # counted against every window it falls in, not only the one that ends when it arrived.
    assert server.rate_limited(key, SCHEDULES, 100.6)


def test_a_51st_request_in_one_window_gets_429_over_http_and_another_endpoint_does_not(sim, conn):
    # Windows of an hour instead of a second, so that the machine's speed plays no part.
    sim.config(limits={SCHEDULES: [[50, 3600]], "/person/infos": [[50, 3600]]})
    client = FlashdutyClient(conn["app_key"], base_url=conn["base_url"], pacing=False, max_retries=0)
    for p in range(1, 51):
        client.post(SCHEDULES, {"p": p, "limit": 1})
    client.post("/person/infos", {"person_ids": [1]})
    with pytest.raises(ApiError) as caught:
        client.post(SCHEDULES, {"p": 51, "limit": 1})
    assert caught.value.code == "RequestTooFrequently"
    assert [r["status"] for r in sim.requests(SCHEDULES)][-2:] == [200, 429]
    assert [r["status"] for r in sim.requests("/person/infos")] == [200]


# ----------------------------------------------------- 2xx with an error
@pytest.mark.parametrize("code", ["", "0", "OK"])
def test_a_2xx_error_object_with_a_success_code_is_a_success(sim, tmp_path, code):
    sim.faults({"kind": "error_2xx", "error": {"code": code, "message": ""}, "data": {"items": [], "total": 0}})
    client = FlashdutyClient(sim.app_key, base_url=sim.url, pacing=False)
    assert client.post(SCHEDULES, {}).data == {"items": [], "total": 0}


@pytest.mark.parametrize("error", [{"code": "InternalError", "message": "db down"}, {"message": "quota"}, "boom"])
def test_a_2xx_error_object_with_another_code_is_a_failure(sim, conn, run_module, error):
    sim.faults({"kind": "error_2xx", "error": error, "data": {"items": [{"schedule_id": 1}], "total": 1}})
    result = run_module(schedule_module, dict(conn, max_retries=0))
    assert result["failed"] is True and "HTTP 200" in result["msg"]
    assert "schedules" not in result


def test_a_2xx_error_object_on_the_export_fails_and_writes_nothing(sim, conn, run_module, tmp_path):
    sim.faults({"kind": "error_2xx", "error": {"code": "NoLicense", "message": "upgrade"}, "path": EXPORT})
    dest = tmp_path / "insight.csv"
    result = run_module(export_module, dict(conn, start_time=START, end_time=START + DAY, dest=str(dest)))
    assert result["failed"] is True and result["error_code"] == "NoLicense"
    assert not dest.exists()


def test_client_rule_for_2xx_error_objects_directly():
    from ansible_collections.flashcat.flashduty.plugins.module_utils.client import is_success_error
    assert [is_success_error(e) for e in (None, {}, {"code": ""}, {"code": "0"}, {"code": 0}, {"code": "OK"})] \
        == [True] * 6
    assert [is_success_error(e) for e in ({"code": "ok"}, {"code": "Err"}, {"message": "x"}, "x", [1])] \
        == [False] * 5
    assert issubclass(ApiError, Exception)


# ------------------------------------------------------------ newer fields
def test_include_ever_muted_reaches_the_body(sim, conn, run_module):
    result = run_module(export_module, dict(conn, start_time=START, end_time=START + DAY, include_ever_muted=True))
    assert "failed" not in result, result
    assert sim.requests(EXPORT)[0]["body"]["include_ever_muted"] is True
    bad = run_module(export_module, dict(conn, start_time=START, end_time=START + DAY, include_ever_muted="perhaps"))
    assert bad["failed"] is True and "include_ever_muted" in bad["msg"]


# --------------------------------------------------------- export row cap
@pytest.mark.parametrize("teams,capped", [(9999, False), (10000, True), (10001, True)])
def test_an_export_at_the_10000_row_cap_is_reported_as_possibly_cut(sim, conn, run_module, teams, capped):
    sim.config(teams=teams)
    result = run_module(export_module, dict(conn, start_time=START, end_time=START + DAY, return_rows=False))
    assert result["row_count"] == min(teams, 10000)
    assert result["truncated"] is capped
    warnings = [w for w in result.get("warnings", []) if "10000 rows" in w]
    assert len(warnings) == (1 if capped else 0)
    if capped:
        assert "fewer teams" in warnings[0] and "aggregate_unit" in warnings[0] and "split_hours" in warnings[0]


def test_one_capped_window_of_split_range_marks_the_result(sim, conn, run_module):
    # 70 days by day: three windows; 160 teams x 31 days x 3 hour buckets > 10,000 in the first two.
    sim.config(teams=160)
    result = run_module(export_module, dict(conn, start_time=START, end_time=START + 70 * DAY, aggregate_unit="day",
                                            split_range=True, split_hours=True, return_rows=False))
    assert result["truncated"] is True and len(result["windows"]) == 3
    assert len([w for w in result["warnings"] if "10000 rows" in w]) == 2


@pytest.mark.parametrize("span_days,unit,hours,expected", [
    (7, "day", True, 100), (31, "day", True, 100), (70, "day", True, 100), (365, "week", True, 61),
    (365, "week", False, 100), (365, "month", True, 100), (1, None, False, 100),
])
def test_batch_size_keeps_every_export_under_the_cap(span_days, unit, hours, expected):
    size = export_batch_size(START, START + span_days * DAY, unit, hours)
    assert size == expected
    # The worst case the size allows: every window as long as the API lets it be.
    longest = min(span_days, 31 if unit == "day" else 365) * DAY
    buckets = math.ceil(longest / {"day": DAY, "week": 7 * DAY, "month": 28 * DAY}[unit]) + 1 if unit else 1
    assert size * buckets * (3 if hours else 1) < 10000


# The role's own rate limits are lifted here: this is about batching, and the 6 exports
# would otherwise wait out the documented 1 per second (pacing has tests of its own).
FAST_EXPORTS = """
  module_defaults:
    group/flashcat.flashduty.flashduty:
      rate_limits: {"/insight/team/export": ["100/1s"]}
"""


@pytest.mark.integration
def test_the_role_batches_teams_so_its_exports_stay_under_the_cap(sim, playbook, tmp_path):
    # A year by week with hour buckets: 61 teams a request, so 70 teams take 2 requests (the period
    # before, when compared, is batched by the same task: test_insight_report.py has it).
    sim.config(teams=70, schedules=70)
    play = role_play(tmp_path / "report", insight_report_start="2025-05-25", insight_report_end="2026-05-25",
                     insight_report_aggregate_unit="week", insight_report_compare=False)
    run = playbook(play.replace("  gather_facts: false\n", "  gather_facts: false\n" + FAST_EXPORTS.lstrip("\n"), 1))
    assert run.returncode == 0, run.stdout + run.stderr
    exports = sim.requests(EXPORT)
    assert sorted(len(r["body"]["team_ids"]) for r in exports) == [9, 61]
    assert "10000 rows" not in run.stdout


# ---------------------------------------------------------- export columns

# Every layout in-process here; the role itself runs with ("vendor", "last", "unix") in test_insight_report_pages.py,
# whose figures are all checked against the simulator's rows.
LAYOUTS = [("asked", "first", "date"), ("vendor", "last", "unix"), ("vendor", "first", "date"),
           ("asked", "last", "date"), ("vendor", "first", "unix")]


def role_vars():
    """The role's export fields, read from the role itself."""
    import os
    import yaml
    from support import ROOT
    with open(os.path.join(ROOT, "roles", "insight_report", "vars", "main.yml")) as handle:
        return yaml.safe_load(handle)["insight_report__fields"] + ["hours"]


def assert_teams_match(teams, expected):
    assert len(teams) == len(expected) == 12
    for team in teams:
        want = expected[team["team_id"]]
        assert team["incidents"] == want["incidents"]
        assert team["interruptions"] == want["interruptions"]
        assert team["mtta_seconds"] == want["mtta"] and team["mttr_seconds"] == want["mttr"]
        assert team["acknowledgement_pct"] == want["ack_pct"]
        assert team["interruptions_by_hours"] == want["hours"]


@pytest.mark.parametrize("order,position,form", LAYOUTS)
def test_the_report_filters_read_the_servers_rows_under_every_column_layout(sim, conn, run_module, order,
                                                                            position, form):
    """The export as the role asks for it, then what the role's filters insight_summary and
    insight_chart run, in-process (the filter plugin itself imports controller code, which would
    turn this process's module warnings into Ansible's display; plugin_utils does not)."""
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_chart import chart_svg
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_summary import summarize
    sim.config(column_order=order, bucket_position=position, bucket_format=form)
    start, end = 1777593600, 1777593600 + 14 * DAY  # 2026-05-01 to 2026-05-15
    fields = role_vars()
    result = run_module(export_module, dict(conn, start_time=start, end_time=end, time_zone="UTC",
                                            aggregate_unit="day", split_hours=True, split_range=True,
                                            export_fields=fields))
    assert "failed" not in result, result
    summary = summarize([result], fields, "UTC")
    expected, dummy = sim_figures(sim, start, end)
    assert_teams_match(summary["teams"], expected)
    chart = chart_svg(summary, "UTC", "day")
    assert ">Fri 2026-05-01<" in chart and not re.search(r">1[0-9]{9}<", chart)  # dates, never Unix seconds


@pytest.mark.integration
def test_an_unmappable_header_fails_the_role_with_one_line_and_no_report(sim, playbook, tmp_path):
    sim.config(column_order="reversed")
    run = playbook(role_play(tmp_path / "report"))
    assert run.returncode != 0
    out = run.stdout + run.stderr
    line = [ln for ln in out.splitlines() if "cannot map the export's columns" in ln]
    assert line, out
    assert "first row" in line[0] and "Team ID" in line[0]
    assert not (tmp_path / "report" / "report.html").exists()
    assert not (tmp_path / "report" / "team_insight.csv").exists()


# Unit-level: layouts the simulator does not produce.
FIELDS = ["team_id", "team_name", "total_incident_cnt", "total_incidents_acknowledged", "total_interruptions",
          "mean_seconds_to_ack"]


def rows_of(columns, records):
    return [dict(zip(columns, r)) for r in records]


def test_a_header_of_keys_is_mapped_by_name_in_any_order():
    cols = ["mean_seconds_to_ack", "team_id", "total_interruptions", "team_name", "total_incidents_acknowledged",
            "total_incident_cnt"]
    mapping = layout.map_columns(cols, rows_of(cols, [[30.0, SRE, 3, "SRE", 1, 2]]), FIELDS, [SRE])
    assert mapping == dict((c, c) for c in cols)


def test_a_bucket_column_in_the_middle_is_found_by_its_values():
    cols = ["A", "B", "When", "C", "D", "E", "F"]
    rows = rows_of(cols, [[SRE, "SRE", "2026-05-01", 5, 3, 7, 12.5], [PAYMENTS, "Pay", "2026-05-02", 4, 4, 0, 1.0]])
    mapping = layout.map_columns(cols, rows, FIELDS, [SRE, PAYMENTS], bucket=True)
    assert mapping["period"] == "When" and mapping["total_incident_cnt"] == "C"
    keyed = layout.keyed_rows(rows, mapping, "Asia/Shanghai")
    assert keyed[0]["period"] == 1777564800  # 2026-05-01 00:00 in Shanghai


@pytest.mark.parametrize("records,words", [
    ([[SRE, "SRE", 2, 3, 1, 10.0]], "more than the 2 incidents"),
    ([[12345, "SRE", 2, 1, 1, 10.0]], "not one of the team ids"),
    ([[SRE, "SRE", 2.5, 1, 1, 10.0]], "not a count"),
])
def test_rows_that_break_a_fields_rule_are_refused(records, words):
    cols = ["a", "b", "c", "d", "e", "f"]
    with pytest.raises(ResponseFormatError) as info:
        layout.map_columns(cols, rows_of(cols, records), FIELDS, [SRE])
    assert words in str(info.value) and "\n" not in str(info.value)


def test_a_header_with_the_wrong_number_of_columns_is_refused():
    with pytest.raises(ResponseFormatError) as info:
        layout.map_columns(["a", "b"], [], FIELDS, [SRE], bucket=True)
    assert "has 2 (a, b) but 7 were asked for" in str(info.value)
