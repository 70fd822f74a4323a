# -*- coding: utf-8 -*-
"""flashduty_schedule_info against the simulator: paging, the paging cap,
filters in the request body, the on-call summary, validation, check mode."""

from __future__ import absolute_import, division, print_function

import json
import math
import time

import pytest

from flashduty_simulator import DELETED_PERSONS, DataSet  # the simulator's data model is the oracle
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as module

PATH = "/schedule/list"
NOW = 1779667200  # 2026-05-25T00:00:00Z, the simulator's clock in these tests
DAY = 86400


@pytest.mark.matrix
def test_fetches_every_schedule_in_the_fewest_requests(sim, conn, run_module):
    sim.config(schedules=345)
    result = run_module(module, conn)
    assert result["changed"] is False and result["truncated"] is False
    assert result["total"] == 345 and len(result["schedules"]) == 345
    assert len(set(s["schedule_id"] for s in result["schedules"])) == 345
    requests = sim.requests(PATH)
    assert len(requests) == math.ceil(345 / 100.0)
    # Pages 2 to 4 go out together (concurrency), so they may arrive in any order.
    assert sorted((r["body"]["p"], r["body"]["limit"]) for r in requests) == [(1, 100), (2, 100), (3, 100), (4, 100)]
    # The page requests, then the team-name look-up (resolve_names).
    assert sorted(result["request_ids"]) == sorted(r["request_id"] for r in sim.requests())
    assert [r["path"] for r in sim.requests()][-1] == "/team/infos"


def test_more_than_10000_matches_are_truncated_with_a_warning(sim, conn, run_module):
    sim.config(schedules=10250, total_cap=0)  # a server with exact totals: still only what was read
    result = run_module(module, conn)
    assert result["truncated"] is True
    assert result["total"] == 10000 and len(result["schedules"]) == 10000
    requests = sim.requests(PATH)
    assert len(requests) == 100
    assert max(r["body"]["p"] * r["body"]["limit"] for r in requests) == 10000
    assert all(r["status"] == 200 for r in requests)
    (warning,) = result["warnings"]
    assert "more than 10000" in warning and "first 10000" in warning and "team_ids" in warning


@pytest.mark.matrix
def test_each_option_reaches_the_request_body(sim, conn, run_module):
    args = dict(conn, query="sre", team_ids=[4295771902131, 4295771902143], is_my_team=True,
                start="2026-05-25T00:00:00Z", end="2026-06-01T00:00:00Z", page=2, limit=7)
    result = run_module(module, args)
    assert "failed" not in result, result
    (request,) = sim.requests(PATH)
    assert request["body"] == {"query": "sre", "team_ids": [4295771902131, 4295771902143], "is_my_team": True,
                               "start": NOW, "end": NOW + 7 * DAY, "p": 2, "limit": 7}
    args = dict(conn, is_my_manage=True, is_my_team=False)
    run_module(module, args)
    assert sim.requests(PATH)[-1]["body"] == {"is_my_manage": True, "is_my_team": False, "p": 1, "limit": 100}


@pytest.mark.matrix
def test_page_fetches_that_page_only(sim, conn, run_module):
    result = run_module(module, dict(conn, page=3, limit=20))
    assert len(sim.requests(PATH)) == 1
    assert len(result["schedules"]) == 20 and result["total"] == 300
    everything = run_module(module, conn)["schedules"]
    assert [s["schedule_id"] for s in result["schedules"]] == [s["schedule_id"] for s in everything[40:60]]


@pytest.mark.matrix
def test_name_keeps_only_the_exact_match_and_is_sent_as_query(sim, conn, run_module):
    name = "sre-oncall-00012"
    result = run_module(module, dict(conn, name=name))
    assert [s["schedule_name"] for s in result["schedules"]] == [name]
    assert sim.requests(PATH)[0]["body"]["query"] == name
    # "sre-oncall-0001" alone would also match 00010..00019 in the server's fuzzy search.
    assert run_module(module, dict(conn, name="sre-oncall-0001"))["schedules"] == []


