# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Typed errors of the Flashduty client.

Every message that leaves the client is redacted (:mod:`redaction`), so the
app key never reaches a log, a warning or a failed task's ``msg``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class FlashdutyError(Exception):
    """Base class: everything the client raises is one of these.

    ``msg`` is one readable line, already free of the app key.
    """

    def __init__(self, msg, status=None, code=None, request_id=None, attempts=None, retryable=False):
        super(FlashdutyError, self).__init__(msg)
        self.msg = msg
        self.status = status
        self.code = code
        self.request_id = request_id
        self.attempts = attempts
        # May another attempt succeed, and did the server say how long to
        # wait (Retry-After, in seconds)? The client sets both from the answer.
        self.retryable = retryable
        self.retry_after = None

    def __str__(self):
        text = self.msg
        if self.attempts and self.attempts > 1:
            text = "%s (after %d attempts)" % (text, self.attempts)
        return text

    def redact(self, redactor):
        self.msg = redactor(self.msg)
        return self

    def to_result(self):
        """The extra keys a failed task returns besides ``msg``."""
        result = {}
        for key in ("status", "code", "request_id", "attempts"):
            value = getattr(self, key)
            if value is not None:
                result[key if key != "code" else "error_code"] = value
        return result


class ValidationError(FlashdutyError):
    """A parameter is invalid; nothing was sent. ``param`` names it."""

    def __init__(self, param, rule):
        super(ValidationError, self).__init__("%s: %s" % (param, rule) if param else rule)
        self.param = param
        self.rule = rule


class ApiError(FlashdutyError):
    """The API answered with its failure envelope (or an error status)."""

    @classmethod
    def from_response(cls, status, code, message, request_id):
        parts = ["Flashduty API error"]
        parts.append("HTTP %s" % status)
        if code:
            parts.append(code)
        text = ", ".join(parts)
        if message:
            text = "%s: %s" % (text, message)
        if request_id:
            text = "%s (request_id %s)" % (text, request_id)
        return cls(text, status=status, code=code, request_id=request_id)


class ResponseFormatError(FlashdutyError):
    """The body is not what the endpoint promises (HTML from a proxy, say)."""


class TransportError(FlashdutyError):
    """No usable HTTP answer: connection refused or reset, timeout, TLS."""
