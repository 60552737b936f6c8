"""Free TCP ports for servers the tests start in other processes.

A port found by binding port 0 comes from the kernel's ephemeral range, the same
range outgoing connections take their local port from: between the probe's close
and the server's bind, any connection (a proxy's to PostgreSQL, a client's) can
take it, and the server fails with "address already in use" (CI saw it once). So
ports are drawn below that range, never handed out twice in one test run, and
checked bindable.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_given: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, outside the ephemeral range."""
    low, high = 20000, _ephemeral_low()
    for _ in range(200):
        port = random.randrange(low, high) if high > low else 0
        if port in _given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = probe.getsockname()[1]
        _given.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")
