"""Finding, loading and isolating rule packs (pluggy plugins).

Built-in packs are ordinary entry points of the ``kl21rules`` distribution, found and loaded by the
same code as a pack installed from anywhere else, and disabled the same way (``-p no:NAME``).
Each step of loading a pack (import, registration, each hook, its rulesets, its Python rules) is
isolated: a failure becomes a :class:`PackError` naming the pack, its distribution and version,
and the other packs still load. What isolation covers:

* an exception of any kind at import, including ``SystemExit`` (a pack that calls ``sys.exit``);
* a hook implementation with a wrong signature (pluggy refuses it at registration), an
  implementation of a hook that does not exist (``kl21rules_foo``: pluggy's ``check_pending``),
  a hook that raises or returns the wrong shape (a single path instead of a list, ...);
* ruleset files that are missing, are not YAML, break the rule model or hold a filter with an
  unknown operator (the error names file, line and field);
* a rule id another pack already owns: the first owner keeps it, and built-in packs are loaded
  before any other, so an installed pack can never take over a built-in rule;
* Python rules without metadata, activity types that are not activity models or clash, output
  formats that would replace a built-in one;
* anything a pack prints while it is imported or called goes to standard error, never into a
  report written on standard output.

A Python rule's judge is wrapped so that an exception of any kind inside it (``SystemExit``
too), or a result that is not a list of findings, becomes an ``error`` finding naming the rule.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata as md
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date as _dt_date
from pathlib import Path
from typing import Any

import pluggy
from pydantic import ValidationError

from kl21rules.diagnostics import escape_pointer_token
from kl21rules.findings import Finding
from kl21rules.hookspecs import PROJECT, PackSpec
from kl21rules.interrupt import Interrupted
from kl21rules.rules.engine import CompiledRule, Context, Judge, compile_rule
from kl21rules.rules.filters import FilterError, compile_where
from kl21rules.rules.model import RuleSpec, RulesetFile, Text

BUILTIN_ORIGIN = "built-in"


@dataclass(frozen=True)
class PackInfo:
    """What a pack says about itself (hook ``kl21rules_pack``)."""

    name: str
    title: Text
    version: str = ""


@dataclass(frozen=True)
class PythonRule:
    """A rule judged by Python. ``spec`` may be omitted when a ruleset of the same pack declares
    the rule with ``obligation: {kind: python}`` (its metadata then lives with the other rules)."""

    id: str
    judge: Judge
    spec: RuleSpec | None = None


@dataclass(frozen=True)
class PackError:
    """A pack, ruleset or rule that could not be loaded. It is reported; other packs still run."""

    pack: str
    origin: str
    version: str
    stage: str
    message: str
    file: str | None = None
    line: int | None = None
    #: the message in Vietnamese, where one is written (else ``message`` is shown in both languages)
    message_vi: str | None = None

    def describe(self, lang: str = "vi") -> str:
        """One line naming the pack, its origin and version, the stage, the problem and the place."""
        where = ""
        if self.file:
            where = f" [{self.file}{':' + str(self.line) if self.line else ''}]"
        version = f" {self.version}" if self.version else ""
        if lang == "en":
            return f"pack '{self.pack}' ({self.origin}{version}) failed at {self.stage}: {self.message}{where}"
        return (f"gói '{self.pack}' ({self.origin}{version}) lỗi khi {_STAGE_VI.get(self.stage, self.stage)}: "
                f"{self.message_vi or self.message}{where}")


_STAGE_VI = {
    "import": "nạp mô-đun",
    "register": "đăng ký",
    "ruleset": "đọc tệp quy tắc",
    "rule": "biên dịch quy tắc",
    "hook": "gọi hook",
}


@dataclass
class Pack:
    """A loaded pack and what it contributed."""

    name: str
    origin: str
    version: str
    title: Text | None = None
    rules: list[CompiledRule] = field(default_factory=list)
    case_files: list[Path] = field(default_factory=list)
    activity_types: list[type] = field(default_factory=list)
    formats: dict[str, Callable[..., Any]] = field(default_factory=dict)
    ok: bool = True
    #: ``id()`` of the specs among this pack's rules that a cache entry records as already checked
    #: against the built-in vocabulary (:func:`_check_rules` skips them when no pack adds types).
    linted: set[int] = field(default_factory=set, repr=False, compare=False)

    def error(self, stage: str, message: str, file: str | None = None, line: int | None = None,
              message_vi: str | None = None) -> PackError:
        """A :class:`PackError` of this pack (and mark the pack as not loaded cleanly)."""
        self.ok = False
        return PackError(self.name, self.origin, self.version, stage, message, file, line, message_vi)


@dataclass
class Registry:
    """Every enabled pack, its rules (sorted by id) and the errors met while loading."""

    packs: list[Pack]
    errors: list[PackError]

    @property
    def rules(self) -> list[CompiledRule]:
        out = [r for p in self.packs for r in p.rules]
        out.sort(key=lambda r: r.id)
        return out

    def rule(self, rule_id: str) -> CompiledRule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    @property
    def activity_types(self) -> tuple[type, ...]:
        return tuple(t for p in self.packs for t in p.activity_types)

    @property
    def formats(self) -> dict[str, Callable[..., Any]]:
        out: dict[str, Callable[..., Any]] = {}
        for p in self.packs:
            out.update(p.formats)
        return out

    def versions(self) -> dict[str, str]:
        return {p.name: p.version for p in sorted(self.packs, key=lambda p: p.name)}


Candidate = tuple[str, Callable[[], Any], str, str]


def _plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(PackSpec)
    return pm


def discover() -> list[Candidate]:
    """Entry points of group ``kl21rules``: (name, loader, origin, version).

    ``origin`` is ``built-in`` for the packs of this distribution, else the distribution's name.
    Built-in packs come first, then the others, each sorted by name: the first pack to declare a
    rule id owns it, so an installed pack can never replace a built-in rule.
    """
    found = []
    # A distribution's name and version are read from its METADATA, parsed anew at each look-up:
    # once per distribution, not twice per entry point (the built-in packs are six of one).
    named: dict[int, tuple[Any, str, str]] = {}
    for ep in md.entry_points(group=PROJECT):
        dist = ep.dist
        if dist is None:
            dist_name, version = "?", ""
        else:
            known = named.get(id(dist))
            if known is None or known[0] is not dist:
                known = named[id(dist)] = (dist, dist.name, dist.version)
            dist_name, version = known[1], known[2]
        origin = BUILTIN_ORIGIN if dist_name == PROJECT else dist_name
        found.append((ep.name, ep.load, origin, version))
    # A distribution installed twice (editable and not) shows its entry points twice.
    unique: dict[str, Candidate] = {}
    for item in found:
        unique.setdefault(item[0], item)
    return sorted(unique.values(), key=lambda t: (t[2] != BUILTIN_ORIGIN, t[0]))


class _PackOptionProblem(Exception):
    """A ``-p`` value that cannot name a pack; its message is shown as it is (vi and en)."""

    def __init__(self, en: str, vi: str) -> None:
        super().__init__(en)
        self.vi = vi


def _is_pathlike(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith(".py") or value in (".", "..")


def _path_module(value: str) -> tuple[str, Path]:
    """``-p PATH``: the module name and the folder to import it from, for a ``.py`` file, a
    package's ``__init__.py`` or a package folder."""
    path = Path(value).expanduser()
    if not path.exists():
        raise _PackOptionProblem(f"-p {value}: no such file or folder", f"-p {value}: không có tệp hoặc thư mục này")
    path = path.resolve()
    if path.is_dir():
        if not (path / "__init__.py").is_file():
            raise _PackOptionProblem(f"-p {value}: the folder is not a Python package (no __init__.py); give the "
                                     f"package's folder, its __init__.py or a module's .py file",
                                     f"-p {value}: thư mục không phải gói Python (không có __init__.py); hãy nêu "
                                     f"thư mục của gói, tệp __init__.py của nó hoặc tệp .py của một mô-đun")
        package = path
    elif path.name == "__init__.py":
        package = path.parent
    elif path.suffix == ".py":
        if not path.stem.isidentifier():
            raise _PackOptionProblem(f"-p {value}: '{path.stem}' is not a Python module name",
                                     f"-p {value}: '{path.stem}' không phải là tên mô-đun Python")
        return path.stem, path.parent
    else:
        raise _PackOptionProblem(f"-p {value}: give a module name, a package folder or a .py file",
                                 f"-p {value}: hãy nêu tên mô-đun, thư mục của gói hoặc một tệp .py")
    if not package.name.isidentifier():
        raise _PackOptionProblem(f"-p {value}: the folder '{package.name}' is not a Python package name",
                                 f"-p {value}: tên thư mục '{package.name}' không phải là tên gói Python")
    return package.name, package.parent


