"""typer, built lazily: only the command that runs is turned into a click command, and its
options are read without pydantic where typer's own reading would give the same value.

typer 0.29 builds every registered command's click command (signature, annotations, one
``TyperOption`` per option) each time the program starts, and reads each option's value through a
pydantic ``TypeAdapter`` — importing ``typer._adapters`` and pydantic's schema machinery and
building one adapter per option: 66–72 ms of a one-file check, of which the pydantic imports
(about 35 ms) are needed by kl21rules' own models anyway. Here:

* :class:`LazyGroup` is the ``cls`` of the root ``typer.Typer``: its commands are a mapping that
  builds a command with typer's own ``get_command_from_info`` the first time it is looked up
  (``--help``, which lists every command, still builds them all);
* :func:`prepare` gives each typer parameter of a built command a reader that handles the plain
  cases (``str``, ``bool``, ``int``, ``float``, ``Path``, ``list[str]``) directly and hands every
  other value, and every value it would not accept the same way, to the reader typer would have
  built — so the values, the errors and their messages are typer's;
* :func:`resolve_annotations` evaluates a command's annotations once before typer reads them.

The readers stand in for typer's private ones, so they are installed only with the typer version
they were checked against (``tests/test_cli_lazy.py`` compares them value by value); with another
version, or with ``KL21RULES_TYPER_ADAPTERS=1``, typer reads the options itself: slower, never
different.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

#: The typer versions whose private reading of values (typer._coercion) the readers were checked against.
CHECKED_TYPER = ("0.29",)

try:  # typer's private reading of values; without it, typer keeps its own
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover - another typer
    RuntimeParam = None  # type: ignore[assignment,misc]

#: Whether :func:`prepare` installs the fast readers (the version is one they were checked against).
FAST = RuntimeParam is not None and ".".join(typer.__version__.split(".")[:2]) in CHECKED_TYPER

_INT = re.compile(r"-?[0-9]{1,18}")
_FLOAT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def _plain_info(info: Any) -> bool:
    """Whether an option declares nothing that changes how its value is read."""
    return getattr(info, "parser", None) is None and getattr(info, "click_type", None) is None


#: A fast reader: (value, the option's ParameterInfo, the parameter, the context) -> the value, or
#: :data:`_DECLINE` to let typer read it.
Reader = Callable[[Any, Any, Any, Any], Any]


def _reader(annotation: Any, info: Any) -> Reader | None:
    """A fast reader for a value of ``annotation``: returns the value, or :data:`_DECLINE`."""
    if not _plain_info(info):
        return None
    if annotation is str:
        return _read_str
    if annotation is bool:
        return _read_bool
    if annotation is int:
        return _read_int
    if annotation is float:
        return _read_float
    if annotation is Path and getattr(info, "path_type", None) is None:
        return _read_path
    if getattr(annotation, "__origin__", None) is list and getattr(annotation, "__args__", None) == (str,):
        return _read_str_list
    return None


_DECLINE = object()


def _read_str(value: Any, info: Any, param: Any, ctx: Any) -> Any:
    return value if type(value) is str else _DECLINE


def _read_bool(value: Any, info: Any, param: Any, ctx: Any) -> Any:
    return value if type(value) is bool else _DECLINE


def _read_int(value: Any, info: Any, param: Any, ctx: Any) -> Any:
    if type(value) is int:
        return value
    if type(value) is str and _INT.fullmatch(value):
        return int(value)
    return _DECLINE


def _read_float(value: Any, info: Any, param: Any, ctx: Any) -> Any:
    if type(value) is float:
        return value
    if type(value) is str and _FLOAT.fullmatch(value):
        return float(value)
    return _DECLINE


def _read_path(value: Any, info: Any, param: Any, ctx: Any) -> Any:
    if type(value) is str:
        path: Any = Path(value)
    elif isinstance(value, Path):
        path = value
    else:
        return _DECLINE
    try:
        # typer's own checks (exists, file/dir, readable, …) on the path typer would have made;
        # a value they refuse goes to typer again, whose message names it as it was typed.
        return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
    except (typer.BadParameter, ValueError, OSError):
        return _DECLINE


def _read_str_list(value: Any, info: Any, param: Any, ctx: Any) -> Any:
    if isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
        return list(value)
    return _DECLINE


if RuntimeParam is not None:

    class FastParam(RuntimeParam):
        """A typer parameter's reader: the plain cases here, anything else as typer reads it.
        (Not a dataclass of its own: making one costs about half a millisecond at start-up.)"""

        read: Reader
        descriptor: Any

        def __init__(self, descriptor: Any, read: Reader) -> None:
            super().__init__(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
            object.__setattr__(self, "read", read)
            object.__setattr__(self, "descriptor", descriptor)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            got = self.read(value, self.parameter_info, param, ctx)
            if got is _DECLINE:
                return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
            return got


def prepare(command: Any, ctx: Any) -> None:
    """Give the typer parameters of ``command`` (not yet read, its help option included) the fast
    reader where one applies."""
    if not FAST or os.environ.get("KL21RULES_TYPER_ADAPTERS"):
        return
    for param in command.get_params(ctx):
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", _DECLINE) is not None:
            continue
        if getattr(descriptor, "file_annotation", None) is not None:
            continue
        read = _reader(descriptor.annotation, descriptor.parameter_info)
        if read is not None:
            param._runtime_param = FastParam(descriptor, read)


def resolve_annotations(function: Any) -> None:
    """Evaluate a command function's annotations once, in place.

    Under ``from __future__ import annotations`` they are strings, and typer reads a command's
    signature several times while building it (``inspect.signature(eval_str=True)`` and
    ``get_type_hints``), evaluating every ``Annotated[..., typer.Option(...)]`` anew each time:
    for ``check``'s twenty options, about a hundred evaluations. With the values in place typer
    reads them as it reads a module written without that import (the same objects). If they
    cannot be evaluated, they are left as they are and typer reports what it reports."""
    import inspect

    try:
        function.__annotations__ = inspect.get_annotations(function, eval_str=True)
    except Exception:  # noqa: BLE001 - typer evaluates them itself and says what is wrong
        return


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name, each built (and prepared) the first time it is looked up."""

    def __init__(self, infos: list[Any], build: Callable[[Any], Any]) -> None:
        self._infos: dict[str, Any] = {}
        for info in infos:
            self._infos[info.name or typer.main.get_command_name(info.callback.__name__)] = info
        self._built: dict[str, Any] = {}
        self._build = build

    def __getitem__(self, name: str) -> Any:
        command = self._built.get(name)
        if command is None:
            info = self._infos[name]  # KeyError for an unknown command, as a dict
            command = self._built[name] = self._build(info)
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._infos.setdefault(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._infos[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos


#: The commands of the program, registered by ``@commands.command()`` (read when one is looked up).
commands = typer.Typer()


class LazyGroup(TyperGroup):
    """The root group: commands built on first use (see :class:`LazyCommands`)."""

    def __init__(self, **attrs: Any) -> None:
        given = attrs.pop("commands", None) or {}
        short = True
        markup = attrs.get("rich_markup_mode")

        def build(info: Any) -> Any:
            if info.cls in (None, TyperCommand):
                info.cls = FastCommand
            resolve_annotations(info.callback)
            return typer.main.get_command_from_info(info, pretty_exceptions_short=short, rich_markup_mode=markup)

        lazy: Any = LazyCommands(commands.registered_commands, build)
        super().__init__(commands=lazy, **attrs)
        for name, command in dict(given).items():
            self.commands[name] = command

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        prepare(self, ctx)
        return super().parse_args(ctx, args)


class FastCommand(TyperCommand):
    """A command whose options are read by :func:`prepare`'s readers."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        prepare(self, ctx)
        return super().parse_args(ctx, args)
