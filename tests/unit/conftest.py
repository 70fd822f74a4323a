# -*- coding: utf-8 -*-
"""Shared fixtures: a real local Flashduty simulator, modules run in-process
with real arguments, and ``ansible-playbook`` runs against the simulator."""

from __future__ import absolute_import, division, print_function

import contextlib
import io
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support import FakeTime, Simulator, SimHandle, run_playbook, tools_in  # noqa: E402  pylint: disable=wrong-import-position


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "matrix: behaviour that can differ between ansible-core versions (a module run with its argument spec, "
        "warnings and result, ansible-playbook, templating and data tagging, the role, ansible-doc); make "
        "test-matrix runs only these on the older cores (-m matrix), the whole suite runs on the default and "
        "the newest ansible-core")
    config.addinivalue_line(
        "markers",
        "integration: starts ansible-playbook, ansible-doc, ansible-galaxy, molecule, Chromium or another "
        "of INTEGRATION_TOOLS (a test that does and lacks the mark fails); make check leaves these out, the "
        "whole suite runs them")
    config.addinivalue_line(
        "markers",
        "realtime: one of the few end-to-end checks that wait for real rate-limit windows on purpose (each "
        "pacing backend, each endpoint family, processes and playbooks side by side); every other wait runs "
        "on an injected clock")


# A test that starts one of support.INTEGRATION_TOOLS must be marked integration.
_CURRENT = {"item": None}
_POPEN_INIT = subprocess.Popen.__init__


def _guarded_popen_init(self, args, *rest, **kwargs):
    if not isinstance(args, (str, bytes, os.PathLike)):
        args = list(args)  # an iterator is read once: what is checked is what runs
    item = _CURRENT["item"]
    if item is not None and item.get_closest_marker("integration") is None:
        tools = tools_in(args)
        if tools:
            raise AssertionError("%s starts %s: mark it @pytest.mark.integration (make check leaves those out)"
                                 % (item.nodeid, ", ".join(tools)))
    _POPEN_INIT(self, args, *rest, **kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # A module fixture runs in the setup of its file's first test: that test is the one checked.
    _CURRENT["item"] = item
    try:
        yield
    finally:
        _CURRENT["item"] = None


subprocess.Popen.__init__ = _guarded_popen_init


# The files whose tests run the role or many playbooks, heaviest first: pytest-xdist hands out a file
# at a time in this order, so the long files start at once and the short ones fill in around them.
HEAVY_FIRST = ("test_fidelity.py", "test_insight_report_pages.py", "test_insight_report.py", "test_reliability.py", "test_playbooks.py",
               "test_pacing_redis.py", "test_names.py", "test_package.py")


def pytest_collection_modifyitems(config, items):
    def weight(item):
        name = os.path.basename(str(item.fspath))
        return HEAVY_FIRST.index(name) if name in HEAVY_FIRST else len(HEAVY_FIRST)
    items.sort(key=weight)  # stable: a file's own order stays


@contextlib.contextmanager
def _running_simulator():
    server = Simulator(limits="off").start()
    try:
        yield SimHandle(server)
    finally:
        server.stop()


@pytest.fixture
def sim():
    """A simulator without rate limits (tests of pacing switch them on)."""
    with _running_simulator() as handle:
        yield handle


@pytest.fixture(scope="module")
def module_sim():
    """One simulator for a test file's shared runs (a role run several tests read, never change)."""
    with _running_simulator() as handle:
        yield handle


@pytest.fixture
def conn(sim, tmp_path):
    """Connection options of a module pointed at the simulator."""
    return dict(app_key=sim.app_key, base_url=sim.url, pacing_dir=str(tmp_path / "pacing"))


@contextlib.contextmanager
def _module_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes
    old = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = old


@pytest.fixture
def run_module(tmp_path):
    """Run a module's main() with real arguments; return its JSON result.

    Everything the module wrote, to stdout and stderr, is kept in ``run_module.output``.
    """
    def run(module, args, check_mode=False):
        assert "ansible.errors" not in sys.modules, (
            "controller code was imported into this test process, so ansible-core now sends module warnings to "
            "its display instead of the result: run controller-side code in a subprocess, or import the "
            "module_utils function behind it")
        args = dict(args, _ansible_check_mode=check_mode, _ansible_remote_tmp=str(tmp_path / "remote_tmp"),
                    _ansible_keep_remote_files=False)
        _clear_global_warnings()
        out, err = io.StringIO(), io.StringIO()
        with _module_args(args), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            with pytest.raises(SystemExit):
                module.main()
        run.output = out.getvalue() + err.getvalue()
        result = json.loads(out.getvalue())
        if "warnings" in result:
            result["warnings"] = [_text(w) for w in result["warnings"]]
        return result
    return run


@pytest.fixture
def waits(monkeypatch):
    """Modules run in-process wait on a fake clock: each retry's wait is recorded in
    ``waits.sleeps`` instead of slept, and backoff has no jitter (pacing waits are the
    pacer's own; tests that use this turn pacing off or need no slot).

    The clock starts at the real time, so HTTP-date Retry-After headers still mean what they say.
    """
    import functools
    import time
    from ansible_collections.flashcat.flashduty.plugins.module_utils import client as client_mod
    from ansible_collections.flashcat.flashduty.plugins.module_utils.retry import Backoff
    fake = FakeTime(now=time.time())
    monkeypatch.setattr(client_mod, "time", fake)
    monkeypatch.setattr(client_mod, "Backoff", functools.partial(Backoff, rand=lambda: 0.0))
    return fake


def _clear_global_warnings():
    """ansible-core collects warnings per process; each module run here is a process of its own."""
    from ansible.module_utils.common import warnings as ansible_warnings
    for name in ("_global_warnings", "_global_deprecations"):
        collected = getattr(ansible_warnings, name, None)
        if collected is not None:
            collected.clear()


def _text(warning):
    """ansible-core 2.19 returns warnings as structured summaries."""
    if isinstance(warning, dict):
        for value in (warning.get("event"), warning.get("details"), warning):
            if isinstance(value, dict) and "msg" in value:
                return value["msg"]
    return warning


@pytest.fixture
def playbook(sim, tmp_path):
    """Write a playbook and run it with ansible-playbook against the simulator."""
    def run(text, *args, **env):
        return run_playbook(sim, tmp_path, text, *args, **env)
    return run
