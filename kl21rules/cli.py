"""The command line, ``kl21rules`` (spec/cli.md). Built with typer; every command has ``--help``."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from kl21rules._lazycli import LazyGroup, commands, resolve_annotations
from kl21rules._version import __version__
from kl21rules.fsutil import os_reason

if TYPE_CHECKING:  # imported where used, to keep start-up small
    from kl21rules.config import Config
    from kl21rules.packs import Registry

# Commands are registered on ``commands`` and built into click commands only when run (or listed
# by --help): see kl21rules/_lazycli.py.
app = typer.Typer(
    cls=LazyGroup,
    name="kl21rules",
    help="Kiểm tra báo cáo thực hiện Kế hoạch 40-KH/ĐUK (Kết luận 21-KL/TW). "
    "Checks units' reports against Plan 40-KH/ĐUK.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Lang = Annotated[str, typer.Option("--lang", metavar="LANG", help="vi | en: ngôn ngữ thông báo / language of messages")]
Plugins = Annotated[
    Optional[list[str]],
    typer.Option("-p", metavar="MODULE|no:PACK",
                 help="Nạp thêm gói quy tắc / load a pack module; no:PACK: tắt gói / disable a pack (repeatable)"),
]

#: The format an output file's name asks for, by its ending (``--output`` without ``--format``).
EXTENSION_FORMATS: tuple[tuple[str, str], ...] = (
    (".sarif.json", "sarif"),
    (".sarif", "sarif"),
    (".xml", "junit"),
    (".json", "json"),
    (".md", "markdown"),
    (".markdown", "markdown"),
    (".html", "html"),
    (".htm", "html"),
    (".xlsx", "xlsx"),
)


def format_of_path(path: Path | str) -> str | None:
    """The format a report file's name asks for (``kl21.sarif`` → ``sarif``), or ``None``."""
    name = Path(path).name.lower()
    for ending, fmt in EXTENSION_FORMATS:
        if name.endswith(ending):
            return fmt
    return None


