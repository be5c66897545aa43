"""Output formats: each renders the one :class:`~kl21rules.report.Report` model.

Renderers are looked up by name; packs may add formats (hook ``kl21rules_formats``, a function
``render(report, lang) -> str`` given the report with its files in a list). The built-in formats
live in their own modules, imported only when asked for, so start-up stays small; each has
``stream(report, lang, **options)`` yielding the text piece by piece while it goes through
``report.files`` once (a batch of any size is never held in memory), and ``render`` returning it
whole. Each file's part is rendered by a function of the file alone (:func:`file_parts`),
so that a batch's workers can render it.

Options a built-in renderer understands (others are ignored): ``color`` (text: ANSI colours),
``width`` (text: terminal width), ``fail_on`` (the ``--fail-on`` level: junit, github, sarif and
markdown show which fails make the exit code 1).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from kl21rules.report import Report

Renderer = Callable[..., str]
Streamer = Callable[..., Iterator[str]]

#: name -> module of each built-in format.
BUILTIN: dict[str, str] = {
    "text": "kl21rules.output.text",
    "json": "kl21rules.output.jsonfmt",
    "junit": "kl21rules.output.junit",
    "sarif": "kl21rules.output.sarif",
    "markdown": "kl21rules.output.markdown",
    "github": "kl21rules.output.github",
    "xlsx": "kl21rules.output.xlsx",
    "html": "kl21rules.output.html",
}
#: formats written as bytes to a file (``--output`` required), not streamed as text.
BINARY = frozenset({"xlsx"})
#: formats that place findings at a line of the file, so the check must keep lines.
NEEDS_LINES = frozenset({"junit", "sarif", "github"})


def builtin_formats() -> dict[str, Renderer]:
    """The built-in formats as ``render(report, lang, **options) -> str``, imported lazily."""

    def lazy(module: str) -> Renderer:
        def render(report: Report, lang: str = "vi", **kw: Any) -> str:
            format_render: Renderer = importlib.import_module(module).render
            return format_render(report, lang, **kw)

        return render

    return {name: lazy(module) for name, module in BUILTIN.items()}


def file_parts(report: Report, render: Callable[..., Any], *args: Any) -> Iterator[Any]:
    """Each file's ``render(file, *args)``, in order, going through ``report.files`` once.

    A streamed batch renders them where it checks the files (its workers with ``--jobs``), so
    the process writing the report only joins text; ``render`` is then a module's function and
    ``args`` are picklable. A report held in a list is rendered here.
    """
    each = getattr(report.files, "render_each", None)
    if each is not None:
        parts: Iterator[Any] = each(render, *args)
        return parts
    return (render(f, *args) for f in report.iter_files())


def builtin_streamer(name: str) -> Streamer:
    """The ``stream`` function of a built-in format."""
    stream: Streamer = importlib.import_module(BUILTIN[name]).stream
    return stream


def binary_writer(name: str) -> Callable[..., None]:
    """The ``write_report(report, lang, out)`` function of a built-in format written as bytes
    (:data:`BINARY`): it writes the whole report to the binary file ``out``."""
    write: Callable[..., None] = importlib.import_module(BUILTIN[name]).write_report
    return write
