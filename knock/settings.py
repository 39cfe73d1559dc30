"""The one settings object, loaded from one TOML file with sane defaults.

Everything a company may want to change lives here and nowhere in code: the
company's name, fee rates, the penalty rule, contact windows and caps, the
escalation ladder and the payment QR scheme. A bad file stops with a message
that names the field, never with a traceback.

The model is frozen :mod:`msgspec` structs, checked by ``msgspec.convert``
(types, bounds, unknown fields) plus ``__post_init__`` for the rules a type
cannot say. Every ``knock`` command loads these settings at start, and msgspec
does it in a few milliseconds where pydantic took about half of ``knock pay``'s
start-up (bench/bench_startup.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import msgspec
from msgspec import Meta, field

from knock.paper import Size


class ClockTime(time):
    """A time of day in settings: TOML's ``22:00:00`` or the text ``"22:00"`` / ``"22:00:00"``."""


def _decode(kind: type, value: Any) -> Any:
    """msgspec's hook for the types it does not read by itself (only :class:`ClockTime`)."""
    if kind is ClockTime:
        if isinstance(value, str):
            try:
                value = time.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"not a time of day (HH:MM): {value!r}") from None
        if isinstance(value, time) and value.tzinfo is None:
            return ClockTime(value.hour, value.minute, value.second, value.microsecond)
        raise ValueError(f"not a time of day (HH:MM): {value!r}")
    raise NotImplementedError(kind)


def _times_of_day(section: msgspec.Struct, *names: str) -> None:
    """Let code build a section with ``start="09:00"`` or a plain ``time``, as the file may say it."""
    for name in names:
        value = getattr(section, name)
        if type(value) is not ClockTime:
            msgspec.structs.force_setattr(section, name, _decode(ClockTime, value))


def _bounded(name: str, value: Decimal, *, ge: Decimal | None = None, gt: Decimal | None = None, le: Decimal | None = None) -> None:
    """msgspec bounds only ints and floats: the Decimal fields say their bounds here."""
    if ge is not None and value < ge:
        raise ValueError(f"{name}: must be at least {ge} (got {value})")
    if gt is not None and value <= gt:
        raise ValueError(f"{name}: must be more than {gt} (got {value})")
    if le is not None and value > le:
        raise ValueError(f"{name}: must be at most {le} (got {value})")


class _Section(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """A copy with the fields in ``update`` changed (the section's own rules are checked again)."""
        return msgspec.structs.replace(self, **dict(update or {}))


class Company(_Section):
    """Who issues receipts and letters."""

    name: str = "安居物业服务有限公司"
    name_en: str = "Anju Property Services Co., Ltd."
    address: str = "杭州市西湖区文三路 100 号"
    credit_code: Annotated[str, Meta(description="统一社会信用代码 printed on receipts; empty leaves the line out")] = ""
    invoice_place: Annotated[str, Meta(description="where an owner asks for an invoice (发票); empty means the service centre")] = ""
    phone: str = "0571-8888 6666"
    service_centre: str = "小区物业服务中心"
    service_hours: str = "每日 8:30–20:00"
    bank_account: Annotated[str, Meta(description="account for bank transfers, printed on letters when set")] = ""
    legal_department: str = "公司法务部"
    law_firm: Annotated[
        str, Meta(description="the law firm that signs lawyer's letters; without it `knock letter --kind lawyer` only drafts (--draft)")
    ] = ""
    contract_basis: Annotated[str, Meta(description="the service-contract clause letters cite")] = (
        "《物业服务合同》关于物业服务费标准、交纳时间和方式的约定"
    )


class Fees(_Section):
    """Standard rates, used by the sample community and by billing imports that omit amounts."""

    property_fee_per_m2_month: Annotated[Decimal, Meta(description="yuan per m² per month")] = Decimal("2.50")
    parking_per_month: Decimal = Decimal("150.00")
    shared_utilities_per_month: Decimal = Decimal("12.00")
    due_day_of_month: Annotated[int, Meta(ge=1, le=28)] = 15


class Penalty(_Section):
    """Late-payment penalty (违约金) per the service contract. Off unless configured."""

    enabled: bool = False
    daily_rate_per_mille: Annotated[Decimal, Meta(description="‰ of the overdue amount per day (>= 0)")] = Decimal("0.5")
    grace_days: Annotated[int, Meta(ge=0)] = 0
    cap_percent_of_principal: Annotated[Decimal, Meta(description="penalty never exceeds this % of the charge (>= 0)")] = Decimal("30")

    def __post_init__(self) -> None:
        _bounded("daily_rate_per_mille", self.daily_rate_per_mille, ge=Decimal(0))
        _bounded("cap_percent_of_principal", self.cap_percent_of_principal, ge=Decimal(0))

    def warnings(self) -> list[str]:
        """Why a court might cut this penalty: shown to the office, never hidden."""
        found: list[str] = []
        if self.enabled and self.daily_rate_per_mille > 3:
            found.append(f"penalty.daily_rate_per_mille = {self.daily_rate_per_mille} is above 3‰ a day; courts often reduce such penalties")
        if self.enabled and self.cap_percent_of_principal > 100:
            found.append(f"penalty.cap_percent_of_principal = {self.cap_percent_of_principal} lets the penalty exceed the principal")
        return found


Weekday = Annotated[int, Meta(ge=0, le=6)]


class Window(_Section, kw_only=True):
    """A time window on some weekdays (0 = Monday … 6 = Sunday)."""

    weekdays: list[Weekday] = field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6])
    start: ClockTime
    end: ClockTime

    def __post_init__(self) -> None:
        _times_of_day(self, "start", "end")


