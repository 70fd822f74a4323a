# -*- coding: utf-8 -*-
"""Benchmarks of flashcat.flashduty against the local simulator.

Each measurement runs side by side in one run, against a simulator (a process
of its own) that enforces the documented per-account limits in sliding
windows. Prints a table and writes docs/performance.md: the part between
the two GENERATED markers is replaced, what is around it (the title and the
sections written by hand) is kept. These are benchmarks, not tests: they
report ratios and counts, they do not fail.

    make bench            (or: python benchmarks/run.py [--quick])
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
SIM = os.path.join(ROOT, "tests", "simulator", "flashduty_simulator.py")
BIN = os.path.dirname(sys.executable)
KEY = "sim-app-key-0123456789abcdef"
EXPORT, SCHEDULE = "/insight/team/export", "/schedule/list"
MODULES = os.path.join(ROOT, "plugins", "modules")
CONTROL = os.path.join(ROOT, "benchmarks", "control_module.py")
TIMED = os.path.join(ROOT, "benchmarks", "timed_module.py")


class Simulator(object):
    def __init__(self, work):
        url_file = os.path.join(work, "sim.url")
        self.proc = subprocess.Popen([sys.executable, SIM, "serve", "--port-file", url_file],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for dummy in range(100):
            if os.path.exists(url_file) and open(url_file).read():
                break
            time.sleep(0.1)
        self.url = open(url_file).read()

    def admin(self, path, payload=None):
        if payload is None:
            return requests.get(self.url + path, timeout=30).json()
        return requests.post(self.url + path, json=payload, timeout=30).json()

    def reset(self, **config):
        self.admin("/__sim/reset", {})
        self.admin("/__sim/config", dict({"limits": "documented", "schedules": 300}, **config))
        self.admin("/__sim/warm", {})

    def log(self, path=None):
        return [r for r in self.admin("/__sim/requests")["requests"] if path is None or r["path"] == path]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def env_for(sim, work):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1", FLASHDUTY_BASE_URL=sim.url,
               FLASHDUTY_APP_KEY=KEY, FLASHDUTY_PACING_DIR=os.path.join(work, "pacing-%f" % time.time()),
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, "benchmarks", "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="item_timer", ITEM_TIMER_FILE=os.path.join(work, "items.jsonl"),
               PYTHONPATH=COLLECTIONS)
    return env


def playbook(sim, work, text):
    path = os.path.join(work, "bench.yml")
    with open(path, "w") as handle:
        handle.write(text)
    env = env_for(sim, work)
    if os.path.exists(env["ITEM_TIMER_FILE"]):
        os.unlink(env["ITEM_TIMER_FILE"])
    started = time.time()
    run = subprocess.run([os.path.join(BIN, "ansible-playbook"), path], env=env, capture_output=True, text=True,
                         cwd=work, check=False)
    elapsed = time.time() - started
    if run.returncode != 0:
        raise SystemExit("benchmark playbook failed:\n" + run.stdout[-3000:] + run.stderr[-3000:])
    items = []
    if os.path.exists(env["ITEM_TIMER_FILE"]):
        with open(env["ITEM_TIMER_FILE"]) as handle:
            items = [json.loads(line) for line in handle]
    return elapsed, items


def module_process(sim, work, path, args):
    """Run one module file as its own process, as Ansible runs it.

    Returns its peak resident memory in MB, its wall time, its result and
    what it wrote to stderr.
    """
    args_path = os.path.join(work, "args.json")
    with open(args_path, "w") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": dict(args, app_key=KEY, _ansible_remote_tmp=work)}, handle)
    out_path = os.path.join(work, "module.out")
    # timed_module.py runs the module file and notes when it called exit_json.
    code = ("import resource, subprocess, sys, time; t = time.time(); "
            "p = subprocess.run([sys.executable, %r, %r, %r], stdout=open(%r, 'wb'), stderr=subprocess.PIPE); "
            "w = time.time() - t; sys.stderr.write(p.stderr.decode()); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, w, p.returncode, repr(t))"
            % (TIMED, path, args_path, out_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_for(sim, work),
                         check=False)
    rss_kb, wall, returncode, started = out.stdout.split()
    stderr = out.stderr
    if "exit_called_at" in stderr:
        # "before_exit": the seconds from the process's start to that call.
        stderr += "\nbefore_exit %f\n" % (noted(stderr, "exit_called_at") - float(started))
    with open(out_path) as handle:
        text = handle.read()
    if returncode != "0":
        raise SystemExit("module failed: " + text[-500:] + out.stderr[-500:])
    return int(rss_kb) / 1024.0, float(wall), json.loads(text), stderr


def module_peak_rss(sim, work, module, args):
    """Run one of the collection's modules; its peak resident memory in MB and wall time."""
    rss, wall, dummy, dummy = module_process(sim, work, os.path.join(MODULES, module + ".py"),
                                             dict(args, base_url=sim.url, pacing_dir=os.path.join(work, "pacing-rss")))
    return rss, wall


def ansible_share(sim, work, result):
    """Seconds Ansible itself needs to start a module and return ``result`` (benchmarks/control_module.py)."""
    # exit_json adds these itself (and a warning or two costs nothing).
    result = dict((k, v) for k, v in result.items() if k not in ("invocation", "warnings", "deprecations"))
    result_file = os.path.join(work, "control-result.json")
    with open(result_file, "w") as handle:
        json.dump(result, handle)
    dummy, wall, dummy, stderr = module_process(sim, work, CONTROL, {"result_file": result_file})
    read = noted(stderr, "read_result")
    # Its whole wall, and its start alone (Python, ansible-core, AnsibleModule), the file read left out.
    return wall - read, noted(stderr, "before_exit") - read


