"""Configuration: ``kl21rules.toml``, else ``[tool.kl21rules]`` in ``pyproject.toml``, searched
upward from the current folder; ``--config FILE`` names one. Unknown keys are errors that suggest
the nearest valid key (a typo must not silently change a verdict)."""

from __future__ import annotations

import datetime as _dt
import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEYS = ("lang", "fail-on", "select", "ignore", "rules", "waivers", "engine", "plugins", "disable")
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

    def unknown_rules(self, known: set[str]) -> list[str]:
        return sorted(r for r in self.rule_params if r not in known)


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``kl21rules.toml`` or ``pyproject.toml`` with ``[tool.kl21rules]``."""
    for folder in (start, *start.parents):
        own = folder / "kl21rules.toml"
        if own.is_file():
            data = _read(own)
            return own, data.get("tool", {}).get("kl21rules", data)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read(pyproject)
            section = data.get("tool", {}).get("kl21rules")
            if section is not None:
                return pyproject, section
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"Không đọc được cấu hình '{path}': {exc.strerror}.",
                          f"Cannot read configuration '{path}': {exc.strerror}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cấu hình '{path}' không đúng cú pháp TOML: {exc}.",
                          f"Configuration '{path}' is not valid TOML: {exc}.") from None


def _suggest(key: str, choices: tuple[str, ...]) -> tuple[str, str]:
    near = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    if near:
        return f" Có phải là '{near[0]}'?", f" Did you mean '{near[0]}'?"
    return f" Các khóa hợp lệ: {', '.join(choices)}.", f" Valid keys: {', '.join(choices)}."


def load_config(explicit: Path | None, cwd: Path) -> Config:
    """Load and check the configuration; raise :class:`ConfigError` on any problem."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"Không tìm thấy tệp cấu hình '{explicit}'.", f"Configuration file '{explicit}' not found.")
        data = _read(explicit)
        if explicit.name == "pyproject.toml" or "tool" in data:
            data = data.get("tool", {}).get("kl21rules", {})
        return parse_config(data, explicit)
    found = find_config(cwd.resolve())
    if found is None:
        return Config()
    return parse_config(found[1], found[0])


def parse_config(data: dict[str, Any], path: Path | None) -> Config:
    """Check a ``[tool.kl21rules]`` table and build a :class:`Config`."""
    where = str(path) if path else "config"
    cfg = Config(path=path)
    for key, value in data.items():
        if key not in KEYS:
            vi_hint, en_hint = _suggest(key, KEYS)
            raise ConfigError(f"{where}: khóa '{key}' không có.{vi_hint}", f"{where}: unknown key '{key}'.{en_hint}")
    if "lang" in data:
        cfg.lang = _choice(data["lang"], ("vi", "en"), "lang", where)
    if "fail-on" in data:
        cfg.fail_on = _choice(data["fail-on"], ("error", "warning", "info"), "fail-on", where)
    if "engine" in data:
        cfg.engine = _choice(data["engine"], ("reference", "durable"), "engine", where)
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
    for key in ("rule", "reason", "expires"):
        if not data.get(key):
            raise ConfigError(f"{where}: miễn trừ phải có '{key}'.", f"{where}: a waiver needs '{key}'.")
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
    return WaiverSpec(
        rule=data["rule"], reason=data["reason"], expires=expires, unit=data.get("unit"),
        period=data.get("period"), item=data.get("item"), approver=data.get("approver"), source=where,
    )
