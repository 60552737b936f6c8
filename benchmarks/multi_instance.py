"""Two instances on one PostgreSQL against one instance on SQLite, in the same run (issue 16).

Everything runs for real over 127.0.0.1: ``smassist serve slack`` child processes
(aiohttp front, bolt, the question log on), the Slack stand-in of ``tests/support/``
timing each ``chat.postMessage``, and a local PostgreSQL server started for the run
(``.ci/postgres.sh``; or ``--database URL``, a server where a database is created
and dropped).

Each setup gets the same load: N signed ``app_mention`` events (each in its own
channel) sent at a steady rate from a pool of clients, 20 % of them delivered a
second time (the same body, as a Slack retry) 0 to 500 ms later; with two
instances, the events alternate between them and each second delivery goes to the
*other* instance. Reported per setup: answered, duplicates (a channel with two
answers), lost (none), and request-to-``chat.postMessage`` p50/p99 (from the first
delivery); the ratio of the two instances' p99 to the single instance's.

    flock /work/coord/heavy.lock python benchmarks/multi_instance.py [--events 1000] [--rate 50]

Target (issue 16): 0 duplicates, 0 lost; p99 within 2x the single-instance SQLite figure.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))  # the stand-ins live in tests/support/

from report import command_line, machine, machine_line, percentile, table, write_json  # noqa: E402
from serving import SECRET, TimedSlack, _event, _free_port, _post  # noqa: E402

#: Events each instance answers before the measured ones (first-use imports, pools).
WARM_UP = 10
LOG_KEY = "bench-log-key-0123456789abcdef0123456789abcdef"


# --- PostgreSQL for the run --------------------------------------------------------------


class LocalPostgres:
    """A throw-away server from .ci/postgres.sh (what CI and the tests use), stopped at the end."""

    def __init__(self) -> None:
        script = f"source {ROOT / '.ci' / 'postgres.sh'} && postgres_start >&2 && " \
                 "echo \"$SMASSIST_TEST_DATABASE_URL $SMASSIST_PG_DIR $SMASSIST_PG_BIN\""
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise SystemExit(f"could not start PostgreSQL:\n{done.stderr}")
        self.url, self.folder, self.bin = done.stdout.split()

    def stop(self) -> None:
        script = f"source {ROOT / '.ci' / 'postgres.sh'} && postgres_stop"
        env = {**os.environ, "SMASSIST_PG_DIR": self.folder, "SMASSIST_PG_BIN": self.bin}
        subprocess.run(["bash", "-c", script], env=env, timeout=60, check=False)


def with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def postgres_cpu_seconds(folder: str) -> float:
    """CPU time of the server's processes (those whose command line names its data folder)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if folder not in (proc / "cmdline").read_text() and not _child_of_postgres(proc, folder):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _child_of_postgres(proc: Path, folder: str) -> bool:
    """PostgreSQL's backends rename themselves; they are children of the postmaster."""
    try:
        ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        return folder in Path(f"/proc/{ppid}/cmdline").read_text()
    except (OSError, ValueError):
        return False


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the instances -----------------------------------------------------------------------