def _say(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")


def _bad(vi: str, en: str, lang: str = "vi") -> typer.Exit:
    _say(f"kl21rules: {en if lang == 'en' else vi}", err=True)
    return typer.Exit(2)


#: The environment variable that sets the language of every command (below --lang, above the
#: configuration's ``lang``).
LANG_ENV = "KL21RULES_LANG"


def _early_lang(option: str | None) -> str:
    """The language for a message given before the configuration is read (its own errors)."""
    choice = option or os.environ.get(LANG_ENV) or "vi"
    return "en" if choice == "en" else "vi"


def _resolve_lang(option: str | None, configured: str | None = None) -> str:
    """The language of a command: ``--lang``, else ``KL21RULES_LANG``, else the configuration's
    ``lang``, else Vietnamese. A value other than ``vi`` and ``en`` is an error naming its source."""
    env = os.environ.get(LANG_ENV) or None
    lang = option or env or configured or "vi"
    if lang not in ("vi", "en"):
        source = "--lang" if option else (LANG_ENV if env else "lang")
        raise _bad(f"{source} phải là vi hoặc en, không phải '{lang}'.", f"{source} must be vi or en, not '{lang}'.",
                   _early_lang(None))
    return lang


def _configured_lang() -> str | None:
    """The ``lang`` of the configuration found from the current folder, for commands that read
    nothing else from it; a configuration that cannot be read is left to ``check`` to report."""
    from kl21rules.config import ConfigError, load_config

    try:
        return load_config(None, Path.cwd()).lang
    except (ConfigError, OSError):
        return None


def _split_plugins(values: list[str] | None) -> tuple[list[str], list[str]]:
    disabled, extra = [], []
    for v in values or []:
        if v.startswith("no:"):
            disabled.append(v[3:])
        else:
            extra.append(v)
    return disabled, extra


def _registry(plugins: list[str] | None, cfg: Config | None = None) -> Registry:
    from kl21rules.packs import load_registry

    disabled, extra = _split_plugins(plugins)
    if cfg is not None:
        disabled += cfg.disable
        extra += cfg.plugins
    return load_registry(disabled, extra)


def _pack_problems(registry: Registry, lang: str) -> list[Any]:
    from kl21rules.report import Notice

    return [Notice("pack-error", None, e.describe("vi"), e.describe("en")) for e in registry.errors]


def _narrowed(registry: Registry, chosen: list[Any], disabled: list[str]) -> tuple[list[Any], dict[str, list[str]]]:
    """What the run leaves out, for every output to say: packs disabled (``-p no:``, ``disable``)
    and rules not checked (``select``/``ignore``), as problems and as data (SARIF run properties).
    Configuration found in a checked folder must not make a check weaker in silence (issue 9)."""
    from kl21rules.report import Notice

    notices: list[Any] = []
    data: dict[str, list[str]] = {}
    if disabled:
        names = ", ".join(disabled)
        notices.append(Notice("packs-disabled", None, f"Các gói quy tắc bị tắt, không xét: {names}.",
                              f"Rule packs disabled, not checked: {names}."))
        data["disabledPacks"] = disabled
    ran = {r.id for r in chosen}
    left = [r.id for r in registry.rules if r.id not in ran]
    if left:
        ids = ", ".join(left)
        notices.append(Notice("rules-not-checked", None,
                              f"{len(left)} quy tắc không được xét (select/ignore): {ids}.",
                              f"{len(left)} rule(s) not checked (select/ignore): {ids}."))
        data["rulesNotChecked"] = left
    return notices, data


def _parse_as_of(value: str | None, lang: str) -> _dt.date | None:
    if value is None:
        return None
    from kl21rules.dates import DateError, parse_date, today_vn

    if value.strip().casefold() in ("today", "hôm nay", "hom nay", "homnay"):
        return today_vn()
    try:
        return parse_date(value)
    except DateError as exc:
        raise _bad(f"--as-of: {exc.vi}; hoặc today (hôm nay).", f"--as-of: {exc.en}; or today.", lang) from None


def _split_ids(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from kl21rules.fsutil import write_atomic

    write_atomic(output, text)


@commands.command()
def check(
    paths: Annotated[list[str], typer.Argument(
        metavar="PATH", help="Tệp, thư mục hoặc - (stdin) / files, folders or -")],
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", metavar="DATE",
        help="Ngày xét / evaluation date: 2022-12-31, 31/12/2022, today (mặc định: ngày báo cáo của từng tệp / "
             "default: each file's report date)")] = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", metavar="FORMAT",
        help="text|json|junit|sarif|markdown|github|xlsx|… (mặc định / default: text, hoặc theo đuôi của "
             "--output / or the one --output's extension names)")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE",
        help="Ghi báo cáo ra tệp, trọn vẹn hoặc không gì cả / write the report to FILE, whole or not at all "
             "(.sarif .xml .json .md .html .xlsx pick the format)")] = None,
    reports: Annotated[Optional[list[str]], typer.Option(
        "--report", metavar="FORMAT:FILE",
        help="Ghi thêm một báo cáo từ cùng lần chạy / also write a report of the same run, e.g. "
             "sarif:kl21.sarif (repeatable)")] = None,
    select: Annotated[Optional[list[str]], typer.Option(
        "--select", metavar="IDS", help="Chỉ chạy / run only: ID,... hoặc tiền tố, tên gói / ids, prefixes, packs")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(
        "--ignore", metavar="IDS", help="Bỏ qua / skip: ID,... hoặc tiền tố, tên gói / ids, prefixes, packs")] = None,
    fail_on: Annotated[Optional[str], typer.Option(
        "--fail-on", metavar="LEVEL",
        help="error|warning|info: mức thấp nhất của 'không đạt' làm mã thoát 1 / lowest severity of a fail that "
             "exits 1 (mặc định / default: error)")] = None,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero",
        help="Không đạt không làm lỗi (mã 0); lỗi đầu vào vẫn là 2 / findings never fail the run (exit 0); "
             "input errors still exit 2")] = False,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", metavar="LANG", help="vi|en (mặc định / default: vi)")] = None,
    config: Annotated[Optional[Path], typer.Option(
        "--config", metavar="FILE",
        help="Tệp cấu hình / configuration file (mặc định / default: kl21rules.toml or pyproject.toml, upward)")] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Không đọc tệp cấu hình nào / read no configuration file")
    ] = False,
    waivers: Annotated[
        Optional[Path], typer.Option("--waivers", metavar="FILE", help="Tệp miễn trừ (TOML/YAML) / waiver file")
    ] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", metavar="N", help="Số tiến trình / processes (0 = một cho mỗi lõi / one per core)")] = 1,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q",
        help="Chỉ hiện vấn đề và tổng cộng, không thanh tiến độ / only problems and the totals, no progress bar")] = False,
    engine: Annotated[Optional[str], typer.Option(
        "--engine", metavar="ENGINE",
        help="reference|durable: bộ máy xét quy tắc / rule engine (mặc định / default: reference)")] = None,
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Báo cáo văn bản: liệt kê cả nghĩa vụ đạt, không áp dụng / text: list passes too"),
    ] = False,
    rule_timeout: Annotated[float, typer.Option(
        "--rule-timeout", metavar="SECONDS",
        help="Thời gian tối đa của một quy tắc Python trên một tệp (0 = không giới hạn) / "
             "longest a pack's Python rule may run on one file (0 = no limit)")] = 10.0,
    trend: Annotated[Optional[str], typer.Option(
        "--trend", metavar="PERIOD", help="month|quarter: diễn biến từ 3/2022 (--format html) / trend")] = None,
    plugins: Plugins = None,
) -> None:
    """Kiểm tra báo cáo (tệp .json .yaml .yml .xlsx, thư mục, hoặc - là stdin) / check submissions: files
    (.json .yaml .yml .xlsx), folders (searched), or - (stdin).

    Mã thoát / exit codes: 0 đạt / nothing failed; 1 có 'không đạt' từ mức --fail-on / a fail at or above
    --fail-on; 2 lỗi đầu vào, tùy chọn, cấu hình / an input error, a bad option or configuration.
    """
    from kl21rules.config import ConfigError, check_against_rules, check_selectors, load_config

    try:
        cfg = load_config(config, Path.cwd(), isolated=isolated)
    except ConfigError as exc:
        raise _bad(exc.vi, exc.en, _early_lang(lang)) from None
    lang = _resolve_lang(lang, cfg.lang)
    fail_on = fail_on or cfg.fail_on or "error"
    if fail_on not in ("error", "warning", "info"):
        raise _bad(f"--fail-on phải là error, warning hoặc info, không phải '{fail_on}'.",
                   f"--fail-on must be error, warning or info, not '{fail_on}'.", lang)
    if jobs < 0:
        raise _bad("--jobs phải ≥ 0.", "--jobs must be ≥ 0.", lang)
    engine = engine or cfg.engine or "reference"
    if engine not in ("reference", "durable"):
        raise _bad(f"--engine phải là reference hoặc durable, không phải '{engine}'.",
                   f"--engine must be reference or durable, not '{engine}'.", lang)
    day = _parse_as_of(as_of, lang)
    from kl21rules.output import BINARY, BUILTIN, NEEDS_LINES, builtin_formats

    registry = _registry(plugins, cfg)
    formats = {**builtin_formats(), **registry.formats}
    outputs = _outputs(fmt, output, reports, formats, lang)
    fmt = outputs[0][0]
    from kl21rules.check import SUFFIXES
    from kl21rules.output._sink import clashing_input

    for _, out_path in outputs:  # --output and every --report
        clash = None if out_path is None else clashing_input(out_path, paths, SUFFIXES)
        if clash is not None:
            raise _bad(f"Tệp báo cáo '{out_path}' là một tệp đầu vào (trong '{clash}'): báo cáo sẽ ghi đè lên bài "
                       "nộp; hãy chọn tệp khác.",
                       f"Report file '{out_path}' is an input (in '{clash}'): the report would overwrite a "
                       "submission; choose another file.", lang)
    if trend is not None and trend not in ("month", "quarter"):
        raise _bad(f"--trend phải là month hoặc quarter, không phải '{trend}'.",
                   f"--trend must be month or quarter, not '{trend}'.", lang)
    if trend is not None and "html" not in [f for f, _ in outputs]:
        raise _bad("--trend chỉ dùng với --format html.", "--trend goes with --format html only.", lang)
    extra_waivers = []
    try:
        check_against_rules(cfg, registry.rules, [p.name for p in registry.packs])
        check_selectors(_split_ids(select), "--select", registry.rules, [p.name for p in registry.packs], "")
        check_selectors(_split_ids(ignore), "--ignore", registry.rules, [p.name for p in registry.packs], "")
        if waivers is not None or cfg.waivers:  # (the waivers' module only when there are some)
            from kl21rules.waivers import check_rule_ids, load_waiver_file

            if waivers is not None:
                extra_waivers = load_waiver_file(waivers)
            check_rule_ids([*cfg.waivers, *extra_waivers], {r.id for r in registry.rules})
            from kl21rules.config import check_waiver_expiry
            from kl21rules.dates import today_vn

            check_waiver_expiry([*cfg.waivers, *extra_waivers], day or today_vn(), cfg.waiver_max_days)
    except ConfigError as exc:
        raise _bad(exc.vi, exc.en, lang) from None
    from kl21rules.batch import stream_check
    from kl21rules.check import CheckOptions

    options = CheckOptions(
        as_of=day,
        select=_split_ids(select) or tuple(cfg.select),
        ignore=_split_ids(ignore) + tuple(cfg.ignore),
        params=cfg.rule_params,
        lines=any(f in NEEDS_LINES or f not in BUILTIN for f, _ in outputs),
        rule_timeout=max(rule_timeout, 0.0),
    )
    from kl21rules import packs as _packs

    _packs.RULE_TIMEOUT = options.rule_timeout
    from kl21rules.check import selected

    chosen = selected(registry.rules, options.select, options.ignore)
    disabled = sorted(set(_split_plugins(plugins)[0]) | set(cfg.disable))
    if not chosen:
        raise _bad(
            "Không có quy tắc nào được xét: --select/--ignore, 'select'/'ignore'/'disable' trong cấu hình "
            "hoặc -p no:GÓI đã bỏ hết. Một lần kiểm tra không xét gì không thể cho kết quả đạt.",
            "No rule is selected: --select/--ignore, 'select'/'ignore'/'disable' in the configuration or "
            "-p no:PACK left none. A check that judges nothing cannot pass.", lang)
    narrowed_notices, narrowed = _narrowed(registry, chosen, disabled)
    engine_notices: list[Any] = []
    options.engine = engine
    if engine == "durable":  # the second engine (and durable-rules) is imported only when asked for
        from kl21rules.durable_engine import choose

        options.engine, engine_notices = choose(engine, chosen)
    progress = _Progress(enabled=_want_progress(quiet, output), lang=lang)
    report = stream_check(paths, registry, options, jobs=jobs, plugins=plugins or [], cfg=cfg,
                          waivers=extra_waivers, on_file=progress.advance)
    report.problems[:0] = _pack_problems(registry, lang) + narrowed_notices + engine_notices
    report.narrowed = narrowed
    progress.total = len(report.files)
    # What some formats take beyond the report: the packs' titles, the trend of an HTML report.
    extras: dict[str, dict[str, Any]] = {"text": {"show_all": show_all, "exit_zero": exit_zero}}
    titles = {p.name: p.title.get(lang) for p in registry.packs if p.title}
    extras["xlsx"] = {"pack_titles": titles}
    extras["html"] = {"pack_titles": titles}
    if trend is not None:
        from kl21rules.trend import compute_trend

        extras["html"]["trend"] = compute_trend(paths, registry, options, trend)
    if len(outputs) > 1:
        # Several reports of one run: the files are checked once, kept, and each report is
        # rendered from them (memory grows with the number of files, unlike a single report).
        with progress:
            report.files = list(report.files)
    for out_fmt, out_path in outputs:
        _write_report(report, out_fmt, out_path, formats, lang, fail_on=fail_on, quiet=quiet,
                      progress=progress if len(outputs) == 1 else None, extra=extras.get(out_fmt, {}))
    if output is not None or fmt not in ("text", "github"):
        # The report went to a file or a machine; a person at the terminal still hears of these.
        for p in report.problems:
            _say(f"kl21rules: {p.message(lang)}", err=True)
    from kl21rules.report import exit_code

    fatal = bool(registry.errors) or any(p.code == "config-error" for p in report.problems)
    code = exit_code(report, fail_on, fatal)
    if exit_zero and code == 1:
        code = 0
    raise typer.Exit(code)


