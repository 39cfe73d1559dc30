"""The batch as files: what an SMS platform imports, a manifest to confirm it by, a preview.

The import file (CSV or XLSX) has the columns named in
``settings.reminders.columns``. Beside it Knock writes ``FILE.manifest.json``
(each row's message id, household and template, so ``knock remind confirm``
can record exactly what left) and ``FILE.preview.txt`` (what a person reads
before uploading). All three hold phone numbers, so they are made readable by
the owner only, and each is written to a temporary name first: a failed
export leaves no half-written file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knock.core.errors import LedgerError
from knock.core.money import format_yuan
from knock.reminders.batch import REASONS, Batch, Message
from knock.reminders.recipients import normalise
from knock.settings import Settings, SmsColumn

MANIFEST_VERSION = 1


class ExportError(LedgerError):
    """A batch file that cannot be written or read back; the message names the file."""


@dataclass(frozen=True)
class ExportedBatch:
    """Where the batch went."""

    file: Path
    manifest: Path
    preview: Path


def manifest_path(file: Path) -> Path:
    """The manifest beside an import file."""
    return file.with_name(file.name + ".manifest.json")


def preview_path(file: Path) -> Path:
    """The text preview beside an import file."""
    return file.with_name(file.name + ".preview.txt")


def _cell(message: Message, column: SmsColumn) -> str | int:
    return {
        "phone": message.phone,
        "content": message.text,
        "name": message.owner_name,
        "room": message.room,
        "segments": message.segments,
        "template": message.template_id,
        "message_id": message.message_id,
    }[column.field]


def _write_private(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a 0600 temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, 0o600)
        write(tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _csv_bytes(batch: Batch, columns: list[SmsColumn], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for m in batch.messages:
        writer.writerow([_cell(m, c) for c in columns])
    return buffer.getvalue().encode(encoding)  # utf-8-sig: the BOM lets Excel and the platforms read Chinese


def _write_xlsx(batch: Batch, columns: list[SmsColumn], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "SMS"
    sheet.append([c.header for c in columns])
    for m in batch.messages:
        # Phones as text: a number cell would lose nothing here but platforms expect text.
        sheet.append([_cell(m, c) for c in columns])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.number_format = "@"
    book.save(path)


def preview_text(batch: Batch, settings: Settings) -> str:
    """What the office reads before uploading: every text, its length and cost, and who was left out."""
    zh = batch.locale == "zh"
    kind = batch.kind or ("催收计划" if zh else "playbook")
    lines: list[str] = []
    if zh:
        lines.append(f"{batch.day.isoformat()} 短信批次（{kind}）：{batch.cost.messages}条，计费{batch.cost.segments}条，约{format_yuan(batch.cost.fen)}元")
        lines.append("计费规则：70字以内为1条，超过按每67字1条拆分；标点、字母、签名都算字数。")
    else:
        lines.append(f"{batch.day.isoformat()} SMS batch ({kind}): {batch.cost.messages} texts, {batch.cost.segments} billed segments, about {format_yuan(batch.cost.fen)} yuan")
        lines.append("Billing: up to 70 characters is one segment; longer texts are split into parts of 67. Punctuation, letters and the signature count.")
    if batch.window is not None:
        lines.append(("最早发送：" if zh else "Send from: ") + f"{batch.window[0]:%H:%M}" + ("（短信时段内，避开休息时间）" if zh else " (inside the SMS hours, not in quiet hours)"))
    lines.append("")
    for i, m in enumerate(batch.messages, start=1):
        extra = (" [经办公室同意]" if zh else " [cleared by the office]") if m.allowed_by_office else ""
        lines.append(f"{i:>4}. {m.room}  {m.phone}  {m.template_id}  {m.chars}{'字' if zh else ' chars'}/{m.segments}{'条' if zh else ' seg'}{extra}")
        lines.append(f"      {m.text}")
    if batch.left_out:
        lines.append("")
        lines.append(f"未发送（{len(batch.left_out)}户）：" if zh else f"Left out ({len(batch.left_out)} households):")
        for x in batch.left_out:
            lines.append(f"  {x.room}  {REASONS[x.reason].get(batch.locale)}{'：' if zh else ': '}{x.detail.get(batch.locale)}")
    return "\n".join(lines) + "\n"


def write_batch(batch: Batch, file: Path, settings: Settings) -> ExportedBatch:
    """Write the import file (by its suffix: .csv or .xlsx), the manifest and the preview."""
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ExportError(f"{file}: the batch is written as .csv or .xlsx, not {suffix or 'no suffix'!r}")
    columns = list(settings.reminders.columns)
    fields = {c.field for c in columns}
    if not {"phone", "content"} <= fields:
        raise ExportError("settings: reminders.columns must include a phone and a content column")
    manifest = {
        "version": MANIFEST_VERSION,
        "day": batch.day.isoformat(),
        "kind": batch.kind or "playbook",
        "columns": [{"header": c.header, "field": c.field} for c in columns],
        "messages": [
            {
                "message_id": m.message_id,
                "household_id": m.household_id,
                "room": m.room,
                "phone": m.phone,
                "template": m.template_id,
                "text": m.text,
            }
            for m in batch.messages
        ],
    }
    try:
        if suffix == ".csv":
            data = _csv_bytes(batch, columns, settings.reminders.csv_encoding)
            _write_private(file, lambda p: p.write_bytes(data))
        else:
            _write_private(file, lambda p: _write_xlsx(batch, columns, p))
        body = json.dumps(manifest, ensure_ascii=False, indent=1)
        _write_private(manifest_path(file), lambda p: p.write_text(body, encoding="utf-8"))
        text = preview_text(batch, settings)
        _write_private(preview_path(file), lambda p: p.write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise ExportError(f"{file}: cannot write the batch: {exc.strerror or exc}") from None
    return ExportedBatch(file, manifest_path(file), preview_path(file))


# --------------------------------------------------------------------------- reading back


@dataclass(frozen=True)
class ManifestEntry:
    """One message of an exported batch, as the manifest recorded it."""

    message_id: str
    household_id: str
    room: str
    phone: str
    template: str
    text: str


def read_manifest(path: Path) -> tuple[str, list[ManifestEntry]]:
    """The batch's day and messages from a manifest file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"{path}: no manifest; confirm the file `knock remind sms -o` wrote (its manifest sits beside it)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path}: not a readable batch manifest: {exc}") from None
    if not isinstance(raw, dict) or raw.get("version") != MANIFEST_VERSION or not isinstance(raw.get("messages"), list):
        raise ExportError(f"{path}: not a Knock batch manifest (version {MANIFEST_VERSION})")
    entries: list[ManifestEntry] = []
    for i, m in enumerate(raw["messages"], start=1):
        try:
            entries.append(ManifestEntry(*(str(m[k]) for k in ("message_id", "household_id", "room", "phone", "template", "text"))))
        except (KeyError, TypeError):
            raise ExportError(f"{path}: message {i} is incomplete") from None
    return str(raw.get("day", "")), entries


