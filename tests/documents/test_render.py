"""Render every document, read it back as text and images, and check what a reader would see."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime

import pytest

from knock.core.daxie import to_daxie
from knock.core.payqr import parse_emvco
from knock.core.signing import verify_receipt_text
from knock.documents import fonts, samples
from knock.documents.fonts import MissingFontError
from knock.documents.render import (
    LOCALES,
    SIZES,
    DocumentError,
    fit_lines,
    render_letter,
    render_letters,
    render_notice,
    render_receipt,
)
from knock.documents.views import PeriodAmount, ReceiptView
from knock.paths import templates_dir

from .readback import ReadBack, flat, read_back, save_for_eyes

WIDTH_MM = {"a5": 148, "a4": 210, "80mm": 80, "58mm": 58}
TITLE = {"zh": "收款收据", "en": "RECEIPT"}


@pytest.fixture(scope="module")
def receipt(device_key) -> ReceiptView:
    return samples.sample_receipt(device_key)


@pytest.fixture(scope="module")
def receipts(receipt: ReceiptView) -> dict[tuple[str, str], ReadBack]:
    rendered = {}
    for size in SIZES:
        for locale in LOCALES:
            pdf = render_receipt(receipt, size, locale)  # type: ignore[arg-type]
            save_for_eyes(pdf, f"receipt-{size}-{locale}.pdf")
            rendered[size, locale] = read_back(pdf)
    return rendered


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_receipt_text(receipts, receipt: ReceiptView, size: str, locale: str) -> None:
    doc = receipts[size, locale]
    text = doc.flat_text()
    for expected in (
        TITLE[locale],
        receipt.company,
        receipt.receipt_no,
        receipt.room,
        receipt.owner_name,
        "1,005.60",
        "壹仟零伍元陆角整",
        "750.00",
        "15.60",
        "1,500.00",  # still owed
        receipt.collector,
        receipt.device_id,
    ):
        assert flat(expected) in text, f"{expected!r} missing from the {size} {locale} receipt"
    assert flat("微信支付" if locale == "zh" else "WeChat Pay") in text
    assert flat("2025年01月–2025年03月" if locale == "zh" else "Jan 2025 – Mar 2025") in text
    assert flat("2025年03月08日 19:42" if locale == "zh" else "2025-03-08 19:42") in text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_receipt_glyphs_come_from_a_cjk_font(receipts, size: str, locale: str) -> None:
    used = receipts[size, locale].fonts_of_cjk_text()
    assert used and all("CJK" in name for name in used), used


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_receipt_embeds_one_face_and_draws_bold_by_stroking(receipts, receipt: ReceiptView, size: str, locale: str) -> None:
    """One CJK face per receipt (each face embedded costs a subset per render); bold parts still print bold."""
    doc = receipts[size, locale]
    assert len(doc.fonts_of_text()) == 1, doc.fonts_of_text()
    by_mode = doc.text_by_render_mode()
    bold = flat("".join(by_mode.get(2, [])))
    for emphasised in (TITLE[locale], receipt.receipt_no, receipt.room, "1,005.60", "1,500.00"):
        assert flat(emphasised) in bold, f"{emphasised!r} is not drawn bold on the {size} {locale} receipt"
    plain = flat("".join(by_mode.get(0, [])))
    assert receipt.owner_name in plain and receipt.owner_name not in bold


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_receipt_nothing_overlaps(device_key, size: str, locale: str) -> None:
    """No two text runs (or a run and the code) are drawn over each other, with every optional line present."""
    view = samples.sample_receipt(
        device_key, payer="王小明", company_credit_code="91330100MA2B3C4D5E", company_address="杭州市西湖区文三路100号",
        invoice_place="物业服务中心前台", credit_fen=2000,
    )
    drawn = [(text, pos) for text, pos in read_back(render_receipt(view, size, locale)).boxes() if text.strip() or not text]  # type: ignore[arg-type]
    shrink = 0.8  # points: glyph boxes of neighbouring lines touch at their edges
    for i, (text_a, a) in enumerate(drawn):
        for text_b, b in drawn[i + 1 :]:
            apart = a[2] - shrink <= b[0] or b[2] - shrink <= a[0] or a[3] - shrink <= b[1] or b[3] - shrink <= a[1]
            assert apart, f"{text_a or 'image'!r} overlaps {text_b or 'image'!r} on the {size} {locale} receipt"
    code = next(pos for text, pos in drawn if not text)
    hint = next(pos for text, pos in drawn if text.startswith(_strings()[locale]["not_invoice"][:6]))
    assert hint[3] <= code[1], "the notes at the foot start below the code, not beside it"


@pytest.mark.parametrize("size", SIZES)
def test_receipt_page_size_and_one_page(receipts, size: str) -> None:
    doc = receipts[size, "zh"]
    assert len(doc) == 1
    width, height = doc.size_mm()
    assert width == pytest.approx(WIDTH_MM[size], abs=0.5)
    if size in ("80mm", "58mm"):
        assert 120 < height < 300, "a roll receipt is cut just below its last line"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_receipt_qr_decodes_and_verifies(receipts, receipt: ReceiptView, device_key, size: str, locale: str) -> None:
    codes = receipts[size, locale].qr_codes()
    assert [c.text for c in codes] == [receipt.qr_text]
    assert codes[0].width_mm >= 20, "the code must print at least 2 cm wide"
    result = verify_receipt_text(codes[0].text, {device_key.device_id: device_key.public_bytes}.get)
    assert result.genuine, result.reason
    assert result.fields is not None
    assert (result.fields.receipt_no, result.fields.amount_fen, result.fields.room) == (receipt.receipt_no, 100560, "3-2-501")


@pytest.fixture(scope="module")
def marked(device_key) -> dict[str, ReadBack]:
    view = samples.sample_receipt(
        device_key, voided_reason="金额录入错误，已重开收据", is_reprint=True, reprinted_at=datetime(2025, 3, 9, 10, 5)
    )
    out = {}
    for size in ("a5", "58mm"):
        pdf = render_receipt(view, size, "zh")  # type: ignore[arg-type]
        save_for_eyes(pdf, f"receipt-void-{size}.pdf")
        out[size] = read_back(pdf)
    out["en"] = read_back(render_receipt(view, "80mm", "en"))
    return out


@pytest.mark.parametrize("key", ["a5", "58mm"])
def test_void_and_reprint_are_marked(marked, key: str) -> None:
    doc = marked[key]
    assert len(doc) == 1
    text = doc.flat_text()
    assert text.count("作废") >= 2  # banner, note and stamp
    assert "金额录入错误，已重开收据" in text
    assert "重印" in text and "2025年03月09日10:05" in text
    assert "1,005.60" in text, "a void receipt still shows what it was"


def test_void_and_reprint_english(marked) -> None:
    text = marked["en"].flat_text()
    assert "VOID" in text and "REPRINT" in text


def test_plain_receipt_has_no_marks(receipts) -> None:
    assert "作废" not in receipts["a5", "zh"].flat_text()
    assert "重印" not in receipts["a5", "zh"].flat_text()


def test_settled_and_credit(device_key) -> None:
    view = samples.sample_receipt(device_key, remaining_owed_fen=0, credit_fen=2000, method="现金袋")
    text = read_back(render_receipt(view, "58mm", "zh")).flat_text()
    assert "已结清" in text and "20.00" in text and "现金袋" in text


def test_receipt_items_must_add_up(device_key) -> None:
    with pytest.raises(ValueError, match="add up"):
        samples.sample_receipt(device_key, total_fen=1)


def test_unknown_size_and_locale(receipt) -> None:
    with pytest.raises(DocumentError, match="size"):
        render_receipt(receipt, "a3")  # type: ignore[arg-type]
    with pytest.raises(DocumentError, match="locale"):
        render_receipt(receipt, "a5", "fr")  # type: ignore[arg-type]


def test_long_receipt_fits_a_58mm_strip(device_key) -> None:
    items = tuple(PeriodAmount("物业服务费", date(2023, m, 1), date(2023, m, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31), 25000) for m in range(1, 13))
    view = samples.sample_receipt(device_key, items=items, total_fen=300000)
    doc = read_back(render_receipt(view, "58mm", "zh"))
    assert len(doc) == 1 and "叁仟元整" in doc.flat_text()
    assert [c.text for c in doc.qr_codes()] == [view.qr_text]


# ---------------------------------------------------------------- notice

@pytest.fixture(scope="module")
def notices() -> dict[str, ReadBack]:
    out = {}
    for locale in LOCALES:
        pdf = render_notice(samples.sample_notice(), locale)  # type: ignore[arg-type]
        save_for_eyes(pdf, f"notice-{locale}.pdf")
        out[locale] = read_back(pdf)
    return out


@pytest.mark.parametrize("locale", LOCALES)
def test_notice_outside_panel_shows_no_amount(notices, locale: str) -> None:
    doc = notices[locale]
    assert len(doc) == 1 and doc.size_mm() == pytest.approx((210, 297), abs=0.5)
    outside = doc.text_in(0, 0, 99).split()
    expected = ["3-2-501"] + (["业主亲启"] if locale == "zh" else "To the owner, personal".split())
    assert flat(" ".join(outside)) == flat(" ".join(expected))
    assert not re.search(r"[¥￥$]|\d|元|yuan", doc.text_in(0, 0, 99).replace("3-2-501", ""))


@pytest.mark.parametrize("locale", LOCALES)
def test_notice_inside_has_the_amounts(notices, locale: str) -> None:
    view = samples.sample_notice()
    inside = flat(notices[locale].text_in(0, 99, 297))
    for expected in ("1,950.00", to_daxie(view.total_fen), "750.00", "450.00", "李保安", "138 0000 1234", "0571-8888 6666"):
        assert flat(expected) in inside
    assert notices[locale].fonts_of_cjk_text() and all("CJK" in f for f in notices[locale].fonts_of_cjk_text())


@pytest.mark.parametrize("locale", LOCALES)
def test_notice_payment_qr(notices, locale: str) -> None:
    codes = notices[locale].qr_codes()
    view = samples.sample_notice()
    assert [c.text for c in codes] == [view.payment_qr]
    assert codes[0].width_mm >= 20
    parsed = parse_emvco(codes[0].text)  # CRC checked
    assert parsed.amount_fen == view.total_fen
    assert parsed.reference == "3-2-501"


def test_notice_with_many_periods_stays_in_its_panels() -> None:
    lines = tuple(PeriodAmount("物业服务费", date(2022 + (m - 1) // 12, (m - 1) % 12 + 1, 1), date(2022 + (m - 1) // 12, (m - 1) % 12 + 1, 28), 10000) for m in range(1, 25))
    view = samples.sample_notice(lines=lines, total_fen=240000, payment_qr=samples.sample_payment_qr(240000))
    doc = read_back(render_notice(view))
    assert len(doc) == 1
    inside = flat(doc.text_in(0, 99, 198))
    assert "更早期间（17项合计）" in inside and "1,700.00" in inside
    assert "2,400.00" in doc.text_in(0, 198, 297)


def test_fit_lines_keeps_the_total() -> None:
    lines = tuple(PeriodAmount("x", date(2024, m, 1), date(2024, m, 28), m * 100) for m in range(1, 13))
    fitted = fit_lines(lines, 5, "earlier {n}")
    assert len(fitted) == 5 and fitted[0].label == "earlier 8"
    assert sum(line.amount_fen for line in fitted) == sum(line.amount_fen for line in lines)
    assert fitted[0].period_start == date(2024, 1, 1) and fitted[0].period_end == date(2024, 8, 28)
    assert fit_lines(lines[:3], 5, "e") == lines[:3]


# ---------------------------------------------------------------- letters

@pytest.fixture(scope="module")
def letters() -> dict[tuple[str, str], ReadBack]:
    out = {}
    for kind in ("dunning", "lawyer"):
        for locale in LOCALES:
            pdf = render_letter(samples.sample_letter(kind), locale)  # type: ignore[arg-type]
            save_for_eyes(pdf, f"{kind}-{locale}.pdf")
            out[kind, locale] = read_back(pdf)
    return out


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", ["dunning", "lawyer"])
def test_letter_content(letters, kind: str, locale: str) -> None:
    view = samples.sample_letter(kind)
    text = letters[kind, locale].flat_text()
    title = {"dunning": ("催费函", "PAYMENT REMINDER"), "lawyer": ("律师函", "LAWYER'S LETTER")}[kind]
    assert (title[0] if locale == "zh" else title[1].replace(" ", "")) in text
    for expected in (view.letter_no, "3-2-501", "王建国", "2,037.60", "87.60", to_daxie(view.total_fen), "750.00"):
        assert flat(expected) in text, expected
    deadline = {"dunning": ("2025年4月19日", "19April2025"), "lawyer": ("2025年4月26日", "26April2025")}[kind]
    assert (deadline[0] if locale == "zh" else deadline[1]) in text
    assert ("第九百四十四条" if locale == "zh" else "article944") in text
    assert ("物业管理条例" if locale == "zh" else "PropertyManagementRegulations") in text
    assert "《物业服务合同》第六条" in text  # the view's own basis line
    if kind == "lawyer":
        assert "浙江某某律师事务所" in text
    assert all("CJK" in f for f in letters[kind, locale].fonts_of_cjk_text())


@pytest.mark.parametrize("kind", ["dunning", "lawyer"])
def test_letter_payment_qr(letters, kind: str) -> None:
    view = samples.sample_letter(kind)
    codes = [c for page in range(len(letters[kind, "zh"])) for c in letters[kind, "zh"].qr_codes(page)]
    assert [c.text for c in codes] == [view.payment_qr]
    assert codes[0].width_mm >= 20
    assert parse_emvco(codes[0].text).amount_fen == view.total_fen


def test_letter_without_penalty_has_no_penalty_line() -> None:
    view = samples.sample_letter("dunning", penalty_fen=0, total_fen=195000, penalty_note="")
    text = read_back(render_letter(view)).flat_text()
    assert "违约金" not in text and "1,950.00" in text


# ---------------------------------------------------------------- words and fonts

def _strings() -> dict:
    with open(templates_dir() / "documents" / "strings.toml", "rb") as handle:
        return tomllib.load(handle)


def test_every_string_exists_in_both_locales() -> None:
    table = _strings()
    assert table["zh"].keys() == table["en"].keys()


def test_wording_never_threatens_or_mentions_cutting_utilities() -> None:
    words = str(_strings()) + "".join(p.read_text(encoding="utf-8") for p in (templates_dir() / "documents").glob("*.html"))
    for banned in ("停水", "停电", "断水", "断电", "停暖", "曝光", "公示欠费", "征信", "拘留", "cut off", "blacklist", "shame"):
        assert banned not in words


def test_missing_font_stops_with_a_clear_message(monkeypatch, receipt) -> None:
    monkeypatch.setattr(fonts, "_list_cjk_families", lambda: [])
    fonts._cached_choice.cache_clear()
    try:
        with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
            render_receipt(receipt, "58mm")
        with pytest.raises(MissingFontError):
            render_notice(samples.sample_notice())
    finally:
        monkeypatch.undo()
        fonts._cached_choice.cache_clear()
    assert fonts.require_cjk_font() in fonts.PREFERRED


def test_letters_for_a_whole_step_in_one_pdf() -> None:
    views = [samples.sample_letter("dunning", room=room, owner=owner) for room, owner in (("3-2-501", "王建国"), ("5-1-1202", "陈美玲"))]
    doc = read_back(render_letters(views))
    assert len(doc) == 2
    assert "3-2-501" in doc.flat_text(0) and "5-1-1202" in doc.flat_text(1) and "陈美玲" in doc.flat_text(1)
    with pytest.raises(DocumentError):
        render_letters([])


def test_receipt_ua_sheet_styles_every_block_element_the_receipt_uses() -> None:
    """Receipts are laid out with Knock's small user-agent sheet: an element it does not know would print unstyled."""
    template = (templates_dir() / "documents" / "receipt.html").read_text(encoding="utf-8")
    ua = (templates_dir() / "documents" / "receipt_ua.css").read_text(encoding="utf-8")
    inline_by_default = {"b", "span", "img", "br"}
    tags = set(re.findall(r"<([a-z][a-z0-9]*)", template)) - inline_by_default
    missing = {tag for tag in tags if not re.search(rf"(^|[\s,]){tag}\b", ua, re.MULTILINE)}
    assert not missing, f"receipt_ua.css has no rule for {sorted(missing)}"


