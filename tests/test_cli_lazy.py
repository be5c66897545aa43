"""The command line built lazily (kl21rules/_lazycli.py): only the command that runs is built, its
options are read without pydantic where that gives typer's own value, and nothing a user sees
changes — same values, same errors, same help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kl21rules import _lazycli
from kl21rules.cli import app

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "chi-bo-truong-thpt-hoc-muon-2022.yaml"

VALUES: dict[Any, list[Any]] = {
    str: ["a", "", "é", "\udcff", " x ", "--x", 5, None],
    bool: [True, False, "true", "0", 1],
    int: ["0", "7", "-3", "007", "123456789012345678", "1234567890123456789012", "+4", " 5", "1_000", "abc", "1.5",
          "", "٣", "-", 3, True, 2.0],
    float: ["10", "0.5", "-2.25", "007.5", "5.", "+1", "1e3", "inf", "nan", "abc", "", "1.2.3", "١", 3.5, 2, True],
    Path: ["a", "", ".", "a//b/", "./x", "~/x", "a\x00b", "\udcff", str(SAMPLE), str(REPO), Path("p")],
    list[str]: [["a", "b"], ("a",), (), ["a", 1], "a", [Path("x")]],
}


def _outcome(runtime: Any, value: Any) -> tuple[str, Any]:
    try:
        got = runtime._coerce_value(value, param=None, ctx=None)
    except Exception as exc:  # noqa: BLE001 - the kind and message are compared
        return "error", (type(exc).__name__, str(getattr(exc, "message", exc)))
    return "value", (type(got), got if not isinstance(got, float) or got == got else "nan")


needs_checked_typer = pytest.mark.skipif(
    not _lazycli.FAST, reason=f"typer {typer.__version__}: the fast readers are checked against typer "
                              f"{', '.join(_lazycli.CHECKED_TYPER)} only; compare them with this one's and add it")


@needs_checked_typer
@pytest.mark.parametrize("annotation", list(VALUES), ids=lambda a: getattr(a, "__name__", str(a)))
def test_fast_readers_give_typers_own_values_and_errors(annotation: Any) -> None:
    from typer._coercion import build_runtime_param, resolve_type_descriptor
    from typer.models import OptionInfo

    descriptor = resolve_type_descriptor(annotation, OptionInfo())
    read = _lazycli._reader(annotation, descriptor.parameter_info)
    assert read is not None
    fast = _lazycli.FastParam(descriptor, read)
    typers = build_runtime_param(descriptor)
    taken = 0
    for value in VALUES[annotation]:
        assert _outcome(fast, value) == _outcome(typers, value), value
        taken += read(value, descriptor.parameter_info, None, None) is not _lazycli._DECLINE
    assert taken >= 2  # the fast path is exercised, not only the hand-over


def test_an_option_with_a_parser_or_another_type_is_left_to_typer() -> None:
    from typer.models import OptionInfo

    assert _lazycli._reader(str, OptionInfo(parser=str)) is None
    assert _lazycli._reader(list[int], OptionInfo()) is None
    assert _lazycli._reader(Path, OptionInfo(path_type=str)) is None


def test_only_the_command_looked_up_is_built() -> None:
    group: Any = typer.main.get_command(app)
    lazy = group.commands
    assert isinstance(lazy, _lazycli.LazyCommands)
    assert "check" in lazy and "nope" not in lazy
    assert not lazy._built
    assert group.get_command(None, "check") is lazy["check"]
    assert set(lazy._built) == {"check"}
    assert group.get_command(None, "nope") is None
    assert list(group.list_commands(None))[:3] == ["check", "due", "waivers"]
    assert set(lazy._built) == {"check"}


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [
    ("check", str(SAMPLE), "--jobs", "x"),
    ("check", str(SAMPLE), "--jobs", " 2", "--format", "json", "--as-of", "2023-01-01"),
    ("check", str(SAMPLE), "--rule-timeout", "abc"),
    ("check", str(SAMPLE), "--rule-timeout", "1e1", "--format", "json", "--as-of", "2023-01-01"),
    ("check", str(SAMPLE), "--output", str(REPO), "--lang", "en"),
    ("due", str(SAMPLE), "--within", "1.5"),
    ("check", "--help"),
    ("-h",),
])
def test_the_command_line_reads_as_typer_reads_it(args: tuple[str, ...]) -> None:
    """The same run with typer's own pydantic readers (KL21RULES_TYPER_ADAPTERS=1) and with the fast
    ones: same exit code, same output, same errors."""
    fast = _run(*args)
    typers = _run(*args, env={"KL21RULES_TYPER_ADAPTERS": "1"})
    assert fast == typers


@needs_checked_typer
def test_a_one_file_check_imports_no_pydantic_adapter_for_its_options(tmp_path: Path) -> None:
    code = ("import sys; from kl21rules.cli import main; sys.argv = ['kl21rules', 'check', sys.argv[1], '--format', "
            "'json', '-o', sys.argv[2]]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m == 'typer._adapters'))")
    env = {k: v for k, v in os.environ.items() if k != "KL21RULES_TYPER_ADAPTERS"}
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLE), str(tmp_path / "r.json")], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr
    assert (tmp_path / "r.json").read_text(encoding="utf-8").startswith("{")


def test_resolved_annotations_read_as_typer_reads_the_strings() -> None:
    """Every command's parameters, as typer reads them, are the same whether their annotations are
    still the strings of ``from __future__ import annotations`` or were evaluated in place."""
    import types

    from typer.utils import get_params_from_function

    def described(function: Any) -> list[tuple[str, str, Any, Any]]:
        out = []
        for name, meta in get_params_from_function(function).items():
            default = meta.default
            shown = (type(default).__name__, sorted((k, repr(v)) for k, v in vars(default).items())) \
                if hasattr(default, "__dict__") else default
            out.append((name, repr(meta.annotation), shown, repr(default) if not hasattr(default, "__dict__") else ""))
        return out

    from kl21rules.cli import _root

    infos = [*_lazycli.commands.registered_commands]
    assert len(infos) >= 11
    for function in [info.callback for info in infos] + [_root]:
        strings = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                                     function.__defaults__, function.__closure__)
        strings.__kwdefaults__ = function.__kwdefaults__
        strings.__annotations__ = {k: v if isinstance(v, str) else _source_of(function, k)
                                   for k, v in function.__annotations__.items()}
        assert all(isinstance(v, str) for v in strings.__annotations__.values())
        resolved = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                                      function.__defaults__, function.__closure__)
        resolved.__annotations__ = dict(strings.__annotations__)
        _lazycli.resolve_annotations(resolved)
        assert not any(isinstance(v, str) for v in resolved.__annotations__.values())
        assert described(resolved) == described(strings), function.__name__


def _source_of(function: Any, name: str) -> str:
    """The annotation of parameter ``name`` as written in kl21rules/cli.py (already evaluated there)."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef)
    for arg in [*node.args.args, *node.args.kwonlyargs]:
        if arg.arg == name and arg.annotation is not None:
            return ast.unparse(arg.annotation)
    if name == "return" and node.returns is not None:
        return ast.unparse(node.returns)
    raise AssertionError(name)
