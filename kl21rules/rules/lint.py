"""Rules checked against what they name: the mistakes that make a rule silently never match.

The rule model (:mod:`kl21rules.rules.model`) checks a rule's shape; this module checks its
meaning against the submission model and the plan, once every pack is loaded:

* every activity ``type`` a rule matches is a known type (built in, or added by a loaded pack);
* every field a rule names — in ``where``, ``caveat.unless``, ``link``, ``items``, ``fields``, ``field_labels``, ``checks``,
  ``applies_to.unit`` and in ``$unit.X`` / ``$trigger.X`` operands — exists on the model it is
  read from (the activity types matched, the trigger, the unit);
* every value a filter compares with a field that holds codes (``channel``, ``outcome``, ...) or
  true/false is one the field can hold (``channel: web`` would never match);
* every signal kind of a follow-up's trigger is a kind of signal of the submission model;
* every ``refs`` entry is a clause of the plan (the clause table ``rulesets/plan_clauses.yaml``);
* every ``$param.NAME`` and every parameter named where a number may be (``within_days``,
  ``effective.from_year``, ...) is declared in the rule's ``params``;
* ``effective`` is given only where the engine reads it (``recurring`` and ``python`` rules);
* ``messages`` templates can be read and name only values their message has.

Each mistake is a :class:`Problem` with a JSON pointer into the rule (so the loader can give its
line) and, where a near name exists, a "did you mean". ``kl21rules lint-rules`` runs these checks
(and the rule model's) on ruleset files alone, for a pack's CI.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Union

from pydantic import BaseModel

from kl21rules.diagnostics import escape_pointer_token
from kl21rules.rules.model import Each, FollowUp, Match, RuleSpec


@dataclass(frozen=True)
class Problem:
    """One mistake in one rule: where (a JSON pointer relative to the rule) and what, vi and en."""

    pointer: str
    vi: str
    en: str

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Vocabulary:
    """What a rule may name: activity types and their models, the unit, signals, the plan's clauses."""

    activities: dict[str, type[BaseModel]]
    unit: type[BaseModel]
    signal: type[BaseModel]
    signal_kinds: tuple[str, ...]
    clauses: frozenset[str]


_CLAUSE_KEY = re.compile(r'^"?([IVX]+(?:\.\d+)?)"?\s*:', re.MULTILINE)


@lru_cache(maxsize=1)
def plan_clauses() -> frozenset[str]:
    """The clause ids of the plan's clause table (``I.1`` … ``III.6``).

    Read as the table's top-level keys without a YAML parse (start-up time);
    tests/test_rule_lint.py checks that this gives the keys a YAML parser gives.
    """
    from kl21rules.paths import PLAN_CLAUSES_FILE

    try:
        text = PLAN_CLAUSES_FILE.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(_CLAUSE_KEY.findall(text))


@lru_cache(maxsize=16)
def vocabulary(extra_types: tuple[type[Any], ...] = ()) -> Vocabulary:
    """The vocabulary with the built-in activity types plus ``extra_types`` (packs')."""
    from kl21rules.submission import BUILTIN_ACTIVITY_TYPES, Signal, SignalKind, Unit, activity_type_name

    activities: dict[str, type[BaseModel]] = {}
    for model in (*BUILTIN_ACTIVITY_TYPES, *extra_types):
        try:
            activities.setdefault(activity_type_name(model), model)
        except (TypeError, KeyError, AttributeError):
            continue
    return Vocabulary(activities, Unit, Signal, _literal_values(SignalKind), plan_clauses())


