"""The fault matrix: both modules against every fault the simulator serves,
with the exact waits before each retry and a recognisable app key that must
appear nowhere; the same through real ``ansible-playbook -vvvv`` runs for the
faults whose exception text quotes the request URL. Also TLS with a
self-signed server, and playbooks sharing one pacing_dir against a strict
server."""

from __future__ import absolute_import, division, print_function

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from support import (HELD_ANSWER, READ_TIMEOUT, Simulator, counted_by_the_server, make_certificate, playbook_env,
                     run_playbook)
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export as export_module
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as schedule_module

KEY = "FDKEY-7c1d-Sup3rS3cret-4b2a"
SCHEDULE = "/schedule/list"
EXPORT = "/insight/team/export"
OLD_CSV = b"\xef\xbb\xbfTeam ID,Team Name\r\n1,previous\r\n"
START = 1779667200

# (name, fault as sent to the simulator for each path, expected outcome, words of the failure, the waits
# before each retry: max_retries is 1, backoff starts at 1 s (no jitter here), Retry-After wins)
FAULTS = [
    ("429 Retry-After seconds", {"kind": "rate_limit", "retry_after": "1", "times": 1}, "ok", None, [1.0]),
    ("429 Retry-After HTTP date", {"kind": "rate_limit", "retry_after": "date:2", "times": 1}, "ok", None, "date"),
    ("429 without Retry-After", {"kind": "rate_limit", "times": 1}, "ok", None, [1.0]),
    ("500 once", {"kind": "status", "status": 500, "times": 1}, "ok", None, [1.0]),
    ("500 always", {"kind": "status", "status": 500, "times": 9}, "fail",
     ["HTTP 500", "InternalError", "request_id", "after 2 attempts"], [1.0]),
    ("502 HTML once", {"kind": "html", "status": 502, "times": 1}, "ok", None, [1.0]),
    ("502 HTML always", {"kind": "html", "status": 502, "times": 9}, "fail",
     ["HTTP 502", "text/html", "after 2 attempts"], [1.0]),
    ("503 once", {"kind": "status", "status": 503, "times": 1}, "ok", None, [1.0]),
    ("504 once", {"kind": "status", "status": 504, "times": 1}, "ok", None, [1.0]),
    ("connection reset mid-body", {"kind": "reset", "times": 1}, "ok", None, [1.0]),
    ("connection reset always", {"kind": "reset", "times": 9}, "fail", ["broke while reading", "after 2 attempts"],
     [1.0]),
    ("dropped connection", {"kind": "drop", "times": 1}, "ok", None, [1.0]),
    ("read timeout", {"kind": "slow", "delay": HELD_ANSWER, "times": 1}, "ok", None, [1.0]),
    ("truncated body", {"kind": "truncate", "times": 1}, "ok", None, [1.0]),
    ("invalid JSON", {"kind": "invalid_json", "times": 1}, "fail", ["expected a JSON envelope", "HTTP 200"], []),
    ("400 InvalidParameter", {"kind": "status", "status": 400, "code": "InvalidParameter", "times": 1}, "fail",
     ["HTTP 400", "InvalidParameter", "request_id"], []),
    ("401 Unauthorized", {"kind": "status", "status": 401, "code": "Unauthorized", "times": 1}, "fail",
     ["HTTP 401", "Unauthorized", "request_id"], []),
    ("403 AccessDenied", {"kind": "status", "status": 403, "code": "AccessDenied", "times": 1}, "fail",
     ["HTTP 403", "AccessDenied", "request_id"], []),
    ("400 NoLicense", {"kind": "status", "status": 400, "code": "NoLicense", "times": 1}, "fail",
     ["HTTP 400", "NoLicense", "request_id"], []),
]
FAULT_IDS = [f[0] for f in FAULTS]


def run_both(sim, tmp_path, run_module, base_url=None, waits=None, **options):
    """Both modules in-process, as the play below runs them: ``({"schedules": ..., "export": ...},
    everything they printed, dest)``. With ``waits`` (the fixture), each module's fake clock starts
    at the real time, as each module process's clock would."""
    dest = tmp_path / "report.csv"
    dest.write_bytes(OLD_CSV)
    conn = dict(app_key=KEY, base_url=base_url or sim.url, pacing_dir=str(tmp_path / "pacing"),
                max_retries=options.pop("max_retries", 1), timeout=options.pop("timeout", 5.0), **options)
    results, output = {}, ""
    for name, module, args in (("schedules", schedule_module, dict(page=1, limit=5)),
                               ("export", export_module, dict(start_time=START, end_time=START + 7 * 86400,
                                                              dest=str(dest)))):
        if waits is not None:
            waits.now = time.time()
        results[name] = run_module(module, dict(conn, **args))
        output += run_module.output
    return results, output, dest