def _rows(file: Path) -> list[list[str]]:
    try:
        if file.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook
            from openpyxl.utils.exceptions import InvalidFileException

            try:
                book = load_workbook(file, read_only=True, data_only=True)
            except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
                raise ExportError(f"{file}: not a readable .xlsx: {exc}") from None
            sheet = book.worksheets[0]
            rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
            return rows
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ExportError(f"{file}: no such file") from None
    except OSError as exc:
        raise ExportError(f"{file}: cannot read: {exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ExportError(f"{file}: neither UTF-8 nor GB18030 text")
    if "\x00" in text:
        raise ExportError(f"{file}: not a text file (contains NUL bytes)")
    return [row for row in csv.reader(io.StringIO(text))]


def rows_still_in(file: Path, entries: list[ManifestEntry], columns: list[dict[str, str]]) -> tuple[list[ManifestEntry], list[str]]:
    """The manifest's messages whose row is still in ``file`` (the office may delete rows before uploading).

    Returns the messages found and a list of problems (a row the batch never
    had, or an edited text): a confirm with problems records nothing.
    """
    rows = _rows(file)
    if not rows:
        raise ExportError(f"{file}: empty file")
    header = [h.strip() for h in rows[0]]
    where = {c["field"]: header.index(c["header"]) for c in columns if c["header"] in header}
    if "message_id" not in where and not {"phone", "content"} <= set(where):
        raise ExportError(f"{file}: the header has no phone and content columns ({', '.join(c['header'] for c in columns)})")
    by_id = {e.message_id: e for e in entries}
    by_pair = {(normalise(e.phone), e.text): e for e in entries}
    found: list[ManifestEntry] = []
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row: list[str] = row) -> str:
            i = where[field]
            return row[i].strip() if i < len(row) else ""

        entry = by_id.get(cell("message_id")) if "message_id" in where else by_pair.get((normalise(cell("phone")), cell("content")))
        if entry is None:
            problems.append(f"{file}:{number}: this row is not in the batch (changed phone or text?)")
        elif "content" in where and cell("content") != entry.text:
            problems.append(f"{file}:{number}: the text was edited after the batch was made")
        else:
            found.append(entry)
    return list(dict.fromkeys(found)), problems