def _literal_values(annotation: Any) -> tuple[str, ...]:
    """The strings of a ``Literal`` (inside ``Annotated`` or a union too)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return tuple(a for a in typing.get_args(annotation) if isinstance(a, str))
    if origin is typing.Annotated:
        return _literal_values(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return tuple(v for a in typing.get_args(annotation) for v in _literal_values(a))
    return ()


# --------------------------------------------------------------------------- field paths


def _models_of(annotation: Any) -> list[type[BaseModel]] | None:
    """The models a field's value can be (to go one step further down a dotted path): ``[]`` for
    a plain value (no sub-fields), ``None`` for a mapping or ``Any`` (any sub-field may exist)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_of(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        out: list[type[BaseModel]] = []
        for arg in typing.get_args(annotation):
            if arg is type(None):
                continue
            got = _models_of(arg)
            if got is None:
                return None
            out.extend(got)
        return out
    if origin in (list, tuple, set, frozenset):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return _models_of(args[0]) if args else None
    if origin is dict or annotation is Any or annotation is dict:
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {name: info.annotation for name, info in model.model_fields.items()}


def _did_you_mean(name: str, options: Iterable[str]) -> tuple[str, str]:
    near = difflib.get_close_matches(name, sorted(set(options)), n=1, cutoff=0.6)
    if not near:
        return "", ""
    return f"; có phải là '{near[0]}'?", f"; did you mean '{near[0]}'?"


def _path_problem(models: list[type[BaseModel]], path: str, what_vi: str, what_en: str) -> tuple[str, str] | None:
    """Why ``path`` (dotted) does not exist on every one of ``models``, or ``None`` when it does."""
    for model in models:
        current: list[type[BaseModel]] | None = [model]
        walked: list[str] = []
        for part in path.split("."):
            if current is None:
                break  # below a mapping or Any: anything may be there
            options: dict[str, Any] = {}
            for m in current:
                options.update(_fields(m))
            if part not in options:
                where_vi = what_vi if not walked else f"trường '{'.'.join(walked)}' của {what_vi}"
                where_en = what_en if not walked else f"field '{'.'.join(walked)}' of {what_en}"
                if not current or not options:
                    return (f"'{'.'.join(walked)}' không có trường con '{part}'",
                            f"'{'.'.join(walked)}' has no sub-field '{part}'")
                hint_vi, hint_en = _did_you_mean(part, options)
                owner = _model_name(model)
                return (f"{where_vi} ({owner}) không có trường '{part}'{hint_vi}",
                        f"{where_en} ({owner}) has no field '{part}'{hint_en}")
            walked.append(part)
            current = _models_of(options[part])
            if len(walked) < len(path.split(".")) and _is_list(options[part]):
                return (f"'{'.'.join(walked)}' là một danh sách: bộ lọc không đọc được '{path}' bên trong nó "
                        f"(dùng contains/contains_any, hoặc một quy tắc each với items: {'.'.join(walked)})",
                        f"'{'.'.join(walked)}' is a list: a filter cannot read '{path}' inside it (use contains/"
                        f"contains_any, or an each rule with items: {'.'.join(walked)})")
    return None


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))
    return origin in (list, tuple, set, frozenset)


def _leaves(models: list[type[BaseModel]], path: str) -> list[Any] | None:
    """The annotations of the field ``path`` names on each of ``models`` (``None`` when a step
    goes through a mapping or ``Any``, or the path does not exist)."""
    out: list[Any] = []
    for model in models:
        current: list[type[BaseModel]] | None = [model]
        annotation: Any = None
        for part in path.split("."):
            if not current:
                return None
            options: dict[str, Any] = {}
            for m in current:
                options.update(_fields(m))
            if part not in options:
                return None
            annotation = options[part]
            current = _models_of(annotation)
        out.append(annotation)
    return out


