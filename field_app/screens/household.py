"""One household: what is owed, what happened, what to say, and the outcome keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from knock.advice import ObjectionView
from knock.core.payment_rules import PaymentReview
from knock.core.money import format_yuan
from knock.home import Home
from knock.vocabulary import label

from field_app.data.household import HouseholdView, load_household, promise_days, reveal_phones
from field_app.data.outcomes import Saved, save_outcome
from field_app.i18n import N_, _, get_locale
from field_app.labels import category_label, item_label, method_label, outcome_label, window_label
from field_app.outcomes import Complaint, NoteOnly, NotHome, Outcome, Paid, Promised, Refused, Unreachable
from field_app.widgets.common import StatusLine, TranslatedBindings, short_path
from field_app.workers import WorkerResults, result_of

OUTCOME_KEYS = (
    ("1", "paid", N_("Paid")),
    ("2", "promised", N_("Promise")),
    ("3", "not_home", N_("Not home")),
    ("4", "refused", N_("Refused")),
    ("5", "complaint", N_("Complaint")),
    ("6", "unreachable", N_("Can't reach")),
    ("7", "note", N_("Note")),
)
"""The outcome keys, in the order of the buttons at the bottom of the screen."""

FOLLOW_UP_OUTCOME = {"appointment": "promised", "repair_ticket": "complaint"}
"""The playbook's follow-ups (knock/templates/playbook/labels.yaml) that open an outcome dialog other than their own key."""

SAVE = "save_outcome"
"""The name of the write that saves a confirmed outcome (its result and failure handlers use it)."""

TABS = ("tab-arrears", "tab-timeline", "tab-cards", "tab-objections")


@dataclass(frozen=True)
class Reviewed:
    """The payment rules' verdict on a payment about to be confirmed (what the review worker returns)."""

    intent: Paid
    review: PaymentReview


@dataclass(frozen=True)
class Committed:
    """An outcome committed to the ledger (what the save worker returns)."""

    intent: Outcome
    saved: Saved


