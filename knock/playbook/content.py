"""The playbook's words: YAML under ``knock/templates/playbook/`` as frozen values.

The content (debtor types, cards, objections, messages, the never list) is
data reviewed like code, not strings scattered through the rules. Loading it
checks everything a reviewer could miss: both locales present, only known
placeholders, the same placeholders in zh and en, known keys. A bad file stops
with a :class:`ContentError` that names the file and the key.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from knock.paths import templates_dir
from knock.yaml_files import YAMLError, load_yaml

Locale = Literal["zh", "en"]
LOCALES: tuple[Locale, ...] = ("zh", "en")
"""Every user-facing text exists in these locales; zh is the default."""

DEBTOR_TYPES: tuple[str, ...] = (
    "not_yet_paid",
    "agrees_no_show",
    "unreachable",
    "defect_dispute",
    "vacant",
    "soured",
    "busy_away",
    "wilful_refusal",
    "hardship",
)
"""The eight debtor types of the seeds plus hardship (经济困难, domain.md); the field app and ledger use these keys."""

GROUPS: tuple[str, ...] = ("ordinary", "undecided", "hard")
"""Visit-order groups, in the order they are visited."""

ACTIONS: tuple[str, ...] = (
    "sms",
    "call",
    "visit",
    "leave_notice",
    "dunning_letter",
    "lawyer_letter",
    "hand_to_manager",
    "instalment_application",
    "ask_call_back",
    "check_records",
    "wait",
)
"""Next-action keys the rules may return."""

FOLLOW_UPS: tuple[str, ...] = (
    "repair_ticket",
    "instalment_plan",
    "appointment",
    "complaint",
    "contact_update",
    "check_account",
    "hand_to_manager",
    "none",
)
"""What Knock records after an objection."""

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "surname",
        "title",
        "room",
        "amount",
        "period",
        "months",
        "company",
        "service_phone",
        "collector",
        "date",
        "window",
        "choice_a",
        "choice_b",
        "repair",
        "pay_link",
    }
)
"""Every placeholder a template may use (documented in each YAML header)."""

MESSAGE_KEYS: tuple[str, ...] = (
    "before_due",
    "due_today",
    "overdue_3_days",
    "contract_expiry",
    "appointment_tomorrow",
    "missed_appointment",
    "repair_done",
    "monthly_reminder",
    "prepaid_renewal",
    "holiday_greeting",
)
"""The SMS/phone templates: reminders by due date, appointments, repairs, and the seeds'
separate texts for monthly and prepaid payers and the holiday greeting (no fees in it)."""


class ContentError(ValueError):
    """Playbook content that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Text:
    """One user-facing text in both locales."""

    zh: str
    en: str

    def get(self, locale: Locale) -> str:
        """The text in ``locale``."""
        return self.en if locale == "en" else self.zh


@dataclass(frozen=True)
class Card:
    """A talking-point card: short lines a collector can say, in order."""

    key: str
    title: Text
    say: tuple[Text, ...]
    audience: Literal["owner", "third_party"] = "owner"
    """Third-party cards (neighbour, agent, relative) never mention money."""


@dataclass(frozen=True)
class DebtorType:
    """One debtor type: how to recognise it and what to do about it."""

    key: str
    group: str
    name: Text
    recognise: tuple[Text, ...]
    goal: Text
    tactics: tuple[Text, ...]
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Basis:
    """A legal or contractual fact an answer rests on, in our own words."""

    key: str
    name: Text
    fact: Text


@dataclass(frozen=True)
class Objection:
    """Something owners say, and what a collector can answer."""

    key: str
    says: Text
    answer: tuple[Text, ...]
    follow_up: str
    basis: tuple[Basis, ...]
    types: tuple[str, ...]
    """Debtor types this objection points to when a contact logs it as its reason."""
    third_party: bool = False
    refusal: str = "dispute"
    """What a refusal with this reason means (one of REFUSAL_KINDS): only ``denies_debt`` counts toward wilful refusal."""


REFUSAL_KINDS: tuple[str, ...] = ("denies_debt", "hardship", "not_refusal", "dispute")
"""How a refusal logged with an objection as its reason is read.

denies_debt: the owner denies owing ("我就不交") and the refusal counts toward
wilful refusal and the letters; hardship: "can't afford it" leads to an
instalment application through the manager, never to a letter; not_refusal:
busy, away, a tenant, "next week" are not refusals at all; dispute: a
complaint or a question about the account, handled by its own debtor type.
"""


