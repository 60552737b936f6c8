"""Serving under load and faults: the Slack HTTP front, Telegram with a hung chat, a locked question log.

Everything runs for real over 127.0.0.1 against the stand-ins of ``tests/support/``:

- **Slack load**: ``smassist serve slack`` in a child process (aiohttp front,
  bolt, the SQLite question log on), N signed ``app_mention`` events POSTed by C
  concurrent clients, each on a new connection, never retried. Reported: acked
  on the first try (HTTP 200), answered (one ``chat.postMessage`` per event's
  channel), duplicates (more than one), lost (none), ack p50/p99,
  request-to-postMessage p50/p99, the server's RSS before and after.
- **Slow connections**: the same server with 200 connections that send part of
  their headers (100) or their headers and part of a body (100) and wait; ack
  latency of normal events meanwhile, against the same events without them.
- **Telegram hung chat**: the real Application polling the stand-in; chat A's
  ``sendMessage`` hangs 8 s; how much later chat B's answer arrives than when
  B is alone (same run).
- **Locked question log**: another process holds SQLite's write lock for 6 s
  while 15 questions are asked; the slowest ``Assistant.ask`` against the same
  questions with the log free, and how many records were lost.

    flock /work/coord/heavy.lock python benchmarks/serving.py [--events 500] [--clients 50]

The acks-only baseline: the same clients send N signed ``url_verification`` requests
to the same server just before the load (acknowledged with no answering work behind).

Targets (issue 15): 500/500 acked first try, 0 duplicates, 0 lost, ack p99 <= 100 ms;
slow connections leave the latency normal; Telegram: <= 100 ms delay; lock: <= 50 ms
delay and nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the stand-ins live in tests/support/
from tests.support.slack_standin import BOT_USER_ID, TEAM_ID, SlackStandIn  # noqa: E402

from report import command_line, machine, machine_line, percentile, table, write_json  # noqa: E402

SECRET = "bench-signing-secret"
QUESTIONS = [
    "Combien d'entreprises mesurent leur ROI sur les médias sociaux ?",
    "Faut-il une charte des médias sociaux dans notre entreprise ?",
    "How many companies measure the ROI of social media?",
    "Quels réseaux sociaux les entreprises utilisent-elles ?",
]


class TimedSlack(SlackStandIn):
    """The Slack stand-in, noting when each chat.postMessage arrives (per channel)."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: dict[str, list[float]] = {}

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            with self._lock:
                self.posted.setdefault(str(args.get("channel")), []).append(time.monotonic())
        return super()._answer(method, args)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _event(i: int, tag: str) -> bytes:
    channel = f"C{tag}{i:05d}"
    event = {"type": "app_mention", "user": f"U{i:05d}", "channel": channel,
             "text": f"<@{BOT_USER_ID}> {QUESTIONS[i % len(QUESTIONS)]}",
             "ts": f"1710000000.{i:06d}", "event_ts": "1"}
    body = {"token": "t", "team_id": TEAM_ID, "api_app_id": "A0", "type": "event_callback",
            "event": event, "event_id": f"Ev{tag}{i:08d}", "event_time": 1710000000,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
    return json.dumps(body).encode()


def _verification(i: int) -> bytes:
    """A signed ``url_verification``: acknowledged with no answering work behind it (the floor)."""
    return json.dumps({"token": "t", "type": "url_verification", "challenge": f"c{i:08d}"}).encode()


def _post(url: str, body: bytes) -> tuple[int, float, float]:
    """(status, sent at, ack seconds); a reset connection is status 0."""
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, started, time.monotonic() - started


class SlackServer:
    def __init__(self, slack: TimedSlack, db: Path):
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
                   SMASSIST_SLACK_API_URL=slack.api_url, SMASSIST_DB=str(db))
        env.pop("SLACK_APP_TOKEN", None)
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smassist.cli", "serve", "slack", "--host", "127.0.0.1",
             "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the Slack server did not start") from None
                time.sleep(0.05)

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.seek(0)
        return self.log.read()


