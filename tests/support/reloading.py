"""What the live-reload tests share: editing a file as an editor does, waiting for a
condition, and threads asking questions while a reload happens."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from smassist.answering.assistant import Assistant
from smassist.answering.reply import Reply

_clock = [time.time_ns()]


def write(path: Path, text: str) -> None:
    """Replace a file as an editor does, with a modification time that always moves."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    _clock[0] = max(_clock[0] + 10_000_000, time.time_ns())
    os.utime(path, ns=(_clock[0], _clock[0]))


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """True as soon as ``condition()`` is; its last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@dataclass
class Asked:
    """What the asking threads got: (when, reply) in order, and anything they raised."""

    replies: list[tuple[float, Reply]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


@contextlib.contextmanager
def asking(assistant: Assistant, question: str, threads: int, *,
           conversations: bool = False) -> Iterator[Asked]:
    """``threads`` threads asking ``question`` over and over until the block ends.

    They pause a millisecond between questions, as a server waits on its network:
    without it, on a two-core CI machine, threads spinning on the engine starve a
    reload's thread of the GIL and it takes minutes. ``conversations``: each thread
    asks in its own conversation (else in none).
    """
    asked = Asked()
    stop = threading.Event()

    def asker() -> None:
        conversation = f"t{threading.get_ident()}" if conversations else None
        while not stop.is_set():
            try:
                reply = assistant.ask(question, conversation=conversation)
                asked.replies.append((time.monotonic(), reply))
            except BaseException as exc:
                asked.errors.append(exc)
            time.sleep(0.001)

    running = [threading.Thread(target=asker) for _ in range(threads)]
    for thread in running:
        thread.start()
    try:
        yield asked
    finally:
        stop.set()
        for thread in running:
            thread.join()
