# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every flashcat.flashduty module shares: the connection options,
what a task works out once from them (the redactor, the client), and one
way to run a module and turn errors into ``fail_json``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import re
import sys
import time
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.flashcat.flashduty.plugins.module_utils.client import (
    DEFAULT_BASE_URL,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    FlashdutyClient,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import limits_for
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import FlashdutyError, ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing import pacer_factory
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_redis import import_redis, parse_pacing_url
from ansible_collections.flashcat.flashduty.plugins.module_utils.redaction import Redactor

_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*$")
_WHOLE = re.compile(r"^\s*[+-]?\d+\s*$")
# An id option whose module also takes names: a name given as an id is pointed there.
NAMES_OF_IDS = {"team_ids": "team_names"}


def _infinite(value):
    if isinstance(value, float):
        return math.isinf(value)
    return isinstance(value, str) and value.strip().lower().lstrip("+-") in ("inf", "infinity")


class FlashdutyModule(AnsibleModule):
    """AnsibleModule that keeps infinity away from ansible-core's int conversion.

    ansible-core 2.19 raises OverflowError, a traceback, when an ``int``
    option gets ``.inf``. Before validation, such a value becomes a text that
    the normal conversion refuses with a message naming the option.
    """

    misplaced_names = None

    def _load_params(self):
        super(FlashdutyModule, self)._load_params()
        self._take_misplaced_names()
        for name, spec in self.argument_spec.items():
            value = self.params.get(name)
            if spec.get("type") == "int" and _infinite(value):
                self.params[name] = "%s (not a whole number)" % value
            elif spec.get("elements") == "int" and isinstance(value, list):
                self.params[name] = ["%s (not a whole number)" % v if _infinite(v) else v for v in value]
            elif spec.get("elements") == "int" and _infinite(value):
                # A lone value becomes a one-element list; it must not reach the conversion either.
                self.params[name] = ["%s (not a whole number)" % value]

    def _take_misplaced_names(self):
        """Names given as ids (``team_ids: [SRE]``) are taken out before the int
        conversion, which would fail without a word about ``team_names``;
        :func:`flashduty_module` fails naming both options."""
        for ids, names in NAMES_OF_IDS.items():
            value = self.params.get(ids)
            if names not in self.argument_spec or ids not in self.argument_spec:
                continue
            values = value if isinstance(value, list) else [value]
            wrong = [v for v in values if isinstance(v, str) and not _WHOLE.match(v) and not _infinite(v)]
            if wrong and value is not None:
                self.misplaced_names = (ids, names, wrong)
                self.params[ids] = [v for v in values if v not in wrong]


# A task that waited longer than this for rate-limit slots says so.
WAIT_WARNING = 10.0


def limit_words(limits):
    """``((1, 1.0), (10, 60.0))`` -> ``'1 request per 1 s and 10 per 60 s'``."""
    parts = []
    for index, (count, window) in enumerate(limits):
        noun = "" if index else (" request" if count == 1 else " requests")
        parts.append("%d%s per %g s" % (count, noun, window))
    return " and ".join(parts)


def connection_argument_spec():
    """The options of the ``flashcat.flashduty.connection`` doc fragment."""
    return dict(
        # Not required=True: a missing key fails in validate_connection, naming FLASHDUTY_APP_KEY.
        app_key=dict(type="str", no_log=True, fallback=(env_fallback, ["FLASHDUTY_APP_KEY"])),
        base_url=dict(type="str", default=DEFAULT_BASE_URL, fallback=(env_fallback, ["FLASHDUTY_BASE_URL"])),
        timeout=dict(type="float", default=30.0),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        max_retries=dict(type="int", default=3),
        pacing=dict(type="bool", default=True),
        pacing_dir=dict(type="path", fallback=(env_fallback, ["FLASHDUTY_PACING_DIR"])),
        pacing_url=dict(type="str", no_log=True, fallback=(env_fallback, ["FLASHDUTY_PACING_URL"])),
        pacing_password=dict(type="str", no_log=True, fallback=(env_fallback, ["FLASHDUTY_PACING_PASSWORD"])),
        rate_limits=dict(type="dict"),
    )


def flashduty_module(options, **kwargs):
    """A :class:`FlashdutyModule` with the connection options and ``options``.

    Fails with Ansible's standard message when requests is missing.
    """
    argument_spec = connection_argument_spec()
    argument_spec.update(options)
    module = FlashdutyModule(argument_spec=argument_spec, **kwargs)
    check_requirements(module)
    if module.misplaced_names:
        ids, names, wrong = module.misplaced_names
        module.fail_json(msg="%s: %s %s not a number; to choose teams by name, use %s: %s"
                         % (ids, ", ".join(repr(v) for v in wrong), "is" if len(wrong) == 1 else "are", names,
                            "[%s]" % ", ".join('"%s"' % v for v in wrong)))
    return module


def check_requirements(module):
    """Fail with Ansible's standard message when a Python library is missing,
    naming the interpreter that lacked it and what to set."""
    if not HAS_REQUESTS:
        module.fail_json(msg="%s The modules only talk to the API: run them on the controller with the Python "
                             "that runs Ansible (connection: local and ansible_python_interpreter: "
                             "\"{{ ansible_playbook_python }}\" in the play), or install requests for %s "
                             "(%s -m pip install requests)."
                             % (missing_required_lib("requests"), sys.executable, sys.executable),
                         exception="".join(traceback.format_exception_only(type(REQUESTS_IMPORT_ERROR),
                                                                           REQUESTS_IMPORT_ERROR)))


def parse_rate_limits(value):
    """``{path: ["N/Ss", ...]}`` -> ``{path: ((N, S), ...)}``; ValidationError otherwise."""
    limits = {}
    for path, entries in (value or {}).items():
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValidationError("rate_limits", "keys must be API paths such as /insight/team/export, got %r"
                                  % (path,))
        if isinstance(entries, str):
            entries = [entries]
        if not isinstance(entries, list) or not entries:
            raise ValidationError("rate_limits.%s" % path, "must be a list such as ['1/1s', '10/60s']")
        parsed = []
        for entry in entries:
            match = _LIMIT.match(entry) if isinstance(entry, str) else None
            if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
                raise ValidationError("rate_limits.%s" % path, "each limit reads 'REQUESTS/SECONDSs' with both "
                                      "above zero, such as '10/60s'; got %r" % (entry,))
            parsed.append((int(match.group(1)), float(match.group(2))))
        limits[path] = tuple(parsed)
    return limits


def check_app_key(value):
    """A missing or empty app key fails before any request, naming where a key comes from."""
    if value is None:
        raise ValidationError("app_key", "no app key: set FLASHDUTY_APP_KEY in the environment of "
                              "ansible-playbook, or give app_key (on the task or in module_defaults)")
    if not value.strip():
        source = "FLASHDUTY_APP_KEY is set but empty" if os.environ.get("FLASHDUTY_APP_KEY", None) == value \
            else "app_key is empty"
        raise ValidationError("app_key", "%s: set FLASHDUTY_APP_KEY or app_key to the account's app key "
                              "(nothing was sent)" % source)


def validate_connection(params):
    """Checks of the connection options Ansible's types do not cover."""
    check_app_key(params.get("app_key"))
    if params["max_retries"] < 0:
        raise ValidationError("max_retries", "must be 0 or more, got %d" % params["max_retries"])
    if not 0 < params["timeout"] <= 86400:
        raise ValidationError("timeout", "must be more than 0 and at most 86400 seconds, got %s" % params["timeout"])
    base_url = params["base_url"] or ""
    if not re.match(r"^https?://[^/?#\s]+(/[^?#\s]*)?$", base_url):
        raise ValidationError("base_url", "must be an http(s) URL such as %s, got %r" % (DEFAULT_BASE_URL, base_url))
    return parse_rate_limits(params.get("rate_limits"))


# Requests in flight at once, a module's ``concurrency`` option: the per-second
# limit of the list endpoints (50/s). Fewer cannot send a second's worth at once
# over a slow network (benchmarks: 150 ms round trips); more would only wait.
DEFAULT_CONCURRENCY = 50
MAX_CONCURRENCY = 50


def concurrency_option():
    """The ``concurrency`` option of modules that page or look up in parallel."""
    return dict(type="int", default=DEFAULT_CONCURRENCY)


def validate_concurrency(value, param="concurrency"):
    if not 1 <= value <= MAX_CONCURRENCY:
        raise ValidationError(param, "must be from 1 to %d, got %d" % (MAX_CONCURRENCY, value))
    return value


def _checked_pacing_url(value):
    """``(url, password, error)`` of ``pacing_url``, parsed once; an invalid
    URL's ValidationError is kept to be raised in its turn."""
    if not value:
        return None, None, None
    try:
        url, password = parse_pacing_url(value)
    except ValidationError as err:
        return None, None, err
    return url, password, None


class Task:
    """What one task works out once from the connection options.

    :attr:`redact` is the task's one redactor, built from every secret (the
    app key, ``pacing_url`` and its password, ``pacing_password``); warnings,
    errors and the requests/urllib3 log filter all go through it. ``params``
    are the connection options (a module's, or a lookup's), ``warn`` takes
    one-line warnings, ``missing_lib(msg, exc)`` reports a missing Python
    library and does not return. :meth:`of_module` builds one for a module
    and puts the secrets into its ``no_log_values`` too.
    """

    def __init__(self, params, warn, missing_lib):
        self.params = params
        self._warn = warn
        self.missing_lib = missing_lib
        self.pacing_url, url_password, self.pacing_url_error = _checked_pacing_url(params.get("pacing_url"))
        self.redact = Redactor(params.get("app_key"), params.get("pacing_url"), url_password,
                               params.get("pacing_password"))

    @classmethod
    def of_module(cls, module):
        def missing_lib(msg, exc):
            module.fail_json(msg=msg, exception="".join(traceback.format_exception_only(type(exc), exc)))
        task = cls(module.params, module.warn, missing_lib)
        module.no_log_values.update(task.redact.secrets)
        return task

    def warn(self, msg):
        self._warn(self.redact(msg))

    def report_waits(self, client, result):
        """``rate_limit_wait`` in the result: the seconds the task waited for
        rate-limit slots; over WAIT_WARNING seconds, a warning naming the limits."""
        waited = client.waited()
        result["rate_limit_wait"] = round(waited, 2)
        if waited > WAIT_WARNING:
            paths = sorted(client.slot_waits, key=client.waited, reverse=True)
            self.warn("waited %.1f s for rate-limit slots: %s; the limits are per account, shared by every task "
                      "and job with this app key (rate_limits sets them)"
                      % (waited, "; ".join("%s allows %s (%.1f s)" % (path, limit_words(
                          limits_for(path, getattr(self, "rate_limits", None))), client.waited(path))
                          for path in paths)))

    def one_line(self, text):
        return " ".join(self.redact(text).split())

    def client(self, concurrency=1):
        """A :class:`FlashdutyClient` configured from the connection options.

        ``concurrency`` sizes the connection pool for that many threads.
        ``pacing_url`` is checked before anything is sent; redis-py is needed
        only with it.
        """
        params = self.params
        rate_limits = self.rate_limits = validate_connection(params)
        if self.pacing_url_error is not None:
            raise self.pacing_url_error
        if self.pacing_url:
            try:
                import_redis()
            except ImportError as exc:
                self.missing_lib(missing_required_lib("redis", reason="for pacing_url"), exc)
        factory = pacer_factory(params["app_key"], enabled=params["pacing"], directory=params["pacing_dir"],
                                url=self.pacing_url, password=params.get("pacing_password"), limits=rate_limits,
                                warn=self.warn)
        return FlashdutyClient(
            app_key=params["app_key"],
            base_url=params["base_url"],
            timeout=params["timeout"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
            max_retries=params["max_retries"],
            warn=self._warn,
            pool_size=concurrency if concurrency > 1 else None,
            pacer_factory=factory,
            redact=self.redact,
        )


def run_module(module, run):
    """Call ``run(module, client, now)`` and exit with its result dict, or fail cleanly.

    The task's options are worked out once (:class:`Task`); a module with a
    ``concurrency`` option gets a connection pool that size. Every error
    becomes one readable, redacted ``fail_json`` line with the HTTP status,
    the error code and the request id when known; no traceback reaches the
    user, because a traceback may quote the request URL.
    """
    task = Task.of_module(module)
    try:
        concurrency = 1
        if "concurrency" in module.argument_spec:
            concurrency = validate_concurrency(module.params["concurrency"])
        client = task.client(concurrency)
        result = run(module, client, time.time())
        task.report_waits(client, result)
    except FlashdutyError as err:
        err.redact(task.redact)
        module.fail_json(msg=task.one_line(str(err)), **err.to_result())
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json(msg=task.one_line("unexpected error: %s: %s" % (type(err).__name__, err)))
    module.exit_json(**result)