def assert_secret_nowhere_in(text, tmp_path):
    assert KEY not in text and "Sup3rS3cret" not in text
    for folder, dummy, files in os.walk(str(tmp_path)):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                assert KEY.encode() not in handle.read(), os.path.join(folder, name)


def assert_failure_line(result, words):
    assert result["failed"] is True
    msg = result["msg"]
    assert "\n" not in msg and "Traceback" not in json.dumps(result)
    for word in words:
        assert word in msg, msg


def assert_outcome(sim, results, dest, outcome, words):
    schedules, export = results["schedules"], results["export"]
    assert [n for n in os.listdir(str(dest.parent)) if n.startswith(".flashduty-export-")] == []
    if outcome == "ok":
        assert not schedules.get("failed"), schedules
        assert not export.get("failed"), export
        assert len(schedules["schedules"]) == 5 and export["row_count"] == 12
        assert dest.read_bytes() != OLD_CSV and dest.read_bytes().count(b"\r\n") == 13
        assert len(sim.requests(SCHEDULE)) == 2 and len(sim.requests(EXPORT)) == 2
    else:
        for result, path in ((schedules, SCHEDULE), (export, EXPORT)):
            assert_failure_line(result, words)
            request_ids = [r["request_id"] for r in sim.requests(path)]
            if "request_id" in words:
                assert result["request_id"] == request_ids[-1] and result["request_id"] in result["msg"]
        assert dest.read_bytes() == OLD_CSV


@pytest.mark.matrix
@pytest.mark.parametrize("name,fault,outcome,words,expected_waits", FAULTS, ids=FAULT_IDS)
def test_fault_matrix(sim, tmp_path, run_module, waits, name, fault, outcome, words, expected_waits):
    sim.config(app_keys=[KEY])
    sim.faults(dict(fault, path=SCHEDULE), dict(fault, path=EXPORT))
    results, output, dest = run_both(sim, tmp_path, run_module, waits=waits, pacing=False,
                                     timeout=READ_TIMEOUT if fault["kind"] == "slow" else 5.0)
    assert_outcome(sim, results, dest, outcome, words)
    # The waits before each retry, per module, exactly (an HTTP date has whole seconds).
    if expected_waits == "date":
        assert len(waits.sleeps) == 2 and all(0.9 <= w <= 2.1 for w in waits.sleeps), waits.sleeps
    else:
        assert waits.sleeps == expected_waits * 2
    for result in results.values():
        retried = [w for w in result.get("warnings", []) if "; retry 1 of 1 in" in w]
        assert len(retried) == (1 if expected_waits else 0), result.get("warnings")
    assert_secret_nowhere_in(output + json.dumps(results), tmp_path)


PLAY = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/flashcat.flashduty.flashduty:
      timeout: 5
      max_retries: 1
  tasks:
    - name: Schedules
      flashcat.flashduty.flashduty_schedule_info:
        page: 1
        limit: 5
      register: schedules
      ignore_errors: true
    - name: Export
      flashcat.flashduty.flashduty_insight_export:
        start_time: %(start)d
        end_time: %(end)d
        dest: %(dest)s
      register: export
      ignore_errors: true
    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ {'schedules': schedules, 'export': export} | to_json }}"
        dest: %(out)s