def _outputs(fmt: str | None, output: Path | None, reports: list[str] | None, formats: dict[str, Any],
             lang: str) -> list[tuple[str, Path | None]]:
    """The reports a run writes: (format, file or ``None`` for standard output), the main one first.

    The main report's format is ``--format``, else the one ``--output``'s name asks for
    (:func:`format_of_path`), else text; a name that asks for another format than the one given
    is an error (``--format text --output kl21.sarif`` never writes text into a .sarif file), and
    so is a format that is not available. Each ``--report FORMAT:FILE`` adds one, with the same checks.
    """
    from kl21rules.output import BINARY

    names = ", ".join(sorted(formats))

    def known(name: str, where_vi: str, where_en: str) -> str:
        if name not in formats:
            raise _bad(f"Định dạng '{name}' ({where_vi}) không có; có: {names}.",
                       f"Format '{name}' ({where_en}) is not available; available: {names}.", lang)
        return name

    def agree(name: str, path: Path, opt: str) -> None:
        wanted = format_of_path(path)
        if wanted is not None and wanted != name:
            raise _bad(f"{opt}: tệp '{path}' có đuôi của định dạng {wanted}, mâu thuẫn với định dạng {name}; "
                       f"hãy đổi tên tệp hoặc bỏ chỉ định định dạng.",
                       f"{opt}: file '{path}' is named for format {wanted}, which contradicts format {name}; "
                       f"rename the file or leave the format out.", lang)

    if fmt is not None:
        main = known(fmt, "--format", "--format")
        if output is not None:
            agree(main, output, "--output")
    elif output is not None and format_of_path(output) is not None:
        main = known(str(format_of_path(output)), f"theo đuôi của --output {output}",
                     f"from the extension of --output {output}")
    else:
        main = "text"
    if main in BINARY and output is None:
        raise _bad(f"--format {main} ghi ra tệp: cần --output TỆP.{main} (không in ra màn hình).",
                   f"--format {main} writes a file: give --output FILE.{main} (it is not printed).", lang)
    outputs: list[tuple[str, Path | None]] = [(main, output)]
    for value in reports or []:
        name, sep, file = value.partition(":")
        if not sep or not name or not file:
            raise _bad(f"--report '{value}': cần dạng ĐỊNH_DẠNG:TỆP, ví dụ sarif:kl21.sarif.",
                       f"--report '{value}': expected FORMAT:FILE, e.g. sarif:kl21.sarif.", lang)
        path = Path(file)
        agree(known(name, f"--report {value}", f"--report {value}"), path, "--report")
        outputs.append((name, path))
    seen: set[str] = set()
    for _, target in outputs:
        if target is None:
            continue
        key = os.path.abspath(target)
        if key in seen:
            raise _bad(f"Tệp '{target}' được chỉ định cho hai báo cáo.", f"File '{target}' is given for two reports.",
                       lang)
        seen.add(key)
    return outputs