@dataclass(frozen=True)
class MessageTemplate:
    """An SMS and a phone script for one occasion."""

    key: str
    when: Text
    sms: Text
    phone: tuple[Text, ...]


@dataclass(frozen=True)
class Notice:
    """A paper notice left at the door: the outside is for anyone to see."""

    key: str
    outside: Text
    inside: Text


@dataclass(frozen=True)
class NeverList:
    """Shown on first use and in help."""

    title: Text
    say: tuple[Text, ...]
    do: tuple[Text, ...]
    reminders: Mapping[str, Text] = field(default_factory=lambda: MappingProxyType({}))
    """A gentle reminder per forbidden-content category, shown to whoever typed a flagged note."""


SCAN_CATEGORIES: tuple[str, ...] = ("utilities", "lockout", "shaming", "threat", "third_party_pressure", "deception", "harassment")
"""The scanner's categories; never.yaml has one reminder for each."""


@dataclass(frozen=True)
class Playbook:
    """All playbook content, loaded and checked."""

    types: Mapping[str, DebtorType]
    objections: Mapping[str, Objection]
    bases: Mapping[str, Basis]
    messages: Mapping[str, MessageTemplate]
    notices: Mapping[str, Notice]
    never: NeverList
    actions: Mapping[str, Text]
    groups: Mapping[str, Text]
    follow_ups: Mapping[str, Text]

    def texts(self) -> Iterator[tuple[str, Text]]:
        """Every user-facing text with where it lives, for scanners and reviews."""
        for t in self.types.values():
            where = f"debtor_types.yaml: types.{t.key}"
            yield f"{where}.name", t.name
            yield from ((f"{where}.recognise[{i}]", x) for i, x in enumerate(t.recognise))
            yield f"{where}.goal", t.goal
            yield from ((f"{where}.tactics[{i}]", x) for i, x in enumerate(t.tactics))
            for c in t.cards:
                yield f"{where}.cards.{c.key}.title", c.title
                yield from ((f"{where}.cards.{c.key}.say[{i}]", x) for i, x in enumerate(c.say))
        for b in self.bases.values():
            yield f"objections.yaml: bases.{b.key}.name", b.name
            yield f"objections.yaml: bases.{b.key}.fact", b.fact
        for o in self.objections.values():
            where = f"objections.yaml: objections.{o.key}"
            yield f"{where}.says", o.says
            yield from ((f"{where}.answer[{i}]", x) for i, x in enumerate(o.answer))
        for m in self.messages.values():
            where = f"messages.yaml: messages.{m.key}"
            yield f"{where}.when", m.when
            yield f"{where}.sms", m.sms
            yield from ((f"{where}.phone[{i}]", x) for i, x in enumerate(m.phone))
        for n in self.notices.values():
            yield f"messages.yaml: notices.{n.key}.outside", n.outside
            yield f"messages.yaml: notices.{n.key}.inside", n.inside
        yield "never.yaml: title", self.never.title
        yield from ((f"never.yaml: say[{i}]", x) for i, x in enumerate(self.never.say))
        yield from ((f"never.yaml: do[{i}]", x) for i, x in enumerate(self.never.do))
        yield from ((f"never.yaml: reminders.{k}", x) for k, x in self.never.reminders.items())
        for section, table in (("actions", self.actions), ("groups", self.groups), ("follow_ups", self.follow_ups)):
            yield from ((f"labels.yaml: {section}.{k}", v) for k, v in table.items())


def placeholders_in(template: str) -> frozenset[str]:
    """The ``{name}`` fields of a template; rejects anything fancier than a bare name."""
    names: set[str] = set()
    for _, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{field}}} must be a bare name")
        names.add(field)
    return frozenset(names)


