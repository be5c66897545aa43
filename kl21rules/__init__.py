"""kl21rules: a compliance checker for units' reports on Kế hoạch 40-KH/ĐUK (Kết luận 21-KL/TW).

The public API is what this module lists; everything else may change. Pack authors need
:data:`hookimpl`, :class:`PackInfo`, :class:`PythonRule`, the rule model, and :mod:`kl21rules.testing`.
"""

from kl21rules._version import __version__
from kl21rules.findings import Finding
from kl21rules.hookspecs import hookimpl
from kl21rules.packs import PackInfo, PythonRule
from kl21rules.rules.engine import Context, Msg
from kl21rules.rules.model import RuleSpec, Text
from kl21rules.submission import Activity, Submission

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