def _window(start: tuple[int, int], end: tuple[int, int], weekdays: list[int] | None = None) -> Window:
    days = list(range(7)) if weekdays is None else weekdays
    return Window(weekdays=days, start=ClockTime(*start), end=ClockTime(*end))


class Contact(_Section):
    """When collectors may knock or call, and how often."""

    quiet_start: ClockTime = ClockTime(22, 0)
    quiet_end: ClockTime = ClockTime(8, 0)
    daily_cap: Annotated[int, Meta(ge=1, description="contacts of one household per day before an override is needed")] = 3
    visit_windows: list[Window] = field(default_factory=lambda: [_window((19, 0), (21, 30), [0, 1, 2, 3, 4, 5]), _window((14, 0), (17, 0), [6])])
    call_windows: list[Window] = field(default_factory=lambda: [_window((14, 0), (17, 30), [4, 5])])
    no_collection: Annotated[list[Window], Meta(description="never collect in these windows (Sunday evening by default)")] = field(
        default_factory=lambda: [_window((17, 0), (23, 59), [6])]
    )
    meal_and_rest: list[Window] = field(default_factory=lambda: [_window((11, 30), (13, 30)), _window((17, 30), (18, 45))])
    reminder_day_of_month: Annotated[int, Meta(ge=1, le=28)] = 6
    sms_windows: Annotated[
        list[Window], Meta(description="when texts may be suggested (still clipped by quiet hours, no-collection and meal times)")
    ] = field(default_factory=lambda: [_window((9, 0), (20, 0))])
    unreachable_after_attempts: Annotated[
        int,
        Meta(
            ge=1,
            description="failed attempts in a row (no answer, not home, wrong number), each on a different day, before a household counts as unreachable",
        ),
    ] = 3
    unreachable_min_slots: Annotated[
        int, Meta(ge=1, le=3, description="how many different time slots (weekday daytime, weekend daytime, evening) those attempts must cover")
    ] = 2
    no_show_after_broken_promises: Annotated[int, Meta(ge=1, description="broken promises before a household counts as 'agrees but never comes'")] = 2

    def __post_init__(self) -> None:
        _times_of_day(self, "quiet_start", "quiet_end")


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
    deep_arrears_months: Annotated[
        int, Meta(ge=1, description="owing this many months or more is never an ordinary case: a visit, not a text, and a higher priority")
    ] = 12
    deep_arrears_fen: Annotated[int, Meta(ge=1, description="owing this much (in fen; 500000 = 5,000 yuan) or more counts as deep arrears too")] = 500_000
    limitation_years: int = 3
    limitation_warn_days: Annotated[int, Meta(ge=0, description="warn this many days before the oldest charge reaches the limitation period")] = 90


class PayQR(_Section):
    """How the payment QR code on notices and letters is built."""

    scheme: Annotated[
        Literal["url", "emvco", "epc", "static"],
        Meta(description="url, emvco or epc build a code per household and amount; static shows static_text as is"),
    ] = "url"
    static_text: Annotated[
        str, Meta(description="the text of the company's fixed WeChat/Alipay collection code (no amount inside), for scheme 'static'")
    ] = ""
    url_template: str = "https://pay.example.cn/knock?ref={reference}&room={room}&amount={amount_yuan}"
    merchant_name: str = "ANJU PROPERTY"
    merchant_city: str = "HANGZHOU"
    merchant_category_code: str = "6513"
    merchant_account_gui: str = "A000000333010101"
    merchant_account_tag: Annotated[str, Meta(description="EMVCo merchant account template tag (26-51) that holds the GUI and merchant id")] = "26"
    merchant_id: str = "102330000000001"
    currency_numeric: str = "156"
    country_code: str = "CN"
    epc_bic: str = ""
    epc_iban: str = ""
    epc_beneficiary: str = ""


