"""Filters: ``where`` mappings compiled once into predicates (no ``eval``, no code in rulesets).

A filter is a mapping of field to condition. Fields are dotted paths into an object
(``members.good``). A condition is a plain value (equality) or a mapping of operators:

``eq`` ``ne`` ``in`` ``not_in`` ``contains`` ``contains_any`` ``exists`` ``gt`` ``ge`` ``lt`` ``le``

``any`` / ``all`` (lists of filters) and ``not`` (a filter) combine filters. A string operand
``$unit.FIELD`` refers to the unit being judged, ``$param.NAME`` to a rule parameter and
``$trigger.FIELD`` to the trigger of a follow-up.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any, overload

Predicate = Callable[[Any, "Scope"], bool]

OPERATORS = ("eq", "ne", "in", "not_in", "contains", "contains_any", "exists", "gt", "ge", "lt", "le")
COMBINATORS = ("any", "all", "not")


class FilterError(ValueError):
    """A filter that cannot be compiled; the message names the place."""


class Scope:
    """What ``$`` references resolve against while a rule is evaluated."""

    __slots__ = ("unit", "params", "trigger")

    def __init__(self, unit: Any, params: dict[str, Any], trigger: Any = None) -> None:
        self.unit = unit
        self.params = params
        self.trigger = trigger

    def with_trigger(self, trigger: Any) -> Scope:
        return Scope(self.unit, self.params, trigger)


_MISSING = object()


def get_path(obj: Any, path: tuple[str, ...]) -> Any:
    """Follow a dotted path through attributes or mapping keys; ``None`` where it ends."""
    for name in path:
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(name)
        else:
            obj = getattr(obj, name, None)
    return obj


@overload
def normalise(value: str) -> str: ...
@overload
def normalise(value: Any) -> Any: ...
def normalise(value: Any) -> Any:
    """Text compared the way people mean it: NFC, case-folded, inner whitespace collapsed."""
    if isinstance(value, str):
        return _normalise_text(value)
    return value


@functools.lru_cache(maxsize=4096)  # the same few values (types, kinds, outcomes) in every file
def _normalise_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def _operand(value: Any, where: str) -> Callable[[Scope], Any]:
    if isinstance(value, str) and value.startswith("$"):
        head, _, rest = value[1:].partition(".")
        if not rest or head not in ("unit", "param", "trigger"):
            raise FilterError(f"{where}: reference {value!r} must be $unit.X, $param.X or $trigger.X")
        path = tuple(rest.split("."))
        if head == "unit":
            return lambda s: get_path(s.unit, path)
        if head == "param":
            return lambda s: get_path(s.params, path)
        return lambda s: get_path(s.trigger, path)
    constant = value
    return lambda _s: constant


def _present(v: Any) -> bool:
    # Text is compared normalised (see normalise), so a blank string is as empty as "": a reason
    # of spaces gives no reason. The durable engine drops such values too.
    if isinstance(v, str):
        return bool(v.strip())
    return v is not None and not (isinstance(v, (list, tuple, dict)) and len(v) == 0)


def _getter(path: tuple[str, ...]) -> Callable[[Any], Any]:
    """``get_path`` bound to ``path``; a one-step path (the common case) without the loop."""
    if len(path) != 1:
        return lambda obj: get_path(obj, path)
    name = path[0]

    def one(obj: Any) -> Any:
        if obj is None:
            return None
        if isinstance(obj, dict):
            return obj.get(name)
        return getattr(obj, name, None)

    return one


def _condition(path: tuple[str, ...], op: str, arg: Any, where: str) -> Predicate:
    operand = _operand(arg, where)
    # An operand written in the rule (not a $ reference) is normalised once, here, not on every
    # comparison; a value that cannot be (an unhashable option) is left to fail as it did.
    constant = not (isinstance(arg, str) and arg.startswith("$"))
    value = _getter(path)

    if op == "eq":
        if constant:
            want = normalise(arg)
            return lambda o, s: normalise(value(o)) == want
        return lambda o, s: normalise(value(o)) == normalise(operand(s))
    if op == "ne":
        if constant:
            unwanted = normalise(arg)
            return lambda o, s: normalise(value(o)) != unwanted
        return lambda o, s: normalise(value(o)) != normalise(operand(s))
    if op in ("in", "not_in"):
        if not isinstance(arg, (list, str)):
            raise FilterError(f"{where}: '{op}' needs a list")
        fixed: frozenset[Any] | None = None
        if constant:
            try:
                fixed = frozenset(normalise(x) for x in (arg or ()))
            except TypeError:
                fixed = None

        def member(o: Any, s: Scope) -> bool:
            if fixed is not None:
                return normalise(value(o)) in fixed
            options = operand(s) or ()
            return normalise(value(o)) in {normalise(x) for x in options}

        return member if op == "in" else (lambda o, s: not member(o, s))
    if op == "contains":
        text = _normalise_text
        if constant:
            needle = normalise(arg)
            # normalise(x), inlined: once per element of every activity's list
            return lambda o, s: needle in {text(x) if isinstance(x, str) else x for x in (value(o) or ())}
        return lambda o, s: normalise(operand(s)) in {normalise(x) for x in (value(o) or ())}
    if op == "contains_any":

        def any_of(o: Any, s: Scope) -> bool:
            have = {normalise(x) for x in (value(o) or ())}
            return any(normalise(x) in have for x in (operand(s) or ()))

        return any_of
    if op == "exists":
        if not isinstance(arg, bool):
            raise FilterError(f"{where}: 'exists' takes true or false")
        return (lambda o, s: _present(value(o))) if arg else (lambda o, s: not _present(value(o)))
    if op in ("gt", "ge", "lt", "le"):

        def compare(o: Any, s: Scope) -> bool:
            left, right = value(o), operand(s)
            if left is None or right is None:
                return False
            try:
                if op == "gt":
                    return bool(left > right)
                if op == "ge":
                    return bool(left >= right)
                if op == "lt":
                    return bool(left < right)
                return bool(left <= right)
            except TypeError:
                return False

        return compare
    raise FilterError(f"{where}: unknown operator {op!r}; use one of {', '.join(OPERATORS)}")


def ALWAYS(_obj: Any, _scope: Scope) -> bool:
    """The predicate of an empty filter: every object passes (callers may skip calling it)."""
    return True


def compile_where(where: dict[str, Any] | None, place: str = "where") -> Predicate:
    """Compile a ``where`` mapping into a predicate ``(obj, scope) -> bool``."""
    if not where:
        return ALWAYS
    if not isinstance(where, dict):
        raise FilterError(f"{place}: a filter is a mapping of field to condition")
    checks: list[Predicate] = []
    for key, cond in where.items():
        here = f"{place}.{key}"
        if key == "any":
            subs = [compile_where(c, f"{here}[{i}]") for i, c in enumerate(_as_list(cond, here))]
            checks.append(_any_of(subs))
        elif key == "all":
            subs = [compile_where(c, f"{here}[{i}]") for i, c in enumerate(_as_list(cond, here))]
            checks.append(_all_of(subs))
        elif key == "not":
            sub = compile_where(cond, here)
            checks.append(_negation(sub))
        else:
            path = tuple(key.split("."))
            if isinstance(cond, dict):
                if not cond:
                    raise FilterError(f"{here}: empty condition")
                for op, arg in cond.items():
                    checks.append(_condition(path, op, arg, f"{here}.{op}"))
            else:
                checks.append(_condition(path, "eq", cond, here))
    if len(checks) == 1:
        return checks[0]
    return _all_of(checks)


# Closures made in functions of their own, so each binds its own predicates (a lambda in the
# loop would see the loop's last ones) and mypy can type them.
def _any_of(subs: list[Predicate]) -> Predicate:
    if len(subs) == 2:  # any() of two, without a generator: the same calls, the same truth
        first, second = subs
        return lambda o, s: bool(first(o, s) or second(o, s))
    return lambda o, s: any(p(o, s) for p in subs)


def _all_of(subs: list[Predicate]) -> Predicate:
    if len(subs) == 2:  # all() of two, without a generator: the same calls, the same truth
        first, second = subs
        return lambda o, s: bool(first(o, s) and second(o, s))
    return lambda o, s: all(p(o, s) for p in subs)


def _negation(sub: Predicate) -> Predicate:
    return lambda o, s: not sub(o, s)


def _as_list(value: Any, place: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise FilterError(f"{place}: expected a non-empty list of filters")
    return value
