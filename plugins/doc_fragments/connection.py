# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  app_key:
    description:
      - The Flashduty app key, issued in the console under Account, APP Keys.
      - It carries every permission of the person who made it. It is sent only as the C(app_key) query
        parameter and is removed from every message, warning and result.
      - If not set, the value of the E(FLASHDUTY_APP_KEY) environment variable is used.
      - Required, here or in E(FLASHDUTY_APP_KEY); without a key, or with an empty one, the task fails before
        any request, naming E(FLASHDUTY_APP_KEY).
    type: str
  base_url:
    description:
      - The API endpoint.
      - If not set, the value of the E(FLASHDUTY_BASE_URL) environment variable is used, then the default.
    type: str
    default: https://api.flashcat.cloud
  timeout:
    description:
      - Seconds to wait for the server to connect and for each read.
    type: float
    default: 30
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only turn this off against a test server.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the server with, instead of the system's.
    type: path
  max_retries:
    description:
      - How many times a call is retried after HTTP 429, 500, 502, 503, 504, a connection error or a timeout,
        with exponential backoff from 1 second (with jitter, capped at 30 seconds). A C(Retry-After)
        header, in seconds or as an HTTP date, is honoured instead, up to 300 seconds.
      - V(0) disables retries. Other client errors (4xx) are never retried.
    type: int
    default: 3
  pacing:
    description:
      - Wait before each request, retries included, so that the account stays under the endpoint's documented
        rate limits (C(/schedule/list) 50 per second and 1000 per minute, C(/insight/team/export) 1 per second
        and 10 per minute; other endpoints 1 per second and 10 per minute) in every window of 1 and 60 seconds.
      - The state is shared through O(pacing_dir), so loop items and forks on one host queue behind each other.
    type: bool
    default: true
  pacing_dir:
    description:
      - Directory for the shared pacing state. Files there are named by a hash of the app key and endpoint,
        never the key itself, and are guarded by a file lock.
      - If not set, the value of the E(FLASHDUTY_PACING_DIR) environment variable is used, else
        C(~/.cache/flashcat.flashduty/pacing) (or below E(XDG_CACHE_HOME)).
      - If it cannot be used, pacing falls back to the current process with a warning.
    type: path
  pacing_url:
    description:
      - Share pacing through a Redis or Valkey server instead of O(pacing_dir), so that jobs in separate containers
        and on separate hosts (AWX execution nodes, container groups) stay under the account's limits together.
      - C(redis://[[user]:password@]host[:port][/db]), C(rediss://...) for TLS (query options such as
        C(ssl_ca_certs=/path/ca.pem) are passed to redis-py), or C(unix:///path/redis.sock[?db=N]).
      - Each reservation is one atomic script on the server, ordered by the server's clock; keys are named by a
        hash of the app key and endpoint and expire by themselves.
      - If the server cannot be reached for a few seconds, or refuses the credentials, the task fails before the
        request it would have paced; the password never appears in any output.
      - Needs the Python library C(redis) on the host that runs the module.
      - If not set, the value of the E(FLASHDUTY_PACING_URL) environment variable is used.
    type: str
    version_added: 0.2.0
  pacing_password:
    description:
      - The password of the O(pacing_url) server, when it is not in the URL.
      - If not set, the value of the E(FLASHDUTY_PACING_PASSWORD) environment variable is used.
    type: str
    version_added: 0.2.0
  rate_limits:
    description:
      - Override the limits paced to, per API path, for accounts whose limits differ from the documented ones,
        or to share one account's budget between several execution nodes.
      - 'A dictionary of API path to a list of C(REQUESTS/SECONDSs) strings, for example
        C({"/insight/team/export": ["1/1s", "5/60s"]}). Paths not named keep the documented limits.'
    type: dict
notes:
  - All requests are C(POST) with a JSON body. HTTP and HTTPS proxies are taken from the usual environment
    variables (E(HTTPS_PROXY), E(NO_PROXY)).
requirements:
  - requests
"""

    # Use together with ansible.builtin.action_common_attributes.
    ACTIONGROUP = r"""
attributes:
  action_group:
    description: Use C(group/flashcat.flashduty.flashduty) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - flashcat.flashduty.flashduty
"""

    # The attributes of a module that only reads (every _info module and schedule_health).
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs in check mode as it does otherwise.
  diff_mode:
    support: N/A
    details: The module changes nothing.
  platform:
    platforms: posix
"""
