"""The submission's JSON Schema, generated from the model (never written by hand)."""

from __future__ import annotations

import json
from typing import Any

from kl21rules.submission import SCHEMA_ID, submission_model

SCHEMA_URL = "https://kl21rules.invalid/schema/submission-v1.json"


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
