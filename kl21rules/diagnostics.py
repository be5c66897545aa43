"""Input errors: what went wrong in a user's file, where, in Vietnamese and English.

An input error never escapes as an exception to the user; loaders and validators return
lists of :class:`InputError` and the report carries them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputError:
    """One problem in one input file.

    :param code: a stable, machine-readable code (``json-syntax``, ``duplicate-key``, ...).
    :param pointer: JSON pointer (RFC 6901) to the offending place; ``""`` is the whole document.
    :param line: 1-based line number where the parser knows it, else ``None``.
    :param vi: the message in Vietnamese.
    :param en: the message in English.
    """

    code: str
    pointer: str
    line: int | None
    vi: str
    en: str

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang`` (``vi`` or ``en``)."""
        return self.en if lang == "en" else self.vi


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of a JSON pointer (``~`` and ``/``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def make_pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Build a JSON pointer from path parts: ``("activities", 2)`` -> ``/activities/2``."""
    return "".join("/" + escape_pointer_token(p) for p in parts)
