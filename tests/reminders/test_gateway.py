"""The HTTP gateway against a loopback server: a retry after a failure, results per message, no secret leaks."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import Home
from knock.reminders.batch import Batch, build_batch
from knock.reminders.gateway import GatewayError, HttpGateway, check_secret_file, send_batch, sendable_now
from knock.settings import SmsGateway
from tests.conftest import CST
from tests.reminders.conftest import AddHousehold

SECRET = "s3cr3t-token-XYZ"


class Provider:
    """A fake SMS provider: answers from a script of (status, body), records every request."""

    def __init__(self, script: list[tuple[int, dict[str, str]]]) -> None:
        self.script = script
        self.requests: list[tuple[str, dict[str, str], dict[str, object]]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                provider.requests.append((self.path, dict(self.headers), body))
                status, answer = provider.script[min(len(provider.requests), len(provider.script)) - 1]
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"


@pytest.fixture
def provider_factory() -> Iterator[object]:
    started: list[Provider] = []

    def start(script: list[tuple[int, dict[str, str]]]) -> Provider:
        p = Provider(script)
        p.thread.start()
        started.append(p)
        return p

    yield start
    for p in started:
        p.server.shutdown()
        p.server.server_close()
        p.thread.join(timeout=5)
        assert not p.thread.is_alive()


def _config(url: str, **extra: object) -> SmsGateway:
    fields: dict[str, object] = {
        "kind": "http",
        "url": url,
        "headers": {"Authorization": "Bearer {secret}", "X-Key": "{key_id}"},
        "body": {"to": "{phone}", "text": "{content}", "ref": "{message_id}"},
        "key_id": "K1",
        "secret": SECRET,
        "success_field": "code",
        "success_value": "OK",
        "id_field": "id",
        "timeout_seconds": 5,
        "max_attempts": 3,
        "backoff_seconds": 0.5,
    }
    fields.update(extra)
    return SmsGateway(**fields)  # type: ignore[arg-type]


@pytest.fixture
def batch(office: Home, add_household: AddHousehold) -> Batch:
    add_household("7-1-101", "王芳")
    add_household("7-1-102", "李强", phones=("13800002222",))
    return build_batch(office.store, office.settings, office.ledger.now(), kind="overdue")


def test_a_failed_first_try_is_retried_with_backoff_and_the_text_recorded(office: Home, batch: Batch, provider_factory) -> None:  # type: ignore[no-untyped-def]
    provider = provider_factory([(503, {"code": "BUSY"}), (200, {"code": "OK", "id": "P-1"}), (200, {"code": "OK", "id": "P-2"})])
    waits: list[float] = []
    with HttpGateway(_config(provider.url), sleep=waits.append) as gateway:
        results = send_batch(batch, gateway, office.ledger, sender="王晓芳")
    assert [(r.message.room, r.result.ok, r.result.attempts, r.result.provider_id) for r in results] == [
        ("7-1-101", True, 2, "P-1"),
        ("7-1-102", True, 1, "P-2"),
    ]
    assert waits == [0.5]
    path, headers, body = provider.requests[1]
    assert path == "/sms/send" and headers["Authorization"] == f"Bearer {SECRET}" and headers["X-Key"] == "K1"
    assert body == {"to": "13800001111", "text": batch.messages[0].text, "ref": batch.messages[0].message_id}
    rows = office.store.query("SELECT template, message_id, note, outcome FROM contacts ORDER BY at, contact_id")
    assert sorted(tuple(r) for r in rows) == sorted(
        [("overdue.monthly", m.message_id, f"gateway id P-{i}", "sent") for i, m in enumerate(batch.messages, start=1)]
    )
    # the secret went only into the HTTP request: not into an event, a contact or the ledger file
    assert office.store.scalar("SELECT COUNT(*) FROM events WHERE payload LIKE ?", (f"%{SECRET}%",)) == 0
    assert SECRET.encode() not in Path(office.store.path).read_bytes()
    # a second run sends nothing again
    with HttpGateway(_config(provider.url), sleep=waits.append) as gateway:
        again = send_batch(batch, gateway, office.ledger, sender="王晓芳")
    assert [r.skipped for r in again] == [True, True] and len(provider.requests) == 3


def test_a_refusal_is_final_and_never_shows_the_secret(office: Home, batch: Batch, provider_factory) -> None:  # type: ignore[no-untyped-def]
    provider = provider_factory([(400, {"code": "BAD", "echo": SECRET})])
    with HttpGateway(_config(provider.url, max_attempts=5), sleep=lambda s: None) as gateway:
        result = gateway.send("13800001111", "hello", "m1")
    assert (result.ok, result.attempts) == (False, 1)
    assert "HTTP 400" in result.error and SECRET not in result.error and "***" in result.error
    provider.script[:] = [(200, {"code": "DENIED"})]
    with HttpGateway(_config(provider.url), sleep=lambda s: None) as gateway:
        denied = send_batch(batch, gateway, office.ledger, sender="王晓芳")
    assert all(not r.result.ok and "code = DENIED" in r.result.error for r in denied)
    assert office.store.scalar("SELECT COUNT(*) FROM contacts") == 0


def test_an_unreachable_gateway_fails_after_the_tries_and_records_nothing(office: Home, batch: Batch) -> None:
    waits: list[float] = []
    with HttpGateway(_config("http://127.0.0.1:9/nothing", backoff_seconds=0.25), sleep=waits.append) as gateway:
        result = gateway.send("13800001111", "hello", "m1")
    assert (result.ok, result.attempts) == (False, 3) and waits == [0.25, 0.5]
    assert "ConnectError" in result.error


def test_the_gateway_settings_and_the_secret_file_are_checked(tmp_path: Path) -> None:
    with pytest.raises(GatewayError, match=r"\[sms_gateway\] kind"):
        HttpGateway(SmsGateway())
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[sms_gateway]\nsecret = "x"\n', encoding="utf-8")
    os.chmod(settings_file, 0o644)
    with pytest.raises(GatewayError, match="chmod 600"):
        check_secret_file(settings_file, SmsGateway(secret="x"))
    os.chmod(settings_file, 0o600)
    check_secret_file(settings_file, SmsGateway(secret="x"))
    with HttpGateway(_config("http://[::1"), sleep=lambda s: None) as broken, pytest.raises(GatewayError, match="sms_gateway"):
        broken.send("1", "2", "3")


def test_texts_go_out_only_on_their_day_and_inside_the_window(office: Home, batch: Batch) -> None:
    sendable_now(batch, datetime(2026, 11, 23, 19, 30, tzinfo=CST), office.settings)
    with pytest.raises(GatewayError, match="only inside contact.sms_windows"):
        sendable_now(batch, datetime(2026, 11, 23, 21, 0, tzinfo=CST), office.settings)
    with pytest.raises(GatewayError, match="on that day only"):
        sendable_now(batch, datetime(2026, 11, 24, 10, 0, tzinfo=CST), office.settings)


def test_the_cli_refuses_to_send_with_a_secret_others_can_read(office: Home, add_household: AddHousehold) -> None:
    add_household("7-2-101")
    settings_file = office.path / "settings.toml"
    settings_file.write_text('[sms_gateway]\nkind = "http"\nurl = "http://127.0.0.1:9/x"\nsecret = "abc"\n', encoding="utf-8")
    os.chmod(settings_file, 0o644)
    runner = CliRunner()
    no_sender = runner.invoke(cli, ["remind", "sms", "--send", "--home", str(office.path)])
    assert no_sender.exit_code == 2 and "--send needs --by" in no_sender.output
    result = runner.invoke(cli, ["remind", "sms", "--send", "--by", "王晓芳", "--home", str(office.path)])
    assert result.exit_code == 1 and "chmod 600" in result.output and "Traceback" not in result.output
    assert office.store.scalar("SELECT COUNT(*) FROM contacts") == 0


def test_the_cli_sends_through_the_configured_gateway(office: Home, add_household: AddHousehold, provider_factory, monkeypatch: pytest.MonkeyPatch, clock) -> None:  # type: ignore[no-untyped-def]
    import knock.cli.remind_cmds as remind_cmds
    from knock.home import open_home

    add_household("7-3-101")
    add_household("7-3-102", phones=("13800002222",))
    provider = provider_factory([(502, {"code": "X"}), (200, {"code": "OK", "id": "A"}), (200, {"code": "OK", "id": "B"})])
    settings_file = office.path / "settings.toml"
    settings_file.write_text(
        "[sms_gateway]\n"
        f'kind = "http"\nurl = "{provider.url}"\nsecret = "{SECRET}"\nbackoff_seconds = 0.01\n'
        'success_field = "code"\nsuccess_value = "OK"\nid_field = "id"\n'
        'headers = {Authorization = "Bearer {secret}"}\nbody = {mobile = "{phone}", content = "{content}"}\n',
        encoding="utf-8",
    )
    os.chmod(settings_file, 0o600)
    opened: list[Home] = []

    def open_at_the_test_clock(home_dir: str | None) -> Home:
        opened.append(open_home(home_dir, clock=clock))
        return opened[-1]

    monkeypatch.setattr(remind_cmds, "open_cli_home", open_at_the_test_clock)
    runner = CliRunner()
    try:
        first = runner.invoke(cli, ["remind", "sms", "--kind", "overdue", "--send", "--by", "王晓芳", "--home", str(office.path)])
        assert first.exit_code == 0, first.output
        assert "7-3-101    sent (2 tries)" in first.output and "2 sent, 0 already sent before, 0 failed" in first.output
        assert [r[2]["mobile"] for r in provider.requests] == ["13800001111", "13800001111", "13800002222"]
        again = runner.invoke(cli, ["remind", "sms", "--kind", "overdue", "--send", "--by", "王晓芳", "--json", "--home", str(office.path)])
        assert again.exit_code == 0, again.output
        # the rebuilt batch leaves them out (a text of this kind went out today): nothing goes twice
        assert json.loads(again.output)["sent"] == 0 and len(provider.requests) == 3
    finally:
        for home in opened:
            home.close()
    assert SECRET not in first.output and office.store.scalar("SELECT COUNT(*) FROM contacts WHERE outcome = 'sent'") == 2


def test_get_and_form_requests_are_built_from_the_settings() -> None:
    get = _config("https://sms.example.cn/send", method="GET", query={"u": "{key_id}", "p": "{secret}", "m": "{phone}", "c": "{content}"}, headers={})
    with HttpGateway(get) as gateway:
        request = gateway.request("13800001111", "您好 & 再见", "m1")
    assert request.method == "GET" and request.content == b""
    assert request.url.params["c"] == "您好 & 再见" and request.url.params["m"] == "13800001111" and request.url.params["p"] == SECRET
    form = _config("https://sms.example.cn/send", body_format="form", body={"to": "{phone}", "msg": "{content}"}, headers={"X-Id": "{message_id}"})
    with HttpGateway(form) as gateway:
        request = gateway.request("13800001111", "a=b&c", "m2")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded" and request.headers["x-id"] == "m2"
    assert request.content == b"to=13800001111&msg=a%3Db%26c"
