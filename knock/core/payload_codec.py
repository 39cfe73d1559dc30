"""Payloads as the ledger stores them: canonical JSON deflated against a preset dictionary per kind.

Why: the JSON payloads were a third of a ledger file (55.7 of 172 MB for 20,000 households), and
most of each payload is the same keys and values every event of its kind repeats. Deflating each
payload alone (so any one event reads back by itself) against a dictionary of typical payloads of
its kind keeps about a quarter of the bytes.

What does not change: the hash chain covers the canonical JSON text, sync files carry that text,
and the ``events`` view shows it (``knock_payload(payload)``, a function every connection Knock
opens registers), so ``json_extract(payload, ...)`` through the view works as before.

Stored form: a BLOB whose first byte names the dictionary and whose rest is a raw deflate stream
(16 KiB window), or TEXT (a row written before compression, or through the view's UPDATE
trigger), which is the JSON itself. The dictionaries are data files in ``payload_dicts/``; a
shipped file never changes (its SHA-256 is pinned below and tested): a better dictionary is a new
file under a new id byte, and old rows keep decoding with the old one.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from knock.core.events import canonical_json

if TYPE_CHECKING:
    from zlib_ng import zlib_ng

DICTIONARY_DIR = Path(__file__).with_name("payload_dicts")
"""Where the dictionaries are (package data beside this module; a path, not ``importlib.resources``,
whose zip support costs every start a few milliseconds of imports for an install that is never zipped)."""

_WBITS = -14
"""Raw deflate with a 16 KiB window: a dictionary up to 16 KiB is seen whole."""
_LEVEL = 1
_MEM_LEVEL = 2
"""Deflated by zlib-ng at level 1 (its quick mode): 3.5 µs per payload against 8.8 µs for zlib at
level 6, for 87 bytes instead of 78 on average (bench/bench_ledger.py stays under 6 KB per
household). Any deflate reader reads the stream; the standard library's zlib reads it back below.
The memory level does not change zlib-ng's output here, only how much state each copy drags along."""

NO_DICTIONARY = 0
"""Id byte of a payload deflated without a dictionary."""

DICTIONARIES: dict[int, tuple[str, str, str]] = {
    1: ("*", "01-any.jsonl", "9d57cfac98b93c63c1de658d0b9bbb9dbf3ca2b2fd07ad2657eafa08d348493b"),
    2: ("charge.added", "02-charge.added.jsonl", "c9750e8be1c8c3a8fc0b1b15849901ddc875fd63a3a17940d00f4d6d7e0aa3f6"),
    3: ("complaint.closed", "03-complaint.closed.jsonl", "4bf302e932b6dc6895c299b230de4e3b44e7271747403616739387ab20aca7c9"),
    4: ("complaint.opened", "04-complaint.opened.jsonl", "dfa8bf1b5fed9e8adc2f32ac0ada4b1882a813004d11ca81a48ecc96369f37c8"),
    5: ("contact.logged", "05-contact.logged.jsonl", "e1adcda37216c7357eb5ffb0ce58d5ffd89f93989224519419168949174b4b1c"),
    6: ("escalation.recorded", "06-escalation.recorded.jsonl", "9d30d8db8f23c955d95a00c42dae333afe512ba3880b93d4252b8eeb3d2dd080"),
    7: ("household.registered", "07-household.registered.jsonl", "2ba51150da667f51cc07b74a19bb05be7c0e42dfcaaf93f306ccbf3dfdaac0d7"),
    8: ("payment.recorded", "08-payment.recorded.jsonl", "7c38c2085d903956d3c23e76d07a932295990706f90b5637e2301bd809fe11a4"),
    9: ("promise.made", "09-promise.made.jsonl", "e989ef795a4ea48004e5eb5f1bf03e518d4b977361deb652b407f3e900089d79"),
    10: ("staff.registered", "10-staff.registered.jsonl", "bc2738f7bd5a94010a3f6bc024f3201004bee7d4b0155345bc5813dc02006453"),
}
"""Id byte -> (event kind, or ``*`` for any kind without its own, file name, SHA-256 of the file)."""

