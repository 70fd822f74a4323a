# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pacing shared through a Redis (or Valkey) server, for jobs on many hosts.

The file backend (:mod:`pacing_file`) coordinates the processes of one machine.
AWX jobs run in containers of their own, often on several nodes, so they
share the account's limits only through a server they all reach. This
backend keeps the file backend's guarantee there: no window of any limit's
length ever holds more requests than the limit.

One atomic server-side script per reservation reads the sliding log of
reservations (a sorted set, scored by their settled times as in the file
backend), finds the earliest slot at which every window of the endpoint
still has room, and appends it; the same script checks a slot again when it
is due, and a second one raises a reservation's settled time when its answer
came late. The server's own clock (``TIME``)
orders everyone, so hosts with skewed clocks agree. Keys are named by a hash
of the app key and the endpoint, never the key, and expire on their own once
the longest window has passed.

Failure behaviour: the connection is tried again for a few seconds (a server
restarting mid-run comes back into use; its log starts empty). A server that
cannot be reached, refuses the credentials or keeps failing fails the task
with :class:`PacingError`, before the API request it would have paced, and
never with the password in the message: the user asked for shared pacing,
and quietly pacing per process instead would bring back the 429s.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import time
from urllib.parse import parse_qs, unquote, urlsplit

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import limits_for
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import FlashdutyError, ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_core import (
    DEFAULT_MARGIN,
    Reservation,
    state_name,
    wait_for_slot,
)

SCHEMES = ("redis", "rediss", "unix")
KEY_PREFIX = "flashcat.flashduty:pacing:"
# How long a failing server is tried again before the task fails.
RECONNECT_SECONDS = 5.0

# KEYS[1]: the log (sorted set: member "slot:sequence", score its settled
# time), KEYS[2]: a counter for unique members, KEYS[3]: the latest slot.
# ARGV: margin, a reservation or '', what to do with it ('drop': give it up
# and reserve anew; 'check': keep it if it may go now, as the file pacer's
# wake-up check, else the same as 'drop'), then count and window per limit.
# Returns the member reserved and the seconds to wait.
RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local margin, mine = tonumber(ARGV[1]), ARGV[2]
local horizon = 0
local limits = {}
for i = 4, #ARGV, 2 do
  local count, window = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  limits[#limits + 1] = {count, window}
  if window > horizon then horizon = window end
end
horizon = horizon + margin
-- Lua writes a number with 14 digits (0.1 ms at today's epoch): bounds go
-- to the server written to the microsecond, as slots are.
local function bound(x) return string.format('(%.6f', x) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', bound(now - horizon))
local function parts(member)
  local slot, seq = string.match(member, '^([^:]+):(%d+)$')
  return tonumber(slot), tonumber(seq)
end
if ARGV[3] == 'check' and redis.call('ZSCORE', KEYS[1], mine) then
  local slot, seq = parts(mine)
  -- A host whose clock runs a little ahead may ask a moment before the slot.
  local at = math.max(now, slot)
  local ok = true
  for _, limit in ipairs(limits) do
    if not ok then break end
    -- (the slot is written to the microsecond: a window may end that much early)
    local since = bound(at - limit[2] + 0.00001)
    if redis.call('ZCOUNT', KEYS[1], since, '+inf') > limit[1] then
      -- Count only the reservations planned before this one.
      local n = 0
      for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], since, '+inf')) do
        local s, q = parts(member)
        if s < slot or (s == slot and q < seq) then n = n + 1 end
      end
      ok = n < limit[1]
    end
  end
  if ok then return {mine, '0'} end
end
if mine ~= '' then redis.call('ZREM', KEYS[1], mine) end
local slot = math.max(now, tonumber(redis.call('GET', KEYS[3]) or '0'))
local size = redis.call('ZCARD', KEYS[1])
for _, limit in ipairs(limits) do
  if size >= limit[1] then
    local nth = redis.call('ZRANGE', KEYS[1], -limit[1], -limit[1], 'WITHSCORES')
    local earliest = tonumber(nth[2]) + limit[2]
    if earliest > slot then slot = earliest end
  end