def _write_report(report: Any, fmt: str, path: Path | None, formats: dict[str, Any], lang: str, *,
                  fail_on: str, quiet: bool, progress: Any, extra: dict[str, Any] | None = None) -> None:
    """Render one report of the run in ``fmt`` to ``path`` (written whole or not at all) or to
    standard output. ``progress`` is entered while a streamed report checks its files; ``extra``
    are options of that format (``show_all`` for text, ``pack_titles``, ``trend``)."""
    import contextlib

    from kl21rules.output import BINARY, BUILTIN, builtin_streamer
    from kl21rules.output._sink import write_bytes_atomic, write_file_atomic, write_stream

    busy: Any = progress if progress is not None else contextlib.nullcontext()
    try:
        if fmt in BINARY:
            from kl21rules.output import binary_writer

            assert path is not None
            from kl21rules.output.xlsx import SheetError

            writer = binary_writer(fmt)
            try:
                with busy:
                    write_bytes_atomic(path, lambda handle: writer(report, lang, handle, **(extra or {})))
            except SheetError as exc:  # a pack's further sheet: named, exit 2, no workbook
                raise _bad(exc.message("vi"), exc.message("en"), lang) from None
            return
        if fmt in BUILTIN:
            color = False
            if fmt == "text" and path is None:
                from kl21rules.output.text import want_color

                color = want_color(sys.stdout.isatty(), os.environ)
            chunks: Any = builtin_streamer(fmt)(report, lang, color=color, fail_on=fail_on, quiet=quiet,
                                                **(extra or {}))
        else:
            # A pack's format gets the report as the hook promises it: files in a list.
            if not isinstance(report.files, list):
                report.files = list(report.files)
            chunks = iter([_plugin_format(formats[fmt], fmt, report, lang)])
        with busy:
            if path is None:
                write_stream(chunks)
            else:
                write_file_atomic(path, chunks)
    except OSError as exc:
        if path is None:
            raise
        raise _bad(f"Không ghi được '{path}': {os_reason(exc, 'vi')}.", f"Cannot write '{path}': {os_reason(exc, 'en')}.", lang) from None


def _plugin_format(render: Any, fmt: str, report: Any, lang: str) -> str:
    """A pack's format rendered; if it fails, the error names the format and its pack (exit 2)."""
    from kl21rules.interrupt import Interrupted

    try:
        text = render(report, lang)
        if not isinstance(text, str):
            raise TypeError(f"render() returned {type(text).__name__}, not str")
        return text
    except Interrupted:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit from a pack's format included
        pack = getattr(render, "__module__", None) or "?"
        raise _bad(f"Định dạng '{fmt}' (gói {pack}) bị lỗi: {type(exc).__name__}: {exc}",
                   f"Format '{fmt}' (pack {pack}) failed: {type(exc).__name__}: {exc}", lang) from None


def _want_progress(quiet: bool, output: Path | None) -> bool:
    """A progress bar only for a person watching: on a terminal (standard error), not in CI, not
    with ``--quiet``, and not while the report itself scrolls past on the same terminal."""
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return False
    return output is not None or not sys.stdout.isatty()