"""


def run_play(sim, tmp_path):
    dest = tmp_path / "report.csv"
    dest.write_bytes(OLD_CSV)
    out = tmp_path / "results.json"
    run = run_playbook(sim, tmp_path, PLAY % {"dest": dest, "out": out, "start": START, "end": START + 7 * 86400},
                       "-vvvv", FLASHDUTY_APP_KEY=KEY)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run, json.loads(out.read_text()), dest


# Through ansible-playbook -vvvv: a retry's warning and a failure both quote requests' exception text;
# what Ansible prints at -vvvv (arguments, results, warnings, the module's output) must not hold the key.
VVVV_FAULTS = ["connection reset mid-body", "connection reset always"]


@pytest.mark.integration
@pytest.mark.parametrize("name", [pytest.param(VVVV_FAULTS[0], marks=pytest.mark.matrix), VVVV_FAULTS[1]])
def test_the_key_is_in_no_output_of_a_vvvv_run_through_a_fault(sim, tmp_path, name):
    (dummy, fault, outcome, words, dummy) = FAULTS[FAULT_IDS.index(name)]
    sim.config(app_keys=[KEY])
    sim.faults(dict(fault, path=SCHEDULE), dict(fault, path=EXPORT))
    run, results, dest = run_play(sim, tmp_path)
    assert_outcome(sim, results, dest, outcome, words)
    assert "Connection reset by peer" in run.stdout + run.stderr  # requests' exception text is shown, without the key
    assert_secret_nowhere_in(run.stdout + run.stderr, tmp_path)


def test_connection_refused_fails_cleanly_without_the_key(sim, tmp_path, run_module, waits):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    results, output, dest = run_both(sim, tmp_path, run_module, base_url="http://127.0.0.1:%d" % port)
    for result in results.values():
        assert_failure_line(result, ["cannot reach", "Connection refused", "after 2 attempts"])
        assert "app_key=********" in result["msg"]  # requests quoted the URL; the key is gone
    assert dest.read_bytes() == OLD_CSV
    assert_secret_nowhere_in(output + json.dumps(results), tmp_path)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


def test_self_signed_server_fails_verification_and_works_with_ca_path(sim, tmp_path, certificate, run_module):
    server = Simulator(limits="off", app_keys=[KEY], tls=certificate).start()
    try:
        results, output, dest = run_both(sim, tmp_path, run_module, base_url=server.url, max_retries=3)
        for result in results.values():
            assert_failure_line(result, ["TLS error", "CERTIFICATE_VERIFY_FAILED"])
            assert "attempts" not in result["msg"]  # verification failures are not retried
        assert dest.read_bytes() == OLD_CSV
        assert_secret_nowhere_in(output + json.dumps(results), tmp_path)
        results, output, dest = run_both(sim, tmp_path, run_module, base_url=server.url, ca_path=certificate[0])
        assert not results["schedules"].get("failed") and not results["export"].get("failed"), results
        assert results["export"]["row_count"] == 12
        assert_secret_nowhere_in(output + json.dumps(results), tmp_path)
    finally:
        server.stop()


LOAD_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Five exports
      flashcat.flashduty.flashduty_insight_export:
        start_time: "{{ 1779667200 + item * 86400 }}"
        end_time: "{{ 1779667200 + item * 86400 + 86400 }}"
        dest: "%(dir)s/export-{{ item }}.csv"
        max_retries: 0
        rate_limits:
          /insight/team/export: ["2/0.5s", "8/3s"]
      loop: "{{ range(5) | list }}"
"""


# A real-time end-to-end check: loop items and separate ansible-playbook processes on one host share the
# budget through pacing_dir (20 exports at 8 per 3 s take at least 6 s, whoever sends them).
@pytest.mark.integration
@pytest.mark.realtime
def test_four_playbooks_sharing_pacing_dir_get_no_429_under_scaled_limits(tmp_path):
    server = Simulator(limits={EXPORT: counted_by_the_server([[2, 0.5], [8, 3.0]])}, app_keys=[KEY]).start()

    class Handle(object):
        url, app_key = server.url, KEY
    try:
        procs = []
        for index in range(4):
            folder = tmp_path / ("p%d" % index)
            folder.mkdir()
            (folder / "play.yml").write_text(LOAD_PLAY % {"dir": folder})
            env = playbook_env(Handle, folder, FLASHDUTY_PACING_DIR=str(tmp_path / "pacing"))
            exe = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
            procs.append(subprocess.Popen([exe, str(folder / "play.yml")], env=env, cwd=str(folder),
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        outputs = [p.communicate(timeout=600)[0] for p in procs]
        log = list(server.log)
    finally:
        server.stop()
    assert [p.returncode for p in procs] == [0] * 4, "\n".join(o[-1500:] for o in outputs)
    statuses = [entry["status"] for entry in log]
    assert statuses.count(429) == 0 and statuses == [200] * 20
    for index in range(4):
        assert len([n for n in os.listdir(str(tmp_path / ("p%d" % index))) if n.endswith(".csv")]) == 5
    (state_file,) = [n for n in os.listdir(str(tmp_path / "pacing")) if n.endswith(".json")]
    state = json.load(open(str(tmp_path / "pacing" / state_file)))
    assert state["version"] == 2 and state["limits"] == [[2, 0.5], [8, 3.0]]
    assert all(isinstance(s, float) for s in state["stamps"])