def noted(stderr, name):
    """The last number noted as ``name`` on a process's stderr."""
    return float(re.findall(r"^%s ([0-9.]+)$" % name, stderr, re.M)[-1])


EXPORT_LOOP = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Exports with the collection
      flashcat.flashduty.flashduty_insight_export:
        start_time: "{{ 1779667200 + item * 86400 }}"
        end_time: "{{ 1779667200 + item * 86400 + 86400 }}"
        dest: "%(work)s/module-{{ item }}.csv"
        return_rows: false
      loop: "{{ range(%(count)d) | list }}"
"""

URI_LOOP = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Exports with ansible.builtin.uri, as written without the collection
      ansible.builtin.uri:
        url: "{{ lookup('env', 'FLASHDUTY_BASE_URL') }}/insight/team/export?app_key={{ lookup('env', 'FLASHDUTY_APP_KEY') }}"
        method: POST
        body_format: json
        body:
          start_time: "{{ 1779667200 + item * 86400 }}"
          end_time: "{{ 1779667200 + item * 86400 + 86400 }}"
        dest: "%(work)s/uri-{{ item }}.csv"
        status_code: 200
      register: export
      until: export.status == 200
      retries: 120
      delay: 1
      loop: "{{ range(%(count)d) | list }}"
"""


def export_floor(count):
    """Seconds from the first to the last of ``count`` requests under 1/s and 10/min."""
    first_minute = min(count, 10) - 1
    if count <= 10:
        return float(first_minute)
    return 60.0 * ((count - 1) // 10) + ((count - 1) % 10) * 1.0


def bench_export_pacing(sim, work, count):
    rows = []
    for name, text in (("flashduty_insight_export", EXPORT_LOOP), ("ansible.builtin.uri + until", URI_LOOP)):
        sim.reset()
        wall, dummy = playbook(sim, work, text % {"work": work, "count": count})
        log = sim.log(EXPORT)
        ok = [r["t"] for r in log if r["status"] == 200]
        span = max(ok) - min(ok)
        rows.append({"name": name, "exports": len(ok), "requests": len(log),
                     "429s": sum(1 for r in log if r["status"] == 429), "span_s": span, "wall_s": wall,
                     "floor_s": export_floor(count), "ratio": span / export_floor(count)})
    return rows


PAGING = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Every schedule
      flashcat.flashduty.flashduty_schedule_info:
      register: all_schedules
    - name: Check
      ansible.builtin.assert:
        that: all_schedules.schedules | length == %(count)d
"""


def bench_paging(sim, work, count):
    sim.reset(schedules=count)
    wall, items = playbook(sim, work, PAGING % {"count": count})
    log = sim.log(SCHEDULE)
    times = [r["t"] for r in log]
    sim.reset(schedules=count)
    rss, module_wall = module_peak_rss(sim, work, "flashduty_schedule_info", {})
    requests_needed = -(-count // 100)
    return {"schedules": count, "requests": len(log), "target_requests": requests_needed,
            "429s": sum(1 for r in log if r["status"] == 429), "request_span_s": max(times) - min(times),
            "floor_s": requests_needed / 50.0, "module_wall_s": module_wall, "playbook_wall_s": wall,
            "peak_rss_mb": rss}


PER_TASK_PAIR = """
    - name: module%(suffix)s
      flashcat.flashduty.flashduty_schedule_info:
        page: 1
        limit: 100
        resolve_names: false  # one call each, like the uri task
      loop: "{{ range(%(reps)d) | list }}"
    - name: uri%(suffix)s
      ansible.builtin.uri:
        url: "{{ lookup('env', 'FLASHDUTY_BASE_URL') }}/schedule/list?app_key={{ lookup('env', 'FLASHDUTY_APP_KEY') }}"
        method: POST
        body_format: json
        body: {p: 1, limit: 100}
      loop: "{{ range(%(reps)d) | list }}"
"""
# module, uri, module, uri: both run early and late in the same playbook.
PER_TASK = "\n- hosts: localhost\n  gather_facts: false\n  tasks:" + PER_TASK_PAIR.replace(
    "%(suffix)s", "") + PER_TASK_PAIR.replace("%(suffix)s", " again")


def bench_per_task(sim, work, reps):
    sim.reset()
    dummy, items = playbook(sim, work, PER_TASK % {"reps": reps // 2})
    costs = {}
    for task in ("module", "uri"):
        durations = []
        for name in (task, task + " again"):
            stamps = [i["t"] for i in items if i["task"] == name]
            starts = [i["task_start"] for i in items if i["task"] == name][:1]
            stamps = starts + stamps
            durations += [b - a for a, b in zip(stamps, stamps[1:])]
        costs[task] = durations
    module, uri = statistics.median(costs["module"]), statistics.median(costs["uri"])
    return {"reps": len(costs["module"]), "module_median_s": module, "uri_median_s": uri, "ratio": module / uri,
            "429s": sum(1 for r in sim.log() if r["status"] == 429)}


def import_cost(module, repeats=7):
    """Median seconds a fresh Python process spends importing ``module``."""
    code = "import time; t = time.perf_counter(); import %s; print(time.perf_counter() - t)" % module
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                  check=True).stdout) for dummy in range(repeats)]
    return statistics.median(times)


def bench_imports():
    prefix = "ansible_collections.flashcat.flashduty.plugins.modules."
    return {"module": import_cost(prefix + "flashduty_schedule_info"),
            "uri": import_cost("ansible.modules.uri"),
            "requests": import_cost("requests"), "jsonschema": import_cost("jsonschema")}


def bench_export_size(sim, work, sizes):
    rows = []
    for size in sizes:
        sim.reset()
        sim.admin("/__sim/faults", {"faults": [{"kind": "pad_csv", "bytes": size, "path": EXPORT, "times": 1}]})
        dest = os.path.join(work, "big.csv")
        rss, wall = module_peak_rss(sim, work, "flashduty_insight_export",
                                    {"start_time": 1779667200, "end_time": 1779753600, "dest": dest,
                                     "return_rows": False})
        rows.append({"bytes": os.path.getsize(dest), "peak_rss_mb": rss, "wall_s": wall})
        os.unlink(dest)
    return rows


LATENCY = 0.15
DEFAULT_CONCURRENCY = 50  # the module's default (common.DEFAULT_CONCURRENCY)
# The profile behind the first sentence was taken by hand (cProfile of the module process); the seconds
# come from the run itself.
MODULE_WALL_NOTE = (
    "*Ansible's share* is measured in the same run by `benchmarks/control_module.py`: a module that sends "
    "nothing, starts as ours does (Python, AnsibleModule with a no_log `app_key`) and returns the very result "
    "ours returned. That is what any module, ours or `ansible.builtin.uri`, pays to start and to hand back "
    "that result: exit_json scrubs every returned string for no_log values (`remove_values`; profiled on "
    "2.19, that is about 700,000 data-tagging `tag_copy` calls for 10,000 schedules) and encodes the JSON. "
    "With the schedules it takes %.1f s on its own, %.1fx the network floor, so no module can return "
    "10,000 schedules within 1.3x of the network floor; the floor a module can reach is the network floor "
    "plus that share, and the goals are read against it: the module's wall within 1.3x of the floor plus "
    "Ansible's share, and its own time at least 7x below the same with concurrency 1. *Own time* runs from "
    "the module process's start to its call of exit_json (noted by `benchmarks/timed_module.py`), less the "
    "control's start to the same call (%.2f s: Python, ansible-core and AnsibleModule). It used to be taken "
    "as the wall less Ansible's share, the difference of two runs of 6 to 9 s each, which moved by half a "
    "second from run to run, more than what it measured; that reading is the column before it. "
    "With `return_schedules: false` (only `total` and `oncall`) Ansible's share is %.2f s "
    "and the module's own fixed costs show: page 1 is asked alone first (one round trip, %d ms, so that a "
    "list of up to 100 schedules costs one request, not a wave of %d), and Python imports requests "
    "(about %.2f s, section 3).")


def bench_latency_paging(sim, work, count, repeats=3):
    """Every schedule at 150 ms a round trip: concurrent pages against one after the other.

    Each case runs ``repeats`` times, with the control after each run, and
    the medians are kept: this machine's timings move by a few tenths. The
    cases with the same ``return_schedules`` return the same result, so they
    share one median of Ansible's share.
    """
    rows, shares = [], {}
    pages = -(-count // 100)
    # The 51st request may go 1 s (and the pacer's 0.1 s margin) after the 1st, then one round trip.
    floor = (-(-pages // 50) - 1) * 1.1 + LATENCY
    for concurrency, schedules in ((DEFAULT_CONCURRENCY, True), (1, True), (DEFAULT_CONCURRENCY, False)):
        runs = []
        for dummy in range(repeats):
            sim.reset(schedules=count, latency=LATENCY)
            dummy, wall, result, stderr = module_process(
                sim, work, os.path.join(MODULES, "flashduty_schedule_info.py"),
                {"concurrency": concurrency, "resolve_names": False, "return_schedules": schedules,
                 "base_url": sim.url, "pacing_dir": os.path.join(work, "pacing-%f" % time.time())})
            log = sim.log(SCHEDULE)
            times = [r["t"] for r in log]
            runs.append({"requests": len(log), "429s": sum(1 for r in log if r["status"] == 429),
                         "requests_span_s": max(times) - min(times) + LATENCY, "module_wall_s": wall,
                         "before_exit_s": noted(stderr, "before_exit")})
            shares.setdefault(schedules, []).append(ansible_share(sim, work, result))
        row = dict((key, statistics.median(run[key] for run in runs))
                   for key in ("requests_span_s", "module_wall_s", "before_exit_s"))
        row.update({"concurrency": concurrency, "return_schedules": schedules, "pages": pages, "floor_s": floor,
                    "requests": max(run["requests"] for run in runs), "429s": sum(run["429s"] for run in runs),
                    "repeats": repeats})
        rows.append(row)
    starts = [start for pairs in shares.values() for dummy, start in pairs]
    for row in rows:
        row["ansible_s"] = statistics.median(share for share, dummy in shares[row["return_schedules"]])
        # The module's own work: from its start to exit_json, less what any module's start takes.
        row["start_s"] = statistics.median(starts)
        row["own_s"] = row["before_exit_s"] - row["start_s"]
    return rows


PACER_MARGIN = 0.1  # the pacer's safety margin on a window (pacing_core)


def bounded_floor(pages, rtt=LATENCY, per_second=50, margin=PACER_MARGIN):
    """``(first to last answer, round trips before page per_second went)`` for ``pages`` full pages of a
    list whose total is capped, when no page is asked before the pager's bound allows it (paging.ask_up_to:
    1.5 times the pages known, plus one) and no ``per_second`` requests fall in one second (plus
    ``margin``: a sliding window). Page 1 goes alone at 0; every answer takes ``rtt``."""
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)
    from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import Page, ask_up_to
    sent = [0.0]
    for k in range(2, pages + 1):
        times = sorted(t + rtt for t in sent)
        allowed = None
        for t in times:
            answered = dict((j + 1, Page([0] * 100, total=1000)) for j, s in enumerate(sent) if s + rtt <= t)
            if ask_up_to(answered, 100) >= k:
                allowed = t
                break
        if allowed is None:
            raise ValueError("the bound never allows page %d" % k)
        if k > per_second:
            allowed = max(allowed, sent[k - 1 - per_second] + 1.0 + margin)
        sent.append(allowed)
    wave = sent[min(pages, per_second) - 1]
    return sent[-1] + rtt, int(round(wave / rtt))


HANDSHAKE = 0.3  # TCP and TLS 1.3 on a new connection: about two round trips at 150 ms


def bench_handshake(sim, work, count, repeats=3):
    """The same listing when every new connection first costs its handshakes."""
    runs = []
    for dummy in range(repeats):
        sim.reset(schedules=count, latency=LATENCY, handshake=HANDSHAKE)
        dummy, wall, dummy, dummy = module_process(
            sim, work, os.path.join(MODULES, "flashduty_schedule_info.py"),
            {"resolve_names": False, "return_schedules": False, "base_url": sim.url,
             "pacing_dir": os.path.join(work, "pacing-%f" % time.time())})
        log = sim.log(SCHEDULE)
        times = [r["t"] for r in log]
        runs.append({"requests": len(log), "429s": sum(1 for r in log if r["status"] == 429),
                     "requests_span_s": max(times) - min(times) + LATENCY, "module_wall_s": wall})
    return {"schedules": count, "repeats": repeats, "requests": max(r["requests"] for r in runs),
            "429s": sum(r["429s"] for r in runs),
            "requests_span_s": statistics.median(r["requests_span_s"] for r in runs),
            "module_wall_s": statistics.median(r["module_wall_s"] for r in runs)}


def bench_names(sim, work, count):
    """1,234 schedules with a window and names: requests by endpoint and wall time."""
    sim.reset(schedules=count, latency=LATENCY)
    dummy, wall = module_peak_rss(sim, work, "flashduty_schedule_info", {"start": "now", "end": "+7d"})
    log = sim.log()
    by_path = {}
    for r in log:
        by_path[r["path"]] = by_path.get(r["path"], 0) + 1
    return {"schedules": count, "by_path": by_path, "429s": sum(1 for r in log if r["status"] == 429),
            "module_wall_s": wall}


ROLE = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: flashcat.flashduty.insight_report
      vars:
        insight_report_dir: %(work)s/report
"""