class Server:
    """One ``smassist serve slack`` child process, ready when ``/readyz`` says 200."""

    def __init__(self, slack: TimedSlack, env: dict[str, str], name: str, log_dir: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = name
        child = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        child.pop("SLACK_APP_TOKEN", None)
        child.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
                     SMASSIST_SLACK_API_URL=slack.api_url, SMASSIST_INSTANCE=name, **env)
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smassist.cli", "serve", "slack", "--host", "127.0.0.1",
             "--port", str(self.port)], env=child, stdout=subprocess.DEVNULL, stderr=self._log)

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{self.name} did not start:\n{self.log_path.read_text()}")
            time.sleep(0.05)

    def metric(self, name: str) -> float:
        with urllib.request.urlopen(self.url + "/metrics", timeout=5) as response:
            text = response.read().decode()
        return sum(float(m[1]) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._log.close()
        return self.log_path.read_text()


def warm_cache(cache: Path) -> None:
    """Compile the bundled knowledge base once, so that every instance starts from the cache."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(SMASSIST_CACHE_DIR=str(cache), SMASSIST_DB="off")
    subprocess.run([sys.executable, "-m", "smassist.cli", "ask", "warm-up"], env=env, check=True,
                   capture_output=True, timeout=600)


# --- the load ---------------------------------------------------------------------------------


def schedule(events: int, rate: float, twice: float, seed: int) -> list[tuple[float, int, int]]:
    """(at seconds, event, delivery 0 or 1): one delivery per event at ``rate`` a second, and a
    second one 0-500 ms later for a ``twice`` share of the events (chosen at random)."""
    rng = random.Random(seed)
    plan = [(i / rate, i, 0) for i in range(events)]
    for i in rng.sample(range(events), round(events * twice)):
        plan.append((i / rate + rng.uniform(0.0, 0.5), i, 1))
    return sorted(plan)


def run_load(slack: TimedSlack, servers: list[Server], tag: str, events: int, rate: float,
             twice: float, clients: int, seed: int) -> dict[str, Any]:
    bodies = [_event(i, tag) for i in range(events)]
    channels = [f"C{tag}{i:05d}" for i in range(events)]
    plan = schedule(events, rate, twice, seed)
    first_sent: dict[int, float] = {}
    statuses: list[int] = []
    lock = threading.Lock()
    cpu_before = [cpu_seconds(s.process.pid) for s in servers]
    answered_before = [s.metric("smassist_questions_total") for s in servers]
    dropped_before = [s.metric("smassist_delivery_duplicates_dropped_total") for s in servers]

    def deliver(event: int, delivery: int) -> None:
        # Alternate the instances; a second delivery goes to the other one.
        server = servers[(event + delivery) % len(servers)]
        status, sent, _ = _post(server.url + "/slack/events", bodies[event])
        with lock:
            statuses.append(status)
            if delivery == 0:
                first_sent[event] = sent

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for at, event, delivery in plan:
            delay = started + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(deliver, event, delivery)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sum(c in slack.posted for c in channels) < events:
        time.sleep(0.05)
    slack.settle(1.0)
    took = time.monotonic() - started
    latencies = [(slack.posted[c][0] - first_sent[i]) * 1000
                 for i, c in enumerate(channels) if c in slack.posted and i in first_sent]
    answered = [s.metric("smassist_questions_total") - b for s, b in zip(servers, answered_before, strict=True)]
    dropped = [s.metric("smassist_delivery_duplicates_dropped_total") - b
               for s, b in zip(servers, dropped_before, strict=True)]
    return {
        "instances": len(servers), "events": events, "delivered_twice": len(plan) - events,
        "rate_per_s": rate, "clients": clients, "seconds": round(took, 1),
        "acked": sum(s == 200 for s in statuses), "requests": len(plan),
        "answered": sum(c in slack.posted for c in channels),
        "duplicates": sum(len(slack.posted[c]) - 1 for c in channels if c in slack.posted),
        "lost": sum(c not in slack.posted for c in channels),
        "p50_ms": percentile(latencies, 0.50), "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies) if latencies else float("nan"),
        "answered_per_instance": answered, "duplicates_dropped_per_instance": dropped,
        "server_cpu_s": [round(cpu_seconds(s.process.pid) - b, 2)
                         for s, b in zip(servers, cpu_before, strict=True)],
    }


def single_sqlite(args: argparse.Namespace, cache: Path, tmp: Path) -> dict[str, Any]:
    with TimedSlack() as slack:
        env = {"SMASSIST_DB": str(tmp / "log.sqlite3"), "SMASSIST_CACHE_DIR": str(cache)}
        server = Server(slack, env, "sqlite", tmp)
        server.wait_ready()
        try:
            warm_up(server)
            result = run_load(slack, [server], "S", args.events, args.rate, args.twice,
                              args.clients, args.seed)
        finally:
            log = server.stop()
    result["tracebacks_in_logs"] = log.count("Traceback")
    return result


def two_postgres(args: argparse.Namespace, url: str, cache: Path, tmp: Path,
                 pg_folder: str | None) -> dict[str, Any]:
    import psycopg

    name = "smassist_bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database = with_database(url, name)
    try:
        with TimedSlack() as slack:
            env = {"SMASSIST_DB": database, "SMASSIST_LOG_KEY": LOG_KEY,
                   "SMASSIST_CACHE_DIR": str(cache)}
            servers = [Server(slack, env, n, tmp) for n in ("pg-a", "pg-b")]
            logs = []
            try:
                for server in servers:
                    server.wait_ready()
                for server in servers:
                    warm_up(server)
                pg_before = postgres_cpu_seconds(pg_folder) if pg_folder else None
                result = run_load(slack, servers, "P", args.events, args.rate, args.twice,
                                  args.clients, args.seed)
                if pg_folder and pg_before is not None:
                    result["postgres_cpu_s"] = round(postgres_cpu_seconds(pg_folder) - pg_before, 2)
            finally:
                logs = [s.stop() for s in servers]
        with psycopg.connect(database) as conn:
            row = conn.execute("SELECT count(*) FROM questions").fetchone()
        result["logged_questions"] = (row[0] if row else 0) - WARM_UP * len(servers)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    result["tracebacks_in_logs"] = sum(log.count("Traceback") for log in logs)
    return result


def warm_up(server: Server) -> None:
    """A few events first, so that the measured ones do not pay for first-use imports."""
    for i in range(WARM_UP):
        _post(server.url + "/slack/events", _event(i, "W" + server.name[-1].upper()))
    time.sleep(1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="first deliveries a second")
    parser.add_argument("--twice", type=float, default=0.20, help="share delivered a second time")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--database", help="a PostgreSQL server URL (default: start a local one)")
    args = parser.parse_args()
    results: dict[str, Any] = {"command": command_line(), "machine": machine()}
    print(machine_line(results["machine"]))
    local = None if args.database else LocalPostgres()
    url = args.database or local.url  # type: ignore[union-attr]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            warm_cache(cache)
            results["single_sqlite"] = single = single_sqlite(args, cache, Path(tmp))
            results["two_postgresql"] = two = two_postgres(args, url, cache, Path(tmp),
                                                           local.folder if local else None)
    finally:
        if local is not None:
            local.stop()
    results["p99_ratio"] = two["p99_ms"] / single["p99_ms"]
    results["p50_ratio"] = two["p50_ms"] / single["p50_ms"]
    keys = [k for k in two if k in single or k in ("postgres_cpu_s", "logged_questions")]
    print(table(["measure", "1 instance, SQLite", "2 instances, PostgreSQL"],
                [[k, single.get(k), two.get(k)] for k in keys]))
    print(f"p50 ratio {results['p50_ratio']:.2f}x, p99 ratio {results['p99_ratio']:.2f}x "
          f"(target: p99 within 2x; 0 duplicates, 0 lost)")
    print(f"written to {write_json('multi_instance.json', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
