"""The laptop's side of online sync: push the day's sync file, then pull a fresh pack.

The push body is a sync file built exactly as ``knock sync export`` builds it (every event the
office has not acknowledged, signed by this laptop), and the pulled pack is loaded exactly as
``knock sync load`` loads one, so online and USB are two carriers of one format and one merge.
It is safe to run at any time, any number of times: a push the server already merged is
"already merged", and an interrupted push (network gone, server killed) is simply pushed again
next time, because the acknowledgement is only recorded once the server answered.

Nothing here knows of Textual or Click; the CLI and the field app's background worker call it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from knock.home import Home
from sync.errors import SyncError
from sync.export import acknowledged_seq, device_name, record_acknowledgement
from sync.files import build_sync_bytes, write_atomically
from sync.request_auth import sign_request

STATE_FILE = "online-sync.json"
PUSH_PATH = "/v1/push"
PULL_PATH = "/v1/pull"
HEALTH_PATH = "/v1/health"


class ServerUnreachable(SyncError):
    """The server did not answer (offline, wrong address, timed out): try again later, or use USB."""


class ServerRefused(SyncError):
    """The server answered and refused: the message is its reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class OnlineResult:
    """What one sync with the server did."""

    server: str
    pushed_events: int = 0
    new_at_office: int = 0
    push_status: str = "nothing to push"
    acknowledged_seq: int = 0
    pulled: str = ""
    pack_events_added: int = 0
    flags: list[str] = field(default_factory=list)
    pending: int = 0

    def to_dict(self) -> dict[str, Any]:
        """For --json."""
        return asdict(self)


def pending_events(home: Home) -> int:
    """This laptop's events the office has not acknowledged yet (what a USB export would carry)."""
    return int(
        home.store.scalar(
            "SELECT COUNT(*) FROM events WHERE device_id = ? AND seq > ?", (home.ledger.device.device_id, acknowledged_seq(home))
        )
        or 0
    )


def _state_path(home: Home) -> Path:
    return home.path / STATE_FILE


def read_state(home: Home) -> dict[str, Any]:
    """Last online sync (time, server, pack tag); empty if never (a damaged file counts as never)."""
    try:
        data = json.loads(_state_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(home: Home, **changes: Any) -> None:
    state = read_state(home) | changes
    write_atomically(_state_path(home), json.dumps(state, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _base(url: str) -> str:
    clean = url.strip().rstrip("/")
    if not clean.startswith(("http://", "https://")):
        raise SyncError(f"server address {url!r}: give it as http://HOST:PORT or https://HOST")
    return clean


class ServerClient:
    """Signed requests to one office server."""

    def __init__(self, home: Home, url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.home = home
        self.base = _base(url)
        self.client = httpx.Client(base_url=self.base, timeout=timeout, transport=transport, verify=True)

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> httpx.Response:
        signed = sign_request(self.home.key, method, path, body, now=self.home.ledger.now())
        try:
            return self.client.request(method, path, content=body, headers={**signed, **(headers or {})})
        except httpx.HTTPError as exc:
            raise ServerUnreachable(f"{self.base}: no answer ({type(exc).__name__}: {exc or 'connection failed'})") from None

    @staticmethod
    def _refusal(response: httpx.Response) -> ServerRefused:
        try:
            reason = str(response.json().get("error") or response.text)
        except ValueError:
            reason = response.text[:200] or response.reason_phrase
        return ServerRefused(response.status_code, f"server refused ({response.status_code}): {reason}")

    def health(self) -> dict[str, Any]:
        """The server's health answer, or ServerUnreachable."""
        try:
            response = self.client.get(HEALTH_PATH)
        except httpx.HTTPError as exc:
            raise ServerUnreachable(f"{self.base}: no answer ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise self._refusal(response)
        return dict(response.json())

    def push(self, result: OnlineResult) -> None:
        """Push every unacknowledged event; record the acknowledgement the server answers with."""
        home = self.home
        data, manifest = build_sync_bytes(
            home.store, home.key, device_name=device_name(home), created_at=home.ledger.now(), after_seq=acknowledged_seq(home)
        )
        if manifest.count == 0:
            return
        response = self._send("POST", PUSH_PATH, data, {"content-type": "application/gzip"})
        if response.status_code != 200:
            raise self._refusal(response)
        answer = response.json()
        verdict = answer["verdict"]
        result.pushed_events = manifest.count
        result.new_at_office = int(verdict.get("new_events", 0))
        result.push_status = str(verdict["status"])
        result.flags = [str(f) for f in verdict.get("flags", [])]
        ack = answer.get("ack")
        if ack:
            record_acknowledgement(home, int(ack["seq"]), str(ack["hash"]), f"{self.base}{PUSH_PATH}")

    def pull(self, result: OnlineResult) -> None:
        """Ask for a fresh pack (the server answers "not modified" when nothing changed) and load it."""
        from sync.packs import load_pack

        home = self.home
        collectors = [r[0] for r in home.store.query("SELECT staff_id FROM staff WHERE active = 1 AND role != 'manager' ORDER BY staff_id")]
        query = "&".join(f"collector={c}" for c in collectors)
        path = PULL_PATH + (f"?{query}" if query else "")
        tag = str(read_state(home).get("pack_etag") or "")
        response = self._send("GET", path, headers={"if-none-match": f'"{tag}"'} if tag else None)
        if response.status_code == 304:
            result.pulled = "not modified"
            return
        if response.status_code != 200:
            raise self._refusal(response)
        loaded = load_pack(home, response.content, f"{self.base}{PULL_PATH}")
        result.pulled = "fresh pack"
        result.pack_events_added = loaded.added
        _write_state(home, pack_etag=response.headers.get("etag", "").strip('"'))


def sync_with_server(home: Home, url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> OnlineResult:
    """Push, then pull. Raises ServerUnreachable (try later / use USB) or ServerRefused (the reason)."""
    result = OnlineResult(server=_base(url))
    try:
        with ServerClient(home, url, timeout=timeout, transport=transport) as client:
            client.push(result)
            client.pull(result)
    except SyncError as exc:
        _write_state(home, last_error=str(exc), last_attempt=home.ledger.now().isoformat(timespec="seconds"))
        raise
    result.acknowledged_seq = acknowledged_seq(home)
    result.pending = pending_events(home)
    _write_state(home, last_sync=home.ledger.now().isoformat(timespec="seconds"), last_error="", server=result.server)
    return result