class _Progress:
    """A rich progress bar on standard error, shown only once a run has taken a moment."""

    DELAY = 0.5  # seconds before a bar appears: short runs never flash one

    def __init__(self, enabled: bool, lang: str) -> None:
        self.enabled, self.lang = enabled, lang
        self.total = 0
        self._bar: Any = None
        self._task: Any = None
        self._done = 0
        import time

        self._start = time.monotonic()

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, _file: Any = None) -> None:
        if not self.enabled:
            return
        self._done += 1
        if self._bar is None:
            import time

            if time.monotonic() - self._start < self.DELAY or self._done >= self.total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("kl21rules"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task("check", total=self.total, completed=self._done)
            self._bar.start()
            return
        self._bar.update(self._task, completed=self._done)


@commands.command()
def due(
    paths: Annotated[list[str], typer.Argument(metavar="PATH", help="Tệp, thư mục hoặc - (stdin) / files, folders or -")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Ngày xét / evaluation date")] = None,
    within: Annotated[int, typer.Option("--within", metavar="DAYS", help="Số ngày tới / days ahead")] = 30,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text|json|ics")] = "text",
    output: Annotated[Optional[Path], typer.Option("--output", metavar="FILE", help="Ghi ra tệp / write to file")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", metavar="FILE", help="Tệp cấu hình / configuration file")] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Không đọc tệp cấu hình nào / read no configuration file")
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", metavar="N", help="Số tiến trình / processes (0 = one per core)")] = 1,
    plugins: Plugins = None,
) -> None:
    """Việc sắp đến hạn / obligations not yet met, due within --within days of the evaluation date.

    Sorted by due date. --format ics writes an iCalendar file (one all-day event per obligation,
    a reminder 7 days before, the same UID for the same obligation on every run).
    """
    from kl21rules.config import ConfigError, load_config

    try:
        cfg = load_config(config, Path.cwd(), isolated=isolated)
    except ConfigError as exc:
        raise _bad(exc.vi, exc.en, _early_lang(lang)) from None
    lang = _resolve_lang(lang, cfg.lang)
    from kl21rules.due import RENDERERS, due_items, rule_meta

    if fmt not in RENDERERS:
        raise _bad(f"--format '{fmt}' không có; dùng text, json hoặc ics.",
                   f"unknown --format '{fmt}'; use text, json or ics.", lang)
    if within < 0:
        raise _bad("--within phải ≥ 0.", "--within must be ≥ 0.", lang)
    if jobs < 0:
        raise _bad("--jobs phải ≥ 0.", "--jobs must be ≥ 0.", lang)
    day = _parse_as_of(as_of, lang)
    registry = _registry(plugins, cfg)
    from kl21rules.batch import stream_check
    from kl21rules.check import CheckOptions
    from kl21rules.output import file_parts

    options = CheckOptions(as_of=day, select=tuple(cfg.select), ignore=tuple(cfg.ignore), params=cfg.rule_params)
    report = stream_check(paths, registry, options, jobs=jobs, plugins=plugins or [], cfg=cfg)
    items = []
    errors = 0
    for found, file_errors in file_parts(report, _due_part, within, lang):
        items.extend(found)
        for line in file_errors:
            errors += 1
            _say(f"kl21rules: {line}", err=True)
    for p in [*_pack_problems(registry, lang), *report.problems]:
        _say(f"kl21rules: {p.message(lang)}", err=True)
    text = RENDERERS[fmt](items, rule_meta(registry.rules), lang, within, day)
    try:
        _write_output(text, output)
    except OSError as exc:
        raise _bad(f"Không ghi được '{output}': {os_reason(exc, 'vi')}.", f"Cannot write '{output}': {os_reason(exc, 'en')}.", lang) from None
    raise typer.Exit(2 if errors or registry.errors else 0)


def _due_part(file: Any, within: int, lang: str) -> tuple[list[Any], list[str]]:
    """One file's due items and its input errors as lines (run where the file was checked)."""
    from kl21rules.due import due_items

    lines = [f"{file.path}: {e.message(lang)}" + (f" ({'line' if lang == 'en' else 'dòng'} {e.line})" if e.line else "")
             for e in file.errors]
    return due_items(file, within), lines


@commands.command("waivers")
def waivers_command(
    paths: Annotated[
        Optional[list[str]], typer.Argument(metavar="PATH", help="Tệp, thư mục để đối chiếu / files, folders to match against")
    ] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Ngày xét / evaluation date")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", metavar="FILE", help="Tệp cấu hình / configuration file")] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Không đọc tệp cấu hình nào / read no configuration file")
    ] = False,
    waivers: Annotated[
        Optional[Path], typer.Option("--waivers", metavar="FILE", help="Tệp miễn trừ (TOML/YAML) / waiver file")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text|json")] = "text",
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
    plugins: Plugins = None,
) -> None:
    """Các miễn trừ và trạng thái / list waivers: live, expired or unmatched.

    With files, each waiver is matched against their findings (live: it waived something;
    expired: it matched only past its expiry; unmatched). Without files: live or expired as of
    --as-of (default today).
    """
    from kl21rules.config import ConfigError, load_config

    try:
        cfg = load_config(config, Path.cwd(), isolated=isolated)
    except ConfigError as exc:
        raise _bad(exc.vi, exc.en, _early_lang(lang)) from None
    lang = _resolve_lang(lang, cfg.lang)
    if fmt not in ("text", "json"):
        raise _bad(f"--format '{fmt}' không có; dùng text hoặc json.", f"unknown --format '{fmt}'; use text or json.", lang)
    day = _parse_as_of(as_of, lang)
    from kl21rules.waivers import WaiverBook, check_rule_ids, load_waiver_file

    registry = _registry(plugins, cfg)
    try:
        specs = [*cfg.waivers, *(load_waiver_file(waivers) if waivers is not None else [])]
        check_rule_ids(specs, {r.id for r in registry.rules})
        from kl21rules.config import check_waiver_expiry
        from kl21rules.dates import today_vn

        check_waiver_expiry(specs, day or today_vn(), cfg.waiver_max_days)
    except ConfigError as exc:
        raise _bad(exc.vi, exc.en, lang) from None

    today = today_vn()
    book = WaiverBook(specs, today)
    input_errors = 0
    if paths:
        from kl21rules.batch import stream_check
        from kl21rules.check import CheckOptions

        options = CheckOptions(as_of=day, select=tuple(cfg.select), ignore=tuple(cfg.ignore), params=cfg.rule_params)
        report = stream_check(paths, registry, options, plugins=plugins or [], cfg=None, waivers=specs)
        book = report.files.waivers or book
        for f in report.files:
            for e in f.errors:
                input_errors += 1
                _say(f"kl21rules: {f.path}: {e.message(lang)}", err=True)
        states = [(st, st.state()) for st in book.states]
    else:
        when = day or today
        states = [(st, st.state(when)) for st in book.states]
    rows: list[dict[str, Any]] = [
        {"state": state, "rule": st.waiver.rule, "unit": st.waiver.unit, "period": st.waiver.period,
         "item": st.waiver.item, "expires": st.waiver.expires.isoformat(), "approver": st.waiver.approver,
         "reason": st.waiver.reason, "source": st.waiver.source,
         **({"applied": st.applied, "expired_matches": st.expired_hits} if paths else {})}
        for st, state in states
    ]
    if fmt == "json":
        import json

        _say(json.dumps({"waivers": rows}, ensure_ascii=False, indent=2))
    else:
        label = {"vi": {"live": "còn hiệu lực", "expired": "hết hạn", "unmatched": "không khớp"},
                 "en": {"live": "live", "expired": "expired", "unmatched": "unmatched"}}["en" if lang == "en" else "vi"]
        if not rows:
            _say("Không có miễn trừ nào." if lang != "en" else "No waivers.")
        for r in rows:
            target = " ".join(x for x in (r["rule"], r["unit"], r["period"], r["item"]) if x)
            until = ("đến" if lang != "en" else "until") + f" {r['expires']}"
            count = f" ×{r['applied']}" if paths and r["applied"] else ""
            by = f" ({r['approver']})" if r["approver"] else ""
            _say(f"{label[r['state']]:<14} {target:<32} {until}{count}  {r['reason']}{by}  [{r['source']}]")
    raise typer.Exit(2 if input_errors or registry.errors else 0)


