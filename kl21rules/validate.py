"""Validation: a parsed document becomes a :class:`~kl21rules.submission.Submission`, or input errors.

Pydantic reports every field error of a file at once; each becomes an :class:`InputError` with the
JSON pointer of the place in the document as written, the line where the parser knows it, and a
message in Vietnamese and English. Cross-field checks (unique ids, references that resolve,
attendees ≤ expected, ...) run on the validated model and point at the field at fault.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import ValidationError

from kl21rules import vocab
from kl21rules.diagnostics import InputError, excerpt, make_pointer
from kl21rules.submission import SCHEMA_ID, Activity, Submission, submission_model

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


def _pointer_for(doc: Any, loc: Sequence[str | int]) -> str:
    """Map a pydantic error location to a JSON pointer into ``doc``.

    Discriminated unions put the tag (``study_session``) into the location; it is not a place in
    the document, so it is dropped when the current node's ``type`` equals it.
    """
    parts: list[str | int] = []
    node = doc
    for token in loc:
        if isinstance(node, dict):
            if token in node:
                parts.append(token)
                node = node[token]
                continue
            if node.get("type") == token or node.get("kind") == token:
                continue  # discriminator tag
            if isinstance(token, str) and token.startswith(("function-", "lax-", "strict-")):
                continue
            parts.append(token)  # a missing field: point at where it should be
            node = None
            continue
        if isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            parts.append(token)
            node = node[token]
            continue
        if isinstance(token, str) and (token.startswith(("function-", "lax-", "strict-")) or token in (
            "list[...]",
        )):
            continue
        parts.append(token)
        node = None
    return make_pointer(parts)


def _expected_fields(model: type[Submission], doc: Any, loc: Sequence[str | int]) -> list[str]:
    """Field names valid at the place of an unknown field (for did-you-mean)."""
    from kl21rules import submission as sm

    parent = loc[:-1]
    if not parent:
        return ["schema", "$schema", "report", "unit", "signals", "activities"]
    head = parent[0]
    if head == "unit":
        if len(parent) == 1:
            return list(sm.Unit.model_fields)
        return list(sm.Term.model_fields)
    if head == "report":
        if len(parent) == 1:
            return list(sm.ReportInfo.model_fields)
        return list(sm.Period.model_fields)
    if head == "signals":
        return list(sm.Signal.model_fields)
    if head == "activities" and len(parent) >= 3:
        tag = parent[2]
        types = _activity_models(model)
        act = types.get(str(tag))
        if act is None:
            return []
        if len(parent) >= 5 and parent[3] == "tasks":
            return list(sm.PlanTask.model_fields)
        if len(parent) >= 4 and parent[3] == "members":
            return list(sm.MemberRatings.model_fields)
        return list(act.model_fields)
    return []


@functools.lru_cache(maxsize=16)  # models are few (cached by submission_model); read per file
def _activity_models(model: type[Submission]) -> dict[str, type[Activity]]:
    """The activity models of ``model`` by type name (the caller must not change the mapping)."""
    from kl21rules.submission import activity_type_name

    annotation: Any = model.model_fields["activities"].annotation
    union = annotation.__args__[0]  # list[Annotated[Union[...], ...]]
    inner = getattr(union, "__origin__", union)
    members = getattr(inner, "__args__", ())
    return {activity_type_name(m): m for m in members}


@functools.lru_cache(maxsize=16)
def _known_types(model: type[Submission]) -> frozenset[str]:
    return frozenset(_activity_models(model))


def _enum_key(loc: Sequence[str | int]) -> str | None:
    """The :mod:`kl21rules.vocab` key of the enumerated field at ``loc``, if it is one."""
    if not loc or not isinstance(loc[-1], str):
        return None
    field = loc[-1]
    if loc[0] == "unit" and len(loc) == 2:
        return f"unit.{field}" if f"unit.{field}" in vocab.FIELDS else None
    if loc[0] == "signals" and field == "kind":
        return "signal.kind"
    if loc[0] == "activities" and len(loc) >= 4:
        key = f"{loc[2]}.{field}"
        return key if key in vocab.FIELDS else None
    return None


def _also(code: str, label: str) -> str:
    """`` (label)`` after a code, unless the label only repeats it."""
    return "" if vocab.normalise(code) == vocab.normalise(label) else f" ({label})"


def _enum_message(key: str, field: str, value: Any, shown: str) -> tuple[str, str, str]:
    """(code, vi, en) for a value that is neither a code nor a label of ``key``."""
    labels = vocab.FIELDS[key]
    near = vocab.suggest(key, value)
    vi_hint = f" Có phải là '{labels[near].vi}' ({near})?" if near else ""
    en_hint = f" Did you mean '{near}'{_also(near, labels[near].en)}?" if near else ""
    vi_list = ", ".join(f"{lab.vi} ({code})" for code, lab in labels.items())
    en_list = ", ".join(code + _also(code, lab.en) for code, lab in labels.items())
    return (
        "value",
        f"Trường '{field}' có giá trị {shown} không hợp lệ.{vi_hint} Giá trị cho phép: {vi_list}.",
        f"Field '{field}' has invalid value {shown}.{en_hint} Allowed values: {en_list}.",
    )


def _type_label(models: dict[str, type[Activity]], code: str, lang: str) -> str:
    """The label of an activity type: from :mod:`kl21rules.vocab`, else the pack model's ``vi``."""
    if code in vocab.FIELDS["activity.type"]:
        return vocab.label("activity.type", code, lang)
    act = models.get(code)
    return act.vi if lang != "en" and act is not None and act.vi else code.replace("_", " ")


