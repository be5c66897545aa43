"""Facts: a validated submission as rules see it on one evaluation date.

Activities and signals dated after ``as_of`` have not happened yet at that date: they are cut and
listed (so the report can say so). What is left is indexed by activity type and sorted by date,
so a rule looks only at the activities of the types it names.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kl21rules.submission import Activity, Signal, Submission


@dataclass(slots=True, frozen=True)
class Dated:
    """An activity or signal with its place in the submission and the date it counts on."""

    pointer: str
    index: int
    date: _dt.date
    obj: Any
    #: orders items of the same date by content, not by place: a file's order is not information,
    #: so a shuffled file must pick the same evidence (empty when no other item shares the date).
    tie: str = ""

    @property
    def ref(self) -> str:
        """The item's id where it has one, else its JSON pointer (how findings name items)."""
        ident = getattr(self.obj, "id", None)
        return ident if ident else self.pointer


@dataclass(slots=True, frozen=True)
class Facts:
    """What a rule may read: the unit, the evaluation date, and the activities up to it.

    Read-only all the way down, because the same facts go to every pack's rules for a file: the
    dataclass is frozen, its collections are tuples and a read-only mapping, and the submission's
    models are frozen pydantic models — a pack's rule cannot change what another pack's rules see.
    """

    submission: Submission
    as_of: _dt.date
    by_type: Mapping[str, tuple[Dated, ...]]
    signals: tuple[Dated, ...]
    cut: tuple[tuple[str, _dt.date], ...] = ()
    #: (replaced, replacing): records corrected by a later record (``replaces``), not judged.
    replaced: tuple[tuple[Dated, Dated], ...] = ()

    @property
    def unit(self) -> Any:
        return self.submission.unit

    def activities(self, types: tuple[str, ...]) -> tuple[Dated, ...]:
        """Activities of the given types, sorted by date then by place in the file."""
        if len(types) == 1:
            return self.by_type.get(types[0], ())
        merged: list[Dated] = []
        for t in types:
            merged.extend(self.by_type.get(t, ()))
        merged.sort(key=_order)
        return tuple(merged)


#: how items sort: by date, then by content where dates tie, then by place (a C-level key: every
#: file's activities are sorted with it).
_order: Callable[[Dated], tuple[_dt.date, str, int]] = operator.attrgetter("date", "tie", "index")


#: (class, name) -> whether ``getattr(obj, name, None)`` is ``obj.__dict__.get(name)`` for every
#: ``obj`` of the class (see :func:`field_of`).
_PLAIN: dict[tuple[type, str], bool] = {}


def _plain(cls: type, name: str) -> bool:
    """Whether an attribute ``name`` of an instance of ``cls`` can only be in the instance's
    ``__dict__``: a pydantic model class with no class attribute, private attribute or extra fields
    by that name, and pydantic's own attribute look-up. Its ``__getattr__`` then only raises."""
    got = _PLAIN.get((cls, name))
    if got is None:
        from pydantic import BaseModel

        got = (isinstance(cls, type) and issubclass(cls, BaseModel)
               and getattr(cls, "__getattr__", None) is getattr(BaseModel, "__getattr__", None)
               and cls.__getattribute__ is BaseModel.__getattribute__
               and cls.model_config.get("extra") != "allow"
               and name not in (cls.__private_attributes__ or {})
               and not hasattr(cls, name))
        if len(_PLAIN) > 4096:  # bounded whatever classes packs bring
            _PLAIN.clear()
        _PLAIN[(cls, name)] = got
    return got


def field_of(obj: Any, name: str) -> Any:
    """``getattr(obj, name, None)``, without pydantic's slow way of saying a model has no such
    attribute (an exception raised and caught: most activities have no ``replaces`` or ``year``)."""
    if _PLAIN.get((type(obj), name)) or _plain(type(obj), name):
        return obj.__dict__.get(name)
    return getattr(obj, name, None)


def _with_ties(items: list[Dated]) -> list[Dated]:
    """Items sharing a date get their content as ``tie`` (computed only for those: it costs)."""
    seen: dict[_dt.date, int] = {}
    for d in items:
        seen[d.date] = seen.get(d.date, 0) + 1
    if len(seen) == len(items):
        return items  # no two share a date (most files' signals, many files' activities)
    return [_dated(d.pointer, d.index, d.date, d.obj, d.obj.model_dump_json()) if seen[d.date] > 1 else d
            for d in items]


_new = object.__new__
_SLOTS = {name: Dated.__dict__[name].__set__ for name in ("pointer", "index", "date", "obj", "tie")}
_set_pointer, _set_index, _set_date, _set_obj, _set_tie = _SLOTS.values()


