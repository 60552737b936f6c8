"""The admin console as an aiohttp application: routes, access, language, rendering.

Access: with no token configured, every page is open (the server refuses to
bind beyond loopback then, see :mod:`.server`), except a request that came
through a reverse proxy, which is refused: a proxy would open the console to
whoever reaches it. With ``SMASSIST_ADMIN_TOKEN``, every page but the login
page and ``/healthz`` needs ``Authorization: Bearer TOKEN`` or the session
cookie the login page sets (HttpOnly, SameSite=Strict, Secure behind HTTPS;
it holds an expiry and an HMAC keyed by the token, never the token itself).
Tokens and cookies are compared in constant time.

Every page is rendered by Jinja2 with autoescaping on: logged questions are
untrusted input. The Content-Security-Policy allows no script at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlparse

import jinja2
from aiohttp import web

from smassist.web.console import views
from smassist.web.console.texts import LANGS, texts

if TYPE_CHECKING:
    from smassist.admin.store import QuestionRecord, QuestionStore
    from smassist.answering.assistant import Assistant

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "smassist_admin"
LANG_COOKIE = "smassist_lang"
#: How long a login lasts.
SESSION_SECONDS = 12 * 3600
#: Time a wrong token costs (one guess a second per connection at most).
FAILED_LOGIN_DELAY = 1.0
MAX_FORM_BYTES = 4096
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP")

CONSOLE_KEY: web.AppKey[Console] = web.AppKey("smassist_console", object)  # type: ignore[arg-type]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name: logged text is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["qs"] = lambda params: urlencode({k: v for k, v in params.items() if v})
    return env


class Console:
    """The console's state: the assistant (its served knowledge base), the log, the token."""

    def __init__(self, assistant: Assistant, store: QuestionStore | None, token: str | None, *,
                 log_error: str | None = None, clock: Callable[[], datetime] | None = None):
        from smassist.admin.store import utcnow

        self.assistant = assistant
        self.store = store
        self.token = token or None
        self.log_error = log_error
        self.clock = clock or utcnow
        self.templates = _environment()
        self.loaded_at = self.clock()
        self._loaded_version = assistant.kb.version
        self._status_cache: tuple[object, dict[str, Any]] | None = None

    # --- access ---------------------------------------------------------------------------

    def session_value(self, expires: int) -> str:
        assert self.token
        mac = hmac.new(self.token.encode(), f"smassist-console:{expires}".encode(), hashlib.sha256)
        return f"{expires}.{mac.hexdigest()}"

    def authorized(self, request: web.Request) -> bool:
        if self.token is None:
            return True
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return hmac.compare_digest(value.strip().encode(), self.token.encode())
        cookie = request.cookies.get(SESSION_COOKIE, "")
        expires_text, _, _ = cookie.partition(".")
        if not expires_text.isdigit() or int(expires_text) < time.time():
            return False
        return hmac.compare_digest(cookie.encode(), self.session_value(int(expires_text)).encode())

    # --- what the pages need ----------------------------------------------------------------

    @property
    def kb(self):  # -> KnowledgeBase
        kb = self.assistant.kb
        if kb.version != self._loaded_version:  # a live reload swapped a new version in
            self._loaded_version = kb.version
            self.loaded_at = self.clock()
        return kb

    def records(self, since: datetime | None) -> tuple[list[QuestionRecord] | None, str | None]:
        """The logged questions since ``since`` (None: all), or None and why not."""
        from smassist.admin.store import StoreUnavailable

        if self.store is None:
            return None, self.log_error or "off"
        try:
            return self.store.questions(since), None
        except StoreUnavailable as exc:
            return None, str(exc)

    def status(self, lang: str) -> dict[str, Any]:
        """The status page's data; the folder is only re-read when its files changed."""
        from datetime import timedelta

        from smassist.kb.files import fingerprint

        kb = self.kb
        key = (kb.version, fingerprint(Path(kb.root)))
        if self._status_cache is None or self._status_cache[0] != key:
            records, _ = self.records(self.clock() - timedelta(hours=24))
            self._status_cache = (key, views.status_view(kb, self.loaded_at, records, lang))
        return self._status_cache[1]


# --- helpers --------------------------------------------------------------------------------


def choose_lang(request: web.Request) -> str:
    """``?lang=``, else the language cookie, else the browser's preference, else English."""
    asked = request.query.get("lang", "")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGS:
        return cookie
    best, best_q = "en", -1.0
    for part in request.headers.get("Accept-Language", "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.split("-")[0].lower()
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


def _since(request: web.Request, clock: Callable[[], datetime]) -> tuple[str, datetime | None]:
    from smassist.admin.store import parse_duration

    code = request.query.get("since", views.DEFAULT_PERIOD).strip()
    if code == "all":
        return code, None
    try:
        return code, clock() - parse_duration(code)
    except ValueError:
        return views.DEFAULT_PERIOD, clock() - parse_duration(views.DEFAULT_PERIOD)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/report"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return "/report"
    return target


def _https(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


async def _blocking(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args))


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    console: Console = request.app[CONSOLE_KEY]
    lang = context.pop("lang", None) or choose_lang(request)
    kb = console.kb
    page = console.templates.get_template(template).render(
        t=texts(lang), lang=lang, other_lang="fr" if lang == "en" else "en",
        path=request.path, query=dict(request.query), version=kb.version[:12], folder=str(kb.root),
        logged_in=console.token is not None and console.authorized(request),
        # The login page tells an unknown visitor nothing about the server.
        private=console.authorized(request),
        **context)
    response = web.Response(text=page, status=status, content_type="text/html", charset="utf-8")
    if request.query.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True,
                            samesite="Strict", path="/", secure=_https(request))
    return response


