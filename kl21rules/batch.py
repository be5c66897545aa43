"""Batches: many files checked one by one (streamed), in one process or several.

:func:`stream_check` gives a :class:`~kl21rules.report.Report` whose ``files`` is a one-shot
:class:`FileStream`: each file is checked, its waivers applied and its totals counted as the
renderer asks for it, then it can be dropped, so memory does not grow with the number of files.
With ``jobs > 1`` the files are checked in a process pool (``imap``: results come back in the
order given, so the output is byte for byte that of ``jobs=1``); each worker has the packs and the
waivers once, applies a file's waivers and, when an output format asks through
:meth:`FileStream.render_each`, renders the file's part of the report, so that the parent only
receives text and small totals to add up and write. Folders are walked lazily, one directory
at a time, so no list of the run's files is ever built.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kl21rules._version import __version__
from kl21rules.check import (
    CheckOptions,
    check_bytes,
    check_target,
    count_paths,
    iter_paths,
    read_target,
    selected,
)
from kl21rules.diagnostics import InputError
from kl21rules.packs import Registry
from kl21rules.report import FileReport, Notice, Report, RuleInfo, Tally
from kl21rules.rules.model import SEVERITY_RANK, STATUSES

if TYPE_CHECKING:
    from kl21rules.config import Config, WaiverSpec
    from kl21rules.waivers import WaiverBook

#: (label, path or the reason it cannot be read, bytes read beforehand, index of the target it
#: came from, found by walking a folder): standard input is read by the parent, files by whoever
#: checks them.
Task = tuple[str, "str | Path | InputError | None", "bytes | None", int, bool]


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


def _is_folder(target: str) -> bool:
    return target != "-" and os.path.isdir(target)


def _tasks(targets: Sequence[str]) -> Iterator[Task]:
    """The tasks of a run, lazily (a folder's files are listed one directory at a time)."""
    for index, target in enumerate(targets):
        walked = _is_folder(target)
        for label, path in iter_paths([target]):
            yield (label, path, None, index, walked)


def _check_task(task: Task, registry: Registry, options: CheckOptions, rules: Sequence[Any]) -> FileReport:
    label, path, raw, _, walked = task
    if path is not None:
        return check_target(label, path, registry, options, rules, walked=walked)
    if raw is None:
        report = FileReport(label)
        report.errors.append(InputError("unreadable", "", None, "Không đọc được đầu vào chuẩn (stdin).",
                                        "Cannot read standard input."))
        return report
    return check_bytes(label, raw, registry, options, rules)


#: What one file's part of a format is rendered by: ``render(file, *args)``, a function of a
#: module (so that it can be sent to a worker process by name).
PartRenderer = Callable[..., Any]
#: One file's totals, small enough to send between processes: (unit id or None, input errors,
#: ((rule, status, count), ...), waived, rule errors, worst fail rank, ((severity, fails not
#: waived), ...)). See :func:`file_totals`.
FileTotals = tuple[Any, int, tuple[tuple[str, str, int], ...], int, int, int, tuple[tuple[str, int], ...]]
#: Which waivers one file used: ((index in the book, findings waived, findings matched past expiry), ...).
WaiverHits = tuple[tuple[int, int, int], ...]


def file_totals(file: FileReport) -> FileTotals:
    """One file's contribution to a :class:`~kl21rules.report.Tally`: what ``Tally.add`` counts
    (tests/test_batch.py holds them equal), without building a ``Tally`` for each file."""
    unit = file.unit.get("id") if file.unit else None
    per_rule: dict[str, dict[str, int]] = {}
    waived = rule_errors = 0
    worst_fail = -1
    fails: dict[str, int] = {}
    for finding in file.findings:
        status = finding.status
        row = per_rule.get(finding.rule)
        if row is None:
            row = per_rule[finding.rule] = {}
        row[status] = row.get(status, 0) + 1
        if finding.waived is not None:
            waived += 1
        if status == "error":
            rule_errors += 1
        elif status == "fail" and finding.waived is None:
            worst_fail = max(worst_fail, SEVERITY_RANK[finding.severity])
            fails[finding.severity] = fails.get(finding.severity, 0) + 1
    rows = tuple((rule, status, row[status]) for rule, row in per_rule.items() for status in STATUSES if status in row)
    # in a tally's order (error, warning, info: the severities SEVERITY_RANK knows)
    ordered = tuple((severity, fails[severity]) for severity in _FAIL_ORDER if severity in fails)
    return (unit or None, len(file.errors), rows, waived, rule_errors, worst_fail, ordered)


_FAIL_ORDER = tuple(Tally().fails)


def add_totals(tally: Tally, totals: FileTotals) -> None:
    """Add one file's totals (from :func:`file_totals`) to a run's tally: the same as ``tally.add(file)``."""
    unit, input_errors, rows, waived, rule_errors, worst_fail, fails = totals
    tally.files += 1
    if unit is not None:
        tally.units.add(unit)
    tally.input_errors += input_errors
    for rule, status, n in rows:
        tally.counts[status] += n
        row = tally.per_rule.get(rule)
        if row is None:
            row = tally.per_rule[rule] = dict.fromkeys(STATUSES, 0)
        row[status] += n
    tally.waived += waived
    tally.rule_errors += rule_errors
    tally.worst_fail = max(tally.worst_fail, worst_fail)
    for severity, n in fails:
        tally.fails[severity] = tally.fails.get(severity, 0) + n


class DistinctIds:
    """The distinct unit ids of a run, counted exactly in a small part of a set's memory.

    A set of 100,000 unit ids is about 10 MB, the larger part of what a big batch kept; here ids
    gather in a small set, which every :attr:`BATCH` ids is sorted and packed into one bytes
    object, each id written as the length of the prefix it shares with the one before it and the
    rest (front coding: ``KCQ.SYT.000001`` after ``KCQ.SYT.000000`` takes 3 bytes), and
    :meth:`__len__` merges the packed runs to count. 100,000 generated ids take about 0.5 MB
    (2 MB when each was written whole). Only ``add`` and ``len`` are offered: all the summary needs.
    """

    BATCH = 1024

    def __init__(self) -> None:
        self._recent: set[str] = set()
        self._runs: list[bytes] = []
        self._count: int | None = None

    def add(self, unit_id: str) -> None:
        """Note a unit id (seen before or not)."""
        if unit_id in self._recent:
            return
        self._recent.add(unit_id)
        self._count = None
        if len(self._recent) >= self.BATCH:
            self._runs.append(self._pack(self._recent))
            self._recent = set()

    @staticmethod
    def _pack(ids: set[str]) -> bytes:
        out = bytearray()
        prev = b""
        for unit_id in sorted(ids):
            # surrogatepass: a JSON string may hold a lone surrogate (\ud800), still an id.
            data = unit_id.encode("utf-8", "surrogatepass")
            shared, most = 0, min(len(prev), len(data))
            while shared < most and prev[shared] == data[shared]:
                shared += 1
            _varint(shared, out)
            _varint(len(data) - shared, out)
            out += data[shared:]
            prev = data
        return bytes(out)

    @staticmethod
    def _unpack(run: bytes) -> Iterator[str]:
        at, end = 0, len(run)
        prev = b""
        while at < end:
            shared, at = _read_varint(run, at)
            size, at = _read_varint(run, at)
            prev = prev[:shared] + run[at:at + size]
            at += size
            yield prev.decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        if self._count is None:
            import heapq

            count, last = 0, None
            runs = [self._unpack(r) for r in self._runs] + [iter(sorted(self._recent))]
            for unit_id in heapq.merge(*runs):
                if unit_id != last:
                    count += 1
                    last = unit_id
            self._count = count
        return self._count


def _varint(n: int, out: bytearray) -> None:
    """``n`` (≥ 0) in 7-bit groups, low first, the high bit set on all but the last byte."""
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    """The number :func:`_varint` wrote at ``at``, and where the next thing starts."""
    n = shift = 0
    while True:
        byte = data[at]
        at += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, at
        shift += 7


def _apply_waivers(book: WaiverBook | None, file: FileReport) -> WaiverHits:
    """Apply the waivers to one file; say which of them it used (for the parent's book)."""
    if not book:
        return ()
    before = [(st.applied, st.expired_hits) for st in book.states]
    book.apply(file)
    return tuple((i, st.applied - a, st.expired_hits - e)
                 for i, (st, (a, e)) in enumerate(zip(book.states, before, strict=True))
                 if st.applied != a or st.expired_hits != e)


#: The process pools of runs under way (see :func:`abandon`).
LIVE_POOLS: set[Any] = set()


def abandon(pool: Any) -> None:
    """End a pool's workers at once (SIGKILL) without waiting on the pool's queues.

    ``Pool.terminate`` puts to a queue whose lock a worker killed mid-write (a Ctrl-C or SIGTERM
    sent to the whole process group) never releases: an interrupted run then hung. The workers
    are killed, the pool's own clean-up is cancelled and its threads (daemons) are left to end
    with the process.
    """
    from multiprocessing.pool import TERMINATE

    LIVE_POOLS.discard(pool)
    _quiet_pool_threads()
    handler = getattr(pool, "_worker_handler", None)
    if handler is not None:
        handler._state = TERMINATE  # no new worker in place of a killed one
    for _ in range(2):  # a worker started just before the handler stopped is killed the second time
        for worker in list(getattr(pool, "_pool", ())):
            try:
                worker.kill()
            except (OSError, ValueError, AttributeError):
                pass
    finalizer = getattr(pool, "_terminate", None)
    if finalizer is not None and hasattr(finalizer, "cancel"):
        finalizer.cancel()
    for worker in list(getattr(pool, "_pool", ())):
        try:
            worker.join(1)
        except (OSError, ValueError, AssertionError, AttributeError):
            pass


def _quiet_pool_threads() -> None:
    """The threads of an abandoned pool may still write to a dead worker's pipe: that broken pipe
    is expected, not a traceback for the user."""
    import threading

    previous = threading.excepthook
    if getattr(previous, "kl21rules_quiet", False):
        return

    def hook(args: Any) -> None:
        name = getattr(args.thread, "name", "") or ""
        if "_handle_" in name and issubclass(args.exc_type, (OSError, EOFError, ValueError)):
            return
        previous(args)

    hook.kl21rules_quiet = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def abandon_all() -> None:
    """:func:`abandon` every pool still running (the script does it when interrupted)."""
    for pool in list(LIVE_POOLS):
        abandon(pool)


def _pool_class() -> Any:
    """``multiprocessing.Pool`` whose worker-minding thread sleeps while results come in.

    The standard pool's thread that replaces dead workers also waits on the results' pipe, so
    while a result waits there for the thread that reads it (always, with chunks of rendered
    reports) it wakes again and again: about 90 µs of the parent's CPU per file, 5% of a file's
    check (--jobs 2 over 4,000 files: 0.37 s of the parent's 0.97). It is woken by what it acts
    on alone: a worker that ended, and the pool's own notices (closed, terminated, all done).
    """
    import multiprocessing.pool

    class Pool(multiprocessing.pool.Pool):
        def _get_sentinels(self) -> list[Any]:
            notifier = getattr(self, "_change_notifier", None)
            reader = getattr(notifier, "_reader", None)
            if reader is None:  # another Python's pool: keep what it waits on
                found: list[Any] = super()._get_sentinels()  # type: ignore[misc]
                return found
            return [reader]

    return Pool


def _start_context() -> Any:
    """How workers are started: forked on Linux, whatever Python's default (it becomes
    ``forkserver`` in Python 3.14), so that each worker starts with the packs already loaded;
    a worker started afresh (``spawn``) imports kl21rules and loads the packs again, about 0.3 s of
    CPU each (--jobs 2 on two files: the workers 0.15 s forked, 0.68 s spawned). Elsewhere
    (macOS, Windows) the platform's default, as forking is not safe there."""
    import multiprocessing

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


# One worker's packs, options, waivers and renderer, set up once by the pool's initializer.
_WORKER: dict[str, Any] = {}


def _init_worker(disabled: list[str], extra: list[str], options: CheckOptions, waivers: list[WaiverSpec],
                 render: PartRenderer | None, render_args: tuple[Any, ...]) -> None:
    from kl21rules.interrupt import in_worker

    in_worker()  # Ctrl-C and SIGTERM are the parent's to handle: it ends the pool
    from kl21rules import packs

    packs.RULE_TIMEOUT = options.rule_timeout  # a worker not forked does not have the parent's
    registry = _WORKER.pop("forked_from", None)
    if registry is None:  # a worker not forked from the parent (spawn start method, or replaced)
        from kl21rules.packs import load_registry

        registry = load_registry(disabled, extra)
    book = None
    if waivers:
        from kl21rules.waivers import WaiverBook

        book = WaiverBook(waivers, options.today)
    _WORKER.update(registry=registry, options=options, book=book, render=render, render_args=render_args,
                   rules=selected(registry.rules, options.select, options.ignore))


#: What a worker sends back for one file: (the file or its rendered part, its totals, the
#: waivers it used, its label when it was skipped as not a submission, else None).
WorkResult = tuple[Any, FileTotals, WaiverHits, "str | None"]


def _work(task: Task) -> WorkResult:
    """Check one file in a worker, apply its waivers and render its part: what the parent needs
    to write it and count it, never the whole :class:`FileReport` when a renderer is set (the
    parent unpickling and rendering every report kept two workers from scaling)."""
    file = _check_task(task, _WORKER["registry"], _WORKER["options"], _WORKER["rules"])
    if file.skipped:
        return None, (None, 0, (), 0, 0, -1, ()), (), file.path
    hits = _apply_waivers(_WORKER["book"], file)
    totals = file_totals(file)
    render = _WORKER["render"]
    return (file if render is None else render(file, *_WORKER["render_args"])), totals, hits, None


def no_submission(target: str, skipped: int) -> FileReport:
    """The report of a folder given on the command line that yielded no submission: an input
    error (a CI job pointed at the wrong folder must not pass)."""
    file = FileReport(target)
    if skipped:
        vi = (f"Thư mục '{target}' không có báo cáo nào để kiểm tra: {skipped} tệp trong đó không phải "
              "báo cáo (không có khóa schema, unit, activities hay report) đã được bỏ qua.")
        en = (f"Folder '{target}' holds no submission to check: {skipped} file(s) in it that are not "
              "submissions (no schema, unit, activities or report key) were skipped.")
    else:
        vi = f"Thư mục '{target}' không có tệp báo cáo nào (.json, .yaml, .yml, .xlsx)."
        en = f"Folder '{target}' holds no submission file (.json, .yaml, .yml, .xlsx)."
    file.errors.append(InputError("no-files", "", None, vi, en))
    return file


#: How many skipped files a run names in its notice (the count is always exact).
SKIPPED_NAMED = 5


def skipped_notice(count: int, names: Sequence[str]) -> Notice:
    """The run's notice of the files it skipped as not submissions."""
    shown = ", ".join(names[:SKIPPED_NAMED]) + (", …" if count > SKIPPED_NAMED else "")
    return Notice(
        "skipped", None,
        f"Bỏ qua {count} tệp không phải báo cáo (không có khóa schema, unit, activities hay report): {shown}.",
        f"Skipped {count} file(s) that are not submissions (no schema, unit, activities or report key): {shown}.",
    )


class FileStream:
    """The files of a run, checked as they are asked for; can be gone through once.

    Keeps the run's :class:`~kl21rules.report.Tally` and, when the last file has been given,
    appends the waivers' notices to ``problems``. Going through it gives each file's
    :class:`FileReport`; :meth:`render_each` gives instead each file's part of an output format,
    rendered where the file was checked (in the worker with ``jobs > 1``).
    """

    def __init__(
        self,
        targets: Sequence[str],
        registry: Registry,
        options: CheckOptions,
        *,
        jobs: int = 1,
        worker_args: tuple[list[str], list[str]] = ([], []),
        waivers: WaiverBook | None = None,
        problems: list[Notice] | None = None,
        on_file: Callable[[FileReport | None], None] | None = None,
    ) -> None:
        self.targets = list(targets)
        self.registry = registry
        self.options = options
        self._jobs = jobs
        self.worker_args = worker_args
        self.waivers = waivers
        self.problems = problems if problems is not None else []
        self.on_file = on_file
        self.tally = Tally()
        # Tally only adds to its units and counts them; a stream of any size keeps them packed.
        self.tally.units = DistinctIds()  # type: ignore[assignment]  # duck-typed: add() and len()
        #: files found by walking folders that were not submissions: how many, the first names.
        self.skipped = 0
        self.skipped_names: list[str] = []
        self._count: int | None = None
        self._used = False
        # Per target: files checked and skipped; targets before ``_settled`` are finished.
        self._checked = [0] * len(self.targets)
        self._skipped_in = [0] * len(self.targets)
        self._settled = 0

    def __len__(self) -> int:
        """How many files the run has: counted by a pass over names only, once."""
        if self._count is None:
            self._count = count_paths(self.targets)
        return self._count

    @property
    def jobs(self) -> int:
        """Processes that will check the files (never more than there are files)."""
        if self._jobs == 1:
            return 1
        # Only as many files as processes need be found to know that all of them are needed.
        wanted = effective_jobs(self._jobs, 1 << 30)
        return effective_jobs(wanted, sum(1 for _ in islice(iter_paths(self.targets), wanted)))

    def __iter__(self) -> Iterator[FileReport]:
        return self._run(None, ())

    def render_each(self, render: PartRenderer, *args: Any) -> Iterator[Any]:
        """Each file's ``render(file, *args)``, in order, the file checked, waived and counted as
        when going through the stream; with ``jobs > 1`` the workers render, so ``render`` must
        be a module's function and ``args`` picklable."""
        return self._run(render, args)

    def _start(self) -> None:
        if self._used:
            raise RuntimeError("a FileStream can be gone through only once")
        self._used = True

    def _run(self, render: PartRenderer | None, args: tuple[Any, ...]) -> Iterator[Any]:
        self._start()
        return self._results(render, args)

    def _skip(self, label: str, target: int) -> None:
        self.skipped += 1
        self._skipped_in[target] += 1
        if len(self.skipped_names) < SKIPPED_NAMED:
            self.skipped_names.append(label)

    def _settle(self, upto: int, render: PartRenderer | None, args: tuple[Any, ...]) -> Iterator[Any]:
        """Finish the targets before ``upto``: a folder that yielded no submission is an input error."""
        for i in range(self._settled, upto):
            if not self._checked[i] and _is_folder(self.targets[i]):
                file = no_submission(self.targets[i], self._skipped_in[i])
                self.tally.add(file)
                if self.on_file is not None:
                    self.on_file(file)
                yield file if render is None else render(file, *args)
        self._settled = max(self._settled, upto)

    def _results(self, render: PartRenderer | None, args: tuple[Any, ...]) -> Iterator[Any]:
        jobs = self.jobs
        tasks = (self._read_stdin(t) for t in _tasks(self.targets))
        if jobs <= 1:
            rules = selected(self.registry.rules, self.options.select, self.options.ignore)
            for task in tasks:
                target = task[3]
                yield from self._settle(target, render, args)
                file = _check_task(task, self.registry, self.options, rules)
                if file.skipped:
                    self._skip(file.path, target)
                    continue
                self._checked[target] += 1
                if self.waivers:
                    self.waivers.apply(file)
                self.tally.add(file)
                if self.on_file is not None:
                    self.on_file(file)
                yield file if render is None else render(file, *args)
        else:
            disabled, extra = self.worker_args
            specs = [st.waiver for st in self.waivers.states] if self.waivers else []
            # Chunks keep inter-process traffic low; small enough that every worker gets several.
            chunk = max(1, min(32, len(self) // (jobs * 4)))
            # A forked worker starts with the parent's memory: it uses the packs already loaded
            # instead of parsing and validating the rulesets again.
            _WORKER["forked_from"] = self.registry
            from kl21rules.interrupt import blocked

            try:
                with blocked():  # a Ctrl-C now reaches the parent once the workers have their own handlers
                    pool = _pool_class()(jobs, _init_worker, (disabled, extra, self.options, specs, render, args),
                                         context=_start_context())
            finally:
                _WORKER.pop("forked_from", None)
            # The tasks' targets, in order, for the results (imap gives them back in that order).
            import collections

            targets: collections.deque[int] = collections.deque()

            def noted(all_tasks: Iterator[Task]) -> Iterator[Task]:
                for task in all_tasks:
                    targets.append(task[3])
                    yield task

            LIVE_POOLS.add(pool)
            try:
                for payload, totals, hits, skipped in pool.imap(_work, noted(tasks), chunksize=chunk):
                    target = targets.popleft()
                    yield from self._settle(target, render, args)
                    if skipped is not None:
                        self._skip(skipped, target)
                        continue
                    self._checked[target] += 1
                    if self.waivers and totals[0] is not None and not totals[1]:
                        self.waivers.note_unit(totals[0])
                    if hits and self.waivers:
                        states = self.waivers.states
                        for i, applied, expired in hits:
                            states[i].applied += applied
                            states[i].expired_hits += expired
                    add_totals(self.tally, totals)
                    if self.on_file is not None:
                        self.on_file(payload if render is None else None)
                    yield payload
            except BaseException:
                abandon(pool)  # interrupted, or the reader stopped: never wait for the workers
                raise
            pool.terminate()
            LIVE_POOLS.discard(pool)
        yield from self._settle(len(self.targets), render, args)
        if self.skipped:
            self.problems.append(skipped_notice(self.skipped, self.skipped_names))
        if self.waivers:
            self.problems.extend(self.waivers.notices())

    @staticmethod
    def _read_stdin(task: Task) -> Task:
        """Standard input is read here, so a worker never needs it (it would not have it)."""
        label, path, _, target, walked = task
        if path is not None:
            return task
        return (label, None, read_target(label, None)[0], target, walked)


def stream_check(
    targets: Sequence[str],
    registry: Registry,
    options: CheckOptions,
    *,
    jobs: int = 1,
    plugins: Sequence[str] = (),
    cfg: Config | None = None,
    waivers: Sequence[Any] = (),
    on_file: Callable[[FileReport | None], None] | None = None,
) -> Report:
    """A report whose files are checked as a renderer goes through them (see the module's doc).

    ``waivers`` are :class:`~kl21rules.config.WaiverSpec` (the configuration's are added).
    ``on_file`` is called after each file is counted, with its :class:`FileReport`, or ``None``
    when a worker checked and rendered it (the parent never has the report then).
    """
    report = Report(__version__, registry.versions(), options.as_of)
    report.rules = [RuleInfo.of(r) for r in selected(registry.rules, options.select, options.ignore)]
    all_waivers = list(cfg.waivers if cfg is not None else ()) + list(waivers)
    book = None
    if all_waivers:
        from kl21rules.waivers import WaiverBook

        # A partial run (a few files, --select) says nothing of waivers about units it did not
        # check or rules it did not run.
        book = WaiverBook(all_waivers, options.today, rules={r.id for r in report.rules})
    report.files = FileStream(
        targets, registry, options, jobs=jobs, worker_args=registry_args(plugins, cfg),
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

