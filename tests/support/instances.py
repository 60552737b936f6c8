"""Several real ``smassist serve`` processes on one PostgreSQL database, for the tests of issue 16.

Each :class:`Instance` is a child process started as an operator starts one
(``python -m smassist.cli serve CHANNEL …`` with the variables of
``docs/admins.md``), listening on its own port; its log goes to a file, never
to a pipe that could fill up. :func:`warm_knowledge_base` compiles a knowledge
folder into a cache folder first, so that the instances start in about a
second instead of training the engine each (tens of seconds on CI's two cores).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import BUNDLED_KB
from tests.support.ports import free_port

#: The same secret on every instance (SMASSIST_LOG_KEY), as the docs say.
LOG_KEY = "6f1c0e8a2b7d4c19a3e5f7081b2d4c6e8f0a1b3c5d7e9f10"

#: Starting, answering and reloading on CI's two loaded cores: generous, since a test
#: only waits this long when something is broken.
START_TIMEOUT = 120.0




def child_environment(**values: str) -> dict[str, str]:
    """This process's environment without proxies (the stand-ins are local), plus ``values``."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    for name in ("SLACK_APP_TOKEN", "SMASSIST_TELEGRAM_WEBHOOK_SECRET", "SMASSIST_ADMINS"):
        env.pop(name, None)
    env.update(values)
    return env


def wait_until(condition: Callable[[], object], timeout: float, what: str,
               interval: float = 0.05) -> object:
    """``condition()``'s first truthy value, polled until ``timeout``; AssertionError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:.0f} s: {what}")
        time.sleep(interval)


class Instance:
    """One ``smassist serve`` child process; ``url`` is its HTTP front."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], port: int,
                 log_dir: Path):
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smassist.cli", "serve", *argv], env=dict(env),
            stdout=self._log, stderr=subprocess.STDOUT, text=True)

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> Instance:
        """Until ``/readyz`` says 200 (knowledge base loaded, database reachable)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.get("/readyz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log()}")
            time.sleep(0.1)

    def metric(self, name: str, **labels: str) -> float:
        """The sum of a Prometheus sample ``name`` whose labels include ``labels`` (0 when absent)."""
        total = 0.0
        for line in self.get("/metrics")[1].splitlines():
            match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
            if not match or match.group(1) != name:
                continue
            found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(match.group(3))
        return total

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30.0) -> str:
        """SIGTERM, as systemd stops it; killed if it does not exit. The whole log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_instances(channel: str, names: Sequence[str], options: Sequence[str], log_dir: Path, *,
                    kb: Path, cache: Path, db: str, admins: str, **env: str) -> list[Instance]:
    """One ``smassist serve CHANNEL OPTIONS --host 127.0.0.1 --port P`` per name, started side
    by side (as after a deploy), not waited for: the variables every instance shares
    (docs/admins.md: ``SMASSIST_DB``, ``SMASSIST_LOG_KEY``, the knowledge and cache folders,
    ``SMASSIST_ADMINS``), ``SMASSIST_INSTANCE`` = its name, and the channel's own ``env``."""
    started = []
    for name in names:
        port = free_port()
        environment = child_environment(
            SMASSIST_DB=db, SMASSIST_LOG_KEY=LOG_KEY, SMASSIST_INSTANCE=name, SMASSIST_KB=str(kb),
            SMASSIST_CACHE_DIR=str(cache), SMASSIST_ADMINS=admins, **env)
        started.append(Instance(name, [channel, *options, "--host", "127.0.0.1", "--port", str(port)],
                                environment, port, log_dir))
    return started


def stop_and_check(instances: Sequence[Instance], *secrets: str) -> None:
    """Stop every instance (SIGTERM); each log has no traceback and none of ``secrets``."""
    logs = [instance.stop() for instance in instances]
    for instance, log in zip(instances, logs, strict=True):
        assert "Traceback" not in log, f"{instance.name}:\n{log}"
        for secret in secrets:
            assert secret not in log, f"{instance.name} logged a secret"


def url_via(proxy_port: int, url: str) -> str:
    """``url`` (a database URL) with its host and port replaced by a local proxy's."""
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit((parts.scheme, f"{user}127.0.0.1:{proxy_port}", parts.path, parts.query, ""))


def warm_knowledge_base(kb: Path, cache: Path) -> None:
    """Compile ``kb`` into the cache folder ``cache`` (what the instances' start-up reads)."""
    done = subprocess.run(
        [sys.executable, "-m", "smassist.cli", "ask", "--kb", str(kb), "warm-up"],
        env=child_environment(SMASSIST_CACHE_DIR=str(cache), SMASSIST_DB="off"),
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def copy_knowledge_base(target: Path) -> Path:
    """A writable copy of the bundled knowledge base (modification times kept)."""
    shutil.copytree(BUNDLED_KB, target)
    return target


@pytest.fixture(scope="session")
def served_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(knowledge folder, cache folder): a copy of the bundled base, compiled once a session.
    Tests that edit the files use :func:`own_kb` instead."""
    root = tmp_path_factory.mktemp("served-kb")
    kb = copy_knowledge_base(root / "knowledge")
    warm_knowledge_base(kb, root / "cache")
    yield kb, root / "cache"


@pytest.fixture
def own_kb(tmp_path: Path) -> tuple[Path, Path]:
    """(knowledge folder, cache folder) of this test alone, compiled: the test may edit the files."""
    kb = copy_knowledge_base(tmp_path / "knowledge")
    warm_knowledge_base(kb, tmp_path / "cache")
    return kb, tmp_path / "cache"


def questions_logged(url: str) -> int:
    """How many questions the shared log on ``url`` (PostgreSQL) holds."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM questions").fetchone()[0]  # type: ignore[index]


def assert_outage_said_once(instances: Sequence[Instance]) -> None:
    """Each instance's log says the database was unreachable, and reachable again, once."""
    for instance in instances:
        log = instance.log()
        assert log.count("PostgreSQL unreachable") == 1, log
        assert log.count("reachable again") == 1, log
