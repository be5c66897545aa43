"""Configuration: ``kl21rules.toml``, else ``[tool.kl21rules]`` in ``pyproject.toml``, searched
upward from the current folder; ``--config FILE`` names one; ``--isolated`` reads none. Unknown
keys are errors that suggest the nearest valid key (a typo must not silently change a verdict).

A configuration that is *found* lives in the folder being checked, so it is untrusted input
(SECURITY.md): it may not name modules to import (``plugins``), and the upward search stops at the
first folder that holds ``.git``, ``kl21rules.toml`` or ``pyproject.toml`` (a repository's root),
so a file above the checkout is never read. Only a file the person running names with
``--config`` may list ``plugins`` (or they use ``-p``)."""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kl21rules.fsutil import os_reason

if TYPE_CHECKING:
    from kl21rules.rules.engine import CompiledRule

KEYS = ("lang", "fail-on", "select", "ignore", "rules", "waivers", "engine", "plugins", "disable",
        "waiver-max-days")
#: The largest ``waiver-max-days`` (two years): however configured, a waiver runs out and is looked at again.
WAIVER_MAX_DAYS_CAP = 730
WAIVER_KEYS = ("rule", "unit", "period", "item", "reason", "approver", "expires")


class ConfigError(Exception):
    """A configuration that cannot be used; carries vi and en messages."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


@dataclass
class WaiverSpec:
    """A waiver (miễn trừ) as configured: which finding, why, who approved, until when."""

    rule: str
    reason: str
    expires: _dt.date
    unit: str | None = None
    period: str | None = None
    item: str | None = None
    approver: str | None = None
    source: str = ""


@dataclass
class Config:
    """The resolved configuration (empty when there is no file)."""

    path: Path | None = None
    lang: str | None = None
    fail_on: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    rule_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    waivers: list[WaiverSpec] = field(default_factory=list)
    engine: str | None = None
    plugins: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    #: how far after the evaluation date a waiver may expire, in days (``None``: one calendar year).
    waiver_max_days: int | None = None

    def unknown_rules(self, known: set[str]) -> list[str]:
        return sorted(r for r in self.rule_params if r not in known)


#: Keys that make kl21rules import code: refused in a configuration that was found by searching.
CODE_KEYS = ("plugins",)


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``kl21rules.toml``, else ``pyproject.toml`` with ``[tool.kl21rules]``, searching
    upward from ``start`` and stopping at the first folder that holds ``.git``, ``kl21rules.toml``
    or ``pyproject.toml`` (with the section or without it)."""
    for folder in (start, *start.parents):
        own = folder / "kl21rules.toml"
        if own.is_file():
            return own, _own_file_section(_read(own), own)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            section = _tool_section(_read(pyproject))
            return (pyproject, section) if section is not None else None
        if (folder / ".git").exists() or own.exists() or pyproject.exists():
            return None
    return None


def _own_file_section(data: dict[str, Any], path: Path) -> Any:
    """The keys of a ``kl21rules.toml`` (or another file named with ``--config``): at the top, or
    all under ``[tool.kl21rules]`` like ``pyproject.toml``, never both — a key next to the table
    (``plugins = [...]`` above ``[tool.kl21rules]``) would otherwise be passed over in silence."""
    tool = data.get("tool")
    if not (isinstance(tool, dict) and "kl21rules" in tool):
        return data
    stray = [k for k in data if k != "tool"] + [f"tool.{k}" for k in tool if k != "kl21rules"]
    if stray:
        raise ConfigError(
            f"{path}: khóa '{stray[0]}' nằm ngoài bảng [tool.kl21rules]; tệp này chỉ được có bảng đó.",
            f"{path}: key '{stray[0]}' is outside the [tool.kl21rules] table; this file may hold only that table.")
    return tool["kl21rules"]


