"""How fast kl21rules is, against its floor and a peer, measured the same way every time.

    python benchmarks/run.py [--quick] [--seed S] [--cache DIR] [--output FILE]

One command, on the same generated files in the same run (``benchmarks/generate.py``), prints each
figure with its target and whether it is met, and writes them all to ``benchmarks/results.json``:

1. full check (load, validate, every built-in rule, JSON report) against the I/O floor
   (``json.loads`` of each input and ``json.dumps`` of its JSON report's content) — target ≤ 2.5×
   — and against pydantic validation alone of the same files (informational, was ≤ 3×), in one
   process; facts and rules per file — target ≤ 0.25 ms;
2. the ``kl21rules check`` command against ``check-jsonschema`` validating the same files with
   kl21rules' own schema (``kl21rules schema``) — target: kl21rules faster;
3. submissions per second on one core for the whole catalogue — target ≥ 2,000 (≥ 1,800 end to
   end; issue 15; the first target was 10,000) — in one process
   (``check_bytes`` + JSON rendering, files already in memory) and end to end (the command over a
   folder, reading files and writing the JSON report);
4. ``--jobs 2`` against ``--jobs 1`` — target ≥ 1.8×;
5. peak memory (max RSS) of the command over 1,000 and over 100,000 files — target: within 20%
   (taken by a small launcher process with ``wait4``, so that it is the command's own);
6. start-up: the command on one small file against ``python -c "import pydantic, typer"`` —
   target ≤ 1.5×;
7. the dashboard (``--format html``) for 2,000 units against the JSON report of the same run —
   target ≤ 2× — and the page interactive with filters applied in headless Chromium — target
   < 2 s (``--only html``; needs the ``browser`` extra and Chromium, else not measured);
8. each output format (text, SARIF, JUnit, Markdown, GitHub, HTML, XLSX) rendered from the same
   checked files against the JSON report (``--only formats``) — target ≤ 1.5×.

Costs are CPU time (user + system) wherever one core is meant: in-process figures are the best of
a few repetitions, start-up the median of interleaved runs, so that other jobs on a shared machine
do not blur them. ``--jobs 2`` against ``--jobs 1`` is wall-clock time (that is its point), so run
it on a quiet machine. Generated files are cached in ``benchmarks/out/`` (git-ignored) and re-made
when the generator changes.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/generate.py, next to this file)

FULL = dict(n_inproc=2000, n_cli=10_000, n_peer=300, n_small=1_000, n_large=100_000, startup_runs=15, reps=3)
QUICK = dict(n_inproc=500, n_cli=2_000, n_peer=40, n_small=1_000, n_large=5_000, startup_runs=5, reps=2)
TIMEOUT = 900  # seconds for any one command: a hung run is reported, not waited for forever


# --------------------------------------------------------------------------- helpers


def say(text: str = "") -> None:
    print(text, flush=True)


def best_of(reps: int, fn: Callable[[], Any]) -> float:
    """Smallest CPU time of this process over ``reps`` runs of ``fn`` (seconds).

    CPU time, not wall time: the code is single-threaded, so on an idle machine they are the same,
    and on a shared one (other jobs running) CPU time still measures what the work costs.
    """
    times = []
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


# Runs one command and reports its own costs. A child forked from this (large) benchmark process
# inherits its memory high-water mark, so max RSS is taken by a small launcher that starts the
# command itself and reads its rusage with wait4: every figure belongs to the command alone.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "cpu": ru.ru_utime + ru.ru_stime, "exit": os.waitstatus_to_exitcode(status),
                  "max_rss_mb": ru.ru_maxrss / 1024}))
"""