@commands.command()
def rules(
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text|json")] = "text",
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
    plugins: Plugins = None,
) -> None:
    """Danh sách quy tắc / list the rules of every enabled pack."""
    lang = _resolve_lang(lang, _configured_lang())
    registry = _registry(plugins)
    rows = registry.rules
    if fmt == "json":
        import json

        data = [
            {"id": r.id, "pack": r.spec.pack, "severity": r.spec.severity, "refs": r.spec.refs,
             "kind": r.spec.obligation.kind, "title": r.spec.title.get(lang)}
            for r in rows
        ]
        _say(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "text":
        from kl21rules.output._common import SEVERITY_LABEL

        severity = SEVERITY_LABEL["en" if lang == "en" else "vi"]
        for r in rows:
            _say(f"{r.id:<9} {r.spec.pack:<10} {severity[r.spec.severity]:<9} {','.join(r.spec.refs):<14} "
                 f"{r.spec.title.get(lang)}")
    else:
        raise _bad(f"--format '{fmt}' không có; dùng text hoặc json.", f"unknown --format '{fmt}'; use text or json.", lang)
    for e in registry.errors:
        _say(e.describe(lang), err=True)
    raise typer.Exit(2 if registry.errors else 0)


@commands.command("lint-rules")
def lint_rules(
    paths: Annotated[list[str], typer.Argument(metavar="PATH", help="Tệp hoặc thư mục quy tắc (YAML) / ruleset files or folders")],
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text|json")] = "text",
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
    plugins: Plugins = None,
) -> None:
    """Kiểm tra tệp quy tắc, không chạy gì / check ruleset files only (for a pack's CI).

    Checks the rule model, filters, activity types (built-in and of the installed packs),
    fields of the submission model, the plan's clauses and declared parameters.
    Exit 0: no problem; 2: problems (each with file, line and a did-you-mean)."""
    from kl21rules.rules.lint import lint_files, ruleset_files

    lang = _resolve_lang(lang, _configured_lang())
    if fmt not in ("text", "json"):
        raise _bad(f"--format '{fmt}' không có; dùng text hoặc json.", f"unknown --format '{fmt}'; use text or json.", lang)
    files, missing = ruleset_files(paths)
    if missing:
        raise _bad(f"Không có tệp hoặc thư mục: {', '.join(missing)}", f"No such file or folder: {', '.join(missing)}", lang)
    registry = _registry(plugins)
    problems, count = lint_files(files, registry.activity_types)
    if fmt == "json":
        import json

        _say(json.dumps({"files": files, "rules": count, "problems": [
            {"file": p.file, "line": p.line, "rule": p.rule, "message": p.en if lang == "en" else p.vi}
            for p in problems]}, ensure_ascii=False, indent=2))
    else:
        for p in problems:
            _say(p.describe(lang))
        if lang == "en":
            _say(f"{len(files)} file(s), {count} rule(s), {len(problems)} problem(s)")
        else:
            _say(f"{len(files)} tệp, {count} quy tắc, {len(problems)} lỗi")
    raise typer.Exit(2 if problems or not files else 0)


@commands.command()
def explain(
    rule: Annotated[str, typer.Argument(metavar="RULE", help="Mã quy tắc / rule id, e.g. KL21-01")],
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
    plugins: Plugins = None,
) -> None:
    """Giải thích một quy tắc / one rule in full."""
    from kl21rules.explain import explain_rule

    lang = _resolve_lang(lang, _configured_lang())
    registry = _registry(plugins)
    found = registry.rule(rule.upper())
    if found is None:
        import difflib

        ids = [r.id for r in registry.rules]
        near = difflib.get_close_matches(rule.upper(), ids, n=1)
        hint_vi = f" Có phải là {near[0]}?" if near else ""
        hint_en = f" Did you mean {near[0]}?" if near else ""
        raise _bad(f"Không có quy tắc '{rule}'.{hint_vi}", f"No rule '{rule}'.{hint_en}", lang)
    _say(explain_rule(found, registry, lang))


@commands.command()
def schema(
    rules: Annotated[bool, typer.Option("--rules", help="JSON Schema của tệp quy tắc / of ruleset files")] = False,
    plugins: Plugins = None,
) -> None:
    """JSON Schema của báo cáo (hoặc của tệp quy tắc với --rules) / the submission's JSON Schema
    (or, with --rules, the ruleset files'), with the activity types of the installed packs."""
    registry = _registry(plugins)
    if rules:
        from kl21rules.ruleschema import ruleset_schema_text

        sys.stdout.write(ruleset_schema_text(registry.activity_types))
        return
    from kl21rules.schema import schema_text

    sys.stdout.write(schema_text(registry.activity_types))


@commands.command("new-pack")
def new_pack(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Tên gói / pack name (so_y_te)")],
    directory: Annotated[Path, typer.Option("--dir", metavar="DIR", help="Thư mục đặt gói / where to write it")] = Path("."),
    prefix: Annotated[Optional[str], typer.Option("--prefix", metavar="PREFIX", help="Tiền tố mã quy tắc / rule-id prefix (SYT)")] = None,
    title_vi: Annotated[Optional[str], typer.Option("--title-vi", metavar="TEXT", help="Tên gói tiếng Việt / title in Vietnamese")] = None,
    title_en: Annotated[Optional[str], typer.Option("--title-en", metavar="TEXT", help="Tên gói tiếng Anh / title in English")] = None,
    author: Annotated[str, typer.Option("--author", metavar="NAME", help="Người phụ trách / author")] = "",
    requirement: Annotated[str, typer.Option("--kl21rules-requirement", metavar="SPEC",
                                             help="Yêu cầu kl21rules trong pyproject và CI / how the pack requires kl21rules")]
    = "kl21rules>=0.1",
    allow_kl21: Annotated[bool, typer.Option("--allow-kl21-prefix",
                                             help="Cho dùng tiền tố KL21 của gói có sẵn / allow the built-in prefix")] = False,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Hỏi từng mục / ask for each field")] = False,
    force: Annotated[bool, typer.Option("--force", help="Ghi vào thư mục đã có / write into a non-empty folder")] = False,
    lang: Lang = "vi",
) -> None:
    """Tạo khung một gói quy tắc / scaffold an installable rule pack (pyproject, hooks, a declarative
    and a Python rule, cases, tests, README, CI); then pip install -e . and pytest in it."""
    from kl21rules.newpack import PackOptionError, PackOptions, check_options, default_prefix, write_pack
    from kl21rules.ruleschema import ruleset_schema_text

    if interactive:
        title_vi = typer.prompt("Tên gói (tiếng Việt) / title (Vietnamese)", default=title_vi or f"Quy định của {name}")
        title_en = typer.prompt("Tên gói (tiếng Anh) / title (English)", default=title_en or f"Rules of {name}")
        prefix = typer.prompt("Tiền tố mã quy tắc / rule-id prefix", default=prefix or default_prefix(name))
        author = typer.prompt("Người phụ trách / author", default=author or "", show_default=False)
    options = PackOptions(
        name=name,
        prefix=(prefix or default_prefix(name)).strip(),
        title_vi=(title_vi or f"Quy định của {name}").strip(),
        title_en=(title_en or f"Rules of {name}").strip(),
        author=author.strip(),
        kl21rules_requirement=requirement.strip(),
    )
    registry = _registry(None)
    try:
        check_options(options, {p.name for p in registry.packs}, allow_kl21)
        target = directory / options.dist
        written = write_pack(target, options, ruleset_schema_text(registry.activity_types), force)
    except PackOptionError as exc:
        raise _bad(exc.vi, exc.en, lang) from None
    except OSError as exc:
        raise _bad(f"không ghi được: {exc}", f"cannot write: {exc}", lang) from None
    if lang == "en":
        _say(f"Pack '{options.name}' written to {target} ({len(written)} files; rule ids {options.prefix}-01, "
             f"{options.prefix}-02). Next:\n  cd {target} && pip install -e '.[test]' && pytest && kl21rules plugins")
    else:
        _say(f"Đã tạo gói '{options.name}' tại {target} ({len(written)} tệp; mã quy tắc {options.prefix}-01, "
             f"{options.prefix}-02). Tiếp theo:\n  cd {target} && pip install -e '.[test]' && pytest && kl21rules plugins")


@commands.command()
def init(
    output: Annotated[Optional[Path], typer.Argument(metavar="FILE", help="Tệp để ghi (mặc định: stdout) / file to write")] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp có sẵn / overwrite")] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
) -> None:
    """Tạo báo cáo mẫu / write a starter submission: YAML with Vietnamese comments, or by the
    file's extension an Excel workbook (.xlsx: drop-down lists, instructions) or JSON."""
    from kl21rules.starter import STARTER

    lang = _resolve_lang(lang, _configured_lang())
    if output is None or str(output) == "-":
        sys.stdout.write(STARTER)
        return
    if output.exists() and not force:
        raise _bad(f"Tệp '{output}' đã có; dùng --force để ghi đè.", f"'{output}' exists; use --force to overwrite.",
                   lang)
    from kl21rules.convert import format_of

    fmt = format_of(output)
    if fmt in ("xlsx", "json"):
        from kl21rules.convert import read_submission, render
        from kl21rules.output._sink import write_bytes_atomic

        registry = _registry(None)
        starter, _errors = read_submission("starter.yaml", STARTER.encode("utf-8"), registry.activity_types)
        assert starter is not None, _errors
        data = render(starter, fmt, registry.activity_types)
        write_bytes_atomic(output, lambda handle: _write_all(handle, data))
    else:
        from kl21rules.fsutil import write_atomic

        write_atomic(output, STARTER)
    _say(f"Written: {output}" if lang == "en" else f"Đã ghi: {output}")


def _write_all(handle: Any, data: bytes) -> None:
    handle.write(data)


@commands.command()
def convert(
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="Tệp báo cáo (.xlsx, .yaml, .json) / submission to read")],
    target: Annotated[Path, typer.Argument(metavar="TARGET", help="Tệp để ghi; định dạng theo đuôi tệp / file to write, format by extension")],
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp có sẵn / overwrite")] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
    plugins: Plugins = None,
) -> None:
    """Chuyển báo cáo giữa Excel, YAML và JSON / convert a submission between .xlsx, .yaml and .json.

    Chỉ chuyển báo cáo hợp lệ; mọi trường được giữ nguyên. Only a valid submission is converted;
    every field is kept, and check finds the same in each form.
    """
    lang = _resolve_lang(lang, _configured_lang())
    from kl21rules.convert import format_of, read_submission, render

    fmt = format_of(target)
    if fmt is None:
        raise _bad(f"Không biết ghi '{target}' dạng gì: đuôi tệp phải là .xlsx, .yaml, .yml hoặc .json.",
                   f"Cannot tell the format of '{target}': its extension must be .xlsx, .yaml, .yml or .json.", lang)
    if format_of(source) is None:
        raise _bad(f"Không biết đọc '{source}' dạng gì: đuôi tệp phải là .xlsx, .yaml, .yml hoặc .json.",
                   f"Cannot tell the format of '{source}': its extension must be .xlsx, .yaml, .yml or .json.", lang)
    if target.exists() and not force:
        raise _bad(f"Tệp '{target}' đã có; dùng --force để ghi đè.", f"'{target}' exists; use --force to overwrite.", lang)
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise _bad("Tệp nguồn và tệp đích là một.", "The source and the target are the same file.", lang)
    from kl21rules.check import read_target

    raw, error = read_target(str(source), source)
    if raw is None:
        assert error is not None
        raise _bad(error.message(lang), error.message(lang), lang)
    registry = _registry(plugins)
    submission, errors = read_submission(str(source), raw, registry.activity_types)
    if submission is None:
        for e in errors:
            where = e.pointer or "/"
            if e.line is not None:
                where += f" ({'line' if lang == 'en' else 'dòng'} {e.line})"
            _say(f"kl21rules: {source}: {where}: {e.message(lang)}", err=True)
        raise _bad(f"Không chuyển '{source}': báo cáo có {len(errors)} lỗi đầu vào (xem trên).",
                   f"'{source}' not converted: the submission has {len(errors)} input error(s) (above).", lang)
    from kl21rules.xlsx import ConvertError

    try:
        data = render(submission, fmt, registry.activity_types)
    except ConvertError as exc:
        raise _bad(f"Không chuyển '{source}': {exc.vi}", f"'{source}' not converted: {exc.en}", lang) from None
    from kl21rules.output._sink import write_bytes_atomic

    try:
        write_bytes_atomic(target, lambda handle: _write_all(handle, data))
    except OSError as exc:
        raise _bad(f"Không ghi được '{target}': {os_reason(exc, 'vi')}.", f"Cannot write '{target}': {os_reason(exc, 'en')}.", lang) from None
    _say(f"Written: {target}" if lang == "en" else f"Đã ghi: {target}")


