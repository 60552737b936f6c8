"""Answers per second through the channels, against ``Assistant.ask`` alone, in one run.

The production code runs for real, over real HTTP on 127.0.0.1, against the
stand-in servers of ``tests/support/`` (imported, not copied):

- **Slack**: Slack-signed ``message.im`` events POSTed to the bolt app's
  ``/slack/events`` HTTP endpoint; an answer counts when the stand-in Web API
  receives its ``chat.postMessage``.
- **Telegram**: the python-telegram-bot Application polls the stand-in Bot API
  (``getUpdates``); an answer counts when the stand-in receives its first
  ``sendMessage`` (or ``sendPhoto``, for a trend's chart) for that chat. Measured twice: with the bot's rate limiter as
  deployed (``AIORateLimiter``: Telegram allows about 30 messages a second per
  bot, and the bot also sends a "typing…" action per question), and with its
  limits off, which leaves the channel code alone.
- **Assistant.ask alone**: the same questions, in process, no channel.

Each path is measured two ways: one question at a time (latency from sending
the question to receiving the answer: p50, p99, max; and answers per second)
and a burst (every question sent at once, answers per second until the last
one arrives). Every question comes from its own user and chat, so conversation
context and per-chat ordering do not interfere. The questions are the in-scope
questions of ``tests/data/eval_questions.yaml``. The question log is off
(a Recorder that keeps nothing), as in ``Assistant.ask`` alone.

    python benchmarks/channels.py [--questions 200] [--quick] [--kb PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the stand-ins live in tests/support/
from report import (  # noqa: E402
    command_line,
    machine,
    machine_line,
    median,
    percentile,
    table,
    write_json,
)

SECRET = "bench-signing-secret"
TEAM_ID = "T0TEAM01"


def _no_proxies() -> None:
    # urllib, slack-sdk and httpx honour proxy variables; everything here is on 127.0.0.1.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        os.environ.pop(name, None)
        os.environ.pop(name.lower(), None)


def eval_questions(limit: int) -> list[str]:
    import yaml

    data = yaml.safe_load((HERE.parent / "tests" / "data" / "eval_questions.yaml").read_text(encoding="utf-8"))
    items = data["questions"] if isinstance(data, dict) else data
    texts = [item["text"] if "text" in item else item["question"] for item in items
             if item.get("topic") is not None]
    return (texts * (limit // max(len(texts), 1) + 1))[:limit]


def stats(latencies_s: list[float], elapsed_s: float, count: int) -> dict[str, float]:
    ms = [x * 1000 for x in latencies_s]
    row: dict[str, float] = {"answers": count, "answers_per_s": round(count / elapsed_s, 1)}
    if ms:
        row.update(p50_ms=round(median(ms), 3), p99_ms=round(percentile(ms, 0.99), 3),
                   max_ms=round(max(ms), 3))
    return row


class NullRecorder:
    """The question log, off."""

    def record_question(self, *args: Any) -> None: ...

    def record_feedback(self, *args: Any) -> None: ...

    def record_click(self, *args: Any) -> None: ...


def load_assistant(kb: str | None):
    from smassist.answering.assistant import Assistant

    assistant = Assistant.load(kb)
    assistant.recorder = NullRecorder()
    return assistant


# --- Assistant.ask alone ---------------------------------------------------------------------


def bench_assistant(kb: str | None, questions: list[str]) -> dict[str, dict[str, float]]:
    assistant = load_assistant(kb)
    for text in questions[:20]:
        assistant.ask(text, conversation="warmup")
    latencies = []
    start = time.perf_counter()
    for n, text in enumerate(questions):
        t = time.perf_counter()
        assistant.ask(text, conversation=f"bench:{n}")
        latencies.append(time.perf_counter() - t)
    sequential = stats(latencies, time.perf_counter() - start, len(questions))
    start = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda item: assistant.ask(item[1], conversation=f"burst:{item[0]}"),
                      enumerate(questions)))
    burst = stats([], time.perf_counter() - start, len(questions))
    return {"sequential": sequential, "burst": burst}


# --- Slack ----------------------------------------------------------------------------------------


def bench_slack(kb: str | None, questions: list[str], concurrency: int) -> dict[str, dict[str, float]]:
    from tests.support.slack_standin import BOT_USER_ID, SlackStandIn

    from smassist.channels.slack.app import build_app, make_client
    from smassist.channels.slack.server import SWITCH_INTERVAL, make_front

    class TimedSlack(SlackStandIn):
        """The stand-in, noting when each answer arrives (no polling)."""

        def __init__(self) -> None:
            super().__init__()
            self.arrived: dict[str, float] = {}
            self.changed = threading.Condition()

        def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
            if method == "chat.postMessage":
                with self.changed:
                    self.arrived.setdefault(str(args.get("channel")), time.perf_counter())
                    self.changed.notify_all()
            return super()._answer(method, args)

        def wait(self, channels: list[str], timeout: float = 30.0) -> None:
            deadline = time.monotonic() + timeout
            with self.changed:
                while not all(c in self.arrived for c in channels):
                    if not self.changed.wait(max(0.0, deadline - time.monotonic())):
                        missing = [c for c in channels if c not in self.arrived]
                        raise RuntimeError(f"no Slack answer for {len(missing)} question(s), e.g. {missing[:3]}")

    counter = iter(range(1, 10**9))

    def post(url: str, channel: str, user: str, text: str) -> None:
        ts = f"1710000000.{next(counter):06d}"
        body = json.dumps({
            "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "type": "event_callback",
            "event": {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts,
                      "channel": channel, "event_ts": ts},
            "event_id": f"Ev{channel}", "event_time": 1710000000,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]})
        stamp = str(int(time.time()))
        signature = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={signature}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"/slack/events answered {response.status}")

    assistant = load_assistant(kb)
    switch = sys.getswitchinterval()
    with TimedSlack() as slack:
        app = build_app(assistant, client=make_client("xoxb-bench", slack.api_url), signing_secret=SECRET)
        # As `smassist serve slack` (HTTP mode) runs: the aiohttp front acknowledges each event,
        # its answering threads take turns, the interpreter switches every millisecond.
        sys.setswitchinterval(SWITCH_INTERVAL)
        front = make_front(app, SECRET, "127.0.0.1", 0)
        url = f"{front.start_in_thread()}/slack/events"
        try:
            for n, text in enumerate(questions[:10]):  # warm-up: connections, locale lookups, caches
                post(url, f"DWARM{n}", f"UWARM{n}", text)
            slack.wait([f"DWARM{n}" for n in range(min(10, len(questions)))])

            latencies = []
            start = time.perf_counter()
            for n, text in enumerate(questions):
                channel = f"DSEQ{n}"
                t = time.perf_counter()
                post(url, channel, f"USEQ{n}", text)
                slack.wait([channel])
                latencies.append(slack.arrived[channel] - t)
            sequential = stats(latencies, time.perf_counter() - start, len(questions))

            channels = [f"DBURST{n}" for n in range(len(questions))]
            start = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(lambda n: post(url, channels[n], f"UBURST{n}", questions[n]),
                              range(len(questions))))
            slack.wait(channels)
            burst = stats([], max(slack.arrived[c] for c in channels) - start, len(questions))
            slack.settle(0.3)  # let the app finish what it sends after the answers (follow-ups)
        finally:
            front.stop_thread()
            sys.setswitchinterval(switch)
    return {"sequential": sequential, "burst": burst}


# --- Telegram --------------------------------------------------------------------------------------


def bench_telegram(kb: str | None, questions: list[str], rate_limited: bool = True) -> dict[str, dict[str, float]]:
    return asyncio.run(_bench_telegram(kb, questions, rate_limited))


async def _bench_telegram(kb: str | None, questions: list[str], rate_limited: bool) -> dict[str, dict[str, float]]:
    import functools

    from tests.support.telegram_standin import TOKEN, BotAPIStandIn

    from smassist.channels.telegram import bot as bot_module
    from smassist.channels.telegram.access import AllowList

    class TimedBotAPI(BotAPIStandIn):
        """The stand-in, noting when each chat gets its first message."""

        def __init__(self) -> None:
            super().__init__()
            self.arrived: dict[int, float] = {}
            self.changed = asyncio.Event()

        async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
            result = await super()._api_sendMessage(params)
            self._delivered(params)
            return result

        async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
            # Trend answers come as a chart with its caption.
            result = await super()._api_sendPhoto(params)  # type: ignore[misc]
            self._delivered(params)
            return result

        def _delivered(self, params: dict[str, Any]) -> None:
            self.arrived.setdefault(int(params["chat_id"]), time.perf_counter())
            self.changed.set()

        async def wait(self, chats: list[int], timeout: float = 30.0) -> None:
            deadline = time.monotonic() + timeout
            while not all(c in self.arrived for c in chats):
                self.changed.clear()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    missing = [c for c in chats if c not in self.arrived]
                    seen = [(c.method, c.status, c.params.get("chat_id")) for c in self.calls[-8:]]
                    raise RuntimeError(f"no Telegram answer for {len(missing)} question(s), e.g. "
                                       f"{missing[:3]}; last calls: {seen}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), remaining)

    assistant = load_assistant(kb)
    standin = TimedBotAPI()
    await standin.start()
    limiter = bot_module.AIORateLimiter
    if not rate_limited:
        # 0 turns python-telegram-bot's limits off: what remains is the channel code itself.
        bot_module.AIORateLimiter = functools.partial(limiter, overall_max_rate=0, group_max_rate=0)
    try:
        app = bot_module.build_application(assistant, TOKEN, base_url=standin.base_url,
                                           allowed=AllowList.parse("*"), admins=frozenset())
    finally:
        bot_module.AIORateLimiter = limiter
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        warm = list(range(900_000, 900_000 + min(10, len(questions))))
        for chat, text in zip(warm, questions, strict=False):
            standin.message(chat, text)
        await standin.wait(warm)

        latencies = []
        start = time.perf_counter()
        for n, text in enumerate(questions):
            chat = 100_000 + n
            t = time.perf_counter()
            standin.message(chat, text)
            await standin.wait([chat])
            latencies.append(standin.arrived[chat] - t)
        sequential = stats(latencies, time.perf_counter() - start, len(questions))

        chats = [200_000 + n for n in range(len(questions))]
        start = time.perf_counter()
        for chat, text in zip(chats, questions, strict=True):
            standin.message(chat, text)
        await standin.wait(chats, timeout=60)
        burst = stats([], max(standin.arrived[c] for c in chats) - start, len(questions))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await standin.stop()
    return {"sequential": sequential, "burst": burst}


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# --- the table ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=200, help="questions per measurement (default 200)")
    parser.add_argument("--quick", action="store_true", help="50 questions")
    parser.add_argument("--kb", help="knowledge base folder (default: the bundled one)")
    parser.add_argument("--concurrency", type=int, default=4, help="Slack burst: concurrent HTTP clients")
    parser.add_argument("--json", default="channels.json", help="file name under benchmarks/results/")
    args = parser.parse_args(argv)
    _no_proxies()
    os.environ["SMASSIST_DB"] = "off"
    os.environ.pop("SMASSIST_ADMINS", None)
    import logging

    logging.basicConfig(level=logging.WARNING)
    count = 50 if args.quick else args.questions
    questions = eval_questions(count)

    results: dict[str, dict[str, dict[str, float]]] = {}
    results["Assistant.ask alone"] = bench_assistant(args.kb, questions)
    # Only a missing extra skips a row: a name this script imports that the code no longer
    # has is a stale benchmark, and fails here rather than printing a table without it.
    if _installed("slack_bolt"):
        results["Slack (bolt, aiohttp front, HTTP /slack/events)"] = bench_slack(
            args.kb, questions, args.concurrency)
    else:
        print("Slack skipped: slack-bolt is not installed (pip install -e '.[bench]')")
    if _installed("telegram"):
        results["Telegram (python-telegram-bot, getUpdates), rate limiter as deployed"] = \
            bench_telegram(args.kb, questions)
        results["Telegram, rate limiter off"] = bench_telegram(args.kb, questions, rate_limited=False)
    else:
        print("Telegram skipped: python-telegram-bot is not installed (pip install -e '.[bench]')")

    base = results["Assistant.ask alone"]
    rows = []
    for name, result in results.items():
        seq, burst = result["sequential"], result["burst"]
        rows.append([name, seq["answers"], seq["p50_ms"], seq["p99_ms"], seq["max_ms"],
                     seq["p50_ms"] - base["sequential"]["p50_ms"], seq["answers_per_s"],
                     burst["answers_per_s"], burst["answers_per_s"] / base["burst"]["answers_per_s"]])
    info = machine()
    print(f"Answers through the channels ({count} in-scope eval questions, one user and chat each)")
    print(machine_line(info))
    print()
    print(table(["path", "answers", "p50 ms", "p99 ms", "max ms", "added p50 ms", "answers/s one at a time",
                 "answers/s burst", "burst vs ask alone"], rows))
    path = write_json(args.json, {"benchmark": "channels", "machine": info, "command": command_line(),
                                  "questions": count, "slack_concurrency": args.concurrency,
                                  "results": results})
    print(f"\nWritten to {path.relative_to(path.parents[2])}; reproduce with: {command_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
