"""The one settings object, loaded from one TOML file with sane defaults.

Everything a company may want to change lives here and nowhere in code: the
company's name, fee rates, the penalty rule, contact windows and caps, the
escalation ladder and the payment QR scheme. A bad file stops with a message
that names the field, never with a traceback.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knock.documents.paper import Size


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Company(_Section):
    """Who issues receipts and letters."""

    name: str = "安居物业服务有限公司"
    name_en: str = "Anju Property Services Co., Ltd."
    address: str = "杭州市西湖区文三路 100 号"
    credit_code: str = Field("", description="统一社会信用代码 printed on receipts; empty leaves the line out")
    invoice_place: str = Field("", description="where an owner asks for an invoice (发票); empty means the service centre")
    phone: str = "0571-8888 6666"
    service_centre: str = "小区物业服务中心"
    service_hours: str = "每日 8:30–20:00"
    bank_account: str = Field("", description="account for bank transfers, printed on letters when set")
    legal_department: str = "公司法务部"
    law_firm: str = Field("", description="the law firm that signs lawyer's letters; without it `knock letter --kind lawyer` only drafts (--draft)")
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
        3,
        ge=1,
        description="failed attempts in a row (no answer, not home, wrong number), each on a different day, before a household counts as unreachable",
    )
    unreachable_min_slots: int = Field(
        2,
        ge=1,
        le=3,
        description="how many different time slots (weekday daytime, weekend daytime, evening) those attempts must cover",
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
    deep_arrears_months: int = Field(
        12, ge=1, description="owing this many months or more is never an ordinary case: a visit, not a text, and a higher priority"
    )
    deep_arrears_fen: int = Field(
        500_000, ge=1, description="owing this much (in fen; 500000 = 5,000 yuan) or more counts as deep arrears too"
    )
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

    default_size: Size = "80mm"
    printer: str = Field("", description="CUPS printer name; empty means the default printer")


class Security(_Section):
    """Sign-in on a shared laptop.

    The lockout cannot be switched off: at most 10 wrong tries, and a lockout of
    at least 5 minutes, or the settings file is refused.
    """

    pin_max_tries: int = Field(5, ge=3, le=10, description="wrong PINs in a row before the member is locked out")
    lockout_minutes: int = Field(10, ge=5, le=1440, description="how long a lockout lasts (a manager may unlock earlier)")
    idle_lock_minutes: int = Field(5, ge=0, le=120, description="lock the laptop after this long untouched (0: never)")


class Payments(_Section):
    """Limits that catch a mistyped or doubled payment before it becomes a receipt."""

    max_payment_yuan: Decimal = Field(
        Decimal("200000"), gt=0, le=Decimal("100000000"), description="no single payment may be larger than this"
    )
    overpay_max_multiple: Decimal = Field(
        Decimal("3"), ge=1, le=100, description="refuse a payment more than this many times what the household owes"
    )
    double_submit_minutes: int = Field(
        10, ge=0, le=1440, description="the same amount for the same household again within this time needs confirming (0: off)"
    )


class UI(_Section):
    """Screen language and look."""

    locale: Literal["zh", "en"] = "zh"


class Targets(_Section):
    """What the managers measure the drive against."""

    collection_rate_percent: Decimal = Decimal("80")
    campaign_start: date | None = Field(
        None, description="first day of the collection drive (the summary's chart starts here); empty: the first day anyone was assigned"
    )


class Sync(_Section):
    """Sync files and merges: when a device clock or a file's age needs a person to look."""

    clock_tolerance_minutes: int = Field(10, ge=1, description="a sync file written this far ahead of the merge time is flagged")
    file_max_age_hours: int = Field(18, ge=1, description="a sync file written this long before the merge is flagged (late file or clock behind)")
    export_folder: str = Field("", description="where the field app writes sync files when no removable drive is mounted")
    server_url: str = Field("", description="the office server this laptop syncs with (e.g. http://192.168.1.10:8731); empty: USB only")
    background_minutes: int = Field(3, ge=1, le=120, description="the field app tries the server this often (and a few seconds after each saved outcome)")
    request_max_age_seconds: int = Field(300, ge=10, le=3600, description="the server refuses a signed request whose time is further than this from its clock")
    max_body_mb: int = Field(32, ge=1, le=1024, description="the largest sync file the server accepts in one push")


class ExportColumn(_Section):
    """One column of the payments file handed back to the billing system."""

    header: str = Field(min_length=1, description="the column's name in the file, as the billing system's import wants it")
    field: str = Field(description="what goes in it; see knock.exporting.fields.EXPORT_FIELDS")

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        from knock.exporting.fields import EXPORT_FIELDS

        if value not in EXPORT_FIELDS:
            raise ValueError(f"unknown export field {value!r}; use one of {', '.join(EXPORT_FIELDS)}")
        return value


def _default_export_columns() -> list[ExportColumn]:
    from knock.exporting.fields import DEFAULT_TEMPLATE

    return [ExportColumn(header=header, field=field) for header, field in DEFAULT_TEMPLATE]


