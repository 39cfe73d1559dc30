"""The merge checks each event's canonical JSON in C (orjson) instead of re-encoding it in Python.

That is only allowed where orjson's sorted, compact output is byte-identical to ``canonical_json``
(the standard library's form, which every hash in every ledger was computed over). These
properties prove it on everything Knock writes, and that everything else falls back to the
standard library's answer.
"""

from __future__ import annotations

import collections
import enum
import json
import math
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from knock.core.events import canonical_json, is_canonical_json, stdlib_canonical_json

INT64 = st.integers(min_value=-(2**63), max_value=2**64 - 1)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
"""Every code point: CJK, U+2028/U+2029, NEL, control characters, DEL, astral planes, lone surrogates."""
NASTY = st.sampled_from(["\u2028", "\u2029", "\x85", "\x00", "\x1f", "\x7f", "\b\f\n\r\t", '"\\/', "\ud800", "\udfff", "😀", "\uffff", "收费员"])
TEXT = st.one_of(ANY_TEXT, st.lists(st.one_of(NASTY, ANY_TEXT), max_size=4).map("".join))

PLAIN = st.recursive(
    st.one_of(st.none(), st.booleans(), INT64, TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=25,
)
"""JSON values without floats, with 64-bit integers: the shape of every Knock payload."""

ANY = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80), TEXT,
        st.floats(allow_nan=True, allow_infinity=True),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)
"""Anything JSON (and the stdlib's NaN/Infinity) can hold, including what orjson writes differently."""


def _stdlib_bytes(value: object) -> bytes | None:
    try:
        return stdlib_canonical_json(value).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form: no hash can cover it
        return None


@settings(max_examples=600, deadline=None)
@given(PLAIN)
def test_orjson_writes_every_float_free_value_exactly_as_the_stdlib(value: object) -> None:
    expected = _stdlib_bytes(value)
    try:
        fast = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        assert expected is None  # orjson refuses only what has no UTF-8 form (lone surrogates)
        return
    assert fast == expected


@settings(max_examples=600, deadline=None)
@given(ANY)
def test_the_check_agrees_with_the_stdlib_on_its_own_output(value: object) -> None:
    """The stdlib's canonical bytes are always accepted, whatever the value holds."""
    text = _stdlib_bytes(value)
    if text is None:
        return
    parsed = json.loads(text)
    assert is_canonical_json(text, parsed) is (stdlib_canonical_json(parsed).encode("utf-8") == text)
    if not _has_nan(value):
        assert is_canonical_json(text, parsed)


