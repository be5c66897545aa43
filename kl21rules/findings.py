"""Findings: one verdict of one rule on one unit (for one period or item), and how they sort."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Waived:
    """The waiver (miễn trừ) that applies to a finding."""

    reason: str
    expires: _dt.date | None
    approver: str | None = None


@dataclass(slots=True)
class Finding:
    """One verdict: ``rule`` judged ``status`` for ``period``/``item`` as of the evaluation date.

    The message is kept in both languages; outputs pick one (``--lang``).
    """

    rule: str
    status: str
    severity: str
    period: str | None
    item: str | None
    due: _dt.date | None
    refs: tuple[str, ...]
    message_vi: str
    message_en: str
    evidence: tuple[str, ...] = ()
    waived: Waived | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang``."""
        return self.message_en if lang == "en" else self.message_vi

    def sort_key(self) -> tuple[Any, ...]:
        """Findings sort by rule id, then period, then item (numbers inside compared as numbers)."""
        return (self.rule, _natural(self.period), _natural(self.item))


_DIGITS = re.compile(r"(\d+)")


def _natural(text: str | None) -> tuple[Any, ...]:
    if text is None:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(text))