class Billing(_Section):
    """The round trip with the billing system: reading its arrears export, handing payments back."""

    columns: dict[str, str] = Field(
        default_factory=dict,
        description="header in the billing system's file = Knock's field (e.g. 欠费 = \"outstanding\"); "
        "for headers Knock does not know; `knock import households --map` overrides it",
    )
    penalty_column: Literal["charge", "ignore"] = Field(
        "charge",
        description="a 滞纳金/违约金 column: 'charge' imports it as its own penalty charge; "
        "'ignore' reports the amounts and imports none of them",
    )
    export_voids: Literal["negative", "marked"] = Field(
        "negative",
        description="a voided receipt in the payments export: 'negative' repeats its lines with minus amounts; "
        "'marked' repeats them with plus amounts and the kind column saying void (作废)",
    )
    export_encoding: Literal["utf-8-sig", "gb18030"] = Field(
        "utf-8-sig", description="CSV encoding of the payments export (UTF-8 with BOM opens in Excel; GB18030 for older billing systems)"
    )
    export_columns: list[ExportColumn] = Field(default_factory=_default_export_columns, min_length=1)

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, value: dict[str, str]) -> dict[str, str]:
        from knock.importing.headers import mapping_target

        for header, target in value.items():
            if not header.strip():
                raise ValueError("a column mapping needs a header name")
            mapping_target(target, where=f"columns.{header}")
        return value


class SmsColumn(_Section):
    """One column of the file an SMS platform imports: its header and what goes in it."""

    header: str
    field: Literal["phone", "content", "name", "room", "segments", "template", "message_id"]


class Holiday(_Section):
    """A holiday greeting day: ``on`` is "MM-DD" (every year) or "YYYY-MM-DD" (lunar holidays move)."""

    on: str = Field(pattern=r"^(\d{4}-)?\d{2}-\d{2}$")
    name: str
    name_en: str = ""


class Reminders(_Section):
    """The day's SMS batch and call list (``knock remind``)."""

    before_due_days: int = Field(7, ge=1, le=31, description="texts go out this many days before a charge falls due")
    repeat_days: int = Field(7, ge=0, description="no second reminder of the same kind to a household within this many days")
    contract_end: date | None = Field(None, description="when the service contract ends; contract_end reminders need it")
    contract_end_notice_days: int = Field(30, ge=1, description="contract_end reminders start this many days before the end")
    holidays: list[Holiday] = Field(
        default_factory=lambda: [
            Holiday(on="01-01", name="元旦", name_en="New Year's Day"),
            Holiday(on="05-01", name="劳动节", name_en="Labour Day"),
            Holiday(on="10-01", name="国庆节", name_en="National Day"),
        ],
        description="holiday greetings; add the lunar holidays (春节, 中秋) with their year's date",
    )
    holiday_lead_days: int = Field(3, ge=0, description="holiday greetings go out from this many days before the holiday")
    pay_link: str = Field("", description="payment link put in texts, {room} and {reference} filled in; empty: no link")
    prepaid_min_months: int = Field(
        3, ge=2, description="a household whose last paid bill covered this many months or more is a prepaid payer"
    )
    complaint_blocks: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "defect": ["property_fee"],
            "repair": ["property_fee"],
            "service": ["property_fee"],
            "staff": ["property_fee", "parking", "shared_utilities"],
            "parking": ["parking"],
            "utilities": ["shared_utilities"],
        },
        description="an open complaint of this category holds back reminders about these fee items",
    )
    columns: list[SmsColumn] = Field(
        default_factory=lambda: [SmsColumn(header="手机号码", field="phone"), SmsColumn(header="短信内容", field="content")],
        description="the columns of the CSV/XLSX an SMS platform imports",
    )
    price_per_100_segments_fen: int = Field(450, ge=0, description="what 100 SMS segments cost, in fen (4.5 fen a segment by default)")
    csv_encoding: Literal["utf-8-sig", "gb18030"] = Field(
        "utf-8-sig", description="the CSV's encoding: UTF-8 with a BOM, or GB18030 for platforms that want GBK"
    )


class SmsGateway(_Section):
    """The company's SMS provider, spoken to over HTTP (``knock remind sms --send``).

    Every string below may use {phone}, {content}, {message_id}, {key_id} and
    {secret}. Keep the secret here only: settings.toml must then be readable
    by its owner alone (chmod 600); Knock refuses to send otherwise.
    """

    kind: Literal["none", "http"] = "none"
    url: str = ""
    method: Literal["POST", "PUT", "GET"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, str] = Field(default_factory=dict)
    body_format: Literal["json", "form", "none"] = "json"
    body: dict[str, str] = Field(default_factory=lambda: {"phone": "{phone}", "content": "{content}"})
    key_id: str = ""
    secret: str = ""
    success_field: str = Field("", description="a field of the JSON answer that must equal success_value (empty: any 2xx is success)")
    success_value: str = ""
    id_field: str = Field("", description="the field of the JSON answer holding the provider's message id")
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    max_attempts: int = Field(3, ge=1, le=10)
    backoff_seconds: float = Field(1.0, ge=0, le=60, description="wait before the 2nd try; doubles each try")


class Settings(_Section):
    """All of Knock's settings. Every section has defaults; the file overrides any field."""

    company: Company = Company()
    fees: Fees = Fees()
    penalty: Penalty = Penalty()
    contact: Contact = Contact()
    escalation: Escalation = Escalation()
    payqr: PayQR = PayQR()
    receipts: Receipts = Receipts()
    payments: Payments = Payments()
    security: Security = Security()
    ui: UI = UI()
    targets: Targets = Targets()
    sync: Sync = Sync()
    billing: Billing = Billing()
    reminders: Reminders = Reminders()
    sms_gateway: SmsGateway = SmsGateway()

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
