"""Answering threads take turns to compute, acknowledging comes first, and nothing can stall them."""

from __future__ import annotations

import threading
import time

from smassist.web.workers import DaemonExecutor, Turnstile


def test_sixteen_threads_compute_one_at_a_time() -> None:
    turnstile = Turnstile(overtake=5.0, quiet=0.0)
    pool = DaemonExecutor(16, "test", turnstile=turnstile)
    inside: list[int] = []
    most: list[int] = []
    futures = [pool.submit(lambda: (inside.append(1), most.append(len(inside)), time.sleep(0.005),
                                    inside.pop())) for _ in range(40)]
    for future in futures:
        future.result(timeout=10)
    assert max(most) == 1 and len(most) == 40
    assert turnstile.overtaken == 0


def test_a_thread_waiting_on_the_network_lets_the_next_one_compute() -> None:
    turnstile = Turnstile(overtake=5.0, quiet=0.0)
    in_call = threading.Event()
    finish_call = threading.Event()

    def answer_with_a_slow_call() -> None:
        with turnstile.turn(), turnstile.waiting():
            in_call.set()
            finish_call.wait(5)

    slow = threading.Thread(target=answer_with_a_slow_call)
    slow.start()
    assert in_call.wait(5)
    started = time.monotonic()
    with turnstile.turn():
        took = time.monotonic() - started
    finish_call.set()
    slow.join(5)
    assert took < 0.5


def test_a_turn_held_past_the_overtake_time_is_taken_over() -> None:
    turnstile = Turnstile(overtake=0.1, quiet=0.0)
    holding = threading.Event()
    release = threading.Event()

    def hung() -> None:
        with turnstile.turn():
            holding.set()
            release.wait(10)  # a call that hangs without saying it waits

    thread = threading.Thread(target=hung, daemon=True)
    thread.start()
    assert holding.wait(5)
    started = time.monotonic()
    with turnstile.turn():
        took = time.monotonic() - started
    release.set()
    thread.join(5)
    assert 0.05 < took < 2.0
    assert turnstile.overtaken == 1


def test_turns_wait_while_requests_arrive_but_never_longer_than_max_defer() -> None:
    turnstile = Turnstile(overtake=5.0, quiet=0.05, max_defer=0.4)
    stop = threading.Event()

    def requests_keep_coming() -> None:
        while not stop.is_set():
            turnstile.request_seen()
            time.sleep(0.005)

    arriving = threading.Thread(target=requests_keep_coming, daemon=True)
    arriving.start()
    try:
        started = time.monotonic()
        with turnstile.turn():
            deferred = time.monotonic() - started
    finally:
        stop.set()
        arriving.join(5)
    assert 0.3 < deferred < 2.0
    time.sleep(0.06)  # requests stopped: the next turn is at once
    started = time.monotonic()
    with turnstile.turn():
        assert time.monotonic() - started < 0.04


def test_a_pool_without_a_turnstile_runs_jobs_side_by_side() -> None:
    pool = DaemonExecutor(4, "test")
    barrier = threading.Barrier(4, timeout=5)
    futures = [pool.submit(barrier.wait) for _ in range(4)]
    assert sorted(f.result(timeout=5) for f in futures) == [0, 1, 2, 3]
    assert pool.wait_idle(1.0)
