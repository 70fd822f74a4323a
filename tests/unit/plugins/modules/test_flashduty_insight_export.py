# -*- coding: utf-8 -*-
"""flashduty_insight_export against the simulator: file and rows,
idempotence, CSV edge cases, the JSON-envelope variant, split ranges,
validation, failures that must not touch dest, and check mode."""

from __future__ import absolute_import, division, print_function

import hashlib
import json
import os
import stat
from datetime import datetime

import pytest

from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export as module

PATH = "/insight/team/export"
DAY = 86400
START = 1779667200  # 2026-05-25T00:00:00Z


@pytest.fixture
def args(conn, tmp_path):
    return dict(conn, start_time=START, end_time=START + 7 * DAY, dest=str(tmp_path / "out" / "insight.csv"),
                pacing=False)


@pytest.fixture(autouse=True)
def out_dir(tmp_path):
    (tmp_path / "out").mkdir()


def leftovers(directory):
    return [n for n in os.listdir(directory) if n.startswith(".flashduty-export-")]


@pytest.mark.matrix
def test_exports_to_dest_and_as_rows(sim, args, run_module, tmp_path):
    result = run_module(module, args)
    assert result["changed"] is True, result
    raw = open(args["dest"], "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert result["checksum"] == hashlib.sha1(raw).hexdigest() and result["size"] == len(raw)
    assert result["columns"][:3] == ["Team ID", "Team Name", "Total Incidents"]
    assert result["row_count"] == len(result["rows"]) == 12
    names = [row["Team Name"] for row in result["rows"]]
    assert "Payments, EU" in names and u"运维团队" in names and 'Data "Lake"' in names
    assert all(isinstance(row["Team ID"], int) and isinstance(row["MTTA (s)"], float) for row in result["rows"])
    assert result["windows"] == [[START, START + 7 * DAY]]
    (request,) = sim.requests(PATH)
    assert result["request_ids"] == [request["request_id"]]
    assert request["body"] == {"start_time": START, "end_time": START + 7 * DAY}
    assert leftovers(str(tmp_path / "out")) == []


@pytest.mark.matrix
def test_second_run_is_unchanged_and_does_not_rewrite(sim, args, run_module):
    run_module(module, args)
    before = os.stat(args["dest"])
    os.utime(args["dest"], (before.st_atime - 100, before.st_mtime - 100))
    result = run_module(module, args)
    assert result["changed"] is False
    assert os.stat(args["dest"]).st_mtime == before.st_mtime - 100


@pytest.mark.matrix
def test_file_attributes_are_applied(sim, args, run_module):
    result = run_module(module, dict(args, mode="0640"))
    assert stat.S_IMODE(os.stat(args["dest"]).st_mode) == 0o640
    again = run_module(module, dict(args, mode="0600"))
    assert again["changed"] is True and stat.S_IMODE(os.stat(args["dest"]).st_mode) == 0o600
    assert result["checksum"] == again["checksum"]


@pytest.mark.matrix
def test_every_option_reaches_the_body_with_its_api_name(sim, args, run_module):
    options = dict(team_ids=[4295771902131], channel_ids=[1, 2], responder_ids=[3], severities=["Critical", "Ok"],
                   incident_ids=["0123456789abcdef01234567"], query="db", labels={"env": "prod"},
                   fields={"region": "eu"}, orderby="created_at", asc=True, is_my_team=False,
                   time_zone="Asia/Shanghai", seconds_to_close_from=1, seconds_to_close_to=9,
                   seconds_to_ack_from=2, seconds_to_ack_to=8, export_fields=["team_name", "total_incident_cnt"],
                   description_html_to_text=True, split_hours=True, aggregate_unit="week")
    result = run_module(module, dict(args, **options))
    assert "failed" not in result, result
    (request,) = sim.requests(PATH)
    assert request["body"] == dict(options, start_time=START, end_time=START + 7 * DAY)
    assert result["columns"] == ["Period", "Team Name", "Total Incidents", "Hours"]


@pytest.mark.matrix
def test_times_accept_the_same_forms_as_the_schedule_module(sim, args, run_module):
    run_module(module, dict(args, start_time="2026-05-25T08:00:00+08:00", end_time="2026-05-26"))
    assert sim.requests(PATH)[0]["body"]["start_time"] == START
    assert sim.requests(PATH)[0]["body"]["end_time"] == START + DAY
    run_module(module, dict(args, start_time="-7d", end_time="now"))
    body = sim.requests(PATH)[1]["body"]
    assert body["end_time"] - body["start_time"] == 7 * DAY


@pytest.mark.matrix
def test_language_is_sent_and_names_the_columns(sim, args, run_module):
    result = run_module(module, dict(args, language="zh-CN", dest=None))
    assert sim.requests(PATH)[0]["accept_language"] == "zh-CN"
    assert result["columns"][:2] == [u"团队ID", u"团队名称"]
    assert result["dest"] is None and result["changed"] is False and result["row_count"] == 12


@pytest.mark.matrix
def test_return_rows_false_still_counts(sim, args, run_module):
    result = run_module(module, dict(args, return_rows=False))
    assert "rows" not in result and result["row_count"] == 12 and result["columns"]


@pytest.mark.matrix
def test_json_envelope_instead_of_csv_warns_and_gives_zero_rows(sim, args, run_module):
    with open(args["dest"], "wb") as handle:
        handle.write(b"old,report\r\n")
    sim.faults({"kind": "json_empty", "path": PATH, "times": 1})
    result = run_module(module, args)
    assert result["changed"] is False and result["rows"] == [] and result["row_count"] == 0
    assert any("JSON envelope" in w for w in result["warnings"])
    assert open(args["dest"], "rb").read() == b"old,report\r\n"


@pytest.mark.matrix
def test_the_result_says_what_was_asked_so_the_summary_needs_no_invocation(sim, args, run_module):
    # ansible-core 2.21 no longer puts the module's arguments in a result (invocation).
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_summary import REPORT_FIELDS, summarize
    sim.config(column_order="vendor", bucket_position="last")
    result = run_module(module, dict(args, team_ids=[4295771902131, 4295771902132], aggregate_unit="day",
                                     export_fields=list(reversed(REPORT_FIELDS))))
    assert result["team_ids"] == [4295771902131, 4295771902132] and result["aggregate_unit"] == "day"
    result.pop("invocation", None)
    summary = summarize([result], REPORT_FIELDS, "UTC")
    assert sorted(t["team_id"] for t in summary["teams"]) == [4295771902131, 4295771902132]
    by_team = {}
    for row in result["rows"]:
        by_team[row["Team ID"]] = by_team.get(row["Team ID"], 0) + row["Total Incidents"]
    assert {t["team_id"]: t["incidents"] for t in summary["teams"]} == by_team
    plain = run_module(module, dict(args, force=True, dest=args["dest"] + ".2"))
    assert plain["team_ids"] == [] and plain["aggregate_unit"] is None


def test_split_range_90_days_by_day_makes_3_requests_at_local_midnight(sim, args, run_module):
    zone = get_zone("Asia/Shanghai")
    start = int(datetime(2026, 2, 1, tzinfo=zone).timestamp())
    result = run_module(module, dict(args, start_time=start, end_time=start + 90 * DAY, aggregate_unit="day",
                                     split_range=True, time_zone="Asia/Shanghai",
                                     export_fields=["team_id", "team_name", "total_incident_cnt"]))
    assert "failed" not in result, result
    requests = sim.requests(PATH)
    assert len(requests) == 3 and len(result["windows"]) == 3
    assert [[r["body"]["start_time"], r["body"]["end_time"]] for r in requests] == result["windows"]
    for window in result["windows"]:
        assert window[1] - window[0] <= 31 * DAY
        for edge in window:
            assert datetime.fromtimestamp(edge, zone).strftime("%H:%M") == "00:00"
    raw = open(args["dest"], "rb").read()
    assert raw.count(b"Team Name") == 1 and raw.count(b"\xef\xbb\xbf") == 1
    assert result["row_count"] == 90 * 12
    periods = sorted(set(row["Period"] for row in result["rows"]))
    assert len(periods) == 90 and periods[0] == "2026-02-01" and periods[-1] == "2026-05-01"


@pytest.mark.matrix
def test_too_long_range_without_aggregate_unit_is_refused(sim, args, run_module):
    result = run_module(module, dict(args, end_time=START + 400 * DAY, split_range=True))
    assert result["failed"] is True and result["msg"].startswith("split_range")
    assert sim.requests() == []


@pytest.mark.parametrize("extra,option", [
    (dict(start_time=0), "start_time"),
    (dict(end_time=START - 1), "end_time"),
    (dict(end_time=START + 366 * DAY), "end_time"),
    (dict(team_ids=list(range(101))), "team_ids"),
    (dict(channel_ids=list(range(101))), "channel_ids"),
    (dict(responder_ids=list(range(101))), "responder_ids"),
    (dict(severities=["Critical", "Warning", "Info"] + ["Ok"]), "severities"),
    (dict(severities=["Fatal"]), "severities"),
    (dict(incident_ids=["not-an-object-id"]), "incident_ids"),
    (dict(export_fields=["team_name"] * 51), "export_fields"),
    (dict(seconds_to_close_from=5, seconds_to_close_to=5), "seconds_to_close_to"),
    (dict(seconds_to_ack_from=5, seconds_to_ack_to=1), "seconds_to_ack_to"),
    (dict(aggregate_unit="day", end_time=START + 3600), "aggregate_unit"),
    (dict(aggregate_unit="day", end_time=START + 40 * DAY), "aggregate_unit"),
    (dict(time_zone="Not/AZone"), "time_zone"),
    (dict(start_time="whenever"), "start_time"),
    (dict(timeout=0), "timeout"),
    (dict(language="en\r\nX-Injected: 1"), "language"),
    (dict(dest="/nonexistent-folder/insight.csv"), "dest"),
])
@pytest.mark.matrix
def test_every_rule_rejects_bad_input_before_sending(sim, args, run_module, extra, option):
    result = run_module(module, dict(args, **extra))
    assert result["failed"] is True
    assert option in result["msg"], result["msg"]
    assert sim.requests() == []
    assert not os.path.exists(args["dest"])


@pytest.mark.matrix
def test_failure_mid_download_leaves_dest_byte_for_byte_intact(sim, args, run_module, tmp_path):
    previous = b"\xef\xbb\xbfprevious report\r\n"
    with open(args["dest"], "wb") as handle:
        handle.write(previous)
    sim.faults({"kind": "reset", "path": PATH, "times": 10})
    result = run_module(module, dict(args, max_retries=1, return_rows=True))
    assert result["failed"] is True and "after 2 attempts" in result["msg"]
    assert open(args["dest"], "rb").read() == previous
    assert leftovers(str(tmp_path / "out")) == []


@pytest.mark.matrix
def test_failure_in_a_later_window_leaves_nothing_behind(sim, args, run_module, tmp_path):
    # The first window is served normally (a zero-delay fault), the second is refused.
    sim.faults({"kind": "slow", "delay": 0, "path": PATH, "times": 1},
               {"kind": "status", "status": 403, "code": "AccessDenied", "path": PATH, "times": 1})
    result = run_module(module, dict(args, end_time=START + 60 * DAY, aggregate_unit="day", split_range=True))
    assert result["failed"] is True and result["error_code"] == "AccessDenied"
    assert len(sim.requests(PATH)) == 2
    assert not os.path.exists(args["dest"]) and leftovers(str(tmp_path / "out")) == []


@pytest.mark.matrix
def test_check_mode_reads_the_export_returns_the_rows_and_leaves_dest_alone(sim, args, run_module, tmp_path):
    result = run_module(module, args, check_mode=True)
    assert result["changed"] is True and result["row_count"] == len(result["rows"]) == 12
    assert not os.path.exists(args["dest"]) and leftovers(str(tmp_path / "out")) == []
    assert len(sim.requests(PATH)) == 1
    real = run_module(module, args)
    assert real["changed"] is True and real["rows"] == result["rows"] and real["checksum"] == result["checksum"]
    # The file is as a real run writes it: check mode predicts no change, and does not touch it.
    before = os.stat(args["dest"])
    again = run_module(module, args, check_mode=True)
    assert again["changed"] is False and again["rows"] == real["rows"] and "diff" not in again
    assert os.stat(args["dest"]).st_mtime == before.st_mtime
    with open(args["dest"], "wb") as handle:
        handle.write(b"x")
    assert run_module(module, args, check_mode=True)["changed"] is True
    assert open(args["dest"], "rb").read() == b"x"
    kept = run_module(module, dict(args, force=False), check_mode=True)
    assert kept["changed"] is False and kept["row_count"] == 0


@pytest.mark.matrix
def test_check_mode_reports_a_mode_change_without_applying_it(sim, args, run_module):
    run_module(module, dict(args, mode="0644"))
    result = run_module(module, dict(args, mode="0600"), check_mode=True)
    assert result["changed"] is True
    assert stat.S_IMODE(os.stat(args["dest"]).st_mode) == 0o644


@pytest.mark.matrix
def test_diff_mode_shows_a_unified_diff_of_dest_with_line_counts(sim, args, run_module):
    with open(args["dest"], "wb") as handle:
        handle.write(b"Team ID,Team Name\r\n7,Kept\r\n")
    result = run_module(module, dict(args, _ansible_diff=True), check_mode=True)
    text = result["diff"]["prepared"]
    head, body = text.split("\n", 1)
    assert head == "%s: 2 lines -> 13 lines (13 added, 2 removed)" % args["dest"]
    assert "--- %s" % args["dest"] in body and "-7,Kept" in body and "+4295771902131,SRE," in body
    assert open(args["dest"], "rb").read() == b"Team ID,Team Name\r\n7,Kept\r\n"
    new = run_module(module, dict(args, _ansible_diff=True, dest=args["dest"] + ".new"))
    assert new["diff"]["prepared"].startswith("%s.new: 0 lines -> 13 lines (13 added, 0 removed)" % args["dest"])
    assert "--- /dev/null" in new["diff"]["prepared"]
    same = run_module(module, dict(args, _ansible_diff=True, dest=args["dest"] + ".new"), check_mode=True)
    assert same["changed"] is False and "diff" not in same


def test_a_large_diff_is_cut_and_a_huge_file_compared_by_line_counts(tmp_path):
    from ansible_collections.flashcat.flashduty.plugins.module_utils.insight import file_diff
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    before.write_text("".join("%d,old\r\n" % i for i in range(1000)))
    after.write_text("".join("%d,new\r\n" % i for i in range(1200)))
    text = file_diff(str(before), str(after), "/r/x.csv")["prepared"]
    lines = text.splitlines()
    assert lines[0] == "/r/x.csv: 1000 lines -> 1200 lines (1200 added, 1000 removed)"
    assert len(lines) == 1 + 200 + 1 and lines[-1] == "... %d more lines of the diff not shown" % (2203 - 200)
    huge = file_diff(str(before), str(after), "/r/x.csv", max_bytes=100)["prepared"]
    assert huge == "/r/x.csv: 1000 lines -> 1200 lines (over 100 bytes: no line-by-line diff)\n"


@pytest.mark.matrix
def test_force_false_keeps_an_existing_file_and_reads_its_rows(sim, args, run_module):
    with open(args["dest"], "wb") as handle:
        handle.write(b"Team ID,Team Name\r\n7,Kept\r\n")
    result = run_module(module, dict(args, force=False))
    assert result["changed"] is False and result["rows"] == [{"Team ID": 7, "Team Name": "Kept"}]
    assert sim.requests() == []


@pytest.mark.integration
@pytest.mark.matrix
def test_playbook_writes_the_file_and_registers_the_result(sim, playbook, tmp_path):
    dest = tmp_path / "report" / "team.csv"
    dest.parent.mkdir()
    out = tmp_path / "result.json"
    text = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Export a week
      flashcat.flashduty.flashduty_insight_export:
        start_time: "2026-05-25"
        end_time: "2026-06-01"
        team_ids: [4295771902131, 4295771902132]
        dest: %s
      register: insight
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ insight | to_json }}"
        dest: %s
      changed_when: false  # test plumbing: request ids differ per run
