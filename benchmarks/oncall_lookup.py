# -*- coding: utf-8 -*-
"""What the flashcat.flashduty.oncall lookup costs, against the local simulator.

Counts the requests a loop of 50 items sends with the lookup's cache (its
default, 60 s) and without it (cache_ttl=0), and compares one lookup with one
flashduty_schedule_info task that gives the same answer (who is on call now,
named). A benchmark, not a test: it prints counts and ratios and fails on
nothing but a failed playbook.

    python benchmarks/oncall_lookup.py [--items 50]
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run import Simulator, playbook  # noqa: E402  pylint: disable=wrong-import-position

SCHEDULE = "sre-oncall-00000"

LOOP = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Who is on call, in a template rendered once per item
      ansible.builtin.debug:
        msg: "{{ item }}: {{ query('flashcat.flashduty.oncall', '%(schedule)s', cache_ttl=%(ttl)s)
                 | map(attribute='email') | join(', ') }}"
      loop: "{{ range(%(items)d) | list }}"
"""

ONE_LOOKUP = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Who is on call now
      ansible.builtin.debug:
        msg: "{{ query('flashcat.flashduty.oncall', '%(schedule)s', cache_ttl=0) | map(attribute='email') | list }}"
"""

ONE_MODULE = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Who is on call now
      flashcat.flashduty.flashduty_schedule_info:
        name: %(schedule)s
        start: now
        end: +1d
        return_schedules: false
      register: roster

    - name: The same answer
      ansible.builtin.debug:
        msg: "{{ roster.oncall[0].current.persons | map(attribute='email') | list }}"
"""


def measure(sim, work, text, **values):
    sim.reset(limits="documented", schedules=300)
    elapsed, dummy = playbook(sim, work, text % dict(values, schedule=SCHEDULE))
    log = sim.log()
    return {"requests": len(log), "by_path": sorted(set(r["path"] for r in log)), "seconds": round(elapsed, 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="flashduty-oncall-bench-")
    sim = Simulator(work)
    try:
        cached = measure(sim, work, LOOP, ttl=60, items=args.items)
        uncached = measure(sim, work, LOOP, ttl=0, items=args.items)
        lookup = measure(sim, work, ONE_LOOKUP)
        module = measure(sim, work, ONE_MODULE)
    finally:
        sim.stop()
    print("loop of %d items, cache_ttl=60 (default): %d requests, %.2f s" % (args.items, cached["requests"],
                                                                             cached["seconds"]))
    print("loop of %d items, cache_ttl=0:            %d requests, %.2f s" % (args.items, uncached["requests"],
                                                                             uncached["seconds"]))
    print("one lookup:                          %d requests %s, %.2f s" % (lookup["requests"], lookup["by_path"],
                                                                           lookup["seconds"]))
    print("one flashduty_schedule_info task:    %d requests %s, %.2f s (whole playbook each; ratio %.2f)"
          % (module["requests"], module["by_path"], module["seconds"], module["seconds"] / lookup["seconds"]))


if __name__ == "__main__":
    main()
