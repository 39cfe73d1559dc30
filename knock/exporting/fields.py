"""What a line of the payments export can carry, and the default column template.

Kept apart from the exporter (no ledger import) so the settings model can check a
template against this list without importing the whole domain.
"""

from __future__ import annotations

EXPORT_FIELDS: dict[str, str] = {
    "billing_code": "the room as the billing system wrote it in its arrears export (Knock's code when it never did)",
    "room": "Knock's room code, building-unit-room",
    "payer": "who handed over the money (交款人): the payer recorded with the payment, else the owner",
    "fee_item": "the fee item as the billing system named it (Knock's label when it never did)",
    "fee_item_code": "Knock's fee item key (property_fee, parking, penalty, credit ...)",
    "period": "the period the line pays: 2026-03, 2026-01至2026-06, or dates when not whole months",
    "period_start": "first day of that period (YYYY-MM-DD)",
    "period_end": "last day of that period (YYYY-MM-DD)",
    "amount": "money of the line in yuan (minus on a void line when voids are negative)",
    "reduction": "reduction granted with the payment: always 0.00 (reductions are granted in the billing system)",
    "penalty": "the part of the line that pays a penalty charge (违约金), in yuan",
    "paid_at": "payment time (void time on a void line), YYYY-MM-DD HH:MM:SS",
    "paid_date": "payment date (void date on a void line), YYYY-MM-DD",
    "method": "payment method in Chinese (现金, 微信支付 ...)",
    "receipt_no": "Knock's receipt number (a void line names the receipt it voids)",
    "collector": "who took the money",
    "kind": "收款 for a payment line, 作废 for a void line",
    "note": "why a receipt was voided (empty on payment lines)",
    "line": "line of the receipt (1, 2 ...)",
}
"""Every field an export template may name, with what it holds."""

DEFAULT_TEMPLATE: tuple[tuple[str, str], ...] = (
    ("房号", "billing_code"),
    ("交款人", "payer"),
    ("收费项目", "fee_item"),
    ("所属期间", "period"),
    ("实收金额", "amount"),
    ("减免金额", "reduction"),
    ("滞纳金", "penalty"),
    ("收款时间", "paid_at"),
    ("支付方式", "method"),
    ("收据号", "receipt_no"),
    ("收款人", "collector"),
    ("类型", "kind"),
    ("备注", "note"),
)
"""(header, field) in file order: the shape most Chinese property billing systems import."""

KIND_PAYMENT = "收款"
KIND_VOID = "作废"
