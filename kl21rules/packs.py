"""Finding, loading and isolating rule packs (pluggy plugins).

Built-in packs are ordinary entry points of the ``kl21rules`` distribution, found and loaded by the
same code as a pack installed from anywhere else, and disabled the same way (``-p no:NAME``).
Each step of loading a pack (import, registration, its rulesets, its Python rules) is isolated:
a failure becomes a :class:`PackError` naming the pack, its distribution and version, and the
other packs still load.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
from pydantic import ValidationError

from kl21rules.hookspecs import PROJECT, PackSpec
from kl21rules.rules.engine import CompiledRule, Judge, compile_rule
from kl21rules.rules.filters import FilterError
from kl21rules.rules.model import RuleSpec, RulesetFile, Text


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

    def describe(self, lang: str = "vi") -> str:
        where = ""
        if self.file:
            where = f" [{self.file}{':' + str(self.line) if self.line else ''}]"
        if lang == "en":
            return f"pack '{self.pack}' ({self.origin} {self.version}) failed at {self.stage}: {self.message}{where}"
        return f"gói '{self.pack}' ({self.origin} {self.version}) lỗi khi {_STAGE_VI.get(self.stage, self.stage)}: {self.message}{where}"


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


def _plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(PackSpec)
    return pm


def discover() -> list[tuple[str, Callable[[], Any], str, str]]:
    """Entry points of group ``kl21rules``: (name, loader, origin, version), sorted by name.

    ``origin`` is ``built-in`` for the packs of this distribution, else the distribution's name.
    """
    found = []
    for ep in md.entry_points(group=PROJECT):
        dist = ep.dist
        dist_name = dist.name if dist is not None else "?"
        version = dist.version if dist is not None else ""
        origin = "built-in" if dist_name == PROJECT else dist_name
        found.append((ep.name, ep.load, origin, version))
    # A distribution installed twice (editable and not) shows its entry points twice.
    unique: dict[str, tuple[str, Callable[[], Any], str, str]] = {}
    for item in found:
        unique.setdefault(item[0], item)
    return sorted(unique.values(), key=lambda t: t[0])


def load_registry(
    disabled: Iterable[str] = (),
    extra_modules: Iterable[str] = (),
    entry_points: list[tuple[str, Callable[[], Any], str, str]] | None = None,
) -> Registry:
    """Load every pack found (less ``disabled``) plus ``extra_modules`` (``-p MODULE``)."""
    blocked = set(disabled)
    candidates = list(entry_points if entry_points is not None else discover())
    for mod in extra_modules:
        candidates.append((mod, lambda mod=mod: importlib.import_module(mod), "-p", ""))
    pm = _plugin_manager()
    packs: list[Pack] = []
    errors: list[PackError] = []
    owners: dict[str, str] = {}
    for name, load, origin, version in candidates:
        if name in blocked:
            continue
        pack = Pack(name, origin, version)
        try:
            plugin = load()
        except BaseException as exc:  # noqa: BLE001 - a broken pack must not stop the others
            if isinstance(exc, KeyboardInterrupt):
                raise
            errors.append(PackError(name, origin, version, "import", f"{type(exc).__name__}: {exc}"))
            continue
        try:
            pm.register(plugin, name=name)
        except Exception as exc:
            errors.append(PackError(name, origin, version, "register", f"{type(exc).__name__}: {exc}"))
            continue
        _collect(pm, plugin, pack, errors, owners, blocked)
        if pack.name in blocked:
            continue
        packs.append(pack)
    try:
        pm.check_pending()
    except Exception as exc:  # an implementation of a hook that does not exist
        errors.append(PackError("?", "?", "", "register", str(exc)))
    packs.sort(key=lambda p: p.name)
    return Registry(packs, errors)


def _call(pm: pluggy.PluginManager, plugin: Any, hook: str, pack: Pack, errors: list[PackError]) -> Any:
    caller = getattr(pm.hook, hook)
    for impl in caller.get_hookimpls():
        if impl.plugin is plugin:
            try:
                return impl.function()
            except Exception as exc:
                errors.append(PackError(pack.name, pack.origin, pack.version, "hook",
                                        f"{hook}: {type(exc).__name__}: {exc}"))
                pack.ok = False
                return None
    return None


def _collect(
    pm: pluggy.PluginManager,
    plugin: Any,
    pack: Pack,
    errors: list[PackError],
    owners: dict[str, str],
    blocked: set[str],
) -> None:
    info = _call(pm, plugin, "kl21rules_pack", pack, errors)
    if isinstance(info, PackInfo):
        if info.name != pack.name and info.name in blocked:
            pack.name = info.name
            return
        pack.name = info.name or pack.name
        pack.title = info.title
        pack.version = info.version or pack.version
    python_rules: list[PythonRule] = list(_call(pm, plugin, "kl21rules_rules", pack, errors) or [])
    judges = {r.id: r for r in python_rules}
    specs: list[tuple[RuleSpec, str]] = []
    for path in _call(pm, plugin, "kl21rules_rulesets", pack, errors) or []:
        specs.extend(load_ruleset(Path(path), pack, errors))
    for r in python_rules:
        if r.spec is not None:
            specs.append((r.spec, f"{getattr(plugin, '__name__', pack.name)}:{r.id}"))
    for spec, source in specs:
        owner = owners.get(spec.id)
        if owner is not None:
            errors.append(PackError(pack.name, pack.origin, pack.version, "rule",
                                    f"rule id {spec.id} is already owned by pack '{owner}'", file=source))
            continue
        try:
            judge = judges[spec.id].judge if spec.id in judges else None
            compiled = compile_rule(spec, judge, source)
        except (ValueError, FilterError) as exc:
            errors.append(PackError(pack.name, pack.origin, pack.version, "rule", f"{spec.id}: {exc}", file=source))
            continue
        owners[spec.id] = pack.name
        pack.rules.append(compiled)
    pack.case_files = [Path(p) for p in (_call(pm, plugin, "kl21rules_rule_cases", pack, errors) or [])]
    pack.activity_types = list(_call(pm, plugin, "kl21rules_activity_types", pack, errors) or [])
    pack.formats = dict(_call(pm, plugin, "kl21rules_formats", pack, errors) or {})


def load_ruleset(path: Path, pack: Pack, errors: list[PackError]) -> list[tuple[RuleSpec, str]]:
    """Read one ruleset file; every problem becomes a :class:`PackError` with file and line."""
    from kl21rules.loader import load_bytes
    from kl21rules.validate import _pointer_for

    def fail(message: str, line: int | None = None) -> None:
        errors.append(PackError(pack.name, pack.origin, pack.version, "ruleset", message, str(path), line))

    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read: {exc.strerror}")
        return []
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
        data = {**raw_rule, "pack": pack.name} if isinstance(raw_rule, dict) else raw_rule
        try:
            spec = RuleSpec.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                pointer = f"/rules/{i}" + _pointer_for(raw_rule, e["loc"])
                rid = raw_rule.get("id", f"#{i}") if isinstance(raw_rule, dict) else f"#{i}"
                fail(f"rule {rid}, {pointer}: {e['msg']}", document.line_of(pointer))
            continue
        line = document.line_of(f"/rules/{i}")
        out.append((spec, f"{path}:{line}" if line else str(path)))
    return out