def _suggest_type(model: type[Submission], got: Any) -> str | None:
    """The activity type nearest to ``got`` (its code or its label), for "did you mean"."""
    if not isinstance(got, str):
        return None
    models = _activity_models(model)
    spellings = _type_spellings(model)
    near = difflib.get_close_matches(vocab.normalise(got), list(spellings), n=1, cutoff=0.6)
    return spellings[near[0]] if near else None


@functools.lru_cache(maxsize=16)
def _type_spellings(model: type[Submission]) -> dict[str, str]:
    """Normalised code and labels -> activity type, for the types of ``model`` (packs' too)."""
    out: dict[str, str] = {}
    for code, act in _activity_models(model).items():
        lab = vocab.FIELDS["activity.type"].get(code)
        names = (code, lab.vi, lab.en, *lab.aliases) if lab is not None else (code, act.vi)
        for name in names:
            if name:
                out.setdefault(vocab.normalise(name), code)
    return out


#: The enumerated fields of each activity type, by field name (vocab keys ``<type>.<field>``).
_ACTIVITY_ENUMS: dict[str, tuple[tuple[str, str], ...]] = {}
for _key in vocab.FIELDS:
    _tag, _, _name = _key.partition(".")
    if _tag not in ("unit", "signal", "activity"):
        _ACTIVITY_ENUMS.setdefault(_tag, ())
        _ACTIVITY_ENUMS[_tag] += ((_name, _key),)


def canonical(doc: dict[str, Any], model: type[Submission]) -> dict[str, Any]:
    """``doc`` with every enumerated value written as a label (``Trực tiếp``, ``chi bo co so``)
    replaced by its code, so that the model's discriminator and the cross-field checks read codes.

    The document is copied only where something changes; keys (and so pointers and lines) stay.
    Values that name nothing are left for the model to report.
    """
    out = doc
    changed_top: dict[str, Any] = {}

    def fix(container: dict[str, Any], name: str, key: str) -> dict[str, Any]:
        value = container.get(name)
        if value is None or (type(value) is str and value in vocab.FIELDS[key]):
            return container
        code = vocab.parse_label(key, value)
        if code is None or code == value:
            return container
        return {**container, name: code}

    unit = doc.get("unit")
    if isinstance(unit, dict):
        new_unit = fix(fix(unit, "kind", "unit.kind"), "department", "unit.department")
        if new_unit is not unit:
            changed_top["unit"] = new_unit
    signals = doc.get("signals")
    if isinstance(signals, list):
        new_signals = [fix(s, "kind", "signal.kind") if isinstance(s, dict) else s for s in signals]
        if any(a is not b for a, b in zip(new_signals, signals)):
            changed_top["signals"] = new_signals
    activities = doc.get("activities")
    if isinstance(activities, list):
        known = _known_types(model)
        new_acts: list[Any] = []
        for act in activities:
            if isinstance(act, dict):
                tag = act.get("type")
                if isinstance(tag, str) and tag not in known:
                    code = _type_spellings(model).get(vocab.normalise(tag))
                    if code is not None:
                        act = {**act, "type": code}
                        tag = code
                for name, key in _ACTIVITY_ENUMS.get(tag, ()) if isinstance(tag, str) else ():
                    act = fix(act, name, key)
            new_acts.append(act)
        if any(a is not b for a, b in zip(new_acts, activities)):
            changed_top["activities"] = new_acts
    if changed_top:
        out = {**doc, **changed_top}
    return out


