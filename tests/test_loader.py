"""The loader: bytes of a submission file -> data, or every input error with its place.

Each requirement has a failing input and a passing one. Inputs that could crash the interpreter
(deep nesting through PyYAML) run in a child process, so a regression fails one test instead of
killing the run.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from kl21rules.diagnostics import InputError
from kl21rules.loader import (
    MAX_DEPTH,
    MAX_JSON_BYTES,
    MAX_YAML_ALIASES,
    MAX_YAML_BYTES,
    Document,
    detect_format,
    load_bytes,
)

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "data" / "jsontestsuite" / "test_parsing"

CODES = {
    "encoding",
    "empty",
    "json-syntax",
    "yaml-syntax",
    "duplicate-key",
    "too-deep",
    "too-large",
    "number",
    "yaml-multiple-documents",
    "yaml-key",
    "yaml-tag",
    "yaml-aliases",
}


def ok(raw: bytes, fmt: str) -> Document:
    document, errors = load_bytes(raw, fmt)
    assert errors == [], errors
    assert document is not None
    return document


def refused(raw: bytes, fmt: str) -> list[InputError]:
    document, errors = load_bytes(raw, fmt)
    assert document is None
    assert errors
    for error in errors:
        assert error.code in CODES, error
        assert error.vi and error.en and error.vi != error.en, error
    return errors


def codes(errors: list[InputError]) -> list[str]:
    return [e.code for e in errors]


def yaml_text(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


# --- 1. Encoding --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_bom_and_crlf_are_accepted(fmt: str) -> None:
    raw = (
        b'\xef\xbb\xbf{"unit":\r\n  {"name": "\xc4\x90\xe1\xba\xa3ng b\xe1\xbb\x99"}}\r\n'
        if fmt == "json"
        else b"\xef\xbb\xbfunit:\r\n  name: \xc4\x90\xe1\xba\xa3ng b\xe1\xbb\x99\r\n"
    )
    document = ok(raw, fmt)
    assert document.data == {"unit": {"name": "Đảng bộ"}}
    assert document.line_of("/unit/name") == 2


def test_only_one_bom_is_stripped() -> None:
    errors = refused(b"\xef\xbb\xbf\xef\xbb\xbf{}", "json")
    assert codes(errors) == ["json-syntax"]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_invalid_utf8_gives_line_and_byte_offset(fmt: str) -> None:
    # "Đảng" in Windows-1258 (not UTF-8) on line 3
    raw = b'\xef\xbb\xbf{\n"a": 1,\n"b": "\xd0a\xd2ng"\n}'
    (error,) = refused(raw, fmt)
    assert error.code == "encoding"
    assert error.line == 3
    assert "0xD0" in error.vi and "0xD0" in error.en
    offset = raw.index(b"\xd0")
    assert f"byte offset {offset}" in error.en and f"vị trí byte {offset}" in error.vi
    assert "UTF-8" in error.vi


@pytest.mark.parametrize(
    "raw",
    [
        '{"a": "b"}'.encode("utf-16"),  # with BOM FF FE
        '{"a": "b"}'.encode("utf-16-be"),  # no BOM: NUL bytes
        '{"a": "b"}'.encode("utf-16-le"),
        '{"a": "b"}'.encode("utf-32"),
        b"\xfe\xff\x00{\x00}",
        "a: b\n".encode("utf-16"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_utf16_and_utf32_are_refused(raw: bytes, fmt: str) -> None:
    (error,) = refused(raw, fmt)
    assert error.code == "encoding"
    assert "UTF-16" in error.vi and "UTF-8" in error.vi
    assert "must be saved as UTF-8" in error.en


def test_utf8_without_bom_is_fine() -> None:
    assert ok('{"a": "Tổ chức"}'.encode(), "json").data == {"a": "Tổ chức"}


# --- 2. Unicode normalisation -------------------------------------------------------------

NFC_NAME = "Đảng bộ Sở Tài chính"
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_decomposed_text_is_normalised(fmt: str) -> None:
    assert NFD_NAME != NFC_NAME
    raw = (
        json.dumps({NFD_NAME: NFD_NAME}, ensure_ascii=False)
        if fmt == "json"
        else f"{NFD_NAME}: {NFD_NAME}\n"
    ).encode()
    assert ok(raw, fmt).data == {NFC_NAME: NFC_NAME}


def test_json_escapes_are_normalised_too() -> None:
    # ensure_ascii writes every character as \u escapes, which text-level NFC never sees
    raw = json.dumps({"k": [NFD_NAME, {NFD_NAME: NFD_NAME}]}).encode()
    assert b"\\u0301" in raw or b"\\u0300" in raw
    assert ok(raw, "json").data == {"k": [NFC_NAME, {NFC_NAME: NFC_NAME}]}


def test_yaml_escapes_are_normalised_too() -> None:
    document = ok(b'a: "e\\u0301"\n"\\u00e9": x\n', "yaml")
    assert document.data == {"a": "é", "é": "x"}


@pytest.mark.parametrize(
    ("raw", "fmt"),
    [
        (b'{"\\u00e9": 1, "e\\u0301": 2}', "json"),
        ('{"é": 1, "e\\u0301": 2}'.encode(), "json"),
        (b'"\\u00e9": 1\n"e\\u0301": 2\n', "yaml"),
    ],
)
def test_keys_equal_after_normalisation_are_duplicates(raw: bytes, fmt: str) -> None:
    (error,) = refused(raw, fmt)
    assert error.code == "duplicate-key"
    assert error.pointer == "/é"


def test_lone_surrogates_are_refused_with_their_pointer() -> None:
    raw = b'{\n "a": ["ok", "x\\ud800y"],\n "\\udc00k": 1,\n "b": "\\ud83d"\n}'
    errors = refused(raw, "json")
    assert [(e.code, e.pointer, e.line) for e in errors] == [
        ("encoding", "/a/1", 2),
        ("encoding", "/\\udc00k", 3),
        ("encoding", "/b", 4),
    ]
    assert "surrogate" in errors[0].en and "UTF-8" in errors[0].vi
    assert errors[1].vi.startswith("Khóa")
    for error in errors:  # the report itself must be writable as UTF-8
        (error.pointer + error.vi + error.en).encode("utf-8")


def test_surrogate_pairs_are_fine() -> None:
    assert ok(b'{"a": "\\ud83d\\ude00"}', "json").data == {"a": "😀"}


# --- 3. JSON ------------------------------------------------------------------------------


def test_json_duplicate_keys_are_all_reported_with_places() -> None:
    raw = textwrap.dedent(
        """\
        {
          "unit": {"id": "A", "name": "x",
                   "id": "B"},
          "activities": [
            {"type": "report", "date": "2022-01-01"},
            {"type": "report", "type": "outreach", "type": "x"}
          ],
          "unit": {}
        }
        """
    ).encode()
    errors = refused(raw, "json")
    assert [(e.code, e.pointer, e.line) for e in errors] == [
        ("duplicate-key", "/unit/id", 3),
        ("duplicate-key", "/activities/1/type", 6),
        ("duplicate-key", "/activities/1/type", 6),
        ("duplicate-key", "/unit", 8),
    ]
    assert "'id'" in errors[0].vi and "dòng 2" in errors[0].vi and "line 2" in errors[0].en


def test_json_same_key_in_different_objects_is_fine() -> None:
    document = ok(b'{"a": {"id": 1}, "b": {"id": 1}, "c": [{"id": 1}, {"id": 2}]}', "json")
    assert document.data["c"][1] == {"id": 2}


def test_json_duplicate_key_with_escapes_and_colons_in_strings() -> None:
    # Keys and values holding quotes, colons and brackets must not confuse the counting.
    raw = b'{"a\\"b": "x: [y]", "t": "10:00", "a\\"b": "{:}"}'
    (error,) = refused(raw, "json")
    assert error.pointer == '/a"b'
    ok(b'{"a\\"b": "x: [y]", "t": "10:00", "c\\\\": "{:}"}', "json")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_non_finite_constants_are_refused(constant: str) -> None:
    raw = f'{{"a": 1,\n "b": [2, {constant}]}}'.encode()
    (error,) = refused(raw, "json")
    assert (error.code, error.pointer, error.line) == ("json-syntax", "/b/1", 2)
    assert constant in error.vi and constant in error.en


def test_json_every_constant_is_reported() -> None:
    errors = refused(b'[NaN, 1, Infinity, {"x": -Infinity}]', "json")
    assert [e.pointer for e in errors] == ["/0", "/2", "/3/x"]


def test_json_constant_names_as_text_and_huge_floats_are_fine() -> None:
    document = ok(b'{"a": "NaN", "b": 1e999, "c": -1e999}', "json")
    assert document.data == {"a": "NaN", "b": float("inf"), "c": float("-inf")}


@pytest.mark.parametrize(
    ("raw", "line", "vi_part", "en_part"),
    [
        (b'{\n  "a": 1,\n  "b": 2,\n}', 4, "dấu phẩy", "Expecting property name"),
        (b'{\n  "a": 1\n  "b": 2\n}', 3, "thiếu dấu phẩy", "Expecting ',' delimiter"),
        (b'{"a": [1, 2,]}', 1, "thiếu giá trị", "Expecting value"),
        (b"{'a': 1}", 1, "ngoặc kép", "Expecting property name"),
        (b'{"a": "x\ny"}', 1, "ký tự điều khiển", "Invalid control character"),
        (b'{"a": 1} {"b": 2}', 1, "dữ liệu thừa", "Extra data"),
        (b'{"a": "unterminated', 1, "ngoặc kép đóng", "Unterminated string"),
    ],
)
def test_json_syntax_errors_give_line_and_reason(
    raw: bytes, line: int, vi_part: str, en_part: str
) -> None:
    (error,) = refused(raw, "json")
    assert (error.code, error.line) == ("json-syntax", line)
    assert error.vi.startswith(f"Lỗi cú pháp JSON ở dòng {line}, cột ")
    assert vi_part in error.vi
    assert en_part in error.en


def test_json_numbers_past_the_digit_limit_are_an_input_error() -> None:
    raw = b'{"a": 1,\n "members": ' + b"9" * 5000 + b"}"
    (error,) = refused(raw, "json")
    assert (error.code, error.pointer, error.line) == ("number", "/members", 2)


def test_json_long_but_allowed_numbers_are_fine() -> None:
    assert ok(b"[" + b"9" * 4000 + b", 1." + b"5" * 5000 + b"]", "json").data[0] == int("9" * 4000)


def test_json_top_level_need_not_be_an_object() -> None:
    # The model reports a top level that is not an object; the loader only must not crash.
    assert ok(b"[1, 2]", "json").data == [1, 2]
    assert ok(b'"text"', "json").data == "text"
    assert ok(b"null", "json").data is None


# --- 4. YAML ------------------------------------------------------------------------------


def test_yaml_duplicate_keys_are_all_reported_with_places() -> None:
    raw = yaml_text(
        """
        unit:
          id: A
          name: x
          id: B
        activities:
          - type: report
            type: outreach
        'unit': {}
        """
    )
    errors = refused(raw, "yaml")
    assert [(e.code, e.pointer, e.line) for e in errors] == [
        ("duplicate-key", "/unit/id", 4),
        ("duplicate-key", "/activities/0/type", 7),
        ("duplicate-key", "/unit", 8),
    ]
    assert "dòng 2" in errors[0].vi and "line 2" in errors[0].en


def test_yaml_same_key_in_different_mappings_and_merges_are_fine() -> None:
    raw = yaml_text(
        """
        base: &base {mode: online, expected: 10}
        a: {id: 1}
        b: {id: 1}
        c:
          <<: *base
          mode: in_person
        """
    )
    assert ok(raw, "yaml").data["c"] == {"mode": "in_person", "expected": 10}


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (b"unit:\n  id: A\n name: x\n", 3),
        (b"a: [1, 2\nb: 3\n", 2),
        (b"a:\n\tb: 1\n", 2),
        (b'a: "unterminated\n', 2),
        (b"a: b: c\n", 1),
        (b"a: \x07\n", 1),
        (b"a: *nowhere\n", 1),
    ],
)
def test_yaml_syntax_errors_give_a_line(raw: bytes, line: int) -> None:
    (error,) = refused(raw, "yaml")
    assert (error.code, error.line) == ("yaml-syntax", line)
    assert error.vi.startswith(f"Lỗi cú pháp YAML ở dòng {line}")
    assert error.en.startswith(f"YAML syntax error at line {line}")


@pytest.mark.parametrize("raw", [b"a: 1\n---\nb: 2\n", b"---\na: 1\n...\n---\nb: 2\n", b"a: 1\n---\n"])
def test_yaml_several_documents_are_refused(raw: bytes) -> None:
    (error,) = refused(raw, "yaml")
    assert error.code == "yaml-multiple-documents"
    assert error.line is not None


def test_yaml_one_document_with_markers_is_fine() -> None:
    assert ok(b"%YAML 1.1\n---\na: 1\n...\n", "yaml").data == {"a": 1}


def test_yaml_keys_must_be_text() -> None:
    raw = yaml_text(
        """
        1: a
        yes: b
        ~: c
        2022-01-01: d
        1.5: e
        ? [x]
        : f
        """
    )
    errors = refused(raw, "yaml")
    assert [(e.code, e.pointer, e.line) for e in errors] == [
        ("yaml-key", "/1", 1),
        ("yaml-key", "/yes", 2),
        ("yaml-key", "/~0", 3),
        ("yaml-key", "/2022-01-01", 4),
        ("yaml-key", "/1.5", 5),
        ("yaml-key", "", 6),
    ]
    assert "số nguyên" in errors[0].vi and '"1"' in errors[0].vi and "integer" in errors[0].en
    assert "boolean" in errors[1].en


def test_yaml_quoted_keys_are_text() -> None:
    assert ok(b'"1": a\n\'yes\': b\n"2022-01-01": c\n', "yaml").data == {
        "1": "a",
        "yes": "b",
        "2022-01-01": "c",
    }


def test_yaml_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    start = time.process_time()
    (error,) = refused("\n".join(lines).encode(), "yaml")
    assert time.process_time() - start < 1
    assert error.code == "yaml-aliases"


def test_yaml_too_many_aliases_are_refused() -> None:
    raw = b"x: &x 1\nl:\n" + b"  - *x\n" * (MAX_YAML_ALIASES + 1)
    (error,) = refused(raw, "yaml")
    assert error.code == "yaml-aliases" and error.line == MAX_YAML_ALIASES + 3


def test_yaml_recursive_alias_is_refused() -> None:
    (error,) = refused(b"a: &a\n  b: *a\n", "yaml")
    assert error.code == "yaml-aliases"


def test_yaml_a_few_aliases_are_fine() -> None:
    raw = b"term: &t {start: 2020-06-18}\nl:\n" + b"  - *t\n" * MAX_YAML_ALIASES
    assert len(ok(raw, "yaml").data["l"]) == MAX_YAML_ALIASES


def test_yaml_timestamps() -> None:
    document = ok(b"a: 2022-03-18\nb: 2022-03-18 10:00:00\nc: 2022-02-30\nd: '2022-03-18'\n", "yaml")
    assert document.data == {
        "a": dt.date(2022, 3, 18),
        "b": dt.datetime(2022, 3, 18, 10, 0),  # kept: the model says a time is not a date
        "c": "2022-02-30",  # no such day: kept as text, so the model reports it at its field
        "d": "2022-03-18",
    }


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        (b"a: !!binary aGVsbG8=\n", "/a"),
        (b"a: !!set {x, y}\n", "/a"),
        (b"a: !!omap [x: 1]\n", "/a"),
        (b"a: !!python/object:os.system x\n", "/a"),
        (b"a: [1, !custom x]\n", "/a/1"),
        (b"a: !!int abc\n", "/a"),
        (b"a: !!bool maybe\n", "/a"),
        (b"a: !!timestamp soon\n", "/a"),
    ],
)
def test_yaml_other_tags_are_refused(raw: bytes, pointer: str) -> None:
    (error,) = refused(raw, "yaml")
    assert (error.code, error.pointer, error.line) == ("yaml-tag", pointer, 1)


def test_yaml_core_tags_are_fine() -> None:
    document = ok(b"a: !!str 123\nb: !!int '7'\nc: !!float 1\nd: !!bool yes\ne: !!null ''\n", "yaml")
    assert document.data == {"a": "123", "b": 7, "c": 1.0, "d": True, "e": None}


def test_yaml_numbers_past_the_digit_limit_are_an_input_error() -> None:
    (error,) = refused(b"a: 1\nb: " + b"9" * 5000 + b"\n", "yaml")
    assert (error.code, error.pointer, error.line) == ("number", "/b", 2)


def test_yaml_base60_numbers_cannot_take_long() -> None:
    start = time.process_time()
    (error,) = refused(b"a: 1" + b":59" * 3000 + b"\n", "yaml")
    assert error.code == "number" and time.process_time() - start < 1


def test_yaml_checks_hold_without_libyaml_too() -> None:
    # PyYAML built without libyaml (some platforms, some installs) parses in pure Python: run
    # this file's YAML tests again that way, in a child process where libyaml cannot load.
    script = textwrap.dedent(
        """
        import sys
        sys.modules["yaml._yaml"] = None
        import yaml, pytest
        assert not yaml.__with_libyaml__
        sys.exit(pytest.main(sys.argv[1:]))
        """
    )
    selection = "yaml and not libyaml and not limit and not deep_nesting_is_refused"
    run = subprocess.run(
        [sys.executable, "-c", script, "-q", "-p", "no:cacheprovider", __file__, "-k", selection],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout


# --- 5. Empty files -----------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"])
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_empty_files_are_refused(raw: bytes, fmt: str) -> None:
    (error,) = refused(raw, fmt)
    assert (error.code, error.pointer, error.line) == ("empty", "", None)


@pytest.mark.parametrize("raw", [b"# only a comment\n", b"---\n", b"---\n...\n"])
def test_yaml_without_a_document_is_empty(raw: bytes) -> None:
    (error,) = refused(raw, "yaml")
    assert error.code == "empty"


@pytest.mark.parametrize(("raw", "data"), [(b"{}", {}), (b"[]", []), (b"0", 0)])
def test_smallest_documents_are_fine(raw: bytes, data: Any) -> None:
    assert ok(raw, "json").data == data
    assert ok(raw, "yaml").data == data


# --- 6. Deep nesting ----------------------------------------------------------------------

DEEP = 100_000

_DEEP_CASES = {
    "json [": (b"[" * DEEP + b"]" * DEEP, "json"),
    "json [ unclosed": (b"[" * DEEP, "json"),
    "json {": (b'{"a":' * DEEP + b"1" + b"}" * DEEP, "json"),
    "json mixed": (b'[{"a":' * (DEEP // 2) + b"1" + b"}]" * (DEEP // 2), "json"),
    "yaml flow [": (b"[" * DEEP + b"]" * DEEP, "yaml"),
    "yaml flow [ unclosed": (b"[" * DEEP, "yaml"),
    "yaml flow {": (b"{a: " * DEEP + b"1" + b"}" * DEEP, "yaml"),
    "yaml block -": (b"- " * DEEP + b"x\n", "yaml"),
    "yaml block indent": (
        b"".join(b" " * i + b"k:\n" for i in range(1000)) + b" " * 1000 + b"k: 1\n",
        "yaml",
    ),
    "yaml block ? keys": (b"? " * DEEP + b"x\n", "yaml"),
}


def test_deep_nesting_is_refused_quickly_without_crashing() -> None:
    # In a child process: PyYAML's own C composer overflows the C stack on these (a segfault),
    # so a regression must not take the test run down with it.
    script = textwrap.dedent(
        f"""
        import json, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from kl21rules.loader import load_bytes
        import tests.test_loader as t
        out = {{}}
        for name, (raw, fmt) in t._DEEP_CASES.items():
            start = time.process_time()
            document, errors = load_bytes(raw, fmt)
            out[name] = [document is None, [e.code for e in errors], time.process_time() - start]
        print(json.dumps(out))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout)
    assert set(results) == set(_DEEP_CASES)
    for name, (refused_, error_codes, seconds) in results.items():
        assert refused_ and error_codes == ["too-deep"], (name, error_codes)
        assert seconds < 1, (name, seconds)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_nesting_up_to_the_limit_is_fine_one_more_is_not(fmt: str) -> None:
    at_limit = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert ok(at_limit, fmt).data is not None
    (error,) = refused(b"[" + at_limit + b"]", fmt)
    assert (error.code, error.line) == ("too-deep", 1)
    objects = b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH
    assert ok(objects, fmt)
    assert codes(refused(b"[" + objects + b"]", fmt)) == ["too-deep"]


