"""Output formats: each renders the one :class:`~kl21rules.report.Report` model.

Renderers are looked up by name; packs may add formats (hook ``kl21rules_formats``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kl21rules.report import Report

Renderer = Callable[[Report, str], str]


def builtin_formats() -> dict[str, Renderer]:
    """The built-in formats, imported lazily so start-up stays small."""

    def lazy(module: str, name: str) -> Renderer:
        def render(report: Report, lang: str, **kw: Any) -> str:
            import importlib

            return getattr(importlib.import_module(module), name)(report, lang, **kw)

        return render

    return {
        "text": lazy("kl21rules.output.text", "render"),
        "json": lazy("kl21rules.output.jsonfmt", "render"),
    }
