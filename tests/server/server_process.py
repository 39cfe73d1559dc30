"""Real ``knock serve`` processes on 127.0.0.1 and a free port, bounded in time and always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
_SERVE = "import sys; from knock.cli.main import cli; sys.argv[0] = 'knock'; cli()"


def free_port() -> int:
    """A port nobody listens on right now (loopback only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """One ``knock serve`` child process."""

    def __init__(self, home: Path, port: int | None = None) -> None:
        self.home = home
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, wait_seconds: float = 30.0) -> None:
        """Start it and wait (bounded) until its health check answers."""
        env = {k: v for k, v in os.environ.items() if k != "KNOCK_HOME"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE, "serve", "--home", str(self.home), "--port", str(self.port), "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server on {self.url} did not answer within {wait_seconds} s")

    def kill9(self) -> None:
        """SIGKILL, as a power cut would."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Stop it gracefully (SIGTERM), then for sure."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)


@contextmanager
def running_server(home: Path) -> Iterator[ServerProcess]:
    """A started server for the office home, stopped afterwards whatever happens."""
    server = ServerProcess(home)
    try:
        server.start()
        yield server
    finally:
        server.stop()