def run_cmd(cmd: Sequence[str], *, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run a command, its output discarded: wall time, CPU time (user + system), exit code and
    peak memory (max RSS), all of that command alone (and of the processes it waited for)."""
    launcher = subprocess.Popen([sys.executable, "-c", _LAUNCHER, *cmd], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = launcher.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, 9)  # the launcher and the command: they share a new session
        launcher.communicate()
        return {"seconds": None, "cpu": None, "exit": None, "max_rss_mb": None,
                "error": f"timed out after {timeout:.0f} s"}
    try:
        result: dict[str, Any] = json.loads(out.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"seconds": None, "cpu": None, "exit": None, "max_rss_mb": None,
                "error": f"launcher failed: {err.decode('utf-8', 'replace')[-400:]}"}
    text = err.decode("utf-8", "replace").strip()
    if text:
        result["stderr"] = text[-400:]
    return result


def kl21rules_cmd() -> list[str]:
    """The ``kl21rules`` command of this interpreter's environment (what a user runs)."""
    script = Path(sys.executable).parent / "kl21rules"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from kl21rules.cli import main; sys.argv[0] = 'kl21rules'; main()"]


def check_jsonschema_cmd() -> list[str] | None:
    script = Path(sys.executable).parent / "check-jsonschema"
    if script.exists():
        return [str(script)]
    found = shutil.which("check-jsonschema")
    return [found] if found else None


def figure(name: str, value: float | None, unit: str, target: str, met: bool | None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "target": target, "met": met, **extra}


def show(fig: dict[str, Any]) -> None:
    value = fig["value"]
    shown = "—" if value is None else (f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}")
    verdict = {True: "met", False: "NOT MET", None: "not measured"}[fig["met"]]
    say(f"  {fig['name']:<52} {shown:>10} {fig['unit']:<12} target {fig['target']:<14} {verdict}")
    if fig.get("note"):
        say(f"      {fig['note']}")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "os": platform.platform(),
            "python": platform.python_version()}


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


# --------------------------------------------------------------------------- the files


def corpus(cache: Path, seed: int, n: int) -> Path:
    """A folder holding generated submissions 0 .. n-1 for ``seed`` (made once, then reused).

    The folder is keyed by the generator's source, so a changed generator never reuses old files.
    """
    digest = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:12]
    root = cache / f"seed{seed}-{digest}"
    stamp = root / ".complete"
    have = int(stamp.read_text()) if stamp.exists() else 0
    if have < n:
        t0 = time.perf_counter()
        say(f"  generating {n:,} submissions into {root} ...")
        if root.exists() and have == 0:
            shutil.rmtree(root)
        generate.generate(n, root, seed=seed, jobs=os.cpu_count() or 1)
        stamp.write_text(str(n))
        say(f"  generated in {time.perf_counter() - t0:.1f} s")
    for old in cache.glob(f"seed{seed}-*"):  # generated by an older generator: 1 GB each at 100,000
        if old != root and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return root


