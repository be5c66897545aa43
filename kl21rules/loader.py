"""Bytes of a submission file -> plain Python data, with every input error and its place.

The first arrow of the flow in ``design.md``: it decodes (UTF-8, with or without a BOM),
NFC-normalises, parses JSON or YAML, refuses what would hide data or hurt the process
(duplicate keys, ``NaN``, deep nesting, alias bombs, several YAML documents), and keeps enough
of the source to say on which line a value stands. It never raises for bad input: problems come
back as :class:`~kl21rules.diagnostics.InputError` lists, as the spec asks ("Input errors").

Speed matters because this runs once per file, over every unit of a province: valid JSON goes
through the stdlib's C parser plus a few C-speed byte scans; line numbers are worked out only
when something asks for them.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kl21rules.diagnostics import ErrorList, InputError, escape_pointer_token

if TYPE_CHECKING:
    from collections.abc import Callable

    from yaml.nodes import Node

__all__ = [
    "Document",
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "MAX_YAML_ALIASES",
    "MAX_YAML_BYTES",
    "detect_format",
    "load_bytes",
]

#: Deepest nesting of lists and mappings accepted. A real submission nests 4 or 5 levels;
#: the limit keeps recursive code downstream (and PyYAML, whose C composer recurses on the
#: C stack and crashes the interpreter near 100,000 levels) far from any stack limit.
MAX_DEPTH = 64

#: Largest files accepted, in bytes. A real submission is tens of kilobytes (a unit with a
#: thousand activities stays under 1 MB); the limits bound the time one hostile file can take,
#: so a batch keeps moving. At the limits the worst shapes measured take about 2-3 s: for JSON,
#: placing an error among millions of tiny values (the position scanner is Python); for YAML,
#: PyYAML building every value in Python, up to 3 s per MB of tiny values.
MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_YAML_BYTES = 1024 * 1024

#: Most YAML aliases (``*name``) accepted in one file: reusing a block is fine, a
#: "billion laughs" document that expands a few lines into billions of values is not.
MAX_YAML_ALIASES = 100

# Values that aliases may add on top of the nodes written out: a hundred aliases can still
# double a block fifty times over, so the expanded size is bounded too.
_MAX_ALIAS_EXPANSION = 100_000

# Python refuses to turn longer digit strings into int (a guard against quadratic time);
# YAML's base-60 integers are bounded by the same length for the same reason.
_MAX_NUMBER_CHARS = 4300

_BOM = b"\xef\xbb\xbf"
_FORMATS = ("json", "yaml")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Document:
    """One parsed submission file.

    :param data: the parsed value: ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` or
        ``None``, and from YAML also ``datetime.date`` / ``datetime.datetime`` for timestamps.
        Strings and keys are NFC-normalised.
    :param fmt: ``"json"`` or ``"yaml"``.
    """

    data: Any
    fmt: str
    # The normalised JSON text, scanned for positions on the first call to line_of.
    _text: str | None = field(default=None, repr=False, compare=False)
    # The composed YAML node tree; its marks give lines directly.
    _yaml_root: Node | None = field(default=None, repr=False, compare=False)
    _json_index: _JsonIndex | None = field(default=None, init=False, repr=False, compare=False)

    def line_of(self, pointer: str) -> int | None:
        """The 1-based line of the value at JSON pointer ``pointer``.

        For a member of an object the line is that of its key (where a reader looks for
        ``unit:``); for an array item, where the item starts. If the place does not exist
        (a missing field), the line of its nearest existing ancestor. ``None`` if unknown.
        """
        if self._yaml_root is not None:
            return _yaml_line(self._yaml_root, pointer)
        if self._text is None:
            return None
        index = self._index()
        while True:
            offset = index.offsets.get(pointer)
            if offset is not None:
                return index.line_at(offset)
            if not pointer:
                return None
            pointer = pointer[: pointer.rfind("/")]

    def line_near(self, max_chars: int = 256 * 1024) -> Callable[[str], int | None]:
        """A :meth:`line_of` whose work is bounded: for a JSON text longer than ``max_chars``,
        only its first ``max_chars`` are scanned, and a place is found there or (a missing
        field) at its parent, else its line is ``None`` (never a far ancestor's line)."""
        if self._yaml_root is not None or self._text is None or len(self._text) <= max_chars:
            return self.line_of
        index = _JsonIndex(self._text[:max_chars])

        def line(pointer: str) -> int | None:
            offset = index.offsets.get(pointer)
            if offset is None and pointer:
                offset = index.offsets.get(pointer[: pointer.rfind("/")])
            return None if offset is None else index.line_at(offset)

        return line

    def _index(self) -> _JsonIndex:
        """The positions of the JSON text, scanned once and kept."""
        if self._json_index is None:
            self._json_index = _JsonIndex(self._text or "")
        return self._json_index


def detect_format(path_name: str, raw: bytes) -> str | None:
    """``"json"`` or ``"yaml"`` for a file, from its name; ``None`` for another extension.

    For ``-`` (standard input), which has no name, the content decides: JSON if the first
    byte that is not whitespace (after a BOM) is ``{`` or ``[``, else YAML.
    """
    if path_name == "-":
        first = _FIRST_NON_SPACE.match(raw, len(_BOM) if raw.startswith(_BOM) else 0)
        return "json" if first is not None and first.group(1) in (b"{", b"[") else "yaml"
    return {".json": "json", ".yaml": "yaml", ".yml": "yaml"}.get(
        os.path.splitext(path_name)[1].lower()
    )


_FIRST_NON_SPACE = re.compile(rb"[ \t\r\n]*(.)", re.S)


def load_bytes(
    raw: bytes, fmt: str, *, keep_duplicates: bool = False, keep_key_errors: bool = False
) -> tuple[Document | None, list[InputError]]:
    """Parse one file's bytes as ``fmt`` (``"json"`` or ``"yaml"``).

    Returns ``(document, [])`` for a file without input errors, else ``(None, errors)`` with
    every error the parser could find (all duplicate keys, not only the first), sorted by line.
    Never raises for any content of ``raw``.

    With ``keep_duplicates``, a file whose only errors are duplicate keys is returned as
    ``(document, errors)``: the data was read whole (the later value of a key wins), so a caller
    can go on to report the file's other errors too (spec: every error in a file is reported).
    With ``keep_key_errors`` too, so is a file whose only other errors are YAML keys that are not
    text (``on:`` read as true in a CI workflow): enough to tell that it is not a submission.

    :raises ValueError: if ``fmt`` is neither ``"json"`` nor ``"yaml"`` (a caller's mistake).
    """
    if fmt not in _FORMATS:
        raise ValueError(f"fmt must be 'json' or 'yaml', not {fmt!r}")
    limit = MAX_JSON_BYTES if fmt == "json" else MAX_YAML_BYTES
    if len(raw) > limit:
        return None, [_too_large(len(raw), limit, fmt)]
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else bytes(raw)
    text, error = _decode(raw, body)
    if error is not None:
        return None, [error]
    assert text is not None
    if not text or text.isspace():
        return None, [
            InputError(
                "empty",
                "",
                None,
                "Tệp rỗng: không có dữ liệu nào để kiểm tra.",
                "The file is empty: there is no data to check.",
            )
        ]
    # Word and macOS may write decomposed (NFD) Vietnamese; the spec compares text after NFC.
    # Normalising the whole text first leaves the structure alone: the only ASCII characters
    # that compose with a following mark are <, = and > (with U+0338), none of them JSON syntax.
    # The check is cheap, the rewrite is not.
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    try:
        if fmt == "json":
            document, errors = _load_json(body, text)
        else:
            document, errors = _load_yaml(text)
    except RecursionError:
        # A backstop only: nesting is bounded before parsing, so this should not happen.
        return None, [_too_deep(None)]
    if document is not None and errors and not (keep_duplicates and _only_duplicates(errors, keep_key_errors)):
        return None, errors
    return document, errors


def _only_duplicates(errors: list[InputError], key_errors: bool = False) -> bool:
    kept = ("duplicate-key", "yaml-key") if key_errors else ("duplicate-key",)
    return all(e.code in kept for e in errors)


# --- Decoding -------------------------------------------------------------------------------


def _decode(raw: bytes, body: bytes) -> tuple[str | None, InputError | None]:
    """UTF-8 text of the file without its BOM, or the ``encoding`` error that prevents it."""
    # A NUL among the first two bytes means UTF-16/32 without a BOM (ASCII text in those has a
    # NUL next to every character); UTF-8 text never starts with NUL.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or b"\x00" in raw[:2]:
        return None, InputError(
            "encoding",
            "",
            None,
            "Tệp được lưu bằng mã UTF-16 hoặc UTF-32; tệp phải được lưu bằng UTF-8 "
            "(trong Notepad: Save As, mục Encoding chọn UTF-8).",
            "The file is encoded as UTF-16 or UTF-32; it must be saved as UTF-8 "
            "(in Notepad: Save as… > Encoding: UTF-8).",
        )
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(raw) - len(body))
        line = body.count(b"\n", 0, exc.start) + 1
        bad = body[exc.start]
        return None, InputError(
            "encoding",
            "",
            line,
            f"Tệp không phải UTF-8 hợp lệ: byte 0x{bad:02X} ở dòng {line} (vị trí byte {offset}, "
            f"tính từ 0). Có thể tệp được lưu bằng mã Windows-1258, TCVN3 hoặc VNI; "
            f"hãy lưu tệp dưới dạng UTF-8.",
            f"The file is not valid UTF-8: byte 0x{bad:02X} at line {line} (byte offset "
            f"{offset}, from 0). It may be in Windows-1258, TCVN3 or VNI; save it as UTF-8.",
        )


# --- Errors shared by both formats ----------------------------------------------------------


def _too_large(size: int, limit: int, fmt: str) -> InputError:
    mb, limit_mb = f"{size / 2**20:.1f}", f"{limit / 2**20:g}"
    advice_vi, advice_en = "Hãy kiểm tra lại tệp", "Check that this is the right file"
    if fmt == "yaml":
        advice_vi += ", hoặc lưu báo cáo dưới dạng JSON (đọc nhanh hơn YAML nhiều lần)"
        advice_en += ", or save the submission as JSON (read many times faster than YAML)"
    return InputError(
        "too-large",
        "",
        None,
        f"Tệp quá lớn: {mb.replace('.', ',')} MB, vượt giới hạn {limit_mb} MB cho tệp "
        f"{fmt.upper()}; một báo cáo thật chỉ vài chục KB. {advice_vi}.",
        f"File too large: {mb} MB, over the {limit_mb} MB limit for {fmt.upper()} files; a real "
        f"submission is tens of kilobytes. {advice_en}.",
    )


def _too_deep(line: int | None, pointer: str = "") -> InputError:
    where_vi = f" (dòng {line})" if line is not None else ""
    where_en = f" (line {line})" if line is not None else ""
    return InputError(
        "too-deep",
        pointer,
        line,
        f"Dữ liệu lồng nhau quá sâu{where_vi}: quá {MAX_DEPTH} cấp danh sách/đối tượng lồng "
        f"trong nhau, trong khi một báo cáo thật chỉ lồng 4–5 cấp.",
        f"Nesting too deep{where_en}: more than {MAX_DEPTH} levels of lists/objects inside "
        f"each other, where a real submission nests 4–5 levels.",
    )


def _duplicate_key(pointer: str, key: str, line: int | None, first: int | None) -> InputError:
    shown = _shown(key)
    first_vi = f" (lần đầu ở dòng {first})" if first is not None else ""
    first_en = f" (first at line {first})" if first is not None else ""
    return InputError(
        "duplicate-key",
        pointer,
        line,
        f"Khóa {shown} bị lặp lại trong cùng một đối tượng{first_vi}: giá trị sau sẽ che mất "
        f"giá trị trước. Hãy gộp hoặc đổi tên một trong hai.",
        f"Duplicate key {shown} in the same object{first_en}: the later value would hide the "
        f"earlier one. Merge them or rename one.",
    )


def _lone_surrogate(pointer: str, is_key: bool, line: int | None) -> InputError:
    what_vi, what_en = ("Khóa", "A key") if is_key else ("Chuỗi", "A string")
    return InputError(
        "encoding",
        pointer,
        line,
        f"{what_vi} chứa một nửa cặp surrogate đơn lẻ (từ dãy thoát như \\ud800): đó không phải "
        f"ký tự Unicode và không ghi được bằng UTF-8. Hãy viết đúng ký tự cần dùng.",
        f"{what_en} holds a lone surrogate (from an escape such as \\ud800): it is not a "
        f"Unicode character and cannot be written as UTF-8. Write the intended character.",
    )


def _number_too_long(pointer: str, line: int | None) -> InputError:
    return InputError(
        "number",
        pointer,
        line,
        f"Số quá dài (hơn {_MAX_NUMBER_CHARS} chữ số): không phải một số lượng có thật.",
        f"Number too long (more than {_MAX_NUMBER_CHARS} digits): not a real count.",
    )


def _shown(value: str) -> str:
    """A key or value as quoted in a message, cut short and with surrogates made visible."""
    text = repr(_safe(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _safe(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udXXX``, so it can be printed as UTF-8."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _pointer_token(key: str) -> str:
    """One JSON-pointer token for a key, printable even if the key holds a lone surrogate."""
    return escape_pointer_token(_safe(key))


def _nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _sorted(errors: list[InputError]) -> list[InputError]:
    """Errors in the order of the file; those without a line last."""
    return sorted(errors, key=lambda e: (e.line is None, e.line or 0))


def _normalise_strings(
    data: Any, surrogates: list[tuple[str, bool]], duplicates: list[tuple[str, str]]
) -> Any:
    """NFC-normalise the strings and keys of parsed data; note lone surrogates and new duplicates.

    Only needed when the text holds escapes (``\\u0301``, ``\\ud800``): the escapes produce
    characters the text-level normalisation never saw. Two keys that differ only in
    normalisation become one key here, which is a duplicate like any other. Recursion is safe:
    nesting was bounded before parsing.
    """

    def fix(value: Any, pointer: str) -> Any:
        kind = type(value)
        if kind is str:
            if value.isascii():
                return value
            if _SURROGATE.search(value) is not None:
                surrogates.append((pointer, False))
                return value
            return _nfc(value)
        if kind is list:
            for i, item in enumerate(value):
                if item and type(item) in (str, list, dict):  # empty ones have nothing to fix
                    value[i] = fix(item, f"{pointer}/{i}")
            return value
        if kind is dict:
            if not value:
                return value
            fixed: dict[Any, Any] = {}
            for key, item in value.items():
                if type(key) is str and not key.isascii():
                    if _SURROGATE.search(key) is not None:
                        surrogates.append((pointer + "/" + _pointer_token(key), True))
                    else:
                        key = _nfc(key)
                member = pointer + "/" + _pointer_token(str(key))
                if key in fixed:
                    duplicates.append((member, key))
                fixed[key] = fix(item, member)
            return fixed
        return value

    return fix(data, "")


# --- JSON -----------------------------------------------------------------------------------

_NON_FINITE = ("NaN", "Infinity", "-Infinity")

# Byte tables for the structure pre-scan: keep quotes, colons and brackets (openers as "(",
# closers as ")"), drop everything else.
_STRUCTURE = bytes.maketrans(b"[{]}", b"(())")
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}:')

# A run of MAX_DEPTH + 1 openers: where the usual deep-nesting attack sits, to give a line.
_DEEP_RUN = re.compile(rb"[\[{](?:[ \t\r\n]*[\[{]){%d}" % MAX_DEPTH)


def _json_structure(body: bytes) -> tuple[bool, int]:
    """Whether a JSON text nests deeper than :data:`MAX_DEPTH`, and how many object members
    (``"key": value`` pairs) it writes.

    The member count finds duplicate keys cheaply: the parsed objects hold fewer members than
    the text writes exactly when some key was repeated (the parser keeps the last).
    Done with whole-buffer byte operations (replace, translate, split: C loops) because a loop
    in Python over a 50 MB file would take seconds. UTF-8 never uses ASCII bytes inside a
    multi-byte character, so quotes, colons and brackets can be found in the raw bytes. Exact
    for valid JSON; on invalid JSON only an estimate, which is all the parser's own recursion
    guard needs.
    """
    if b"\\" in body:  # drop escaped backslashes, then escaped quotes: strings become "..."
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    reduced = body.translate(_STRUCTURE, _NOT_STRUCTURE)
    # Cut the strings out by quote parity. Most strings hold no bracket or colon and are now ""
    # (so is a string's closing quote next to the following one's opening quote): dropping two
    # adjacent quotes changes the parity of no character, so they go first, in one C pass, and
    # only the few quotes left (strings that do hold a bracket or colon) are split on.
    reduced = reduced.replace(b'""', b"")
    if b'"' in reduced:
        reduced = b"".join(reduced.split(b'"')[::2])
    members = reduced.count(b":")
    if reduced.count(b"(") <= MAX_DEPTH:
        return False, members
    reduced = reduced.translate(None, b'":')
    # Each pass removes the innermost pairs "()"; pairs left after MAX_DEPTH passes sit deeper.
    for _ in range(MAX_DEPTH):
        if b"()" not in reduced:
            break
        reduced = reduced.replace(b"()", b"")
    else:
        if b"()" in reduced:
            return True, members
    # What is left is ")))(((": openers never closed (a truncated file) count too.
    return reduced.count(b"(") > MAX_DEPTH, members


def _json_syntax(exc: json.JSONDecodeError) -> InputError:
    reason_en = exc.msg
    reason_vi = next(
        (vi for prefix, vi in _JSON_REASONS_VI if reason_en.startswith(prefix)),
        "tệp không đúng cú pháp JSON ở chỗ này (xem lại dấu phẩy, dấu hai chấm, ngoặc và ngoặc kép)",
    )
    return InputError(
        "json-syntax",
        "",
        exc.lineno,
        f"Lỗi cú pháp JSON ở dòng {exc.lineno}, cột {exc.colno}: {reason_vi}.",
        f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {reason_en}.",
    )


# The stdlib parser's reasons, in the order to try them (longer prefixes first).
_JSON_REASONS_VI = (
    ("Expecting value", "thiếu giá trị (hoặc thừa dấu phẩy trước ] hay })"),
    (
        "Expecting property name enclosed in double quotes",
        'tên thuộc tính phải đặt trong ngoặc kép "…" (hoặc thừa dấu phẩy trước })',
    ),
    ("Expecting ':' delimiter", "thiếu dấu hai chấm ':' sau tên thuộc tính"),
    ("Expecting ',' delimiter", "thiếu dấu phẩy ',' giữa hai phần tử"),
    ("Unterminated string", "chuỗi chưa có ngoặc kép đóng"),
    (
        "Invalid control character",
        "chuỗi chứa ký tự điều khiển (xuống dòng, tab…); hãy viết \\n, \\t",
    ),
    ("Invalid \\uXXXX escape", "dãy thoát \\uXXXX không hợp lệ"),
    ("Invalid \\escape", "dãy thoát sau dấu \\ không hợp lệ"),
    ("Extra data", "còn dữ liệu thừa sau giá trị JSON đầu tiên"),
    ("Unexpected UTF-8 BOM", "dấu BOM thừa ở đầu dữ liệu"),
)


def _load_json(body: bytes, text: str) -> tuple[Document | None, list[InputError]]:
    too_deep, members_written = _json_structure(body)
    if too_deep:
        deep = _DEEP_RUN.search(body)
        return None, [_too_deep(None if deep is None else body.count(b"\n", 0, deep.end()) + 1)]

    members_kept = 0  # members of the parsed objects: fewer than written means duplicates
    non_finite_met = False

    def count_members(obj: dict[str, Any]) -> dict[str, Any]:
        # An object_hook costs a third of an object_pairs_hook, which builds pair lists.
        nonlocal members_kept
        members_kept += len(obj)
        return obj

    def non_finite(name: str) -> None:
        # Not JSON (RFC 8259), and a NaN compares unequal to itself in every later rule.
        nonlocal non_finite_met
        non_finite_met = True

    try:
        data = json.loads(text, object_hook=count_members, parse_constant=non_finite)
    except json.JSONDecodeError as exc:
        return None, [_json_syntax(exc)]
    except ValueError:
        # int() refused a number over the digit limit; say which, with its place.
        index = _JsonIndex(text)
        errors = [_number_too_long(p, index.line_at(o)) for p, o in index.long_numbers]
        return None, errors or [_number_too_long("", None)]

    document = Document(data, "json", _text=text)
    surrogates: list[tuple[str, bool]] = []
    renamed: list[tuple[str, str]] = []
    if "\\u" in text:
        document.data = _normalise_strings(data, surrogates, renamed)
    suspicious = members_kept != members_written or non_finite_met
    if not (suspicious or surrogates or renamed):
        return document, []

    index = document._index()
    errors = [
        _duplicate_key(pointer, key, index.line_at(offset), index.line_at(first))
        for pointer, key, offset, first in index.duplicates[:_LISTED]
    ]
    errors += [
        InputError(
            "json-syntax",
            pointer,
            index.line_at(offset),
            f"{name} không phải là số JSON hợp lệ (dòng {index.line_at(offset)}); "
            f"hãy ghi một số thật hoặc null.",
            f"{name} is not a valid JSON number (line {index.line_at(offset)}); "
            f"write a real number or null.",
        )
        for pointer, name, offset in index.constants
    ]
    errors += [_lone_surrogate(p, is_key, document.line_of(p)) for p, is_key in surrogates]
    # The data is whole when only keys repeat (the later value won); load_bytes decides.
    listed = ErrorList(_sorted(errors))
    listed.more = max(0, len(index.duplicates) - _LISTED)
    return (document if _only_duplicates(errors) else None), listed


#: Repeated keys of a JSON text given an error each at most (the others are counted).
_LISTED = 1000


# One group per kind of token, so the scanner dispatches on m.lastindex; whitespace between
# tokens is skipped by finditer's search (C) rather than matched.
_JSON_TOKEN = re.compile(
    r'("[^"\\]*(?:\\.[^"\\]*)*")|(,)|(:)|(\{)|(\[)|([\]}])|([^ \t\r\n\[\]{}:,"]+)', re.S
)
_STRING, _COMMA, _COLON, _OPEN_OBJECT, _OPEN_ARRAY, _CLOSE, _BARE = range(1, 8)


class _JsonIndex:
    """Where each value of a JSON text starts, from one pass of a small tokenizer.

    The stdlib parser keeps no positions, and scanning every valid file would cost as much as
    parsing it, so this runs only when a line is wanted (an error message) or when the parse
    saw duplicate keys or ``NaN`` that must be placed. It expects text the stdlib parser has
    read (up to any error); on anything else it stops early and knows fewer places.

    :ivar offsets: JSON pointer -> offset in the text of the key (object members) or of the
        value (array items and the root).
    :ivar duplicates: ``(pointer, key, offset, offset of first occurrence)`` of every repeated key.
    :ivar constants: ``(pointer, name, offset)`` of every ``NaN``/``Infinity``/``-Infinity``.
    :ivar long_numbers: ``(pointer, offset)`` of every number over the digit limit.
    """

    __slots__ = ("offsets", "duplicates", "constants", "long_numbers", "_text", "_newlines")

    def __init__(self, text: str) -> None:
        self.offsets: dict[str, int] = {}
        self.duplicates: list[tuple[str, str, int, int]] = []
        self.constants: list[tuple[str, str, int]] = []
        self.long_numbers: list[tuple[str, int]] = []
        self._text = text
        self._newlines: list[int] | None = None
        self._scan(text)

    def line_at(self, offset: int) -> int:
        """1-based line of a text offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self._text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def _scan(self, text: str) -> None:
        offsets = self.offsets
        # A frame per open container: [is_object, pointer, next index, keys seen -> offset,
        # expecting a key, pointer of the current member].
        stack: list[list[Any]] = []
        top: list[Any] | None = None
        for m in _JSON_TOKEN.finditer(text):
            kind = m.lastindex
            if kind == _COMMA:
                if top is not None:
                    if top[0]:
                        top[4] = True
                    else:
                        top[2] += 1
                continue
            if kind == _COLON:
                continue
            if kind == _CLOSE:
                if stack:
                    stack.pop()
                top = stack[-1] if stack else None
                continue
            start = m.start()
            if top is None:
                pointer = ""
                offsets[""] = start
            elif not top[0]:
                pointer = f"{top[1]}/{top[2]}"
                offsets[pointer] = start
            elif top[4]:  # a key
                if kind != _STRING:
                    return  # not the JSON the parser read: stop, knowing fewer places
                key = _json_key(m.group())
                member = top[1] + "/" + _pointer_token(key)
                first = top[3].get(key)
                if first is None:
                    top[3][key] = start
                    offsets[member] = start
                else:
                    self.duplicates.append((member, key, start, first))
                top[4] = False
                top[5] = member
                continue
            else:
                pointer = top[5]
            if kind == _OPEN_OBJECT:
                top = [True, pointer, 0, {}, True, pointer]
                stack.append(top)
            elif kind == _OPEN_ARRAY:
                top = [False, pointer, 0, None, False, pointer]
                stack.append(top)
            elif kind == _BARE:
                bare = m.group()
                if bare in _NON_FINITE:
                    self.constants.append((pointer, bare, start))
                elif len(bare) > _MAX_NUMBER_CHARS:
                    self.long_numbers.append((pointer, start))


def _json_key(token: str) -> str:
    """The key a quoted JSON token stands for, as the parsed (and normalised) data holds it."""
    if "\\" not in token:
        return token[1:-1]
    try:
        return _nfc(json.loads(token))
    except ValueError:
        return token[1:-1]


# --- YAML -----------------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "merge"
_INT, _FLOAT, _TIMESTAMP, _NULL = (_TAG + t for t in ("int", "float", "timestamp", "null"))
# Scalar types a submission can hold. Others (!!binary, !!set, !!omap, !python/...) are refused:
# they would reach the model as bytes, sets or tuples, or fail to construct at all.
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _TAG + "bool", _NULL, _TIMESTAMP, _MERGE}
_KEY_KINDS = {
    _INT: ("một số nguyên", "an integer"),
    _FLOAT: ("một số thực", "a number"),
    _TAG + "bool": (
        "giá trị đúng/sai (true/false, yes/no, on/off)",
        "a boolean (true/false, yes/no, on/off)",
    ),
    _NULL: ("giá trị rỗng (null, ~ hoặc để trống)", "null (null, ~ or nothing)"),
    _TIMESTAMP: ("một ngày tháng", "a date"),
}


class _Refusal(Exception):
    """Stops composing a YAML document whose structure cannot be accepted at all."""

    def __init__(self, error: InputError) -> None:
        super().__init__(error.en)
        self.error = error


def _load_yaml(text: str) -> tuple[Document | None, list[InputError]]:
    import yaml

    try:
        loader = _yaml_loader_type()(text)
    except yaml.YAMLError as exc:  # the pure-Python reader checks characters at once
        return None, [_yaml_syntax(exc, text)]
    errors: list[InputError] = loader.input_errors
    try:
        try:
            root = loader.get_single_node()
        except _Refusal as refusal:
            return None, _sorted([*errors, refusal.error])
        except yaml.YAMLError as exc:
            return None, _sorted([*errors, _yaml_syntax(exc, text)])
        # No node at all (only comments), or an empty document ("---" alone) which YAML reads
        # as null: either way the file holds no data.
        if root is None or (root.tag == _NULL and root.value == "" and not root.style):
            return None, [
                InputError(
                    "empty",
                    "",
                    None,
                    "Tệp YAML không chứa dữ liệu nào (chỉ có chú thích hoặc dấu '---').",
                    "The YAML file holds no data (only comments or '---' markers).",
                )
            ]
        if errors and not _only_duplicates(errors, key_errors=True):
            return None, _sorted(errors)
        # Only repeated keys or keys that are not text: build the data anyway (the later value
        # wins); load_bytes decides whether the caller gets it.
        if loader.alias_count:
            if _expanded_size(root, {}) > loader.node_count + _MAX_ALIAS_EXPANSION:
                return None, _sorted([*errors, _alias_error(None, "expansion")])
        try:
            data = loader.construct_document(root)
        except yaml.YAMLError as exc:
            if any(e.code == "yaml-key" for e in errors):  # a list or mapping as a key, already said
                return None, _sorted(errors)
            return None, _sorted([*errors, _yaml_syntax(exc, text)])
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # A backstop: explicit tags are checked while composing, so PyYAML's constructors
            # should not fail; if one does, the user still gets an input error, not a traceback.
            return None, _sorted([
                *errors,
                InputError(
                    "yaml-syntax",
                    "",
                    None,
                    f"Không dựng được giá trị từ YAML: {exc}.",
                    f"Could not build a value from the YAML: {exc}.",
                ),
            ])
    finally:
        loader.dispose()

    document = Document(data, "yaml", _yaml_root=root)
    if loader.more_duplicates:
        errors = ErrorList(errors)
        errors.more = loader.more_duplicates
    if "\\" in text:  # escapes in double-quoted scalars can bring non-NFC text or surrogates
        surrogates: list[tuple[str, bool]] = []
        renamed: list[tuple[str, str]] = []
        document.data = _normalise_strings(data, surrogates, renamed)
        found = [_lone_surrogate(p, is_key, document.line_of(p)) for p, is_key in surrogates]
        found += [_duplicate_key(p, key, document.line_of(p), None) for p, key in renamed]
        if found:
            errors = [*errors, *found]
            return (document if _only_duplicates(errors) else None), _sorted(errors)
    listed = ErrorList(_sorted(errors))
    listed.more = loader.more_duplicates
    return document, listed


def _yaml_syntax(exc: Exception, text: str) -> InputError:
    """A PyYAML error as an input error, with the line where the parser stopped."""
    line = column = None
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    elif isinstance(getattr(exc, "position", None), int):  # ReaderError: a character offset
        # exc is typed Exception; the getattr above checked the attribute (attr-defined)
        line = text.count("\n", 0, exc.position) + 1  # type: ignore[attr-defined]
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    if "maximum nesting depth" in str(problem):
        # libyaml's scanner has its own limit on flow nesting ([[[...), met before ours.
        return _too_deep(line)
    context = getattr(exc, "context", None)
    reason_en = f"{context}: {problem}" if context else str(problem)
    if getattr(exc, "character", None) is not None and not context:  # as above (attr-defined)
        reason_en = f"character #x{exc.character:04x}: {problem}"  # type: ignore[attr-defined]
    reason_vi = next(
        (vi for part, vi in _YAML_REASONS_VI if part in reason_en),
        "tệp không đúng cú pháp YAML ở chỗ này (xem lại thụt lề, dấu ':' và các dấu nháy)",
    )
    hint_vi, hint_en = _yaml_hint(text, line, reason_en)
    where_vi = "" if line is None else f" ở dòng {line}" + (f", cột {column}" if column else "")
    where_en = "" if line is None else f" at line {line}" + (f", column {column}" if column else "")
    return InputError(
        "yaml-syntax",
        "",
        line,
        f"Lỗi cú pháp YAML{where_vi}: {reason_vi}.{hint_vi}",
        f"YAML syntax error{where_en}: {reason_en}.{hint_en}",
    )


# ``key: value`` where the value holds ": " too (``ref: Biên bản: số 03``), maybe as a list item.
_COLON_IN_VALUE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[^\s:#'\"{}\[\]][^:#]*?):\s+(?P<value>[^'\"{}\[\]|>&*!].*?:(?:\s.*)?)\s*$")


def _yaml_hint(text: str, line: int | None, reason_en: str) -> tuple[str, str]:
    """A fix for the commonest slips, seen on the line where the parser stopped (or the one
    before): a tab used to indent, and a value with a colon in it left without quotes."""
    if line is None:
        return "", ""
    lines = text.splitlines()
    for number in (line, line - 1):
        if not 1 <= number <= len(lines):
            continue
        source = lines[number - 1]
        indent = source[: len(source) - len(source.lstrip())]
        if "\t" in indent or ("found character '\\t'" in reason_en and "\t" in source):
            return (
                f" Cách sửa: dòng {number} thụt lề bằng phím Tab; YAML chỉ nhận dấu cách — thay mỗi Tab"
                " bằng dấu cách (thường là 2 dấu cách cho mỗi cấp).",
                f" Fix: line {number} is indented with a tab; YAML takes spaces only — replace each tab"
                " with spaces (usually 2 per level).",
            )
        if "mapping values are not allowed" in reason_en:
            match = _COLON_IN_VALUE.match(source)
            if match is not None:
                value = match["value"].replace("\\", "\\\\").replace('"', '\\"')
                fixed = f'{match["lead"]}{match["key"]}: "{value}"'
                return (
                    f" Cách sửa: giá trị ở dòng {number} có dấu hai chấm ':' — đặt cả giá trị trong dấu"
                    f" ngoặc kép: {fixed.strip()}",
                    f" Fix: the value on line {number} holds a colon ':' — put the whole value in double"
                    f" quotes: {fixed.strip()}",
                )
    return "", ""


# Common PyYAML reasons, by a part of their text, in Vietnamese.
_YAML_REASONS_VI = (
    (
        "mapping values are not allowed",
        "có dấu ':' ở chỗ không được có (thường do một giá trị chứa dấu ':' mà không đặt trong dấu nháy,"
        " hoặc thụt lề sai)",
    ),
    ("found character '\\t'", "dùng ký tự tab để thụt lề; YAML chỉ cho phép dấu cách"),
    ("found a tab character", "dùng ký tự tab để thụt lề; YAML chỉ cho phép dấu cách"),
    (
        "found character that cannot start any token",
        "có ký tự không thể mở đầu một phần tử YAML (thường là tab dùng để thụt lề)",
    ),
    ("did not find expected node content", "thiếu giá trị ở vị trí này"),
    ("did not find expected ',' or ']'", "thiếu dấu ',' hoặc ']' trong danh sách [...]"),
    ("did not find expected ',' or '}'", "thiếu dấu ',' hoặc '}' trong ánh xạ {...}"),
    ("found unknown escape character", "dãy thoát sau dấu \\ không hợp lệ trong chuỗi"),
    ("found invalid Unicode character escape code", "dãy thoát \\u không hợp lệ trong chuỗi"),
    ("could not find expected ':'", "thiếu dấu ':' sau khóa"),
    ("found undefined alias", "tham chiếu *bí_danh tới một neo &bí_danh chưa được định nghĩa"),
    ("found duplicate anchor", "neo &bí_danh được định nghĩa hai lần"),
    ("found unexpected end of stream", "tệp kết thúc giữa chừng (thiếu ngoặc hoặc dấu nháy đóng)"),
    ("did not find expected key", "thụt lề không khớp: không tìm thấy khóa ở vị trí mong đợi"),
    ("special characters are not allowed", "tệp chứa ký tự điều khiển không được phép"),
    ("expected <block end>", "thụt lề không khớp với các dòng phía trên"),
    ("expected <document start>", "có nội dung thừa ở cấp ngoài cùng (thụt lề sai)"),
    ("found unexpected ':'", "có dấu ':' ở chỗ không được có"),
    ("expected ',' or ']'", "thiếu dấu ',' giữa các phần tử của danh sách [...]"),
    ("expected ',' or '}'", "thiếu dấu ',' giữa các phần tử của ánh xạ {...}"),
)


def _alias_error(line: int | None, why: str) -> InputError:
    if why == "count":
        vi = f"Tệp YAML dùng quá nhiều bí danh *tên (hơn {MAX_YAML_ALIASES})"
        en = f"The YAML file uses too many aliases *name (more than {MAX_YAML_ALIASES})"
    elif why == "recursive":
        vi = "Bí danh *tên tham chiếu tới chính khối đang chứa nó (vòng lặp vô hạn)"
        en = "An alias *name refers to the block that contains it (an endless loop)"
    else:
        vi = "Các bí danh *tên bung ra quá nhiều giá trị (kiểu tấn công “billion laughs”)"
        en = "The aliases *name expand into too many values (a “billion laughs” document)"
    return InputError(
        "yaml-aliases",
        "",
        line,
        f"{vi}; hãy viết dữ liệu ra trực tiếp.",
        f"{en}; write the data out instead.",
    )


def _expanded_size(node: Node, memo: dict[int, int]) -> int:
    """How many nodes the tree holds with every alias expanded; each shared node counted once
    in ``memo``, so this costs one visit per distinct node however large the expansion."""
    known = memo.get(id(node))
    if known is not None:
        return known
    value = node.value
    if isinstance(value, list):
        size = 1
        for item in value:
            if isinstance(item, tuple):  # a mapping's (key, value) pair
                size += _expanded_size(item[0], memo) + _expanded_size(item[1], memo)
            else:
                size += _expanded_size(item, memo)
    else:
        size = 1
    memo[id(node)] = size
    return size


def _yaml_line(root: Node, pointer: str) -> int:
    """The line of the node at ``pointer`` (of the key, for a mapping member), or of the
    nearest ancestor that exists."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    node = root
    line: int = root.start_mark.line + 1
    for token in pointer.split("/")[1:]:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and _pointer_token(_nfc(key.value)) == token:
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, SequenceNode) and token.isascii() and token.isdigit():
            position = int(token)
            if position >= len(node.value):
                return line
            node = node.value[position]
            line = node.start_mark.line + 1
        else:
            return line
    return line


@functools.cache
def _yaml_loader_type() -> type[Any]:
    """The YAML loader class, built on first use: importing PyYAML costs start-up time that a
    run over JSON files never needs."""
    import yaml
    from yaml.composer import Composer, ComposerError
    from yaml.constructor import SafeConstructor
    from yaml.events import (
        AliasEvent,
        MappingEndEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from yaml.resolver import Resolver

    parser_base: type[Any]
    try:
        # libyaml's parser emits events from an explicit state stack (no recursion); only its
        # composer recurses on the C stack, so composing is done here, in Python, with limits.
        # types-PyYAML does not re-export CParser from yaml.cyaml (PyYAML does).
        from yaml.cyaml import CParser  # type: ignore[attr-defined]

        parser_base = CParser
    except ImportError:  # PyYAML built without libyaml: the same, all in Python
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class PureParser(Reader, Scanner, Parser):
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)

        parser_base = PureParser

    # Composer first: its methods (ours below) replace the parser's C composer. parser_base is
    # chosen at run time, so mypy sees a base of type Any (misc).
    class SubmissionYamlLoader(
        Composer, parser_base, SafeConstructor, Resolver  # type: ignore[misc]
    ):
        """PyYAML's safe loader with a composer that checks what a submission needs.

        Composer methods are PyYAML's own, rewritten to keep the JSON pointer of the node being
        composed (for error messages), bound nesting depth and aliases, refuse duplicate and
        non-text keys and unknown tags, and refuse a second document. The resolver's path
        hooks (``descend_resolver``) are not called: this class registers no path resolvers.
        Names added here are ones PyYAML's classes do not use (its pure-Python Reader keeps
        an int in ``self.pointer``, its Scanner has a ``check_key``).
        """

        def __init__(self, stream: str) -> None:
            parser_base.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self.input_errors: list[InputError] = []
            self.more_duplicates = 0  # repeated keys past the _LISTED errors: only counted
            self.key_path: list[str] = []  # pointer tokens of the node being composed
            self.nesting = 0
            self.alias_count = 0
            self.node_count = 0
            self.open_anchors: set[str] = set()  # anchors of collections still being composed

        if TYPE_CHECKING:
            # types-PyYAML leaves Resolver.resolve untyped; what PyYAML's resolver gives is a tag.
            def resolve(self, kind: type[Node], value: str | None, implicit: Any) -> str: ...

        def pointer_here(self, token: str | None = None) -> str:
            parts = self.key_path if token is None else [*self.key_path, token]
            return "".join("/" + part for part in parts)

        def get_single_node(self) -> Node | None:
            self.get_event()  # STREAM-START
            node = None
            if not self.check_event(StreamEndEvent):
                node = self.compose_document()
            if not self.check_event(StreamEndEvent):
                line = self.get_event().start_mark.line + 1
                raise _Refusal(
                    InputError(
                        "yaml-multiple-documents",
                        "",
                        line,
                        f"Tệp YAML chứa nhiều hơn một tài liệu (tài liệu thứ hai bắt đầu ở dòng "
                        f"{line}, sau dấu '---'); mỗi tệp chỉ chứa một báo cáo.",
                        f"The YAML file holds more than one document (the second starts at line "
                        f"{line}, after '---'); a file holds one submission.",
                    )
                )
            self.get_event()  # STREAM-END
            return node

        def compose_node(self, parent: Node | None, index: Any) -> Node:
            if self.check_event(AliasEvent):
                event = self.get_event()
                line = event.start_mark.line + 1
                self.alias_count += 1
                if self.alias_count > MAX_YAML_ALIASES:
                    raise _Refusal(_alias_error(line, "count"))
                if event.anchor in self.open_anchors:
                    raise _Refusal(_alias_error(line, "recursive"))
                if event.anchor not in self.anchors:
                    raise ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
                return self.anchors[event.anchor]
            event = self.peek_event()
            if event.anchor is not None and event.anchor in self.anchors:
                raise ComposerError(
                    f"found duplicate anchor {event.anchor!r}; first occurrence",
                    self.anchors[event.anchor].start_mark,
                    "second occurrence",
                    event.start_mark,
                )
            self.node_count += 1
            if self.check_event(ScalarEvent):
                return self.compose_scalar_node(event.anchor)
            if self.check_event(SequenceStartEvent):
                return self.compose_sequence_node(event.anchor)
            return self.compose_mapping_node(event.anchor)

        # types-PyYAML types `anchor` as a dict; PyYAML passes the event's anchor name (override).
        def compose_scalar_node(self, anchor: str | None) -> ScalarNode:  # type: ignore[override]
            event = self.get_event()
            tag = event.tag
            explicit = not (tag is None or tag == "!")
            if not explicit:
                tag = self.resolve(ScalarNode, event.value, event.implicit)
                if tag not in _SCALAR_TAGS:  # '=' (YAML 1.1 "value" key) is plain text here
                    tag = _STR
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            line = event.start_mark.line + 1
            if tag not in _SCALAR_TAGS:
                self._note_tag(tag, line)
            elif tag in (_INT, _FLOAT) and len(event.value) > _MAX_NUMBER_CHARS:
                self.input_errors.append(_number_too_long(self.pointer_here(), line))
            elif explicit and tag not in (_STR, _MERGE):
                # "!!int abc" passes the resolver and breaks the constructor: try it now.
                try:
                    self.yaml_constructors[tag](self, node)
                except (ValueError, KeyError, AttributeError, TypeError, yaml.YAMLError):
                    short = tag.replace(_TAG, "!!")
                    self.input_errors.append(
                        InputError(
                            "yaml-tag",
                            self.pointer_here(),
                            line,
                            f"Giá trị {_shown(event.value)} ở dòng {line} không phải là {short} "
                            f"hợp lệ.",
                            f"The value {_shown(event.value)} at line {line} is not a valid "
                            f"{short}.",
                        )
                    )
            if anchor is not None:
                self.anchors[anchor] = node
            return node

        def _note_tag(self, tag: str, line: int) -> None:
            short = tag.replace(_TAG, "!!")
            self.input_errors.append(
                InputError(
                    "yaml-tag",
                    self.pointer_here(),
                    line,
                    f"Thẻ YAML {short} (dòng {line}) không được dùng trong báo cáo: chỉ dùng văn "
                    f"bản, số, true/false, null, ngày, danh sách và ánh xạ.",
                    f"The YAML tag {short} (line {line}) is not allowed in a submission: use "
                    f"text, numbers, true/false, null, dates, lists and mappings only.",
                )
            )

        def _enter_collection(self, event: Any, anchor: str | None) -> None:
            self.nesting += 1
            if self.nesting > MAX_DEPTH:
                raise _Refusal(_too_deep(event.start_mark.line + 1, self.pointer_here()))
            if anchor is not None:
                self.open_anchors.add(anchor)

        def _leave_collection(self, node: Node, anchor: str | None) -> None:
            node.end_mark = self.get_event().end_mark
            self.nesting -= 1
            if anchor is not None:
                self.open_anchors.discard(anchor)

        def compose_sequence_node(self, anchor: str | None) -> SequenceNode:  # type: ignore[override]
            start = self.get_event()
            self._enter_collection(start, anchor)
            tag = start.tag
            if tag is None or tag == "!":
                tag = self.resolve(SequenceNode, None, start.implicit)
            node = SequenceNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
            if tag != _SEQ:
                self._note_tag(tag, start.start_mark.line + 1)
            if anchor is not None:
                self.anchors[anchor] = node
            path = self.key_path
            index = 0
            while not self.check_event(SequenceEndEvent):
                path.append(str(index))
                node.value.append(self.compose_node(node, index))
                path.pop()
                index += 1
            self._leave_collection(node, anchor)
            return node

        def compose_mapping_node(self, anchor: str | None) -> MappingNode:  # type: ignore[override]
            start = self.get_event()
            self._enter_collection(start, anchor)
            tag = start.tag
            if tag is None or tag == "!":
                tag = self.resolve(MappingNode, None, start.implicit)
            node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
            if tag != _MAP:
                self._note_tag(tag, start.start_mark.line + 1)
            if anchor is not None:
                self.anchors[anchor] = node
            path = self.key_path
            first_lines: dict[str, int] = {}
            while not self.check_event(MappingEndEvent):
                key = self.compose_node(node, None)
                path.append(self._key_token(key, first_lines))
                value = self.compose_node(node, key)
                path.pop()
                node.value.append((key, value))
            self._leave_collection(node, anchor)
            return node

        def _key_token(self, key: Node, first_lines: dict[str, int]) -> str:
            """Record what is wrong with a mapping key; return its pointer token."""
            line = key.start_mark.line + 1
            if not isinstance(key, ScalarNode):
                self.input_errors.append(
                    InputError(
                        "yaml-key",
                        self.pointer_here(),
                        line,
                        f"Khóa ở dòng {line} là một danh sách hoặc ánh xạ; khóa phải là văn bản.",
                        f"The key at line {line} is a list or mapping; a key must be text.",
                    )
                )
                return "?"
            token = _pointer_token(key.value)
            if key.tag == _STR:
                first = first_lines.get(key.value)
                if first is None:
                    first_lines[key.value] = line
                elif len(self.input_errors) >= _LISTED:
                    self.more_duplicates += 1  # counted, not listed: bounded work per file
                else:
                    error = _duplicate_key(self.pointer_here(token), key.value, line, first)
                    self.input_errors.append(error)
            elif key.tag != _MERGE:  # "<<: *base" merges a mapping, by design
                kind_vi, kind_en = _KEY_KINDS.get(key.tag, ("không phải văn bản", "not text"))
                shown = _shown(key.value)
                self.input_errors.append(
                    InputError(
                        "yaml-key",
                        self.pointer_here(token),
                        line,
                        f"Khóa {shown} ở dòng {line} được YAML đọc thành {kind_vi}, không phải "
                        f"văn bản; hãy đặt khóa trong dấu nháy, ví dụ \"{_safe(key.value)}\".",
                        f"The key {shown} at line {line} reads in YAML as {kind_en}, not "
                        f"text; quote it, e.g. \"{_safe(key.value)}\".",
                    )
                )
            return token

        def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
            # "2022-02-30" looks like a timestamp but is no date: keep the text, so the model
            # reports it as an impossible date at its field, like "30/2/2022".
            try:
                return SafeConstructor.construct_yaml_timestamp(self, node)
            except ValueError:
                return node.value

    SubmissionYamlLoader.add_constructor(_TIMESTAMP, SubmissionYamlLoader.construct_yaml_timestamp)
    return SubmissionYamlLoader