def _import_from(module: str, folder: Path) -> Any:
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    loaded = sys.modules.get(module)
    origin = getattr(loaded, "__file__", None) if loaded is not None else None
    if origin is not None and not Path(origin).resolve().is_relative_to(folder):
        raise _PackOptionProblem(f"-p {folder / module}: a module named '{module}' is already loaded from {origin}",
                                 f"-p {folder / module}: đã nạp một mô-đun tên '{module}' từ {origin}")
    return importlib.import_module(module)


def _module_name(value: str) -> str:
    """The module a ``-p`` value names (a path's module, or the value itself)."""
    if _is_pathlike(value):
        try:
            return _path_module(value)[0]
        except _PackOptionProblem:
            return value
    return value


def _module_candidate(module: str) -> Candidate:
    """A ``-p MODULE`` pack: origin ``-p``, version of the distribution holding it if any.
    ``MODULE`` may also be a path: a ``.py`` file, a package folder or its ``__init__.py``."""
    if _is_pathlike(module):
        value = module

        def load_path() -> Any:
            name, folder = _path_module(value)
            return _import_from(name, folder)

        return (_module_name(module), load_path, "-p", "")
    version = ""
    top = module.split(".")[0]
    try:
        dists = md.packages_distributions().get(top) or []
        if dists:
            version = md.version(dists[0])
    except Exception:  # noqa: BLE001 - broken metadata of some other distribution: no version
        version = ""

    def load_module() -> Any:
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module.split(".")[0] or not Path(module).exists():
                raise
        name, folder = _path_module(module)  # a folder of the current one, named like a module
        return _import_from(name, folder)

    return (module, load_module, "-p", version)