def slack_load(events: int, clients: int) -> dict[str, Any]:
    with TimedSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        server = SlackServer(slack, Path(tmp) / "log.sqlite3")
        warm = [_post(server.url + "/slack/events", _event(i, "W")) for i in range(20)]
        assert all(s == 200 for s, _, _ in warm)
        time.sleep(1.0)
        rss_before = _rss_kb(server.process.pid)
        with ThreadPoolExecutor(clients) as pool:
            floor = list(pool.map(lambda b: _post(server.url + "/slack/events", b),
                                  [_verification(i) for i in range(events)]))
            time.sleep(0.5)
            bodies = [_event(i, "L") for i in range(events)]
            burst_started = time.monotonic()
            results = list(pool.map(lambda b: _post(server.url + "/slack/events", b), bodies))
            burst = time.monotonic() - burst_started
        deadline = time.monotonic() + 60
        channels = [f"CL{i:05d}" for i in range(events)]
        while time.monotonic() < deadline and sum(c in slack.posted for c in channels) < events:
            time.sleep(0.05)
        slack.settle(0.5)
        rss_after = _rss_kb(server.process.pid)
        log = server.stop()
    acks = [took * 1000 for _, _, took in results]
    floor_acks = [took * 1000 for _, _, took in floor]
    to_post = [(slack.posted[c][0] - sent) * 1000 for c, (_, sent, _) in zip(channels, results, strict=True)
               if c in slack.posted]
    return {
        "events": events, "clients": clients,
        "acked_first_try": sum(s == 200 for s, _, _ in results),
        "answered": sum(c in slack.posted for c in channels),
        "duplicates": sum(len(slack.posted.get(c, [])) - 1 for c in channels if c in slack.posted),
        "lost": sum(c not in slack.posted for c in channels),
        "ack_p50_ms": percentile(acks, 0.50), "ack_p99_ms": percentile(acks, 0.99),
        "burst_seconds": burst,
        "baseline_acked": sum(s == 200 for s, _, _ in floor),
        "baseline_ack_p50_ms": percentile(floor_acks, 0.50),
        "baseline_ack_p99_ms": percentile(floor_acks, 0.99),
        "to_post_p50_ms": percentile(to_post, 0.50), "to_post_p99_ms": percentile(to_post, 0.99),
        "last_answer_after_burst_start_s": max((slack.posted[c][0] for c in channels if c in slack.posted),
                                               default=burst_started) - burst_started,
        "rss_before_mb": rss_before / 1024, "rss_after_mb": rss_after / 1024,
        "tracebacks_in_log": log.count("Traceback"),
    }


def slow_connections(count: int = 200, probes: int = 50) -> dict[str, Any]:
    with TimedSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        server = SlackServer(slack, Path(tmp) / "log.sqlite3")
        for i in range(10):
            _post(server.url + "/slack/events", _event(i, "W"))
        baseline = [_post(server.url + "/slack/events", _event(i, "B"))[2] * 1000 for i in range(probes)]
        slow = []
        for i in range(count):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if i % 2:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
            else:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            slow.append(sock)
        loaded = [_post(server.url + "/slack/events", _event(i, "S")) for i in range(probes)]
        log = server.stop()
        for sock in slow:
            sock.close()
    latencies = [took * 1000 for _, _, took in loaded]
    return {"slow_connections": count, "acked": sum(s == 200 for s, _, _ in loaded), "probes": probes,
            "baseline_p50_ms": percentile(baseline, 0.50), "baseline_p99_ms": percentile(baseline, 0.99),
            "with_slow_p50_ms": percentile(latencies, 0.50), "with_slow_p99_ms": percentile(latencies, 0.99),
            "tracebacks_in_log": log.count("Traceback")}