def test_yaml_block_nesting_counts_too() -> None:
    def block(levels: int) -> bytes:
        return b"".join(b"  " * i + b"k:\n" for i in range(levels - 1)) + b"  " * (levels - 1) + b"k: 1\n"

    assert ok(block(MAX_DEPTH), "yaml")
    (error,) = refused(block(MAX_DEPTH + 1), "yaml")
    assert (error.code, error.line) == ("too-deep", MAX_DEPTH + 1)
    assert error.pointer == "/k" * MAX_DEPTH


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    many = "[{" * 1000
    document = ok(json.dumps({"note": many, many: ["]}" * 1000], "a\\\"[": 1}).encode(), "json")
    assert document.data["note"] == many
    assert ok(f"note: '{many}'\n".encode(), "yaml").data == {"note": many}


def _structure_by_hand(text: bytes) -> tuple[int, int]:
    """Colons and the deepest nesting outside strings, reading one character at a time: what
    the loader's whole-buffer structure scan must find (a character after an odd number of
    unescaped quotes is inside a string)."""
    members = depth = deepest = 0
    inside = escaped = False
    for c in text:
        if inside:
            if escaped:
                escaped = False
            elif c == ord("\\"):
                escaped = True
            elif c == ord('"'):
                inside = False
        elif c == ord('"'):
            inside = True
        elif c == ord(":"):
            members += 1
        elif c in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in b"]}":
            depth -= 1
    return members, deepest


