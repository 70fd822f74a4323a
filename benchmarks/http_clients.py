# -*- coding: utf-8 -*-
"""Does the runtime need ``requests``? The same sequential requests to the simulator
through requests.Session, http.client with one kept-alive connection, and
ansible-core's module_utils.urls.open_url: per-request latency and how many
TCP connections (handshakes) each opens. Used by run.py (``--only clients``)."""

from __future__ import absolute_import, division, print_function

import http.client
import json
import socket
import statistics
import time
from urllib.parse import urlsplit

import requests
from ansible.module_utils.urls import open_url

PATH = "/schedule/list"
BODY = json.dumps({"p": 1, "limit": 1}).encode("utf-8")
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class _Counted(socket.socket):
    """A socket that counts its connects: urllib3 and http.client both make theirs through socket.socket."""
    connects = 0

    def connect(self, address):  # pylint: disable=arguments-renamed
        _Counted.connects += 1
        return super(_Counted, self).connect(address)


def _with_requests(url, key, count):
    session = requests.Session()
    times = []
    for dummy in range(count):
        start = time.perf_counter()
        answer = session.post(url + PATH, params={"app_key": key}, data=BODY, headers=HEADERS, timeout=30)
        answer.json()
        times.append(time.perf_counter() - start)
    session.close()
    return times


def _with_http_client(url, key, count):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    times = []
    for dummy in range(count):
        start = time.perf_counter()
        conn.request("POST", PATH + "?app_key=" + key, body=BODY, headers=HEADERS)
        answer = conn.getresponse()
        json.loads(answer.read())
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def _with_open_url(url, key, count):
    times = []
    for dummy in range(count):
        start = time.perf_counter()
        answer = open_url(url + PATH + "?app_key=" + key, data=BODY, headers=HEADERS, method="POST", timeout=30)
        json.loads(answer.read())
        times.append(time.perf_counter() - start)
    return times


CLIENTS = [("requests.Session", _with_requests), ("http.client, one kept-alive connection", _with_http_client),
           ("module_utils.urls.open_url", _with_open_url)]


def measure(url, key, count):
    """``[{client, requests, connections, median_ms, p95_ms, total_s}]`` for ``count`` requests each."""
    plain = socket.socket
    socket.socket = _Counted
    rows = []
    try:
        for name, run in CLIENTS:
            _Counted.connects = 0
            start = time.perf_counter()
            times = sorted(run(url, key, count))
            rows.append({"client": name, "requests": count, "connections": _Counted.connects,
                         "median_ms": 1000 * statistics.median(times),
                         "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))],
                         "total_s": time.perf_counter() - start})
    finally:
        socket.socket = plain
    return rows
