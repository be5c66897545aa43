"""The second engine: the same rules judged by durable-rules (``--engine durable``).

The reference engine (:mod:`kl21rules.rules.engine`) defines every verdict; this one exists to
check it with an independent implementation, as ``design.md`` ("Engines") explains. Each rule's
:class:`~kl21rules.rules.model.RuleSpec` is compiled into a durable-rules ruleset (its JSON form)
and every submission's facts are asserted into it.

What durable-rules decides
--------------------------
For ``deadline``, ``recurring``, ``term_window`` and ``follow_up`` rules, durable-rules decides
which activities satisfy the obligation in each window — activity type, the ``where`` filters,
the window's bounds (dates, or the year an activity is for: its ``year``, else its date's), which items are triggers and a follow-up's
links to its trigger — and, with its ``none``, which windows and triggers have no such activity.
From those matches this module derives every verdict itself: status, period, item, due date and
evidence. The calendar (periods, due dates, years in force, the evaluation-date cut) is shared
with the reference engine, and so is the driver (applicability, rule errors, sorting).

The verdicts are then compared with the reference engine's findings for the same rule: when
status, period, item, due date and evidence all agree, the findings are returned with the
reference engine's messages (one set of message templates, so ``--lang`` and ``explain`` need no
second source); when they do not, the rule gives an ``error`` finding that shows the first
difference (:class:`EngineMismatch`). A durable absence is also checked against durable's own
matches: a window with both, or neither, is a mismatch too.

Rules it does not compile — ``each`` and ``python`` rules, and filters that refer to
``$trigger`` — run on the reference engine alone; :func:`fallbacks` lists them for the report.

The safe pattern (design.md)
----------------------------
* Every rule starts with the trigger fact ``go``, asserted alone after all other facts, so a
  ``none`` is evaluated once, with every fact present (durable-rules issue #402: absence is judged
  when the preceding terms match, so otherwise results depend on the order facts arrive).
* Every correlated ``$and`` ends with an always-true correlated term (``k >= go.k``): the C core
  reads out of bounds when a correlated ``$and`` fails on its last term.
* A sentinel rule (``go`` alone) always fires, so ``delete_state`` never meets a session where no
  rule fired (it frees uninitialised pointers then). The sentinel's absence is a mismatch.

What else we met in durable-rules 2.0.28 (beyond design.md)
-----------------------------------------------------------
* **An ``$or`` inside an ``$and`` drops every correlated term after it.** ``{"$and": [{"$or":
  [type A, type B]}, ord >= w.lo, ord <= w.hi]}`` matched activities of every window (found with
  KL21-05, whose match admits inspections or supervisions); with the ``$or`` last it was right.
  So no pattern here contains ``$or``: filters are expanded into a disjunction of plain
  conjunctions (DNF), one durable rule per conjunct for matches, and one ``none`` per conjunct,
  all in one rule, for absence.
* ``$neq`` is false when the field is missing, while "not equal" of a missing field is true in the
  reference engine: ``ne`` compiles to "missing, or ``$neq``".
* Asserting a fact that no pattern can match returns result code 1 ("not handled"), which
  durable's Python wrapper raises as an exception; two facts with the same ``id`` in one session:
  the second is "already observed" and dropped. We call the C module directly, ignore code 1, and
  give every fact a unique id (``a3``, ``s0``, ``w12``). ``durable.engine.Host`` is not used: it
  starts timer threads that poll forever.
* A top-level ``id`` is the fact's identity to durable-rules, so a fact's own fields sit under
  ``f``: ``{"t": "act", "ty": type, "ord": date ordinal, "idx": place in the file, "f": {...}}``.
  Field values are encoded as the reference engine compares them (text NFC, case-folded, spaces
  collapsed; dates as ordinals; ``None`` and empty values left out, so ``exists`` is "the key is
  there").
* Rulesets are compiled once per distinct definition and kept (a definition differs per unit only
  where a filter reads ``$unit``); ``delete_ruleset`` frees the oldest when the cache is full.

Checked under valgrind (``PYTHONMALLOC=malloc``) on every sample as of two dates: no error is
reported in a ``durable_rules_engine`` frame with these patterns.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from kl21rules.dates import add_days, year_bounds
from kl21rules.findings import Finding
from kl21rules.rules.engine import CompiledRule, Context, _as_date, compile_match, in_force, periods, uncounted_in
from kl21rules.rules.engine import evaluate as reference_evaluate
from kl21rules.rules.facts import Dated, Facts, _order  # the reference engine's order of items
from kl21rules.rules.filters import get_path, normalise
from kl21rules.rules.model import Deadline, FollowUp, Match, Recurring, RuleSpec, TermWindow

#: kinds this engine compiles; the others run on the reference engine.
KINDS = ("deadline", "recurring", "term_window", "follow_up")
_FAR = 10**7  # an ordinal after every date
_TAIL: dict[str, Any] = {"$gte": {"k": {"go": "k"}}}  # the always-true trailing correlated term
_GO: dict[str, Any] = {"go": {"t": "go"}}

Atom = dict[str, Any]
#: a filter in disjunctive normal form: any of these conjunctions ([] is false, [[]] is true).
DNF = list[list[Atom]]
_TRUE: DNF = [[]]
_FALSE: DNF = []


class DurableUnavailable(RuntimeError):
    """durable-rules cannot be imported here; carries the reason."""


class Unsupported(ValueError):
    """Something a rule says that this engine does not compile."""


class EngineMismatch(RuntimeError):
    """durable-rules and the reference engine (or durable-rules with itself) disagree."""


_core: Any = None


def _engine() -> Any:
    """The durable-rules C module, imported on first use."""
    global _core
    if _core is None:
        try:
            import durable_rules_engine
        except Exception as exc:  # ImportError, or an ABI error on an unsupported Python
            raise DurableUnavailable(f"{type(exc).__name__}: {exc}") from None
        _core = durable_rules_engine
    return _core


def unavailable_reason() -> str | None:
    """Why durable-rules cannot be used here, or ``None`` when it can."""
    try:
        _engine()
    except DurableUnavailable as exc:
        return str(exc)
    return None


def unavailable_message(reason: str) -> tuple[str, str]:
    """What to tell the user (vi, en) when ``--engine durable`` cannot run."""
    return (
        f"Không dùng được bộ máy durable-rules ({reason}); đã kiểm tra bằng bộ máy tham chiếu. "
        "Cài bằng: pip install 'kl21rules[durable]' (cần Python 3.12 trở xuống).",
        f"The durable-rules engine is not available ({reason}); checked with the reference engine "
        "instead. Install it with: pip install 'kl21rules[durable]' (needs Python 3.12 or older).",
    )


# --------------------------------------------------------------------------- what it can run


def why_not(spec: RuleSpec) -> str | None:
    """Why this engine cannot judge the rule (it then runs on the reference engine), or ``None``."""
    kind = spec.obligation.kind
    if kind == "python":
        return "Python rule"
    if kind not in KINDS:
        return f"kind '{kind}'"
    if "$trigger." in json.dumps(spec.obligation.model_dump(mode="json"), ensure_ascii=False):
        return "a filter refers to $trigger"
    return None


def fallbacks(rules: Sequence[CompiledRule]) -> list[tuple[str, str]]:
    """(rule id, reason) of every rule that runs on the reference engine under ``--engine durable``."""
    return [(r.id, why) for r in rules if (why := why_not(r.spec)) is not None]


def fallback_message(items: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The notice (vi, en) naming the rules judged by the reference engine alone."""
    listed_vi = ", ".join(f"{rid} ({_why_vi(why)})" for rid, why in items)
    listed_en = ", ".join(f"{rid} ({why})" for rid, why in items)
    return (
        f"Bộ máy durable-rules không diễn đạt được các quy tắc sau, chúng được xét bằng bộ máy tham chiếu: {listed_vi}.",
        f"The durable-rules engine cannot express these rules; they were judged by the reference engine: {listed_en}.",
    )