def test_the_structure_scan_counts_members_and_nesting_outside_strings() -> None:
    """Strings holding quotes, colons and brackets, next to each other or empty, at every
    depth around the limit (the scan drops adjacent quotes before it splits on the others)."""
    import random

    from kl21rules.loader import _json_structure

    rnd = random.Random(15)
    words = ["", "a", ":", "[", "]{", "}", '\\"', "\\\\", "x: [y]", "10:00", '"":', "(", "a\\"]

    def value(level: int, limit: int) -> Any:
        kind = rnd.random()
        if level >= limit or kind < 0.3:
            return rnd.choice([*words, 1, None])
        if kind < 0.65:
            return [value(level + 1, limit) for _ in range(rnd.randrange(4))]
        return {rnd.choice(words) + str(i): value(level + 1, limit) for i in range(rnd.randrange(4))}

    for case in range(400):
        limit = rnd.choice([3, 8, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 3])
        data = value(0, limit)
        for _ in range(limit if case % 3 == 0 else 0):  # reach the limit along one path
            data = {rnd.choice(words): [data, rnd.choice(words)]}
        for text in (json.dumps(data), json.dumps(data, indent=1), json.dumps(data, ensure_ascii=False)):
            raw = text.encode()
            members, deepest = _structure_by_hand(raw)
            assert _json_structure(raw) == (deepest > MAX_DEPTH, members), text[:200]


