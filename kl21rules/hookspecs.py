"""The hooks a rule pack implements. One name everywhere: project ``kl21rules``, entry-point group
``kl21rules``, hooks ``kl21rules_*``.

A pack is a module (or object) registered under the entry-point group ``kl21rules``::

    [project.entry-points.kl21rules]
    mypack = "mypack.plugin"

Every hook is optional; hooks only ever gain optional parameters. Each hook returns the pack's
whole contribution at once (a batch), so the core calls each pack once per hook.

What a pack can count on (and cannot do): a hook that raises, returns the wrong shape or is
misnamed (``kl21rules_rulset``) is reported with the pack's name, distribution and version, and
the other packs still run; built-in packs are loaded first, so a rule id they own stays theirs;
anything a pack prints goes to standard error; a Python rule's judge that raises (even
``SystemExit``) or returns anything but a list of findings gives one ``error`` finding naming it.
Start a pack with ``kl21rules new-pack NAME``; its YAML rule cases (``cases/*.yaml``) run as tests
under pytest (:mod:`kl21rules.pytest_plugin`, :mod:`kl21rules.testing`); the rule language is
``docs/rule-language.md``; rules are checked against the submission model and the plan when they
load (:mod:`kl21rules.rules.lint`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from kl21rules.packs import PackInfo, PythonRule
    from kl21rules.submission import Activity

PROJECT = "kl21rules"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class PackSpec:
    """Hook specifications for kl21rules packs."""

    # A hookspec declares a signature only: pluggy never runs its body (empty-body).

    @hookspec
    def kl21rules_pack(self) -> PackInfo:  # type: ignore[empty-body]
        """The pack's metadata: its name (the one ``-p no:NAME`` disables), title and version."""

    @hookspec
    def kl21rules_rulesets(self) -> list[Path]:  # type: ignore[empty-body]
        """Ruleset files (YAML) of the pack. Each holds ``pack:`` and ``rules:`` (see
        :class:`kl21rules.rules.model.RuleSpec`); they are data only and never run code."""

    @hookspec
    def kl21rules_rules(self) -> list[PythonRule]:  # type: ignore[empty-body]
        """Python rules: for what a ruleset cannot say. A :class:`~kl21rules.packs.PythonRule`
        either carries its own :class:`RuleSpec` or judges a ruleset rule of ``kind: python``
        with the same id."""

    @hookspec
    def kl21rules_rule_cases(self) -> list[Path]:  # type: ignore[empty-body]
        """YAML rule-case files (see :mod:`kl21rules.testing`): the pack's tests, and the
        examples ``kl21rules explain`` shows."""

    @hookspec
    def kl21rules_activity_types(self) -> list[type[Activity]]:  # type: ignore[empty-body]
        """Extra activity types (subclasses of :class:`kl21rules.Activity` whose ``type`` is a
        ``Literal`` of one new name). They may not redefine a built-in type."""

    @hookspec
    def kl21rules_formats(self) -> dict[str, Callable[..., Any]]:  # type: ignore[empty-body]
        """Extra output formats: name -> ``render(report, lang) -> str``."""
