"""Sending texts: one gateway interface and a generic HTTP gateway configured in settings.

A company's SMS provider is described in ``[sms_gateway]`` (URL, method,
headers, query and body fields, each a template over {phone}, {content},
{message_id}, {key_id}, {secret}), so a new provider needs settings, not code.
Failures that may pass (network errors, 429, 5xx) are retried with
exponential backoff; a refusal (other 4xx, a success field that says no) is
final. Each message gets its own result, and every text that left is
recorded at once as a contact, so a crash halfway loses nothing and a second
run sends only what did not go.

The secret is read from settings and put only into the HTTP request: it is
never in an event, a sync file, a result or an error message.
"""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from knock.core.errors import LedgerError
from knock.core.ledger import Ledger
from knock.playbook.guardrails import in_quiet_hours, in_windows
from knock.reminders.batch import Batch, Message
from knock.settings import Settings, SmsGateway


class GatewayError(LedgerError):
    """The gateway cannot be used as configured; the message names the setting."""


@dataclass(frozen=True)
class SendResult:
    """How one message went."""

    ok: bool
    attempts: int
    provider_id: str = ""
    error: str = ""
    """Why it failed (never contains the secret)."""


class Gateway(Protocol):
    """Anything that can send one text and say how it went."""

    def send(self, phone: str, text: str, message_id: str) -> SendResult:
        """Send ``text`` to ``phone``; ``message_id`` lets a provider drop a duplicate."""
        ...


_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class HttpGateway:
    """A provider spoken to over HTTP, entirely described by :class:`knock.settings.SmsGateway`."""

    def __init__(
        self,
        config: SmsGateway,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if config.kind != "http" or not config.url:
            raise GatewayError("no SMS gateway configured: set [sms_gateway] kind = \"http\" and its url in settings.toml")
        self.config = config
        self.sleep = sleep
        self.client = httpx.Client(timeout=config.timeout_seconds, transport=transport, follow_redirects=False)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def __enter__(self) -> HttpGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fill(self, template: str, values: dict[str, str]) -> str:
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template

    def _hide(self, text: str) -> str:
        secret = self.config.secret
        return text.replace(secret, "***") if secret else text

    def request(self, phone: str, text: str, message_id: str) -> httpx.Request:
        """The HTTP request for one message (built fresh for each try)."""
        c = self.config
        values = {"phone": phone, "content": text, "message_id": message_id, "key_id": c.key_id, "secret": c.secret}
        headers = {k: self._fill(v, values) for k, v in c.headers.items()}
        params = {k: self._fill(v, values) for k, v in c.query.items()}
        body = {k: self._fill(v, values) for k, v in c.body.items()}
        kwargs: dict[str, object] = {"headers": headers, "params": params}
        if c.method != "GET" and c.body_format == "json":
            kwargs["json"] = body
        elif c.method != "GET" and c.body_format == "form":
            kwargs["data"] = body
        return self.client.build_request(c.method, self._fill(c.url, values), **kwargs)  # type: ignore[arg-type]

    def _judge(self, response: httpx.Response) -> tuple[bool, bool, str, str]:
        """(ok, worth retrying, provider id, error)."""
        c = self.config
        if response.status_code in _RETRY_STATUS:
            return False, True, "", f"HTTP {response.status_code}"
        if not 200 <= response.status_code < 300:
            return False, False, "", f"HTTP {response.status_code}: {self._hide(response.text[:200])}"
        answer: object = None
        if c.success_field or c.id_field:
            try:
                answer = response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                return False, False, "", f"the provider's answer is not JSON: {self._hide(response.text[:200])}"
        fields = answer if isinstance(answer, dict) else {}
        if c.success_field and str(fields.get(c.success_field, "")) != c.success_value:
            return False, False, "", f"{c.success_field} = {self._hide(str(fields.get(c.success_field, '')))!s}: {self._hide(response.text[:200])}"
        return True, False, str(fields.get(c.id_field, "")) if c.id_field else "", ""

    def send(self, phone: str, text: str, message_id: str) -> SendResult:
        """Send with retries: waits ``backoff_seconds``, then twice that, … between tries."""
        c = self.config
        error = ""
        for attempt in range(1, c.max_attempts + 1):
            if attempt > 1:
                self.sleep(c.backoff_seconds * 2 ** (attempt - 2))
            try:
                request = self.request(phone, text, message_id)
            except (httpx.InvalidURL, ValueError, TypeError) as exc:
                raise GatewayError(f"settings: sms_gateway: cannot build the request: {self._hide(str(exc))}") from None
            try:
                response = self.client.send(request)
            except httpx.TransportError as exc:
                error = self._hide(f"{type(exc).__name__}: {exc}")
                continue
            ok, again, provider_id, error = self._judge(response)
            if ok:
                return SendResult(True, attempt, provider_id)
            if not again:
                return SendResult(False, attempt, error=error)
        return SendResult(False, c.max_attempts, error=error)


def check_secret_file(settings_file: Path, config: SmsGateway) -> None:
    """Refuse to use a secret kept in a settings file that others can read."""
    if not config.secret or not settings_file.exists():
        return
    mode = stat.S_IMODE(settings_file.stat().st_mode)
    if mode & 0o077:
        raise GatewayError(
            f"{settings_file} holds the SMS gateway's secret but others can read it (mode {mode:o}); run: chmod 600 {settings_file}"
        )


@dataclass(frozen=True)
class MessageResult:
    """One message of a batch after sending."""

    message: Message
    result: SendResult
    skipped: bool = False
    """True when this message was already on record as sent: it is not sent again."""


def sendable_now(batch: Batch, now: datetime, settings: Settings) -> None:
    """Texts go out only on the batch's day, inside the SMS window, never in quiet hours."""
    if batch.day != now.date():
        raise GatewayError(f"this batch is for {batch.day}; it can be sent on that day only (today is {now.date()})")
    if in_quiet_hours(now, settings) or not in_windows(now, settings.contact.sms_windows) or in_windows(now, settings.contact.no_collection):
        spans = ", ".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in settings.contact.sms_windows)
        raise GatewayError(f"it is {now:%H:%M}: texts go out only inside contact.sms_windows ({spans}), outside quiet hours")


def send_batch(
    batch: Batch,
    gateway: Gateway,
    ledger: Ledger,
    *,
    sender: str,
    progress: Callable[[MessageResult], None] | None = None,
) -> list[MessageResult]:
    """Send every message not yet on record; record each one that left as it leaves."""
    results: list[MessageResult] = []
    sent_before = _already_sent(ledger, (m.message_id for m in batch.messages))
    for message in batch.messages:
        if message.message_id in sent_before:
            outcome = MessageResult(message, SendResult(True, 0), skipped=True)
        else:
            result = gateway.send(message.phone, message.text, message.message_id)
            if result.ok:
                note = f"gateway id {result.provider_id}" if result.provider_id else "sent by gateway"
                ledger.record_message_sent(message.household_id, message_id=message.message_id, template=message.template_id, sender=sender, note=note)
            outcome = MessageResult(message, result)
        results.append(outcome)
        if progress is not None:
            progress(outcome)
    return results


def _already_sent(ledger: Ledger, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        found |= {r[0] for r in ledger.store.query(f"SELECT message_id FROM contacts WHERE message_id IN ({marks})", chunk)}
    return found