class Receipts(_Section):
    """Printed receipts."""

    default_size: Size = "80mm"
    printer: Annotated[str, Meta(description="CUPS printer name; empty means the default printer")] = ""


class Security(_Section):
    """Sign-in on a shared laptop.

    The lockout cannot be switched off: at most 10 wrong tries, and a lockout of
    at least 5 minutes, or the settings file is refused.
    """

    pin_max_tries: Annotated[int, Meta(ge=3, le=10, description="wrong PINs in a row before the member is locked out")] = 5
    lockout_minutes: Annotated[int, Meta(ge=5, le=1440, description="how long a lockout lasts (a manager may unlock earlier)")] = 10
    idle_lock_minutes: Annotated[int, Meta(ge=0, le=120, description="lock the laptop after this long untouched (0: never)")] = 5


class Payments(_Section):
    """Limits that catch a mistyped or doubled payment before it becomes a receipt."""

    max_payment_yuan: Annotated[Decimal, Meta(description="no single payment may be larger than this (0 < x <= 100000000)")] = Decimal("200000")
    overpay_max_multiple: Annotated[
        Decimal, Meta(description="refuse a payment more than this many times what the household owes (1 <= x <= 100)")
    ] = Decimal("3")
    double_submit_minutes: Annotated[
        int, Meta(ge=0, le=1440, description="the same amount for the same household again within this time needs confirming (0: off)")
    ] = 10
    second_payment_minutes: Annotated[
        int,
        Meta(
            ge=0, le=1440,
            description="any second payment for the same household within this time needs confirming, whatever the amount (0: off)",
        ),
    ] = 10

    def __post_init__(self) -> None:
        _bounded("max_payment_yuan", self.max_payment_yuan, gt=Decimal(0), le=Decimal("100000000"))
        _bounded("overpay_max_multiple", self.overpay_max_multiple, ge=Decimal(1), le=Decimal(100))


class UI(_Section):
    """Screen language and look."""

    locale: Literal["zh", "en"] = "zh"


class Targets(_Section):
    """What the managers measure the drive against."""

    collection_rate_percent: Decimal = Decimal("80")
    campaign_start: Annotated[
        date | None,
        Meta(description="first day of the collection drive (the summary's chart starts here); empty: the first day anyone was assigned"),
    ] = None


class Sync(_Section):
    """Sync files and merges: when a device clock or a file's age needs a person to look."""

    clock_tolerance_minutes: Annotated[int, Meta(ge=1, description="a sync file written this far ahead of the merge time is flagged")] = 10
    file_max_age_hours: Annotated[
        int, Meta(ge=1, description="a sync file written this long before the merge is flagged (late file or clock behind)")
    ] = 18
    export_folder: Annotated[str, Meta(description="where the field app writes sync files when no removable drive is mounted")] = ""
    server_url: Annotated[
        str, Meta(description="the office server this laptop syncs with (e.g. http://192.168.1.10:8731); empty: USB only")
    ] = ""
    background_minutes: Annotated[
        int, Meta(ge=1, le=120, description="the field app tries the server this often (and a few seconds after each saved outcome)")
    ] = 3
    request_max_age_seconds: Annotated[
        int, Meta(ge=10, le=3600, description="the server refuses a signed request whose time is further than this from its clock")
    ] = 300
    max_body_mb: Annotated[int, Meta(ge=1, le=1024, description="the largest sync file the server accepts in one push")] = 32


class ExportColumn(_Section):
    """One column of the payments file handed back to the billing system."""

    header: Annotated[str, Meta(min_length=1, description="the column's name in the file, as the billing system's import wants it")]
    field: Annotated[str, Meta(description="what goes in it; see knock.exporting.fields.EXPORT_FIELDS")]

    def __post_init__(self) -> None:
        from knock.exporting.fields import EXPORT_FIELDS

        if self.field not in EXPORT_FIELDS:
            raise ValueError(f"field: unknown export field {self.field!r}; use one of {', '.join(EXPORT_FIELDS)}")


