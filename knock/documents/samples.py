"""Example views for tests, the benchmark and previewing templates.

Invented households and amounts; nothing here reaches a ledger.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from knock.core.payqr import emvco_payload
from knock.core.signing import DeviceKey, ReceiptFields, receipt_qr_text
from knock.documents.views import LetterView, NoticeView, PeriodAmount, ReceiptView

COMPANY = "安居物业服务有限公司"

ITEMS = (
    PeriodAmount("物业服务费", date(2025, 1, 1), date(2025, 3, 31), 75000),
    PeriodAmount("车位管理费", date(2025, 1, 1), date(2025, 3, 31), 24000),
    PeriodAmount("公共能耗分摊", date(2025, 1, 1), date(2025, 1, 31), 1560),
)
"""Three items adding up to 1005.60 yuan (壹仟零伍元陆角整)."""


def sample_receipt(key: DeviceKey, **changes: object) -> ReceiptView:
    """A receipt for 3-2-501 signed with ``key``; ``changes`` override fields (qr_text is re-signed)."""
    base = ReceiptView(
        company=COMPANY,
        receipt_no=f"{key.device_id}-000042",
        issued_at=datetime(2025, 3, 8, 19, 42),
        room="3-2-501",
        owner_name="王建国",
        items=ITEMS,
        total_fen=sum(item.amount_fen for item in ITEMS),
        method="wechat",
        collector="李保安",
        device_id=key.device_id,
        remaining_owed_fen=150000,
        qr_text="",
        company_phone="0571-8888 6666",
    )
    view = replace(base, **changes)  # type: ignore[arg-type]
    fields = ReceiptFields(view.receipt_no, view.total_fen, view.room, view.issued_at, view.device_id)
    return replace(view, qr_text=receipt_qr_text(fields, key))


def sample_payment_qr(amount_fen: int, room: str = "3-2-501") -> str:
    """An EMVCo payment payload like the one a UnionPay-style setting would give."""
    return emvco_payload(
        merchant_account_gui="A000000333010101",
        merchant_id="102330000000001",
        merchant_name="ANJU PROPERTY",
        merchant_city="HANGZHOU",
        merchant_category_code="6513",
        amount_fen=amount_fen,
        reference=room,
    )


ARREARS = (
    PeriodAmount("物业服务费", date(2024, 10, 1), date(2024, 12, 31), 75000),
    PeriodAmount("物业服务费", date(2025, 1, 1), date(2025, 3, 31), 75000),
    PeriodAmount("车位管理费", date(2025, 1, 1), date(2025, 3, 31), 45000),
)


def sample_notice(**changes: object) -> NoticeView:
    """A door notice for 3-2-501."""
    total = sum(line.amount_fen for line in ARREARS)
    base = NoticeView(
        company=COMPANY,
        room="3-2-501",
        owner_salutation="王先生/女士",
        lines=ARREARS,
        total_fen=total,
        payment_qr=sample_payment_qr(total),
        collector_name="李保安",
        collector_phone="138 0000 1234",
        service_phone="0571-8888 6666",
        date=date(2025, 4, 12),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def sample_letter(kind: str = "dunning", **changes: object) -> LetterView:
    """A dunning or lawyer's letter for 3-2-501, with a penalty."""
    principal = sum(line.amount_fen for line in ARREARS)
    penalty = 8760
    base = LetterView(
        kind=kind,  # type: ignore[arg-type]
        company=COMPANY,
        letter_no="催字〔2025〕第 012 号" if kind == "dunning" else "律函〔2025〕第 003 号",
        room="3-2-501",
        owner="王建国",
        lines=ARREARS,
        penalty_fen=penalty,
        total_fen=principal + penalty,
        deadline=date(2025, 4, 19) if kind == "dunning" else date(2025, 4, 26),
        date=date(2025, 4, 12),
        payment_qr=sample_payment_qr(principal + penalty),
        how_to_pay=("物业服务中心（3 号楼一层），每日 8:30–20:00", "对公账户：安居物业服务有限公司 工商银行文三路支行 1202 0000 0000 0000 000"),
        basis=("《物业服务合同》第六条：物业服务费按季度预交，每季度首月 15 日前交纳。",),
        penalty_note="按《物业服务合同》约定，每日按欠费的 0.5‰ 计，累计不超过欠费的 30%",
        signatory="浙江某某律师事务所" if kind == "lawyer" else "",
        company_phone="0571-8888 6666",
        company_address="杭州市西湖区文三路 100 号",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
