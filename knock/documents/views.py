"""What each printed document shows, as frozen values the ledger fills in.

Views hold facts only (money as int fen, dates as dates); wording, layout and
language live in the templates under ``knock/templates/documents/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, NamedTuple


class PeriodAmount(NamedTuple):
    """One charge for one billing period: ``("物业服务费", 2025-01-01, 2025-03-31, 60000)``."""

    label: str
    period_start: date
    period_end: date
    amount_fen: int


@dataclass(frozen=True)
class ReceiptView:
    """One receipt, as the ledger recorded it."""

    company: str
    receipt_no: str
    issued_at: datetime
    room: str
    owner_name: str
    items: tuple[PeriodAmount, ...]
    total_fen: int
    method: str
    """The ledger's payment-method key; its words come from ``knock/templates/vocabulary.yaml`` (an unknown key shows as given)."""
    collector: str
    device_id: str
    remaining_owed_fen: int
    """What the household still owes after this payment."""
    qr_text: str
    """The signed verification text (:func:`knock.core.signing.receipt_qr_text`)."""
    credit_fen: int = 0
    """Money held on account after this payment (an overpayment), if any."""
    is_reprint: bool = False
    reprinted_at: datetime | None = None
    voided_reason: str | None = None
    """Set when a reversing void event exists: the receipt prints marked VOID with this reason."""
    company_phone: str = ""
    company_address: str = ""
    company_credit_code: str = ""
    """统一社会信用代码; empty leaves the line out."""
    payer: str = ""
    """交款人: who handed over the money; the owner when nobody else was recorded."""
    invoice_place: str = ""
    """Where an invoice (发票) can be asked for."""

    def __post_init__(self) -> None:
        if sum(item.amount_fen for item in self.items) != self.total_fen:
            raise ValueError(f"receipt {self.receipt_no}: items add up to {sum(i.amount_fen for i in self.items)} fen, total says {self.total_fen}")


@dataclass(frozen=True)
class NoticeView:
    """A door notice left when nobody is home."""

    company: str
    room: str
    owner_salutation: str
    """How the owner is greeted, e.g. ``王先生/女士`` or ``业主``."""
    lines: tuple[PeriodAmount, ...]
    total_fen: int
    payment_qr: str
    """The payment QR payload (:func:`knock.core.payqr.payment_payload`)."""
    collector_name: str
    collector_phone: str
    service_phone: str
    date: date


LetterKind = Literal["dunning", "lawyer"]


@dataclass(frozen=True)
class LetterView:
    """A dunning letter (催费函) or lawyer's letter (律师函) draft for one household."""

    kind: LetterKind
    company: str
    letter_no: str
    """The letter's sequence number as printed, e.g. ``催字〔2025〕第 012 号``."""
    room: str
    owner: str
    lines: tuple[PeriodAmount, ...]
    penalty_fen: int
    """Late-payment penalty included in the total (0 when penalties are off)."""
    total_fen: int
    deadline: date
    date: date
    payment_qr: str
    how_to_pay: tuple[str, ...] = ()
    """Ways to pay, one per line (service centre hours, transfer details…)."""
    basis: tuple[str, ...] = ()
    """Extra basis lines (e.g. the service contract's clause); the template always cites the law."""
    penalty_note: str = ""
    """How the penalty was computed, e.g. ``按日 0.5‰ 计，上限为欠费的 30%``."""
    signatory: str = ""
    """Who signs: for a lawyer's letter, the law firm acting for the company."""
    company_phone: str = ""
    company_address: str = ""