def _tool_section(data: dict[str, Any], default: Any = None) -> Any:
    """``[tool.kl21rules]`` of a TOML document, or ``default`` when it has none."""
    tool = data.get("tool")
    if isinstance(tool, dict) and "kl21rules" in tool:
        return tool["kl21rules"]
    return default


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file to read (start-up: a run outside any project has none)

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"Không đọc được cấu hình '{path}': {os_reason(exc, 'vi')}.",
                          f"Cannot read configuration '{path}': {os_reason(exc, 'en')}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cấu hình '{path}' không đúng cú pháp TOML: {exc}.",
                          f"Configuration '{path}' is not valid TOML: {exc}.") from None


def _suggest(key: str, choices: tuple[str, ...], what: tuple[str, str] = ("khóa", "keys")) -> tuple[str, str]:
    """A "did you mean" hint, else the list of what is valid."""
    near = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    if near:
        return f" Có phải là '{near[0]}'?", f" Did you mean '{near[0]}'?"
    return f" Các {what[0]} hợp lệ: {', '.join(choices)}.", f" Valid {what[1]}: {', '.join(choices)}."


def load_config(explicit: Path | None, cwd: Path, isolated: bool = False) -> Config:
    """Load and check the configuration; raise :class:`ConfigError` on any problem.

    ``explicit`` is a file named by the person running (``--config``): it is trusted and may list
    ``plugins``. Otherwise the configuration is searched for from ``cwd`` and may not; with
    ``isolated`` (``--isolated``) no file is read at all."""
    if explicit is not None and isolated:
        raise ConfigError("--isolated (không đọc cấu hình nào) không dùng cùng --config.",
                          "--isolated (read no configuration) cannot be used with --config.")
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"Không tìm thấy tệp cấu hình '{explicit}'.", f"Configuration file '{explicit}' not found.")
        data = _read(explicit)
        if explicit.name == "pyproject.toml":
            section = _tool_section(data)
            if not isinstance(section, dict):
                # Named on purpose, so an empty result would hide a mistake.
                raise ConfigError(f"'{explicit}' không có bảng [tool.kl21rules].",
                                  f"'{explicit}' has no [tool.kl21rules] table.")
            data = section
        else:
            data = _own_file_section(data, explicit)
        return parse_config(data, explicit, trusted=True)
    if isolated:
        return Config()
    here = cwd.resolve()
    found = find_config(here)
    if found is None:
        return Config()
    path = found[0]
    # Messages name the file as the user would: relative to where they are, when it is below.
    shown = path.relative_to(here) if path.is_relative_to(here) else path
    return parse_config(found[1], shown, trusted=False)