FUNCTION_NAME = "knock_payload"
"""The SQL function the ``events`` view reads payloads through."""


def _kind_to_id() -> dict[str, int]:
    """The newest dictionary of each kind (a higher id is newer)."""
    chosen: dict[str, int] = {}
    for number, (kind, _file, _sha) in sorted(DICTIONARIES.items()):
        chosen[kind] = number
    return chosen


_ENCODE_ID = _kind_to_id()


class PayloadDictionaryError(Exception):
    """A payload dictionary of the installation is missing or not the file that shipped: no ledger
    can be read or written without it; the message names the file."""


@cache
def dictionary(number: int) -> bytes:
    """The bytes of dictionary ``number``, checked against its pinned hash (a changed file would
    silently misread every payload deflated with it, so it fails loudly instead)."""
    _kind, name, sha = DICTIONARIES[number]
    where = DICTIONARY_DIR / name
    try:
        data = where.read_bytes()
    except OSError as exc:
        raise PayloadDictionaryError(
            f"{where}: Knock's payload dictionary is missing or unreadable ({exc.strerror}); reinstall Knock"
        ) from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise PayloadDictionaryError(
            f"{where}: Knock's payload dictionary is not the file that shipped (changed or damaged); reinstall Knock"
            " (a developer adds a better dictionary as a new file under a new id instead)"
        )
    return data


@cache
def installed_dictionaries() -> None:
    """Every dictionary read and checked, once per process (~0.5 ms), before any connection uses them:
    a problem found inside the ``events`` view would reach the user only as SQLite's "user-defined
    function raised exception"; found here, it is a :class:`PayloadDictionaryError` naming the file."""
    for number in DICTIONARIES:
        dictionary(number)


@cache
def _compressor(number: int) -> zlib_ng._Compress:
    """A compressor primed with dictionary ``number``; copied for each payload (priming costs
    more than compressing a payload). zlib-ng is imported here, by the first write: reading needs
    only the standard library's zlib."""
    from zlib_ng import zlib_ng

    if number == NO_DICTIONARY:
        return zlib_ng.compressobj(_LEVEL, zlib_ng.DEFLATED, _WBITS, _MEM_LEVEL)
    return zlib_ng.compressobj(_LEVEL, zlib_ng.DEFLATED, _WBITS, _MEM_LEVEL, zlib_ng.Z_DEFAULT_STRATEGY, dictionary(number))


def stored_payload(kind: str, payload_json: str) -> bytes:
    """What the ledger stores for an event of ``kind`` whose canonical JSON is ``payload_json``."""
    number = _ENCODE_ID.get(kind) or _ENCODE_ID.get("*", NO_DICTIONARY)
    compressor = _compressor(number).copy()
    return bytes((number,)) + compressor.compress(payload_json.encode("utf-8")) + compressor.flush()


def payload_text(stored: str | bytes | None) -> str | None:
    """The canonical JSON of a stored payload (TEXT is already JSON).

    A blob that cannot be read (an unknown dictionary id, damaged bytes) comes back as a JSON
    object naming it, not as an error: the event then fails its hash check and ``knock check``
    reports it, as it reports any edited event, instead of stopping on it.
    """
    if stored is None or isinstance(stored, str):
        return stored
    try:
        number = stored[0]
        if number == NO_DICTIONARY:
            inflater = zlib.decompressobj(_WBITS)
        else:
            inflater = zlib.decompressobj(_WBITS, zdict=dictionary(number))
        text = inflater.decompress(stored[1:])
        if not inflater.eof:
            raise zlib.error("truncated")
        return text.decode("utf-8")
    except (IndexError, KeyError, zlib.error, UnicodeDecodeError):
        return canonical_json({"unreadable_stored_payload": bytes(stored).hex()})


def register(conn: sqlite3.Connection) -> None:
    """Let ``conn`` read the ``events`` view: registers ``knock_payload`` (after checking the dictionaries it needs)."""
    installed_dictionaries()
    conn.create_function(FUNCTION_NAME, 1, payload_text, deterministic=True)
