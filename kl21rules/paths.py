"""Where the built-in data files are: the rulesets, their cases and the plan's clause table.

In a source checkout (and an editable install) they live in the repository's top-level
``rulesets/`` folder, as the design card lays it out; the wheel maps that folder into the package
as ``kl21rules/rulesets/`` (``[tool.setuptools.package-dir]`` in ``pyproject.toml``). The folder
inside the package wins when it is there, so an installed wheel never reads a checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _rulesets_dir() -> Path:
    inside = PACKAGE_DIR / "rulesets"
    if (inside / "plan_clauses.yaml").is_file():
        return inside
    return PACKAGE_DIR.parent / "rulesets"


#: The built-in ruleset files (``NAME.yaml``), their cases (``cases/NAME.yaml``) and
#: ``plan_clauses.yaml``.
RULESETS_DIR = _rulesets_dir()
#: The plan's words per clause.
PLAN_CLAUSES_FILE = RULESETS_DIR / "plan_clauses.yaml"
