# -*- coding: utf-8 -*-
"""Helpers the tests share: paths, the simulator handle, the playbook environment.

conftest.py puts this folder and the simulator's on sys.path, so test modules
import from here under plain pytest and under ansible-test units alike.
"""

from __future__ import absolute_import, division, print_function

import os
import sys
from datetime import datetime, timezone

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
for _path in (os.path.join(ROOT, "tests", "simulator"), COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from flashduty_simulator import DEFAULT_APP_KEY, OWNER_ID, DataSet, Simulator  # noqa: E402,F401  pylint: disable=unused-import


class FakeTime:
    """A clock that only moves when the code under test sleeps; the waits are recorded."""

    def __init__(self, now=1000.0):
        self.now = now
        self.sleeps = []

    def clock(self):
        return self.now

    time = clock  # so that it can stand in for the time module

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class SimHandle:
    """A running simulator plus the admin calls tests use."""

    def __init__(self, sim):
        self.sim = sim
        self.url = sim.url
        self.app_key = DEFAULT_APP_KEY

    def faults(self, *faults):
        requests.post(self.url + "/__sim/faults", json={"faults": list(faults)}, timeout=5).raise_for_status()

    def config(self, **config):
        requests.post(self.url + "/__sim/config", json=config, timeout=5).raise_for_status()

    def requests(self, path=None):
        log = requests.get(self.url + "/__sim/requests", timeout=5).json()["requests"]
        return [r for r in log if path is None or r["path"] == path]


def playbook_env(sim, tmp_path, **extra):
    """The environment of an ansible-playbook run against ``sim``."""
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "ansible-remote"),
        "FLASHDUTY_BASE_URL": sim.url,
        "FLASHDUTY_APP_KEY": sim.app_key,
        "FLASHDUTY_PACING_DIR": str(tmp_path / "pacing"),
    })
    env.update(extra)
    return env


def run_playbook(sim, folder, text, *args, **env):
    """Write ``text`` as a playbook in ``folder`` and run it with ansible-playbook against ``sim``."""
    import subprocess
    path = folder / "playbook.yml"
    path.write_text(text)
    exe = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    return subprocess.run([exe, str(path)] + list(args), env=playbook_env(sim, folder, **env),
                          capture_output=True, text=True, timeout=600, cwd=str(folder), check=False)


def make_certificate(folder):
    """A self-signed certificate (its own CA) for 127.0.0.1: ``(cert path, key path)``."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(u"127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(str(folder), "cert.pem"), os.path.join(str(folder), "key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A real redis-server (Debian's package) on a free loopback port, for the tests.

    ``password`` turns on requirepass; ``tls`` (cert, key) serves TLS only.
    """

    def __init__(self, folder, password=None, tls=None, port=None):
        import shutil
        self.exe = shutil.which("redis-server")
        self.folder = str(folder)
        self.password = password
        self.tls = tls
        self.port = port or free_port()
        self.proc = None

    @property
    def url(self):
        auth = ":%s@" % self.password if self.password else ""
        if self.tls:
            return "rediss://%s127.0.0.1:%d/0?ssl_ca_certs=%s" % (auth, self.port, self.tls[0])
        return "redis://%s127.0.0.1:%d/0" % (auth, self.port)

    def start(self):
        import subprocess
        import time
        if not self.exe:
            if os.environ.get("CI"):
                raise RuntimeError("no redis-server: make test installs it (apt-get install redis-server)")
            import pytest
            pytest.skip("no redis-server on this machine")
        args = [self.exe, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.folder,
                "--daemonize", "no", "--protected-mode", "no"]
        if self.tls:
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", self.tls[0],
                     "--tls-key-file", self.tls[1], "--tls-ca-cert-file", self.tls[0], "--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import socket
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start on port %d" % self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def sim_figures(handle, start, end):
    """Per-team figures and their totals, computed from the simulator's own rows of
    the exports it served for windows inside [start, end) (the oracle of the report)."""
    from datetime import timezone
    from flashduty_simulator import ZoneInfo
    teams = {}
    for request in handle.requests("/insight/team/export"):
        body = request["body"]
        if request["status"] != 200 or not start <= body["start_time"] < end:
            continue
        zone = ZoneInfo(body["time_zone"]) if body.get("time_zone") else timezone.utc
        for row in handle.sim.export_rows(body, body["start_time"], body["end_time"], body.get("aggregate_unit"),
                                          zone):
            team = teams.setdefault(int(row["team_id"]), dict(incidents=0, ack=0, closed=0, interruptions=0,
                                                              ack_s=0.0, close_s=0.0, hours={}))
            ack, closed = int(row["total_incidents_acknowledged"]), int(row["total_incidents_closed"])
            team["incidents"] += int(row["total_incident_cnt"])
            team["ack"] += ack
            team["closed"] += closed
            team["interruptions"] += int(row["total_interruptions"])
            team["ack_s"] += float(row["mean_seconds_to_ack"]) * ack
            team["close_s"] += float(row["mean_seconds_to_close"]) * closed
            if row.get("hours"):
                team["hours"][row["hours"]] = team["hours"].get(row["hours"], 0) + int(row["total_interruptions"])
    keys = ("incidents", "ack", "closed", "interruptions", "ack_s", "close_s")
    totals = dict((k, sum(t[k] for t in teams.values())) for k in keys)
    for figures in list(teams.values()) + [totals]:
        figures["mtta"] = round(figures["ack_s"] / figures["ack"], 1) if figures["ack"] else None
        figures["mttr"] = round(figures["close_s"] / figures["closed"], 1) if figures["closed"] else None
        figures["ack_pct"] = round(100.0 * figures["ack"] / figures["incidents"], 1) if figures["incidents"] else None
    return teams, totals


