"""A stand-in for the Slack Web API (and a Socket Mode WebSocket server) on 127.0.0.1.

The real slack-sdk WebClient talks HTTP to it: every call is recorded, and a test
can script failures (a 429 with Retry-After, a 500) before the normal answer.
Interaction ``response_url``s point at ``/response/<name>`` on the same server.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0TEAM01"


@dataclass
class Call:
    """One request the app made: the Web API method (or ``response_url:<name>``) and its arguments."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    status: int = 200

    def all_text(self) -> str:
        """Every string the call carried (text, blocks), as JSON."""
        return json.dumps(self.args, ensure_ascii=False)


@dataclass
class Failure:
    """A scripted answer: ``status`` with ``body``, after ``delay`` seconds; ``drop``: close
    the connection without answering; ``answer``: the normal answer instead (after the delay)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=lambda: {"ok": False, "error": "failure"})
    delay: float = 0.0
    drop: bool = False
    answer: bool = False


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the load benchmark sends from many threads at once
    daemon_threads = True


class SlackStandIn:
    """Start with ``with SlackStandIn() as slack:``; ``slack.api_url`` is the WebClient base_url."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.locales: dict[str, str] = {}
        self.socket_url: str | None = None
        self._failures: dict[str, list[Failure]] = {}
        self._lock = threading.Lock()
        self._ts = 1700000000.000100
        self._files = 0
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # --- lifecycle -------------------------------------------------------------

    def __enter__(self) -> SlackStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    # --- scripting and inspection ------------------------------------------------

    def fail_next(self, method: str, *failures: Failure) -> None:
        """The next calls to ``method`` get these failures, in order, then normal answers."""
        with self._lock:
            self._failures.setdefault(method, []).extend(failures)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def attempts(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0,
                 where: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        """The successful calls to ``method`` matching ``where``, once there are ``count``."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_to(method) if where(c)]
            if len(found) >= count or time.monotonic() > deadline:
                if len(found) < count:
                    raise AssertionError(
                        f"expected {count} call(s) to {method}, got {len(found)}; "
                        f"calls: {[c.method for c in self.calls]}")
                return found
            time.sleep(0.02)

    def settle(self, quiet: float = 0.3) -> None:
        """Wait until no new call has arrived for ``quiet`` seconds (to assert that nothing more is sent)."""
        seen = -1
        while True:
            with self._lock:
                now = len(self.calls)
            if now == seen:
                return
            seen = now
            time.sleep(quiet)

    # --- the answers --------------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://standin.slack.test/", "team": "Stand-in",
                    "user": "smassist", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID, "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.update"):
            with self._lock:
                self._ts += 1
                ts = f"{self._ts:.6f}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts,
                    "message": {"text": args.get("text"), "ts": ts, "bot_id": BOT_ID}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{self._ts:.6f}"}
        if method == "users.info":
            user = args.get("user", "")
            return {"ok": True, "user": {"id": user, "locale": self.locales.get(user, "en-US")}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X"))[1:]}}
        if method == "files.getUploadURLExternal":
            with self._lock:
                self._files += 1
                file_id = f"F{self._files:08d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            if not self.socket_url:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_url}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path.startswith("/upload/"):  # files_upload_v2's step 2: the file's bytes
                    with standin._lock:
                        standin.calls.append(Call("upload:" + self.path[len("/upload/"):],
                                                  {"data": body}, dict(self.headers.items())))
                    self._send(200, None)
                    return
                raw = body.decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                    for key in ("blocks", "attachments"):
                        if isinstance(args.get(key), str):
                            args[key] = json.loads(args[key])
                path, _, query = self.path.partition("?")
                args.update({k: v[0] for k, v in parse_qs(query).items()})
                if path.startswith("/api/"):
                    method = path[len("/api/"):]
                elif path.startswith("/response/"):
                    method = "response_url:" + path[len("/response/"):]
                else:
                    self._send(404, {"ok": False, "error": "not_found"})
                    return
                with standin._lock:
                    queue = standin._failures.get(method) or []
                    failure = queue.pop(0) if queue else None
                call = Call(method, args, dict(self.headers.items()),
                            failure.status if failure else 200)
                with standin._lock:
                    standin.calls.append(call)
                if failure and failure.delay:
                    time.sleep(failure.delay)
                if failure and failure.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)  # no answer at all
                elif failure and not failure.answer:
                    self._send(failure.status, failure.body, failure.headers)
                elif method.startswith("response_url:"):
                    self._send(200, None)
                else:
                    self._send(200, standin._answer(method, args))

            do_GET = do_POST

            def _send(self, status: int, body: dict | None, headers: dict | None = None) -> None:
                data = b"ok" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if body is None else "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


class SocketModeStandIn:
    """A WebSocket server speaking Socket Mode: says hello, sends envelopes, collects acks."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._sockets: list[Any] = []
        self._connected = threading.Event()
        self.port = 0

    def __enter__(self) -> SocketModeStandIn:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(5)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    async def _start(self) -> None:
        from aiohttp import WSMsgType, web

        async def link(request: web.Request) -> web.WebSocketResponse:
            ws = web.WebSocketResponse(autoping=True)
            await ws.prepare(request)
            self._sockets.append(ws)
            await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                          "debug_info": {"host": "standin"}}))
            self._connected.set()
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
            return ws

        app = web.Application()
        app.router.add_get("/link", link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def wait_connected(self, timeout: float = 5.0) -> None:
        if not self._connected.wait(timeout):
            raise AssertionError("the Socket Mode client never connected")

    def send(self, envelope: dict[str, Any]) -> None:
        """Deliver an envelope (events_api, slash_commands, interactive) to the connected app."""

        async def push() -> None:
            await self._sockets[-1].send_str(json.dumps(envelope))

        asyncio.run_coroutine_threadsafe(push(), self._loop).result(5)

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ack in list(self.acks):
                if ack.get("envelope_id") == envelope_id:
                    return ack
            time.sleep(0.02)
        raise AssertionError(f"no ack for envelope {envelope_id}; acks: {self.acks}")