def _why_vi(why: str) -> str:
    if why == "Python rule":
        return "quy tắc Python"
    if why.startswith("kind "):
        return "loại " + why[5:]
    return why.replace("a filter refers to", "bộ lọc dùng")


def choose(engine: str, rules: Sequence[CompiledRule]) -> tuple[str, list[Any]]:
    """The engine a run will use (``durable`` falls back to ``reference`` when durable-rules cannot
    be imported) and the notices for the report: that fallback, or the rules judged by the
    reference engine alone."""
    from kl21rules.report import Notice

    if engine != "durable":
        return engine, []
    reason = unavailable_reason()
    if reason is not None:
        return "reference", [Notice("engine-unavailable", None, *unavailable_message(reason))]
    items = fallbacks(rules)
    return "durable", ([Notice("engine-fallback", None, *fallback_message(items))] if items else [])


# --------------------------------------------------------------------------- evaluation


class Verdict(NamedTuple):
    """What a finding decides, without its words."""

    status: str
    period: str | None
    item: str | None
    due: _dt.date | None
    evidence: tuple[str, ...]

    @classmethod
    def of(cls, f: Finding) -> Verdict:
        return cls(f.status, f.period, f.item, f.due, tuple(f.evidence))


VerdictFn = Callable[[Context], list[Verdict]]
_twins: dict[int, tuple[CompiledRule, CompiledRule]] = {}
_MAX_TWINS = 4096