@pytest.mark.matrix
def test_oncall_summary_for_a_window(sim, conn, run_module):
    sim.config(now=NOW + 3600)
    result = run_module(module, dict(conn, start="-1d", end="+6d", team_ids=[4295771902131]))
    data = DataSet()
    assert result["oncall"] and len(result["oncall"]) == len(result["schedules"])
    checked = 0
    for entry in result["oncall"]:
        sched = data.schedule((entry["schedule_id"] - 5432326025106) // 7919)
        assert entry["schedule_name"] == sched["name"] and entry["team_id"] == sched["team_id"]
        if not sched["groups"]:
            assert entry["current"] is None and entry["next"] is None
            continue
        start, end, group = DataSet.shift_at(sched, NOW + 3600)
        persons = []
        for member in group["members"]:
            persons += [p for p in member["person_ids"] if p not in persons]
        current = dict(entry["current"])
        named = current.pop("persons")
        assert current == {"start": start, "end": end, "group_name": group["group_name"], "person_ids": persons}
        # Names from the simulator's own people; deleted ones keep their id with no name.
        assert [p["person_id"] for p in named] == persons
        for person in named:
            index = data.person_index(person["person_id"])
            expected = None if index in DELETED_PERSONS else DataSet.person_name(index)
            assert person["person_name"] == expected
        assert entry["team_name"] == [t["team_name"] for t in data.teams if t["team_id"] == sched["team_id"]][0]
        assert entry["next"]["start"] == end
        checked += 1
    assert checked >= 20


@pytest.mark.matrix
def test_return_schedules_false_leaves_out_only_the_schedules(sim, conn, run_module):
    sim.config(now=NOW + 3600, schedules=345)
    args = dict(conn, start="-1d", end="+6d")
    full = run_module(module, args)
    before = len(sim.requests())
    lean = run_module(module, dict(args, return_schedules=False))
    assert "schedules" not in lean and len(full["schedules"]) == 345
    # The same requests, and the same answer otherwise.
    assert len(sim.requests()) - before == before
    for key in ("total", "truncated", "oncall", "persons", "team_ids"):
        assert lean[key] == full[key], key
    assert sum(1 for entry in lean["oncall"] if entry["current"]) >= 20


@pytest.mark.matrix
def test_null_list_fields_come_back_as_empty_lists(sim, conn, run_module):
    result = run_module(module, dict(conn, limit=10, page=1))
    for item in result["schedules"]:
        assert isinstance(item["schedule_layers"], list)
        assert isinstance(item["final_schedule"]["schedules"], list)
        assert isinstance(item["notify"]["webhooks"], list)
        assert isinstance(item["notify"]["by"]["personal_channels"], list)
    assert any(item["layers"] == [] for item in run_module(module, conn)["schedules"])


def test_schedules_that_shift_between_pages_are_not_duplicated(sim, conn, run_module):
    # Five schedules are created right after page 1 is served: the old items
    # shift towards later pages, so page 2 repeats five of page 1.
    sim.faults({"kind": "add_schedules", "count": 5, "path": PATH, "times": 1})
    result = run_module(module, conn)
    ids = [s["schedule_id"] for s in result["schedules"]]
    assert len(ids) == len(set(ids))
    assert len(ids) == 300  # the five new ones sit before page 1 and are not seen
    assert result["total"] == 300  # what was read, not the server's figure
    assert any("changed while paging" in w and "300 -> 305" in w for w in result["warnings"])


@pytest.mark.parametrize("args,option", [
    (dict(is_my_team=True, is_my_manage=True), "is_my_manage"),
    (dict(start="2026-05-25", end="2026-05-24"), "end"),
    (dict(start="2026-05-01", end="2026-06-16"), "end"),
    (dict(start="now"), "end"),
    (dict(limit=0), "limit"),
    (dict(limit=float("inf")), "limit"),
    (dict(team_ids=[1, "-Infinity"]), "team_ids"),
    (dict(limit=101), "limit"),
    (dict(page=0), "page"),
    (dict(page=101), "page"),
    (dict(start="next tuesday", end="now"), "start"),
    (dict(max_retries=-1), "max_retries"),
    (dict(base_url="ftp://example"), "base_url"),
    (dict(rate_limits={"/schedule/list": ["fast"]}), "rate_limits"),
])
@pytest.mark.matrix
def test_invalid_input_fails_naming_the_option_and_sends_nothing(sim, conn, run_module, args, option):
    result = run_module(module, dict(conn, **args))
    assert result["failed"] is True
    # Our own checks start with the option; ansible-core's type errors quote it.
    assert result["msg"].startswith(option) or "'%s'" % option in result["msg"], result["msg"]
    assert "Traceback" not in json.dumps(result)
    assert sim.requests() == []


@pytest.mark.matrix
def test_ansible_type_errors_name_the_option(sim, conn, run_module):
    result = run_module(module, dict(conn, team_ids=["abc"]))
    assert result["failed"] is True and "team_ids" in result["msg"]
    assert sim.requests() == []


@pytest.mark.matrix
def test_check_mode_reads_as_usual(sim, conn, run_module):
    result = run_module(module, dict(conn, page=1, limit=5), check_mode=True)
    assert result["changed"] is False and len(result["schedules"]) == 5
    assert len(sim.requests(PATH)) == 1


@pytest.mark.matrix
def test_api_errors_fail_with_code_and_request_id(sim, conn, run_module):
    sim.faults({"kind": "status", "status": 401, "code": "Unauthorized", "message": "bad key", "times": 1})
    result = run_module(module, conn)
    assert result["failed"] is True
    request_id = sim.requests()[0]["request_id"]
    assert result["error_code"] == "Unauthorized" and result["status"] == 401
    assert result["request_id"] == request_id and request_id in result["msg"]


@pytest.mark.integration
@pytest.mark.matrix
def test_playbook_registers_the_result(sim, playbook, tmp_path):
    out = tmp_path / "result.json"
    run = playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Who is on call for the next day
      flashcat.flashduty.flashduty_schedule_info:
        start: now
        end: +1d
        team_ids: [4295771902131]
      register: roster
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ roster | to_json }}"
        dest: %s