end
local member = string.format('%.6f', slot) .. ':' .. redis.call('INCR', KEYS[2])
slot = parts(member)
redis.call('ZADD', KEYS[1], slot + margin, member)
local ttl = math.ceil((slot - now + horizon) * 1000) + 1000
redis.call('SET', KEYS[3], string.format('%.6f', slot), 'PX', ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return {member, string.format('%.6f', slot - now)}
"""

# KEYS[1]: the log; ARGV[1]: a member. Its answer began now: raise its settled time.
ANSWERED_SCRIPT = """
local settled = redis.call('ZSCORE', KEYS[1], ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if settled and now > tonumber(settled) then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
return 0
"""


def import_redis():
    """redis-py, imported only when pacing_url is used: it costs a module
    process about 90 ms, which every task without pacing_url is spared.
    Raises ImportError when it is not installed."""
    return importlib.import_module("redis")


class PacingError(FlashdutyError):
    """The shared pacing server cannot be used; nothing was sent."""


def parse_pacing_url(url, param="pacing_url"):
    """Check a Redis URL: scheme, host, port, database. Never echoes a password.

    Returns ``(url, password)`` where ``password`` is the URL's password (for
    redaction) or None.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(param, "is not a URL such as redis://host:6379/0 (the port must be a number "
                              "from 1 to 65535)")
    shown = _without_password(parts)
    if parts.scheme not in SCHEMES:
        raise ValidationError(param, "must start with redis://, rediss:// (TLS) or unix://, got %s" % shown)
    query = parse_qs(parts.query)
    if parts.scheme == "unix":
        if not parts.path.startswith("/"):
            raise ValidationError(param, "a unix:// URL names the socket's absolute path, got %s" % shown)
        db = (query.get("db") or ["0"])[0]
    else:
        if not parts.hostname:
            raise ValidationError(param, "names no host, got %s" % shown)
        if port is not None and not 1 <= port <= 65535:
            raise ValidationError(param, "the port must be from 1 to 65535, got %s" % shown)
        db = parts.path.lstrip("/") or (query.get("db") or ["0"])[0]
    if not db.isdigit():
        raise ValidationError(param, "the database must be a number such as /0, got %s" % shown)
    return url, unquote(parts.password) if parts.password else None


def _without_password(parts):
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = "%s@%s" % ("%s:********" % user if ":" in userinfo else user, host)
    return "%s://%s%s" % (parts.scheme, netloc, parts.path)


class RedisPacing:
    """Pacers of every endpoint of one app key, sharing one connection."""

    def __init__(self, app_key, url, password=None, limits=None, margin=DEFAULT_MARGIN, sleep=None, clock=None,
                 reconnect_seconds=RECONNECT_SECONDS, connection=None):
        try:
            self.redis = import_redis()
        except ImportError:
            raise PacingError("the Python library redis is required for pacing_url")
        self.app_key = app_key
        self.limits = limits or {}
        self.margin = margin
        self.sleep = sleep if sleep is not None else time.sleep
        self.clock = clock if clock is not None else time.monotonic
        self.reconnect_seconds = reconnect_seconds
        kwargs = {"socket_timeout": 5, "socket_connect_timeout": 5}
        if password:
            kwargs["password"] = password
        self.connection = connection or self.redis.Redis.from_url(url, **kwargs)
        self.script = self.connection.register_script(RESERVE_SCRIPT)
        self.answered_script = self.connection.register_script(ANSWERED_SCRIPT)

    def pacer(self, endpoint, enabled=True):
        return RedisPacer(self, endpoint, enabled)

    def _keys(self, endpoint):
        name = KEY_PREFIX + state_name(self.app_key, endpoint)
        return [name, name + ":seq", name + ":last"]

    def reserve(self, endpoint, mine=None, check=False):
        """A :class:`Reservation` of a new slot, run atomically on the server;
        with ``mine``, that one is given up first, or (``check``) kept when it
        may go now. Its times are this host's clock (``clock``), the wait
        being the server's difference."""
        args = [repr(self.margin), mine.member if mine is not None else "", "check" if check else "drop"]
        for count, window in limits_for(endpoint, self.limits):
            args += [count, repr(float(window))]
        before = self.clock()
        member, wait = self._retrying(lambda: self.script(keys=self._keys(endpoint), args=args))
        wait = float(_text(wait))
        # Sent no earlier than this clock says; settled no earlier than ``before`` says.
        return Reservation(self.clock() + wait, before + max(wait, 0.0) + self.margin, _text(member))

    def answered(self, endpoint, reservation):
        """The answer to ``reservation``'s request began now (see :meth:`pacing_file.Pacer.answered`)."""
        self._retrying(lambda: self.answered_script(keys=self._keys(endpoint)[:1], args=[reservation.member]))

    def release(self, endpoint, reservation):
        """Give an unused slot back."""
        self._retrying(lambda: self.connection.zrem(self._keys(endpoint)[0], reservation.member))

    def _retrying(self, call):
        """``call()`` against the server, reconnecting for a while; PacingError when that fails."""
        deadline = self.clock() + self.reconnect_seconds
        delay = 0.1
        redis = self.redis
        while True:
            try:
                return call()
            except redis.exceptions.AuthenticationError as exc:
                raise PacingError("the pacing server refused the credentials of pacing_url (%s)" % _kind(exc))
            except redis.exceptions.ResponseError as exc:
                if "NOAUTH" in str(exc) or "WRONGPASS" in str(exc):
                    raise PacingError("the pacing server refused the credentials of pacing_url (%s)" % _kind(exc))
                raise PacingError("the pacing server answered with an error: %s" % exc)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                if self.clock() >= deadline:
                    raise PacingError("cannot reach the pacing server of pacing_url (%s): %s; nothing was sent"
                                      % (_kind(exc), exc))
                self.sleep(delay)
                delay = min(delay * 2, 1.0)


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else "%s" % value


def _kind(exc):
    return type(exc).__name__


class RedisPacer:
    """Wait for a slot of one endpoint; the same ``wait()`` as the file pacer."""

    def __init__(self, pacing, endpoint, enabled=True):
        self.pacing = pacing
        self.endpoint = endpoint
        self.enabled = enabled

    def answered(self, reservation):
        """Raise ``reservation``'s settled time on the server when its answer came late."""
        if reservation is not None and self.pacing.clock() > reservation.settled:
            self.pacing.answered(self.endpoint, reservation)

    def wait(self, stop=None):
        """Block until this process may send; the same as the file pacer's.

        The slot is in the server's time, so the wait is the server's
        difference. A wake-up later than LATE_WAKE by this host's clock gives
        the slot up for a new one; otherwise the server checks it against the
        settled times as they are then (a request planned before it whose
        answer came late), as the file pacer does.
        """
        if not self.enabled:
            return None
        pacing = self.pacing
        return wait_for_slot(lambda: pacing.reserve(self.endpoint), self._recheck,
                             lambda mine: pacing.release(self.endpoint, mine), pacing.clock, pacing.sleep, stop)

    def _recheck(self, mine, late):
        """Late: a new slot at once; otherwise the server's check (None: it may go)."""
        again = self.pacing.reserve(self.endpoint, mine, check=not late)
        return None if again.member == mine.member else again
