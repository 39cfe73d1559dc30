"""The SMS templates of ``knock/templates/reminders/sms.yaml``, loaded and checked.

A template file that breaks a rule (a kind without an amount naming one, zh
and en with different placeholders, an unknown placeholder) is refused on
load with a message naming the file and the template, never sent half-made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from knock.core.errors import LedgerError

from knock.paths import templates_dir
from knock.playbook.content import placeholders_in
from knock.playbook.messages import fill

Kind = Literal["before_due", "overdue", "contract_end", "holiday", "appointment"]
KINDS: tuple[Kind, ...] = ("before_due", "overdue", "contract_end", "holiday", "appointment")
"""What a text is about; ``appointment`` (the eve of a promised day) only comes from the playbook."""
Payer = Literal["monthly", "prepaid", "any"]
Locale = Literal["zh", "en"]

AMOUNT_KINDS: frozenset[str] = frozenset({"before_due", "overdue", "contract_end"})
"""Kinds whose texts may state the amount; a greeting or an appointment reminder never does."""
SMS_PLACEHOLDERS: frozenset[str] = frozenset(
    {"company", "surname", "title", "room", "amount", "period", "date", "paid_until", "holiday", "window", "pay", "service_phone"}
)
"""Everything a reminder text may use (see the file's header)."""


class TemplateError(LedgerError):
    """A reminder template file that cannot be used; the message names file and template."""


@dataclass(frozen=True)
class SmsTemplate:
    """One text, in both languages."""

    template_id: str
    kind: Kind
    payer: Payer
    zh: str
    en: str

    def text(self, locale: Locale) -> str:
        """The raw template in ``locale``."""
        return self.en if locale == "en" else self.zh


@dataclass(frozen=True)
class SmsTemplates:
    """Every reminder template and the two ways of saying how to pay."""

    templates: dict[str, SmsTemplate]
    pay_with_link: dict[str, str]
    pay_without_link: dict[str, str]

    def choose(self, kind: str, payer: Literal["monthly", "prepaid"]) -> SmsTemplate:
        """The template for ``kind`` worded for ``payer`` (or the one for any payer)."""
        for wanted in (payer, "any"):
            for t in self.templates.values():
                if t.kind == kind and t.payer == wanted:
                    return t
        raise TemplateError(f"no reminder template of kind {kind!r} for {payer} payers")

    def render(self, template: SmsTemplate, locale: Locale, values: Mapping[str, object], pay_link: str) -> str:
        """The finished text: the pay sentence first, then the template."""
        pay = fill(self.pay_with_link[locale], {"pay_link": pay_link}, name="pay.with_link") if pay_link else self.pay_without_link[locale]
        return fill(template.text(locale), {**values, "pay": pay}, name=f"{template.template_id}.{locale}")


def _text_pair(raw: object, where: str, path: Path) -> dict[str, str]:
    if not isinstance(raw, dict) or not isinstance(raw.get("zh"), str) or not isinstance(raw.get("en"), str):
        raise TemplateError(f"{path}: {where}: needs a zh and an en text")
    return {"zh": raw["zh"], "en": raw["en"]}


def parse_templates(text: str, path: Path) -> SmsTemplates:
    """Check and load the YAML ``text`` read from ``path``."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("templates"), dict) or not isinstance(raw.get("pay"), dict):
        raise TemplateError(f"{path}: needs a 'pay' and a 'templates' section")
    pay_with = _text_pair(raw["pay"].get("with_link"), "pay.with_link", path)
    pay_without = _text_pair(raw["pay"].get("without_link"), "pay.without_link", path)
    for loc in ("zh", "en"):
        if placeholders_in(pay_with[loc]) != {"pay_link"}:
            raise TemplateError(f"{path}: pay.with_link.{loc} must use {{pay_link}} and nothing else")
        if placeholders_in(pay_without[loc]):
            raise TemplateError(f"{path}: pay.without_link.{loc} takes no placeholder")
    templates: dict[str, SmsTemplate] = {}
    for tid, body in raw["templates"].items():
        where = f"templates.{tid}"
        if not isinstance(body, dict):
            raise TemplateError(f"{path}: {where}: not a mapping")
        kind, payer = body.get("kind"), body.get("payer", "any")
        if kind not in KINDS:
            raise TemplateError(f"{path}: {where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
        if payer not in ("monthly", "prepaid", "any"):
            raise TemplateError(f"{path}: {where}.payer: {payer!r} is not monthly, prepaid or any")
        texts = _text_pair(body, where, path)
        found = {loc: placeholders_in(texts[loc]) for loc in ("zh", "en")}
        for loc, names in found.items():
            unknown = sorted(names - SMS_PLACEHOLDERS)
            if unknown:
                raise TemplateError(f"{path}: {where}.{loc}: unknown placeholder {', '.join('{' + u + '}' for u in unknown)}")
            if "amount" in names and kind not in AMOUNT_KINDS:
                raise TemplateError(f"{path}: {where}.{loc}: a {kind} text may not state the amount")
            if "company" not in names or "service_phone" not in names:
                raise TemplateError(f"{path}: {where}.{loc}: every text is signed {{company}} and gives {{service_phone}}")
        if found["zh"] != found["en"]:
            raise TemplateError(f"{path}: {where}: zh and en use different placeholders")
        templates[str(tid)] = SmsTemplate(str(tid), kind, payer, texts["zh"], texts["en"])  # type: ignore[arg-type]
    return SmsTemplates(templates, pay_with, pay_without)


def templates_path() -> Path:
    """Where the reviewed reminder texts live."""
    return templates_dir() / "reminders" / "sms.yaml"


@lru_cache(maxsize=1)
def load_templates() -> SmsTemplates:
    """The reminder templates shipped with Knock (read once)."""
    path = templates_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read: {exc}") from None
    return parse_templates(text, path)