def folders(root: Path, n: int) -> list[str]:
    """The folders holding exactly the first ``n`` files (``n`` a multiple of 1,000)."""
    assert n % generate.PER_FOLDER == 0, n
    return [str(root / generate.folder_of(i * generate.PER_FOLDER)) for i in range(n // generate.PER_FOLDER)]


def first_files(root: Path, n: int) -> list[Path]:
    out: list[Path] = []
    i = 0
    while len(out) < n:
        sub = root / generate.folder_of(i * generate.PER_FOLDER)
        out.extend(sorted(sub.iterdir())[: n - len(out)])
        i += 1
    return out


# --------------------------------------------------------------------------- measurements


class _Stream:
    """Files checked one at a time as the renderer asks for them, as ``kl21rules check`` streams
    a folder: nothing is kept, so the figure is not blurred by a heap of 2,000 reports."""

    def __init__(self, files: list[tuple[str, bytes]], check: Callable[[str, bytes], Any], tally: Any) -> None:
        self.files, self.check, self.tally = files, check, tally

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self) -> Any:
        for label, raw in self.files:
            report = self.check(label, raw)
            self.tally.add(report)
            yield report


def in_process(root: Path, n: int, reps: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Figures 1 and 3 (in one process): full check vs pydantic alone, submissions per second."""
    from kl21rules._version import __version__
    from kl21rules.check import CheckOptions, check_bytes, selected
    from kl21rules.output import jsonfmt
    from kl21rules.packs import load_registry
    from kl21rules.report import Report, Tally
    from kl21rules.submission import submission_model

    paths = first_files(root, n)
    files = [(p.as_posix(), p.read_bytes()) for p in paths]
    # The floor gets the JSON text pydantic can read: without a byte-order mark, which it refuses.
    bare = [raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw for _, raw in files]
    registry = load_registry()
    rules = selected(registry.rules, (), ())
    options = CheckOptions()
    model = submission_model(tuple(registry.activity_types))

    def floor() -> None:
        for raw in bare:
            model.model_validate_json(raw)

    def floor_dicts() -> None:
        for raw in bare:
            model.model_validate(json.loads(raw))

    written: list[int] = []

    def full() -> None:
        report = Report(__version__, registry.versions(), None)
        report.files = _Stream(files, lambda label, raw: check_bytes(label, raw, registry, options, rules), Tally())
        written.append(sum(len(chunk) for chunk in jsonfmt.stream(report, "vi")))

    # The I/O floor: what any checker of these files must do at least — parse each input and write
    # its report. json.loads of the input, json.dumps of that file's JSON report content (the
    # dict the JSON report serialises, built once beforehand).
    contents = [jsonfmt.file_dict(check_bytes(label, raw, registry, options, rules), "vi") for label, raw in files]

    def io_floor() -> None:
        for raw, content in zip(bare, contents):
            json.loads(raw)
            json.dumps(content, ensure_ascii=False, indent=2)

    floor()  # warm up: pydantic builds its validators lazily, dates caches, ...
    full()
    io_floor()
    # interleaved, best of reps each: a loaded machine blurs the three alike
    times: dict[str, list[float]] = {"floor": [], "floor_dicts": [], "full": [], "io": []}
    for _ in range(reps):
        for name, fn in (("full", full), ("io", io_floor), ("floor", floor), ("floor_dicts", floor_dicts)):
            times[name].append(best_of(1, fn))
    t_floor, t_floor_dicts = min(times["floor"]), min(times["floor_dicts"])
    t_full, t_io = min(times["full"]), min(times["io"])

    # Where the time goes (informational): the stages of check_bytes, then the JSON rendering.
    stages = stage_split(files, registry, options, rules, reps)

    size = sum(len(raw) for _, raw in files)
    acts = sum(raw.count(b'"type"') for raw in bare)
    ratio = t_full / t_floor
    rate = n / t_full
    io_ratio = t_full / t_io
    figs = [
        figure("full check vs I/O floor (json.loads + json.dumps of the report, CPU)", io_ratio, "×", "≤ 2.5×",
               io_ratio <= 2.5, full_seconds=t_full, io_floor_seconds=t_io, files=n,
               note=f"full {t_full / n * 1e3:.2f} ms/file; floor {t_io / n * 1e3:.2f} ms/file "
                    f"({n / t_io:,.0f}/s)"),
        figure("full check vs pydantic alone (1 process, CPU)", ratio, "×", "≤ 3×", ratio <= 3.0,
               full_seconds=t_full, pydantic_seconds=t_floor, pydantic_from_dicts_seconds=t_floor_dicts,
               files=n, note=f"full {t_full / n * 1e3:.2f} ms/file; pydantic model_validate_json "
                             f"{t_floor / n * 1e3:.2f} ms/file ({n / t_floor:,.0f}/s); "
                             f"json.loads + model_validate {t_floor_dicts / n * 1e3:.2f} ms/file"),
        figure("submissions/s, 1 core, in process", rate, "files/s", "≥ 2,000", rate >= 2_000,
               files=n, report_mb=written[-1] / 1e6,
               note=f"check_bytes + streamed JSON report; {n:,} files, {size / n / 1024:.1f} KB and "
                    f"~{acts / n:.0f} activities per file"),
    ]
    rules_ms = stages.get("ms_per_file", {}).get("facts_and_rules")
    figs.append(figure("facts and rules per file (CPU)", rules_ms, "ms", "≤ 0.25 ms",
                       None if rules_ms is None else rules_ms <= 0.25, files=n))
    return figs, stages


FORMATS = ("json", "text", "sarif", "junit", "markdown", "github", "html", "xlsx")


def formats(root: Path, n: int, reps: int) -> list[dict[str, Any]]:
    """Each output format's cost against the JSON report's: the same checked files (kept with
    their lines, as the line-placing formats need), rendered in Vietnamese to nowhere, CPU,
    interleaved, best of ``reps``."""
    import io

    from kl21rules._version import __version__
    from kl21rules.check import CheckOptions, check_bytes, selected
    from kl21rules.output import binary_writer, builtin_streamer
    from kl21rules.packs import load_registry
    from kl21rules.report import Report

    registry = load_registry()
    rules = selected(registry.rules, (), ())
    options = CheckOptions(lines=True)
    paths = first_files(root, n)
    reports = [check_bytes(p.as_posix(), p.read_bytes(), registry, options, rules) for p in paths]

    def render(name: str) -> Callable[[], None]:
        def run() -> None:
            report = Report(__version__, registry.versions(), None, files=list(reports))
            if name == "xlsx":
                binary_writer(name)(report, "vi", io.BytesIO())
            else:
                for _chunk in builtin_streamer(name)(report, "vi"):
                    pass
        return run

    times: dict[str, list[float]] = {name: [] for name in FORMATS}
    for name in FORMATS:
        render(name)()  # warm up (imports, caches)
    for _ in range(reps):
        for name in FORMATS:
            times[name].append(best_of(1, render(name)))
    best = {name: min(v) for name, v in times.items()}
    figs = []
    for name in FORMATS[1:]:
        ratio = best[name] / best["json"]
        figs.append(figure(f"{name} report vs JSON report, {n:,} files (CPU)", ratio, "×", "≤ 1.5×",
                           ratio <= 1.5, seconds=best[name], json_seconds=best["json"], files=n,
                           note=f"{best[name] / n * 1e3:.3f} vs {best['json'] / n * 1e3:.3f} ms/file"))
    return figs


def stage_split(files: list[tuple[str, bytes]], registry: Any, options: Any, rules: Any, reps: int) -> dict[str, Any]:
    """CPU per file of each stage of the check, then of the JSON rendering (informational)."""
    import gc

    try:
        from kl21rules._version import __version__
        from kl21rules.check import check_bytes
        from kl21rules.loader import detect_format, load_bytes
        from kl21rules.output import jsonfmt
        from kl21rules.report import Report
        from kl21rules.rules.engine import evaluate
        from kl21rules.rules.facts import build_facts
        from kl21rules.validate import validate_document

        n = len(files)
        docs = [load_bytes(raw, detect_format(label, raw) or "json")[0] for label, raw in files]
        subs = [validate_document(d.data, d.line_of, registry.activity_types)[0] for d in docs]
        reports = [check_bytes(label, raw, registry, options, rules) for label, raw in files]
        # The inputs of each stage stay alive; frozen, the collector does not walk them again and
        # again, as it would not in a real run (where they are one file's worth).
        gc.collect()
        gc.freeze()

        def load() -> None:
            for label, raw in files:
                load_bytes(raw, detect_format(label, raw) or "json")

        def validate() -> None:
            for d in docs:
                validate_document(d.data, d.line_of, registry.activity_types)

        def judge() -> None:
            for s in subs:
                evaluate(build_facts(s, s.report.date or options.today), rules, options.params)

        def render() -> None:
            for r in reports:
                one = Report(__version__, registry.versions(), None, files=[r])
                for _chunk in jsonfmt.stream(one, "vi"):
                    pass

        out = {"load": best_of(reps, load), "validate": best_of(reps, validate),
               "facts_and_rules": best_of(reps, judge), "json_report": best_of(reps, render)}
        gc.unfreeze()
        findings = sum(len(r.findings) for r in reports)
        return {"ms_per_file": {k: v / n * 1e3 for k, v in out.items()}, "findings_per_file": findings / n}
    except Exception as exc:  # noqa: BLE001 - informational only; internal APIs may move
        gc.unfreeze()
        return {"error": f"{type(exc).__name__}: {exc}"}


def cli_runs(root: Path, n: int) -> list[dict[str, Any]]:
    """Figures 3 (end to end) and 4: the command over a folder, --jobs 1 and --jobs 2."""
    base = kl21rules_cmd() + ["check", *folders(root, n), "--format", "json"]
    # Runs in the order 1, 2, 2, 1 and the faster of each kept: load from other work on the
    # machine, rising or falling during the measurement, then hits both alike.
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for jobs in (1, 2, 2, 1):
        runs[jobs].append(run_cmd(base + ["--jobs", str(jobs)]))
    j1, j2 = (min(runs[j], key=lambda r: r["seconds"] if r["seconds"] is not None else float("inf")) for j in (1, 2))
    bad = [f"--jobs {j}: exit {r['exit']} {r.get('error', '')} {r.get('stderr', '')}".strip()
           for j, r in ((1, j1), (2, j2)) if r["exit"] not in (0, 1)]
    figs = []
    # One core: files per CPU-second of the --jobs 1 process (its wall time is shown too).
    rate = n / j1["cpu"] if j1["cpu"] else None
    figs.append(figure("submissions/s, 1 core, end to end (CLI, folder)", rate, "files/s", "≥ 1,800",
                       None if rate is None else rate >= 1_800, files=n, seconds=j1["seconds"], cpu=j1["cpu"],
                       note=f"kl21rules check <{n:,} files> --format json > /dev/null: {j1['cpu'] or 0:.1f} s CPU, "
                            f"{j1['seconds'] or 0:.1f} s wall" + (f"; {'; '.join(bad)}" if bad else "")))
    speedup = j1["seconds"] / j2["seconds"] if j1["seconds"] and j2["seconds"] and not bad else None
    figs.append(figure("--jobs 2 vs --jobs 1 (CLI, same folder, wall)", speedup, "×", "≥ 1.8×",
                       None if speedup is None else speedup >= 1.8, files=n,
                       jobs1_seconds=j1["seconds"], jobs2_seconds=j2["seconds"],
                       jobs1_cpu=j1["cpu"], jobs2_cpu=j2["cpu"],
                       note=f"best of 2 each: --jobs 1 {j1['seconds'] or 0:.1f} s ({j1['cpu'] or 0:.1f} s CPU), "
                            f"--jobs 2 {j2['seconds'] or 0:.1f} s ({j2['cpu'] or 0:.1f} s CPU in all processes); "
                            f"load average after: {os.getloadavg()[0]:.1f}"))
    return figs


def _browser_cpu() -> dict[int, float]:
    """CPU seconds (user + system) used so far by each Chromium process under this one: what the
    browser spends, whatever else the machine is doing (wall time is shown beside it)."""
    procs: dict[int, tuple[int, str, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        procs[int(entry.name)] = (int(fields[1]), comm, (int(fields[11]) + int(fields[12])) / tick)
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, (ppid, _, _) in procs.items() if ppid in frontier and pid not in mine}
        mine |= frontier
    return {pid: cpu for pid, (_, comm, cpu) in procs.items() if pid in mine and comm.startswith("chrom")}


def _cpu_since(before: dict[int, float]) -> float:
    """CPU spent by the browser's processes since ``before`` (a process that ended is not counted)."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in _browser_cpu().items())


def dashboard(root: Path, n: int, out: Path) -> list[dict[str, Any]]:
    """Figure 7: HTML vs JSON report of the same run (CPU, best of 2 interleaved), then the page
    opened from disk in headless Chromium until interactive with filters applied (wall, best of 3)."""
    base = kl21rules_cmd() + ["check", *folders(root, n), "--as-of", "2024-11-15"]
    html_file, json_file = out / "dashboard-bench.html", out / "dashboard-bench.json"
    runs: dict[str, list[dict[str, Any]]] = {"json": [], "html": []}
    for fmt in ("json", "html", "html", "json"):
        target = json_file if fmt == "json" else html_file
        runs[fmt].append(run_cmd(base + ["--format", fmt, "--output", str(target)]))
    best = {k: min((r for r in v if r["cpu"] is not None), key=lambda r: r["cpu"], default=None)
            for k, v in runs.items()}
    figs = []
    if best["json"] is None or best["html"] is None or not html_file.exists():
        figs.append(figure("HTML dashboard vs JSON report, same run (CPU)", None, "×", "≤ 2×", None,
                           note=f"failed: {runs}"))
        return figs
    ratio = best["html"]["cpu"] / best["json"]["cpu"]
    figs.append(figure("HTML dashboard vs JSON report, same run (CPU)", ratio, "×", "≤ 2×", ratio <= 2.0,
                       files=n, html_cpu=best["html"]["cpu"], json_cpu=best["json"]["cpu"],
                       html_mb=html_file.stat().st_size / 1e6, json_mb=json_file.stat().st_size / 1e6,
                       note=f"{n:,} units: html {best['html']['cpu']:.1f} s CPU ({html_file.stat().st_size / 1e6:.1f} MB), "
                            f"json {best['json']['cpu']:.1f} s CPU ({json_file.stat().st_size / 1e6:.1f} MB)"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        figs.append(figure("dashboard interactive, filters applied (Chromium, wall)", None, "s", "< 2 s", None,
                           note="Playwright not installed (pip install -e '.[browser]')"))
        return figs
    chromium = os.environ.get("KL21RULES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        figs.append(figure("dashboard interactive, filters applied (Chromium, wall)", None, "s", "< 2 s", None,
                           note="Chromium not installed"))
        return figs
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    times, loads, filters, clicks, cpus = [], [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            c0 = _browser_cpu()
            t0 = time.perf_counter()
            page.goto(html_file.as_uri(), timeout=60_000)
            page.wait_for_selector("body[data-ready]", timeout=60_000)
            t1 = time.perf_counter()
            page.select_option("#f-kind", "chi_bo_co_so")
            page.select_option("#f-status", "f")
            page.check('input[name="dept"][value="tochuc"]')
            page.wait_for_function("document.querySelector('#shown').textContent.length > 0")
            t2 = time.perf_counter()
            cpus.append(_cpu_since(c0))
            page.locator("#m tbody td.f >> visible=true").first.click()
            page.wait_for_selector("#dlg[open]")
            t3 = time.perf_counter()
            times.append(t2 - t0)
            loads.append(t1 - t0)
            filters.append(t2 - t1)
            clicks.append(t3 - t2)
            page.close()
        browser.close()
    i = times.index(min(times))
    figs.append(figure("dashboard interactive, filters applied (Chromium, wall)", times[i], "s", "< 2 s",
                       times[i] < 2.0, files=n, load_seconds=loads[i], filters_seconds=filters[i],
                       first_click_seconds=clicks[i], browser_cpu_seconds=min(cpus),
                       html_mb=html_file.stat().st_size / 1e6,
                       note=f"open from disk to script ready {loads[i]:.2f} s, then kind + status + department "
                            f"filters {filters[i]:.2f} s (best of 3 by wall); first cell click (parses the "
                            f"findings) {clicks[i]:.2f} s; Chromium's CPU until filtered {min(cpus):.2f} s (best of 3); "
                            f"load average {os.getloadavg()[0]:.1f}"))
    return figs


def peer(root: Path, n: int, cache: Path) -> dict[str, Any]:
    """Figure 2: the command against check-jsonschema on the same files, with our own schema."""
    name = "kl21rules check vs check-jsonschema (same files, CPU)"
    tool = check_jsonschema_cmd()
    if tool is None:
        return figure(name, None, "× faster", "> 1×", None,
                      note="check-jsonschema is not installed: pip install -e '.[dev]'")
    schema = cache / "submission-schema.json"
    got = subprocess.run(kl21rules_cmd() + ["schema"], capture_output=True, timeout=120)
    schema.write_bytes(got.stdout)
    files = [str(p) for p in first_files(root, n)]
    theirs = run_cmd(tool + ["--schemafile", str(schema), *files])
    ours = run_cmd(kl21rules_cmd() + ["check", *files, "--format", "json"])
    if not theirs["cpu"] or not ours["cpu"] or ours["exit"] not in (0, 1):
        return figure(name, None, "× faster", "> 1×", None,
                      note=f"a run failed: check-jsonschema {theirs}, kl21rules {ours}")
    ratio = theirs["cpu"] / ours["cpu"]
    return figure(name, ratio, "× faster", "> 1×", ratio > 1.0,
                  files=n, kl21rules_cpu=ours["cpu"], check_jsonschema_cpu=theirs["cpu"],
                  kl21rules_seconds=ours["seconds"], check_jsonschema_seconds=theirs["seconds"],
                  check_jsonschema_exit=theirs["exit"],
                  note=f"{n} files: check-jsonschema {theirs['cpu']:.2f} s CPU (exit {theirs['exit']}), "
                       f"kl21rules check (all rules, JSON report) {ours['cpu']:.2f} s CPU")


def memory(root: Path, n_small: int, n_large: int) -> dict[str, Any]:
    """Figure 5: peak memory of the command over n_small and n_large files (--jobs 1)."""
    name = f"peak memory (max RSS), {n_large:,} vs {n_small:,} files"
    cmd = kl21rules_cmd() + ["check"]
    small = run_cmd(cmd + folders(root, n_small) + ["--format", "json"])
    large = run_cmd(cmd + folders(root, n_large) + ["--format", "json"])
    if small["max_rss_mb"] is None or large["max_rss_mb"] is None or large["exit"] not in (0, 1):
        return figure(name, None, "×", "≤ 1.2×", False, note=f"a run failed: small {small}, large {large}")
    ratio = large["max_rss_mb"] / small["max_rss_mb"]
    return figure(name, ratio, "×", "≤ 1.2×", ratio <= 1.2,
                  small_mb=small["max_rss_mb"], large_mb=large["max_rss_mb"], large_seconds=large["seconds"],
                  large_cpu=large["cpu"],
                  note=f"{small['max_rss_mb']:.0f} MB at {n_small:,} files, {large['max_rss_mb']:.0f} MB at "
                       f"{n_large:,} ({large['cpu']:.0f} s CPU, {n_large / large['cpu']:,.0f} files per CPU-second)")


def startup(root: Path, runs: int) -> dict[str, Any]:
    """Figure 6: one small file end to end against importing pydantic and typer (CPU time)."""
    small = min(first_files(root, 200), key=lambda p: p.stat().st_size)
    ours_cmd = kl21rules_cmd() + ["check", str(small), "--format", "json"]
    floor_cmd = [sys.executable, "-c", "import pydantic, typer"]
    # Byte-code on both sides: pip wrote pydantic's and typer's; kl21rules' own (an editable
    # install) is written here, since a run under PYTHONDONTWRITEBYTECODE=1 would compile its
    # modules anew every time (about 60 ms) and measure the compiler, not the start-up.
    import compileall

    import kl21rules

    compileall.compile_dir(str(Path(kl21rules.__file__).parent), quiet=1)
    run_cmd(ours_cmd), run_cmd(floor_cmd)  # warm the file cache (and the ruleset cache)
    ours, floor = [], []
    for _ in range(runs):  # interleaved, so a busy moment on the machine hits both
        ours.append(run_cmd(ours_cmd))
        floor.append(run_cmd(floor_cmd))
    a = statistics.median(r["cpu"] for r in ours)
    b = statistics.median(r["cpu"] for r in floor)
    wa = statistics.median(r["seconds"] for r in ours)
    wb = statistics.median(r["seconds"] for r in floor)
    ratio = a / b
    return figure("start-up: one small file vs import pydantic, typer (CPU)", ratio, "×", "≤ 1.5×", ratio <= 1.5,
                  kl21rules_cpu=a, import_cpu=b, kl21rules_seconds=wa, import_seconds=wb,
                  file_kb=small.stat().st_size / 1024,
                  note=f"median of {runs}: kl21rules check {a * 1e3:.0f} ms CPU ({wa * 1e3:.0f} ms wall), "
                       f"python -c 'import pydantic, typer' {b * 1e3:.0f} ms CPU ({wb * 1e3:.0f} ms wall)")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kl21rules benchmarks: every figure with its target.")
    parser.add_argument("--quick", action="store_true", help="smaller sets, for trying changes (figures are rougher)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=HERE / "out", help="where generated files are kept")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the figures (default benchmarks/results.json; with --quick, "
                             "benchmarks/out/results-quick.json)")
    parser.add_argument("--only", default="", help="comma-separated subset: inproc,formats,peer,cli,memory,startup,html")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    want = (lambda name: not only or name in only)

    t_start = time.perf_counter()
    info = machine()
    info["load_average_at_start"] = round(os.getloadavg()[0], 2)
    say(f"kl21rules benchmarks — {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"load average {info['load_average_at_start']}")
    args.cache.mkdir(parents=True, exist_ok=True)
    # Only as many files as the parts asked for need (the first n files are the same for any n).
    need = {"inproc": sizes["n_inproc"], "peer": sizes["n_peer"], "cli": sizes["n_cli"],
            "memory": sizes["n_large"], "startup": generate.PER_FOLDER, "html": sizes["n_inproc"],
            "formats": sizes["n_inproc"]}
    root = corpus(args.cache, args.seed, max(n for part, n in need.items() if want(part)))
    figs: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}

    if want("inproc"):
        say(f"- in one process, {sizes['n_inproc']:,} files ...")
        got, stages = in_process(root, sizes["n_inproc"], sizes["reps"])
        figs += got
        extra["stages"] = stages
        for f in got:
            show(f)
        if "ms_per_file" in stages:
            parts = ", ".join(f"{k} {v:.2f}" for k, v in stages["ms_per_file"].items())
            say(f"      ms per file: {parts}; {stages['findings_per_file']:.0f} findings per file")
    if want("formats"):
        say(f"- each output format vs JSON, {sizes['n_inproc']:,} files ...")
        got = formats(root, sizes["n_inproc"], sizes["reps"])
        figs += got
        for f in got:
            show(f)
    if want("peer"):
        say(f"- against check-jsonschema, {sizes['n_peer']:,} files ...")
        figs.append(peer(root, sizes["n_peer"], args.cache))
        show(figs[-1])
    if want("cli"):
        say(f"- the command over {sizes['n_cli']:,} files, --jobs 1 and --jobs 2 ...")
        got = cli_runs(root, sizes["n_cli"])
        figs += got
        for f in got:
            show(f)
    if want("memory"):
        say(f"- peak memory over {sizes['n_small']:,} and {sizes['n_large']:,} files ...")
        figs.append(memory(root, sizes["n_small"], sizes["n_large"]))
        show(figs[-1])
    if want("startup"):
        say("- start-up ...")
        figs.append(startup(root, sizes["startup_runs"]))
        show(figs[-1])
    if want("html"):
        say(f"- the dashboard (--format html) for {sizes['n_inproc']:,} units ...")
        got = dashboard(root, sizes["n_inproc"], args.cache)
        figs += got
        for f in got:
            show(f)

    elapsed = time.perf_counter() - t_start
    met = sum(1 for f in figs if f["met"])
    say(f"{met} of {len(figs)} targets met; {elapsed:.0f} s in all.")
    try:
        from kl21rules._version import __version__ as version
    except Exception:  # noqa: BLE001
        version = None
    result = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        "kl21rules": version,
        "commit": git_commit(),
        "machine": info,
        "quick": args.quick,
        "seed": args.seed,
        "seconds": round(elapsed, 1),
        "figures": figs,
        **extra,
    }
    if not only:
        if args.output is None:
            args.output = args.cache / "results-quick.json" if args.quick else HERE / "results.json"
        args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        say(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