def _default_export_columns() -> list[ExportColumn]:
    from knock.exporting.fields import DEFAULT_TEMPLATE

    return [ExportColumn(header=header, field=column) for header, column in DEFAULT_TEMPLATE]


class Billing(_Section):
    """The round trip with the billing system: reading its arrears export, handing payments back."""

    columns: Annotated[
        dict[str, str],
        Meta(
            description="header in the billing system's file = Knock's field (e.g. 欠费 = \"outstanding\"); "
            "for headers Knock does not know; `knock import households --map` overrides it"
        ),
    ] = field(default_factory=dict)
    penalty_column: Annotated[
        Literal["charge", "ignore"],
        Meta(description="a 滞纳金/违约金 column: 'charge' imports it as its own penalty charge; 'ignore' reports the amounts and imports none of them"),
    ] = "charge"
    export_voids: Annotated[
        Literal["negative", "marked"],
        Meta(
            description="a voided receipt in the payments export: 'negative' repeats its lines with minus amounts; "
            "'marked' repeats them with plus amounts and the kind column saying void (作废)"
        ),
    ] = "negative"
    export_encoding: Annotated[
        Literal["utf-8-sig", "gb18030"],
        Meta(description="CSV encoding of the payments export (UTF-8 with BOM opens in Excel; GB18030 for older billing systems)"),
    ] = "utf-8-sig"
    export_columns: Annotated[list[ExportColumn], Meta(min_length=1)] = field(default_factory=_default_export_columns)

    def __post_init__(self) -> None:
        if not self.columns:
            return
        from knock.importing.headers import mapping_target  # the import machinery, only when there is a mapping to check

        for header, target in self.columns.items():
            if not header.strip():
                raise ValueError("columns: a column mapping needs a header name")
            mapping_target(target, where=f"columns.{header}")


class SmsColumn(_Section):
    """One column of the file an SMS platform imports: its header and what goes in it."""

    header: str
    field: Literal["phone", "content", "name", "room", "segments", "template", "message_id"]


class Holiday(_Section):
    """A holiday greeting day: ``on`` is "MM-DD" (every year) or "YYYY-MM-DD" (lunar holidays move)."""

    on: Annotated[str, Meta(pattern=r"^(\d{4}-)?\d{2}-\d{2}$")]
    name: str
    name_en: str = ""


def _default_holidays() -> list[Holiday]:
    return [
        Holiday(on="01-01", name="元旦", name_en="New Year's Day"),
        Holiday(on="05-01", name="劳动节", name_en="Labour Day"),
        Holiday(on="10-01", name="国庆节", name_en="National Day"),
    ]


class Reminders(_Section):
    """The day's SMS batch and call list (``knock remind``)."""

    before_due_days: Annotated[int, Meta(ge=1, le=31, description="texts go out this many days before a charge falls due")] = 7
    repeat_days: Annotated[int, Meta(ge=0, description="no second reminder of the same kind to a household within this many days")] = 7
    contract_end: Annotated[date | None, Meta(description="when the service contract ends; contract_end reminders need it")] = None
    contract_end_notice_days: Annotated[int, Meta(ge=1, description="contract_end reminders start this many days before the end")] = 30
    holidays: Annotated[
        list[Holiday], Meta(description="holiday greetings; add the lunar holidays (春节, 中秋) with their year's date")
    ] = field(default_factory=_default_holidays)
    holiday_lead_days: Annotated[int, Meta(ge=0, description="holiday greetings go out from this many days before the holiday")] = 3
    pay_link: Annotated[str, Meta(description="payment link put in texts, {room} and {reference} filled in; empty: no link")] = ""
    prepaid_min_months: Annotated[
        int, Meta(ge=2, description="a household whose last paid bill covered this many months or more is a prepaid payer")
    ] = 3
    complaint_blocks: Annotated[
        dict[str, list[str]], Meta(description="an open complaint of this category holds back reminders about these fee items")
    ] = field(
        default_factory=lambda: {
            "defect": ["property_fee"],
            "repair": ["property_fee"],
            "service": ["property_fee"],
            "staff": ["property_fee", "parking", "shared_utilities"],
            "parking": ["parking"],
            "utilities": ["shared_utilities"],
        }
    )
    columns: Annotated[list[SmsColumn], Meta(description="the columns of the CSV/XLSX an SMS platform imports")] = field(
        default_factory=lambda: [SmsColumn(header="手机号码", field="phone"), SmsColumn(header="短信内容", field="content")]
    )
    price_per_100_segments_fen: Annotated[
        int, Meta(ge=0, description="what 100 SMS segments cost, in fen (4.5 fen a segment by default)")
    ] = 450
    csv_encoding: Annotated[
        Literal["utf-8-sig", "gb18030"], Meta(description="the CSV's encoding: UTF-8 with a BOM, or GB18030 for platforms that want GBK")
    ] = "utf-8-sig"