@contextlib.contextmanager
def _pack_code() -> Iterator[None]:
    """Run a pack's code: what it prints goes to standard error, never into a report on stdout."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def debug_enabled() -> bool:
    """``--debug`` or ``KL21RULES_DEBUG=1``: tracebacks of failing packs and rules on stderr."""
    import os

    return os.environ.get("KL21RULES_DEBUG", "") not in ("", "0")


def print_traceback(what: str, exc: BaseException) -> None:
    """The traceback of ``exc`` on standard error, under a line saying what failed (debug only)."""
    import traceback

    sys.stderr.write(f"kl21rules: traceback of {what} (KL21RULES_DEBUG):\n")
    sys.stderr.write("".join(traceback.format_exception(exc)))
    sys.stderr.flush()


def _describe_exc(exc: BaseException) -> str:
    if isinstance(exc, _PackOptionProblem):
        return str(exc)
    if isinstance(exc, SystemExit):
        return f"SystemExit({exc.code!r}): the pack tried to end the program"
    return f"{type(exc).__name__}: {exc}"


def load_registry(
    disabled: Iterable[str] = (),
    extra_modules: Iterable[str] = (),
    entry_points: list[Candidate] | None = None,
) -> Registry:
    """Load every pack found (less ``disabled``) plus ``extra_modules`` (``-p MODULE``).

    ``entry_points`` replaces discovery (tests give their own): (name, loader, origin, version).
    Never raises for anything a pack does, except ``KeyboardInterrupt``.
    """
    blocked = set(disabled)
    candidates = list(entry_points if entry_points is not None else discover())
    errors: list[PackError] = []
    extra = [mod for mod in dict.fromkeys(extra_modules) if mod not in blocked]
    if extra:
        installed = _installed_modules({c[0] for c in candidates} - blocked)
        for mod in extra:
            ep = installed.get(_module_name(mod))
            if ep is None:
                candidates.append(_module_candidate(mod))
                continue
            dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "?"
            errors.append(PackError(
                mod, "-p", "", "register",
                f"'{mod}' is pack '{ep.name}', already installed ({dist}) and loaded with the others: leave out "
                f"-p {mod} (-p no:{ep.name} turns the installed pack off)", message_vi=(
                    f"'{mod}' là gói '{ep.name}' đã cài ({dist}) và đã được nạp cùng các gói khác: bỏ -p {mod} "
                    f"(-p no:{ep.name} để tắt gói đã cài)")))
    pm = _plugin_manager()
    packs: list[Pack] = []
    owners: dict[str, str] = {}
    plugin_packs: list[tuple[Any, Pack]] = []
    names = {c[0] for c in candidates} | {m for mod in extra_modules for m in (mod, _module_name(mod))}
    for name, load, origin, version in candidates:
        if name in blocked:
            continue
        pack = Pack(name, origin, version)
        try:
            with _pack_code():
                plugin = load()
        except Interrupted:  # a real Ctrl-C; a KeyboardInterrupt raised by the pack is the pack's error
            raise
        except BaseException as exc:  # noqa: BLE001 - a broken pack must not stop the others
            errors.append(pack.error("import", _describe_exc(exc),
                                     message_vi=exc.vi if isinstance(exc, _PackOptionProblem) else None))
            if debug_enabled() and not isinstance(exc, _PackOptionProblem):
                print_traceback(f"pack '{name}' ({origin})", exc)
            continue
        if pm.is_registered(plugin):
            other = pm.get_name(plugin)
            errors.append(pack.error("register", f"'{name}' is the same module or object as pack '{other}', which "
                                                 f"is already loaded: give it once",
                                     message_vi=f"'{name}' chính là gói '{other}' đã được nạp: chỉ nêu một lần"))
            continue
        try:
            pm.register(plugin, name=name)
        except Exception as exc:  # noqa: BLE001 - pluggy refuses a bad hookimpl, a name used twice, ...
            errors.append(pack.error("register", f"{type(exc).__name__}: {exc}"))
            continue
        plugin_packs.append((plugin, pack))
        try:
            _collect(pm, plugin, pack, errors, owners, blocked)
        except Interrupted:  # a real Ctrl-C; a KeyboardInterrupt raised by the pack is the pack's error
            raise
        except BaseException as exc:  # noqa: BLE001 - whatever a pack's data does to us
            errors.append(pack.error("register", _describe_exc(exc)))
            if debug_enabled():
                print_traceback(f"pack '{pack.name}' ({origin})", exc)
            pack.rules = []
        names.add(pack.name)
        if pack.name in blocked:
            continue
        clash = next((p for p in packs if p.name == pack.name), None)
        if clash is not None:
            errors.append(pack.error("register", f"pack name '{pack.name}' is already used by {clash.origin} "
                                                 f"(entry point '{name}'); its rules are not loaded"))
            for rule in pack.rules:
                owners.pop(rule.id, None)
            continue
        packs.append(pack)
    errors.extend(_unknown_hooks(pm, plugin_packs))
    errors.extend(_unknown_disabled(blocked, names))
    _check_rules(packs, errors)
    packs.sort(key=lambda p: p.name)
    return Registry(packs, errors)


def _unknown_hooks(pm: pluggy.PluginManager, plugin_packs: list[tuple[Any, Pack]]) -> list[PackError]:
    """Implementations of hooks that do not exist (``kl21rules_foo``), each naming its pack.

    pluggy's ``check_pending`` stops at the first; the plugin it names is unregistered (its
    contribution is already collected) and the check repeats, so every such pack is reported.
    """
    out: list[PackError] = []
    for _ in range(len(plugin_packs) + 1):
        try:
            pm.check_pending()
            return out
        except pluggy.PluginValidationError as exc:
            pack = next((p for pl, p in plugin_packs if pl is exc.plugin), None)
            if pack is None:
                out.append(PackError("?", "?", "", "register", str(exc)))
                return out
            out.append(pack.error("register", f"{exc} (hooks are named kl21rules_*, see kl21rules.hookspecs)"))
            pm.unregister(exc.plugin)
    return out


def _installed_modules(names: set[str]) -> dict[str, md.EntryPoint]:
    """The module of every installed pack among ``names``: module -> its entry point."""
    out: dict[str, md.EntryPoint] = {}
    try:
        for ep in md.entry_points(group=PROJECT):
            if ep.name in names:
                out.setdefault(ep.module, ep)
    except Exception:  # noqa: BLE001 - broken metadata of some distribution: nothing to compare
        return {}
    return out


def _unknown_disabled(blocked: set[str], names: set[str]) -> list[PackError]:
    """``-p no:NAME`` (or ``disable``) naming no pack: an error with the nearest name."""
    import difflib

    out = []
    for name in sorted(blocked - names):
        near = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.5)
        hint_en = f"; did you mean '{near[0]}'?" if near else ""
        hint_vi = f"; có phải là '{near[0]}'?" if near else ""
        listed = ", ".join(sorted(names)) or "—"
        out.append(PackError(name, "-p", "", "register",
                             f"no:{name}: no pack is named '{name}'{hint_en} (packs: {listed})",
                             message_vi=f"no:{name}: không có gói nào tên '{name}'{hint_vi} (các gói: {listed})"))
    return out


def _check_rules(packs: list[Pack], errors: list[PackError]) -> None:
    """Every loaded rule checked against what it names (:mod:`kl21rules.rules.lint`): activity
    types of every loaded pack, fields of the submission model, the plan's clauses, its declared
    parameters. A rule with a mistake is not loaded; each mistake is an error with file and line.

    When no pack adds activity types, the vocabulary is the built-in one, and a rule whose ruleset
    came from a cache entry that records it as checked against that vocabulary is not checked
    again (the entry's key covers the rule's bytes and the code of these checks)."""
    extra = tuple(t for p in packs for t in p.activity_types)
    if not extra and all(id(rule.spec) in pack.linted for pack in packs for rule in pack.rules):
        return
    from kl21rules.rules.lint import check_spec, locate, vocabulary

    vocab = vocabulary(extra)
    for pack in packs:
        kept = []
        for rule in pack.rules:
            if not extra and id(rule.spec) in pack.linted:
                kept.append(rule)
                continue
            problems = check_spec(rule.spec, vocab)
            if not problems:
                kept.append(rule)
                continue
            for problem in problems:
                file, line = locate(rule.source, rule.id, problem.pointer)
                errors.append(pack.error("rule", f"rule {rule.id}, {problem.pointer}: {problem.en}", file, line,
                                         f"quy tắc {rule.id}, {problem.pointer}: {problem.vi}"))
        pack.rules = kept


# --------------------------------------------------------------------------- hooks


def _call(pm: pluggy.PluginManager, plugin: Any, hook: str, pack: Pack, errors: list[PackError]) -> Any:
    """Call one hook of one pack; an exception becomes a :class:`PackError` and ``None``."""
    caller = getattr(pm.hook, hook)
    for impl in caller.get_hookimpls():
        if impl.plugin is plugin:
            try:
                with _pack_code():
                    return impl.function()
            except Interrupted:
                raise
            except BaseException as exc:  # noqa: BLE001 - SystemExit from a pack included
                errors.append(pack.error("hook", f"{hook}: {_describe_exc(exc)}"))
                if debug_enabled():
                    print_traceback(f"hook {hook} of pack '{pack.name}'", exc)
                return None
    return None


def _listed(value: Any, hook: str, item: Callable[[Any], bool], what: str, pack: Pack,
            errors: list[PackError]) -> list[Any]:
    """A hook's list result, with every item of the wrong kind reported and left out."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        errors.append(pack.error("hook", f"{hook} must return a list of {what}, not {type(value).__name__}"))
        return []
    out = []
    for i, v in enumerate(value):
        if item(v):
            out.append(v)
        else:
            errors.append(pack.error("hook", f"{hook}: item {i} is a {type(v).__name__}, not {what}"))
    return out


