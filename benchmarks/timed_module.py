# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark harness, not part of the collection: run a module file as
Ansible runs one (``python module.py args.json``) and write to stderr when
it called exit_json or fail_json, so that the benchmark can tell the
module's own work from handing back its result.

Usage: python timed_module.py MODULE_FILE ARGS_FILE
"""

from __future__ import absolute_import, division, print_function

import runpy
import sys
import time

from ansible.module_utils import basic


def _timed(original, called):
    def method(self, *args, **kwargs):
        called.append(time.time())
        return original(self, *args, **kwargs)
    return method


def main():
    called = []
    for name in ("exit_json", "fail_json"):
        setattr(basic.AnsibleModule, name, _timed(getattr(basic.AnsibleModule, name), called))
    sys.argv = sys.argv[1:]
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    finally:
        if called:
            sys.stderr.write("\nexit_called_at %f\n" % called[0])


if __name__ == "__main__":
    main()
