# -*- coding: utf-8 -*-
"""Headless Chromium driven over the DevTools protocol, with the standard library only.

Chromium's ``--remote-debugging-pipe`` reads protocol commands from file
descriptor 3 and writes answers and events to 4, each message JSON ended by a
NUL byte: no WebSocket client, no driver binary. This lets a test lay a page
out at a true phone width (``Emulation.setDeviceMetricsOverride``: headless
windows are never narrower than 500 px), take a full-page screenshot and print
to PDF, as a person's browser would.
"""

from __future__ import absolute_import, division, print_function

import base64
import fcntl
import json
import os
import shutil
import subprocess
import threading

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe"]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium; ``page()`` opens a tab to drive."""

    def __init__(self, executable, profile, timeout=120):
        self.timeout = timeout
        to_child, self._send_fd = os.pipe()
        self._recv_fd, from_child = os.pipe()

        def as_fds_3_and_4():
            # Out of the way first (either end may itself be 3 or 4), then in place and kept across exec.
            high_in, high_out = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10), fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(  # pylint: disable=subprocess-popen-preexec-fn
            [executable] + FLAGS + ["--user-data-dir=%s" % profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=as_fds_3_and_4)
        os.close(to_child)
        os.close(from_child)
        self._next_id = 0
        self._buffer = b""
        self._events = []
        self._lock = threading.Lock()

    def close(self):
        try:
            self.call("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._send_fd, self._recv_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read_message(self):
        while b"\0" not in self._buffer:
            chunk = os.read(self._recv_fd, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe (exit code %s)" % self.process.poll())
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw.decode("utf-8"))

    def call(self, method, session=None, **params):
        """Send one command and return its result; events met meanwhile are kept."""
        with self._lock:
            self._next_id += 1
            message = {"id": self._next_id, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            os.write(self._send_fd, json.dumps(message).encode("utf-8") + b"\0")
            while True:
                answer = self._read_message()
                if answer.get("id") == message["id"]:
                    if "error" in answer:
                        raise BrowserError("%s: %s" % (method, answer["error"]))
                    return answer.get("result", {})
                self._events.append(answer)

    def wait_event(self, method, session=None):
        with self._lock:
            while True:
                for index, event in enumerate(self._events):
                    if event.get("method") == method and (session is None or event.get("sessionId") == session):
                        return self._events.pop(index)
                self._events.append(self._read_message())

    def page(self):
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        return Page(self, session)


class Page:
    """A tab: lay out at a size, load, evaluate, screenshot, print."""

    def __init__(self, browser, session):
        self.browser = browser
        self.session = session
        self.call("Page.enable")

    def call(self, method, **params):
        return self.browser.call(method, session=self.session, **params)

    def emulate(self, width, height, mobile, scale=1):
        """The viewport of a device ``width`` CSS px wide (a phone when ``mobile``)."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=scale,
                  mobile=mobile)
        if mobile:
            self.call("Emulation.setTouchEmulationEnabled", enabled=True, maxTouchPoints=5)

    def load(self, url):
        self.call("Page.navigate", url=url)
        self.browser.wait_event("Page.loadEventFired", self.session)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError("script failed: %s" % result["exceptionDetails"].get("text"))
        return result["result"].get("value")

    def screenshot(self, path):
        """The whole page, not only the viewport, as PNG."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))
        return size

    def pdf(self, paper_width=8.27, paper_height=11.69):
        """Printed as a person would on A4 (inches), backgrounds as the print stylesheet has them."""
        printed = self.call("Page.printToPDF", paperWidth=paper_width, paperHeight=paper_height,
                            displayHeaderFooter=False, preferCSSPageSize=True)
        return base64.b64decode(printed["data"])
