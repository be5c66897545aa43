"""Workbook bytes in and out: the safety checks before openpyxl reads a file, and stable saving.

openpyxl is the one library for Excel here: it reads (a streaming read-only mode) and writes
(data validation, styles, frozen panes, a streaming write-only mode), in pure Python. A workbook
is a zip of XML parts, so an untrusted one is looked at with :mod:`zipfile` first: its size,
how many parts it has and how large they say they are uncompressed (a zip bomb is refused before
any part is inflated; :mod:`zipfile` stops at the declared size and checks the CRC). openpyxl
never evaluates formulas, and is told not to load external links.

Saving is made deterministic (same report, same bytes): openpyxl stamps the zip entries and the
document properties with the current time; :func:`stable_bytes` rewrites both with a fixed date.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

#: Largest workbook file accepted, in bytes (a submission of a thousand activities is ~100 kB).
MAX_XLSX_BYTES = 4 * 1024 * 1024
#: Largest total of the parts' uncompressed sizes: bounds the XML openpyxl will parse.
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024
#: Most parts (files) in the zip: a real workbook has a few dozen.
MAX_XLSX_MEMBERS = 1000

_FIXED = (1980, 1, 1, 0, 0, 0)
_STAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def zip_problem(raw: bytes) -> tuple[str, str, str] | None:
    """Why ``raw`` cannot be read safely as a workbook, as (code, vi, en), or ``None`` if it can."""
    if len(raw) > MAX_XLSX_BYTES:
        from kl21rules.loader import _too_large

        error = _too_large(len(raw), MAX_XLSX_BYTES, "xlsx")
        return (error.code, error.vi, error.en)
    if not raw.startswith(b"PK"):
        return ("xlsx-syntax",
                "Tệp không phải là sổ tính Excel .xlsx (có thể là .xls cũ hoặc tệp khác đổi tên): "
                "mở bằng Excel và lưu lại dạng Excel Workbook (.xlsx).",
                "The file is not an Excel .xlsx workbook (perhaps an old .xls or a renamed file): "
                "open it in Excel and save it as Excel Workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return ("xlsx-syntax", "Tệp .xlsx bị hỏng (không đọc được dạng nén zip).",
                "The .xlsx file is damaged (not a readable zip archive).")
    if len(members) > MAX_XLSX_MEMBERS:
        return ("too-large", f"Tệp Excel có quá nhiều phần ({len(members)}), tối đa {MAX_XLSX_MEMBERS}.",
                f"The Excel file has too many parts ({len(members)}), at most {MAX_XLSX_MEMBERS}.")
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        return ("too-large",
                f"Tệp Excel khi giải nén quá lớn: {total:,} byte, tối đa {MAX_XLSX_UNCOMPRESSED:,}.",
                f"The Excel file is too large uncompressed: {total:,} bytes, at most {MAX_XLSX_UNCOMPRESSED:,}.")
    if any(m.flag_bits & 0x1 for m in members):
        return ("xlsx-syntax", "Tệp Excel được đặt mật khẩu; hãy bỏ mật khẩu rồi lưu lại.",
                "The Excel file is password-protected; remove the password and save it again.")
    return None


def stable_bytes(workbook: Workbook) -> bytes:
    """The workbook saved, with every zip entry and the document properties dated 1980-01-01."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>1980-01-01T00:00:00Z\g<3>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()
