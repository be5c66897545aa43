"""Findings: one verdict of one rule on one unit (for one period or item), and how they sort."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(slots=True)
class Waived:
    """The waiver (miễn trừ) that applies to a finding."""

    reason: str
    expires: _dt.date | None
    approver: str | None = None


_UNSET: Any = object()  # no facts given: each finding gets its own empty mapping


class Finding:
    """One verdict: ``rule`` judged ``status`` for ``period``/``item`` as of the evaluation date.

    The message is kept in both languages; outputs pick one (``--lang``). The engine may give it
    as a message still to be rendered: each language is then rendered the first time it is read
    (``message_vi``, ``message_en``, :meth:`message`), so a report in one language never renders
    the other. Compared, copied, pickled and shown like a dataclass of these fields.
    """

    __slots__ = ("rule", "status", "severity", "period", "item", "due", "refs", "_vi", "_en", "evidence",
                 "waived", "facts", "_deferred")
    __match_args__ = ("rule", "status", "severity", "period", "item", "due", "refs", "message_vi", "message_en",
                      "evidence", "waived", "facts")
    __hash__ = None  # type: ignore[assignment]  # mutable (waived), as the dataclass was

    def __init__(
        self,
        rule: str,
        status: str,
        severity: str,
        period: str | None,
        item: str | None,
        due: _dt.date | None,
        refs: tuple[str, ...],
        message_vi: str,
        message_en: str,
        evidence: tuple[str, ...] = (),
        waived: Waived | None = None,
        facts: dict[str, Any] = _UNSET,
    ) -> None:
        self.rule = rule
        self.status = status
        self.severity = severity
        self.period = period
        self.item = item
        self.due = due
        self.refs = refs
        self._vi: str | None = message_vi
        self._en: str | None = message_en
        self.evidence = evidence
        self.waived = waived
        self.facts: dict[str, Any] = {} if facts is _UNSET else facts
        self._deferred: tuple[Renderable, tuple[str, str] | None] | None = None

    @classmethod
    def deferred(
        cls,
        rule: str,
        status: str,
        severity: str,
        period: str | None,
        item: str | None,
        due: _dt.date | None,
        refs: tuple[str, ...],
        message: Renderable,
        tails: tuple[str, str] | None,
        evidence: tuple[str, ...] = (),
    ) -> Finding:
        """A finding whose message is rendered per language when first read (see the class): the
        message's text with its first letter upper-cased, then ``tails`` (Vietnamese, English)."""
        self = cls.__new__(cls)
        self.rule = rule
        self.status = status
        self.severity = severity
        self.period = period
        self.item = item
        self.due = due
        self.refs = refs
        self._vi = self._en = None
        self.evidence = evidence
        self.waived = None
        self.facts = {}
        self._deferred = (message, tails)
        return self

    @property
    def message_vi(self) -> str:
        text = self._vi
        if text is None and self._deferred is not None:
            text = self._vi = self._render("vi")
        return text  # type: ignore[return-value]  # None only where the maker gave None

    @message_vi.setter
    def message_vi(self, value: str) -> None:
        self._vi = value

    @property
    def message_en(self) -> str:
        text = self._en
        if text is None and self._deferred is not None:
            text = self._en = self._render("en")
        return text  # type: ignore[return-value]  # None only where the maker gave None

    @message_en.setter
    def message_en(self, value: str) -> None:
        self._en = value

    def _render(self, lang: str) -> str:
        assert self._deferred is not None
        message, tails = self._deferred
        text = message.render(lang)
        text = text[:1].upper() + text[1:]
        if tails is not None:
            text += tails[1] if lang == "en" else tails[0]
        return text

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang``."""
        return self.message_en if lang == "en" else self.message_vi

    def sort_key(self) -> tuple[Any, ...]:
        """Findings sort by rule id, then period, then item (numbers inside compared as numbers)."""
        return (self.rule, _natural(self.period), _natural(self.item))

    def _fields(self) -> tuple[Any, ...]:
        return (self.rule, self.status, self.severity, self.period, self.item, self.due, self.refs,
                self.message_vi, self.message_en, self.evidence, self.waived, self.facts)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self.__match_args__, self._fields()))
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        # rendered: what travels (to another process, into a copy) is text, never a message half-made
        return (type(self), self._fields())


class Renderable(Protocol):
    """A message that renders itself in a language (``kl21rules.rules.engine.Msg``)."""

    def render(self, lang: str) -> str: ...


_DIGITS = re.compile(r"(\d+)")


def _natural(text: str | None) -> tuple[Any, ...]:
    if text is None:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(text))
