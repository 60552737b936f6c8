"""A stand-in for the Telegram Bot API on 127.0.0.1, for driving the real bot in tests.

It speaks the Bot API's HTTP shape (``POST /bot<token>/<method>``, form or JSON
bodies, ``{"ok": ..., "result": ...}`` answers), holds ``getUpdates`` long polls
until an update is queued or the poll's timeout passes, records every call, and
checks what real Telegram checks: HTML that parses, text under 4,096 characters,
``callback_data`` of 1 to 64 bytes. Failures can be queued per method (for
example a 429 with ``retry_after``).
"""

from __future__ import annotations

import asyncio
import html.parser
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token_ABCdef"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "smassist", "username": "smassist_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
_JSON_FIELDS = ("reply_markup", "commands", "scope", "link_preview_options", "reply_parameters",
                "allowed_updates", "entities")
_TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                  "tg-spoiler", "span", "blockquote", "tg-emoji"}
_BARE_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


class _HTMLCheck(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TELEGRAM_TAGS:
            self.problem = self.problem or f"unsupported start tag \"{tag}\""
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problem = self.problem or f"unexpected end tag \"{tag}\""
        else:
            self.open.pop()


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse ``text`` in HTML parse mode, or None."""
    if _BARE_AMPERSAND.search(text):
        return "unsupported entity or bare &"
    checker = _HTMLCheck()
    checker.feed(text)
    checker.close()
    if checker.problem:
        return checker.problem
    if checker.open:
        return f"unclosed tag \"{checker.open[-1]}\""
    return None


def visible_text(text: str) -> str:
    """What a user sees of an HTML message: tags dropped, entities decoded."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", text))


class BotAPIStandIn:
    """Bot API on 127.0.0.1: start it, give ``base_url`` to the bot, queue updates, read calls."""

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._arrived = asyncio.Event()
        self._failures: dict[str, list[_Failure]] = {}
        self._hangs: dict[int, list[float]] = {}
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life ----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._closing = True
        self._arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What ``SMASSIST_TELEGRAM_API_URL`` is set to; the bot appends its token."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- what tests do --------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the next getUpdates; its update_id is assigned here."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._arrived.set()
        return update

    def message(self, user_id: int, text: str, *, chat_id: int | None = None,
                language_code: str | None = "fr", chat_type: str = "private") -> dict[str, Any]:
        """Queue a text message (a command when it starts with /)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id or user_id, "type": chat_type},
            "from": self.user(user_id, language_code), "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push({"message": message})

    def press(self, user_id: int, data: str, *, chat_id: int | None = None,
              language_code: str | None = "fr") -> dict[str, Any]:
        """Queue a tap on an inline button carrying ``data``."""
        chat = {"id": chat_id or user_id, "type": "private"}
        return self.push({"callback_query": {
            "id": f"cbq{next(self._message_ids)}", "from": self.user(user_id, language_code),
            "chat_instance": "1", "data": data,
            "message": {"message_id": next(self._message_ids), "date": int(time.time()),
                        "chat": chat, "from": BOT_USER, "text": "…"},
        }})

    @staticmethod
    def user(user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def fail_next(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """The next call to ``method`` gets this error (``retry_after=1`` for a 429)."""
        self._failures.setdefault(method, []).append(_Failure(status, description, parameters))

    def hang_next(self, chat_id: int, seconds: float) -> None:
        """The next sendMessage to ``chat_id`` is answered only after ``seconds`` (a hung send)."""
        self._hangs.setdefault(chat_id, []).append(seconds)

    def calls_to(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def sent_to(self, chat_id: int) -> list[Call]:
        """Messages delivered to a chat."""
        return [c for c in self.calls_to("sendMessage") if int(c.params["chat_id"]) == chat_id]

    async def wait_for(self, method: str, count: int = 1, *, chat_id: int | None = None,
                       timeout: float = 5.0) -> list[Call]:
        """The successful calls to ``method`` once there are ``count`` of them (polls briefly)."""
        deadline = time.monotonic() + timeout
        while True:
            calls = [c for c in self.calls_to(method)
                     if chat_id is None or int(c.params.get("chat_id", 0)) == chat_id]
            if len(calls) >= count:
                return calls
            if time.monotonic() > deadline:
                seen = [(c.method, c.status) for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s), got {len(calls)}; calls: {seen}")
            await asyncio.sleep(0.01)

    # --- the API ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if request.match_info["token"] != self.token:
            return self._error(Call(method, params), 401, "Unauthorized")
        call = Call(method, params)
        if method == "sendMessage":
            hangs = self._hangs.get(int(params.get("chat_id") or 0))
            if hangs:
                await asyncio.sleep(hangs.pop(0))
        queued = self._failures.get(method)
        if queued:
            failure = queued.pop(0)
            return self._error(call, failure.status, failure.description, failure.parameters)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(call, 404, "Not Found: method not found")
        try:
            result = await handler(params)
        except _BadRequest as exc:
            return self._error(call, 400, f"Bad Request: {exc}")
        self.calls.append(call)
        return web.json_response({"ok": True, "result": result})

    def _error(self, call: Call, status: int, description: str,
               parameters: dict[str, Any] | None = None) -> web.Response:
        call.status = status
        self.calls.append(call)
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            params.update(body or {})
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
            # Uploaded files (sendPhoto's photo) as their bytes.
            params.update({k: v.file.read() for k, v in form.items() if isinstance(v, web.FileField)})
        for key in _JSON_FIELDS:
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        for command in params.get("commands", []):
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise _BadRequest("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise _BadRequest("BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if len(params.get("text", "")) > 200:
            raise _BadRequest("MESSAGE_TOO_LONG")
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        self._check_message(params)
        chat_id = int(params["chat_id"])
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER,
                "text": visible_text(params["text"]) if params.get("parse_mode") == "HTML"
                else params["text"]}

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        photo = params.get("photo")
        if not isinstance(photo, bytes) or not photo:
            raise _BadRequest("there is no photo in the request")
        caption = self._shown(params.get("caption", ""), params, 1024, "message caption is too long")
        self._check_keyboard(params)
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"}, "from": BOT_USER,
                "photo": [{"file_id": "photo1", "file_unique_id": "p1", "width": 1080,
                           "height": 1200}], "caption": caption}

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        return await self._api_sendMessage(params)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        self._check_keyboard(params)
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing and loop.time() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
            except TimeoutError:
                break
        return list(self._updates[: int(params.get("limit") or 100)])

    def _check_message(self, params: dict[str, Any]) -> None:
        text = params.get("text", "")
        if not text.strip():
            raise _BadRequest("message text is empty")
        self._shown(text, params, 4096, "message is too long")
        self._check_keyboard(params)

    @staticmethod
    def _shown(text: str, params: dict[str, Any], limit: int, too_long: str) -> str:
        """``text`` as a chat shows it: its HTML parsed (refused as Telegram does when broken),
        at most ``limit`` UTF-16 code units."""
        if params.get("parse_mode") == "HTML" and text:
            problem = html_problem(text)
            if problem:
                raise _BadRequest(f"can't parse entities: {problem}")
            text = visible_text(text)
        if len(text.encode("utf-16-le")) // 2 > limit:
            raise _BadRequest(too_long)
        return text

    @staticmethod
    def _check_keyboard(params: dict[str, Any]) -> None:
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise _BadRequest("BUTTON_DATA_INVALID")


class _BadRequest(Exception):
    pass
