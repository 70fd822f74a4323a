# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Flashduty HTTP client: one POST, the envelopes, retries and pacing.

Every call is ``POST {base_url}{path}?app_key=...`` with a JSON body. The
success envelope is ``{"request_id", "data"}``, the failure envelope
``{"request_id", "error": {"code", "message"}}``; the error code is the
authoritative signal. The export endpoint answers with a CSV stream instead,
which :meth:`FlashdutyClient.download` writes to a file object.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import json
import threading
import time
import warnings

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised through missing_required_lib
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import idempotent
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import (
    ApiError,
    FlashdutyError,
    ResponseFormatError,
    TransportError,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing import pacer_factory as make_pacer_factory
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_core import pause, seconds_waited
from ansible_collections.flashcat.flashduty.plugins.module_utils.redaction import Redactor, install_log_filter
from ansible_collections.flashcat.flashduty.plugins.module_utils.retry import (
    Backoff,
    is_retryable_status,
    may_repeat,
    parse_http_date,
    parse_retry_after,
)

COLLECTION_VERSION = "0.2.0"
DEFAULT_BASE_URL = "https://api.flashcat.cloud"
USER_AGENT = "flashcat.flashduty/%s (Ansible collection)" % COLLECTION_VERSION
REQUEST_ID_HEADER = "Flashcat-Request-Id"
CHUNK_SIZE = 64 * 1024
# How much of an unexpected body an error message quotes.
BODY_EXCERPT = 200


class Response:
    """A successful JSON call: the envelope's ``data`` and its request id."""

    def __init__(self, data, request_id, status):
        self.data = data
        self.request_id = request_id
        self.status = status


class Download:
    """A finished download: CSV bytes written, or a JSON envelope instead."""

    def __init__(self, request_id, status, size=0, content_type=None, envelope=None):
        self.request_id = request_id
        self.status = status
        self.size = size
        self.content_type = content_type
        self.envelope = envelope

    @property
    def is_json(self):
        return self.envelope is not None


# Codes of an ``error`` object that a 2xx body may carry and that still mean success.
SUCCESS_CODES = ("", "0", "OK")


def is_success_error(error):
    """Is a 2xx body's ``error`` (absent, null, or an object) no error at all?

    The vendor: a 2xx body may carry an ``error`` object; it is a failure
    unless its ``code`` is "", "0" or "OK".
    """
    if error is None:
        return True
    if not isinstance(error, dict):
        return False
    code = error.get("code")
    if code is None:
        # No code at all: an object that says nothing is no error; one with
        # a message is not taken for a success.
        return not error.get("message")
    return "%s" % code in SUCCESS_CODES


def _excerpt(raw):
    text = raw[:BODY_EXCERPT].decode("utf-8", "replace")
    return " ".join(text.split())


class FlashdutyClient:
    """Talk to the Flashduty API.

    ``clock``, ``sleep`` and ``backoff`` (an iterable of waits) are
    injectable so that retries and pacing are tested without waiting.
    ``warn`` receives one-line, redacted warnings; ``redact`` (a
    :class:`redaction.Redactor`) is the task's, when it has more secrets
    than the key.
    """

    def __init__(self, app_key, base_url=DEFAULT_BASE_URL, timeout=30.0, validate_certs=True,
                 ca_path=None, max_retries=3, pacing=True, pacing_dir=None, rate_limits=None,
                 clock=None, sleep=None, backoff=None, warn=None, session=None, pool_size=None,
                 pacer_factory=None, redact=None):
        if not HAS_REQUESTS:
            raise FlashdutyError("the Python library requests is required")
        self.app_key = app_key
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.clock = clock if clock is not None else time.time
        self.sleep = sleep if sleep is not None else time.sleep
        self.backoff = backoff if backoff is not None else Backoff()
        # The task's one redactor (common.run_module), or one for the key alone.
        self.redact = redact if redact is not None else Redactor(app_key)
        self._warn = warn or (lambda msg: None)
        # Where pacing state lives is not the client's business: a factory
        # gives the pacer of an endpoint. Without one, pacing.pacer_factory
        # makes it from ``pacing``, ``pacing_dir`` and ``rate_limits``.
        if pacer_factory is None:
            pacer_factory = make_pacer_factory(app_key, enabled=pacing, directory=pacing_dir, limits=rate_limits,
                                               clock=self.clock, sleep=self.sleep, warn=self.warn)
        self.pacer_factory = pacer_factory
        self.request_ids = []
        # The server's clock (its Date header, Unix seconds) when it first answered each path.
        self.answered_at = {}
        # The waits for rate-limit slots, ``(from, to)`` by endpoint (see waited()).
        self.slot_waits = {}
        self._pacers = {}
        self._pacers_lock = threading.Lock()
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if pool_size and session is None:
            # Threads share the session; each keeps its connection in a pool
            # big enough for all of them (urllib3's pool is thread-safe).
            adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=int(pool_size))
            self.session.mount("https://", adapter)
            self.session.mount("http://", adapter)
        if not validate_certs:
            self.verify = False
        elif ca_path:
            self.verify = ca_path
        else:
            self.verify = True
        install_log_filter(self.redact)

    # ------------------------------------------------------------------ API
    def post(self, path, body, headers=None, stop=None):
        """POST and return the success envelope's data as a :class:`Response`.

        ``stop`` (a ``threading.Event``): once it is set, a request still
        waiting for its slot or for a retry is not sent, and
        :class:`~pacing.Abandoned` is raised instead.
        """
        return self._call(path, body, self._read_json, headers, stop, settle=True)

    def download(self, path, body, fileobj, headers=None):
        """POST and stream a non-JSON answer (CSV) into ``fileobj``.

        ``fileobj`` must be seekable: a retried attempt starts it over. A JSON
        success envelope instead of a stream is returned as
        :attr:`Download.envelope` with nothing written.
        """
        def handler(resp, path):
            return self._stream(resp, path, fileobj)
        # An export's answer starts only when the server has built the file,
        # seconds after the request arrived: settling the request then would
        # hold the next export back by that long, so its slot's margin stands.
        return self._call(path, body, handler, headers, None, settle=False)

    def warn(self, msg):
        self._warn(self.redact(msg))

    def waited(self, path=None):
        """Seconds this client waited for rate-limit slots (of ``path``, or of
        any endpoint); waits side by side in threads count once."""
        spans = [span for key, spans in self.slot_waits.items() if path in (None, key) for span in spans]
        return seconds_waited(spans)

    # ------------------------------------------------------------ internals
    def _pacer(self, path):
        with self._pacers_lock:
            pacer = self._pacers.get(path)
            if pacer is None:
                pacer = self._pacers[path] = self.pacer_factory(path)
            return pacer

    def _call(self, path, body, handler, headers, stop, settle):
        url = self.base_url + path
        attempts = 0
        waits = iter(self.backoff)
        while True:
            attempts += 1
            pacer = self._pacer(path)
            reservation = pacer.wait(stop)
            if reservation is not None and reservation.waited:
                with self._pacers_lock:
                    self.slot_waits.setdefault(path, []).append(reservation.waited)
            answered = functools.partial(pacer.answered, reservation) if settle else None
            try:
                return self._attempt(url, path, body, handler, headers, answered)
            except FlashdutyError as err:
                err.redact(self.redact)
                again = err.retryable and may_repeat(idempotent(path), err.status, err.code)
                if not again or attempts > self.max_retries:
                    err.attempts = attempts
                    raise err
                wait = err.retry_after if err.retry_after is not None else next(waits)
                self.warn("POST %s failed (%s); retry %d of %d in %.1f s"
                          % (path, err.msg, attempts, self.max_retries, wait))
                pause(wait, self.sleep, stop)

    def _attempt(self, url, path, body, handler, headers, answered):
        """One request; ``answered()`` is called once the answer's headers are in."""
        req_headers = {"Content-Type": "application/json", "Accept": "application/json, text/csv"}
        req_headers.update(headers or {})
        try:
            with warnings.catch_warnings():
                # validate_certs=false was the user's explicit choice.
                warnings.simplefilter("ignore")
                resp = self.session.post(url, params={"app_key": self.app_key},
                                         data=json.dumps(body).encode("utf-8"), headers=req_headers,
                                         timeout=self.timeout, verify=self.verify, stream=True)
        except requests.exceptions.SSLError as exc:
            raise TransportError("TLS error talking to %s: %s" % (url, self._describe(exc)))
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            raise TransportError("cannot reach %s: %s" % (url, self._describe(exc)), retryable=True)
        except requests.exceptions.RequestException as exc:
            raise TransportError("request to %s failed: %s" % (url, self._describe(exc)))
        if answered is not None:
            answered()
        try:
            result = handler(resp, path)
        except requests.exceptions.RequestException as exc:
            raise TransportError("connection to %s broke while reading the answer (HTTP %s): %s"
                                 % (url, resp.status_code, self._describe(exc)), status=resp.status_code,
                                 request_id=resp.headers.get(REQUEST_ID_HEADER), retryable=True)
        finally:
            resp.close()
        if result.request_id:
            self.request_ids.append(result.request_id)
        return result

    def _describe(self, exc):
        """One line from a requests exception, without the key."""
        text = "%s: %s" % (type(exc).__name__, exc)
        return " ".join(self.redact(text).split())

    def _read_json(self, resp, path):
        raw = resp.content
        header_id = resp.headers.get(REQUEST_ID_HEADER)
        try:
            envelope = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            envelope = None
        if not isinstance(envelope, dict):
            err = ResponseFormatError(
                "expected a JSON envelope from POST %s but got HTTP %s %s: %r"
                % (path, resp.status_code,
                   resp.headers.get("Content-Type", "without a content type"), _excerpt(raw)),
                status=resp.status_code, request_id=header_id)
            self._mark_retry(err, resp)
            raise err
        request_id = envelope.get("request_id") or header_id
        self._raise_for_envelope(resp, envelope, request_id)
        if path not in self.answered_at:
            self.answered_at[path] = parse_http_date(resp.headers.get("Date"))
        if "data" not in envelope:
            raise ResponseFormatError("the JSON answer (HTTP %s) has neither data nor error" % resp.status_code,
                                      status=resp.status_code, request_id=request_id)
        return Response(envelope["data"], request_id, resp.status_code)

    def _raise_for_envelope(self, resp, envelope, request_id):
        error = envelope.get("error")
        if resp.status_code < 400 and is_success_error(error):
            return
        if not isinstance(error, dict):
            error = {"message": "%s" % error} if error else {}
        err = ApiError.from_response(resp.status_code, error.get("code"), error.get("message"), request_id)
        self._mark_retry(err, resp)
        raise err

    def _mark_retry(self, err, resp):
        err.retryable = is_retryable_status(resp.status_code, err.code)
        err.retry_after = parse_retry_after(resp.headers.get("Retry-After"), self.clock())

    def _stream(self, resp, path, fileobj):
        content_type = resp.headers.get("Content-Type", "")
        if resp.status_code >= 400 or "json" in content_type.lower():
            response = self._read_json(resp, path)
            return Download(response.request_id, resp.status_code, content_type=content_type,
                            envelope={"request_id": response.request_id, "data": response.data})
        request_id = resp.headers.get(REQUEST_ID_HEADER)
        fileobj.seek(0)
        fileobj.truncate()
        size = 0
        for chunk in resp.iter_content(CHUNK_SIZE):
            if chunk:
                fileobj.write(chunk)
                size += len(chunk)
        expected = resp.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and int(expected) != size and \
                not resp.headers.get("Content-Encoding"):
            raise TransportError("the answer was cut short: %d of %s bytes received" % (size, expected),
                                 status=resp.status_code, request_id=request_id, retryable=True)
        fileobj.flush()
        return Download(request_id, resp.status_code, size=size, content_type=content_type)
