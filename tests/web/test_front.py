"""The HTTP front itself (web/server.py): what a prober of /readyz sees and what the log says."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request

import pytest

from smassist.web.server import Front


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_not_ready_answer_is_503_and_logged_as_an_answer_not_an_error(
        caplog: pytest.LogCaptureFixture) -> None:
    state = {"polling": "getUpdates failing (3 failed polls)"}
    front = Front("probe", "127.0.0.1", 0)
    front.add_readiness("polling", lambda: state["polling"])
    with caplog.at_level(logging.INFO):
        url = front.start_in_thread()
        try:
            for _ in range(5):  # a load balancer asking every few seconds through an outage
                assert _get(url + "/readyz") == (
                    503, {"ready": False, "checks": {"polling": "getUpdates failing (3 failed polls)"}})
            state["polling"] = None
            assert _get(url + "/readyz") == (200, {"ready": True, "checks": {"polling": "ok"}})
            deadline = time.monotonic() + 5
            while (sum(r.name == "smassist.http.access" for r in caplog.records) < 6
                   and time.monotonic() < deadline):
                time.sleep(0.01)
        finally:
            front.stop_thread()
    access = [r for r in caplog.records if r.name == "smassist.http.access"]
    assert [r.getMessage().split()[2] for r in access] == ["503"] * 5 + ["200"]
    assert all(r.levelno == logging.INFO for r in access)
    assert "(not ready)" in access[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_handler_bug_is_a_500_error_line_without_the_traceback_for_the_client(
        caplog: pytest.LogCaptureFixture) -> None:
    front = Front("probe", "127.0.0.1", 0)

    async def broken(request: object) -> None:
        raise RuntimeError("a bug")

    front.app.router.add_get("/broken", broken)
    with caplog.at_level(logging.INFO):
        url = front.start_in_thread()
        try:
            assert _get(url + "/broken") == (500, {"error": "internal error"})
        finally:
            front.stop_thread()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.name == "smassist.http.access" and " 500 " in r.getMessage() for r in errors)
