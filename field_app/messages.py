"""Messages that workers post back to the screens (the only way a thread talks to the UI)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Loaded(Message):
    """A worker finished reading; ``what`` names the load, ``value`` is the result."""

    def __init__(self, what: str, value: Any) -> None:
        super().__init__()
        self.what = what
        self.value = value


class LoadProgress(Message):
    """A long load made progress (``done`` of ``total``)."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class Failed(Message):
    """A worker could not finish; ``text`` is what to tell the collector."""

    def __init__(self, what: str, text: str) -> None:
        super().__init__()
        self.what = what
        self.text = text


class OutcomeSaved(Message):
    """An outcome is committed to disk."""

    def __init__(self, intent: Any, saved: Any) -> None:
        super().__init__()
        self.intent = intent
        self.saved = saved


class PinChecked(Message):
    """A PIN check finished (``attempt`` is an :class:`knock.core.pins.Attempt`)."""

    def __init__(self, staff_id: str, attempt: Any) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.attempt = attempt


class Printed(Message):
    """A document was printed or saved; ``text`` says where it went."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class PaymentReviewed(Message):
    """The payment rules' verdict on a payment about to be confirmed (``review`` is a :class:`knock.core.payment_rules.PaymentReview`)."""

    def __init__(self, intent: Any, review: Any) -> None:
        super().__init__()
        self.intent = intent
        self.review = review
