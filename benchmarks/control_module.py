# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark control, not part of the collection: what Ansible itself costs a
module that sends nothing and hands back a given result.

It starts as any module does (Python, ansible-core's AnsibleModule with a
no_log app_key, as the collection's modules have), reads the result from a
file and returns it with exit_json, which scrubs it for no_log values and
encodes it. The seconds spent reading the file go to stderr, so the
benchmark can leave them out: what remains is the cost any module (ours, or
ansible.builtin.uri) pays to start and to return that result.
"""

from __future__ import absolute_import, division, print_function

import json
import sys
import time

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(result_file=dict(type="path", required=True),
                                              app_key=dict(type="str", required=True, no_log=True)),
                           supports_check_mode=True)
    started = time.perf_counter()
    with open(module.params["result_file"]) as handle:
        result = json.load(handle)
    sys.stderr.write("\nread_result %f\n" % (time.perf_counter() - started))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