class _Reader:
    """Walks one YAML file, turning problems into errors that name file and key."""

    def __init__(self, path: Path) -> None:
        self.file = path.name
        try:
            raw = load_yaml(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ContentError(f"{path}: file is missing") from None
        except YAMLError as exc:
            raise ContentError(f"{self.file}: not valid YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise ContentError(f"{self.file}: the top level must be a mapping")
        self.root: dict[str, Any] = raw

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(f"{self.file}: {key}: {problem}")

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise self.fail(key, "expected a non-empty mapping")
        return value

    def items(self, value: Any, key: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, "expected a non-empty list")
        return value

    def text(self, value: Any, key: str) -> Text:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping with zh and en")
        missing = [loc for loc in LOCALES if not isinstance(value.get(loc), str) or not value[loc].strip()]
        if missing:
            raise self.fail(key, f"missing text for locale {', '.join(missing)}")
        extra = sorted(set(value) - set(LOCALES))
        if extra:
            raise self.fail(key, f"unknown locale {', '.join(extra)}")
        found: dict[str, frozenset[str]] = {}
        for loc in LOCALES:
            try:
                found[loc] = placeholders_in(value[loc])
            except ValueError as exc:
                raise self.fail(f"{key}.{loc}", str(exc)) from None
            unknown = sorted(found[loc] - PLACEHOLDERS)
            if unknown:
                raise self.fail(f"{key}.{loc}", f"unknown placeholder {', '.join('{' + u + '}' for u in unknown)}")
        if found["zh"] != found["en"]:
            raise self.fail(
                key,
                f"zh and en use different placeholders: zh {sorted(found['zh'])}, en {sorted(found['en'])}",
            )
        return Text(zh=value["zh"].strip(), en=value["en"].strip())

    def texts(self, value: Any, key: str) -> tuple[Text, ...]:
        return tuple(self.text(v, f"{key}[{i}]") for i, v in enumerate(self.items(value, key)))

    def choice(self, value: Any, key: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
        if value not in allowed:
            raise self.fail(key, f"{value!r} is not one of {', '.join(sorted(allowed))}")
        return str(value)

    def label_table(self, name: str, required: tuple[str, ...]) -> dict[str, Text]:
        table = self.mapping(self.root.get(name), name)
        missing = [k for k in required if k not in table]
        if missing:
            raise self.fail(name, f"missing {', '.join(missing)}")
        extra = sorted(set(table) - set(required))
        if extra:
            raise self.fail(name, f"unknown key {', '.join(extra)}")
        return {k: self.text(table[k], f"{name}.{k}") for k in required}


def _read_types(directory: Path) -> dict[str, DebtorType]:
    r = _Reader(directory / "debtor_types.yaml")
    raw = r.mapping(r.root.get("types"), "types")
    missing = [k for k in DEBTOR_TYPES if k not in raw]
    if missing:
        raise r.fail("types", f"missing debtor type {', '.join(missing)}")
    extra = sorted(set(raw) - set(DEBTOR_TYPES))
    if extra:
        raise r.fail("types", f"unknown debtor type {', '.join(extra)}")
    types: dict[str, DebtorType] = {}
    for key in DEBTOR_TYPES:
        where = f"types.{key}"
        entry = r.mapping(raw[key], where)
        cards: list[Card] = []
        seen: set[str] = set()
        for i, c in enumerate(r.items(entry.get("cards"), f"{where}.cards")):
            cw = f"{where}.cards[{i}]"
            c = r.mapping(c, cw)
            ckey = c.get("key")
            if not isinstance(ckey, str) or not ckey:
                raise r.fail(cw, "card needs a key")
            if ckey in seen:
                raise r.fail(cw, f"duplicate card key {ckey!r}")
            seen.add(ckey)
            cards.append(
                Card(
                    key=ckey,
                    title=r.text(c.get("title"), f"{cw}.title"),
                    say=r.texts(c.get("say"), f"{cw}.say"),
                    audience=r.choice(c.get("audience", "owner"), f"{cw}.audience", ("owner", "third_party")),  # type: ignore[arg-type]
                )
            )
        types[key] = DebtorType(
            key=key,
            group=r.choice(entry.get("group"), f"{where}.group", GROUPS),
            name=r.text(entry.get("name"), f"{where}.name"),
            recognise=r.texts(entry.get("recognise"), f"{where}.recognise"),
            goal=r.text(entry.get("goal"), f"{where}.goal"),
            tactics=r.texts(entry.get("tactics"), f"{where}.tactics"),
            cards=tuple(cards),
        )
    return types


def _read_objections(directory: Path) -> tuple[dict[str, Basis], dict[str, Objection]]:
    r = _Reader(directory / "objections.yaml")
    bases = {
        key: Basis(key=key, name=r.text(b.get("name"), f"bases.{key}.name"), fact=r.text(b.get("fact"), f"bases.{key}.fact"))
        for key, b in r.mapping(r.root.get("bases"), "bases").items()
        if r.mapping(b, f"bases.{key}")
    }
    objections: dict[str, Objection] = {}
    for key, o in r.mapping(r.root.get("objections"), "objections").items():
        where = f"objections.{key}"
        o = r.mapping(o, where)
        basis_keys = o.get("basis", [])
        if not isinstance(basis_keys, list):
            raise r.fail(f"{where}.basis", "expected a list of basis keys")
        type_keys = o.get("types", [])
        if not isinstance(type_keys, list):
            raise r.fail(f"{where}.types", "expected a list of debtor types")
        third_party = o.get("third_party", False)
        if not isinstance(third_party, bool):
            raise r.fail(f"{where}.third_party", "expected true or false")
        objections[key] = Objection(
            key=key,
            says=r.text(o.get("says"), f"{where}.says"),
            answer=r.texts(o.get("answer"), f"{where}.answer"),
            follow_up=r.choice(o.get("follow_up"), f"{where}.follow_up", FOLLOW_UPS),
            basis=tuple(bases[r.choice(b, f"{where}.basis", frozenset(bases))] for b in basis_keys),
            types=tuple(r.choice(t, f"{where}.types", DEBTOR_TYPES) for t in type_keys),
            third_party=third_party,
            refusal=r.choice(o.get("refusal", "dispute"), f"{where}.refusal", REFUSAL_KINDS),
        )
    return bases, objections


def _read_messages(directory: Path) -> tuple[dict[str, MessageTemplate], dict[str, Notice]]:
    r = _Reader(directory / "messages.yaml")
    raw = r.mapping(r.root.get("messages"), "messages")
    missing = [k for k in MESSAGE_KEYS if k not in raw]
    if missing:
        raise r.fail("messages", f"missing template {', '.join(missing)}")
    messages: dict[str, MessageTemplate] = {}
    for key, m in raw.items():
        where = f"messages.{key}"
        m = r.mapping(m, where)
        messages[key] = MessageTemplate(
            key=key,
            when=r.text(m.get("when"), f"{where}.when"),
            sms=r.text(m.get("sms"), f"{where}.sms"),
            phone=r.texts(m.get("phone"), f"{where}.phone"),
        )
    notices = {
        key: Notice(
            key=key,
            outside=r.text(r.mapping(n, f"notices.{key}").get("outside"), f"notices.{key}.outside"),
            inside=r.text(n.get("inside"), f"notices.{key}.inside"),
        )
        for key, n in r.mapping(r.root.get("notices"), "notices").items()
    }
    return messages, notices


def _read_never(directory: Path) -> NeverList:
    r = _Reader(directory / "never.yaml")
    return NeverList(
        title=r.text(r.root.get("title"), "title"),
        say=r.texts(r.root.get("say"), "say"),
        do=r.texts(r.root.get("do"), "do"),
        reminders=MappingProxyType(r.label_table("reminders", SCAN_CATEGORIES)),
    )


def read_playbook(directory: Path) -> Playbook:
    """Read and check the playbook in ``directory`` (uncached; tests use it on bad copies)."""
    types = _read_types(directory)
    bases, objections = _read_objections(directory)
    messages, notices = _read_messages(directory)
    labels = _Reader(directory / "labels.yaml")
    return Playbook(
        types=types,
        objections=objections,
        bases=bases,
        messages=messages,
        notices=notices,
        never=_read_never(directory),
        actions=labels.label_table("actions", ACTIONS),
        groups=labels.label_table("groups", GROUPS),
        follow_ups=labels.label_table("follow_ups", FOLLOW_UPS),
    )


def playbook_dir() -> Path:
    """Where the reviewed playbook content lives."""
    return templates_dir() / "playbook"


@lru_cache(maxsize=4)
def _cached(directory: str) -> Playbook:
    return read_playbook(Path(directory))


def load_playbook(directory: Path | None = None) -> Playbook:
    """The playbook, read once per directory and cached (content does not change at run time)."""
    return _cached(str((directory or playbook_dir()).resolve()))
