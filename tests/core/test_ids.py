"""Event ids: the monotonic ULID of the spec, made with a shortcut inside one millisecond.

The shortcut (only the last two characters change until the low 10 bits carry) must give exactly
the id the plain rule gives: 48 bits of milliseconds and 80 bits of randomness as one 128-bit
number in Crockford base 32, the random part incremented within a millisecond.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from knock.core import ids

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _plain(ms: int, random: int) -> str:
    value = ms << 80 | random
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


@settings(max_examples=200, deadline=None)
@given(
    first_random=st.one_of(st.integers(0, 2**80 - 1), st.integers(0, 60).map(lambda k: 1024 * 7 - 30 + k), st.just(2**80 - 3)),
    steps=st.lists(st.integers(-2, 2), min_size=1, max_size=80),
    draws=st.lists(st.integers(0, 2**80 - 1), min_size=80, max_size=80),
)
def test_each_id_is_the_plain_ulid_of_its_millisecond_and_counter(first_random: int, steps: list[int], draws: list[int]) -> None:
    """Same millisecond (the counter goes up, across 10-bit carries), the clock stepping back
    (treated as the same millisecond), a new millisecond (a new draw), and the 2**80 overflow."""
    pool = [first_random, *draws]
    clock = [1_700_000_000_000]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ids.os, "urandom", lambda n: pool.pop(0).to_bytes(n, "big"))
        patch.setattr(ids.time, "time_ns", lambda: clock[0] * 1_000_000)
        _check(ids._IdMaker(), clock, [first_random, *draws], steps)


def _check(maker: ids._IdMaker, clock: list[int], draws_left: list[int], steps: list[int]) -> None:
    expected_ms, expected_random = -1, 0
    made: list[str] = []
    for step in [0, *steps]:
        clock[0] += step  # forward, the same millisecond, or back
        now = clock[0]
        if now > expected_ms:
            expected_ms, expected_random = now, draws_left.pop(0)
        elif expected_random < 2**80 - 1:
            expected_random += 1
        else:
            expected_ms, expected_random = expected_ms + 1, draws_left.pop(0) >> 1
        made.append(maker.next())
        assert made[-1] == _plain(expected_ms, expected_random)
    assert made == sorted(made) and len(set(made)) == len(made)


def test_a_bulk_run_of_ids_is_strictly_increasing() -> None:
    made = [ids.new_id() for _ in range(20_000)]
    assert made == sorted(made) and len(set(made)) == len(made) and {len(x) for x in made} == {26}