class HouseholdScreen(TranslatedBindings, WorkerResults, Screen[None]):
    """The household a collector is standing in front of."""

    AUTO_FOCUS = None
    """Nothing focused: every key goes to the screen, so Enter never records by accident."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("left", "tab(-1)", "◀ ▶ switch page", priority=True),
        Binding("right", "tab(1)", "Tabs", show=False, priority=True),
        Binding("p", "reveal_phone", "Show phone"),
        *[Binding(key, f"outcome('{kind}')", label, show=False) for key, kind, label in OUTCOME_KEYS],
    ]

    def __init__(self, room: str) -> None:
        super().__init__()
        self.room = room
        self.view: HouseholdView | None = None
        self.phones: tuple[str, ...] | None = None
        self.override_by = ""
        self.override_reason = ""
        self.saving = False
        self.reviewing = False
        """The payment rules are being applied to a payment (a worker): keys wait."""
        self.load_failed = False
        self.refreshing = False
        """A save landed and the household is being read again: the figures on screen are from before it."""

    def ready_for_keys(self) -> bool:
        """Outcome keys mean something once the household is on screen and nothing is being saved."""
        return (self.view is not None or self.load_failed) and not (self.saving or self.reviewing or self.refreshing)

    def compose(self) -> ComposeResult:
        yield Static("", id="banner", classes="banner hidden")
        yield Static(_("Loading {room}…").format(room=self.room), id="hh-summary", classes="summary")
        with TabbedContent(id="hh-tabs"):
            with TabPane(_("Arrears"), id="tab-arrears"):
                yield DataTable(id="arrears", cursor_type="none", zebra_stripes=True)
            with TabPane(_("History"), id="tab-timeline"):
                with VerticalScroll():
                    yield Static("", id="timeline")
            with TabPane(_("What to say"), id="tab-cards"):
                with VerticalScroll():
                    yield Static("", id="cards")
            with TabPane(_("Objections"), id="tab-objections"):
                yield OptionList(id="objections")
                yield Static(_("Pick what the owner said to see a polite answer."), id="answer", classes="answer")
        yield StatusLine(id="hh-status")
        with Horizontal(id="actions"):
            for key, kind, label in OUTCOME_KEYS:
                yield Button(f"{key} {_(label)}", id=f"do-{kind}", classes="action")
        yield Footer()

    def on_mount(self) -> None:
        # Left/right belong to the screen (switch tabs) wherever the focus is. A query, not
        # query_one: a quit queued behind the Enter that opened this screen removes its children
        # before this runs, and that must end the app quietly.
        for widget in self.query("#arrears, Tabs"):
            widget.can_focus = False
        self.load()

    @on(TabbedContent.TabActivated)
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-objections":
            self.query_one("#objections").focus()

    # -- loading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="household")
    def load(self) -> HouseholdView:
        app = self.app
        return load_household(app.home, self.room, app.staff_id, app.now())  # type: ignore[attr-defined]

    @result_of(load)
    def show_household(self, view: HouseholdView) -> None:
        self.view = view
        self.refreshing = False
        self.render_view()

    def worker_failed(self, name: str, text: str) -> None:
        not_saved = name in ("review_payment", SAVE)
        if name == SAVE:
            self.close_confirmation()
        if not_saved:
            self.saving = False
            self.reviewing = False
            self.query_one("#hh-summary", Static).update(self.summary_text())
        if name == "load":
            self.refreshing = False
        if name == "load" and self.view is None:
            self.load_failed = True
            self.query_one("#hh-summary", Static).update(Text(text, style="bold red"))
        title = _("Not saved") if not_saved else _("Not printed") if name in ("print_receipt", "print_notice") else ""
        self.say(text, title=title, severity="error")

    def render_view(self) -> None:
        view = self.view
        assert view is not None
        banner = self.query_one("#banner", Static)
        lines = list(view.guard.warnings)
        if view.guard.blocked:
            lines.append(view.guard.reason)
        banner.update("⚠ " + "  ".join(lines) if lines else "")
        banner.set_class(not lines, "hidden")
        self.query_one("#hh-summary", Static).update(self.summary_text())
        self.fill_arrears()
        self.query_one("#timeline", Static).update(self.timeline_text())
        self.query_one("#cards", Static).update(self.cards_text())
        objections = self.query_one("#objections", OptionList)
        objections.clear_options()
        objections.add_options([Option(o.says, id=o.key) for o in view.objections])

    def summary_text(self) -> Text:
        view = self.view
        if view is None:
            return Text(_("Loading {room}…").format(room=self.room))
        acct = view.account
        text = Text()
        text.append(f"{view.household.room}  ", style="bold")
        text.append(f"{view.owner}  ", style="bold")
        advice = view.advice
        debtor = "—" if advice is None else advice.type_label or _("Paid up")
        text.append(f"[{debtor}]  ", style="reverse")
        owed = acct.overdue_fen or acct.owed_fen
        text.append(_("Owes ¥{amount} · {months} months").format(amount=format_yuan(owed), months=acct.months_owed), style="bold yellow")
        if acct.penalty_total_fen:
            text.append("  " + _("late fee ¥{amount}").format(amount=format_yuan(acct.penalty_total_fen)))
        text.append("\n")
        action = advice.next_action if advice is not None else None
        window = f" · {action.window.label}" if action is not None and action.window is not None else ""
        text.append(_("Next: {action}").format(action=action.label if action is not None else "—") + window)
        text.append("\n")
        phones = self.phones if self.phones is not None else view.phones_masked
        phone_text = ("、" if get_locale() == "zh" else ", ").join(phones) if phones else _("no phone on file")
        hint = "" if self.phones is not None or not phones else "  " + _("(P to show)")
        text.append(_("Phone: {phones}").format(phones=phone_text) + hint)
        text.append("   " + _("Contacts today {n}/{cap}").format(n=view.guard.contacts_today, cap=view.guard.cap))
        if self.saving:
            text.append("   " + _("Saving…"), style="bold")
        return text

    def fill_arrears(self) -> None:
        view = self.view
        assert view is not None
        table = self.query_one("#arrears", DataTable)
        table.clear(columns=True)
        show_penalty = view.account.penalty_total_fen > 0
        columns = [_("Period"), _("Item"), _("Open ¥"), _("How long owed")] + ([_("Late fee ¥")] if show_penalty else [])
        rows: list[list[Any]] = []
        for charge in view.account.open_charges:
            period = f"{charge.period_start:%Y-%m}" if charge.period_start.month == charge.period_end.month else f"{charge.period_start:%Y-%m}~{charge.period_end:%m}"
            cells: list[Any] = [period, item_label(charge.item), Text(format_yuan(charge.open_fen), justify="right"), label("ageing_buckets", charge.bucket, get_locale()) if charge.bucket else "—"]
            if show_penalty:
                cells.append(Text(format_yuan(charge.penalty_fen), justify="right"))
            rows.append(cells)
        if not view.account.open_charges:
            rows.append([_("Nothing owed"), "", "", "", *([""] if show_penalty else [])])
        # Widths measured here, not left to the table: refilled while the screen reloads after a save,
        # its own measuring sometimes cut the columns to "2026" and "物业".
        for index, column in enumerate(columns):
            width = max(cell_len(str(r[index])) for r in [[*columns], *rows])
            table.add_column(column, width=width)
        for cells in rows:
            table.add_row(*cells)

    def timeline_text(self) -> Text:
        view = self.view
        assert view is not None
        if not view.timeline:
            return Text(_("Nothing recorded yet."))
        text = Text()
        for entry in view.timeline:
            text.append(entry.at[:16].replace("T", " "), style="dim")
            text.append(f"  {entry.text}\n")
        return text

    def cards_text(self) -> Text:
        advice = self.view.advice if self.view else None
        text = Text()
        for alert in (*(advice.alerts if advice else ()), *([self.view.advice_error] if self.view and self.view.advice_error else [])):
            text.append(f"! {alert}\n", style="bold yellow")
        if advice is not None and advice.reasons:
            text.append(_("Why this type:") + "\n", style="bold")
            for reason in advice.reasons:
                text.append(f"  • {reason}\n")
        for card in advice.cards if advice is not None else ():
            text.append(f"\n{card.title}\n", style="bold")
            text.append("\n".join(card.lines) + "\n")
        if not text.plain:
            text.append(_("Greet by surname and title, give a neutral reason for the visit, state the amount and period plainly, and offer two times to choose from."))
        return text

    # -- objections ------------------------------------------------------------------------------

    def objection(self, key: str | None) -> ObjectionView | None:
        if self.view is None or key is None:
            return None
        return next((o for o in self.view.objections if o.key == key), None)

    @on(OptionList.OptionHighlighted, "#objections")
    def objection_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = self.objection(event.option_id)
        if chosen is None:
            return
        text = Text()
        text.append("\n".join(chosen.answer) or _("(no standard answer for this one)"))
        follow = chosen.follow_up_label or _("record the refusal")
        text.append("\n" + _("Enter: {follow_up}").format(follow_up=follow), style="bold")
        self.query_one("#answer", Static).update(text)

    @on(OptionList.OptionSelected, "#objections")
    def objection_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = self.objection(event.option_id)
        if chosen is None:
            return
        kinds = {kind for _key, kind, _label in OUTCOME_KEYS}
        action = FOLLOW_UP_OUTCOME.get(chosen.follow_up, chosen.follow_up)
        if action in kinds:
            self.action_outcome(action, preselected=chosen.key)
        else:
            self.action_outcome("refused", preselected=chosen.key)

    # -- keys ------------------------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.saving:
            self.app.pop_screen()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#hh-tabs", TabbedContent)
        index = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(index + step) % len(TABS)]
        if tabs.active == "tab-objections":
            self.query_one("#objections").focus()
        elif self.focused is self.query_one("#objections"):
            self.set_focus(None)

    def action_reveal_phone(self) -> None:
        if self.view is not None and self.view.household.phones and self.phones is None:
            self.reveal()

    @work(thread=True, exclusive=True, exit_on_error=False, group="phones")
    def reveal(self) -> tuple[str, ...]:
        app = self.app
        return reveal_phones(app.home, self.room, app.staff_id)  # type: ignore[attr-defined]

    @result_of(reveal)
    def show_phones(self, phones: tuple[str, ...]) -> None:
        self.phones = phones
        self.query_one("#hh-summary", Static).update(self.summary_text())

    @on(Button.Pressed, ".action")
    def action_button(self, event: Button.Pressed) -> None:
        if event.button.id:
            self.action_outcome(event.button.id.removeprefix("do-"))

    def action_outcome(self, kind: str, preselected: str = "") -> None:
        """Start recording an outcome (after the contact-cap check)."""
        if self.view is None or self.saving:
            return
        if kind != "paid" and self.view.guard.blocked and not self.override_by:
            from field_app.screens.confirm import InfoDialog

            choices = [("override", _("A manager approves with their PIN")), ("back", _("Back, do not contact"))]
            title = _("Quiet hours: no visits or calls") if self.view.guard.needs_reason else _("Daily contact limit reached")
            self.app.push_screen(
                InfoDialog(title, [self.view.guard.reason, *self.view.guard.warnings], choices),
                callback=lambda choice: self.after_block(choice, kind, preselected),
            )
            return
        self.open_dialog(kind, preselected)

    def after_block(self, choice: str | None, kind: str, preselected: str) -> None:
        if choice != "override" or self.view is None:
            return
        from field_app.screens.manager_override import ManagerOverrideDialog

        def approved(approval: tuple[str, str] | None) -> None:
            if approval:
                self.override_by, self.override_reason = approval
                self.open_dialog(kind, preselected)

        self.app.push_screen(ManagerOverrideDialog(self.view.guard.reason, ask_reason=self.view.guard.needs_reason), callback=approved)

    def open_dialog(self, kind: str, preselected: str = "") -> None:
        from field_app.screens.record_complaint import RecordComplaintDialog
        from field_app.screens.record_not_home import RecordNotHomeDialog
        from field_app.screens.record_note import RecordNoteDialog
        from field_app.screens.record_paid import RecordPaidDialog
        from field_app.screens.record_promise import RecordPromiseDialog
        from field_app.screens.record_refused import RecordRefusedDialog
        from field_app.screens.record_unreachable import RecordUnreachableDialog

        view = self.view
        assert view is not None
        room = view.household.room
        today = self.app.now().date()  # type: ignore[attr-defined]
        owed = view.account.overdue_fen or view.account.owed_fen
        dialog: Any
        if kind == "paid":
            if owed <= 0:
                self.say(_("Nothing is owed; there is nothing to collect."), severity="warning")
                return
            dialog = RecordPaidDialog(room, owed)
        elif kind == "promised":
            dialog = RecordPromiseDialog(room, promise_days(today, self.app.home.settings), today)  # type: ignore[attr-defined]
        elif kind == "not_home":
            dialog = RecordNotHomeDialog(room)
        elif kind == "refused":
            dialog = RecordRefusedDialog(room, view.objections, preselected)
        elif kind == "complaint":
            dialog = RecordComplaintDialog(room, "defect" if preselected == "defect" else "")
        elif kind == "unreachable":
            dialog = RecordUnreachableDialog(room)
        else:
            dialog = RecordNoteDialog(room, view.advice.next_action.key)
        self.app.push_screen(dialog, callback=self.confirm)

    # -- confirm and save ------------------------------------------------------------------------

    def confirm(self, intent: Outcome | None) -> None:
        if intent is None:
            return
        if isinstance(intent, Paid) and not intent.reviewed:
            self.reviewing = True
            self.review_payment(intent)
            return
        from field_app.screens.payment_qr import QR_METHODS, PaymentQRScreen

        if isinstance(intent, Paid) and intent.method in QR_METHODS:
            # Scan first (the amount already reviewed): the owner pays on the phone, then the collector confirms.
            qr = PaymentQRScreen(intent.room, intent.amount_fen, intent.method, self.app.home.settings.payqr)  # type: ignore[attr-defined]
            self.app.push_screen(qr, callback=lambda choice: self.after_qr(choice, intent))
            return
        self.ask_to_save(intent)

    def after_qr(self, choice: str | None, intent: Paid) -> None:
        """Paid on the phone: confirm and save; the notice instead: print it; back: nothing."""
        if choice == "paid":
            self.ask_to_save(intent)
        elif choice == "notice":
            self.start_print(room=intent.room)

    def ask_to_save(self, intent: Outcome) -> None:
        """The confirmation dialog; Enter saves."""
        from field_app.screens.confirm import ConfirmDialog

        lines = summary_lines(intent, self.view)
        if self.view is not None:
            # Every guardrail warning is in front of the person before they confirm, not only stored.
            lines.extend("⚠ " + w for w in self.view.guard.warnings)
        if self.override_by:
            lines.append(_("Approved by a manager (this is logged)."))
            if self.override_reason:
                lines.append(_("Reason: {reason}").format(reason=self.override_reason))
        self.app.push_screen(ConfirmDialog(lines, on_yes=lambda: self.save(intent)))  # it stays up until the save ends

    # -- the payment rules (knock/core/payment_rules.py) -------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review")
    def review_payment(self, intent: Paid) -> Reviewed:
        app = self.app
        return Reviewed(intent, app.home.ledger.review_payment(intent.room, intent.amount_fen, at=app.now()))  # type: ignore[attr-defined]

    @result_of(review_payment)
    def payment_reviewed(self, reviewed: Reviewed) -> None:
        """Refuse what the rules refuse; ask explicitly about an overpayment and a double submit; then the usual confirmation."""
        from dataclasses import replace

        from field_app.screens.confirm import ExplicitConfirmDialog, InfoDialog
        from field_app.screens.record_paid import RecordPaidDialog

        self.reviewing = False
        intent, review = reviewed.intent, reviewed.review
        amount = format_yuan(intent.amount_fen)
        if review.refusal:
            if review.refused_because == "over_max":
                why = _("¥{amount} is more than one payment may be (at most ¥{limit}).").format(amount=amount, limit=format_yuan(review.limit_fen))
            else:
                why = _("¥{amount} is more than {n} times the ¥{owed} owed. Check the amount: was the decimal point missed?").format(
                    amount=amount, n=review.multiple, owed=format_yuan(review.owed_fen)
                )

            def retry(_choice: str | None) -> None:
                self.app.push_screen(RecordPaidDialog(intent.room, intent.owed_fen, payer=intent.payer), callback=self.confirm)

            self.app.push_screen(InfoDialog(_("Amount refused"), [why]), callback=retry)
            return
        if review.overpay_fen and not intent.overpay_confirmed:
            lines = [
                _("¥{amount} is ¥{extra} more than the ¥{owed} owed.").format(amount=amount, extra=format_yuan(review.overpay_fen), owed=format_yuan(review.owed_fen)),
                _("The ¥{extra} is kept as credit (预存) for the next bills.").format(extra=format_yuan(review.overpay_fen)),
                _("Press Y if the owner really pays this much."),
            ]
            self.app.push_screen(
                ExplicitConfirmDialog(lines, title=_("More than owed"), yes=_("Yes, keep it as credit (Y)")),
                callback=lambda ok: self.payment_reviewed(Reviewed(replace(intent, overpay_confirmed=True), review)) if ok else None,
            )
            return
        if review.repeat_of is not None and not intent.again:
            # Any payment minutes after another on the same door asks (Y only; a queued Enter says no):
            # keys typed ahead after a part payment spell out a second payment of the rest.
            before = review.repeat_of
            when, receipt = before.paid_at.strftime("%H:%M"), before.receipt_no
            if review.same_amount:
                title = _("Paid twice?")
                first = _("¥{amount} was already taken from this household at {time} (receipt {no}).").format(amount=amount, time=when, no=receipt)
            else:
                title = _("A second payment?")
                first = _("¥{before} was taken from this household at {time} (receipt {no}); this would be another ¥{amount}.").format(
                    before=format_yuan(before.amount_fen), time=when, no=receipt, amount=amount
                )
            lines = [first, _("Press Y only if the owner is really paying a second time.")]
            self.app.push_screen(
                ExplicitConfirmDialog(lines, title=title, yes=_("Yes, a second payment (Y)")),
                callback=lambda ok: self.payment_reviewed(Reviewed(replace(intent, again=True), review)) if ok else None,
            )
            return
        self.confirm(replace(intent, reviewed=True))

    def save(self, intent: Outcome) -> None:
        """Write the outcome now, on the app's writing thread; the screen changes nothing until it lands.

        Why nothing is redrawn here: the confirmation stays up (it says "Saving…")
        and keys wait, so the summary beneath needs no news, and a repaint would
        only compete with the commit for the interpreter.
        """
        self.saving = True
        app = self.app
        override = (self.override_by, self.override_reason)
        self.run_write(SAVE, write_outcome, app.home, app.staff_id, intent, override, self.view.guard.codes if self.view else ())  # type: ignore[attr-defined]

    def close_confirmation(self) -> None:
        """The save ended: the confirmation that stayed up while it ran goes (see :class:`ConfirmDialog`)."""
        from field_app.screens.confirm import ConfirmDialog

        for screen in self.app.screen_stack:  # on top, or under the idle lock
            if isinstance(screen, ConfirmDialog) and screen.busy:
                screen.finished()

    @result_of(SAVE)
    def outcome_saved(self, done: Committed) -> None:
        self.close_confirmation()
        self.saving = False
        self.override_by = ""
        self.override_reason = ""
        self.app.background_sync.soon()  # type: ignore[attr-defined]  # committed: the office may have it in a few seconds
        saved = done.saved
        if saved.reminders:
            # The rule reminder matters more than "saved": it takes the status line, the save message leads it.
            self.say(" ".join([saved.message, *saved.reminders]), title=_("A gentle reminder"), severity="warning", timeout=15)
        else:
            self.say(saved.message)
        # Keys wait for the figures after the payment: a second "pay" must not offer the old amount.
        self.refreshing = True
        self.load()
        if saved.receipt_no:
            from field_app.screens.confirm import InfoDialog

            lines = [
                _("Receipt number: {no}").format(no=saved.receipt_no),
                _("Received ¥{amount}").format(amount=format_yuan(done.intent.amount_fen)),
                _("Still owed ¥{amount}").format(amount=format_yuan(saved.owed_after_fen or 0)),
            ]
            choices = [("print", _("Print the receipt")), ("done", _("Done"))]
            self.app.push_screen(
                InfoDialog(_("Payment saved"), lines, choices),
                callback=lambda choice: self.start_print(receipt_no=saved.receipt_no) if choice == "print" else None,
            )
        if saved.leave_notice:
            self.start_print(room=done.intent.room)

    def start_print(self, *, receipt_no: str = "", room: str = "") -> None:
        """Printing takes a second or two: say so, and do it in a worker."""
        self.say(_("Printing…"))
        if receipt_no:
            self.print_receipt(receipt_no)
        else:
            self.print_notice(room)

    # -- printing (documents service) ------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="print")
    def print_receipt(self, receipt_no: str) -> str:
        """Receipt step: the documents service renders and prints it; says where it went."""
        from knock.documents.service import print_receipt

        outcome = print_receipt(self.app.home, receipt_no, locale=get_locale(), author=self.app.staff_id)  # type: ignore[attr-defined, arg-type]
        return _("Receipt {no}: {where}").format(no=receipt_no, where=describe_print(outcome, self.app.home.path))  # type: ignore[attr-defined]

    @work(thread=True, exit_on_error=False, group="print")
    def print_notice(self, room: str) -> str:
        """Not-home step: a notice with the amount and the payment QR; says where it went."""
        from knock.documents.service import print_notice

        outcome = print_notice(self.app.home, room, collector=self.app.staff_id, locale=get_locale())  # type: ignore[attr-defined, arg-type]
        return _("Notice for {room}: {where}").format(room=room, where=describe_print(outcome, self.app.home.path))  # type: ignore[attr-defined]

    @result_of(print_receipt, print_notice)
    def printed(self, where: str) -> None:
        self.say(where, timeout=20)

    def say(self, text: str, *, title: str = "", severity: str = "information", timeout: float = 12.0) -> None:
        """A message in the status line above the outcome keys (never over them)."""
        self.query_one("#hh-status", StatusLine).say(text, title=title, severity=severity, timeout=timeout)


def write_outcome(home: Home, staff_id: str, intent: Outcome, override: tuple[str, str], warnings: tuple[str, ...]) -> Committed:
    """Save a confirmed outcome (on the app's writing thread): one outcome, one transaction."""
    by, reason = override
    return Committed(intent, save_outcome(home, staff_id, intent, override_by=by, override_reason=reason, warnings=warnings))


def describe_print(outcome: Any, home: Any = None) -> str:
    """Where a printed document went, from a ``PrintOutcome`` (path, printed), in the app's language.

    The path is shortened (relative to the Knock folder) so the line never wraps mid-word.
    """
    path = getattr(outcome, "path", None)
    shown = short_path(path, home) if path is not None else ""
    if getattr(outcome, "printed", False):
        return _("sent to the printer; also saved as {path}").format(path=shown)
    if path is not None:
        return _("no printer; saved as {path}").format(path=shown)
    return str(getattr(outcome, "message", outcome))


def summary_lines(intent: Outcome, view: HouseholdView | None) -> list[str]:
    """What the confirm dialog shows for an outcome."""
    owner = view.owner if view else ""
    head = f"{intent.room} {owner}".strip()
    if isinstance(intent, Paid):
        lines = [head, _("Take ¥{amount} by {method}").format(amount=format_yuan(intent.amount_fen), method=method_label(intent.method))]
        if intent.payer:
            lines.append(_("Paid by: {payer}").format(payer=intent.payer))
        if intent.amount_fen < intent.owed_fen:
            lines.append(_("Part payment: ¥{left} will still be owed").format(left=format_yuan(intent.owed_fen - intent.amount_fen)))
        elif intent.amount_fen > intent.owed_fen:
            lines.append(_("More than owed: ¥{extra} is kept as credit").format(extra=format_yuan(intent.amount_fen - intent.owed_fen)))
        return lines
    if isinstance(intent, Promised):
        from field_app.labels import day_text

        amount = _(" ¥{amount}").format(amount=format_yuan(intent.amount_fen)) if intent.amount_fen else ""
        return [head, _("Promises to pay on {day}, {window}").format(day=day_text(intent.due_date), window=window_label(intent.window)) + amount]
    if isinstance(intent, NotHome):
        return [head, _("Nobody home") + (" · " + _("leave a notice") if intent.leave_notice else "")]
    if isinstance(intent, Refused):
        titles = {o.key: o.says for o in view.objections} if view else {}
        return [head, _("Refused: {reason}").format(reason=titles.get(intent.objection, intent.objection)), intent.note]
    if isinstance(intent, Complaint):
        category = category_label(intent.category)
        return [head, _("Complaint: {category}").format(category=category), intent.text]
    if isinstance(intent, Unreachable):
        lines = [head, outcome_label(intent.outcome)]
        if intent.new_phone:
            lines.append(_("New phone: {phone}").format(phone=intent.new_phone))
        return lines
    if isinstance(intent, NoteOnly):
        return [head, _("Note: {text}").format(text=intent.text)]
    return [head]
