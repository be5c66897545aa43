"""kl21rules: a compliance checker for units' reports on Kế hoạch 40-KH/ĐUK (Kết luận 21-KL/TW).

The public API is what this module lists; everything else may change. Pack authors need
:data:`hookimpl`, :class:`PackInfo`, :class:`PythonRule`, the rule model, and :mod:`kl21rules.testing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kl21rules._version import __version__

if TYPE_CHECKING:
    from kl21rules.findings import Finding
    from kl21rules.hookspecs import hookimpl
    from kl21rules.packs import PackInfo, PythonRule
    from kl21rules.rules.engine import Context, Msg
    from kl21rules.rules.model import RuleSpec, Text
    from kl21rules.submission import Activity, Submission

# Imported on first use (PEP 562), so that ``import kl21rules.cli`` (``--help``, ``version``) does
# not load the engine, the models and the packs before a command needs them.
_LAZY = {
    "Activity": "kl21rules.submission",
    "Context": "kl21rules.rules.engine",
    "Finding": "kl21rules.findings",
    "Msg": "kl21rules.rules.engine",
    "PackInfo": "kl21rules.packs",
    "PythonRule": "kl21rules.packs",
    "RuleSpec": "kl21rules.rules.model",
    "Submission": "kl21rules.submission",
    "Text": "kl21rules.rules.model",
    "hookimpl": "kl21rules.hookspecs",
}

__all__ = [
    "Activity",
    "Context",
    "Finding",
    "Msg",
    "PackInfo",
    "PythonRule",
    "RuleSpec",
    "Submission",
    "Text",
    "__version__",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kl21rules' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