class SmsGateway(_Section):
    """The company's SMS provider, spoken to over HTTP (``knock remind sms --send``).

    Every string below may use {phone}, {content}, {message_id}, {key_id} and
    {secret}. Keep the secret here only: settings.toml must then be readable
    by its owner alone (chmod 600); Knock refuses to send otherwise.
    """

    kind: Literal["none", "http"] = "none"
    url: str = ""
    method: Literal["POST", "PUT", "GET"] = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body_format: Literal["json", "form", "none"] = "json"
    body: dict[str, str] = field(default_factory=lambda: {"phone": "{phone}", "content": "{content}"})
    key_id: str = ""
    secret: str = ""
    success_field: Annotated[str, Meta(description="a field of the JSON answer that must equal success_value (empty: any 2xx is success)")] = ""
    success_value: str = ""
    id_field: Annotated[str, Meta(description="the field of the JSON answer holding the provider's message id")] = ""
    timeout_seconds: Annotated[float, Meta(gt=0, le=120)] = 10.0
    max_attempts: Annotated[int, Meta(ge=1, le=10)] = 3
    backoff_seconds: Annotated[float, Meta(ge=0, le=60, description="wait before the 2nd try; doubles each try")] = 1.0


class Settings(_Section):
    """All of Knock's settings. Every section has defaults; the file overrides any field."""

    company: Company = field(default_factory=Company)
    fees: Fees = field(default_factory=Fees)
    penalty: Penalty = field(default_factory=Penalty)
    contact: Contact = field(default_factory=Contact)
    escalation: Escalation = field(default_factory=Escalation)
    payqr: PayQR = field(default_factory=PayQR)
    receipts: Receipts = field(default_factory=Receipts)
    payments: Payments = field(default_factory=Payments)
    security: Security = field(default_factory=Security)
    ui: UI = field(default_factory=UI)
    targets: Targets = field(default_factory=Targets)
    sync: Sync = field(default_factory=Sync)
    billing: Billing = field(default_factory=Billing)
    reminders: Reminders = field(default_factory=Reminders)
    sms_gateway: SmsGateway = field(default_factory=SmsGateway)

    @classmethod
    def model_validate(cls, raw: Mapping[str, Any]) -> Settings:
        """Settings from a parsed file (or any mapping): every section checked, every bad section
        reported at once in one :class:`SettingsError` naming ``section.field``."""
        sections: dict[str, Any] = {}
        problems: list[str] = []
        for name, value in raw.items():
            model = SECTIONS.get(name)
            if model is None:
                problems.append(f"{name}: not a settings section (sections: {', '.join(SECTIONS)})")
                continue
            try:
                sections[name] = msgspec.convert({} if value is None else value, model, strict=False, dec_hook=_decode)
            except msgspec.ValidationError as exc:
                problems.append(_problem(name, exc))
        if problems:
            raise SettingsError("; ".join(problems))
        return cls(**sections)


SECTIONS: dict[str, type[_Section]] = {f.name: f.type for f in msgspec.structs.fields(Settings)}  # type: ignore[misc]
"""Each section of the file and its model."""


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the field."""


_AT = re.compile(r"^(?P<problem>.*) - at `\$(?P<where>[^`]*)`$", re.S)
_FIELD_FIRST = re.compile(r"^(?P<field>[a-z_][a-z0-9_]*(?:\.[^:]+)?): (?P<problem>.+)$", re.S)


def _problem(section: str, exc: msgspec.ValidationError) -> str:
    """``section.field: what is wrong``, from msgspec's ``what is wrong - at `$.field```.

    A section's own rules (``__post_init__``) are reported at the section, so
    their messages start with the field they are about; it joins the path.
    """
    found = _AT.match(str(exc))
    problem, where = (found["problem"], found["where"]) if found else (str(exc), "")
    own = _FIELD_FIRST.match(problem)
    if own:
        where, problem = f"{where}.{own['field']}", own["problem"]
    return f"{section}{where}: {problem}"


def load_settings(path: Path | None) -> Settings:
    """Read settings from ``path`` (missing file: defaults)."""
    if path is None or not path.exists():
        return Settings()
    import tomllib  # only where a settings file exists: a home on the defaults starts without the parser

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(raw)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from None
