"""Serving under load and faults: the Slack HTTP front, Telegram with a hung chat, a locked question log.

Everything runs for real over 127.0.0.1 against the stand-ins of ``tests/support/``:

- **Cold start**: ``smassist serve slack`` with an empty compiled cache (the first
  start of a new version): seconds to ready, the server's RSS when ready and
  after 20 events (the compile runs in a child process, channels/launch.py).
- **Slack load**: ``smassist serve slack`` in a child process (aiohttp front,
  bolt, the SQLite question log on, warm cache), N signed ``app_mention`` events
  POSTed by C concurrent clients, each on a new connection, never retried.
  Reported: acked on the first try (HTTP 200), answered (one ``chat.postMessage``
  per event's channel), duplicates (more than one), lost (none), ack p50/p99,
  request-to-postMessage p50/p99, the server's RSS and threads before and after.
  ``--max-defer`` / ``--quiet`` / ``--overtake`` set the answering turnstile's
  parameters (web/workers.py) for a sweep, each value with its own acks-only
  baseline; ``--rate`` sends at a fixed rate instead of as fast as acks come.
- **Slow connections**: the same server with 200 connections that send part of
  their headers (100) or their headers and part of a body (100) and wait; ack
  latency and answer latency (request to chat.postMessage) of normal events
  meanwhile, against the same events without them (and, apart, the one request
  sent right after the 200 connected, while the loop is still accepting them).
- **Telegram hung chat**: the real Application polling the stand-in; chat A's
  ``sendMessage`` hangs 8 s; how much later chat B's answer arrives than when
  B is alone (paired rounds in the same run, paced under the bot's rate limit).
- **Locked question log**: another process holds SQLite's write lock for 6 s
  while 15 questions are asked; the slowest ``Assistant.ask`` against the same
  questions with the log free, and how many records were lost.

    flock /work/coord/heavy.lock python benchmarks/serving.py [--events 500] [--clients 50]

The acks-only baseline: the same clients send N signed ``url_verification`` requests
to the same server just before the load (acknowledged with no answering work behind).

Targets (issue 15): 500/500 acked first try, 0 duplicates, 0 lost, ack p99 <= 100 ms;
slow connections leave the latency normal; Telegram: <= 100 ms delay; lock: <= 50 ms
delay and nothing lost; 0 tracebacks across the whole battery (the servers' logs, and
every log record and uncaught thread exception of the in-process parts). The load
average is printed before each part.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
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


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _rss_kb(pid: int) -> int:
    return _status(pid, "VmRSS")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class TracebackCounter(logging.Handler):
    """Counts the tracebacks the in-process parts produce: log records with one, and
    exceptions that end a thread (``threading.excepthook``)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.first: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        self._hook = threading.excepthook

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if "Traceback" in text:
            self._note(text)

    def _note(self, text: str) -> None:
        self.count += 1
        if len(self.first) < 3:
            self.first.append(text[-2000:])

    def __enter__(self) -> TracebackCounter:
        logging.getLogger().addHandler(self)
        threading.excepthook = lambda args: (self._note("".join(traceback.format_exception(
            args.exc_type, args.exc_value, args.exc_traceback))), self._hook(args))
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)
        threading.excepthook = self._hook


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


#: Runs ``smassist`` with the answering turnstile's parameters set first (a sweep; no product knob).
_WITH_TURNSTILE = (
    "import sys\n"
    "from smassist.web import workers\n"
    "for item in filter(None, sys.argv[1].split(',')):\n"
    "    name, value = item.split('=')\n"
    "    setattr(workers.ANSWERING, name, float(value))\n"
    "sys.argv = ['smassist'] + sys.argv[2:]\n"
    "from smassist.cli import main\n"
    "sys.exit(main())\n")


class SlackServer:
    def __init__(self, slack: TimedSlack, db: Path, *, turnstile: dict[str, float] | None = None,
                 cache_dir: Path | None = None):
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
                   SMASSIST_SLACK_API_URL=slack.api_url, SMASSIST_DB=str(db))
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("SMASSIST_NO_CACHE", None)
        if cache_dir is not None:
            env["SMASSIST_CACHE_DIR"] = str(cache_dir)
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  (closed in stop)
        knobs = ",".join(f"{k}={v}" for k, v in (turnstile or {}).items())
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WITH_TURNSTILE, knobs, "serve", "slack", "--host", "127.0.0.1",
             "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the Slack server did not start") from None
                time.sleep(0.05)
        self.ready_after = time.monotonic() - self.started

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.seek(0)
        return self.log.read()


