# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets out of every output: one :class:`Redactor` per task.

A task's secrets are the app key, the password of ``pacing_url`` and
``pacing_password``. ``common.run_module`` builds one redactor from them
and every output path uses it: ``fail_json`` messages, warnings, the filter
on the log records of requests and urllib3 (:func:`install_log_filter`),
and, through ``no_log_values``, what Ansible scrubs itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import logging
import re
from urllib.parse import quote, quote_plus

REDACTED = "********"

# Any app_key query parameter, whatever its value, e.g. inside a URL that
# requests or urllib3 put into an exception's text.
_APP_KEY_IN_URL = re.compile(r"(app_key=)[^&\s'\"<>)]*", re.IGNORECASE)


class Redactor:
    """Remove secrets (the app key, a pacing password), in every form a URL or a repr could carry them."""

    def __init__(self, secret, *others):
        self.secrets = tuple(value for value in (secret,) + others if value)
        forms = set()
        for value in self.secrets:
            forms.update([value, quote(value, safe=""), quote_plus(value), repr(value)[1:-1]])
        # Longest first, so a form that contains another is removed whole.
        self.forms = sorted((f for f in forms if f), key=len, reverse=True)

    def __call__(self, text):
        if text is None:
            return None
        text = "%s" % (text,)
        text = _APP_KEY_IN_URL.sub(r"\1" + REDACTED, text)
        for form in self.forms:
            text = text.replace(form, REDACTED)
        return text


class _RedactingFilter(logging.Filter):
    """Scrub log records of requests/urllib3, which may carry the full URL.

    One filter per process, installed once, knowing the redactor of every
    client (by its secrets).
    """

    def __init__(self):
        super(_RedactingFilter, self).__init__()
        self.redactors = {}

    def filter(self, record):
        text = record.getMessage()
        for redactor in self.redactors.values():
            text = redactor(text)
        record.msg, record.args = text, None
        return True


_LOG_FILTER = _RedactingFilter()


def install_log_filter(redactor):
    """Scrub what ``redactor`` removes from the records of every requests/urllib3 logger.

    A logger's filters do not see records that its children propagate, so
    the filter sits on each ``urllib3.*`` logger (they exist once requests is
    imported), not only on ``urllib3``.
    """
    _LOG_FILTER.redactors[redactor.secrets] = redactor
    names = [n for n in list(logging.Logger.manager.loggerDict) if n.split(".")[0] in ("urllib3", "requests")]
    for name in set(names + ["urllib3", "requests"]):
        logger = logging.getLogger(name)
        if _LOG_FILTER not in logger.filters:
            logger.addFilter(_LOG_FILTER)