def _is_path(v: Any) -> bool:
    return isinstance(v, (str, Path))


def _collect(
    pm: pluggy.PluginManager,
    plugin: Any,
    pack: Pack,
    errors: list[PackError],
    owners: dict[str, str],
    blocked: set[str],
) -> None:
    info = _call(pm, plugin, "kl21rules_pack", pack, errors)
    if info is not None and not isinstance(info, PackInfo):
        errors.append(pack.error("hook", f"kl21rules_pack must return a PackInfo, not {type(info).__name__}"))
    elif isinstance(info, PackInfo):
        if not isinstance(info.name, str) or not info.name:
            errors.append(pack.error("hook", "kl21rules_pack: the pack's name must be a non-empty string"))
        elif info.name != pack.name and info.name in blocked:
            pack.name = info.name
            return
        else:
            pack.name = info.name
        if isinstance(info.title, Text):
            pack.title = info.title
        pack.version = str(info.version or pack.version)
    python_rules = _listed(_call(pm, plugin, "kl21rules_rules", pack, errors), "kl21rules_rules",
                           lambda v: isinstance(v, PythonRule) and callable(v.judge), "PythonRule", pack, errors)
    judges: dict[str, PythonRule] = {}
    for r in python_rules:
        if r.id in judges:
            errors.append(pack.error("rule", f"Python rule {r.id} is given twice"))
            continue
        judges[r.id] = r
    specs: list[tuple[RuleSpec, str]] = []
    paths = _listed(_call(pm, plugin, "kl21rules_rulesets", pack, errors), "kl21rules_rulesets",
                    _is_path, "paths", pack, errors)
    for path in paths:
        loaded, linted = _load_ruleset(Path(path), pack, errors)
        specs.extend(loaded)
        if linted:
            pack.linted.update(id(spec) for spec, _ in loaded)
    for r in python_rules:
        if r.spec is not None:
            spec = r.spec if r.spec.pack == pack.name else r.spec.model_copy(update={"pack": pack.name})
            specs.append((spec, f"{getattr(plugin, '__name__', pack.name)}:{r.id}"))
    used: set[str] = set()
    for spec, source in specs:
        owner = owners.get(spec.id)
        if owner is not None:
            errors.append(pack.error("rule", f"rule id {spec.id} is already owned by pack '{owner}'", file=source))
            continue
        python = judges.get(spec.id)
        if python is not None and spec.obligation.kind != "python":
            errors.append(pack.error("rule", f"{spec.id}: a Python judge is given but the rule's kind is "
                                             f"'{spec.obligation.kind}', not 'python'", file=source))
            continue
        try:
            judge = _guarded(spec.id, python.judge) if python is not None else None
            compiled = compile_rule(spec, judge, source)
        except Exception as exc:  # noqa: BLE001 - FilterError, ValueError, or a pack's odd data
            errors.append(pack.error("rule", f"{spec.id}: {exc}", file=source))
            continue
        used.add(spec.id)
        owners[spec.id] = pack.name
        pack.rules.append(compiled)
    for rule_id in sorted(set(judges) - used - {s.id for s, _ in specs}):
        errors.append(pack.error("rule", f"Python rule {rule_id} has no metadata: give PythonRule.spec or a "
                                         f"ruleset rule {rule_id} with obligation kind 'python'"))
    pack.case_files = [Path(p) for p in _listed(_call(pm, plugin, "kl21rules_rule_cases", pack, errors),
                                                 "kl21rules_rule_cases", _is_path, "paths", pack, errors)]
    pack.activity_types = _activity_types(_call(pm, plugin, "kl21rules_activity_types", pack, errors), pack, errors)
    pack.formats = _formats(_call(pm, plugin, "kl21rules_formats", pack, errors), pack, errors)