""" % (dest, out)
    run = playbook(text)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert result["changed"] is True and result["row_count"] == 2
    assert [row["Team Name"] for row in result["rows"]] == ["SRE", "Payments, EU"]
    assert hashlib.sha1(dest.read_bytes()).hexdigest() == result["checksum"]
    again = playbook(text)
    assert again.returncode == 0 and "changed=0" in again.stdout and "changed=1" not in again.stdout
    assert json.loads(out.read_text())["changed"] is False


@pytest.mark.matrix
def test_a_reversed_range_echoes_the_times_as_written_beside_their_values(sim, args, run_module):
    result = run_module(module, dict(args, start_time="now", end_time="-7d"))
    msg = result["msg"]
    assert result["failed"] is True and "\n" not in msg
    assert msg.startswith("end_time: must be after start_time 'now' (20") and ", got '-7d' (20" in msg
    assert sim.requests() == []


@pytest.mark.matrix
def test_a_missing_app_key_names_flashduty_app_key_before_any_request(sim, args, run_module, monkeypatch):
    monkeypatch.delenv("FLASHDUTY_APP_KEY", raising=False)
    args.pop("app_key")
    result = run_module(module, args)
    assert result["failed"] is True and "FLASHDUTY_APP_KEY" in result["msg"] and "app_key" in result["msg"]
    assert "missing required arguments" not in result["msg"]
    assert sim.requests() == []


@pytest.mark.matrix
@pytest.mark.parametrize("from_env", [True, False])
def test_an_empty_app_key_is_refused_before_any_request(sim, args, run_module, monkeypatch, from_env):
    if from_env:
        args.pop("app_key")
        monkeypatch.setenv("FLASHDUTY_APP_KEY", "")
    else:
        args["app_key"] = ""
        monkeypatch.delenv("FLASHDUTY_APP_KEY", raising=False)
    result = run_module(module, args)
    assert result["failed"] is True
    assert result["msg"].startswith("app_key: FLASHDUTY_APP_KEY is set but empty" if from_env
                                    else "app_key: app_key is empty"), result["msg"]
    assert sim.requests() == []


@pytest.mark.matrix
def test_a_team_name_given_as_an_id_points_to_team_names(sim, args, run_module):
    result = run_module(module, dict(args, team_ids=["SRE", 4295771902131]))
    assert result["failed"] is True
    assert result["msg"] == "team_ids: 'SRE' is not a number; to choose teams by name, use team_names: [\"SRE\"]"
    assert sim.requests() == []
    # Ids written as text stay ids.
    assert "failed" not in run_module(module, dict(args, team_ids=["4295771902131"]))


@pytest.mark.matrix
def test_a_dest_where_no_file_can_be_made_is_named_not_a_temporary_file(sim, args, run_module):
    result = run_module(module, dict(args, dest="/proc/x.csv"))
    assert result["failed"] is True
    # As root the folder looks writable and only making a file there fails; otherwise the folder check says so.
    assert result["msg"].startswith(("dest: cannot write /proc/x.csv: no file can be created in /proc (",
                                     "dest: the folder /proc is not writable")), result["msg"]
    assert ".part" not in result["msg"] and ".probe" not in result["msg"] and ".flashduty" not in result["msg"]
    assert sim.requests() == []


@pytest.fixture
def paced(waits, monkeypatch):
    """The pacer on the fake clock of ``waits`` too: its waits are recorded, not slept."""
    from ansible_collections.flashcat.flashduty.plugins.module_utils import pacing_file
    monkeypatch.setattr(pacing_file, "time", waits)
    return waits


@pytest.mark.matrix
@pytest.mark.parametrize("limit,wait,warned", [("1/1s", 2.2, False), ("1/6s", 12.2, True)])
def test_the_seconds_waited_for_rate_limit_slots_are_in_the_result_and_over_10_s_warned(
        sim, args, run_module, paced, limit, wait, warned):
    # 90 days by day: three windows of at most 31 days, a request each.
    result = run_module(module, dict(args, pacing=True, end_time=START + 90 * DAY, aggregate_unit="day",
                                     split_range=True, rate_limits={PATH: [limit]}))
    assert "failed" not in result, result
    assert len(result["windows"]) == 3 and len(sim.requests(PATH)) == 3
    # Each request after the first waits for its slot: the limit's window after the one before
    # (which counts as arrived 0.1 s after its slot).
    assert result["rate_limit_wait"] == wait and sum(paced.sleeps) == pytest.approx(wait)
    warnings = [w for w in result.get("warnings", []) if "rate-limit" in w]
    if warned:
        assert warnings == ["waited %.1f s for rate-limit slots: %s allows 1 request per 6 s (%.1f s); the limits "
                            "are per account, shared by every task and job with this app key (rate_limits sets "
                            "them)" % (wait, PATH, wait)]
    else:
        assert warnings == []


@pytest.mark.matrix
def test_a_task_that_did_not_wait_says_zero(sim, args, run_module):
    assert run_module(module, args)["rate_limit_wait"] == 0


@pytest.mark.matrix
def test_bom_false_writes_dest_without_the_byte_order_mark_and_the_same_rows(sim, args, run_module):
    kept = run_module(module, dict(args, dest=args["dest"] + ".bom"))
    assert open(args["dest"] + ".bom", "rb").read().startswith(b"\xef\xbb\xbf")
    result = run_module(module, dict(args, bom=False))
    raw = open(args["dest"], "rb").read()
    assert raw == open(args["dest"] + ".bom", "rb").read()[3:] and raw.startswith(b"Team ID,")
    assert result["rows"] == kept["rows"] and result["size"] == len(raw) == kept["size"] - 3
    assert result["checksum"] == hashlib.sha1(raw).hexdigest()
    assert run_module(module, dict(args, bom=False))["changed"] is False
    assert run_module(module, dict(args, bom=False), check_mode=True)["changed"] is False


def test_the_documented_time_forms_are_the_accepted_ones_and_the_bom_is_documented():
    import yaml
    from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import parse_time
    from ansible_collections.flashcat.flashduty.plugins.doc_fragments.insight import ModuleDocFragment
    doc = yaml.safe_load(module.DOCUMENTATION)
    # The range's options come from the insight doc fragment the module extends (shared with insight_info).
    assert "flashcat.flashduty.insight" in doc["extends_documentation_fragment"]
    doc["options"].update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    text = " ".join(doc["options"]["start_time"]["description"])
    for form in ("now", "today", "today-7d", "2026-05-01", "-7d"):
        assert "V(%s)" % form in text, form
        assert parse_time(form, START, "start_time") > 0
    assert "same forms as O(start_time)" in " ".join(doc["options"]["end_time"]["description"])
    assert "byte order mark" in " ".join(doc["options"]["bom"]["description"]) and doc["options"]["bom"]["default"] is True
    assert any("byte order mark" in note for note in doc["notes"])


# ---------------------------------------------------------------- dimension
# The layouts of test_fidelity.py: (column_order, bucket_position, bucket_format).
LAYOUTS = [("asked", "first", "date"), ("vendor", "last", "unix"), ("asked", "last", "date")]
DIMENSION_FIELDS = {
    "responder": ["responder_id", "responder_name", "total_incident_cnt", "total_incidents_acknowledged",
                  "total_interruptions", "total_engaged_seconds", "mean_seconds_to_ack", "hours"],
    "channel": ["channel_id", "channel_name", "total_incident_cnt", "total_incidents_acknowledged",
                "total_incidents_closed", "total_interruptions", "mean_seconds_to_ack", "mean_seconds_to_close",
                "hours"],
}


@pytest.mark.parametrize("dimension", ["responder", "channel"])
@pytest.mark.parametrize("order,position,form", LAYOUTS)
def test_a_dimensions_export_is_read_by_what_its_columns_hold(sim, args, run_module, dimension, order, position, form):
    """Asked in the vendor's order, served in every layout: the columns checked by their values give the
    simulator's own figures row for row (the filter insight_rows runs insight_summary.export_rows)."""
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_summary import export_rows
    sim.config(column_order=order, bucket_position=position, bucket_format=form)
    fields = DIMENSION_FIELDS[dimension]
    result = run_module(module, dict(args, dimension=dimension, aggregate_unit="day", split_hours=True,
                                     time_zone="UTC", team_ids=[4295771902133, 4295771902134],
                                     export_fields=fields))
    assert "failed" not in result, result
    assert result["dimension"] == dimension and result["ids"] == []
    (request,) = sim.requests("/insight/%s/export" % dimension)
    assert request["body"]["export_fields"] == fields
    keyed = export_rows([result], fields, "UTC")
    body = request["body"]
    want = sim.sim.insight_records(body, body["start_time"], body["end_time"], "day", get_zone("UTC"), dimension)
    assert len(keyed) == len(want) == 7 * 3 * (6 if dimension == "responder" else 4)
    for row, record in zip(keyed, want):
        assert row["period"] == record["ts"] and row["hours"] == record["hours"]
        assert row[dimension + "_id"] == record[dimension + "_id"]
        assert (row[dimension + "_name"] or None) == record[dimension + "_name"]  # a deleted person: empty
        for field in fields[2:-1]:
            if field.startswith("mean_"):
                assert row[field] == pytest.approx(record[field] or 0.0, abs=0.051), field  # "%.1f" in the CSV
            else:
                assert row[field] == record[field], field


