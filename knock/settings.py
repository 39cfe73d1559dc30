"""The one settings object, loaded from one TOML file with sane defaults.

Everything a company may want to change lives here and nowhere in code: the
company's name, fee rates, the penalty rule, contact windows and caps, the
escalation ladder and the payment QR scheme. A bad file stops with a message
that names the field, never with a traceback.
"""

from __future__ import annotations

import tomllib
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Company(_Section):
    """Who issues receipts and letters."""

    name: str = "安居物业服务有限公司"
    name_en: str = "Anju Property Services Co., Ltd."
    address: str = "杭州市西湖区文三路 100 号"
    phone: str = "0571-8888 6666"
    service_centre: str = "小区物业服务中心"
    service_hours: str = "每日 8:30–20:00"
    bank_account: str = Field("", description="account for bank transfers, printed on letters when set")
    legal_department: str = "公司法务部"
    law_firm: str = Field("", description="the firm that signs lawyer's letters; empty leaves a blank to fill in")
    contract_basis: str = Field(
        "《物业服务合同》关于物业服务费标准、交纳时间和方式的约定",
        description="the service-contract clause letters cite",
    )


class Fees(_Section):
    """Standard rates, used by the sample community and by billing imports that omit amounts."""

    property_fee_per_m2_month: Decimal = Field(Decimal("2.50"), description="yuan per m² per month")
    parking_per_month: Decimal = Decimal("150.00")
    shared_utilities_per_month: Decimal = Decimal("12.00")
    due_day_of_month: int = Field(15, ge=1, le=28)


class Penalty(_Section):
    """Late-payment penalty (违约金) per the service contract. Off unless configured."""

    enabled: bool = False
    daily_rate_per_mille: Decimal = Field(Decimal("0.5"), ge=0, description="‰ of the overdue amount per day")
    grace_days: int = Field(0, ge=0)
    cap_percent_of_principal: Decimal = Field(Decimal("30"), ge=0, description="penalty never exceeds this % of the charge")

    def warnings(self) -> list[str]:
        """Why a court might cut this penalty: shown to the office, never hidden."""
        found: list[str] = []
        if self.enabled and self.daily_rate_per_mille > 3:
            found.append(f"penalty.daily_rate_per_mille = {self.daily_rate_per_mille} is above 3‰ a day; courts often reduce such penalties")
        if self.enabled and self.cap_percent_of_principal > 100:
            found.append(f"penalty.cap_percent_of_principal = {self.cap_percent_of_principal} lets the penalty exceed the principal")
        return found


class Window(_Section):
    """A time window on some weekdays (0 = Monday … 6 = Sunday)."""

    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6])
    start: time
    end: time


class Contact(_Section):
    """When collectors may knock or call, and how often."""

    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    daily_cap: int = Field(3, ge=1, description="contacts of one household per day before an override is needed")
    visit_windows: list[Window] = Field(
        default_factory=lambda: [
            Window(weekdays=[0, 1, 2, 3, 4, 5], start=time(19, 0), end=time(21, 30)),
            Window(weekdays=[6], start=time(14, 0), end=time(17, 0)),
        ]
    )
    call_windows: list[Window] = Field(
        default_factory=lambda: [Window(weekdays=[4, 5], start=time(14, 0), end=time(17, 30))]
    )
    no_collection: list[Window] = Field(
        default_factory=lambda: [Window(weekdays=[6], start=time(17, 0), end=time(23, 59))],
        description="never collect in these windows (Sunday evening by default)",
    )
    meal_and_rest: list[Window] = Field(
        default_factory=lambda: [
            Window(start=time(11, 30), end=time(13, 30)),
            Window(start=time(17, 30), end=time(18, 45)),
        ]
    )
    reminder_day_of_month: int = Field(6, ge=1, le=28)
    sms_windows: list[Window] = Field(
        default_factory=lambda: [Window(start=time(9, 0), end=time(20, 0))],
        description="when texts may be suggested (still clipped by quiet hours, no-collection and meal times)",
    )
    unreachable_after_attempts: int = Field(
        3, ge=1, description="failed attempts in a row (no answer, not home, wrong number) before a household counts as unreachable"
    )
    no_show_after_broken_promises: int = Field(
        2, ge=1, description="broken promises before a household counts as 'agrees but never comes'"
    )


class Escalation(_Section):
    """The ladder from reminders to letters to the legal department."""

    dunning_min_months: int = 3
    dunning_min_failed_contacts: int = 3
    lawyer_min_dunning_letters: int = 2
    lawyer_min_months: int = 3
    legal_after_lawyer_days: int = 14
    quiet_days_after_letter: int = 7
    dunning_deadline_days: int = 7
    lawyer_deadline_days: int = 14
    limitation_years: int = 3
    limitation_warn_days: int = Field(
        90, ge=0, description="warn this many days before the oldest charge reaches the limitation period"
    )


class PayQR(_Section):
    """How the payment QR code on notices and letters is built."""

    scheme: Literal["url", "emvco", "epc", "static"] = Field(
        "url", description="url, emvco or epc build a code per household and amount; static shows static_text as is"
    )
    static_text: str = Field(
        "", description="the text of the company's fixed WeChat/Alipay collection code (no amount inside), for scheme 'static'"
    )
    url_template: str = "https://pay.example.cn/knock?ref={reference}&room={room}&amount={amount_yuan}"
    merchant_name: str = "ANJU PROPERTY"
    merchant_city: str = "HANGZHOU"
    merchant_category_code: str = "6513"
    merchant_account_gui: str = "A000000333010101"
    merchant_account_tag: str = Field("26", description="EMVCo merchant account template tag (26-51) that holds the GUI and merchant id")
    merchant_id: str = "102330000000001"
    currency_numeric: str = "156"
    country_code: str = "CN"
    epc_bic: str = ""
    epc_iban: str = ""
    epc_beneficiary: str = ""


class Receipts(_Section):
    """Printed receipts."""

    default_size: Literal["a5", "a4", "80mm", "58mm"] = "80mm"
    printer: str = Field("", description="CUPS printer name; empty means the default printer")


class Security(_Section):
    """Sign-in on a shared laptop."""

    pin_max_tries: int = 5
    lockout_minutes: int = 10
    idle_lock_minutes: int = 5


class UI(_Section):
    """Screen language and look."""

    locale: Literal["zh", "en"] = "zh"


class Targets(_Section):
    """What the managers measure the drive against."""

    collection_rate_percent: Decimal = Decimal("80")


class Settings(_Section):
    """All of Knock's settings. Every section has defaults; the file overrides any field."""

    company: Company = Company()
    fees: Fees = Fees()
    penalty: Penalty = Penalty()
    contact: Contact = Contact()
    escalation: Escalation = Escalation()
    payqr: PayQR = PayQR()
    receipts: Receipts = Receipts()
    security: Security = Security()
    ui: UI = UI()
    targets: Targets = Targets()

    @field_validator("*", mode="before")
    @classmethod
    def _none_is_default(cls, value: object) -> object:
        return {} if value is None else value


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the field."""


def load_settings(path: Path | None) -> Settings:
    """Read settings from ``path`` (missing file: defaults)."""
    if path is None or not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"{path}: {problems}") from None
