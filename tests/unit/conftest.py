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

from support import Simulator, SimHandle, playbook_env  # noqa: E402  pylint: disable=wrong-import-position


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "extended: another inventory shape, column layout or a large data set of a behaviour whose main case "
        "runs on every ansible-core; the lighter legs of make test-matrix leave these out (-m 'not extended')")


@pytest.fixture
def sim():
    """A simulator without rate limits (tests of pacing switch them on)."""
    server = Simulator(limits="off").start()
    try:
        yield SimHandle(server)
    finally:
        server.stop()


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
    """Run a module's main() with real arguments; return its JSON result."""
    def run(module, args, check_mode=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_remote_tmp=str(tmp_path / "remote_tmp"),
                    _ansible_keep_remote_files=False)
        _clear_global_warnings()
        out = io.StringIO()
        with _module_args(args), contextlib.redirect_stdout(out):
            with pytest.raises(SystemExit):
                module.main()
        result = json.loads(out.getvalue())
        if "warnings" in result:
            result["warnings"] = [_text(w) for w in result["warnings"]]
        return result
    return run


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
        path = tmp_path / "playbook.yml"
        path.write_text(text)
        exe = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        return subprocess.run([exe, str(path)] + list(args), env=playbook_env(sim, tmp_path, **env),
                              capture_output=True, text=True, timeout=600, cwd=str(tmp_path), check=False)
    return run