# --- pages ----------------------------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    query = urlencode({k: v for k, v in request.query.items() if k == "lang"})
    raise web.HTTPFound("/report" + (f"?{query}" if query else ""))


async def _question_log_page(request: web.Request, template: str,
                             build: Callable[[Console, list[QuestionRecord], str, datetime | None, str],
                                             dict[str, Any]]) -> web.Response:
    """A page over the logged questions of the period asked (``?since=``): ``build``'s view
    of them, or why the log cannot be read."""
    console: Console = request.app[CONSOLE_KEY]
    lang = choose_lang(request)
    code, since = _since(request, console.clock)
    records, error = await _blocking(console.records, since)
    view = None if records is None else await _blocking(build, console, records, code, since, lang)
    return render(request, template, lang=lang, since=code, periods=views.PERIODS,
                  view=view, error=error)


async def report_page(request: web.Request) -> web.Response:
    def build(console: Console, records: list[QuestionRecord], code: str,
              since: datetime | None, lang: str) -> dict[str, Any]:
        today: date = console.clock().date()
        return views.report_view(records, code, since, console.kb, lang, today)

    return await _question_log_page(request, "report.html", build)


async def gaps_page(request: web.Request) -> web.Response:
    def build(console: Console, records: list[QuestionRecord], code: str,
              since: datetime | None, lang: str) -> dict[str, Any]:
        return views.gaps_view(records, code, console.assistant.state, lang)

    return await _question_log_page(request, "gaps.html", build)


async def kb_page(request: web.Request) -> web.Response:
    console: Console = request.app[CONSOLE_KEY]
    lang = choose_lang(request)
    view = await _blocking(views.kb_view, console.kb, lang)
    return render(request, "kb.html", lang=lang, view=view)


async def status_page(request: web.Request) -> web.Response:
    console: Console = request.app[CONSOLE_KEY]
    lang = choose_lang(request)
    view = await _blocking(console.status, lang)
    return render(request, "status.html", lang=lang, view=view)


async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", next=_safe_next(request.query.get("next")), failed=False)


async def login(request: web.Request) -> web.Response:
    console: Console = request.app[CONSOLE_KEY]
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM_BYTES,
                                            actual_size=request.content_length)
    form = await request.post()
    target = _safe_next(str(form.get("next", "")))
    token = str(form.get("token", "")).strip()
    if console.token is None:
        raise web.HTTPSeeOther(target)
    if not hmac.compare_digest(token.encode(), console.token.encode()):
        await asyncio.sleep(FAILED_LOGIN_DELAY)
        return render(request, "login.html", status=401, next=target, failed=True)
    response = web.HTTPSeeOther(target)
    expires = int(time.time()) + SESSION_SECONDS
    response.set_cookie(SESSION_COOKIE, console.session_value(expires), max_age=SESSION_SECONDS,
                        httponly=True, samesite="Strict", path="/", secure=_https(request))
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


# --- middleware -----------------------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN_PATHS = frozenset({"/login", "/healthz", "/health", "/readyz", "/static/console.css"})


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Access rules, same-origin POSTs, security headers, and friendly error pages."""
    console: Console = request.app[CONSOLE_KEY]
    try:
        if console.token is None and any(h in request.headers for h in _PROXY_HEADERS) \
                and request.path not in ("/healthz", "/health", "/readyz"):
            response: web.StreamResponse = render(
                request, "message.html", status=403, message=texts(choose_lang(request))["proxied_without_token"])
        elif request.method == "POST" and not _same_origin(request):
            response = web.Response(status=403, text="cross-site request refused")
        elif request.path not in OPEN_PATHS and not console.authorized(request):
            # /metrics too: a scraper sends the token as a Bearer header.
            response = render(request, "login.html", status=401, next=_safe_next(request.path_qs),
                              failed=False)
            response.headers["WWW-Authenticate"] = 'Bearer realm="smassist admin console"'
        else:
            response = await handler(request)
    except web.HTTPNotFound:
        response = render(request, "message.html", status=404,
                          message=texts(choose_lang(request))["not_found"])
    except web.HTTPMethodNotAllowed as exc:
        response = web.Response(status=405, text="method not allowed", headers={"Allow": ",".join(exc.allowed_methods)})
    except web.HTTPException as exc:
        # Redirects go out as they are; other refusals as a short text.
        response = web.Response(status=exc.status, text=exc.reason) if exc.status >= 400 else exc
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")  # so that our own POSTs carry an Origin
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path != "/static/console.css":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("X-Forwarded-Host") or request.host
    return urlparse(origin).netloc == host


def add_routes(app: web.Application, console: Console) -> web.Application:
    """The console's pages on ``app`` (a plain aiohttp application or the shared front's)."""
    app[CONSOLE_KEY] = console
    app.middlewares.append(guard)
    app.router.add_get("/", index)
    app.router.add_get("/report", report_page)
    app.router.add_get("/gaps", gaps_page)
    app.router.add_get("/kb", kb_page)
    app.router.add_get("/status", status_page)
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_static("/static", HERE / "static", append_version=False)
    return app