@pytest.mark.parametrize("order", ["asked", "vendor"])
def test_fields_asked_out_of_order_are_read_right_or_refused_never_mixed_up(sim, args, run_module, order):
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_summary import export_rows
    from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError
    sim.config(column_order=order)
    fields = ["responder_id", "responder_name", "total_interruptions"]
    people = sim.sim.data.team_persons(4295771902133)
    result = run_module(module, dict(args, dimension="responder", export_fields=list(reversed(fields))))
    if order == "asked":
        # Ids and counts are both whole numbers: with no ids asked for, the two layouts cannot be told apart.
        with pytest.raises(ResponseFormatError) as info:
            export_rows([result], fields)
        assert "more than one layout" in str(info.value)
    result = run_module(module, dict(args, dimension="responder", export_fields=list(reversed(fields)),
                                     responder_ids=people, force=True))
    rows = export_rows([result], fields)
    assert [r["responder_id"] for r in rows] == people
    body = sim.requests("/insight/responder/export")[-1]["body"]
    want = sim.sim.insight_records(body, START, START + 7 * DAY, None, get_zone(None), "responder")
    assert [r["total_interruptions"] for r in rows] == [w["total_interruptions"] for w in want]


def test_a_dimensions_ids_check_its_id_column(sim, args, run_module):
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.insight_summary import export_rows
    from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError
    person = sim.sim.data.team_persons(4295771902133)[0]
    result = run_module(module, dict(args, dimension="responder", responder_ids=[person],
                                     export_fields=["responder_id", "responder_name", "total_incident_cnt"]))
    assert result["ids"] == [person]
    assert [r["responder_id"] for r in export_rows([result], ["responder_id", "responder_name",
                                                              "total_incident_cnt"])] == [person]
    result["ids"] = [person + 1000]  # a server that answered for someone not asked for
    with pytest.raises(ResponseFormatError) as info:
        export_rows([result], ["responder_id", "responder_name", "total_incident_cnt"])
    assert "not one of the responder ids asked for" in str(info.value)


