# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small private files shared by processes: an exclusive lock, and a write
that readers never see half done.

The pacing state (:mod:`pacing_file`) and the oncall lookup's cache both keep
a file per key hash, owner-only (0600), changed under an ``flock`` lock and
replaced whole.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not on POSIX
    HAS_FCNTL = False


@contextlib.contextmanager
def locked(lock_path):
    """Hold an exclusive ``flock`` on ``lock_path`` (made 0600 when missing); closing releases it, so a
    process that dies holding it releases it too. Raises OSError when the file cannot be opened."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_private(path, text):
    """``text`` into ``path`` (0600) through a temporary file renamed over it: readers see the old file or
    the new one, never a part. Raises OSError."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    data = text.encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)
    os.replace(tmp, path)