def _send_all(url: str, bodies: list[bytes], pool: ThreadPoolExecutor,
              rate: float | None) -> list[tuple[int, float, float]]:
    """POST every body: as fast as the acks come back (closed loop), or ``rate`` a second."""
    if not rate:
        return list(pool.map(lambda b: _post(url, b), bodies))
    t0 = time.monotonic() + 0.05

    def at(item: tuple[int, bytes]) -> tuple[int, float, float]:
        i, body = item
        time.sleep(max(0.0, t0 + i / rate - time.monotonic()))
        return _post(url, body)

    return list(pool.map(at, enumerate(bodies)))


def slack_load(events: int, clients: int, turnstile: dict[str, float] | None = None,
               rate: float | None = None) -> dict[str, Any]:
    load_before = _load()
    with TimedSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        server = SlackServer(slack, Path(tmp) / "log.sqlite3", turnstile=turnstile)
        rss_ready = _rss_kb(server.process.pid)
        warm = [_post(server.url + "/slack/events", _event(i, "W")) for i in range(20)]
        assert all(s == 200 for s, _, _ in warm)
        time.sleep(1.0)
        rss_before = _rss_kb(server.process.pid)
        threads_before = _status(server.process.pid, "Threads")
        cpu_before = _cpu_seconds(server.process.pid)
        with ThreadPoolExecutor(clients) as pool:
            floor = _send_all(server.url + "/slack/events", [_verification(i) for i in range(events)],
                              pool, rate)
            time.sleep(0.5)
            bodies = [_event(i, "L") for i in range(events)]
            burst_started = time.monotonic()
            results = _send_all(server.url + "/slack/events", bodies, pool, rate)
            burst = time.monotonic() - burst_started
        deadline = time.monotonic() + 60
        channels = [f"CL{i:05d}" for i in range(events)]
        while time.monotonic() < deadline and sum(c in slack.posted for c in channels) < events:
            time.sleep(0.05)
        slack.settle(0.5)
        rss_after = _rss_kb(server.process.pid)
        hwm = _status(server.process.pid, "VmHWM")
        threads_after = _status(server.process.pid, "Threads")
        cpu = _cpu_seconds(server.process.pid) - cpu_before
        log = server.stop()
    acks = [took * 1000 for _, _, took in results]
    floor_acks = [took * 1000 for _, _, took in floor]
    to_post = [(slack.posted[c][0] - sent) * 1000 for c, (_, sent, _) in zip(channels, results, strict=True)
               if c in slack.posted]
    return {
        "events": events, "clients": clients, "rate_per_s": rate or "closed loop",
        "turnstile": turnstile or "as shipped",
        "load_average_before": load_before, "load_average_after": _load(),
        "acked_first_try": sum(s == 200 for s, _, _ in results),
        "answered": sum(c in slack.posted for c in channels),
        "duplicates": sum(len(slack.posted.get(c, [])) - 1 for c in channels if c in slack.posted),
        "lost": sum(c not in slack.posted for c in channels),
        "ack_p50_ms": percentile(acks, 0.50), "ack_p99_ms": percentile(acks, 0.99),
        "ack_max_ms": max(acks),
        "burst_seconds": burst,
        "baseline_acked": sum(s == 200 for s, _, _ in floor),
        "baseline_ack_p50_ms": percentile(floor_acks, 0.50),
        "baseline_ack_p99_ms": percentile(floor_acks, 0.99),
        "to_post_p50_ms": percentile(to_post, 0.50), "to_post_p99_ms": percentile(to_post, 0.99),
        "last_answer_after_burst_start_s": max((slack.posted[c][0] for c in channels if c in slack.posted),
                                               default=burst_started) - burst_started,
        "server_cpu_s_verifications_and_events": cpu,
        "rss_ready_mb": rss_ready / 1024,
        "rss_before_mb": rss_before / 1024, "rss_after_mb": rss_after / 1024,
        "rss_peak_mb": hwm / 1024, "threads_before": threads_before, "threads_after": threads_after,
        "tracebacks_in_log": log.count("Traceback"),
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cold_start() -> dict[str, Any]:
    """The first start of a version: an empty compiled cache (compiled in a child process)."""
    load_before = _load()
    with TimedSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        server = SlackServer(slack, Path(tmp) / "log.sqlite3", cache_dir=Path(tmp) / "cache")
        rss_ready = _rss_kb(server.process.pid)
        hwm_ready = _status(server.process.pid, "VmHWM")
        for i in range(20):
            _post(server.url + "/slack/events", _event(i, "W"))
        slack.settle(0.5)
        rss_after = _rss_kb(server.process.pid)
        log = server.stop()
        answered = sum(f"CW{i:05d}" in slack.posted for i in range(20))
    return {"load_average_before": load_before, "ready_after_s": server.ready_after,
            "rss_ready_mb": rss_ready / 1024, "rss_peak_at_ready_mb": hwm_ready / 1024,
            "rss_after_20_events_mb": rss_after / 1024, "answered": answered,
            "tracebacks_in_log": log.count("Traceback")}


def slow_connections(count: int = 200, probes: int = 50) -> dict[str, Any]:
    load_before = _load()
    with TimedSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        server = SlackServer(slack, Path(tmp) / "log.sqlite3")
        for i in range(10):
            _post(server.url + "/slack/events", _event(i, "W"))
        slack.settle(0.3)

        acked = {"B": 0, "S": 0}

        def probe(tag: str) -> tuple[list[float], list[float]]:
            acks, answers = [], []
            for i in range(probes):
                channel = f"C{tag}{i:05d}"
                status, sent, took = _post(server.url + "/slack/events", _event(i, tag))
                acked[tag] += status == 200
                acks.append(took * 1000)
                deadline = time.monotonic() + 10
                while channel not in slack.posted and time.monotonic() < deadline:
                    time.sleep(0.0005)
                if channel in slack.posted:
                    answers.append((slack.posted[channel][0] - sent) * 1000)
            return acks, answers

        baseline, baseline_answers = probe("B")
        slow = []
        for i in range(count):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if i % 2:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
            else:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            slow.append(sock)
        # Right after the 200 connect, the loop is still accepting and reading them: the
        # first request waits for that once. Said apart; the probes start 0.5 s later (well
        # within the slow connections' 10 s body and 15 s header timeouts).
        _, _, first = _post(server.url + "/slack/events", _event(0, "F"))
        time.sleep(0.5)
        latencies, answers = probe("S")
        still_open = sum(_still_open(sock) for sock in slow)
        log = server.stop()
        for sock in slow:
            sock.close()
    return {"load_average_before": load_before, "slow_connections": count,
            "slow_still_open_after_probes": still_open,
            "first_request_right_after_connecting_ms": first * 1000,
            "acked": acked["S"], "answered": len(answers), "probes": probes,
            "baseline_p50_ms": percentile(baseline, 0.50), "baseline_p99_ms": percentile(baseline, 0.99),
            "with_slow_p50_ms": percentile(latencies, 0.50), "with_slow_p99_ms": percentile(latencies, 0.99),
            "baseline_answer_p50_ms": percentile(baseline_answers, 0.50),
            "baseline_answer_p99_ms": percentile(baseline_answers, 0.99),
            "with_slow_answer_p50_ms": percentile(answers, 0.50),
            "with_slow_answer_p99_ms": percentile(answers, 0.99),
            "tracebacks_in_log": log.count("Traceback")}


def _still_open(sock: socket.socket) -> bool:
    """Not closed by the server yet (it may be, after its read timeouts)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


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

    load_before = _load()
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
        # Paired rounds, paced at ~10 sends a second: the bot's rate limiter (Telegram's own
        # 30 messages a second) never binds, so both measures see the same conditions.
        alone, with_hung = [], []
        for i in range(rounds):
            await asyncio.sleep(0.1)
            alone.append(await answer_time(2, QUESTIONS[i % 4]))
            await asyncio.sleep(0.1)
            standin.hang_next(100 + i, 8.0)
            standin.message(100 + i, QUESTIONS[0])
            await asyncio.sleep(0.05)  # chat A's answer is on its way and hangs
            with_hung.append(await answer_time(3, QUESTIONS[i % 4]))
        hung_sent = sum(len(standin.sent.get(100 + i, [])) for i in range(rounds))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await standin.stop()
    return {"load_average_before": load_before, "rounds": rounds, "alone_p50_ms": percentile(alone, 0.50),
            "alone_max_ms": max(alone), "with_hung_chat_p50_ms": percentile(with_hung, 0.50),
            "with_hung_chat_max_ms": max(with_hung),
            "delay_p50_ms": percentile(with_hung, 0.50) - percentile(alone, 0.50),
            "delay_max_ms": max(with_hung) - max(alone),
            "hung_chats_answered_meanwhile": hung_sent}


def locked_log(questions: int = 15, hold: float = 6.0) -> dict[str, Any]:
    from smassist.admin.store import SQLiteStore
    from smassist.answering.assistant import Assistant

    load_before = _load()
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
    return {"load_average_before": load_before, "questions": questions, "lock_seconds": hold, "free_max_ms": max(free),
            "locked_max_ms": max(locked), "delay_max_ms": max(locked) - max(free),
            "written": written, "expected": 1 + 2 * questions, "lost": 1 + 2 * questions - written,
            "dropped": store.dropped}


def _warm_cache() -> None:
    """One unmeasured compile, so that every measured server reads the cache (the cold
    start is measured on its own, with an empty cache)."""
    subprocess.run([sys.executable, "-c", "from smassist.answering.assistant import Assistant; "
                    "Assistant.load()"], check=True, env={k: v for k, v in os.environ.items()
                                                          if k != "SMASSIST_NO_CACHE"})


def targets(results: dict[str, Any]) -> list[list[object]]:
    """Issue 15's targets against this run's figures: [target, measured, met]."""
    rows: list[list[object]] = []

    def row(target: str, measured: str, met: bool) -> None:
        rows.append([target, measured, "met" if met else "**missed**"])

    load = results.get("slack_load")
    if load:
        n = load["events"]
        row(f"{n} events, {load['clients']} clients: all acked on the first try",
            f"{load['acked_first_try']}/{n}", load["acked_first_try"] == n)
        row("0 duplicates, 0 lost", f"{load['duplicates']} / {load['lost']}",
            load["duplicates"] == 0 and load["lost"] == 0)
        row("ack p99 <= 100 ms", f"{load['ack_p99_ms']:.1f} ms (acks-only baseline "
            f"{load['baseline_ack_p99_ms']:.1f} ms)", load["ack_p99_ms"] <= 100)
    slow = results.get("slow_connections")
    if slow:
        # "within its normal latency": the p99 stays under the ack target and the
        # answers come as fast as without the slow connections (within 2x or 20 ms).
        normal = (slow["acked"] == slow["probes"] and slow["answered"] == slow["probes"]
                  and slow["with_slow_p99_ms"] <= 100
                  and slow["with_slow_answer_p99_ms"] <= max(2 * slow["baseline_answer_p99_ms"],
                                                             slow["baseline_answer_p99_ms"] + 20))
        row(f"{slow['slow_connections']} slow connections: others answered within normal latency",
            f"ack p99 {slow['baseline_p99_ms']:.1f} -> {slow['with_slow_p99_ms']:.1f} ms, answer p99 "
            f"{slow['baseline_answer_p99_ms']:.1f} -> {slow['with_slow_answer_p99_ms']:.1f} ms, "
            f"{slow['acked']}/{slow['probes']} acked, {slow['answered']} answered", normal)
    hung = results.get("telegram_hung_chat")
    if hung:
        row("Telegram: a hung chat delays another by <= 100 ms",
            f"p50 +{hung['delay_p50_ms']:.1f} ms; slowest {hung['with_hung_chat_max_ms']:.1f} ms "
            f"= alone p50 +{hung['with_hung_chat_max_ms'] - hung['alone_p50_ms']:.1f} ms",
            hung["delay_p50_ms"] <= 100 and hung["with_hung_chat_max_ms"] - hung["alone_p50_ms"] <= 100)
    lock = results.get("locked_question_log")
    if lock:
        row("6 s database lock: no answer delayed > 50 ms", f"+{lock['delay_max_ms']:.1f} ms",
            lock["delay_max_ms"] <= 50)
        row("... nothing lost that the queue could hold", f"{lock['lost']} lost, {lock['dropped']} dropped "
            f"of {lock['expected']}", lock["lost"] == 0)
    total = sum(part.get("tracebacks_in_log", 0) for part in results.values() if isinstance(part, dict))
    total += sum(p.get("tracebacks_in_log", 0) for p in results.get("turnstile_sweep", []))
    row("0 tracebacks across the whole battery", str(total), total == 0)
    return rows


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--only", choices=["cold", "slack", "slow", "telegram", "lock"], action="append",
                        help="run only these parts (default: all)")
    parser.add_argument("--max-defer", type=_floats, default=[],
                        help="a sweep: after the shipped run, the Slack load again with each of these "
                             "turnstile max_defer values (seconds, comma-separated)")
    parser.add_argument("--quiet", type=float, help="turnstile quiet (s) for the sweep runs")
    parser.add_argument("--overtake", type=float, help="turnstile overtake (s) for the sweep runs")
    parser.add_argument("--rate", type=float, help="events a second (open loop) instead of closed loop")
    args = parser.parse_args()
    parts = set(args.only or ["cold", "slack", "slow", "telegram", "lock"])
    results: dict[str, Any] = {"command": command_line(), "machine": machine()}
    print(machine_line(results["machine"]))
    _warm_cache()
    if "cold" in parts:
        results["cold_start"] = cold = cold_start()
        print(table(["cold start (empty compiled cache)", "value"], [[k, v] for k, v in cold.items()]))
    if "slack" in parts:
        results["slack_load"] = load = slack_load(args.events, args.clients, rate=args.rate)
        print(table(["slack load", "value"], [[k, v] for k, v in load.items()]))
        sweep = []
        for value in args.max_defer:
            knobs = {"max_defer": value}
            if args.quiet is not None:
                knobs["quiet"] = args.quiet
            if args.overtake is not None:
                knobs["overtake"] = args.overtake
            sweep.append(slack_load(args.events, args.clients, turnstile=knobs, rate=args.rate))
        if sweep:
            results["turnstile_sweep"] = sweep
            keys = ["turnstile", "load_average_before", "acked_first_try", "lost", "ack_p50_ms",
                    "ack_p99_ms", "baseline_ack_p99_ms", "to_post_p50_ms", "to_post_p99_ms",
                    "last_answer_after_burst_start_s", "tracebacks_in_log"]
            print(table(["sweep", *keys], [[i, *[r[k] for k in keys]] for i, r in enumerate(sweep)]))
    if "slow" in parts:
        results["slow_connections"] = slow = slow_connections()
        print(table(["slow connections", "value"], [[k, v] for k, v in slow.items()]))
    if "telegram" in parts:
        with TracebackCounter() as counter:
            hung = asyncio.run(_telegram_hung_chat())
        hung["tracebacks_in_log"] = counter.count
        results["telegram_hung_chat"] = hung
        print(table(["telegram hung chat", "value"], [[k, v] for k, v in hung.items()]))
        for text in counter.first:
            print(text)
    if "lock" in parts:
        with TracebackCounter() as counter:
            lock = locked_log()
        lock["tracebacks_in_log"] = counter.count
        results["locked_question_log"] = lock
        print(table(["locked question log", "value"], [[k, v] for k, v in lock.items()]))
        for text in counter.first:
            print(text)
    results["load_average_at_end"] = _load()
    results["targets"] = rows = targets(results)
    print(table(["target (issue 15)", "measured", ""], rows))
    print(f"load average at the end: {results['load_average_at_end']}")
    if args.max_defer or args.rate:
        print(f"(a sweep: written to {write_json('serving-sweep.json', results)}, not serving.json)")
        return 0
    if args.only:
        print("(partial run: results not written)")
        return 0
    print(f"written to {write_json('serving.json', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