async def _telegram_hung_chat(rounds: int = 10) -> dict[str, Any]:
    from tests.support.telegram_standin import TOKEN, BotAPIStandIn

    from smassist.answering.assistant import Assistant
    from smassist.channels.telegram.access import AllowList
    from smassist.channels.telegram.bot import build_application

    class TimedBotAPI(BotAPIStandIn):
        def __init__(self) -> None:
            super().__init__()
            self.sent: dict[int, list[float]] = {}

        async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
            self.sent.setdefault(int(params["chat_id"]), []).append(time.monotonic())
            return await super()._api_sendMessage(params)

    standin = TimedBotAPI()
    await standin.start()
    assistant = Assistant.load()
    app = build_application(assistant, TOKEN, base_url=standin.base_url, allowed=AllowList.parse("*"))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)

    async def answer_time(chat: int, question: str) -> float:
        before = len(standin.sent.get(chat, []))
        started = time.monotonic()
        standin.message(chat, question)
        while len(standin.sent.get(chat, [])) <= before:
            await asyncio.sleep(0.001)
        return (standin.sent[chat][before] - started) * 1000

    try:
        await answer_time(1, QUESTIONS[0])  # warm-up
        alone = [await answer_time(2, QUESTIONS[i % 4]) for i in range(rounds)]
        with_hung = []
        for i in range(rounds):
            standin.hang_next(100 + i, 8.0)
            standin.message(100 + i, QUESTIONS[0])
            await asyncio.sleep(0.05)  # chat A's answer is on its way and hangs
            with_hung.append(await answer_time(3, QUESTIONS[i % 4]))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await standin.stop()
    return {"rounds": rounds, "alone_p50_ms": percentile(alone, 0.50),
            "alone_max_ms": max(alone), "with_hung_chat_p50_ms": percentile(with_hung, 0.50),
            "with_hung_chat_max_ms": max(with_hung),
            "delay_p50_ms": percentile(with_hung, 0.50) - percentile(alone, 0.50),
            "delay_max_ms": max(with_hung) - max(alone)}


def locked_log(questions: int = 15, hold: float = 6.0) -> dict[str, Any]:
    from smassist.admin.store import SQLiteStore
    from smassist.answering.assistant import Assistant

    loaded = Assistant.load()
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "log.sqlite3", secret="bench")
        assistant = Assistant(loaded.kb, loaded.state.engine, recorder=store)
        assistant.ask("warm-up")
        store.flush()

        def timed() -> list[float]:
            out = []
            for i in range(questions):
                started = time.perf_counter()
                assistant.ask(f"{QUESTIONS[i % 4]} ({i})", channel="slack", user=f"U{i}")
                out.append((time.perf_counter() - started) * 1000)
                time.sleep(hold / questions / 1.5)
            return out

        free = timed()
        script = (f"import sqlite3, time\nc = sqlite3.connect({str(store.path)!r}, isolation_level=None)\n"
                  f"c.execute('BEGIN EXCLUSIVE')\nprint('locked', flush=True)\ntime.sleep({hold})\n"
                  "c.execute('COMMIT')\n")
        holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        locked = timed()
        holder.wait()
        store.flush(timeout=15)
        written = len(store.questions())
        store.close()
    return {"questions": questions, "lock_seconds": hold, "free_max_ms": max(free),
            "locked_max_ms": max(locked), "delay_max_ms": max(locked) - max(free),
            "written": written, "expected": 1 + 2 * questions, "lost": 1 + 2 * questions - written,
            "dropped": store.dropped}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--only", choices=["slack", "slow", "telegram", "lock"], action="append",
                        help="run only these parts (default: all)")
    args = parser.parse_args()
    parts = set(args.only or ["slack", "slow", "telegram", "lock"])
    results = {"command": command_line(), "machine": machine()}
    print(machine_line(results["machine"]))
    if "slack" in parts:
        results["slack_load"] = load = slack_load(args.events, args.clients)
        print(table(["slack load", "value"], [[k, v] for k, v in load.items()]))
    if "slow" in parts:
        results["slow_connections"] = slow = slow_connections()
        print(table(["slow connections", "value"], [[k, v] for k, v in slow.items()]))
    if "telegram" in parts:
        results["telegram_hung_chat"] = hung = asyncio.run(_telegram_hung_chat())
        print(table(["telegram hung chat", "value"], [[k, v] for k, v in hung.items()]))
    if "lock" in parts:
        results["locked_question_log"] = lock = locked_log()
        print(table(["locked question log", "value"], [[k, v] for k, v in lock.items()]))
    if args.only:
        print("(partial run: results not written)")
        return 0
    print(f"written to {write_json('serving.json', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