def twin(rule: CompiledRule) -> CompiledRule:
    """The rule as this engine judges it (the rule itself when this engine cannot express it)."""
    held = _twins.get(id(rule))
    if held is not None and held[0] is rule:
        return held[1]
    if why_not(rule.spec) is not None:
        result = rule
    else:
        result = CompiledRule(rule.spec, _checked(rule, compile_verdicts(rule.spec)), rule.unit_filter,
                              source=rule.source, python=False, params=rule.params)
    if len(_twins) >= _MAX_TWINS:  # registries come and go (tests load many): never grow without bound
        _twins.clear()
    _twins[id(rule)] = (rule, result)  # holding the rule keeps its id from being reused
    return result


def _checked(rule: CompiledRule, verdicts: VerdictFn) -> Callable[[Context], list[Finding]]:
    def judge(ctx: Context) -> list[Finding]:
        findings = rule.judge(ctx)  # first: a rule that raises fails the same way on both engines
        mine = verdicts(ctx)
        theirs = [Verdict.of(f) for f in findings]
        if mine != theirs:
            raise EngineMismatch(_difference(mine, theirs))
        return findings

    return judge


def _difference(mine: list[Verdict], theirs: list[Verdict]) -> str:
    for n, (a, b) in enumerate(zip(mine, theirs)):
        if a != b:
            return f"finding {n}: durable-rules {tuple(a)} but the reference engine {tuple(b)}"
    return f"durable-rules gives {len(mine)} finding(s), the reference engine {len(theirs)}"


def evaluate(
    facts: Facts,
    rules: Sequence[CompiledRule],
    overrides: dict[str, dict[str, Any]] | None = None,
) -> list[Finding]:
    """Like :func:`kl21rules.rules.engine.evaluate`, every rule it can express judged by
    durable-rules as well. Raises :class:`DurableUnavailable` when durable-rules cannot be imported."""
    _engine()
    return reference_evaluate(facts, [twin(r) for r in rules], overrides)


# --------------------------------------------------------------------------- facts


def _encode(value: Any) -> Any:
    """A value as durable-rules sees it: what the reference engine compares, as JSON."""
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return normalise(value)
    if isinstance(value, _dt.date):
        return value.toordinal()
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value if not _empty(v)]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items() if not _empty(v)}
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return _encode({name: getattr(value, name) for name in fields})
    return str(value)


def _empty(value: Any) -> bool:
    # the reference engine's "present": not None and not a blank text, an empty list or mapping
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, (list, tuple, dict)) and len(value) == 0)


@dataclass
class _Encoded:
    facts: Facts
    json_facts: list[dict[str, Any]]
    activities: dict[int, Dated]
    signals: dict[int, Dated]