def _scalar_kind(annotation: Any) -> tuple[str, tuple[str, ...]] | None:
    """``("literal", values)`` or ``("bool", ())`` for a field holding one of those (optionally
    ``None``, or a list of them: ``contains`` reads lists), else ``None``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _scalar_kind(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = [_scalar_kind(a) for a in typing.get_args(annotation) if a is not type(None)]
        if len(kinds) == 1:
            return kinds[0]
        return None
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        return _scalar_kind(args[0]) if args else None
    if origin is typing.Literal:
        values = _literal_values(annotation)
        return ("literal", values) if values else None
    if annotation is bool:
        return ("bool", ())
    return None


def _model_name(model: type[BaseModel]) -> str:
    try:
        from kl21rules.submission import activity_type_name

        return activity_type_name(model)  # type: ignore[arg-type]
    except (TypeError, KeyError, AttributeError):
        return model.__name__


def _list_models(models: list[type[BaseModel]], name: str) -> list[type[BaseModel]] | None:
    """The item models of list field ``name`` on ``models`` (``None`` when any item is possible)."""
    out: list[type[BaseModel]] = []
    for model in models:
        annotation = _fields(model).get(name)
        got = _models_of(annotation)
        if got is None:
            return None
        out.extend(got)
    return out


# --------------------------------------------------------------------------- the walk


@dataclass
class _Walk:
    spec: RuleSpec
    vocab: Vocabulary
    problems: list[Problem]

    def add(self, pointer: str, vi: str, en: str) -> None:
        self.problems.append(Problem(pointer, vi, en))

    # -- matches

    def match(self, match: Match, pointer: str, trigger: list[type[BaseModel]] | None = None) -> list[type[BaseModel]]:
        """Check a match; return the models of its known types."""
        models: list[type[BaseModel]] = []
        names = match.types()
        for k, name in enumerate(names):
            here = f"{pointer}/type" + ("" if isinstance(match.type, str) else f"/{k}")
            model = self.vocab.activities.get(name)
            if model is None:
                hint_vi, hint_en = _did_you_mean(name, self.vocab.activities)
                self.add(here, f"loại hoạt động '{name}' không có (không phải loại có sẵn, cũng không do gói nào "
                               f"thêm){hint_vi}",
                         f"unknown activity type '{name}' (neither built in nor added by a loaded pack){hint_en}")
            else:
                models.append(model)
        caveat = getattr(match, "caveat", None)
        filters = [(match.where, f"{pointer}/where")]
        if caveat is not None:
            filters.append((caveat.unless, f"{pointer}/caveat/unless"))
        uncounted = getattr(match, "uncounted", None)
        if uncounted is not None:
            filters.append((uncounted.when, f"{pointer}/uncounted/when"))
        for where, at in filters:
            if models and len(models) == len(names):
                self.where(where, at, models, _label(names), trigger)
            elif where:
                self.operands_only(where, at, trigger)
        return models

    def where(self, where: Any, pointer: str, models: list[type[BaseModel]], label: tuple[str, str],
              trigger: list[type[BaseModel]] | None) -> None:
        if not isinstance(where, dict):
            return
        for key, cond in where.items():
            here = f"{pointer}/{escape_pointer_token(key)}"
            if key in ("any", "all") and isinstance(cond, list):
                for i, sub in enumerate(cond):
                    self.where(sub, f"{here}/{i}", models, label, trigger)
                continue
            if key == "not":
                self.where(cond, here, models, label, trigger)
                continue
            bad = _path_problem(models, str(key), *label)
            if bad is not None:
                self.add(here, *bad)
            else:
                self.values(models, str(key), cond, here)
            self.condition(cond, here, trigger)

    def values(self, models: list[type[BaseModel]], path: str, cond: Any, pointer: str) -> None:
        """Constant values a field can never hold: a code outside its list of codes (``channel:
        web``), or a text for a true/false field — such a condition never matches."""
        leaves = _leaves(models, path)
        if not leaves:
            return
        kinds = {_scalar_kind(a) for a in leaves}
        if len(kinds) != 1:
            return
        kind = kinds.pop()
        if kind is None:
            return
        checks: list[tuple[Any, str]] = []
        if isinstance(cond, dict):
            for op, arg in cond.items():
                at = f"{pointer}/{escape_pointer_token(op)}"
                if op in ("eq", "ne", "contains"):
                    checks.append((arg, at))
                elif op in ("in", "not_in", "contains_any") and isinstance(arg, list):
                    checks.extend((v, f"{at}/{i}") for i, v in enumerate(arg))
        else:
            checks.append((cond, pointer))
        for value, at in checks:
            if value is None or (isinstance(value, str) and value.startswith("$")):
                continue
            if kind[0] == "bool":
                if not isinstance(value, bool):
                    self.add(at, f"trường '{path}' là true hoặc false, không bao giờ bằng {value!r}",
                             f"field '{path}' is true or false, never {value!r}")
                continue
            from kl21rules.rules.filters import normalise

            allowed = {normalise(v): v for v in kind[1]}
            if isinstance(value, str) and normalise(value) in allowed:
                continue
            hint_vi, hint_en = _did_you_mean(str(value), kind[1])
            listed = ", ".join(kind[1])
            self.add(at, f"trường '{path}' không bao giờ có giá trị {value!r} (các giá trị: {listed}){hint_vi}",
                     f"field '{path}' never holds {value!r} (values: {listed}){hint_en}")

    def operands_only(self, where: Any, pointer: str, trigger: list[type[BaseModel]] | None) -> None:
        if not isinstance(where, dict):
            return
        for key, cond in where.items():
            here = f"{pointer}/{escape_pointer_token(key)}"
            if key in ("any", "all") and isinstance(cond, list):
                for i, sub in enumerate(cond):
                    self.operands_only(sub, f"{here}/{i}", trigger)
            elif key == "not":
                self.operands_only(cond, here, trigger)
            else:
                self.condition(cond, here, trigger)

    def condition(self, cond: Any, pointer: str, trigger: list[type[BaseModel]] | None) -> None:
        if isinstance(cond, dict):
            for op, arg in cond.items():
                self.operand(arg, f"{pointer}/{escape_pointer_token(op)}", trigger)
        else:
            self.operand(cond, pointer, trigger)

    def operand(self, value: Any, pointer: str, trigger: list[type[BaseModel]] | None) -> None:
        if not (isinstance(value, str) and value.startswith("$")):
            return
        head, _, rest = value[1:].partition(".")
        if head == "param":
            self.param(rest.split(".")[0], pointer, value)
        elif head == "unit":
            bad = _path_problem([self.vocab.unit], rest, "đơn vị (unit)", "the unit")
            if bad is not None:
                self.add(pointer, f"{value}: {bad[0]}", f"{value}: {bad[1]}")
        elif head == "trigger":
            if trigger is None:
                self.add(pointer, f"{value}: $trigger chỉ dùng được trong yêu cầu (require) của follow_up",
                         f"{value}: $trigger can only be used in the requirements (require) of a follow_up")
            elif trigger:
                bad = _path_problem(trigger, rest, "sự việc khởi đầu (trigger)", "the trigger")
                if bad is not None:
                    self.add(pointer, f"{value}: {bad[0]}", f"{value}: {bad[1]}")

    def param(self, name: str, pointer: str, written: str | None = None) -> None:
        if name in self.spec.params:
            return
        hint_vi, hint_en = _did_you_mean(name, self.spec.params)
        shown = f"{written}: " if written else ""
        declared = ", ".join(sorted(self.spec.params)) or "—"
        self.add(pointer, f"{shown}tham số '{name}' chưa khai báo trong params (đã khai báo: {declared}){hint_vi}",
                 f"{shown}parameter '{name}' is not declared in params (declared: {declared}){hint_en}")

    def number_or_param(self, value: Any, pointer: str) -> None:
        """A place that takes a whole number or the name of a parameter holding one."""
        if not isinstance(value, str):
            return
        if value not in self.spec.params:
            self.param(value, pointer)
            return
        declared = self.spec.params[value]
        kind = getattr(declared, "type", None)  # Param.type (issue 9): integer, number, boolean, text, window
        default = declared.default
        whole = isinstance(default, int) and not isinstance(default, bool)
        if kind not in (None, "integer") or (kind is None and default is not None and not whole):
            shown = kind or type(default).__name__
            self.add(pointer, f"tham số '{value}' được dùng như một số nguyên ở đây, nhưng nó là {shown} "
                              f"(mặc định {default!r})",
                     f"parameter '{value}' is used as a whole number here, but it is {shown} (default {default!r})")

    # -- the rule

    def rule(self) -> None:
        spec = self.spec
        for i, ref in enumerate(spec.refs):
            if ref in self.vocab.clauses or (self.vocab.clauses and "." not in ref
                                             and any(c.startswith(ref + ".") for c in self.vocab.clauses)):
                continue
            if not self.vocab.clauses:
                break
            hint_vi, hint_en = _did_you_mean(ref, self.vocab.clauses)
            self.add(f"/refs/{i}", f"'{ref}' không phải là một mục của Kế hoạch 40-KH/ĐUK (bảng mục: "
                                   f"rulesets/plan_clauses.yaml){hint_vi}",
                     f"'{ref}' is not a clause of Plan 40-KH/ĐUK (clause table: rulesets/plan_clauses.yaml){hint_en}")
        unit = spec.applies_to.unit
        if unit:
            self.where(unit, "/applies_to/unit", [self.vocab.unit], ("đơn vị (unit)", "the unit"), None)
        ob = spec.obligation
        if spec.effective is not None:
            self.number_or_param(spec.effective.from_year, "/effective/from_year")
            self.number_or_param(spec.effective.until_year, "/effective/until_year")
            if ob.kind not in ("recurring", "python"):
                self.add("/effective", f"effective chỉ có tác dụng với quy tắc recurring (và quy tắc Python gọi "
                                       f"in_force); với kind '{ob.kind}' nó bị bỏ qua — dùng not_before/due hoặc bỏ đi",
                         f"effective only works for recurring rules (and Python rules that call in_force); with "
                         f"kind '{ob.kind}' it is ignored — use not_before/due, or leave it out")
        if ob.kind != "deadline":
            for at, _match in _matches_with_uncounted(ob):
                self.add(f"{at}/uncounted", f"uncounted chỉ có tác dụng với quy tắc deadline; với kind '{ob.kind}' "
                                            f"nó bị bỏ qua — bỏ đi",
                         f"uncounted only works for deadline rules; with kind '{ob.kind}' it is ignored — leave it out")
        base = "/obligation"
        for attr in ("match",):
            m = getattr(ob, attr, None)
            if isinstance(m, Match):
                self.match(m, f"{base}/{attr}")
        for i, m in enumerate(getattr(ob, "all_of", None) or ()):
            self.match(m, f"{base}/all_of/{i}")
        for s, schedule in enumerate(getattr(ob, "schedules", None) or ()):
            if schedule.match is not None:
                self.match(schedule.match, f"{base}/schedules/{s}/match")
            for i, m in enumerate(schedule.all_of or ()):
                self.match(m, f"{base}/schedules/{s}/all_of/{i}")
        self.messages(ob.kind)
        if isinstance(ob, FollowUp):
            self.follow_up(ob, base)
        elif isinstance(ob, Each):
            self.each(ob, base)

    def messages(self, kind: str) -> None:
        """Templates of ``messages`` that cannot be read, or name a value their message lacks
        (it would be an ``error`` finding each time the message is written)."""
        known = _MESSAGE_VALUES.get(kind, {})
        for status, text in self.spec.messages.items():
            for lang in ("vi", "en"):
                names, broken = _placeholders(getattr(text, lang))
                at = f"/messages/{status}/{lang}"
                if broken is not None:
                    self.add(at, f"mẫu thông báo không đọc được: {broken} (dùng {{tên}}; viết {{{{ }}}} cho dấu ngoặc)",
                             f"the message template cannot be read: {broken} (use {{name}}; write {{{{ }}}} for braces)")
                    continue
                allowed = known.get(status)
                if allowed is None:
                    continue
                for name in sorted(names - allowed):
                    listed = ", ".join(sorted(allowed))
                    hint_vi, hint_en = _did_you_mean(name, allowed)
                    self.add(at, f"{{{name}}} không có trong thông báo {status} của loại {kind} (có: {listed}){hint_vi}",
                             f"{{{name}}} is not a value of a {kind} rule's {status} message (values: {listed}){hint_en}")

    def follow_up(self, ob: FollowUp, base: str) -> None:
        trigger: list[type[BaseModel]] = []
        for i, kind in enumerate(ob.trigger.signals or ()):
            if kind not in self.vocab.signal_kinds:
                hint_vi, hint_en = _did_you_mean(kind, self.vocab.signal_kinds)
                self.add(f"{base}/trigger/signals/{i}",
                         f"loại vụ việc '{kind}' không có (có: {', '.join(self.vocab.signal_kinds)}){hint_vi}",
                         f"unknown signal kind '{kind}' (kinds: {', '.join(self.vocab.signal_kinds)}){hint_en}")
        if ob.trigger.activities is not None:  # the engine then reads the activities, not signals
            trigger.extend(self.match(ob.trigger.activities, f"{base}/trigger/activities"))
        elif ob.trigger.signals:
            trigger.append(self.vocab.signal)
        self.number_or_param(ob.within_days, f"{base}/within_days")
        for i, req in enumerate(ob.require):
            here = f"{base}/require/{i}"
            models = self.match(req.match, f"{here}/match", trigger)
            complete = len(models) == len(req.match.types())
            for mine, theirs in req.link.items():
                at = f"{here}/link/{escape_pointer_token(mine)}"
                if complete:
                    bad = _path_problem(models, mine, _label(req.match.types())[0], _label(req.match.types())[1])
                    if bad is not None:
                        self.add(at, *bad)
                if trigger:
                    bad = _path_problem(trigger, str(theirs), "sự việc khởi đầu (trigger)", "the trigger")
                    if bad is not None:
                        self.add(at, *bad)

    def each(self, ob: Each, base: str) -> None:
        models = self.match(ob.over, f"{base}/over")
        if len(models) != len(ob.over.types()):
            return
        label = _label(ob.over.types())
        items: list[type[BaseModel]] | None = models
        if ob.items is not None:
            bad = _path_problem(models, ob.items, *label)
            if bad is not None:
                self.add(f"{base}/items", *bad)
                return
            items = _list_models(models, ob.items)
            label = (f"mục của '{ob.items}'", f"the items of '{ob.items}'")
        if items is None:
            return
        for i, name in enumerate(ob.fields):
            if not items:
                break
            bad = _path_problem(items, name, *label)
            if bad is not None:
                self.add(f"{base}/fields/{i}", *bad)
        for key in getattr(ob, "checks", None) or {}:
            if key not in ob.fields:
                hint_vi, hint_en = _did_you_mean(key, ob.fields)
                self.add(f"{base}/checks/{escape_pointer_token(key)}",
                         f"kiểm tra '{key}', trường không có trong fields{hint_vi}",
                         f"a check of '{key}', which is not in fields{hint_en}")
        named = set(ob.fields) | ({ob.items} if ob.items else set())
        for key in ob.field_labels:
            if key not in named:
                hint_vi, hint_en = _did_you_mean(key, named)
                self.add(f"{base}/field_labels/{escape_pointer_token(key)}",
                         f"nhãn cho '{key}', trường không có trong fields/items{hint_vi}",
                         f"a label for '{key}', which is not in fields or items{hint_en}")


#: The values every message of a kind and status is made with (what ``messages`` may name): for
#: term_window's ``fail``, only ``expect`` is in both of its messages (no term; the window passed).
_MESSAGE_VALUES: dict[str, dict[str, frozenset[str]]] = {
    "deadline": {"pass": frozenset({"p", "expect", "done", "due"}), "late": frozenset({"p", "expect", "done", "due"}),
                 "fail": frozenset({"p", "what", "due"}), "pending": frozenset({"p", "what", "due"})},
    "term_window": {"pass": frozenset({"p", "expect", "done"}), "late": frozenset({"p", "expect", "done", "due"}),
                    "fail": frozenset({"expect"}), "pending": frozenset({"p", "expect", "due"})},
    "follow_up": {status: frozenset({"p", "what", "when"}) for status in ("pass", "late", "fail", "pending")},
}
_MESSAGE_VALUES["recurring"] = _MESSAGE_VALUES["deadline"]


def _placeholders(template: str) -> tuple[set[str], str | None]:
    """The names a message template uses, or why it cannot be read."""
    import string

    names: set[str] = set()
    try:
        for _text, name, _spec, _conv in string.Formatter().parse(template):
            if name is not None:
                names.add(name.split(".")[0].split("[")[0])
    except ValueError as exc:
        return names, str(exc)
    return names, None


def _label(names: tuple[str, ...]) -> tuple[str, str]:
    shown = ", ".join(names)
    return f"loại hoạt động {shown}", f"activity type {shown}"


def check_spec(spec: RuleSpec, vocab: Vocabulary) -> list[Problem]:
    """Every mistake of :mod:`this module's <kl21rules.rules.lint>` kinds in one rule."""
    walk = _Walk(spec, vocab, [])
    walk.rule()
    return walk.problems


def iter_problems(specs: Iterable[RuleSpec], vocab: Vocabulary) -> Iterator[tuple[RuleSpec, Problem]]:
    for spec in specs:
        for problem in check_spec(spec, vocab):
            yield spec, problem


# --------------------------------------------------------------------------- places


_SOURCE_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


def locate(source: str, rule_id: str, pointer: str) -> tuple[str, int | None]:
    """The file and line of ``pointer`` (relative to rule ``rule_id``) of a rule loaded from
    ``source`` (``path:line`` of a ruleset rule, or ``module:ID`` of a rule written in Python).

    The file is read again only here, when a rule has a problem: a clean run never parses it.
    """
    from pathlib import Path

    m = _SOURCE_LINE.match(source)
    path, line = (m.group("file"), int(m.group("line"))) if m else (source, None)
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return source, None
    from kl21rules.loader import load_bytes

    document, _problems = load_bytes(raw, "yaml")
    if document is None or not isinstance(document.data, dict):
        return path, line
    rules = document.data.get("rules")
    if not isinstance(rules, list):
        return path, line
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and rule.get("id") == rule_id:
            found = document.line_of(f"/rules/{i}{pointer}")
            return path, found or document.line_of(f"/rules/{i}") or line
    return path, line


# --------------------------------------------------------------------------- lint-rules


@dataclass(frozen=True)
class LintError:
    """One problem of a ruleset file found by :func:`lint_files`."""

    file: str
    line: int | None
    rule: str | None
    vi: str
    en: str

    def describe(self, lang: str = "vi") -> str:
        place = self.file + (f":{self.line}" if self.line else "")
        return f"{place}: {self.en if lang == 'en' else self.vi}"


_TOP_RULES = re.compile(r"^rules\s*:", re.MULTILINE)


def ruleset_files(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """The ruleset files named by ``paths`` (a folder gives its ``*.yaml``/``*.yml`` files that
    have a top-level ``rules:``), and the paths that do not exist."""
    from pathlib import Path

    files: list[str] = []
    missing: list[str] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
                try:
                    head = found.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if _TOP_RULES.search(head):
                    files.append(str(found))
        elif path.is_file():
            files.append(text)
        else:
            missing.append(text)
    return files, missing


def lint_files(files: Iterable[str], activity_types: tuple[type[Any], ...] = ()) -> tuple[list[LintError], int]:
    """Check ruleset files alone: the rule model, filters, and every check of this module.

    Returns the problems (sorted by file and line) and the number of rules read.
    """
    from pathlib import Path

    from kl21rules.loader import load_bytes
    from kl21rules.packs import Pack, PackError, load_ruleset
    from kl21rules.rules.engine import compile_rule

    vocab = vocabulary(tuple(activity_types))
    out: list[LintError] = []
    seen: dict[str, str] = {}
    count = 0
    for name in files:
        path = Path(name)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            out.append(LintError(name, None, None, f"không đọc được: {exc.strerror or exc}",
                                 f"cannot read: {exc.strerror or exc}"))
            continue
        document, _ = load_bytes(raw, "yaml")  # only for the name of its pack
        pack_name = "?"
        if document is not None and isinstance(document.data, dict) and isinstance(document.data.get("pack"), str):
            pack_name = document.data["pack"]
        errors: list[PackError] = []
        specs = load_ruleset(path, Pack(pack_name, "lint", ""), errors)
        for e in errors:
            out.append(LintError(e.file or name, e.line, None, e.message_vi or e.message, e.message))
        for spec, source in specs:
            count += 1
            _m = _SOURCE_LINE.match(source)
            rule_line = int(_m.group("line")) if _m else None
            if spec.id in seen:
                out.append(LintError(name, rule_line, spec.id,
                                     f"quy tắc {spec.id}: mã trùng với quy tắc ở {seen[spec.id]}",
                                     f"rule {spec.id}: the id is already used at {seen[spec.id]}"))
            else:
                seen[spec.id] = source
            for problem in check_spec(spec, vocab):
                file, line = locate(source, spec.id, problem.pointer)
                out.append(LintError(file, line, spec.id, f"quy tắc {spec.id}, {problem.pointer}: {problem.vi}",
                                     f"rule {spec.id}, {problem.pointer}: {problem.en}"))
            if spec.obligation.kind != "python":
                try:
                    compile_rule(spec, None, source)
                except Exception as exc:  # noqa: BLE001 - FilterError, ValueError: the rule's own mistake
                    out.append(LintError(name, rule_line, spec.id, f"quy tắc {spec.id}: {exc}",
                                         f"rule {spec.id}: {exc}"))
    out.sort(key=lambda e: (e.file, e.line or 0))
    return out, count


def _matches_with_uncounted(value: Any, at: str = "/obligation") -> list[tuple[str, Match]]:
    """(pointer, match) of every match inside an obligation that sets ``uncounted``."""
    if isinstance(value, Match):
        return [(at, value)] if value.uncounted is not None else []
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _matches_with_uncounted(v, f"{at}/{i}")]
    if hasattr(value, "model_fields_set"):
        return [x for name in type(value).model_fields
                for x in _matches_with_uncounted(getattr(value, name), f"{at}/{name}")]
    return []
