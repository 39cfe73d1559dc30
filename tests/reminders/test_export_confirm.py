"""The batch as files an SMS platform imports, and confirming an upload (idempotent, all or nothing)."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from knock.home import Home
from knock.playbook.rules import contacts_today
from knock.core.household_facts import household_facts
from knock.reminders.batch import Batch, build_batch
from knock.reminders.confirm import confirm_file
from knock.reminders.export import ExportError, manifest_path, preview_path, write_batch
from knock.settings import SmsColumn
from tests.reminders.conftest import AddHousehold


@pytest.fixture
def batch(office: Home, add_household: AddHousehold) -> Batch:
    add_household("6-1-101", "王芳")
    add_household("6-1-102", "李强", gender="m")
    add_household("6-1-103", "赵敏", phones=("0571-1234567",))
    return build_batch(office.store, office.settings, office.ledger.now(), kind="overdue")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_csv_has_the_settings_columns_and_private_files(office: Home, batch: Batch, tmp_path: Path) -> None:
    out = write_batch(batch, tmp_path / "out" / "batch.csv", office.settings)
    rows = list(csv.reader(out.file.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["手机号码", "短信内容"]
    assert [r[0] for r in rows[1:]] == ["13800001111", "13800001111"]
    assert rows[1][1] == batch.messages[0].text
    assert out.file.read_bytes().startswith(b"\xef\xbb\xbf")
    assert {_mode(p) for p in (out.file, out.manifest, out.preview)} == {0o600}
    preview = out.preview.read_text(encoding="utf-8")
    assert "计费" in preview and "6-1-103" in preview and "没有业主本人的手机号" in preview
    assert [p.name for p in sorted((tmp_path / "out").iterdir())] == ["batch.csv", "batch.csv.manifest.json", "batch.csv.preview.txt"]


def test_a_gbk_platform_gets_gb18030_and_confirm_reads_it(office: Home, batch: Batch, tmp_path: Path) -> None:
    settings = office.settings.model_copy(update={"reminders": office.settings.reminders.model_copy(update={"csv_encoding": "gb18030"})})
    out = write_batch(batch, tmp_path / "gbk.csv", settings)
    assert out.file.read_bytes().decode("gb18030").startswith("手机号码,短信内容")
    assert confirm_file(office.ledger, out.file, sender="王晓芳").recorded == ("6-1-101", "6-1-102")


def test_xlsx_with_other_columns(office: Home, batch: Batch, tmp_path: Path) -> None:
    columns = [SmsColumn(header="mobile", field="phone"), SmsColumn(header="msg", field="content"), SmsColumn(header="房号", field="room"), SmsColumn(header="条数", field="segments")]
    settings = office.settings.model_copy(update={"reminders": office.settings.reminders.model_copy(update={"columns": columns})})
    out = write_batch(batch, tmp_path / "b.xlsx", settings)
    sheet = load_workbook(out.file).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("mobile", "msg", "房号", "条数")
    assert rows[1] == ("13800001111", batch.messages[0].text, "6-1-101", batch.messages[0].segments)


def test_a_wrong_suffix_or_missing_columns_write_nothing(office: Home, batch: Batch, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"\.csv or \.xlsx"):
        write_batch(batch, tmp_path / "b.txt", office.settings)
    bad = office.settings.model_copy(update={"reminders": office.settings.reminders.model_copy(update={"columns": [SmsColumn(header="x", field="phone")]})})
    with pytest.raises(ExportError, match="phone and a content column"):
        write_batch(batch, tmp_path / "b.csv", bad)
    assert not (tmp_path / "b.txt").exists() and not (tmp_path / "b.csv").exists()


def test_confirm_records_each_text_once_with_its_template(office: Home, batch: Batch, tmp_path: Path) -> None:
    out = write_batch(batch, tmp_path / "batch.csv", office.settings)
    first = confirm_file(office.ledger, out.file, sender="王晓芳")
    assert (first.recorded, first.already, first.not_in_file) == (("6-1-101", "6-1-102"), (), ())
    second = confirm_file(office.ledger, out.file, sender="王晓芳")
    assert (second.recorded, second.already) == ((), ("6-1-101", "6-1-102"))
    rows = office.store.query("SELECT h.room, c.channel, c.outcome, c.template, c.message_id FROM contacts c JOIN households h USING (household_id) ORDER BY h.room")
    assert [tuple(r) for r in rows] == [
        ("6-1-101", "sms", "sent", "overdue.monthly", batch.messages[0].message_id),
        ("6-1-102", "sms", "sent", "overdue.monthly", batch.messages[1].message_id),
    ]
    assert office.store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'contact.logged'") == 2
    # the cap and the playbook count it
    facts = household_facts(office.store, batch.messages[0].household_id, office.ledger.today(), office.settings, zone=office.ledger.now().tzinfo)
    assert contacts_today(facts, office.ledger.now()) == 1
    # and tomorrow's batch does not text them again
    rebuilt = build_batch(office.store, office.settings, office.ledger.now(), kind="overdue")
    assert {x.reason for x in rebuilt.left_out if x.room != "6-1-103"} == {"repeat_kind"}


def test_confirm_by_manifest_and_rows_deleted_before_upload(office: Home, batch: Batch, tmp_path: Path) -> None:
    out = write_batch(batch, tmp_path / "batch.xlsx", office.settings)
    book = load_workbook(out.file)
    book.active.delete_rows(2)  # the office took 6-1-101 out before uploading
    book.save(out.file)
    result = confirm_file(office.ledger, out.file, sender="王晓芳")
    assert (result.recorded, result.not_in_file) == (("6-1-102",), ("6-1-101",))
    by_manifest = confirm_file(office.ledger, manifest_path(out.file), sender="王晓芳")
    assert (by_manifest.recorded, by_manifest.already) == (("6-1-101",), ("6-1-102",))


def test_an_edited_file_records_nothing_and_names_the_row(office: Home, batch: Batch, tmp_path: Path) -> None:
    out = write_batch(batch, tmp_path / "batch.csv", office.settings)
    text = out.file.read_text(encoding="utf-8-sig").replace("13800001111", "13999999999", 1)
    out.file.write_text(text, encoding="utf-8-sig")
    with pytest.raises(ExportError, match=r"batch\.csv:2: this row is not in the batch"):
        confirm_file(office.ledger, out.file, sender="王晓芳")
    assert office.store.scalar("SELECT COUNT(*) FROM contacts") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x00\x01\x02", "NUL"),
        ("手机号码,短信内容\r\n".encode("gb18030"), None),
        (b"phone,text\r\n1,2\r\n", "no phone and content columns"),
    ],
)
def test_nasty_batch_files_get_a_clear_error(office: Home, batch: Batch, tmp_path: Path, content: bytes, message: str | None) -> None:
    out = write_batch(batch, tmp_path / "batch.csv", office.settings)
    out.file.write_bytes(content)
    if message is None:  # a GB18030 header with every row removed: nothing to record, no error
        assert confirm_file(office.ledger, out.file, sender="王晓芳").recorded == ()
        return
    with pytest.raises(ExportError, match=message):
        confirm_file(office.ledger, out.file, sender="王晓芳")


def test_truncated_xlsx_and_missing_manifest(office: Home, batch: Batch, tmp_path: Path) -> None:
    out = write_batch(batch, tmp_path / "batch.xlsx", office.settings)
    out.file.write_bytes(out.file.read_bytes()[:200])
    with pytest.raises(ExportError, match="not a readable .xlsx"):
        confirm_file(office.ledger, out.file, sender="王晓芳")
    lonely = tmp_path / "other.xlsx"
    Workbook().save(lonely)
    with pytest.raises(ExportError, match="no manifest"):
        confirm_file(office.ledger, lonely, sender="王晓芳")
    manifest_path(out.file).write_text("{not json", encoding="utf-8")
    with pytest.raises(ExportError, match="not a readable batch manifest"):
        confirm_file(office.ledger, manifest_path(out.file), sender="王晓芳")
    manifest_path(out.file).write_text(json.dumps({"version": 1, "messages": [{"room": "x"}]}), encoding="utf-8")
    with pytest.raises(ExportError, match="message 1 is incomplete"):
        confirm_file(office.ledger, manifest_path(out.file), sender="王晓芳")
    assert preview_path(out.file).exists()