""" % out)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert result["changed"] is False and result["total"] == 25
    assert len(result["oncall"]) == 25
    assert any(entry["current"] for entry in result["oncall"])
    assert sim.app_key not in run.stdout + run.stderr


@pytest.mark.matrix
def test_a_multi_line_server_message_fails_on_one_line(sim, conn, run_module):
    sim.faults({"kind": "status", "status": 400, "code": "InvalidParameter", "message": "bad\nquery\r\nvalue",
                "times": 1})
    result = run_module(module, conn)
    assert result["failed"] is True and "bad query value" in result["msg"] and "\n" not in result["msg"]


@pytest.mark.matrix
def test_a_lone_infinite_value_for_a_list_of_ids_fails_naming_the_option(sim, conn, run_module):
    # Found by hypothesis: ansible-core turns the scalar into a list and crashes converting 'inf'.
    result = run_module(module, dict(conn, team_ids=float("inf")))
    assert result["failed"] is True and "team_ids" in result["msg"]
    assert "Traceback" not in json.dumps(result) and sim.requests() == []


def test_concurrent_pages_reuse_a_pool_of_connections(sim, conn, run_module):
    sim.config(schedules=3000)
    result = run_module(module, dict(conn, concurrency=8, resolve_names=False))
    assert len(result["schedules"]) == 3000
    log = sim.requests(PATH)
    peers = set(r["peer"] for r in log)
    # One connection per thread at most, each kept for many requests (no "pool is full" churn).
    assert len(log) >= 30 and len(peers) <= 8
    assert not [w for w in result.get("warnings", []) if "pool" in w.lower()]


@pytest.mark.matrix
def test_concurrency_outside_its_range_fails_before_any_request(sim, conn, run_module):
    for value in (0, 51):
        result = run_module(module, dict(conn, concurrency=value))
        assert result["failed"] is True and result["msg"] == "concurrency: must be from 1 to 50, got %d" % value
    assert sim.requests() == []


@pytest.mark.matrix
def test_a_reversed_window_echoes_the_times_as_written(sim, conn, run_module):
    result = run_module(module, dict(conn, start="now", end="-1d"))
    assert result["failed"] is True
    assert result["msg"].startswith("end: must be after start 'now' (20") and ", got '-1d' (20" in result["msg"]
    assert sim.requests() == []


@pytest.mark.matrix
def test_a_listing_without_a_window_says_how_to_get_who_is_on_call(sim, conn, run_module):
    from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import NO_WINDOW
    bare = run_module(module, dict(conn, return_schedules=False, resolve_names=False))
    assert bare["oncall"] and all(o["current"] is None and o["next"] is None for o in bare["oncall"])
    assert bare["oncall_note"] == NO_WINDOW and "start: now, end: +1d" in NO_WINDOW
    assert "oncall_note" in module.RETURN and "O(start=now) and O(end=+1d)" in module.DOCUMENTATION
    windowed = run_module(module, dict(conn, start="now", end="+1d", return_schedules=False, resolve_names=False))
    assert windowed["oncall_note"] is None and any(o["current"] for o in windowed["oncall"])


@pytest.mark.parametrize("date_header", [True, False])
def test_read_at_is_the_servers_clock_or_else_this_hosts(sim, conn, run_module, date_header):
    # The "now" of current and next, which the report prints: the server's Date header, frozen here at the
    # simulator's now a year back, so that the same data gives the same report; without the header, this host's.
    sim.config(now=1779667200, date_header=date_header)
    before = int(time.time())
    result = run_module(module, dict(conn, start="now", end="+1d", return_schedules=False, resolve_names=False))
    if date_header:
        assert result["read_at"] == 1779667200
    else:
        assert before <= result["read_at"] <= time.time()


def test_the_documented_time_forms_are_the_accepted_ones():
    import yaml
    options = yaml.safe_load(module.DOCUMENTATION)["options"]
    text = " ".join(options["start"]["description"])
    for form in ("V(now)", "V(today)", "V(today-7d)", "V(2026-05-01)", "V(-2h)", "ISO 8601", "Unix seconds"):
        assert form in text, form
    assert "same forms as O(start)" in " ".join(options["end"]["description"])