@pytest.mark.parametrize("dimension,field", [("responder", "team_id"), ("responder", "mean_seconds_to_close"),
                                             ("channel", "responder_name"), ("team", "channel_id")])
def test_a_field_the_dimension_does_not_export_fails_before_sending(sim, args, run_module, dimension, field):
    result = run_module(module, dict(args, dimension=dimension, export_fields=[field]))
    assert result["failed"] is True and "export_fields[0]" in result["msg"] and field in result["msg"]
    assert sim.requests() == []


def test_a_dimensions_export_at_the_row_cap_is_truncated(sim, args, run_module, monkeypatch):
    from ansible_collections.flashcat.flashduty.plugins.module_utils import endpoints
    json_endpoint, export = endpoints.INSIGHT_BY_DIMENSION["channel"]
    assert export.row_cap == 10000
    monkeypatch.setitem(endpoints.INSIGHT_BY_DIMENSION, "channel", (json_endpoint, export._replace(row_cap=20)))
    sim.config(export_row_cap=20)
    result = run_module(module, dict(args, dimension="channel", aggregate_unit="day"))
    assert result["truncated"] is True and result["row_count"] == 20
    assert any("fewer teams, channels or responders" in w for w in result["warnings"])
    assert [r["path"] for r in sim.requests()] == ["/insight/channel/export"]


