"""``kl21rules convert IN OUT``: one submission between its three forms, .xlsx, .yaml and .json.

The input is read and validated exactly as ``check`` reads it; only a valid submission is
converted (an input error is reported, naming its line or cell, and nothing is written). The
output is written from the validated submission, so it holds every field of the model and
``check`` finds the same in all three forms: ``yaml → xlsx → yaml`` gives the same submission.
Values the model fills in by default (``makeup: false``, an empty list) are left out of YAML and
JSON; dates are written ISO (2022-03-18) in YAML and JSON and as date cells in Excel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kl21rules.diagnostics import InputError
from kl21rules.submission import Activity, Submission

FORMATS = {".xlsx": "xlsx", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def format_of(path: Path | str) -> str | None:
    """``xlsx``, ``yaml`` or ``json`` by the file's extension, or ``None``."""
    return FORMATS.get(Path(path).suffix.lower())


def read_submission(label: str, raw: bytes, extra_types: tuple[type[Activity], ...] = ()
                    ) -> tuple[Submission | None, list[InputError]]:
    """A file's bytes as a validated submission, or its input errors (as ``check`` reports them)."""
    from kl21rules.check import is_xlsx
    from kl21rules.loader import detect_format, load_bytes
    from kl21rules.validate import validate_document

    if is_xlsx(label, raw):
        from kl21rules.xlsx import place_errors, read_workbook

        book = read_workbook(raw, extra_types)
        if book.data is None:
            return None, book.errors
        submission, errors = validate_document(book.data, None, extra_types)
        errors = [*book.errors, *place_errors(book, errors)]
        return (submission, []) if not errors else (None, errors)
    fmt = detect_format(label, raw)
    if fmt is None:
        return None, [InputError("format", "", None,
                                 f"Không nhận ra định dạng của '{label}': cần tệp .json, .yaml, .yml hoặc .xlsx.",
                                 f"Unknown format of '{label}': expected a .json, .yaml, .yml or .xlsx file.")]
    document, errors = load_bytes(raw, fmt)
    if document is None:
        return None, errors
    return validate_document(document.data, document.line_of, extra_types)


def plain(submission: Submission, *, dates_as_text: bool) -> dict[str, Any]:
    """The submission as plain data without the model's defaults (what a person would write)."""
    data: dict[str, Any] = submission.model_dump(
        by_alias=True, exclude_defaults=True, mode="json" if dates_as_text else "python")
    return {"schema": submission.schema_, **data}


def render(submission: Submission, fmt: str, extra_types: tuple[type[Activity], ...] = ()) -> bytes:
    """The submission as a file of format ``fmt``.

    :raises kl21rules.xlsx.ConvertError: for a value an Excel cell cannot hold as it is.
    """
    if fmt == "xlsx":
        from kl21rules.xlsx import write_workbook

        return write_workbook(submission.model_dump(by_alias=True), extra_types)
    if fmt == "json":
        return (json.dumps(plain(submission, dates_as_text=True), ensure_ascii=False, indent=2) + "\n").encode()
    import yaml

    text = yaml.safe_dump(plain(submission, dates_as_text=False), allow_unicode=True, sort_keys=False,
                          width=100, default_flow_style=False)
    return text.encode("utf-8")