#: Seconds a pack's Python rule may take on one file (``--rule-timeout``); 0 or less: no limit.
RULE_TIMEOUT: float = 10.0


class RuleTimeout(BaseException):
    """A pack's rule ran past :data:`RULE_TIMEOUT` (a BaseException: ``except Exception`` in the
    rule does not swallow it)."""


def _limited(judge: Judge, ctx: Context) -> list[Finding]:
    """``judge(ctx)`` as a pack's code runs: what it prints goes to standard error (as
    :func:`_pack_code`), and it is stopped after :data:`RULE_TIMEOUT` seconds (SIGALRM, in the main
    thread of a process: every worker of ``--jobs`` checks its files in its main thread). Python
    code is stopped between two bytecodes; a single long call into C code (a regular expression, a
    C extension) is stopped only when it returns: a documented limitation. Elsewhere (another
    thread, no SIGALRM) no limit.

    Written out rather than as two ``contextlib`` managers, and with the signal module's C
    functions (no conversion of handlers to enums): it runs once per Python rule per file, where
    the managers cost about a third of a built-in rule's time."""
    seconds = RULE_TIMEOUT
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        timer = _timer()
        if seconds <= 0 or timer is None or timer.current_thread() is not timer.main:
            return judge(ctx)

        def on_alarm(_signum: int, _frame: Any) -> None:
            raise RuleTimeout(seconds)

        previous = timer.signal(timer.SIGALRM, on_alarm)
        timer.setitimer(timer.ITIMER_REAL, seconds)
        try:
            return judge(ctx)
        finally:
            timer.setitimer(timer.ITIMER_REAL, 0)
            timer.signal(timer.SIGALRM, previous)
    finally:
        sys.stdout = saved


@dataclass(frozen=True)
class _Timer:
    """What :func:`_limited` needs of ``signal`` and ``threading``, looked up once."""

    signal: Callable[[int, Any], Any]
    setitimer: Callable[[int, float], Any]
    SIGALRM: int
    ITIMER_REAL: int
    current_thread: Callable[[], Any]
    main: Any


_TIMER: list[_Timer | None] = []


def _timer() -> _Timer | None:
    """The signal functions for a time limit, or None where there is no SIGALRM (Windows)."""
    if not _TIMER:
        import signal
        import threading

        if not hasattr(signal, "setitimer"):
            _TIMER.append(None)
        else:
            try:  # the C function signal.signal wraps (converting handlers to enums and back)
                raw = importlib.import_module("_signal").signal
            except (ImportError, AttributeError):
                raw = signal.signal
            _TIMER.append(_Timer(raw, signal.setitimer, int(signal.SIGALRM), int(signal.ITIMER_REAL),
                                 threading.current_thread, threading.main_thread()))
    return _TIMER[0]


