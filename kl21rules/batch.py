"""Batches: many files checked one by one (streamed), in one process or several.

:func:`stream_check` gives a :class:`~kl21rules.report.Report` whose ``files`` is a one-shot
:class:`FileStream`: each file is checked, its waivers applied and its totals counted as the
renderer asks for it, then it can be dropped, so memory does not grow with the number of files.
With ``jobs > 1`` the files are checked in a process pool (``imap``: results come back in the
order given, so the output is byte for byte that of ``jobs=1``); each worker loads the packs once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kl21rules._version import __version__
from kl21rules.check import CheckOptions, check_bytes, check_target, iter_paths, read_target, selected
from kl21rules.diagnostics import InputError
from kl21rules.packs import Registry
from kl21rules.report import FileReport, Notice, Report, RuleInfo, Tally

if TYPE_CHECKING:
    from kl21rules.config import Config

#: (label, path, bytes read beforehand): standard input is read by the parent, files by whoever checks them.
Task = tuple[str, "Path | None", "bytes | None"]


def registry_args(plugins: Sequence[str] = (), cfg: Config | None = None) -> tuple[list[str], list[str]]:
    """(disabled packs, extra modules) from ``-p`` values and the configuration, as the CLI loads them."""
    disabled, extra = [], []
    for v in plugins or ():
        if v.startswith("no:"):
            disabled.append(v[3:])
        else:
            extra.append(v)
    if cfg is not None:
        disabled += list(cfg.disable)
        extra += list(cfg.plugins)
    return disabled, extra


def effective_jobs(jobs: int, files: int) -> int:
    """Processes to use: ``0`` is one per core; never more than there are files."""
    if jobs == 0:
        try:
            jobs = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            jobs = os.cpu_count() or 1
    return max(1, min(jobs, files))


def _tasks(targets: Sequence[str]) -> list[Task]:
    tasks: list[Task] = []
    for label, path in iter_paths(targets):
        tasks.append((label, path, None))
    return tasks


def _check_task(task: Task, registry: Registry, options: CheckOptions, rules: Sequence[Any]) -> FileReport:
    label, path, raw = task
    if path is not None:
        return check_target(label, path, registry, options, rules)
    if raw is None:
        report = FileReport(label)
        report.errors.append(InputError("unreadable", "", None, "Không đọc được đầu vào chuẩn (stdin).",
                                        "Cannot read standard input."))
        return report
    return check_bytes(label, raw, registry, options, rules)


# One worker's packs and options, loaded once by the pool's initializer.
_WORKER: dict[str, Any] = {}


def _init_worker(disabled: list[str], extra: list[str], options: CheckOptions) -> None:
    from kl21rules.packs import load_registry

    registry = load_registry(disabled, extra)
    _WORKER.update(registry=registry, options=options,
                   rules=selected(registry.rules, options.select, options.ignore))


def _work(task: Task) -> FileReport:
    return _check_task(task, _WORKER["registry"], _WORKER["options"], _WORKER["rules"])


class FileStream:
    """The files of a run, checked as they are asked for; can be gone through once.

    Keeps the run's :class:`~kl21rules.report.Tally` and, when the last file has been given,
    appends the waivers' notices to ``problems``.
    """

    def __init__(
        self,
        tasks: list[Task],
        registry: Registry,
        options: CheckOptions,
        *,
        jobs: int = 1,
        worker_args: tuple[list[str], list[str]] = ([], []),
        waivers: Any = None,
        problems: list[Notice] | None = None,
        on_file: Callable[[FileReport], None] | None = None,
    ) -> None:
        self.tasks = tasks
        self.registry = registry
        self.options = options
        self.jobs = effective_jobs(jobs, len(tasks))
        self.worker_args = worker_args
        self.waivers = waivers
        self.problems = problems if problems is not None else []
        self.on_file = on_file
        self.tally = Tally()
        self._used = False

    def __len__(self) -> int:
        return len(self.tasks)

    def __iter__(self) -> Iterator[FileReport]:
        if self._used:
            raise RuntimeError("a FileStream can be gone through only once")
        self._used = True
        return self._run()

    def _checked(self) -> Iterator[FileReport]:
        tasks = [self._read_stdin(t) for t in self.tasks]
        if self.jobs <= 1:
            rules = selected(self.registry.rules, self.options.select, self.options.ignore)
            for task in tasks:
                yield _check_task(task, self.registry, self.options, rules)
            return
        import multiprocessing

        disabled, extra = self.worker_args
        # Chunks keep inter-process traffic low; small enough that every worker gets several.
        chunk = max(1, min(32, len(tasks) // (self.jobs * 4)))
        with multiprocessing.Pool(self.jobs, _init_worker, (disabled, extra, self.options)) as pool:
            yield from pool.imap(_work, tasks, chunksize=chunk)

    @staticmethod
    def _read_stdin(task: Task) -> Task:
        """Standard input is read here, so a worker never needs it (it would not have it)."""
        label, path, _ = task
        if path is not None:
            return task
        return (label, None, read_target(label, None)[0])

    def _run(self) -> Iterator[FileReport]:
        for file in self._checked():
            if self.waivers:
                self.waivers.apply(file)
            self.tally.add(file)
            if self.on_file is not None:
                self.on_file(file)
            yield file
        if self.waivers:
            self.problems.extend(self.waivers.notices())


def stream_check(
    targets: Sequence[str],
    registry: Registry,
    options: CheckOptions,
    *,
    jobs: int = 1,
    plugins: Sequence[str] = (),
    cfg: Config | None = None,
    waivers: Sequence[Any] = (),
    on_file: Callable[[FileReport], None] | None = None,
) -> Report:
    """A report whose files are checked as a renderer goes through them (see the module's doc).

    ``waivers`` are :class:`~kl21rules.config.WaiverSpec` (the configuration's are added).
    """
    report = Report(__version__, registry.versions(), options.as_of)
    report.rules = [RuleInfo.of(r) for r in selected(registry.rules, options.select, options.ignore)]
    all_waivers = list(cfg.waivers if cfg is not None else ()) + list(waivers)
    book = None
    if all_waivers:
        from kl21rules.waivers import WaiverBook

        book = WaiverBook(all_waivers, options.today)
    tasks: list[Task] = []
    for target in targets:
        found = _tasks([target])
        if not found and target != "-" and Path(target).is_dir():
            # Nothing to check is worth saying: a CI job pointed at the wrong folder would pass.
            report.problems.append(Notice(
                "no-files", None,
                f"Thư mục '{target}' không có tệp báo cáo nào (.json, .yaml, .yml).",
                f"Folder '{target}' holds no submission file (.json, .yaml, .yml).",
            ))
        tasks.extend(found)
    report.files = FileStream(
        tasks, registry, options, jobs=jobs, worker_args=registry_args(plugins, cfg),
        waivers=book, problems=report.problems, on_file=on_file,
    )
    return report


def run_check(
    targets: Sequence[str],
    registry: Registry,
    options: CheckOptions,
    jobs: int = 1,
    plugins: Sequence[str] = (),
    cfg: Config | None = None,
    waivers: Sequence[Any] = (),
) -> Report:
    """Check every target and assemble the whole report in memory (files in the order given, then by path)."""
    report = stream_check(targets, registry, options, jobs=jobs, plugins=plugins, cfg=cfg, waivers=waivers)
    stream = report.files
    report.files = list(stream)
    return report

