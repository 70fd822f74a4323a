# -*- coding: utf-8 -*-
"""Helpers the tests share: paths, the simulator handle, the playbook environment.

conftest.py puts this folder and the simulator's on sys.path, so test modules
import from here under plain pytest and under ansible-test units alike.
"""

from __future__ import absolute_import, division, print_function

import os
import sys

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
for _path in (os.path.join(ROOT, "tests", "simulator"), COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from flashduty_simulator import DEFAULT_APP_KEY, DataSet, Simulator  # noqa: E402,F401  pylint: disable=unused-import


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