def _guarded(rule_id: str, judge: Judge) -> Judge:
    """A pack's judge that cannot end the program, print into the report, or return garbage."""

    def guarded(ctx: Context) -> list[Finding]:
        try:
            result = _limited(judge, ctx)
        except Interrupted:
            raise  # a real Ctrl-C or SIGTERM stops the run
        except RuleTimeout:
            raise RuntimeError(f"{rule_id}: chạy quá {RULE_TIMEOUT:g} giây nên bị dừng / ran longer than "
                               f"{RULE_TIMEOUT:g} s and was stopped (--rule-timeout)") from None
        except Exception:
            raise  # the engine turns it into an error finding with the place it was raised
        except BaseException as exc:  # SystemExit, KeyboardInterrupt, GeneratorExit: not the rule's to decide
            raise RuntimeError(f"{rule_id}: {_describe_exc(exc)}") from exc
        if not isinstance(result, list) or not all(isinstance(f, Finding) for f in result):
            raise TypeError(f"{rule_id}: the judge must return a list of Finding (made by ctx.finding), "
                            f"not {type(result).__name__}")
        return result

    # functools.wraps' attribute, set by hand (mypy does not know it on a function: attr-defined)
    guarded.__wrapped__ = judge  # type: ignore[attr-defined]
    guarded.__doc__ = judge.__doc__
    return guarded


def _activity_types(value: Any, pack: Pack, errors: list[PackError]) -> list[type]:
    from kl21rules.submission import BUILTIN_ACTIVITY_TYPES, Activity, activity_type_name

    taken = {activity_type_name(t) for t in BUILTIN_ACTIVITY_TYPES}
    out: list[type] = []
    for t in _listed(value, "kl21rules_activity_types", lambda v: isinstance(v, type) and issubclass(v, Activity),
                     "Activity subclasses", pack, errors):
        try:
            name = activity_type_name(t)
        except Exception as exc:  # noqa: BLE001 - a model whose type tag is not one Literal string
            errors.append(pack.error("hook", f"kl21rules_activity_types: {exc}"))
            continue
        if name in taken:
            errors.append(pack.error("hook", f"kl21rules_activity_types: activity type '{name}' already exists"))
            continue
        taken.add(name)
        out.append(t)
    return out


def _formats(value: Any, pack: Pack, errors: list[PackError]) -> dict[str, Callable[..., Any]]:
    from kl21rules.output import BUILTIN

    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(pack.error("hook", f"kl21rules_formats must return a dict, not {type(value).__name__}"))
        return {}
    out = {}
    for name, render in value.items():
        if not isinstance(name, str) or not callable(render):
            errors.append(pack.error("hook", f"kl21rules_formats: {name!r} must map a name to a function"))
        elif name in BUILTIN:
            errors.append(pack.error("hook", f"kl21rules_formats: '{name}' is a built-in format and cannot be replaced"))
        else:
            out[name] = render
    return out


# --------------------------------------------------------------------------- ruleset files


# The rules of a ruleset file are kept in the user's cache directory, so that a run does not parse
# YAML (with line tracking) and check every filter each time it starts. An entry holds *data only*:
# the JSON of each rule's mapping as read from the file (dates tagged), never pickle or code. On
# reading, every rule is validated again by the same model as a ruleset file (a few milliseconds)
# and its filters are checked, so the worst a planted or damaged entry can do is be ignored: the
# file is then loaded again and the entry rewritten. An entry is used only for the very same
# bytes, path and pack, read by the very same code: its key holds the file's content, kl21rules'
# version, the sources of every module that decides what a valid rule is (a changed module in a
# development tree is a new key), and the Python and pydantic versions; the entry repeats its key.
# Only files that loaded with no problem at all are stored, so a ruleset error is never hidden.
# An entry is read only from a directory and a file that no other user can write, and a relative
# cache directory (one that would lie inside whatever folder kl21rules is started in) is not used.

_CACHE_FORMAT = "kl21rules-ruleset-cache/3"
_CACHE_SUFFIX = ".json"
#: A tagged date in a cache entry (JSON has no dates; YAML rulesets do).
_DATE_TAG = "$date"
#: An entry larger than this is not read (the built-in rulesets' largest is about 20 kB).
_CACHE_MAX_BYTES = 4 * 1024 * 1024
#: Modules whose code decides what a ruleset file yields (relative to the package), and what the
#: checks of :mod:`kl21rules.rules.lint` find in its rules against the built-in vocabulary (an entry
#: records whether they found nothing); the plan's clause table is part of the key too.
_CACHE_SOURCES = ("packs.py", "loader.py", "validate.py", "diagnostics.py", "dates.py",
                  "rules/model.py", "rules/filters.py", "_version.py",
                  "rules/lint.py", "submission.py", "vocab.py", "paths.py")
_code_fingerprint: bytes | None = None

#: One rule as loaded from a ruleset file: its spec, its source (``file:line``) and its mapping.
LoadedRule = tuple[RuleSpec, str, dict[str, Any]]


def cache_dir() -> Path | None:
    """Where ruleset caches live: ``$KL21RULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/kl21rules``, else
    ``~/.cache/kl21rules``; ``None`` (no cache) when ``KL21RULES_NO_CACHE`` is set, no home, or the
    directory given is relative (it would follow whatever folder kl21rules is started in)."""
    import os

    if os.environ.get("KL21RULES_NO_CACHE"):
        return None
    explicit = os.environ.get("KL21RULES_CACHE_DIR")
    if explicit:
        return Path(explicit) if os.path.isabs(explicit) else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "kl21rules"
    try:
        return Path.home() / ".cache" / "kl21rules"
    except (RuntimeError, KeyError, OSError):
        return None