@commands.command()
def plugins(
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text|json")] = "text",
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help="vi|en")] = None,
    plugins: Plugins = None,
) -> None:
    """Các gói quy tắc / the packs found, their origin, version and rule count."""
    lang = _resolve_lang(lang, _configured_lang())
    registry = _registry(plugins)
    if fmt == "json":
        import json

        data = [{"name": p.name, "origin": p.origin, "version": p.version, "rules": len(p.rules),
                 "title": p.title.get(lang) if p.title else None} for p in registry.packs]
        _say(json.dumps({"packs": data, "errors": [e.describe(lang) for e in registry.errors]},
                        ensure_ascii=False, indent=2))
    else:
        for p in registry.packs:
            title = p.title.get(lang) if p.title else ""
            _say(f"{p.name:<12} {p.origin:<22} {p.version:<10} {len(p.rules):>3}  {title}")
        for e in registry.errors:
            _say(f"! {e.describe(lang)}")
    raise typer.Exit(2 if registry.errors else 0)


def _version_callback(value: bool) -> None:
    if value:
        registry = _registry(None)
        _say(f"kl21rules {__version__}")
        for name, version in registry.versions().items():
            _say(f"  {name} {version}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version_callback, is_eager=True,
                           help="Phiên bản của công cụ và các gói / version of the tool and of each pack")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="In traceback của gói, quy tắc bị lỗi (dùng được ở mọi lệnh) / print the "
                                           "traceback of a failing pack or rule (any command; KL21RULES_DEBUG=1)")
    ] = False,
) -> None:
    """kl21rules: kiểm tra báo cáo thực hiện Kết luận 21-KL/TW theo Kế hoạch 40-KH/ĐUK."""
    if debug:
        os.environ["KL21RULES_DEBUG"] = "1"


resolve_annotations(_root)  # the commands' own are resolved when one is built (kl21rules/_lazycli.py)


