"""The office ledger as an HTTP service: push sync files, pull packs, see the day.

Built on Starlette (routing, requests, responses; a small, well-kept ASGI toolkit) and served
by uvicorn (see ``knock serve``). The server carries the very bytes a USB stick would: a push
body is a sync file and goes through the same :class:`~sync.merge.Merger`; a pull answers with
the same signed pack ``knock sync pack`` writes. So a day pushed online and merged again from a
stick is merged once.

One home, one writer: every ledger access runs on a single worker thread, so merges are
serialised inside the server, and SQLite's WAL and busy timeout let the office's CLI work on
the same file meanwhile. A ledger that stays busy past the timeout is answered with 503 and
``Retry-After`` (the laptop simply tries again), never with "database is locked".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from knock.core.events import canonical_json
from knock.core.journal import Clock, system_clock
from knock.home import Home, open_home
from sync.errors import FileRefused, SyncError
from sync.files import read_sync_bytes
from sync.merge import Merger
from sync.request_auth import Caller, NonceBook, Refused, authenticate

PUSH_PATH = "/v1/push"
PULL_PATH = "/v1/pull"
HEALTH_PATH = "/v1/health"
API_VERSION = "knock-server/1"

T = TypeVar("T")


@dataclass
class ServerConfig:
    """What ``knock serve`` was told."""

    home: Path
    clock: Clock = system_clock


class OfficeService:
    """The office home, used from one worker thread only (the single writer)."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="knock-ledger")
        self._home: Home | None = None
        self._nonces: NonceBook | None = None

    @property
    def home(self) -> Home:
        """Opened on first use, on the worker thread."""
        if self._home is None:
            self._home = open_home(self.config.home, clock=self.config.clock)
        return self._home

    @property
    def nonces(self) -> NonceBook:
        """The replay guard, beside the ledger."""
        if self._nonces is None:
            self._nonces = NonceBook(self.home.path / "server" / "nonces.sqlite", self.home.settings.sync.request_max_age_seconds)
        return self._nonces

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the ledger thread; a ledger busy beyond the timeout becomes Refused(503)."""
        loop = asyncio.get_running_loop()
        for attempt in range(3):
            try:
                return await loop.run_in_executor(self.pool, work)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise Refused(503, "the office ledger is busy (a long merge at the office); try again shortly")

    def close(self) -> None:
        """Stop the worker and close the files."""
        def shut() -> None:
            if self._nonces is not None:
                self._nonces.close()
            if self._home is not None:
                self._home.close()

        self.pool.submit(shut).result(timeout=30)
        self.pool.shutdown(wait=True)

    # -- work done on the ledger thread ------------------------------------------------------

    def authenticate(self, request_headers: dict[str, str], method: str, path: str, body: bytes) -> Caller:
        """See :func:`sync.request_auth.authenticate`."""
        return authenticate(self.home.store, self.nonces, request_headers, method, path, body, now=self.home.ledger.now())

    def push(self, caller: Caller, body: bytes) -> tuple[int, dict[str, Any]]:
        """Merge one pushed sync file; the answer carries the verdict and the acknowledgement."""
        label = f"push from {caller.name}"
        try:
            light = read_sync_bytes(body, label, parse_events=False)
        except FileRefused as exc:
            return 422, {"error": str(exc)}
        if light.manifest.device_id != caller.device_id:
            return 403, {"error": f"{label}: the file is device {light.manifest.device_name}'s ({light.manifest.device_id}); a laptop pushes its own files only"}
        run = Merger(self.home.ledger, author="office").run([(label, body)])
        verdict = run.verdicts[0]
        head = self.home.store.query_one("SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", (caller.device_id,))
        answer = {
            "verdict": verdict.to_dict(),
            "ack": None if head is None else {"seq": int(head["seq"]), "hash": str(head["hash"])},
            "unparked": run.unparked,
            "merged_at": run.merged_at,
        }
        return (409 if verdict.status == "refused" else 200), answer

    def pull(self, caller: Caller, collectors: list[str], if_none_match: str) -> tuple[int, bytes, str, str]:
        """(status, pack bytes, etag, message): a fresh pack for the caller, or 304 when nothing changed."""
        from sync.packs import build_pack

        store = self.home.store
        known = {r[0] for r in store.query("SELECT staff_id FROM staff WHERE active = 1 AND role != 'manager'")}
        chosen = [c for c in collectors if c in known]
        authors = [r[0] for r in store.query("SELECT DISTINCT author FROM events WHERE device_id = ?", (caller.device_id,)) if r[0] in known]
        ids = sorted(set(chosen) | set(authors))
        if not ids:
            return 409, b"", "", f"no collectors are known for device {caller.name} yet; give it its first pack at the office (knock sync pack {caller.name} --collector NAME)"
        data, _info = build_pack(self.home, caller.device_id, ids)
        etag = pack_etag(data)
        if if_none_match and if_none_match.strip('"') == etag:
            return 304, b"", etag, "not modified"
        return 200, data, etag, "fresh pack"


def pack_etag(data: bytes) -> str:
    """What a pack says, without its id and creation time: equal tags mean nothing new to load."""
    from sync.files import unpack_archive
    from sync.packs import PACK_MEMBERS

    manifest = json.loads(unpack_archive(data, "pack", PACK_MEMBERS)["pack.json"])
    for volatile in ("pack_id", "created_at"):
        manifest.pop(volatile, None)
    return hashlib.sha256(canonical_json(manifest).encode("utf-8")).hexdigest()[:32]


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"request body of {int(declared):,} bytes is over the limit of {limit:,} (settings: sync.max_body_mb)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"request body is over the limit of {limit:,} bytes (settings: sync.max_body_mb)")
        chunks.append(chunk)
    return b"".join(chunks)


def _signed_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _lifespan(service: OfficeService) -> Callable[[Starlette], Any]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.close()

    return lifespan


def create_app(config: ServerConfig) -> Starlette:
    """The ASGI application for one office home."""
    service = OfficeService(config)

    async def caller_of(request: Request, body: bytes) -> Caller:
        headers = {k.lower(): v for k, v in request.headers.items()}
        return await service.run(lambda: service.authenticate(headers, request.method, _signed_path(request), body))

    async def push(request: Request) -> Response:
        try:
            limit = await service.run(lambda: service.home.settings.sync.max_body_mb * 1024 * 1024)
            body = await _read_body(request, limit)
            caller = await caller_of(request, body)
            status, answer = await service.run(lambda: service.push(caller, body))
        except Refused as exc:
            return _error(exc.status, exc.reason)
        except SyncError as exc:
            return _error(422, str(exc))
        return JSONResponse(answer, status_code=status)

    async def pull(request: Request) -> Response:
        try:
            body = await _read_body(request, 1024)
            caller = await caller_of(request, body)
            collectors = request.query_params.getlist("collector")
            match = request.headers.get("if-none-match", "")
            status, data, etag, message = await service.run(lambda: service.pull(caller, collectors, match))
        except Refused as exc:
            return _error(exc.status, exc.reason)
        except SyncError as exc:
            return _error(422, str(exc))
        if status == 409:
            return _error(409, message)
        headers = {"ETag": f'"{etag}"'}
        if status == 304:
            return Response(status_code=304, headers=headers)
        return Response(data, status_code=200, media_type="application/gzip", headers=headers)

    async def health(request: Request) -> Response:
        try:
            office = await service.run(lambda: service.home.key.device_id)
        except Refused as exc:
            return _error(exc.status, exc.reason)
        return JSONResponse({"status": "ok", "api": API_VERSION, "office_device_id": office})

    async def status_page(request: Request) -> Response:
        from sync.status_page import render_status_page

        try:
            html = await service.run(lambda: render_status_page(service.home, request.query_params.get("lang", "")))
        except Refused as exc:
            return HTMLResponse(f"<p>{exc.reason}</p>", status_code=exc.status)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    app = Starlette(
        routes=[
            Route(PUSH_PATH, push, methods=["POST"]),
            Route(PULL_PATH, pull, methods=["GET"]),
            Route(HEALTH_PATH, health, methods=["GET"]),
            Route("/", status_page, methods=["GET"]),
        ],
        lifespan=_lifespan(service),
    )
    app.state.service = service
    return app