def _fingerprint() -> bytes:
    """A digest of the code that turns a ruleset file into rules, and of its run time."""
    global _code_fingerprint
    if _code_fingerprint is None:
        import hashlib

        import pydantic_core

        h = hashlib.sha256(_CACHE_FORMAT.encode())
        h.update(f"{sys.version}|{pydantic_core.__version__}".encode())
        here = Path(__file__).parent
        from kl21rules.paths import PLAN_CLAUSES_FILE

        for rel, file in [*((rel, here / rel) for rel in _CACHE_SOURCES), ("plan_clauses", PLAN_CLAUSES_FILE)]:
            try:
                h.update(rel.encode() + b"\0" + file.read_bytes() + b"\0")
            except OSError:
                h.update(rel.encode() + b"\0?\0")
        _code_fingerprint = h.digest()
    return _code_fingerprint


def _cache_key(raw: bytes, path: Path, pack: Pack) -> str:
    import hashlib

    h = hashlib.sha256(_fingerprint())
    for part in (str(path).encode("utf-8", "surrogateescape"), pack.name.encode("utf-8", "surrogateescape"), raw):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def _cache_file(key: str) -> Path | None:
    directory = cache_dir()
    return None if directory is None else directory / f"ruleset-{key}{_CACHE_SUFFIX}"


class _Uncacheable(Exception):
    """A value a cache entry cannot hold exactly (the file is then simply not cached)."""


def _to_json(value: Any) -> Any:
    """Rule data as JSON values: mappings with text keys, lists, text, whole and finite numbers,
    booleans, null, and dates (tagged). Anything else is :class:`_Uncacheable`."""
    kind = type(value)
    if kind is dict:
        if _DATE_TAG in value or not all(type(k) is str for k in value):
            raise _Uncacheable
        return {k: _to_json(v) for k, v in value.items()}
    if kind is list:
        return [_to_json(v) for v in value]
    if value is None or kind in (str, int, bool):
        return value
    if kind is float:
        import math

        if math.isfinite(value):
            return value
    if kind is _dt_date:
        return {_DATE_TAG: value.isoformat()}
    raise _Uncacheable


def _from_json_object(pairs: dict[str, Any]) -> Any:
    if _DATE_TAG in pairs:
        text = pairs[_DATE_TAG]
        if len(pairs) != 1 or type(text) is not str:
            raise ValueError("malformed date in a cache entry")
        return _dt_date.fromisoformat(text)
    return pairs


def _cache_read(file: Path | None, key: str, path: Path, pack: Pack) -> tuple[list[LoadedRule], bool] | None:
    """The stored rules, validated again, and whether the entry records them as free of
    :mod:`kl21rules.rules.lint`'s problems against the built-in vocabulary; or ``None`` when there
    is no usable entry (missing, damaged, planted, foreign): the caller then loads the file itself."""
    if file is None or not _private(file.parent) or not _private(file):
        return None
    import json

    try:
        with file.open("rb") as handle:
            raw = handle.read(_CACHE_MAX_BYTES + 1)
        if len(raw) > _CACHE_MAX_BYTES:
            return None
        data = json.loads(raw, object_hook=_from_json_object)
        if not (type(data) is dict and data.get("format") == _CACHE_FORMAT and data.get("key") == key
                and type(data.get("rules")) is list):
            return None
        out: list[LoadedRule] = []
        for item in data["rules"]:
            if not (type(item) is list and len(item) == 2 and type(item[0]) is dict and type(item[1]) is str):
                return None
            rule, source = item
            line = source[len(str(path)) + 1:] if source.startswith(f"{path}:") else None
            if source != str(path) and not (line and line.isascii() and line.isdigit()):
                return None
            spec = RuleSpec.model_validate(rule)
            if spec.pack != pack.name or not _filters_ok(rule):
                return None
            out.append((spec, source, rule))
        return out, data.get("lint") is True
    except Exception:  # noqa: BLE001 - unreadable, not JSON, not valid rules: load the file instead
        return None


def _private(path: Path) -> bool:
    """Whether only the current user can have written ``path``: an entry in a directory or file
    that others may write is never read (on systems with owners)."""
    import os

    getuid = getattr(os, "getuid", None)
    try:
        st = path.stat()
    except OSError:
        return False
    if getuid is None:
        return True
    return st.st_uid == getuid() and not st.st_mode & 0o022


def _lint_clean(rules: list[LoadedRule]) -> bool:
    """Whether :mod:`kl21rules.rules.lint` finds no problem in any of ``rules`` against the
    built-in vocabulary (the activity types of the submission model, no pack's)."""
    try:
        from kl21rules.rules.lint import check_spec, vocabulary

        vocab = vocabulary(())
        return not any(check_spec(spec, vocab) for spec, _, _ in rules)
    except Exception:  # noqa: BLE001 - whatever goes wrong here, the rules are checked at each run
        return False


def _cache_write(file: Path | None, key: str, rules: list[LoadedRule]) -> bool:
    """Store the rules' data through a temporary file and a rename, with whether they are free
    of lint problems against the built-in vocabulary (returned); any failure just means no cache."""
    if file is None:
        return False
    import json
    import os
    import tempfile

    linted = _lint_clean(rules)
    try:
        entry = {"format": _CACHE_FORMAT, "key": key, "lint": linted,
                 "rules": [[_to_json(data), source] for _, source, data in rules]}
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".ruleset-", suffix=".tmp", dir=file.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _cache_prune(file.parent)
    except Exception:  # noqa: BLE001 - read-only home, full disk, odd data: run without a cache
        return False
    return linted


_CACHE_KEEP = 64  # entries kept: a pack author editing a ruleset makes a new one at every edit