def _dated(pointer: str, index: int, date: _dt.date, obj: Any, tie: str = "") -> Dated:
    """``Dated(pointer, index, date, obj, tie)``, made without the frozen dataclass's ``__init__``
    (which sets each field through ``object.__setattr__``; a file has about 50 of them)."""
    self: Dated = _new(Dated)
    _set_pointer(self, pointer)
    _set_index(self, index)
    _set_date(self, date)
    _set_obj(self, obj)
    _set_tie(self, tie)
    return self


#: the pointers of the first activities, made once (every file has them)
_KEPT_POINTERS = 256
_ACTIVITY_POINTERS = tuple(f"/activities/{i}" for i in range(_KEPT_POINTERS))

#: per activity class: 0 when its date is its ``date`` (Activity.effective_date not overridden),
#: 1 when it has its own ``effective_date``, 2 when it is not an Activity (read ``date``)
_DATING: dict[type, int] = {}


def _dating(cls: type) -> int:
    got = _DATING.get(cls)
    if got is None:
        got = (2 if not issubclass(cls, Activity) else
               0 if getattr(cls, "effective_date", None) is Activity.effective_date else 1)
        if len(_DATING) > 4096:
            _DATING.clear()
        _DATING[cls] = got
    return got


def build_facts(submission: Submission, as_of: _dt.date) -> Facts:
    """Index a submission for evaluation as of ``as_of``, cutting what lies after it."""
    items: list[Dated] = []
    cut: list[tuple[str, _dt.date]] = []
    dating = _DATING
    pointers = _ACTIVITY_POINTERS
    for i, act in enumerate(submission.activities):
        how = dating.get(type(act))
        if how is None:
            how = _dating(type(act))
        day = act.effective_date() if how == 1 else act.date
        pointer = pointers[i] if i < _KEPT_POINTERS else f"/activities/{i}"
        if day > as_of:
            cut.append((pointer, day))
            continue
        items.append(_dated(pointer, i, day, act))
    items, replaced = _without_replaced(items)
    # The order in which items reach _grouped does not matter: it sorts them by a key that is
    # unique to each (its index), and so do the groups' order and contents.
    by_type = _grouped(_with_ties(items))
    signals: list[Dated] = []
    for i, sig in enumerate(submission.signals):
        if sig.date > as_of:
            cut.append((f"/signals/{i}", sig.date))
            continue
        signals.append(_dated(f"/signals/{i}", i, sig.date, sig))
    signals = sorted(_with_ties(signals), key=_order)
    return Facts(submission, as_of, MappingProxyType(by_type), tuple(signals), tuple(cut), tuple(replaced))


def _without_replaced(items: list[Dated]) -> tuple[list[Dated], list[tuple[Dated, Dated]]]:
    """Items less the records another item corrects (``replaces: <id>``), and who replaced whom.

    Only items up to ``as_of`` replace: a correction dated later has not happened yet, so the
    record it corrects still stands on that date. In a chain (C replaces B, which replaces A)
    every record but the last is replaced. Validation refuses a record replacing itself, one of
    another type or year, two records replacing one, and cycles.
    """
    replacing: list[Dated] = []
    plain = _PLAIN
    for d in items:
        obj = d.obj
        # field_of(obj, "replaces"), inlined: once per activity of every file
        if plain.get((type(obj), "replaces")) or _plain(type(obj), "replaces"):
            if obj.__dict__.get("replaces") is not None:
                replacing.append(d)
        elif getattr(obj, "replaces", None) is not None:
            replacing.append(d)
    if not replacing:
        return items, []
    by_id: dict[str, Dated] = {}
    for d in items:
        ident = getattr(d.obj, "id", None)  # a field of every activity: found at once
        if ident is not None:
            by_id.setdefault(ident, d)
    pairs: dict[int, tuple[Dated, Dated]] = {}
    for new in replacing:
        old = by_id.get(new.obj.replaces)
        if old is not None and old is not new and old.obj.type == new.obj.type:
            pairs.setdefault(old.index, (old, new))
    kept = [d for d in items if d.index not in pairs]
    return kept, [pairs[i] for i in sorted(pairs)]


def _grouped(items: list[Dated]) -> dict[str, tuple[Dated, ...]]:
    out: dict[str, list[Dated]] = {}
    for d in sorted(items, key=_order):
        kind = d.obj.type
        group = out.get(kind)
        if group is None:
            out[kind] = [d]
        else:
            group.append(d)
    return {t: tuple(group) for t, group in out.items()}


__all__ = ["Dated", "Facts", "Signal", "build_facts", "field_of"]