@functools.lru_cache(maxsize=16)
def _replaceable_types(model: type[Submission]) -> frozenset[str]:
    """The activity types that may name the record they correct (``replaces``)."""
    return frozenset(name for name, m in _activity_models(model).items() if "replaces" in m.model_fields)


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _message(err: ErrorDetails, model: type[Submission], doc: Any) -> tuple[str, str, str]:
    """(code, vi, en) for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    loc = err["loc"]
    field = excerpt(next((str(t) for t in reversed(loc) if isinstance(t, str)), ""))
    value = err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if kind == "missing":
        return ("missing-field", f"Thiếu trường bắt buộc '{field}'.", f"Required field '{field}' is missing.")
    if kind == "extra_forbidden":
        hint = _suggest(field, _expected_fields(model, doc, loc))
        vi_hint = f" Có phải là '{hint}'?" if hint else ""
        en_hint = f" Did you mean '{hint}'?" if hint else ""
        return (
            "unknown-field",
            f"Trường '{field}' không có trong mẫu báo cáo.{vi_hint}",
            f"Unknown field '{field}'.{en_hint}",
        )
    if kind == "union_tag_invalid":
        models = _activity_models(model)
        got = ctx.get("tag", value)
        got = excerpt(got) if isinstance(got, str) else got
        near = _suggest_type(model, got)
        vi_hint = f" Có phải là '{_type_label(models, near, 'vi')}' ({near})?" if near else ""
        en_hint = f" Did you mean '{near}'{_also(near, _type_label(models, near, 'en'))}?" if near else ""
        # with a suggestion, the list of twenty types would only bury it
        vi_list = "" if near else " Các loại hợp lệ: " + ", ".join(
            f"{_type_label(models, t, 'vi')} ({t})" for t in models
        ) + "."
        en_list = "" if near else f" Valid types: {', '.join(sorted(models))}."
        return (
            "unknown-activity-type",
            f"Loại hoạt động {_shown(got)} không có.{vi_hint}{vi_list}",
            f"Unknown activity type {_shown(got)}.{en_hint}{en_list}",
        )
    if kind == "enum_label" or (kind == "literal_error" and field != "schema" and _enum_key(loc)):
        key = str(ctx.get("key") or _enum_key(loc))
        return _enum_message(key, field, value, shown)
    if kind == "union_tag_not_found":
        return ("missing-field", "Hoạt động thiếu trường 'type'.", "The activity has no 'type' field.")
    if kind == "date":
        return ("date", str(ctx.get("vi", err["msg"])), str(ctx.get("en", err["msg"])))
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        if field == "schema":
            return (
                "schema-version",
                f"Phiên bản mẫu báo cáo {shown} không được hỗ trợ; cần 'schema: {SCHEMA_ID}'.",
                f"Unsupported submission schema {shown}; expected 'schema: {SCHEMA_ID}'.",
            )
        allowed_vi = str(expected).replace(" or ", ", ")  # pydantic's list ends "'b' or 'c'"
        return (
            "value",
            f"Trường '{field}' có giá trị {shown} không hợp lệ; giá trị cho phép: {allowed_vi}.",
            f"Field '{field}' has invalid value {shown}; expected one of {expected}.",
        )
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return (
            "type",
            f"Trường '{field}' phải là số nguyên, không phải {shown}.",
            f"Field '{field}' must be a whole number, not {shown}.",
        )
    if kind == "greater_than_equal":
        return (
            "value",
            f"Trường '{field}' phải ≥ {ctx.get('ge')}, nhận {shown}.",
            f"Field '{field}' must be ≥ {ctx.get('ge')}, got {shown}.",
        )
    if kind == "less_than_equal":
        return (
            "value",
            f"Trường '{field}' phải ≤ {ctx.get('le')}, nhận {shown}.",
            f"Field '{field}' must be ≤ {ctx.get('le')}, got {shown}.",
        )
    if kind == "bool_type":
        return (
            "type",
            f"Trường '{field}' phải là true hoặc false, không phải {shown}.",
            f"Field '{field}' must be true or false, not {shown}.",
        )
    if kind in ("string_type",):
        return (
            "type",
            f"Trường '{field}' phải là chuỗi văn bản, không phải {shown}.",
            f"Field '{field}' must be text, not {shown}.",
        )
    if kind == "string_too_short":
        return ("value", f"Trường '{field}' không được để trống.", f"Field '{field}' must not be empty.")
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact", "date_from_datetime_parsing"):
        return (
            "date",
            f"Trường '{field}' phải là một ngày (2022-03-18 hoặc 18/3/2022), không phải {shown}.",
            f"Field '{field}' must be a date (2022-03-18 or 18/3/2022), not {shown}.",
        )
    if kind == "list_type":
        return ("type", f"Trường '{field}' phải là một danh sách.", f"Field '{field}' must be a list.")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if loc and isinstance(loc[-1], int):  # an item of a list, e.g. activities[0] = 3
            return (
                "type",
                f"Mỗi phần tử của '{field}' phải là một đối tượng (object), không phải {shown}.",
                f"Each item of '{field}' must be an object (mapping), not {shown}.",
            )
        where = f"Trường '{field}'" if field else "Tài liệu"
        where_en = f"Field '{field}'" if field else "The document"
        return ("type", f"{where} phải là một đối tượng (object).", f"{where_en} must be an object (mapping).")
    msg = excerpt(err["msg"], 200)
    # pydantic's words are English: the Vietnamese line says what and where, not why in English
    return ("value", f"Trường '{field}' có giá trị {shown} không hợp lệ.", f"Invalid value at '{field}': {msg}.")


def validate_document(
    doc: Any,
    line_of: Any = None,
    extra_types: tuple[type[Activity], ...] = (),
) -> tuple[Submission | None, list[InputError]]:
    """Like :func:`validate_bounded`, without saying how many errors were left out (see there)."""
    submission, errors, _hidden, _exact = validate_bounded(doc, line_of, extra_types)
    return submission, errors


def validate_bounded(
    doc: Any,
    line_of: Any = None,
    extra_types: tuple[type[Activity], ...] = (),
    size: int = 0,
    near: Any = None,
) -> BoundedResult:
    """Validate a parsed document against the submission model and the cross-field rules.

    Every error of the file is reported: the cross-field checks read the document as written,
    so a dangling reference is found even when another field of the file is mistyped.

    :param doc: the parsed document (from :mod:`kl21rules.loader`).
    :param line_of: a callable mapping a JSON pointer to a line number (or ``None``).
    :param extra_types: activity types added by packs.
    :returns: the submission and ``[]``, or ``None`` and every input error found, in the order
        of the file (by line; errors without a line keep their order, after those with one).
        When the model finds more than :data:`SCAN_ERRORS` errors, only those of a cut-down copy
        of the document are listed (at least :data:`MAX_ERRORS` of them when a bounded copy has
        that many) and ``hidden`` counts the others: the work stays bounded whatever the file.

    :param size: the size of the file in bytes: a file over :data:`LARGE_BYTES` is read
        cut-down first.
    :param near: a bounded ``line_of`` (:meth:`~kl21rules.loader.Document.line_near`) used
        for the lines of a file with too many errors.
    """
    model = submission_model(extra_types)
    locate = line_of or (lambda _p: None)
    if not isinstance(doc, dict):
        return BoundedResult(None, [
            InputError(
                "type",
                "",
                locate(""),
                "Báo cáo phải là một đối tượng (object) với các trường schema, unit, activities.",
                "A submission must be an object with the fields schema, unit, activities.",
            )
        ], 0)
    if "schema" not in doc:
        return BoundedResult(None, [
            InputError(
                "schema-version",
                "",
                locate(""),
                f"Thiếu 'schema: {SCHEMA_ID}' ở đầu báo cáo.",
                f"Missing 'schema: {SCHEMA_ID}' at the top of the submission.",
            )
        ], 0)
    if doc.get("schema") != SCHEMA_ID:
        # An unknown version is reported alone: the rest would be judged by the wrong contract.
        shown = _shown(doc.get("schema"))
        return BoundedResult(None, [
            InputError(
                "schema-version",
                "/schema",
                locate("/schema"),
                f"Phiên bản mẫu báo cáo {shown} không được hỗ trợ; cần '{SCHEMA_ID}'.",
                f"Unsupported submission schema {shown}; expected '{SCHEMA_ID}'.",
            )
        ], 0)
    known_types = _known_types(model)
    if size > LARGE_BYTES:
        # A file far larger than any real submission: its first values are read first, and if
        # they hold enough errors the rest is only counted (a 4 MB file of ``0``s or ``{}``s).
        read, dropped = _cut(doc, _CUT_NODES, _known_fields(model))
        if dropped:
            read = canonical(read, model)
            try:
                model.model_validate(read)
            except ValidationError as exc:
                if exc.error_count() >= MAX_ERRORS:
                    return _cut_result(model, doc, read, exc, near or locate, _at_least_more(model, doc, read, known_types),
                                       exact=False)
    errors: list[InputError] = []
    submission: Submission | None = None
    doc = canonical(doc, model)
    try:
        submission = model.model_validate(doc)
    except ValidationError as exc:
        if exc.error_count() > SCAN_ERRORS:
            # Materialising millions of errors takes minutes and gigabytes: read those of a
            # cut-down copy, count the rest.
            read, seen = _cut_errors(model, doc)
            return _cut_result(model, doc, read, seen, near or locate, exc.error_count() - seen.error_count(),
                               exact=True)
        for err in exc.errors(include_url=False):
            pointer = _pointer_for(doc, err["loc"])
            code, vi, en = _message(err, model, doc)
            errors.append(InputError(code, pointer, locate(pointer), vi, en))
    for e in cross_check(doc, known_types, _replaceable_types(model)):
        errors.append(InputError(e.code, e.pointer, locate(e.pointer), e.vi, e.en))
    if errors:
        errors = _dedupe(errors)
        errors.sort(key=lambda e: (e.line is None, e.line or 0))  # stable: same line keeps order
        return BoundedResult(None, errors, 0)
    return BoundedResult(submission, [], 0)


def _cut_result(model: type[Submission], doc: dict[str, Any], read: dict[str, Any], exc: ValidationError,
                locate: Any, hidden: int, *, exact: bool) -> BoundedResult:
    """The errors of ``read`` (a cut-down copy of ``doc``) and a count of those left out."""
    errors = []
    for err in exc.errors(include_url=False):
        pointer = _pointer_for(read, err["loc"])
        code, vi, en = _message(err, model, read)
        errors.append(InputError(code, pointer, locate(pointer), vi, en))
    # References are resolved against every id of the file, not only those kept.
    kept = read.get("activities")
    refers = isinstance(kept, list) and any(type(a) is dict and "remediation" in a for a in kept)
    replaceable = _replaceable_types(model)
    cross = cross_check(read, _known_types(model), replaceable, _activity_types(model, doc) if refers else None)
    if exact:
        hidden += len(cross_check(doc, _known_types(model), replaceable)) - len(cross)
    errors += [InputError(e.code, e.pointer, locate(e.pointer), e.vi, e.en) for e in cross]
    errors = _dedupe(errors)
    errors.sort(key=lambda e: (e.line is None, e.line or 0))
    return BoundedResult(None, errors, max(hidden, 0), exact)


def _at_least_more(model: type[Submission], doc: dict[str, Any], read: dict[str, Any],
                   known_types: frozenset[str]) -> int:
    """How many errors the items of ``activities`` and ``signals`` left out of ``read`` have at
    least: one for each item that is not an object, or an activity with no known ``type``."""
    from collections import Counter
    from itertools import repeat

    more = 0
    for name in ("activities", "signals"):
        items, kept = doc.get(name), read.get(name)
        if not isinstance(items, list) or not isinstance(kept, list):
            continue
        rest = items[len(kept):]
        kinds = Counter(map(type, rest))  # counted in C: millions of items take milliseconds
        objects = kinds.pop(dict, 0)
        more += sum(kinds.values())
        if name != "activities" or not objects:
            continue
        tags: Counter[Any] = Counter()
        try:
            if not kinds:  # only objects: their tags are counted in C too
                tags.update(map(dict.get, rest, repeat("type")))
            else:
                tags.update(item.get("type") for item in rest if type(item) is dict)
        except TypeError:  # a tag that is a list or an object: count those one by one
            tags = Counter(str(item.get("type")) if type(item.get("type")) is str else None
                           for item in rest if type(item) is dict)
        spellings = _type_spellings(model)
        more += sum(n for tag, n in tags.items()
                    if type(tag) is not str or (tag not in known_types and vocab.normalise(tag) not in spellings))
    return more


def _activity_types(model: type[Submission], doc: dict[str, Any]) -> dict[str, Any]:
    """Activity id -> its type (a code), for every activity of ``doc`` with a text id (the first
    of a repeated id)."""
    types: dict[str, Any] = {}
    items = doc.get("activities")
    known, spellings = _known_types(model), _type_spellings(model)
    for act in items if isinstance(items, list) else ():
        if type(act) is dict:
            aid = act.get("id")
            if type(aid) is str and aid not in types:
                tag = act.get("type")
                if isinstance(tag, str) and tag not in known:
                    tag = spellings.get(vocab.normalise(tag), tag)
                types[aid] = tag
    return types


#: Input errors shown per file at most; one more line says how many were left out.
MAX_ERRORS = 100
#: Above this many errors from the model, only the errors of a cut-down copy are read.
SCAN_ERRORS = 1000
#: A file larger than this (bytes; a real submission is tens of KB) is read cut-down first.
LARGE_BYTES = 512 * 1024
#: Values (list items, object members) the first cut-down copy keeps; grown while it shows too few.
_CUT_NODES = 2000
_CUT_NODES_MAX = 32000


class BoundedResult(NamedTuple):
    """A validation whose errors may leave some out: ``hidden`` more were found but not listed
    (exactly that many, or at least that many when not ``exact``)."""

    submission: Submission | None
    errors: list[InputError]
    hidden: int
    exact: bool = True


def _field_names(model: Any, seen: set[Any] | None = None) -> set[str]:
    """Every field name (and alias) of ``model`` and the models inside it."""
    import typing

    from pydantic import BaseModel

    seen = seen if seen is not None else set()
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        pending = [info.annotation]
        while pending:
            ann = pending.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                names |= _field_names(ann, seen)
            pending.extend(typing.get_args(ann))
    return names


@functools.lru_cache(maxsize=16)
def _known_fields(model: type[Submission]) -> frozenset[str]:
    return frozenset(_field_names(model))


def _cut(doc: Any, budget: int, keep: frozenset[str]) -> tuple[Any, bool]:
    """A copy of ``doc`` with its first ``budget`` list items and members, in the order written.

    Past the budget, lists are emptied and objects keep only members whose name is a field of the
    model (so no "missing field" comes from the cut). Items are validated independently of one
    another, so the kept part has exactly the errors it has in the whole document. Also says
    whether anything was left out.
    """
    left = budget
    dropped = False

    def cut(value: Any) -> Any:
        nonlocal left, dropped
        kind = type(value)
        if kind is dict:
            out = {}
            for key, item in value.items():
                if left <= 0 and key not in keep:
                    dropped = True
                    continue
                left -= 1
                out[key] = cut(item)
            return out
        if kind is list:
            items = []
            for item in value:
                if left <= 0:
                    dropped = True
                    break
                left -= 1
                items.append(cut(item))
            return items
        return value

    return cut(doc), dropped


def _cut_errors(model: type[Submission], doc: Any) -> tuple[Any, ValidationError]:
    """A cut-down copy of ``doc`` that shows at least :data:`MAX_ERRORS` errors if a bounded one can,
    and its validation error."""
    keep = _known_fields(model)
    budget = _CUT_NODES
    while True:
        read, _dropped = _cut(doc, budget, keep)
        read = canonical(read, model)
        try:
            model.model_validate(read)
        except ValidationError as exc:
            if exc.error_count() >= MAX_ERRORS or budget >= _CUT_NODES_MAX:
                return read, exc
        else:
            if budget >= _CUT_NODES_MAX:
                return read, ValidationError.from_exception_data("Submission", [])
        budget *= 4


def _within(doc: Any, pointer: str) -> bool:
    """Whether every list index of ``pointer`` is inside the lists of ``doc`` (a cut-down copy)."""
    node = doc
    for token in pointer.split("/")[1:]:
        if isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return False
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node.get(token.replace("~1", "/").replace("~0", "~"))
        else:
            return True
    return True


def limit_errors(errors: list[InputError], hidden: int = 0, exact: bool = True) -> list[InputError]:
    """At most :data:`MAX_ERRORS` errors, in order, then one line saying how many more there are
    (``hidden`` of them not in ``errors``; at least that many when not ``exact``)."""
    more = len(errors) - MAX_ERRORS + hidden
    if more <= 0 and exact:
        return errors
    if more > 0:
        least_vi, least_en = ("", "") if exact else ("ít nhất ", "at least ")
        vi = f"Còn {least_vi}{more} lỗi nữa không hiện: mỗi tệp chỉ hiện {MAX_ERRORS} lỗi đầu tiên."
        en = f"{least_en}{more} more errors not shown: only the first {MAX_ERRORS} errors of a file are listed."
    else:
        vi = "Tệp có quá nhiều lỗi: phần sau của tệp không được kiểm tra, có thể còn lỗi khác."
        en = "Too many errors: the rest of the file was not checked and may hold more errors."
    return [*errors[:MAX_ERRORS], InputError("too-many-errors", "", None, vi, en)]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dedupe(errors: list[InputError]) -> list[InputError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in errors:
        key = (e.pointer, e.vi)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _count(value: Any) -> int | None:
    """``value`` if it is a count the model accepts (a whole number ≥ 0, not ``True``), else ``None``."""
    return value if type(value) is int and value >= 0 else None


def _day(value: Any) -> Any:
    """``value`` as a date if it is one the model accepts, else ``None`` (the model reports it)."""
    from kl21rules.dates import DateError, parse_date

    if value is None:
        return None
    # ISO text by the C parser first, as submission._to_date does (same shape guard, same result)
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    try:
        return parse_date(value)
    except DateError:
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


#: the built-in record types with ``replaces`` (records about a year: ``YearActivity``).
REPLACEABLE_TYPES = frozenset({"inspection_programme", "self_criticism", "quality_rating", "asset_declaration"})


def cross_check(
    doc: dict[str, Any],
    known_types: frozenset[str] | None = None,
    replaceable: frozenset[str] = REPLACEABLE_TYPES,
    every_activity: dict[str, Any] | None = None,
) -> list[InputError]:
    """Checks that span fields: unique ids, references, counts that must agree, dates in order.

    They read the document as written (not the validated model) so that they run even when the
    model refused some other field: every error of a file is reported at once. A value of the
    wrong type is skipped here, because the model has already reported it.

    :param doc: the parsed document.
    :param known_types: the activity types of the model; a reference to an activity whose type
        is unknown is not reported again (its type already is).
    :param replaceable: the activity types that have a ``replaces`` field.
    :param every_activity: id -> type of every activity of the whole file, when ``doc`` is a
        cut-down copy of it (references are resolved against the whole file).
    :returns: the errors, without lines (the caller knows the document's lines).
    """
    errors: list[InputError] = []

    def err(pointer: str, code: str, vi: str, en: str) -> None:
        errors.append(InputError(code, pointer, None, vi, en))

    unit = _mapping(doc.get("unit"))
    term = _mapping(unit.get("term"))
    start, end = _day(term.get("start")), _day(term.get("end"))
    if start is not None and end is not None and not start < end:
        err(
            "/unit/term/end",
            "term",
            "Nhiệm kỳ phải kết thúc sau ngày bắt đầu.",
            "The term must end after it starts.",
        )
    kind = unit.get("kind")
    if kind == "department" and unit.get("department") is None:
        err(
            "/unit/department",
            "missing-field",
            "Đơn vị là ban của Đảng ủy Khối (kind: department) phải ghi 'department'.",
            "A department unit (kind: department) must name its 'department'.",
        )
    if kind in _GRASSROOTS_KINDS and unit.get("department") is not None:
        err(
            "/unit/department",
            "value",
            "Chỉ ban của Đảng ủy Khối (kind: department) mới ghi 'department'.",
            "Only a department unit (kind: department) has a 'department'.",
        )
    period = _mapping(_mapping(doc.get("report")).get("period"))
    start, end = _day(period.get("start")), _day(period.get("end"))
    if start is not None and end is not None and end < start:
        err(
            "/report/period/end",
            "period",
            "Kỳ báo cáo phải kết thúc sau ngày bắt đầu.",
            "The report period must end after it starts.",
        )

    # References are judged only against a list of ids that is whole: if a signal or an activity
    # has no readable id, a "missing" target may just be that one, and the model has said so.
    signals = doc.get("signals", [])
    signals_whole = isinstance(signals, list) and all(
        isinstance(_mapping(s).get("id"), str) for s in signals
    )
    signal_ids: set[str] = set()
    for i, signal in enumerate(_items(signals)):
        sid = _mapping(signal).get("id")
        if not isinstance(sid, str):
            continue
        if sid in signal_ids:
            err(
                f"/signals/{i}/id",
                "duplicate-id",
                f"Mã vụ việc '{excerpt(sid)}' bị trùng.",
                f"Signal id '{excerpt(sid)}' is used twice.",
            )
        signal_ids.add(sid)

    items = doc.get("activities")
    activities: list[dict[str, Any]] = (
        [a if isinstance(a, dict) else {} for a in items] if isinstance(items, list) else []
    )
    # One pass for the ids: whether every activity's id is text (a missing id counts as text),
    # the type of each id's first activity and where that is (for references and replaces).
    activities_whole = True
    activity_types: dict[str, Any] = {}
    index: dict[str, int] = {}
    for i, act in enumerate(activities):
        aid = act.get("id")
        if not isinstance(aid, str):
            if "id" in act:
                activities_whole = False
            continue
        if aid in index:
            err(
                f"/activities/{i}/id",
                "duplicate-id",
                f"Mã hoạt động '{excerpt(aid)}' bị trùng.",
                f"Activity id '{excerpt(aid)}' is used twice.",
            )
        else:
            index[aid] = i
            activity_types[aid] = act.get("type")

    # One pass for the checks of each type: the four below concern four disjoint sets of types,
    # and each activity is tested only for its own (this loop runs over every activity of every
    # file). The records that replace another and the years of reports and deliverables are
    # noted here and reported after, in the order they always were.
    replacing: list[int] = []
    years: list[int] = []
    for i, act in enumerate(activities):
        kind = act.get("type")
        if not isinstance(kind, str):
            continue  # no type, or not text: the model says so, and no check below is for it
        check = _TYPE_CHECKS.get(kind)
        if kind in replaceable and "replaces" in act:
            replacing.append(i)
        if check is None:
            continue
        if check == "signal":
            signal_ref = act.get("signal")
            if signals_whole and isinstance(signal_ref, str) and signal_ref not in signal_ids:
                err(
                    f"/activities/{i}/signal",
                    "reference",
                    f"Không có vụ việc nào mang mã '{excerpt(signal_ref)}' trong 'signals'.",
                    f"No signal with id '{excerpt(signal_ref)}' in 'signals'.",
                )
        elif check == "remediation":
            remediation = act.get("remediation")
            if not (activities_whole and isinstance(remediation, str)):
                continue
            targets = activity_types if every_activity is None else every_activity
            target = targets.get(remediation)
            # The id exists but its activity has a missing or unknown type: already reported.
            mistyped = known_types is not None and remediation in targets and (
                not isinstance(target, str) or target not in known_types)  # (a list is no type either)
            if target != "remediation_plan" and not mistyped:
                err(
                    f"/activities/{i}/remediation",
                    "reference",
                    f"Không có kế hoạch sửa chữa, khắc phục (remediation_plan) nào mang mã '{excerpt(remediation)}'.",
                    f"No remediation_plan with id '{excerpt(remediation)}'.",
                )
        elif check == "attendees":
            expected, attendees = _count(act.get("expected")), _count(act.get("attendees"))
            if expected is not None and attendees is not None and attendees > expected:
                err(
                    f"/activities/{i}/attendees",
                    "count",
                    f"Số người dự ({attendees}) lớn hơn số người phải dự ({expected}).",
                    f"Attendees ({attendees}) exceed the number expected ({expected}).",
                )
        elif check == "confidence":
            persons, low = _count(act.get("persons")), _count(act.get("low_confidence"))
            if persons is not None and low is not None and low > persons:
                err(
                    f"/activities/{i}/low_confidence",
                    "count",
                    f"Số người tín nhiệm thấp ({low}) lớn hơn số người được lấy phiếu ({persons}).",
                    f"Low-confidence count ({low}) exceeds the persons voted on ({persons}).",
                )
        elif type(act.get("year")) is int:  # "year": a report, deliverable or yearly record that gives its year
            years.append(i)
    errors.extend(_check_replaces(activities, activities_whole, replaceable, index, replacing))
    for i in years:
        # The year a report or deliverable is for: its own, the next (a programme adopted in
        # December) or the previous one (a report sent in January). Further off is a typo, and
        # it would move the work into a year it was never done for.
        # A report is about its own year or the one before (sent in January); never a year to come.
        act = activities[i]
        year, day, kind = act["year"], _day(act.get("date")), act["type"]
        if kind == "report" and day is not None and not day.year - 1 <= year <= day.year:
            err(f"/activities/{i}/year", "year",
                f"Báo cáo ghi ngày {day.day}/{day.month}/{day.year} không thể là báo cáo về năm {year}: 'year' của "
                f"báo cáo là năm của ngày hoặc năm trước đó (báo cáo gửi đầu năm về năm trước).",
                f"A report dated {day.isoformat()} cannot be about {year}: a report's 'year' is the year of its "
                f"date or the year before (a report sent early in the year about the last).")
        elif kind == "deliverable" and day is not None and abs(year - day.year) > 1:
            err(f"/activities/{i}/year", "year",
                f"Năm {year} quá xa ngày {day.day}/{day.month}/{day.year} của văn bản: 'year' là năm mà văn bản "
                f"được làm cho — năm của ngày, năm sau hoặc năm trước đó.",
                f"Year {year} is too far from the document's date {day.isoformat()}: 'year' is the year the work "
                f"is for — the year of its date, the next one or the previous one.")
        elif kind in _LOOKS_BACK and day is not None and year > day.year:
            # A review, rating or declaration of a year is made in that year or after it, never
            # before the year began: counted for that year it would be a pass for work not done.
            vi, en = _LOOKS_BACK[kind]
            err(f"/activities/{i}/year", "year",
                f"{vi} ghi ngày {day.day}/{day.month}/{day.year} không thể là của năm {year}: {vi.lower()} của "
                f"một năm được làm trong năm đó hoặc sau đó, không trước khi năm đó bắt đầu.",
                f"{en} dated {day.isoformat()} cannot be for {year}: {en.lower()} of a year is made in that "
                f"year or after it, never before the year begins.")
        elif kind == "inspection_programme" and day is not None and year > day.year + 1:
            err(f"/activities/{i}/year", "year",
                f"Chương trình kiểm tra, giám sát ghi ngày {day.day}/{day.month}/{day.year} không thể là chương "
                f"trình năm {year}: chương trình năm được thông qua trong năm đó hoặc cuối năm trước.",
                f"An inspection programme dated {day.isoformat()} cannot be the programme for {year}: a year's "
                f"programme is adopted in that year or late in the year before.")
    return errors


#: The check of each activity type that has one in cross_check (the types of each are disjoint).
_TYPE_CHECKS = {
    "responsibility_review": "signal", "remediation_plan": "signal", "discipline": "signal",
    "inspection": "remediation", "supervision": "remediation",
    "study_session": "attendees", "confidence_vote": "confidence",
    "report": "year", "deliverable": "year",
    "self_criticism": "year", "quality_rating": "year", "asset_declaration": "year", "inspection_programme": "year",
}

#: Yearly records that look back on their year (type: Vietnamese, English name for messages).
_LOOKS_BACK = {
    "self_criticism": ("Kiểm điểm tự phê bình, phê bình", "A self-criticism review"),
    "quality_rating": ("Đánh giá, xếp loại chất lượng", "A quality rating"),
    "asset_declaration": ("Kê khai tài sản, thu nhập", "An asset declaration"),
}


def _check_replaces(activities: list[dict[str, Any]], whole: bool, replaceable: frozenset[str],
                    index: dict[str, int], replacing: list[int]) -> list[InputError]:
    """``replaces``: the id of an activity of the same type and year, never itself, replaced by
    one record only, and no chain of replacements that comes back to where it started.

    A chain (C replaces B, which replaces A) is allowed: corrections of corrections.

    :param index: the position of the first activity with each id (text ids only).
    :param replacing: the positions of the activities of a type in ``replaceable`` that have a
        ``replaces`` field, in order.
    """
    errors: list[InputError] = []

    def err(pointer: str, vi: str, en: str) -> None:
        errors.append(InputError("replaces", pointer, None, vi, en))

    edges: dict[str, str] = {}  # id of the replacing record -> id it replaces
    first_replacer: dict[str, int] = {}
    for i in replacing:
        act = activities[i]
        target = act.get("replaces")
        kind = act.get("type")
        if not isinstance(target, str):
            continue  # not a text: the model says so
        pointer = f"/activities/{i}/replaces"
        own = act.get("id")
        if target == own:
            err(pointer, f"Bản ghi '{target}' không thể thay thế chính nó (replaces).",
                f"Record '{target}' cannot replace itself (replaces).")
            continue
        if target not in index:
            if whole:
                err(pointer, f"Không có hoạt động nào mang mã '{target}' để thay thế (replaces).",
                    f"No activity with id '{target}' to replace (replaces).")
            continue
        j = index[target]
        other = activities[j]
        if other.get("type") != kind:
            err(pointer,
                f"Bản ghi thay thế phải cùng loại: '{target}' (/activities/{j}) là {_shown(other.get('type'))}, "
                f"bản ghi này là {_shown(kind)}.",
                f"A record can only replace one of its own type: '{target}' (/activities/{j}) is "
                f"{_shown(other.get('type'))}, this one is {_shown(kind)}.")
            continue
        year, other_year = act.get("year"), other.get("year")
        if type(year) is int and type(other_year) is int and year != other_year:
            err(pointer,
                f"Bản ghi thay thế phải cùng năm: '{target}' (/activities/{j}) là của năm {other_year}, "
                f"bản ghi này của năm {year}.",
                f"A record can only replace one of the same year: '{target}' (/activities/{j}) is for "
                f"{other_year}, this one for {year}.")
            continue
        mine, theirs = _day(act.get("date")), _day(other.get("date"))
        if mine is not None and theirs is not None and mine < theirs:
            err(pointer,
                f"Bản sửa ghi ngày {mine.day}/{mine.month}/{mine.year}, trước bản ghi '{target}' mà nó thay "
                f"(ngày {theirs.day}/{theirs.month}/{theirs.year}): một bản ghi chỉ sửa được bản ghi có trước nó.",
                f"The correction is dated {mine.isoformat()}, before the record '{target}' it replaces "
                f"({theirs.isoformat()}): a record can only correct an earlier one.")
            continue
        if target in first_replacer:
            k = first_replacer[target]
            err(pointer,
                f"Bản ghi '{target}' đã được thay bằng /activities/{k}; mỗi bản ghi chỉ được thay bằng một "
                f"bản ghi (bản sửa tiếp theo thì ghi replaces là mã của bản sửa trước).",
                f"Record '{target}' is already replaced by /activities/{k}; a record is replaced by one record "
                f"only (a further correction replaces the previous correction).")
            continue
        first_replacer[target] = i
        if isinstance(own, str) and index.get(own) == i:
            edges[own] = target
    # Cycles: A replaces B, B replaces A (or longer). Each record of a cycle is told once.
    reported: set[str] = set()
    for start in sorted(edges, key=lambda k: index[k]):
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node in edges and node not in on_path and node not in reported:
            path.append(node)
            on_path.add(node)
            node = edges[node]
        if node is None or node not in on_path:
            continue
        cycle = path[path.index(node):]
        shown = " → ".join([*cycle, node])
        for member in sorted(cycle, key=lambda k: index[k]):
            reported.add(member)
            err(f"/activities/{index[member]}/replaces",
                f"Các bản ghi thay thế lẫn nhau thành vòng ({shown}): không biết bản ghi nào còn hiệu lực.",
                f"The records replace each other in a cycle ({shown}): no record would be left in force.")
    return errors


_GRASSROOTS_KINDS = ("chi_bo_co_so", "dang_bo_co_so", "chi_bo_truc_thuoc")
_SIGNAL_REFERRERS = ("responsibility_review", "remediation_plan", "discipline")