def busiest_second(times):
    """The most of ``times`` (seconds) in any one second."""
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times) if times else 0


def bench_health(sim, work, count=1000, days=90, repeats=3):
    """flashduty_schedule_health over ``days`` days of ``count`` schedules at 150 ms a round trip.

    The API computes under 45 days at a time: 44-day windows one after the other, each page 1 alone and
    then the rest at once (one wave while a window has at most 50 pages), then the people's and teams'
    names at once. The floor is those round trips, or the rate limits when they bind (50/s, 1,000/min).
    """
    start = 1779667200
    windows = -(-days // 44)
    pages = -(-count // 100)
    # Pages a window needs: a full last page is followed by an empty one (the only way to know the end).
    needed = count // 100 + 1
    runs = []
    for dummy in range(repeats):
        sim.reset(schedules=count, latency=LATENCY, health_scenarios=True)
        dummy, wall, result, stderr = module_process(
            sim, work, os.path.join(MODULES, "flashduty_schedule_health.py"),
            {"start": start, "end": start + days * 86400, "base_url": sim.url,
             "pacing_dir": os.path.join(work, "pacing-health-%f" % time.time())})
        log = sim.log()
        listing = [r for r in log if r["path"] == SCHEDULE]
        by_path = {}
        for r in log:
            by_path.setdefault(r["path"], []).append(r["t"])
        share, start_s = ansible_share(sim, work, result)
        runs.append({"wall": wall, "share": share, "requests": len(log), "list_requests": len(listing),
                     # Each endpoint has its own limit (50/s per account and endpoint), so each is counted alone.
                     "busiest": max(busiest_second(times) for times in by_path.values()),
                     "busiest_all": busiest_second([r["t"] for r in log]),
                     "empty": sum(1 for r in listing if (r["body"]["p"] - 1) * 100 >= count),
                     "429s": sum(1 for r in log if r["status"] == 429),
                     "own": noted(stderr, "before_exit") - start_s,
                     "gaps": result["summary"]["gaps"], "schedules": result["summary"]["schedules"]})
    waves = windows * (1 + (-(-(pages - 1) // 50) if pages > 1 else 0)) + 1
    floor = max(waves * LATENCY, (max(r["list_requests"] for r in runs) - 1) / 50.0)

    def median(key):
        return statistics.median(r[key] for r in runs)

    return {"schedules": count, "days": days, "windows": windows, "pages": pages, "repeats": repeats,
            "needed": windows * needed, "requests": max(r["requests"] for r in runs),
            "list_requests": max(r["list_requests"] for r in runs), "empty": max(r["empty"] for r in runs),
            "busiest_second": max(r["busiest"] for r in runs),
            "busiest_all": max(r["busiest_all"] for r in runs),
            "429s": sum(r["429s"] for r in runs), "floor_s": floor, "module_wall_s": median("wall"),
            "ansible_s": median("share"), "own_s": median("own"), "gaps": runs[0]["gaps"],
            "found": runs[0]["schedules"]}


def health_report(h):
    return ["## 9. Schedule health: %(schedules)d schedules over %(days)d days at 150 ms a round trip" % h, "",
            "flashduty_schedule_health asks %(windows)d windows of at most 44 days (the API computes under 45), "
            "%(pages)d pages each, then the names. The floor is the round trips (each window's page 1 alone, then "
            "its other pages at once, then people and teams at once) or the rate limits when they bind. "
            "Medians of %(repeats)d runs; Ansible's share as in section 5. The server's total stops at 1,000, so "
            "a window cannot know where the list ends: it needs one page past the last full one (an empty page), "
            "and the first window asks ahead as far as the bound on pages asked ahead allows (1.5 times the "
            "pages known to be there, plus one); the later windows list the same schedules and ask only the "
            "pages the first one read. The busiest second is that of one endpoint (each has its own limit, "
            "50 a second per account); all endpoints together, it held %(busiest_all)d requests." % h, "",
            "| requests (/schedule/list; pages needed) | empty pages asked (needed: %(windows)d) | "
            "busiest second (limit 50) | 429s | floor | module wall | Ansible's share | "
            "module wall / (floor + share) | module's own time | schedules | gaps found |" % h,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            "| %d (%d; %d) | %d | %d | %d | %.2f s | %.2f s | %.2f s | %.2f | %.2f s | %d | %d |" % (
                h["requests"], h["list_requests"], h["needed"], h["empty"], h["busiest_second"], h["429s"],
                h["floor_s"], h["module_wall_s"], h["ansible_s"],
                h["module_wall_s"] / (h["floor_s"] + h["ansible_s"]), h["own_s"], h["found"], h["gaps"]), ""]


def bench_clients(sim, count=200, slow_count=20):
    """requests.Session, http.client kept alive and open_url: ``count`` requests on loopback, then
    ``slow_count`` at 150 ms a round trip with a 300 ms handshake on each new connection."""
    import http_clients  # pylint: disable=import-outside-toplevel
    sim.reset(limits="off")
    fast = http_clients.measure(sim.url, KEY, count)
    sim.reset(limits="off", latency=LATENCY, handshake=0.3)
    slow = http_clients.measure(sim.url, KEY, slow_count)
    return {"loopback": fast, "slow": slow}


def clients_report(c):
    lines = ["## Does the runtime need requests? Three HTTP clients, sequential requests", "",
             "`benchmarks/http_clients.py`: the same `POST /schedule/list` (one schedule a page) one after the "
             "other, on loopback and at 150 ms a round trip with a 300 ms handshake (TCP and TLS) on each new "
             "connection; *connections* counts the sockets each client connected.", "",
             "| client | network | requests | connections | median | p95 | total |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for network, rows in (("loopback", c["loopback"]), ("150 ms, 300 ms handshake", c["slow"])):
        for r in rows:
            lines.append("| %s | %s | %d | %d | %.1f ms | %.1f ms | %.1f s |" % (
                r["client"], network, r["requests"], r["connections"], r["median_ms"], r["p95_ms"], r["total_s"]))
    return lines + ["", CLIENTS_DECISION, ""]


CLIENTS_DECISION = (
    "Decision (2026-12-03): keep requests for now. A kept-alive http.client connection is as fast as "
    "requests.Session, so requests buys no speed; it buys the connection pool the concurrent paging shares "
    "between threads, proxies from the environment, and TLS with ca_path, which a move to http.client would "
    "have to write and test again. open_url is out either way: it opens a new connection for every request "
    "(a handshake each, which reaches the server late and upsets the pacing, section 5) and builds a TLS "
    "context with the system's CA store on every call, even for http:// (about 0.2 s here, profiled).")


def bench_role(sim, work, teams, persons=400):
    """The insight_report role for ``teams`` teams and ``persons`` people at 150 ms a round trip."""
    sim.reset(schedules=teams * 2, teams=teams, persons=persons, latency=LATENCY)
    wall, dummy = playbook(sim, work, ROLE % {"work": work})
    log = sim.log()
    exports = [r["t"] for r in log if r["path"] == EXPORT]
    # The listing and the names the role asks before its first export (later it asks more: the responder
    # insight, the coverage look-ahead and the People section's names).
    listing = [r["t"] for r in log if r["path"] in (SCHEDULE, "/person/infos", "/team/infos", "/team/list")
               and (not exports or r["t"] < min(exports))]
    by_path = {}
    for r in log:
        by_path[r["path"]] = by_path.get(r["path"], 0) + 1
    return {"teams": teams, "persons": persons, "by_path": by_path, "429s": sum(1 for r in log if r["status"] == 429),
            "exports": len(exports), "export_floor_s": export_floor(len(exports)),
            "export_span_s": max(exports) - min(exports) if exports else 0.0,
            "listing_span_s": max(listing) - min(listing) + LATENCY if listing else 0.0, "wall_s": wall}


JOB = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Four exports
      flashcat.flashduty.flashduty_insight_export:
        start_time: "{{ 1779667200 + item * 86400 }}"
        end_time: "{{ 1779667200 + item * 86400 + 86400 }}"
        return_rows: false
      loop: [0, 1, 2, 3]
      ignore_errors: true
"""


def bench_concurrent_jobs(sim, work, jobs=3):
    """``jobs`` jobs x 4 exports at the real limits, each with its own HOME and pacing_dir (AWX-like)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))
    from support import RedisServer  # pylint: disable=import-outside-toplevel
    redis_server = RedisServer(work).start()
    rows = []
    try:
        for name, url in (("file backend only", None), ("pacing_url (Redis)", redis_server.url)):
            sim.reset()
            procs = []
            for index in range(jobs):
                home = os.path.join(work, "job-%s-%d" % (url is not None, index))
                os.makedirs(home)
                path = os.path.join(home, "job.yml")
                with open(path, "w") as handle:
                    handle.write(JOB)
                env = env_for(sim, home)
                env.update(HOME=home, FLASHDUTY_PACING_DIR=os.path.join(home, "pacing"))
                env.pop("ANSIBLE_CALLBACKS_ENABLED")
                if url:
                    env["FLASHDUTY_PACING_URL"] = url
                procs.append(subprocess.Popen([os.path.join(BIN, "ansible-playbook"), path], env=env, cwd=home,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for proc in procs:
                proc.wait()
            log = sim.log(EXPORT)
            ok = sorted(r["t"] for r in log if r["status"] == 200)
            rows.append({"name": name, "exports": len(ok), "requests": len(log),
                         "429s": sum(1 for r in log if r["status"] == 429),
                         "span_s": ok[-1] - ok[0] if ok else 0.0, "floor_s": export_floor(jobs * 4)})
    finally:
        redis_server.stop()
    return rows


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = [l.split(":", 1)[1].strip() for l in handle if l.startswith("model name")][0]
    except (IOError, IndexError):
        pass
    import ansible
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "ansible_core": ansible.__version__, "system": platform.platform()}


# The sections of the report, by result key, as the load line names them.
SECTIONS = {"export": "1", "paging": "2", "per_task": "3", "imports": "3 (imports)", "size": "4",
            "latency_paging": "5", "handshake": "5 (handshake)", "names": "6", "role": "7", "jobs": "8",
            "health": "9"}


def report(results, quick):
    m = results["machine"]
    lines = ["Measured by `make bench` (`benchmarks/run.py%s`) on %s, against the local simulator enforcing the"
             " documented per-account limits in sliding windows. Benchmarks, not tests: the machine is shared"
             " and timings move from run to run; ratios and counts are what to compare."
             % (" --quick" if quick else "", time.strftime("%Y-%m-%d")), "",
             "Machine: %(cpu)s, %(cores)s cores, Python %(python)s, ansible-core %(ansible_core)s, %(system)s." % m,
             ""]
    if results.get("load"):
        lines += ["Load average (1 minute) when each measurement began and ended, on %s cores shared with other "
                  "work (above the cores, processes waited for a CPU and timings grow with it): %s." % (
                      m["cores"], "; ".join("section %s: %.1f to %.1f" % (SECTIONS.get(name, name), before, after)
                                            for name, before, after in results["load"])), ""]
    lines += ["## 1. Export pacing: %d exports in a loop (each a separate process)" % results["export"][0]["exports"],
              "", "The floor under 1 request/s and 10/min is %.0f s from the first request to the last."
              % results["export"][0]["floor_s"], "",
              "| loop | exports | requests | 429s | first to last request | ratio to floor (target <= 1.05) | playbook wall |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results["export"]:
        row = "| %(name)s | %(exports)d | %(requests)d | %(429s)d | %(span_s).1f s | %(ratio).3f | %(wall_s).1f s |"
        lines.append(row % r)
    p = results["paging"]
    lines += ["", "## 2. Paging: %d schedules in one flashduty_schedule_info task" % p["schedules"], "",
              "| requests (%d pages; the total is capped, so pages are asked ahead up to 1.5 times those known "
              "to be there, plus one: at most %d) | "
              "429s (target 0) | first to last request | floor (steady 50/s) | module wall | "
              "playbook wall | module peak RSS |" % (p["target_requests"], p["target_requests"] * 3 // 2 + 1),
              "|---:|---:|---:|---:|---:|---:|---:|",
              "| %d | %d | %.2f s | %.2f s | %.2f s | %.2f s | %.1f MB |" % (
                  p["requests"], p["429s"], p["request_span_s"], p["floor_s"], p["module_wall_s"],
                  p["playbook_wall_s"], p["peak_rss_mb"])]
    t = results["per_task"]
    lines += ["", "## 3. Per-task cost: flashduty_schedule_info against ansible.builtin.uri", "",
              "One page of 100 schedules, %d repetitions each in one playbook run (module, uri, module, uri)."
              % t["reps"], "",
              "| module median | uri median | ratio (target <= 1.15) | 429s |", "|---:|---:|---:|---:|",
              "| %.3f s | %.3f s | %.3f | %d |" % (t["module_median_s"], t["uri_median_s"], t["ratio"], t["429s"])]
    i = results["imports"]
    ms = dict((name, seconds * 1000) for name, seconds in i.items())
    lines += ["", "Where the difference goes: a fresh Python process imports flashduty_schedule_info in %(module).0f ms "
              "and ansible.builtin.uri in %(uri).0f ms. Imported on its own, requests (the one library the modules "
              "need) takes %(requests).0f ms, part of it shared with ansible-core. The modules no longer import "
              "jsonschema (%(jsonschema).0f ms on its own): the request schemas are checked by "
              "`module_utils/schema_check.py`, which knows only the keywords those schemas use and is held against "
              "jsonschema by the tests. The pacing state and the schema check add little beyond that." % ms]
    lines += ["", "## 4. Export size: peak resident memory with return_rows: false", "",
              "| CSV size | module peak RSS | wall |", "|---:|---:|---:|"]
    for r in results["size"]:
        lines.append("| %.1f MB | %.1f MB | %.2f s |" % (r["bytes"] / 1e6, r["peak_rss_mb"], r["wall_s"]))
    if len(results["size"]) == 2:
        growth = results["size"][1]["peak_rss_mb"] - results["size"][0]["peak_rss_mb"]
        lines += ["", "Difference: %.1f MB (target: within 10 MB)." % growth]
    lp = results["latency_paging"]
    lines += ["", "## 5. Paging over a real network: %d schedules at %d ms a round trip" % (
        lp[0]["pages"] * 100, LATENCY * 1000), "",
        "The simulator answers every request %d ms late and enforces 50/s and 1000/min. It encodes each "
        "schedule's JSON once, before the runs: a real service builds 50 answers side by side, while this one "
        "Python process, on the same 2 cores as the module, built them one after the other, which held the first "
        "second's requests back by up to 0.19 s on their way in (measured by hand on 2026-12-01). The floor is set by the "
        "rate limit: the 51st request may go 1 s after the first (plus the pacer's 0.1 s safety margin), then one "
        "round trip: %.2f s (the issue's estimate: about 1.35 s). The pacer plans the next second's slots from the "
        "times the first answers began (the server may have counted a request as late as that), which adds about one "
        "round trip, and whatever this 2-core machine's 50 threads lag in taking those answers. *Requests* runs from the first request sent to the "
        "last answer; *module wall* is the whole module process as Ansible runs it, from Python's start to the "
        "result printed. `return_schedules: false` leaves the schedules out and keeps `total` and `oncall`. "
        "Medians of %d runs each (requests: the most any run made; 429s: all runs together; Ansible's share: "
        "of all runs that return the same result)."
        % (LATENCY * 1000, lp[0]["floor_s"], lp[0]["repeats"]), "",
        "| concurrency | return_schedules | requests (pages %d) | 429s | requests | ratio to floor | module wall | "
        "Ansible's share | module wall / (floor + share) (goal <= 1.3) | wall less share | module's own time |"
        % lp[0]["pages"], "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in lp:
        lines.append("| %d | %s | %d | %d | %.2f s | %.2f | %.2f s | %.2f s | %.2f | %.2f s | %.2f s |" % (
            r["concurrency"], str(r["return_schedules"]).lower(), r["requests"], r["429s"], r["requests_span_s"],
            r["requests_span_s"] / r["floor_s"], r["module_wall_s"], r["ansible_s"],
            r["module_wall_s"] / (r["floor_s"] + r["ansible_s"]), r["module_wall_s"] - r["ansible_s"], r["own_s"]))
    speedups = (lp[1]["requests_span_s"] / lp[0]["requests_span_s"], lp[1]["own_s"] / lp[0]["own_s"],
                (lp[1]["module_wall_s"] - lp[1]["ansible_s"]) / (lp[0]["module_wall_s"] - lp[0]["ansible_s"]),
                lp[1]["module_wall_s"] / lp[0]["module_wall_s"])
    imports = results["imports"]["module"] - results["imports"]["uri"]
    bounded, rounds = bounded_floor(lp[0]["pages"])
    lines += ["", "The floor above is the rate limit's alone, as it was before pages asked ahead were bounded "
              "(section 2). Under that bound the %dth page cannot go before %d round trips (%.2f s): only page "
              "1 goes first, and each round trip lets the pager ask 1.5 times the pages then known to be full, "
              "plus one. The %dth page then goes 1 s and the pacer's %.1f s margin after the %dth (no 50 "
              "requests in any one second), so no pager within the bound gets these requests under %.2f s "
              "at %d ms a round trip (`benchmarks/run.py`, bounded_floor): %.2fx the rate limit's floor; the "
              "concurrent run's requests took %.2fx that bounded floor."
              % (min(lp[0]["pages"], 50), rounds, rounds * LATENCY, lp[0]["pages"], PACER_MARGIN,
                 min(lp[0]["pages"], 50), bounded, LATENCY * 1000, bounded / lp[0]["floor_s"],
                 lp[0]["requests_span_s"] / bounded)]
    lines += ["", "Concurrent against one page after the other: %.1fx faster in the requests, %.1fx in the module's "
              "own time (goal >= 7x; %.1fx as the wall less Ansible's share), %.1fx in the whole wall, Ansible's "
              "share included." % speedups, "",
              MODULE_WALL_NOTE % (lp[0]["ansible_s"], lp[0]["ansible_s"] / lp[0]["floor_s"], lp[0]["start_s"],
                                  lp[2]["ansible_s"], LATENCY * 1000, DEFAULT_CONCURRENCY, imports)]
    h = results["handshake"]
    lines += ["", "With a %d ms handshake before the first request on every new connection (TCP and TLS 1.3 at %d ms "
              "round trips), `return_schedules: false`, medians of %d runs: the first 50 pages go on new "
              "connections and reach the server later than the next 50 on kept-alive ones; a request counts only "
              "once its answer began, so the next second's slots wait for that. (With the fixed margin alone, "
              "the same run drew 47 429s in 147 requests, measured by hand on 2026-12-01.)"
              % (HANDSHAKE * 1000, LATENCY * 1000, h["repeats"]), "",
              "| schedules | requests | 429s (target 0) | requests | module wall |", "|---:|---:|---:|---:|---:|",
              "| %d | %d | %d | %.2f s | %.2f s |"
              % (h["schedules"], h["requests"], h["429s"], h["requests_span_s"], h["module_wall_s"])]
    n = results["names"]
    by_path = ", ".join("%s %d" % kv for kv in sorted(n["by_path"].items()))
    lines += ["", "## 6. %d schedules with a window and names, at %d ms" % (n["schedules"], LATENCY * 1000), "",
              "| requests by endpoint | 429s | module wall |", "|---|---:|---:|",
              "| %s | %d | %.2f s |" % (by_path, n["429s"], n["module_wall_s"])]
    r = results["role"]
    lines += ["", "## 7. The insight_report role for %d teams, at %d ms" % (r["teams"], LATENCY * 1000), "",
              "| requests by endpoint | 429s | listing and names (before the first export) | "
              "exports: first to last (floor) | playbook wall |",
              "|---|---:|---:|---:|---:|",
              "| %s | %d | %.2f s | %.1f s (%.1f s) | %.1f s |" % (
                  ", ".join("%s %d" % kv for kv in sorted(r["by_path"].items())), r["429s"], r["listing_span_s"],
                  r["export_span_s"], r["export_floor_s"], r["wall_s"])]
    lines += ["", "## 8. Concurrent jobs: 3 jobs x 4 exports at the real limits (1/s, 10/min)", "",
              "Each job has its own HOME and pacing_dir, as AWX jobs in their own containers do. The floor from the "
              "first export to the last is %.0f s: the 11th and 12th wait for the minute." % (
                  results["jobs"][0]["floor_s"]), "",
              "| pacing | exports done | requests | 429s | first to last | ratio to floor |",
              "|---|---:|---:|---:|---:|---:|"]
    for j in results["jobs"]:
        cells = (j["name"], j["exports"], j["requests"], j["429s"], j["span_s"], j["span_s"] / j["floor_s"])
        lines.append("| %s | %d | %d | %d | %.1f s | %.3f |" % cells)
    if results.get("health"):
        lines += [""] + health_report(results["health"])
    if results.get("clients"):
        lines += [""] + clients_report(results["clients"])
    return "\n".join(lines) + "\n"


GENERATED_BEGIN = "<!-- make bench writes from here: edit benchmarks/run.py, not this part -->"
GENERATED_END = "<!-- make bench writes up to here; what follows is written by hand -->"


def write_report(path, text):
    """Put ``text`` between the GENERATED markers of ``path``; keep what is around them.

    A file without the markers gets the title, the block and an empty hand-written part.
    """
    before, after = "# Performance\n\n", "\n"
    if os.path.exists(path):
        with open(path) as handle:
            old = handle.read()
        if GENERATED_BEGIN in old and GENERATED_END in old:
            before = old.split(GENERATED_BEGIN, 1)[0]
            after = old.split(GENERATED_END, 1)[1]
    with open(path, "w") as handle:
        handle.write(before + GENERATED_BEGIN + "\n\n" + text.rstrip("\n") + "\n\n" + GENERATED_END + after)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, to check the script itself")
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "performance.md"))
    parser.add_argument("--only", choices=["health", "clients"], help="run only this benchmark and print it (no file written)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="flashduty-bench-")
    sim = Simulator(work)
    if args.only == "clients":
        try:
            clients = bench_clients(sim)
        finally:
            sim.stop()
        print("\n".join(clients_report(clients)))
        return
    if args.only == "health":
        try:
            health = bench_health(sim, work)
        finally:
            sim.stop()
        print("\n".join(health_report(health)))
        print(json.dumps(health, indent=2))
        return
    try:
        results = {"machine": machine(), "load": []}

        def measure(name, bench, *bench_args):
            # The machine is shared: each section notes the load average (1 minute) it began and ended in.
            before = os.getloadavg()[0]
            results[name] = bench(*bench_args)
            results["load"].append((name, before, os.getloadavg()[0]))

        measure("export", bench_export_pacing, sim, work, 12 if args.quick else 20)
        measure("paging", bench_paging, sim, work, 500 if args.quick else 5000)
        measure("per_task", bench_per_task, sim, work, 10 if args.quick else 50)
        measure("imports", bench_imports)
        measure("size", bench_export_size, sim, work, [10 ** 6, (10 if args.quick else 200) * 10 ** 6])
        measure("latency_paging", bench_latency_paging, sim, work, 2000 if args.quick else 10000)
        measure("handshake", bench_handshake, sim, work, 2000 if args.quick else 10000)
        measure("names", bench_names, sim, work, 1234)
        measure("role", bench_role, sim, work, 60 if args.quick else 250)
        measure("jobs", bench_concurrent_jobs, sim, work)
        measure("health", bench_health, sim, work, 1000, 90, 1 if args.quick else 3)
        measure("clients", bench_clients, sim, 50 if args.quick else 200)
    finally:
        sim.stop()
    text = report(results, args.quick)
    print(text)
    write_report(args.output, text)
    with open(os.path.join(work, "results.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    print("raw results: %s" % os.path.join(work, "results.json"))


if __name__ == "__main__":
    main()
