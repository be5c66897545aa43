"""Batches: many files checked one by one (streamed), in one process or several."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kl21rules._version import __version__
from kl21rules.check import CheckOptions, check_target, iter_paths, selected
from kl21rules.packs import Registry
from kl21rules.report import Report


def run_check(
    targets: Sequence[str],
    registry: Registry,
    options: CheckOptions,
    jobs: int = 1,
    plugins: Sequence[str] = (),
    cfg: Any = None,
) -> Report:
    """Check every target and assemble the report (files in the order given, then by path)."""
    report = Report(__version__, registry.versions(), options.as_of)
    rules = selected(registry.rules, options.select, options.ignore)
    for label, path in iter_paths(targets):
        report.files.append(check_target(label, path, registry, options, rules))
    if cfg is not None and cfg.waivers:
        from kl21rules.waivers import apply_waivers

        report.problems.extend(apply_waivers(report, cfg.waivers, options.today))
    return report