def _argv_lang(argv: list[str]) -> str:
    """The language asked for on a command line that could not be parsed (for its error)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "vi"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "vi"
    env = os.environ.get(LANG_ENV)
    if env in ("vi", "en"):
        return env
    return "en" if _configured_lang() == "en" else "vi"


def _kinds(exc: BaseException) -> set[str]:
    """The class names of an exception and its bases: typer may raise click's exceptions or
    those of the copy of click it carries, so the kind is told by name."""
    return {k.__name__ for k in type(exc).__mro__}


def _usage_error_vi(exc: Any) -> str:
    """A command-line error in Vietnamese, from its kind and its parts (click's text is English)."""
    import re

    kinds = _kinds(exc)
    message = str(getattr(exc, "message", "") or exc)

    def name(param: Any) -> str:
        if param is None:
            return ""
        opts = getattr(param, "opts", None) or []
        if getattr(param, "param_type_name", "") == "argument" or not opts:
            return str(getattr(param, "human_readable_name", "") or getattr(param, "name", "")).upper()
        return " / ".join(opts)

    if "NoSuchOption" in kinds:
        near = sorted(getattr(exc, "possibilities", None) or [])
        hint = f" Có phải là {', '.join(near)}?" if near else ""
        return f"Không có tùy chọn {getattr(exc, 'option_name', '')}.{hint}"
    if "BadOptionUsage" in kinds:
        match = re.search(r"Option '([^']+)' requires an argument", message)
        if match:
            return f"Tùy chọn {match.group(1)} cần một giá trị."
        return f"Dùng sai tùy chọn {getattr(exc, 'option_name', '')}."
    if "MissingParameter" in kinds:
        param = getattr(exc, "param", None)
        is_argument = getattr(exc, "param_type", None) == "argument" or (
            param is not None and getattr(param, "param_type_name", "") == "argument")
        return f"Thiếu {'đối số' if is_argument else 'tùy chọn'} {name(param)}."
    if "BadParameter" in kinds:
        why = "giá trị không hợp lệ"
        for pattern, vi in (
            (r"valid integer", "cần một số nguyên"),
            (r"valid (?:float|number)", "cần một số"),
            (r"valid bool", "cần true hoặc false"),
            (r"'(.*)' is not one of (.*)\.", "'{0}' không có trong danh sách: {1}"),
            (r"'(.*)' is not in the range (.*)\.", "'{0}' nằm ngoài khoảng {1}"),
            (r"(?:File|Path|Directory) '(.*)' does not exist", "không có tệp hoặc thư mục '{0}'"),
        ):
            match = re.search(pattern, message)
            if match:
                why = vi.format(*match.groups())
                break
        where = name(getattr(exc, "param", None))
        return f"Giá trị không hợp lệ cho {where}: {why}." if where else f"Giá trị không hợp lệ: {why}."
    match = re.match(r"No such command '(.*?)'\.(?: Did you mean (.*)\?)?", message)
    if match:
        hint = f" Có phải là {match.group(2)}?" if match.group(2) else ""
        return f"Không có lệnh '{match.group(1)}'.{hint} Xem 'kl21rules --help' để biết các lệnh."
    match = re.match(r"Got unexpected extra arguments? \((.*)\)", message)
    if match:
        return f"Thừa đối số: {match.group(1)}."
    return f"Dòng lệnh không hợp lệ: {message}"


def _show_usage_error(exc: Any, lang: str) -> None:
    """Print a usage error as click does, in Vietnamese unless ``lang`` is ``en``."""
    if lang == "en":
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    lines: list[str] = []
    if ctx is not None:
        usage = ctx.get_usage()
        lines.append(usage.replace("Usage:", "Cách dùng:", 1))
        lines.append(f"Xem '{ctx.command_path} --help' để biết thêm.")
        lines.append("")
    lines.append(f"Lỗi: {_usage_error_vi(exc)}")
    sys.stderr.write("\n".join(lines) + "\n")


def _take_debug(argv: list[str]) -> bool:
    """Remove ``--debug`` from ``argv`` wherever it stands (before a ``--``); whether it was there."""
    end = argv.index("--") if "--" in argv else len(argv)
    found = "--debug" in argv[:end]
    if found:
        argv[:end] = [a for a in argv[:end] if a != "--debug"]
    return found


def _utf8_streams() -> None:
    """Standard output and error write UTF-8 whatever the console's or the locale's encoding
    (``PYTHONIOENCODING=cp1258``, a Windows console redirected to a file): a report is UTF-8,
    and a character that cannot be written (a lone surrogate) never stops it."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (str(getattr(stream, "encoding", "")).lower().replace("-", "") != "utf8"
                                        or getattr(stream, "errors", "") == "strict"):
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # a stream already written to in another encoding
                pass


def _stopped(signum: int) -> None:
    """End an interrupted run at once: its partial output file is already removed on the way out;
    worker processes are killed, never waited for."""
    if "kl21rules.batch" in sys.modules:
        from kl21rules.batch import abandon_all

        abandon_all()
    sys.stderr.write("kl21rules: đã dừng / interrupted\n")
    sys.exit(128 + signum)


def main() -> None:
    """Entry point of the ``kl21rules`` script: never a traceback for the user (but with ``--debug``
    or ``KL21RULES_DEBUG=1``); command-line mistakes (an unknown option, a missing argument) said in
    the user's language."""
    argv = sys.argv[1:]
    if _take_debug(argv):
        os.environ["KL21RULES_DEBUG"] = "1"  # read by packs, rules and workers
    from kl21rules import interrupt

    _utf8_streams()
    interrupt.install()
    try:
        code = app(args=argv, standalone_mode=False)
        if interrupt.received is not None:  # typer made the interruption an exit code 130
            _stopped(interrupt.received)
        sys.exit(code if isinstance(code, int) else 0)
    except SystemExit:
        raise
    except interrupt.Interrupted as stop:
        _stopped(stop.signum)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        kinds = _kinds(exc)
        if "NoArgsIsHelpError" in kinds:  # no command at all: the help, as click shows it
            exc.show()  # type: ignore[attr-defined]
            sys.exit(int(getattr(exc, "exit_code", 2)))
        if "ClickException" in kinds:
            _show_usage_error(exc, _argv_lang(argv))
            sys.exit(int(getattr(exc, "exit_code", 2)))
        if "Abort" in kinds:
            sys.stderr.write("Aborted!\n" if _argv_lang(argv) == "en" else "Đã dừng.\n")
            sys.exit(1)
        if os.environ.get("KL21RULES_DEBUG", "") not in ("", "0"):
            raise
        sys.stderr.write(  # a bug in kl21rules itself: say so plainly, exit 2
            f"kl21rules: lỗi nội bộ / internal error: {type(exc).__name__}: {exc}\n"
            "Thêm --debug (hoặc KL21RULES_DEBUG=1) để xem chi tiết / add --debug (or KL21RULES_DEBUG=1) for details.\n"
        )
        sys.exit(2)