def test_label_width_estimate_errs_wide() -> None:
    """Labels are measured before layout to choose tab or line break; the estimate is never narrower than print."""
    from knock.documents.render import text_width_em, wider_than

    # Advance widths in Noto Sans CJK SC, in em (from its hmtx table).
    for text, printed in (("Payment method", 8.10), ("Still owed after this payment", 13.40), ("Credit on account", 8.30),
                          ("Date and time", 6.55), ("Receipt no.", 5.24), ("Owner", 3.10), ("本次缴费后尚欠", 7.0)):
        assert printed <= text_width_em(text) <= printed * 1.03, text
    # Labels that fit their column in print keep their value on their line; a longer one does not.
    assert not wider_than("本次缴费后尚欠", 7.5) and not wider_than("Date and time", 7) and not wider_than("Payment method", 8.5)
    assert wider_than("Still owed after this payment", 10.5)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_long_labels_and_large_amounts_stay_apart(device_key, size: str, locale: str) -> None:
    """Amounts are drawn over their row, not floated: a long item label or a wide amount must still not run into it."""
    items = (
        PeriodAmount("公共能耗分摊及电梯运行维护费用（含二次供水）", date(2024, 1, 1), date(2024, 12, 31), 1_234_567_890),
        PeriodAmount("物业服务费", date(2025, 1, 3), date(2025, 2, 17), 100),
    )
    view = samples.sample_receipt(
        device_key, items=items, total_fen=1_234_567_990, payer="杭州某某科技发展股份有限公司驻场代表张某某",
        remaining_owed_fen=98_765_432_100, credit_fen=123_456,
    )
    doc = read_back(render_receipt(view, size, locale))  # type: ignore[arg-type]
    drawn = [(text, pos) for text, pos in doc.boxes() if text.strip() or not text]
    shrink = 0.8
    for i, (text_a, a) in enumerate(drawn):
        for text_b, b in drawn[i + 1 :]:
            apart = a[2] - shrink <= b[0] or b[2] - shrink <= a[0] or a[3] - shrink <= b[1] or b[3] - shrink <= a[1]
            assert apart, f"{text_a or 'image'!r} overlaps {text_b or 'image'!r} on the {size} {locale} receipt"
    text = doc.flat_text()
    assert "12,345,678.90" in text and "987,654,321.00" in text and flat(view.payer) in text


@pytest.mark.parametrize("size", SIZES)
def test_receipt_period_wraps_only_at_its_dash(receipts, size: str) -> None:
    """On a 58 mm roll "2025年01月–2025年03月" does not fit one line: it breaks after the dash, never leaving "月" alone."""
    lines = [line.strip() for line in receipts[size, "zh"].text().splitlines()]
    assert not any(line in ("月", "03月", "3月") for line in lines), lines
    assert any("2025年03月" in line for line in lines), lines