def _cache_prune(directory: Path) -> None:
    """Remove all but the most recently written entries (only ever called after a write), and
    the entries of the old format (pickles, never read again)."""
    entries = []
    for entry in directory.glob("ruleset-*.pickle"):
        with contextlib.suppress(OSError):
            entry.unlink()
    for entry in directory.glob(f"ruleset-*{_CACHE_SUFFIX}"):
        with contextlib.suppress(OSError):
            entries.append((entry.stat().st_mtime, entry.name, entry))
    entries.sort(reverse=True)
    for _, _, entry in entries[_CACHE_KEEP:]:
        with contextlib.suppress(OSError):
            entry.unlink()


def load_ruleset(path: Path, pack: Pack, errors: list[PackError]) -> list[tuple[RuleSpec, str]]:
    """Read one ruleset file; every problem becomes a :class:`PackError` with file and line.

    A file that loaded cleanly before (same bytes, path, pack and code) comes from the cache."""
    return _load_ruleset(path, pack, errors)[0]


def _load_ruleset(path: Path, pack: Pack, errors: list[PackError]) -> tuple[list[tuple[RuleSpec, str]], bool]:
    """:func:`load_ruleset`, and whether its rules are known to be free of lint problems against
    the built-in vocabulary (from the cache entry, or found while writing it)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        errors.append(pack.error("ruleset", f"cannot read: {exc.strerror or exc}", str(path), None))
        return [], False
    key = _cache_key(raw, path, pack) if cache_dir() is not None else ""
    cache = _cache_file(key) if key else None
    cached = _cache_read(cache, key, path, pack)
    if cached is not None:
        rules, linted = cached
        return [(spec, source) for spec, source, _ in rules], linted
    before = len(errors)
    out = _parse_ruleset(raw, path, pack, errors)
    linted = False
    if len(errors) == before:
        linted = _cache_write(cache, key, out)
    return [(spec, source) for spec, source, _ in out], linted


def _parse_ruleset(raw: bytes, path: Path, pack: Pack, errors: list[PackError]) -> list[LoadedRule]:
    from kl21rules.loader import load_bytes
    from kl21rules.validate import _pointer_for

    def fail(message: str, line: int | None = None) -> None:
        errors.append(pack.error("ruleset", message, str(path), line))

    document, problems = load_bytes(raw, "yaml")
    if document is None:
        for p in problems:
            fail(p.en, p.line)
        return []
    try:
        ruleset = RulesetFile.model_validate(document.data)
    except ValidationError as exc:
        for e in exc.errors(include_url=False):
            pointer = _pointer_for(document.data, e["loc"])
            fail(f"{pointer or '/'}: {e['msg']}", document.line_of(pointer))
        return []
    if ruleset.pack != pack.name:
        fail(f"ruleset says pack '{ruleset.pack}' but is loaded by pack '{pack.name}'", document.line_of("/pack"))
    out = []
    for i, raw_rule in enumerate(ruleset.rules):
        rid = raw_rule.get("id", f"#{i}")
        data = {**raw_rule, "pack": pack.name}
        try:
            spec = RuleSpec.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                pointer = f"/rules/{i}" + _pointer_for(raw_rule, e["loc"])
                fail(f"rule {rid}, {pointer}: {e['msg']}", document.line_of(pointer))
            continue
        bad = _filter_problems_in(raw_rule, f"/rules/{i}")
        for pointer, message in bad:
            fail(f"rule {rid}, {pointer}: {message}", document.line_of(pointer))
        if bad:
            continue
        line = document.line_of(f"/rules/{i}")
        out.append((spec, f"{path}:{line}" if line else str(path), data))
    return out


def _filter_problems_in(node: Any, pointer: str) -> list[tuple[str, str]]:
    """Every filter of a rule as written (``where``, ``applies_to.unit``), checked key by key so
    that an error points at the field and operator at fault (not only at the rule)."""
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{pointer}/{escape_pointer_token(key)}"
            if key == "where" or (key == "unit" and pointer.endswith("/applies_to")):
                out.extend(_filter_problems(value, here))
            else:
                out.extend(_filter_problems_in(value, here))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_filter_problems_in(value, f"{pointer}/{i}"))
    return out


def _filters_ok(node: Any, under_applies_to: bool = False) -> bool:
    """Whether :func:`_filter_problems_in` finds nothing in ``node``: the same walk, stopping at
    the first problem and building no pointers (a cache entry's rules are checked at each start)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "where" or (key == "unit" and under_applies_to):
                if _filter_problems(value, ""):
                    return False
            elif not _filters_ok(value, key == "applies_to"):
                return False
    elif isinstance(node, list):
        for value in node:
            if not _filters_ok(value):
                return False
    return True


def _filter_problems(where: Any, pointer: str) -> list[tuple[str, str]]:
    if where is None:
        return []
    if not isinstance(where, dict):
        return [(pointer, "a filter is a mapping of field to condition")]
    out: list[tuple[str, str]] = []
    for key, cond in where.items():
        here = f"{pointer}/{escape_pointer_token(key)}"
        if key in ("any", "all"):
            if not isinstance(cond, list) or not cond:
                out.append((here, f"'{key}' needs a non-empty list of filters"))
                continue
            for i, sub in enumerate(cond):
                out.extend(_filter_problems(sub, f"{here}/{i}"))
        elif key == "not":
            out.extend(_filter_problems(cond, here))
        elif isinstance(cond, dict) and cond:
            for op, arg in cond.items():
                try:
                    compile_where({key: {op: arg}}, key)
                except FilterError as exc:
                    out.append((f"{here}/{escape_pointer_token(op)}", str(exc)))
        else:
            try:
                compile_where({key: cond}, key)
            except FilterError as exc:
                out.append((here, str(exc)))
    return out
