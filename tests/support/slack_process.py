"""A real ``smassist serve slack`` process (HTTP mode) against the Slack stand-in, for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.ports import free_port
from tests.support.slack_standin import SlackStandIn

PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")




@dataclass
class SlackProcess:
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT

    @property
    def events_url(self) -> str:
        return self.url + "/slack/events"


@contextmanager
def serve_slack(slack: SlackStandIn, secret: str, *, ready_path: str = "/readyz",
                timeout: float = 20.0) -> Iterator[SlackProcess]:
    """Start ``smassist serve slack`` on a free port; wait until ``ready_path`` answers; kill it
    if the test has not stopped it (``process.terminate()`` then ``communicate()``)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in PROXIES and k != "SLACK_APP_TOKEN"}
    env.update(SLACK_BOT_TOKEN="xoxb-stand-in", SLACK_SIGNING_SECRET=secret,
               SMASSIST_SLACK_API_URL=slack.api_url)
    if os.environ.get("SMASSIST_TEST_KB"):
        env["SMASSIST_KB"] = os.environ["SMASSIST_TEST_KB"]
    process = subprocess.Popen([sys.executable, "-m", "smassist.cli", "serve", "slack",
                                "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + ready_path, timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise AssertionError(process.communicate()[1]) from None
                time.sleep(0.05)
        yield SlackProcess(process, url)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