def test_deep_nesting_line_is_where_it_starts() -> None:
    raw = b'{\n "a": 1,\n "b":\n' + b"[" * 200 + b"]" * 200 + b"}"
    (error,) = refused(raw, "json")
    assert (error.code, error.line) == ("too-deep", 4)
    (error,) = refused(raw, "yaml")
    assert (error.code, error.line) == ("too-deep", 4)


# --- 7. Size ------------------------------------------------------------------------------


def _json_of_strings(size: int) -> bytes:
    item = '"Nghị quyết số 15-NQ/ĐU về công tác xây dựng Đảng"'.encode()
    return b"[" + b",".join([item] * (size // (len(item) + 1))) + b"]"


def test_a_50mb_file_is_answered_in_seconds() -> None:
    raw = _json_of_strings(50_000_000)
    assert len(raw) > 49_000_000
    for fmt in ("json", "yaml"):
        start = time.process_time()
        (error,) = refused(raw, fmt)
        assert time.process_time() - start < 5
        assert error.code == "too-large"
        assert "47,7 MB" in error.vi and "47.7 MB" in error.en


def test_a_file_at_the_json_limit_is_parsed_in_seconds() -> None:
    raw = _json_of_strings(MAX_JSON_BYTES)
    assert MAX_JSON_BYTES - 100 < len(raw) <= MAX_JSON_BYTES
    start = time.process_time()
    document = ok(raw, "json")
    assert time.process_time() - start < 5
    assert len(document.data) > 50_000


def test_a_file_at_the_yaml_limit_is_parsed_in_seconds() -> None:
    entry = "- {type: study_session, date: 18/3/2022, note: Quán triệt Kết luận 21}\n".encode()
    raw = entry * (MAX_YAML_BYTES // len(entry))
    start = time.process_time()
    document = ok(raw, "yaml")
    assert time.process_time() - start < 5
    assert len(document.data) == MAX_YAML_BYTES // len(entry)
    assert codes(refused(raw + entry, "yaml")) == ["too-large"]


# --- 8. Every error -----------------------------------------------------------------------


def test_yaml_reports_every_kind_of_error_together_in_file_order() -> None:
    raw = yaml_text(
        """
        unit:
          id: A
          id: B
        1: x
        activities:
          - a: !!binary aGk=
            a: 2
        """
    )
    errors = refused(raw, "yaml")
    assert [(e.code, e.line) for e in errors] == [
        ("duplicate-key", 3),
        ("yaml-key", 4),
        ("yaml-tag", 6),
        ("duplicate-key", 7),
    ]


def test_yaml_errors_before_a_syntax_error_are_kept() -> None:
    errors = refused(b"a: 1\na: 2\nb: [\n", "yaml")
    assert codes(errors) == ["duplicate-key", "yaml-syntax"]


def test_json_reports_duplicates_constants_and_surrogates_together() -> None:
    raw = b'{\n"a": NaN,\n"b": "\\ud800",\n"a": 1\n}'
    errors = refused(raw, "json")
    assert [(e.code, e.pointer, e.line) for e in errors] == [
        ("json-syntax", "/a", 2),
        ("encoding", "/b", 3),
        ("duplicate-key", "/a", 4),
    ]


# --- 9. Messages --------------------------------------------------------------------------

_VIETNAMESE = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


@pytest.mark.parametrize(
    ("raw", "fmt"),
    [
        (b"", "json"),
        (b"\xff\xfe{\x00", "json"),
        (b'{"a": "\xe9"}', "json"),
        (b'{"a": 1, "a": 2}', "json"),
        (b'{"a": NaN}', "json"),
        (b'{"a": "\\ud800"}', "json"),
        (b"{", "json"),
        (b"[" * 100, "json"),
        (b"[" + b"1" * 5000 + b"]", "json"),
        (b"a: [", "yaml"),
        (b"a: 1\n---\nb: 1", "yaml"),
        (b"1: a", "yaml"),
        (b"a: !!set {}", "yaml"),
        (b"a: &a [*a]", "yaml"),
        (b"# nothing", "yaml"),
        (b"x" * (MAX_YAML_BYTES + 1), "yaml"),
    ],
)
def test_messages_are_vietnamese_first_then_english(raw: bytes, fmt: str) -> None:
    for error in refused(raw, fmt):
        assert _VIETNAMESE & set(error.vi.lower()), error.vi
        assert error.en.isascii() or not (_VIETNAMESE & set(error.en.lower())), error.en
        assert error.message() == error.vi and error.message("en") == error.en
        assert len(error.vi) < 400


def test_load_bytes_refuses_an_unknown_format_name() -> None:
    with pytest.raises(ValueError):
        load_bytes(b"{}", "toml")


# --- Lines and formats --------------------------------------------------------------------

_NESTED_JSON = b"""{
  "a": {
    "b": [
      1,
      {"c": 2, "d/e": 3, "f~": 4}
    ]
  },
  "z":
    5
}"""

_NESTED_YAML = b"""a:
  b:
    - 1
    - c: 2
      d/e: 3
      f~: 4
z:
  5
"""


@pytest.mark.parametrize(
    ("pointer", "json_line", "yaml_line"),
    [
        ("", 1, 1),
        ("/a", 2, 1),
        ("/a/b", 3, 2),
        ("/a/b/0", 4, 3),
        ("/a/b/1", 5, 4),
        ("/a/b/1/c", 5, 4),
        ("/a/b/1/d~1e", 5, 5),
        ("/a/b/1/f~0", 5, 6),
        ("/z", 8, 7),  # a member's line is its key's
        ("/a/b/1/missing", 5, 4),  # nearest existing ancestor
        ("/a/b/7", 3, 2),
        ("/a/b/x", 3, 2),
        ("/missing/deeper", 1, 1),
    ],
)
def test_line_of(pointer: str, json_line: int, yaml_line: int) -> None:
    assert ok(_NESTED_JSON, "json").line_of(pointer) == json_line
    assert ok(_NESTED_YAML, "yaml").line_of(pointer) == yaml_line


def test_line_of_json_scans_lazily_and_once() -> None:
    document = ok(_NESTED_JSON, "json")
    assert document._json_index is None  # loading a valid file pays nothing for positions
    assert document.line_of("/z") == 8
    index = document._json_index
    assert index is not None
    assert document.line_of("/a/b/0") == 4
    assert document._json_index is index


def test_line_of_counts_crlf_lines() -> None:
    assert ok(_NESTED_JSON.replace(b"\n", b"\r\n"), "json").line_of("/z") == 8
    assert ok(_NESTED_YAML.replace(b"\n", b"\r\n"), "yaml").line_of("/z") == 7


def test_line_of_follows_normalised_keys() -> None:
    assert ok(b'{"a": 1,\n"e\\u0301": {"x": 1}}', "json").line_of("/é/x") == 2
    assert ok(b'a: 1\n"e\\u0301": {x: 1}\n', "yaml").line_of("/é/x") == 2


def test_line_of_without_source_is_unknown() -> None:
    assert Document({"a": 1}, "json").line_of("/a") is None


@pytest.mark.parametrize(
    ("name", "raw", "fmt"),
    [
        ("a.json", b"", "json"),
        ("dir.v1/A.JSON", b"", "json"),
        ("a.yaml", b"{}", "yaml"),
        ("a.yml", b"", "yaml"),
        ("a.txt", b"{}", None),
        ("json", b"{}", None),
        ("-", b'  \n {"a": 1}', "json"),
        ("-", b"\xef\xbb\xbf[1]", "json"),
        ("-", b"a: 1", "yaml"),
        ("-", b"", "yaml"),
        ("-", b"# {", "yaml"),
    ],
)
def test_detect_format(name: str, raw: bytes, fmt: str | None) -> None:
    assert detect_format(name, raw) == fmt


# --- 10. JSONTestSuite --------------------------------------------------------------------

_SUITE_FILES = sorted(SUITE.glob("*.json"))


def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {_nfc_deep(k): _nfc_deep(v) for k, v in value.items()}
    return value


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    return False


def _expected_refusal(raw: bytes) -> str | None:
    """For a y_ file: the input error our rules require although the JSON is valid, if any."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "encoding"
    seen_duplicate: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in items}) != len(items):
            seen_duplicate.append(True)
        return dict(items)

    value = json.loads(text, object_pairs_hook=pairs)
    if _has_surrogate(value):
        return "encoding"
    if seen_duplicate:
        return "duplicate-key"  # valid JSON, refused by the spec (it would hide data)
    return None


def test_jsontestsuite_is_all_there() -> None:
    assert len(_SUITE_FILES) == 318


@pytest.mark.parametrize("path", _SUITE_FILES, ids=lambda p: p.name)
def test_jsontestsuite(path: Path) -> None:
    raw = path.read_bytes()
    document, errors = load_bytes(raw, "json")
    assert (document is None) == bool(errors)
    for error in errors:
        assert error.code in CODES and error.vi and error.en
    kind = path.name[0]
    if kind == "n":
        assert errors, "invalid JSON must give an input error"
    elif kind == "y":
        expected = _expected_refusal(raw)
        if expected is None:
            assert not errors, errors
            assert document is not None
            assert document.data == _nfc_deep(json.loads(raw))
            assert isinstance(document.line_of(""), int)
        else:
            assert expected in codes(errors)
    # Any JSON file also goes through the YAML path: it may be refused, never raise.
    document, errors = load_bytes(raw, "yaml")
    assert (document is None) == bool(errors)


# --- Fix hints for the commonest YAML slips --------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ("    ref: Biên bản: số 03", 'ref: "Biên bản: số 03"'),
        ('  - ref: Biên bản: số 03 "x"', '- ref: "Biên bản: số 03 \\"x\\""'),
    ],
)
def test_an_unquoted_colon_in_a_value_gets_a_quoting_hint(line: str, fixed: str) -> None:
    from kl21rules.loader import load_bytes

    text = ("schema: kl21rules/submission/v1\nunit: {id: A, name: B, kind: chi_bo_co_so}\nactivities:\n"
            "  - type: study_session\n    date: 2022-03-18\n" + line + "\n")
    if line.startswith("  - "):
        text = text.replace("  - type: study_session\n    date: 2022-03-18\n", "")
    document, errors = load_bytes(text.encode(), "yaml")
    assert document is None and len(errors) == 1
    error = errors[0]
    assert error.code == "yaml-syntax"
    assert "đặt cả giá trị trong dấu ngoặc kép: " + fixed in error.vi
    assert "put the whole value in double quotes: " + fixed in error.en
    assert "mapping values" not in error.vi  # no parser English in the Vietnamese line


@pytest.mark.parametrize("text", ["schema: x\nunit:\n\tid: A\n", "schema: x\nunit:\n  id: A\n\tname: B\n"])
def test_a_tab_gets_a_spaces_hint(text: str) -> None:
    from kl21rules.loader import load_bytes

    document, errors = load_bytes(text.encode(), "yaml")
    assert document is None and errors
    assert "thay mỗi Tab bằng dấu cách" in errors[0].vi
    assert "replace each tab with spaces" in errors[0].en
