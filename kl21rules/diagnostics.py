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


class ErrorList(list[InputError]):
    """Errors of a file that leave some out, for bounded work: ``more`` others were found."""

    more: int = 0


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of a JSON pointer (``~`` and ``/``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def make_pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Build a JSON pointer from path parts: ``("activities", 2)`` -> ``/activities/2``."""
    return "".join("/" + escape_pointer_token(p) for p in parts)


#: Characters of a value from a file that a message quotes at most.
EXCERPT_CHARS = 60
#: Characters of a JSON pointer shown at most (each token cut like a value).
POINTER_CHARS = 200


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters (the last three ``...``): a value from a file quoted in
    a message is never echoed whole (a 1 MB key must not make a 1 MB message)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short_pointer(pointer: str) -> str:
    """A JSON pointer fit to show: unchanged when short, else each long token cut to an excerpt."""
    if len(pointer) <= POINTER_CHARS:
        return pointer
    shown = "/".join(excerpt(t) for t in pointer.split("/"))
    return excerpt(shown, POINTER_CHARS)


def bounded(error: InputError) -> InputError:
    """``error`` with its pointer and messages of a bounded size (a last guard: messages quote
    excerpts already)."""
    if len(error.pointer) <= POINTER_CHARS and len(error.vi) <= 1000 and len(error.en) <= 1000:
        return error
    return InputError(error.code, short_pointer(error.pointer), error.line, excerpt(error.vi, 1000),
                      excerpt(error.en, 1000))