def parse_config(data: dict[str, Any], path: Path | None, trusted: bool = True) -> Config:
    """Check a ``[tool.kl21rules]`` table and build a :class:`Config`. A configuration that is not
    ``trusted`` (found by searching, not named with ``--config``) may not name modules to import."""
    where = str(path) if path else "config"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: [tool.kl21rules] phải là một bảng.", f"{where}: [tool.kl21rules] must be a table.")
    cfg = Config(path=path)
    for key in data:
        if key not in KEYS:
            vi_hint, en_hint = _suggest(key, KEYS)
            raise ConfigError(f"{where}: khóa '{key}' không có.{vi_hint}", f"{where}: unknown key '{key}'.{en_hint}")
        if key in CODE_KEYS and not trusted:
            raise ConfigError(
                f"{where}: khóa '{key}' (nạp mô-đun Python) không được dùng trong cấu hình tìm thấy trong "
                f"thư mục; chỉ dùng được trong tệp nêu bằng --config hoặc bằng tùy chọn -p MODULE.",
                f"{where}: key '{key}' (imports Python modules) is not allowed in a configuration found "
                f"in the folder; only in a file named with --config, or use -p MODULE.")
    if "lang" in data:
        cfg.lang = _choice(data["lang"], ("vi", "en"), "lang", where)
    if "fail-on" in data:
        cfg.fail_on = _choice(data["fail-on"], ("error", "warning", "info"), "fail-on", where)
    if "engine" in data:
        cfg.engine = _choice(data["engine"], ("reference", "durable"), "engine", where)
    if "waiver-max-days" in data:
        days = data["waiver-max-days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= WAIVER_MAX_DAYS_CAP:
            raise ConfigError(
                f"{where}: 'waiver-max-days' phải là số nguyên từ 1 đến {WAIVER_MAX_DAYS_CAP}, không phải {_shown(days)}.",
                f"{where}: 'waiver-max-days' must be a whole number from 1 to {WAIVER_MAX_DAYS_CAP}, not {_shown(days)}.")
        cfg.waiver_max_days = days
    for key in ("select", "ignore", "plugins", "disable"):
        if key in data:
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: '{key}' phải là danh sách chuỗi.", f"{where}: '{key}' must be a list of strings.")
            setattr(cfg, key, list(value))
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise ConfigError(f"{where}: [rules.\"ID\"] phải là bảng tham số.", f"{where}: [rules.\"ID\"] must be tables of parameters.")
    cfg.rule_params = {k: dict(v) for k, v in rules.items()}
    waivers = data.get("waivers", [])
    if not isinstance(waivers, list):
        raise ConfigError(f"{where}: 'waivers' phải là danh sách [[waivers]].", f"{where}: 'waivers' must be an array of tables.")
    cfg.waivers = [parse_waiver(w, f"{where} waivers[{i}]") for i, w in enumerate(waivers)]
    return cfg


def check_against_rules(cfg: Config, rules: Sequence[CompiledRule], packs: Iterable[str]) -> None:
    """Check what the configuration says about rules against the rules that are loaded:
    ``[rules."ID"]`` must name a rule and only its parameters (with values of the default's
    type); ``select``/``ignore`` must each match a rule id, an id prefix or a pack name.
    Raise :class:`ConfigError` (exit code 2) naming what is valid."""
    where = str(cfg.path) if cfg.path else "config"
    by_id = {r.id: r for r in rules}
    for rule_id, params in cfg.rule_params.items():
        rule = by_id.get(rule_id)
        if rule is None:
            near = nearest_rule(rule_id, by_id)
            vi_hint, en_hint = (f" Có phải là '{near}'?", f" Did you mean '{near}'?") if near else ("", "")
            raise ConfigError(f"{where}: [rules.\"{rule_id}\"]: quy tắc không có.{vi_hint}",
                              f"{where}: [rules.\"{rule_id}\"]: unknown rule.{en_hint}")
        declared = rule.spec.params
        for name, value in params.items():
            if name not in declared:
                valid = ", ".join(sorted(declared)) or "—"
                raise ConfigError(
                    f"{where}: quy tắc {rule_id} không có tham số '{name}'; tham số hợp lệ: {valid}.",
                    f"{where}: rule {rule_id} has no parameter '{name}'; valid parameters: {valid}.")
            check_param(declared[name], value, name, rule_id, where)
    check_selectors(cfg.select, "select", rules, packs, where)
    check_selectors(cfg.ignore, "ignore", rules, packs, where)


def check_selectors(tokens: Iterable[str], key: str, rules: Sequence[CompiledRule], packs: Iterable[str], where: str) -> None:
    """Each token of ``--select``/``--ignore`` (or the keys) must match some rule or pack."""
    ids = sorted(r.id for r in rules)
    names = set(packs)
    for token in tokens:
        if token in names or any(i.startswith(token) for i in ids):
            continue
        vi_hint, en_hint = _suggest(token, tuple(ids) + tuple(sorted(names)), what=("quy tắc, gói", "rules, packs"))
        at = f"{where}: " if where else ""
        raise ConfigError(f"{at}{key}: '{token}' không khớp quy tắc hay gói nào.{vi_hint}",
                          f"{at}{key}: '{token}' matches no rule or pack.{en_hint}")


def nearest_rule(token: str, ids: Iterable[str]) -> str | None:
    """The rule id a user most likely meant: same id up to case and zero-padding (``kl21-9`` is
    ``KL21-09``), else the closest spelling."""
    import re

    known = sorted(ids)
    wanted = re.sub(r"(?<=-)([A-Z]?)(\d)$", r"\g<1>0\2", token.strip().upper())
    if wanted in known:
        return wanted
    near = difflib.get_close_matches(token, known, n=1)
    return near[0] if near else None


_TYPE_KIND = {"integer": int, "number": float, "boolean": bool, "text": str}


def check_param(param: Any, value: Any, name: str, rule_id: str, where: str) -> None:
    """A configured value of a rule parameter: of its declared type (else the default's) and
    within its bounds. Raise :class:`ConfigError` saying what is allowed."""
    default = param.default
    declared = getattr(param, "type", None)
    shown = _shown(value)
    if declared == "window":
        _check_window(value, name, rule_id, where)
        return
    like = _TYPE_KIND[declared]() if declared in _TYPE_KIND else default
    if not _same_kind(value, like):
        kind_vi, kind_en = _KIND.get(type(like), (type(like).__name__,) * 2)
        raise ConfigError(
            f"{where}: tham số '{name}' của {rule_id} phải là {kind_vi} (như mặc định {default!r}), không phải {shown}.",
            f"{where}: parameter '{name}' of {rule_id} must be {kind_en} (like its default {default!r}), not {shown}.")
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (
            (low is not None and value < low) or (high is not None and value > high)):
        if low is not None and high is not None:
            vi_range, en_range = f"từ {low} đến {high}", f"from {low} to {high}"
        elif low is not None:
            vi_range, en_range = f"từ {low} trở lên", f"at least {low}"
        else:
            vi_range, en_range = f"không quá {high}", f"at most {high}"
        raise ConfigError(
            f"{where}: tham số '{name}' của {rule_id} phải {vi_range}, không phải {shown}.",
            f"{where}: parameter '{name}' of {rule_id} must be {en_range}, not {shown}.")


def _check_window(value: Any, name: str, rule_id: str, where: str) -> None:
    """A window parameter: a table of two dates ``start`` and ``end``, start on or before end."""
    ok = isinstance(value, dict) and set(value) == {"start", "end"}
    if ok:
        from kl21rules.dates import DateError, parse_date

        try:
            start, end = parse_date(value["start"]), parse_date(value["end"])
            ok = start <= end
        except DateError:
            ok = False
    if not ok:
        raise ConfigError(
            f"{where}: tham số '{name}' của {rule_id} phải là bảng {{start = NGÀY, end = NGÀY}} với start "
            f"không sau end, không phải {_shown(value)}.",
            f"{where}: parameter '{name}' of {rule_id} must be a table {{start = DATE, end = DATE}} with start "
            f"not after end, not {_shown(value)}.")


def _shown(value: Any) -> str:
    """A configured value as a message quotes it, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_KIND = {bool: ("true hoặc false", "true or false"), int: ("số nguyên", "a whole number"),
         float: ("số", "a number"), str: ("chuỗi", "a string"), list: ("danh sách", "a list"),
         dict: ("bảng", "a table")}


def _same_kind(value: Any, default: Any) -> bool:
    """Whether a configured value has the type of the parameter's default (bool is not a number)."""
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _choice(value: Any, options: tuple[str, ...], key: str, where: str) -> str:
    if value not in options:
        raise ConfigError(f"{where}: '{key}' phải là một trong {', '.join(options)}, không phải {value!r}.",
                          f"{where}: '{key}' must be one of {', '.join(options)}, not {value!r}.")
    return str(value)


def parse_waiver(data: Any, where: str) -> WaiverSpec:
    """One waiver: ``rule``, ``reason`` and ``expires`` are required."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: miễn trừ phải là một bảng.", f"{where}: a waiver must be a table.")
    for key in data:
        if key not in WAIVER_KEYS:
            vi_hint, en_hint = _suggest(key, WAIVER_KEYS)
            raise ConfigError(f"{where}: khóa '{key}' không có.{vi_hint}", f"{where}: unknown key '{key}'.{en_hint}")
    for key in ("rule", "unit", "reason", "approver", "expires"):
        value = data.get(key)
        if not value or (isinstance(value, str) and not value.strip()):
            hint_vi = hint_en = ""
            if key == "unit":
                hint_vi = " (mã đơn vị, hoặc unit = \"*\" nếu miễn trừ cho mọi đơn vị)"
                hint_en = ' (a unit id, or unit = "*" for a waiver that covers every unit)'
            raise ConfigError(f"{where}: miễn trừ phải có '{key}' không để trống{hint_vi}.",
                              f"{where}: a waiver needs a non-blank '{key}'{hint_en}.")
    expires = data["expires"]
    if isinstance(expires, str):
        from kl21rules.dates import DateError, parse_date

        try:
            expires = parse_date(expires)
        except DateError as exc:
            raise ConfigError(f"{where}: expires: {exc.vi}", f"{where}: expires: {exc.en}") from None
    if isinstance(expires, _dt.datetime) or not isinstance(expires, _dt.date):
        raise ConfigError(f"{where}: 'expires' phải là một ngày.", f"{where}: 'expires' must be a date.")
    for key in ("rule", "reason", "unit", "period", "item", "approver"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{where}: '{key}' phải là chuỗi.", f"{where}: '{key}' must be a string.")
    unit = data["unit"].strip()
    return WaiverSpec(
        rule=data["rule"], reason=data["reason"], expires=expires, unit=None if unit == "*" else data["unit"],
        period=data.get("period"), item=data.get("item"), approver=data.get("approver"), source=where,
    )


def waiver_ceiling(evaluation: _dt.date, max_days: int | None) -> _dt.date:
    """The latest expiry a waiver may give: one calendar year after the evaluation date (29/2 gives
    28/2), or ``max_days`` after it (``waiver-max-days``, at most :data:`WAIVER_MAX_DAYS_CAP`)."""
    from kl21rules.dates import add_days

    if max_days is not None:
        return add_days(evaluation, min(max_days, WAIVER_MAX_DAYS_CAP))
    if evaluation.year >= _dt.MAXYEAR:
        return _dt.date.max
    try:
        return evaluation.replace(year=evaluation.year + 1)
    except ValueError:  # 29 February
        return evaluation.replace(year=evaluation.year + 1, day=28)


def check_waiver_expiry(waivers: Iterable[WaiverSpec], evaluation: _dt.date, max_days: int | None) -> None:
    """Refuse a waiver that expires later than :func:`waiver_ceiling` of the run's evaluation date
    (``--as-of``, else today): an exception is granted for a while and looked at again, never for ever."""
    ceiling = waiver_ceiling(evaluation, max_days)
    limit_vi = f"{max_days} ngày" if max_days is not None else "một năm"
    limit_en = f"{max_days} days" if max_days is not None else "one year"
    for w in waivers:
        if w.expires > ceiling:
            raise ConfigError(
                f"{w.source}: miễn trừ hết hạn {w.expires.isoformat()}, quá {limit_vi} sau ngày xét "
                f"{evaluation.isoformat()} (muộn nhất {ceiling.isoformat()}; 'waiver-max-days' trong cấu hình, "
                f"tối đa {WAIVER_MAX_DAYS_CAP}).",
                f"{w.source}: the waiver expires on {w.expires.isoformat()}, more than {limit_en} after the "
                f"evaluation date {evaluation.isoformat()} (latest {ceiling.isoformat()}; 'waiver-max-days' in the "
                f"configuration, at most {WAIVER_MAX_DAYS_CAP}).")
