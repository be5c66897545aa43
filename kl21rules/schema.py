"""The submission's JSON Schema, generated from the model (never written by hand).

A copy is kept as package data (``kl21rules/schema/submission-v1.json``) for editors: a JSON
submission may name it in ``"$schema"``, a YAML one in a ``# yaml-language-server: $schema=...``
comment. ``python -m kl21rules.schema`` rewrites the copy; ``tests/test_schema.py`` fails when it
is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kl21rules.submission import SCHEMA_ID, submission_model

SCHEMA_URL = "https://kl21rules.invalid/schema/submission-v1.json"

#: The committed copy of the schema of the built-in activity types.
SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "submission-v1.json"


def submission_schema(extra_types: tuple[type, ...] = ()) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of ``kl21rules/submission/v1`` with the packs' activity types."""
    model = submission_model(tuple(extra_types))
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        "title": f"kl21rules submission ({SCHEMA_ID})",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    return schema


def schema_text(extra_types: tuple[type, ...] = ()) -> str:
    """The schema as stable JSON text (sorted keys, newline at the end)."""
    return json.dumps(submission_schema(extra_types), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    """Rewrite :data:`SCHEMA_FILE` from the model; print whether it changed."""
    text = schema_text()
    old = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else None
    if old == text:
        sys.stdout.write(f"{SCHEMA_FILE}: up to date\n")
        return 0
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    sys.stdout.write(f"{SCHEMA_FILE}: written\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