@settings(max_examples=600, deadline=None)
@given(ANY)
def test_orjson_output_is_accepted_only_when_it_is_the_stdlib_form(value: object) -> None:
    """Where orjson writes a value differently (floats, NaN), its form is refused as not canonical."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return
    parsed = json.loads(text)
    assert is_canonical_json(text, parsed) is (_stdlib_bytes(parsed) == text)


@settings(max_examples=500, deadline=None)
@given(PLAIN, st.sampled_from(["space", "reorder", "escape", "duplicate"]))
def test_a_non_canonical_spelling_of_the_same_value_is_refused(value: object, how: str) -> None:
    text = _stdlib_bytes({"k": value, "a": 1})
    if text is None:
        return
    if how == "space":
        other = text.replace(b":", b": ", 1)
    elif how == "reorder":
        other = b'{"k":' + text[len(b'{"a":1,"k":') : -1] + b',"a":1}'
    elif how == "escape":
        other = text.replace(b'"a"', b'"\\u0061"', 1)
    else:
        other = text[:-1] + b',"a":1}'
    parsed = json.loads(other)
    assert not is_canonical_json(other, parsed)


def test_the_known_differences_fall_back_to_the_stdlib() -> None:
    assert orjson.dumps(1e-05) != stdlib_canonical_json(1e-05).encode()  # why floats are not trusted to orjson
    assert is_canonical_json(b"1e-05", 1e-05) and not is_canonical_json(b"0.00001", 1e-05)
    big = 2**64
    assert is_canonical_json(str(big).encode(), big)
    assert is_canonical_json(b"NaN", json.loads("NaN"))  # (null never parses to NaN: the precondition)
    assert is_canonical_json('{"a":"\u2028x"}'.encode(), {"a": "\u2028x"})
    assert not is_canonical_json(b'{"a":"\\u2028x"}', {"a": "\u2028x"})


def test_every_float_orjson_writes_carries_a_dot_or_a_signed_exponent() -> None:
    """What ``is_canonical_json`` relies on to send floats to the standard library."""
    import random
    import struct

    from knock.core.events import _may_hold_a_float

    rng = random.Random(2028)
    values = [float(f"1e{k}") for k in range(-330, 310)] + [5e-324, 1.7976931348623157e308, 0.0, -0.0, 1.0, 100.0]
    values += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(20000)]
    for value in values:
        if math.isfinite(value):
            assert _may_hold_a_float(orjson.dumps(value)), value


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return False


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Method(str, enum.Enum):
    CASH = "cash"


class Name(str):
    pass


class Count(int):
    def __repr__(self) -> str:
        return "Count!"


ODD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([Colour.RED, Level.HIGH, Method.CASH, Name("名"), Count(7), uuid.UUID(int=5), datetime(2026, 11, 23, 19, 30),
                     date(2026, 11, 23), b"bytes", {1, 2}, Decimal("1.5")]),
)
"""What a payload built in Python could hold that JSON's own types do not: floats, NaN, big
integers, enums, subclasses of str and int, UUIDs, dates, bytes, sets, decimals."""

KEYS = st.one_of(TEXT, st.sampled_from([1, 2.5, True, None, Method.CASH, Name("k")]))

PAYLOADS = st.recursive(
    st.one_of(st.none(), st.booleans(), INT64, TEXT, ODD),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple), st.dictionaries(KEYS, inner, max_size=4),
        st.dictionaries(TEXT, inner, max_size=4).map(lambda d: collections.OrderedDict(sorted(d.items()))),
    ),
    max_leaves=20,
)


def _outcome(encode: Callable[[object], str], value: object) -> tuple[str, object]:
    try:
        return "text", encode(value)
    except (TypeError, ValueError) as exc:
        return "refused", type(exc)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(PAYLOADS, st.dictionaries(TEXT, PAYLOADS, max_size=6)))
def test_canonical_json_is_the_stdlib_form_for_anything_a_payload_can_hold(value: object) -> None:
    """The fast path (orjson) writes exactly the bytes of the standard library's form, and whatever
    the standard library writes differently from orjson (floats, NaN, big integers, enums, str and
    int subclasses) or refuses (datetime, UUID, bytes, sets) it still writes or refuses itself."""
    assert _outcome(canonical_json, value) == _outcome(stdlib_canonical_json, value)


def test_the_fast_path_serves_the_plain_payloads_and_only_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain payloads go through orjson; one odd value anywhere sends the whole payload to the stdlib."""
    from knock.core import events

    calls: list[object] = []
    real = events.orjson.dumps
    monkeypatch.setattr(events.orjson, "dumps", lambda value, option=0: calls.append(value) or real(value, option=option))
    plain = {"payment_id": "P1", "amount_fen": 12000, "items": [{"charge_id": "C1", "amount_fen": 12000}, {"charge_id": None}], "ok": True}
    assert canonical_json(plain) == stdlib_canonical_json(plain) and calls == [plain]
    for odd in (1.5, float("nan"), Colour.RED, Level.HIGH, Name("x"), 2**70):
        calls.clear()
        value = {"items": [{"amount_fen": odd}]}
        assert _outcome(canonical_json, value) == _outcome(stdlib_canonical_json, value)
        assert calls == [] or odd == 2**70  # a big integer is tried, refused by orjson, then written by the stdlib
    assert canonical_json({"a": float("nan")}) == '{"a":NaN}'
    assert canonical_json({"n": Level.HIGH, "m": Method.CASH}) == '{"m":"cash","n":3}'
    with pytest.raises(TypeError):
        canonical_json({"c": Colour.RED})
    with pytest.raises(TypeError):
        canonical_json({"at": datetime(2026, 11, 23)})