@pytest.mark.integration
def test_playbook_reads_a_responder_export_with_insight_rows(sim, playbook, tmp_path):
    sim.config(column_order="asked", bucket_position="last")
    out = tmp_path / "people.json"
    run = playbook("""
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    fields: [responder_id, responder_name, total_interruptions]
  tasks:
    - name: Per person, as a file
      flashcat.flashduty.flashduty_insight_export:
        dimension: responder
        start_time: %d
        end_time: %d
        team_ids: [4295771902133]
        export_fields: "{{ fields }}"
        dest: %s
        pacing: false
      register: people
    - name: Keep the rows by field
      ansible.builtin.copy:
        content: "{{ [people] | flashcat.flashduty.insight_rows(fields) | to_json }}"
        dest: %s
""" % (START, START + 7 * DAY, tmp_path / "people.csv", out))
    assert run.returncode == 0, run.stdout + run.stderr
    rows = json.loads(out.read_text())
    (request,) = sim.requests("/insight/responder/export")
    body = request["body"]
    want = sim.sim.insight_records(body, START, START + 7 * DAY, None, get_zone(None), "responder")
    assert [(r["responder_id"], r["responder_name"] or None, r["total_interruptions"]) for r in rows] == \
        [(w["responder_id"], w["responder_name"], w["total_interruptions"]) for w in want]
    assert any(not r["responder_name"] for r in rows)  # the deleted person: an empty cell