_DATA = DataSet()


def scenario_on_call(index, hour, data=None):
    """The person ids on call at ``hour`` in the simulator's schedule ``index`` with its health scenarios
    (HEALTH_KINDS) on, by their rules applied here; None: the schedule has no layers."""
    sched = (data or _DATA).schedule(index)
    if not sched["groups"]:
        return None
    dummy, dummy2, group = DataSet.shift_at(sched, hour)
    persons = list(dict.fromkeys(p for m in group["members"] for p in m["person_ids"]))
    at = datetime.fromtimestamp(hour, timezone.utc)
    if index % 10 == 3 and not (at.weekday() < 5 and 8 <= at.hour < 20):
        return []
    if index % 10 == 5 and 12 <= at.hour < 18:
        return [OWNER_ID]
    if index % 10 == 7 and group is sched["groups"][1]:
        return []
    return persons


def scenario_gaps(index, start, end, min_gap=0, data=None):
    """``[(start, end, before, after)]`` of the runs of hours with nobody on call."""
    out, run = [], None
    for hour in range(start, end, 3600):
        if not scenario_on_call(index, hour, data):
            run = run or [hour, hour]
            run[1] = hour + 3600
        elif run:
            out.append(run)
            run = None
    if run:
        out.append(run)
    return [(a, b, scenario_on_call(index, a - 3600, data) if a > start else [],
             scenario_on_call(index, b, data) if b < end else []) for a, b in out if b - a >= min_gap]


ROLE_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    insight_report_dir: %(dir)s
%(vars)s
  roles:
    - role: flashcat.flashduty.insight_report
  tasks:
    - name: Keep the fact
      ansible.builtin.copy:
        content: "{{ flashduty_insight_report | to_json }}"
        dest: %(dir)s/fact.json
      changed_when: false
"""


def role_play(report_dir, **role_vars):
    """A play that runs the insight_report role into ``report_dir`` and keeps its fact in fact.json."""
    import json
    lines = "\n".join("    %s: %s" % (k, json.dumps(v)) for k, v in role_vars.items())
    return ROLE_PLAY % {"dir": report_dir, "vars": lines}


def run_processes(code, count, timeout=300):
    """Run ``code`` in ``count`` Python processes at once, importing the collection as the tests do."""
    import subprocess
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for dummy in range(count)]
    outputs = [p.communicate(timeout=timeout) for p in procs]
    return [p.returncode for p in procs], outputs


def counted_by_the_server(limits):
    """The windows the simulator counts in for a real-time test whose clients pace to ``limits``: each a
    fifth shorter, at most 0.2 s. A request reaches the server some time after its slot; the pacer allows
    its margin (0.1 s), and a process that a busy 2-core machine holds back longer between its slot and
    its send arrives later still, which no client can prevent (under the exact windows such a test failed
    once, 2026-12-03). The windows' arithmetic is asserted exactly on an injected clock (test_pacing.py)
    and on a real Redis without HTTP (test_pacing_redis.py); these tests prove that separate jobs share
    one pace, which their controls' 429s show they do not without it."""
    return [[count, window - min(0.2, window / 5.0)] for count, window in limits]


# What a test marked ``integration`` may start: each costs seconds (ansible-playbook about 3, the role
# about 15) where an in-process module run costs milliseconds. make check runs the other tests. Every word
# of the command is looked at (a wrapper such as env, timeout or bash -c, a path, python -m ansible...).
INTEGRATION_TOOLS = frozenset(("ansible-playbook", "ansible-doc", "ansible-galaxy", "ansible-test", "molecule",
                               "chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                               "antsibull-changelog", "ansible-builder"))
# The same tools as python -m NAME.
INTEGRATION_PACKAGES = frozenset(("ansible", "molecule", "antsibull_changelog", "ansible_builder"))


def tools_in(args):
    """The INTEGRATION_TOOLS a command names, in any of its words."""
    import shlex
    if isinstance(args, (str, bytes, os.PathLike)):
        try:
            words = shlex.split(os.fsdecode(args))
        except ValueError:
            words = os.fsdecode(args).split()
    else:
        words = [os.fsdecode(w) for w in args]
    found = set(words[i + 1] for i, word in enumerate(words[:-1])
                if word == "-m" and words[i + 1].split(".", 1)[0] in INTEGRATION_PACKAGES)
    for word in words:
        for part in word.split():  # bash -c "...": the words inside
            name = os.path.basename(part.split("=", 1)[-1])  # NAME=value, --option=path
            if name in INTEGRATION_TOOLS:
                found.add(name)
    return sorted(found)


# A read timeout and an answer held past it, for the tests of a slow server: the answer that follows
# (the retry's, or the next request's) must come within READ_TIMEOUT on a busy 2-core machine too. With
# 0.5 s against 1.5 s, a matrix leg of make test once timed out on the retry as well (2026-12-03).
READ_TIMEOUT, HELD_ANSWER = 2.0, 4.0
