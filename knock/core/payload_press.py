"""Payloads deflated (and, for the sample, receipts signed) by a second process while a bulk load goes on.

Why: on the bulk path an event costs about 65 µs of this process's time, and 8 µs of it is deflating
its payload (:func:`~knock.core.payload_codec.stored_payload`), which needs nothing but the kind and
the canonical JSON. Laptops have two cores or more, and a bulk load keeps only one busy, so the
journal hands each few hundred payloads to a helper process and goes on with the next events; it
picks the bytes up before it writes the rows. The bytes are the same as if they were deflated here
(the same function, the same dictionaries, a deterministic deflate): tests compare them.

The helper is ``python -m knock.core.payload_press`` on a pair of pipes, each message a length and
a ``marshal`` dump (lists of strings and bytes, nothing to unpickle). Not ``multiprocessing``: its
spawned children import the parent's main script again, and a script that builds a sample
without an ``if __name__ == "__main__"`` guard would build it twice.

A press never makes a bulk load fail: if its process cannot start or dies, the payloads it held
are deflated here, and the load goes on at the old speed. On a machine with one core no press is
started at all (two processes on one core would only add the copying between them).

The press also signs receipts ahead for the sample build (:meth:`PayloadPress.sign`): an Ed25519
signature costs this process ~31 µs, and a sample's receipts take about a tenth of its time. The
key's 32 private bytes go down the pipe to the helper, a child of this process under the same user,
which holds them only in memory (never on disk) and forgets them when it ends. Ed25519 signatures
are deterministic, so the helper's signature of some bytes is the one this process would have made;
a signature is only ever used for exactly the bytes it was made for
(:attr:`knock.core.signing.DeviceKey.presigned`).
"""

from __future__ import annotations

import marshal
import os
import struct
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import BinaryIO, Callable

from knock.core.payload_codec import stored_payload

PRESS_ROWS = 500
"""Payloads per hand-over: small enough that the journal seldom waits for the last one."""

Texts = list[tuple[str, str]]
"""(kind, canonical JSON) of each payload, in the order of the rows."""

_DEFLATE, _SIGN = "deflate", "sign"
"""What a message asks of the helper: ``(_DEFLATE, texts)`` or ``(_SIGN, private key bytes, [data, ...])``."""

_LENGTH = struct.Struct("<I")


def deflate_all(texts: Texts) -> list[bytes]:
    """The stored form of each payload."""
    return [stored_payload(kind, text) for kind, text in texts]


def sign_all(private_raw: bytes, datas: list[bytes]) -> list[bytes]:
    """The Ed25519 signature of each of ``datas`` (in the helper)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    sign = Ed25519PrivateKey.from_private_bytes(private_raw).sign
    return [sign(data) for data in datas]


def answer(message: object) -> list[bytes] | None:
    """The helper's answer to one message, or None for a message it does not know (which ends it)."""
    if isinstance(message, tuple) and len(message) == 2 and message[0] == _DEFLATE:
        return deflate_all(message[1])
    if isinstance(message, tuple) and len(message) == 3 and message[0] == _SIGN:
        return sign_all(message[1], message[2])
    return None


def usable_cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _send(stream: BinaryIO, value: object) -> None:
    data = marshal.dumps(value)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> object | None:
    """The next message, or None at the end of the stream (or a cut one)."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    return marshal.loads(data) if len(data) == size else None


class Pressing:
    """One hand-over: its bytes arrive later (or never, when the helper failed: then ``here`` makes them)."""

    def __init__(self, count: int, here: Callable[[], list[bytes]], *, signing: bool = False) -> None:
        self.count = count
        self.here = here
        self.signing = signing
        self.done = threading.Event()
        self.blobs: list[bytes] | None = None


class PayloadPress:
    """A helper process deflating payloads; :meth:`submit` a chunk, :meth:`collect` its bytes."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._waiting: deque[Pressing] = deque()
        self._reader: threading.Thread | None = None
        self._broken = False
        self.pressed = 0
        """Payloads the helper deflated (the rest, if any, were deflated here)."""
        self.signed = 0
        """Signatures the helper made (the rest, if any, were made here)."""

    @classmethod
    def for_bulk_load(cls) -> PayloadPress | None:
        """A press when a second core can run it, else None (deflate here)."""
        return cls() if usable_cpus() >= 2 else None

    def submit(self, texts: Texts) -> Pressing:
        """Start deflating ``texts`` in the helper; :meth:`collect` gives the bytes."""
        return self._hand_over((_DEFLATE, texts), Pressing(len(texts), lambda: deflate_all(texts)))

    def sign(self, private_raw: bytes, datas: list[bytes]) -> Pressing:
        """Start signing each of ``datas`` with the Ed25519 key ``private_raw`` in the helper; :meth:`collect` gives the signatures."""
        return self._hand_over((_SIGN, private_raw, datas), Pressing(len(datas), lambda: sign_all(private_raw, datas), signing=True))

    def _hand_over(self, message: tuple[object, ...], pressing: Pressing) -> Pressing:
        if self._broken:
            return pressing
        try:
            process = self._process or self._start()
            assert process.stdin is not None
            self._waiting.append(pressing)
            _send(process.stdin, message)
        except (OSError, ValueError):  # no helper, or it died: this work is done here instead
            self._give_up()
        return pressing

    def collect(self, pressing: Pressing) -> list[bytes]:
        """The hand-over's answer: the helper's, or made here if the helper failed."""
        if not self._broken:
            pressing.done.wait()
        blobs = pressing.blobs
        if blobs is not None and len(blobs) == pressing.count:
            if pressing.signing:
                self.signed += len(blobs)
            else:
                self.pressed += len(blobs)
            return blobs
        return pressing.here()

    def _start(self) -> subprocess.Popen[bytes]:
        source = str(Path(__file__).resolve().parents[2])  # this knock, even when it is not the installed one
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (source, os.environ.get("PYTHONPATH")))))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "knock.core.payload_press"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        self._reader = threading.Thread(target=self._read, args=(self._process.stdout,), name="knock-press", daemon=True)
        self._reader.start()
        return self._process

    def _read(self, stream: BinaryIO) -> None:
        """The helper's answers, in the order of the hand-overs (its own thread: the pipes never fill)."""
        try:
            while True:
                blobs = _receive(stream)
                if not isinstance(blobs, list) or not self._waiting:
                    break
                pressing = self._waiting.popleft()
                pressing.blobs = blobs
                pressing.done.set()
        except (OSError, ValueError, EOFError, TypeError):
            pass
        self._broken = True  # every hand-over still waiting is deflated by collect itself
        while self._waiting:
            self._waiting.popleft().done.set()

    def _give_up(self) -> None:
        self._broken = True
        self.close()

    def close(self) -> None:
        """Stop the helper process (idempotent); hand-overs still waiting are deflated by :meth:`collect`."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """The helper's loop: each message in, its answer out, until the input ends."""
    while (message := _receive(source)) is not None and (reply := answer(message)) is not None:
        _send(sink, reply)


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