_last: list[_Encoded] = []


def _encoded(facts: Facts) -> _Encoded:
    """The submission's facts as durable-rules facts, encoded once per :class:`Facts`."""
    if _last and _last[0].facts is facts:
        return _last[0]
    out: list[dict[str, Any]] = []
    activities: dict[int, Dated] = {}
    for items in facts.by_type.values():
        for d in items:
            activities[d.index] = d
            year = getattr(d.obj, "year", None)
            out.append({"id": f"a{d.index}", "t": "act", "ty": d.obj.type, "ord": d.date.toordinal(),
                        "yr": year if year is not None else d.date.year,  # the year it is for
                        "idx": d.index, "k": 0, "f": _encode(d.obj)})
    signals: dict[int, Dated] = {}
    for d in facts.signals:
        signals[d.index] = d
        out.append({"id": f"s{d.index}", "t": "sig", "ord": d.date.toordinal(), "idx": d.index, "k": 0,
                    "f": _encode(d.obj)})
    enc = _Encoded(facts, out, activities, signals)
    _last[:] = [enc]
    return enc


# --------------------------------------------------------------------------- filters as DNF


@dataclass(frozen=True)
class _Resolver:
    """What ``$unit.X`` and ``$param.X`` mean for the unit and parameters being judged."""

    unit: Any
    params: dict[str, Any]

    def operand(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            head, _, rest = value[1:].partition(".")
            path = tuple(rest.split("."))
            if head == "unit":
                return get_path(self.unit, path)
            if head == "param":
                return get_path(self.params, path)
            raise Unsupported(f"reference {value!r}")
        return value


def _and(*parts: DNF) -> DNF:
    out: DNF = [[]]
    for part in parts:
        out = [a + b for a in out for b in part]
    return out


def _or(*parts: DNF) -> DNF:
    return [conj for part in parts for conj in part]


def _scalar(value: Any, where: str) -> Any:
    encoded = _encode(value)
    if isinstance(encoded, (list, dict)):
        raise Unsupported(f"{where}: a list or mapping as a value")
    return encoded


def _condition(path: str, op: str, arg: Any, res: _Resolver, neg: bool) -> DNF:
    """One ``field: {op: arg}`` (negated when ``neg``) as the reference engine's filters judge it."""
    missing: DNF = [[{"$nex": {path: 1}}]]
    present: DNF = [[{"$ex": {path: 1}}]]
    value = res.operand(arg)

    def eq(v: Any, negate: bool) -> DNF:
        if v is None:  # equal to nothing: the field is absent
            return present if negate else missing
        s = _scalar(v, path)
        return _or(missing, [[{"$neq": {path: s}}]]) if negate else [[{path: s}]]

    def contains(v: Any, negate: bool) -> DNF:
        s = _scalar(v, path)
        if negate:
            return _or(missing, [[{"$iall": {path: {"$neq": {"$i": s}}}}]])
        return [[{"$iany": {path: {"$i": s}}}]]

    def options(v: Any) -> list[Any]:
        if v is None:
            return []
        if not isinstance(v, (list, tuple)):
            raise Unsupported(f"{path}: '{op}' of a {type(v).__name__}, not a list")
        return list(v)

    if op in ("eq", "ne"):
        return eq(value, neg != (op == "ne"))
    if op in ("in", "not_in"):
        negate = neg != (op == "not_in")
        terms = [eq(v, negate) for v in options(value)]
        return _and(*terms) if negate else _or(*terms)
    if op == "contains":
        if value is None:
            return _TRUE if neg else _FALSE
        return contains(value, neg)
    if op == "contains_any":
        terms = [contains(v, neg) for v in options(value)]
        return _and(*terms) if neg else _or(*terms)
    if op == "exists":
        return present if bool(value) != neg else missing
    if op in ("gt", "ge", "lt", "le"):
        if value is None:  # the reference engine: a comparison with nothing is false
            return _TRUE if neg else _FALSE
        s = _scalar(value, path)
        if neg:
            opposite = {"gt": "$lte", "ge": "$lt", "lt": "$gte", "le": "$gt"}[op]
            return _or(missing, [[{opposite: {path: s}}]])
        return [[{"$" + {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}[op]: {path: s}}]]
    raise Unsupported(f"{path}: operator {op!r}")


def _where(where: dict[str, Any] | None, res: _Resolver, neg: bool = False) -> DNF:
    """A ``where`` filter (already checked by the reference compiler) in DNF; ``neg`` negates it."""
    if not where:
        return _FALSE if neg else _TRUE
    terms: list[DNF] = []
    for key, cond in where.items():
        if key in ("any", "all"):
            subs = [_where(c, res, neg) for c in cond]
            # not (a or b) = not a and not b; not (a and b) = not a or not b
            terms.append(_or(*subs) if (key == "any") != neg else _and(*subs))
        elif key == "not":
            terms.append(_where(cond, res, not neg))
        else:
            path = "f." + key
            if isinstance(cond, dict):
                terms.extend(_condition(path, op, arg, res, neg) for op, arg in cond.items())
            else:
                terms.append(_condition(path, "eq", cond, res, neg))
    return _or(*terms) if neg else _and(*terms)


def _activity(match: Match, res: _Resolver) -> DNF:
    """The conjunctions an activity satisfying ``match`` meets (one of them)."""
    types: DNF = [[{"ty": t}] for t in match.types()]
    return _and(types, _where(match.where, res))


def _pattern(conj: list[Atom], correlated: Sequence[Atom], kind: str = "act") -> dict[str, Any]:
    return {"$and": [{"t": kind}, *correlated, *conj, _TAIL]}


# --------------------------------------------------------------------------- running a ruleset

_handles: dict[str, int] = {}
_names = itertools.count()
_sessions = itertools.count(1)
_MAX_RULESETS = 512


def _handle(definition: dict[str, Any]) -> int:
    """The compiled ruleset of a definition (compiled once, kept for later submissions)."""
    core = _engine()
    text = json.dumps(definition, ensure_ascii=False, sort_keys=True)
    handle = _handles.get(text)
    if handle is None:
        if len(_handles) >= _MAX_RULESETS:
            core.delete_ruleset(_handles.pop(next(iter(_handles))))
        handle = core.create_ruleset(f"kl21rules_{next(_names)}", text)
        _handles[text] = handle
    return handle


def _run(definition: dict[str, Any], facts: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Assert ``facts``, then ``go``; every rule that fired: (rule name, {alias: fact})."""
    core = _engine()
    handle = _handle({**definition, "sentinel": {"all": [_GO]}})
    sid = str(next(_sessions))
    fired: list[tuple[str, dict[str, Any]]] = []
    try:
        if facts:
            core.assert_facts(handle, json.dumps([{**f, "sid": sid} for f in facts], ensure_ascii=False))
        state = core.assert_fact(handle, json.dumps({"id": "go", "sid": sid, "t": "go", "k": 0}))[1]
        result = core.start_action_for_state(handle, state)
        message = result[1] if result else None
        while message:
            for name, frame in json.loads(message).items():
                if isinstance(frame, list):  # several frames at once (never asked for, but allowed)
                    fired.extend((name, f) for f in frame)
                else:
                    fired.append((name, frame))
            message = core.complete_and_start_action(handle, state)
    finally:
        core.delete_state(handle, sid)
    if not any(name == "sentinel" for name, _ in fired):
        raise EngineMismatch("durable-rules: the sentinel rule did not fire")
    return fired


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class _Window:
    """Where to look for group ``q``: dated ``lo``..``hi`` (ordinals), or for year ``y``."""

    wid: str
    q: str
    lo: int = 0
    hi: int = _FAR
    y: int | None = None

    def fact(self) -> dict[str, Any]:
        out = {"id": self.wid, "t": "win", "q": self.q, "lo": self.lo, "hi": self.hi, "k": 0}
        if self.y is not None:
            out["y"] = self.y
        return out


def _window_rules(groups: dict[str, tuple[Match, bool]], res: _Resolver) -> dict[str, Any]:
    """Per group: ``hit`` rules (an activity in the window, one per conjunct) and ``miss`` (none)."""
    rules: dict[str, Any] = {}
    for q, (match, by_year) in groups.items():
        window = {"w": {"$and": [{"t": "win"}, {"q": q}, _TAIL]}}
        inside: list[Atom] = ([{"yr": {"w": "y"}}] if by_year
                              else [{"$gte": {"ord": {"w": "lo"}}}, {"$lte": {"ord": {"w": "hi"}}}])
        conjuncts = _activity(match, res)
        for j, conj in enumerate(conjuncts):
            rules[f"hit:{q}:{j}"] = {"all": [_GO, window, {"a": _pattern(conj, inside)}]}
        rules[f"miss:{q}"] = {"all": [_GO, window, *({f"n{j}$not": _pattern(conj, inside)}
                                                     for j, conj in enumerate(conjuncts))]}
    return rules


def _matches_in(ctx: Context, groups: dict[str, tuple[Match, bool]], windows: list[_Window]) -> dict[str, list[Dated]]:
    """window id -> the activities durable-rules matched in it, sorted as the reference engine sorts."""
    if not windows:
        return {}
    enc = _encoded(ctx.facts)
    fired = _run(_window_rules(groups, _Resolver(ctx.facts.unit, ctx.params)),
                 enc.json_facts + [w.fact() for w in windows])
    hits: dict[str, dict[int, Dated]] = {w.wid: {} for w in windows}
    missing: set[str] = set()
    for name, frame in fired:
        if name.startswith("hit:"):
            d = enc.activities[frame["a"]["idx"]]
            hits[frame["w"]["id"]][d.index] = d  # one activity may meet several conjuncts
        elif name.startswith("miss:"):
            missing.add(frame["w"]["id"])
    out: dict[str, list[Dated]] = {}
    for wid, found in hits.items():
        if bool(found) == (wid in missing):
            raise EngineMismatch(f"durable-rules: window {wid} has {len(found)} match(es) and "
                                 f"{'an' if wid in missing else 'no'} absence")
        out[wid] = sorted(found.values(), key=_order)
    return out


def _window_verdict(ctx: Context, groups: list[list[Dated]], due: _dt.date, period: str | None) -> Verdict:
    """Each group needs an activity; the first on time (else the first) is the evidence."""
    on_time_all, evidence = True, []
    for found in groups:
        if not found:
            on_time_all = False
            continue
        on_time = [d for d in found if d.date <= due]
        evidence.append((on_time or found)[0].pointer)
        on_time_all = on_time_all and bool(on_time)
    done = all(groups)
    return Verdict(ctx.verdict(on_time_all and done, done, due), period, None, due, tuple(dict.fromkeys(evidence)))


def _groups_of(match: Match | None, all_of: list[Match] | None) -> list[Match]:
    groups = ([match] if match is not None else []) + list(all_of or [])
    if not groups:
        raise Unsupported("no match")
    return groups


def _deadline(spec: RuleSpec, ob: Deadline) -> VerdictFn:
    matches = _groups_of(ob.match, ob.all_of)
    groups = {str(i): (m, False) for i, m in enumerate(matches)}
    lo = ob.not_before.toordinal() if ob.not_before else 0

    # ``uncounted`` names activities without deciding anything: the reference engine's selection
    compiled = [compile_match(m, f"{spec.id}.obligation[{i}]") if m.uncounted is not None else None
                for i, m in enumerate(matches)]

    def verdicts(ctx: Context) -> list[Verdict]:
        hits = _matches_in(ctx, groups, [_Window(f"w{i}", str(i), lo=lo) for i in range(len(matches))])
        found = [hits[f"w{i}"] for i in range(len(matches))]
        verdict = _window_verdict(ctx, found, ob.due, None)
        if verdict.status in ("fail", "pending") and any(compiled):
            evidence = list(verdict.evidence)
            for group, hit in zip(compiled, found, strict=True):
                if group is not None and not hit:
                    evidence += [d.pointer for d in uncounted_in(group, ctx.facts, ctx.scope, ob.not_before, None)
                                 if d.pointer not in evidence]
            verdict = verdict._replace(evidence=tuple(evidence))
        return [verdict]

    return verdicts


def _recurring(spec: RuleSpec, ob: Recurring) -> VerdictFn:
    schedules = [(s, _groups_of(s.match, s.all_of)) for s in ob.schedules]
    groups = {f"{si}.{gi}": (m, s.by == "year") for si, (s, ms) in enumerate(schedules) for gi, m in enumerate(ms)}

    def verdicts(ctx: Context) -> list[Verdict]:
        as_of = ctx.as_of
        rp = ctx.facts.submission.report.period
        if ob.span == "report_period" and rp is not None:
            first, last = rp.start, min(rp.end, as_of)
        elif ob.span == "report_period":
            first, last = _dt.date(as_of.year, 1, 1), as_of
        else:
            first, last = _dt.date(ob.from_year, 1, 1), as_of
        last = max(first, last)  # a span starting after as_of: its first periods (as the reference engine)
        plan: list[tuple[int, Any, int, str, _dt.date, _dt.date, bool]] = []
        windows: list[_Window] = []
        for si, (sched, ms) in enumerate(schedules):
            for label, lo, hi in periods(sched.every, first, last):
                active = in_force(ctx, lo.year)
                plan.append((si, sched, len(ms), label, lo, hi, active))
                for gi in range(len(ms) if active else 0):
                    wid = f"w{si}.{gi}.{label}"
                    windows.append(_Window(wid, f"{si}.{gi}", y=lo.year) if sched.by == "year"
                                   else _Window(wid, f"{si}.{gi}", lo=lo.toordinal(), hi=hi.toordinal()))
        hits = _matches_in(ctx, groups, windows)
        out: list[Verdict] = []
        for si, sched, n, label, lo, hi, active in plan:
            if not active:
                out.append(Verdict("not_applicable", label, None, None, ()))
                continue
            due = hi if sched.due is None else _dt.date(lo.year, sched.due.month, sched.due.day)
            out.append(_window_verdict(ctx, [hits[f"w{si}.{gi}.{label}"] for gi in range(n)], due, label))
        return out

    return verdicts


def _term_window(spec: RuleSpec, ob: TermWindow) -> VerdictFn:
    groups = {"0": (ob.match, False)}

    def verdicts(ctx: Context) -> list[Verdict]:
        term = ctx.facts.unit.term
        window = ctx.params.get("window")
        if window:
            lo, hi = _as_date(window["start"]), _as_date(window["end"])
        elif term is None:
            return [Verdict("fail", None, None, None, ())]
        else:
            n = ctx.param_int(ctx.params.get("term_year", 3), "term_year")
            assert n is not None
            lo, hi = year_bounds(term.start.year + n)
            if term.end is not None and term.end < lo:
                return [Verdict("not_applicable", None, None, None, ())]
        found = _matches_in(ctx, groups, [_Window("w", "0", lo=lo.toordinal())])["w"]  # on or after lo
        inside = [d for d in found if d.date <= hi]
        chosen = (inside or found)[:1]
        status = ctx.verdict(bool(inside), bool(found), hi)
        return [Verdict(status, None, None, hi, tuple(d.pointer for d in chosen))]

    return verdicts


def _follow_up(spec: RuleSpec, ob: FollowUp) -> VerdictFn:
    trig = ob.trigger
    kinds = list(trig.signals or ())

    def definition(res: _Resolver) -> dict[str, Any]:
        if trig.activities is not None:
            triggers = [_pattern(conj, ()) for conj in _activity(trig.activities, res)]
        else:
            triggers = [_pattern([{"f.kind": _encode(k)}], (), "sig") for k in kinds]
        rules: dict[str, Any] = {}
        for ti, tp in enumerate(triggers):
            rules[f"trigger:{ti}"] = {"all": [_GO, {"tr": tp}]}
            for i, req in enumerate(ob.require):
                linked: list[Atom] = []
                for mine, theirs in req.link.items():
                    # both present and equal, as the reference engine's _same
                    linked += [{"$ex": {f"f.{mine}": 1}}, {f"f.{mine}": {"tr": f"f.{theirs}"}}]
                if not ob.before:
                    linked.append({"$gte": {"ord": {"tr": "ord"}}})
                conjuncts = _activity(req.match, res)
                for j, conj in enumerate(conjuncts):
                    rules[f"hit:{ti}:{i}:{j}"] = {"all": [_GO, {"tr": tp}, {"a": _pattern(conj, linked)}]}
                rules[f"miss:{ti}:{i}"] = {"all": [_GO, {"tr": tp}, *({f"n{j}$not": _pattern(conj, linked)}
                                                                     for j, conj in enumerate(conjuncts))]}
        return rules

    def verdicts(ctx: Context) -> list[Verdict]:
        enc = _encoded(ctx.facts)
        fired = _run(definition(_Resolver(ctx.facts.unit, ctx.params)), enc.json_facts)
        source = enc.activities if trig.activities is not None else enc.signals
        triggers: dict[int, Dated] = {}
        hits: dict[tuple[int, int], dict[int, Dated]] = {}
        # A trigger meeting several trigger conjuncts is judged by each: absent from all, or none.
        missing: dict[tuple[int, int], int] = {}
        conjuncts_met: dict[int, int] = {}
        for name, frame in fired:
            kind, _, rest = name.partition(":")
            if kind == "trigger":
                t = frame["tr"]["idx"]
                triggers[t] = source[t]
                conjuncts_met[t] = conjuncts_met.get(t, 0) + 1
            elif kind == "hit":
                i = int(rest.split(":")[1])
                d = enc.activities[frame["a"]["idx"]]
                hits.setdefault((frame["tr"]["idx"], i), {})[d.index] = d
            elif kind == "miss":
                key = (frame["tr"]["idx"], int(rest.split(":")[1]))
                missing[key] = missing.get(key, 0) + 1
        days = ctx.param_int(ob.within_days, "within_days") if not ob.before else 0
        out: list[Verdict] = []
        for t in sorted(triggers.values(), key=_order):
            due = add_days(t.date, days or 0)
            evidence: list[str] = []
            done, on_time = True, True
            for i in range(len(ob.require)):
                cands = sorted(hits.get((t.index, i), {}).values(), key=_order)
                absent = missing.get((t.index, i), 0)
                if (cands and absent) or (not cands and absent != conjuncts_met[t.index]):
                    raise EngineMismatch(f"durable-rules: trigger {t.ref}, requirement {i}: {len(cands)} "
                                         f"match(es) and {absent} absence(s)")
                if not cands:
                    done = on_time = False
                    continue
                ok = [d for d in cands if d.date <= due]
                evidence.append((ok or cands)[0].pointer)
                on_time = on_time and bool(ok)
            out.append(Verdict(ctx.verdict(done and on_time, done, due), None, t.ref, due, tuple(dict.fromkeys(evidence))))
        return out or [Verdict("not_applicable", None, None, None, ())]

    return verdicts


_COMPILERS: dict[str, Callable[[RuleSpec, Any], VerdictFn]] = {
    "deadline": _deadline,
    "recurring": _recurring,
    "term_window": _term_window,
    "follow_up": _follow_up,
}


def compile_verdicts(spec: RuleSpec) -> VerdictFn:
    """The rule compiled for durable-rules: facts -> verdicts (status, period, item, due, evidence)."""
    if why_not(spec) is not None:
        raise Unsupported(f"{spec.id}: {why_not(spec)}")
    return _COMPILERS[spec.obligation.kind](spec, spec.obligation)


__all__ = [
    "DurableUnavailable",
    "EngineMismatch",
    "KINDS",
    "Verdict",
    "choose",
    "compile_verdicts",
    "evaluate",
    "fallback_message",
    "fallbacks",
    "twin",
    "unavailable_message",
    "unavailable_reason",
    "why_not",
]
