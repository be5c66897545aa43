"""The plugin system under stress: broken packs are named, the others still run (exit code 2).

Each broken pack is tried twice: through :func:`kl21rules.packs.load_registry` with a test
entry point (name, loader, origin, version), and through the command line with ``-p MODULE``,
the module written to a temporary folder on ``PYTHONPATH``. In the command-line runs the
findings of the built-in packs must be exactly those of a run without the broken pack.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kl21rules import Context, Finding, Msg, PackInfo, PythonRule, RuleSpec, Text, hookimpl
from kl21rules.check import CheckOptions, check_bytes
from kl21rules.packs import PackError, Registry, discover, load_registry

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "dang-bo-so-tai-chinh-2022.json"
AS_OF = "2023-12-31"
BUILTIN = {"coso", "doanthe", "tochuc", "tuyengiao", "ubkt", "vanphong"}

# A declarative rule a department might add: a thematic meeting on anti-corruption every year.
RULESET = """\
# a test pack's ruleset
pack: {pack}
rules:
  - id: {rid}
    title: {{vi: "Sinh hoạt chuyên đề phòng, chống tham nhũng hằng năm", en: "Yearly anti-corruption thematic meeting"}}
    expect: {{vi: buổi sinh hoạt chuyên đề, en: a thematic meeting}}
    refs: [II.8]
    severity: warning
    obligation:
      kind: recurring
      schedules:
        - every: year
          match:
            type: branch_meeting
            where: {{thematic: true}}
"""


def _spec(rid: str, pack: str) -> RuleSpec:
    return RuleSpec.model_validate({
        "id": rid, "pack": pack, "title": {"vi": "Quy tắc thử", "en": "A test rule"},
        "expect": {"vi": "điều thử", "en": "a test"}, "refs": ["II.8"], "severity": "error",
        "obligation": {"kind": "python"},
    })


def registry_with(*extra: tuple[str, Callable[[], Any], str, str]) -> Registry:
    """The built-in packs plus test entry points."""
    return load_registry(entry_points=discover() + list(extra))


def only_error(registry: Registry, pack: str) -> PackError:
    errors = [e for e in registry.errors if e.pack == pack]
    assert len(errors) == 1, registry.errors
    return errors[0]


def assert_builtins_intact(registry: Registry) -> None:
    """Every built-in pack loaded with all its rules, whatever the broken pack did."""
    reference = load_registry()
    assert {p.name for p in registry.packs} >= BUILTIN
    assert [r.id for r in registry.rules if r.spec.pack in BUILTIN] == [r.id for r in reference.rules]


# --------------------------------------------------------------------------- load_registry


def test_the_builtin_packs_load_cleanly() -> None:
    registry = load_registry()
    assert registry.errors == []
    assert {p.name for p in registry.packs} == BUILTIN
    assert all(p.origin == "built-in" for p in registry.packs)


def test_a_pack_that_raises_at_import_is_named_with_its_distribution_and_version() -> None:
    def load() -> Any:
        raise ImportError("No module named 'numpyy'")

    registry = registry_with(("so_tai_chinh", load, "kl21rules-so-tai-chinh", "0.4.1"))
    err = only_error(registry, "so_tai_chinh")
    assert (err.origin, err.version, err.stage) == ("kl21rules-so-tai-chinh", "0.4.1", "import")
    assert "numpyy" in err.message
    assert "kl21rules-so-tai-chinh 0.4.1" in err.describe("en") and "so_tai_chinh" in err.describe("vi")
    assert_builtins_intact(registry)


def test_a_pack_that_calls_sys_exit_at_import_does_not_end_the_program() -> None:
    def load() -> Any:
        sys.exit(3)

    registry = registry_with(("quits", load, "kl21rules-quits", "1.0"))
    err = only_error(registry, "quits")
    assert err.stage == "import" and "SystemExit" in err.message
    assert_builtins_intact(registry)


class RaisesInPackHook:
    @hookimpl
    def kl21rules_pack(self) -> PackInfo:
        raise RuntimeError("cannot read my settings")

    @hookimpl
    def kl21rules_rules(self) -> list[PythonRule]:
        return []


class WrongSignature:
    @hookimpl
    def kl21rules_rulesets(self, config: Any) -> list[Path]:  # not an argument the hook has
        return []


class UnknownHook:
    @hookimpl
    def kl21rules_pack(self) -> PackInfo:
        return PackInfo("typo", Text(vi="Gói gõ nhầm", en="Typo pack"), "2.0")

    @hookimpl
    def kl21rules_rulset(self) -> list[Path]:  # typo of kl21rules_rulesets
        return []


@pytest.mark.parametrize(
    ("plugin", "stage", "words"),
    [
        (RaisesInPackHook(), "hook", "cannot read my settings"),
        (WrongSignature(), "register", "config"),
        (UnknownHook(), "register", "kl21rules_rulset"),
    ],
    ids=["hook-raises", "wrong-signature", "unknown-hook"],
)
def test_a_pack_that_fails_to_register_is_named(plugin: Any, stage: str, words: str) -> None:
    registry = registry_with(("bad", lambda: plugin, "kl21rules-bad", "0.9"))
    errors = [e for e in registry.errors if e.origin == "kl21rules-bad"]
    assert len(errors) == 1, registry.errors
    assert errors[0].stage == stage and words in errors[0].message
    assert errors[0].version in ("0.9", "2.0")
    assert_builtins_intact(registry)


def test_a_hook_of_the_wrong_shape_is_reported_not_crashed_on(tmp_path: Path) -> None:
    class SinglePath:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            return PackInfo("single", Text(vi="Một tệp", en="One file"), "1.0")

        @hookimpl
        def kl21rules_rulesets(self) -> Any:
            return tmp_path / "rules.yaml"  # a Path, not a list of paths

        @hookimpl
        def kl21rules_rules(self) -> Any:
            return ["KL21-99"]  # not PythonRule objects

    registry = registry_with(("single", SinglePath, "kl21rules-single", "1.0"))
    errors = [e for e in registry.errors if e.pack == "single"]
    assert [e.stage for e in errors] == ["hook", "hook"]
    assert "kl21rules_rulesets must return a list" in errors[1].message
    assert "not PythonRule" in errors[0].message
    assert_builtins_intact(registry)


def test_a_ruleset_path_that_does_not_exist_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "rules.yaml"

    class Missing:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            return PackInfo("missing", Text(vi="Thiếu tệp", en="Missing file"), "1.0")

        @hookimpl
        def kl21rules_rulesets(self) -> list[Path]:
            return [missing]

    registry = registry_with(("missing", Missing, "kl21rules-missing", "1.0"))
    err = only_error(registry, "missing")
    assert err.stage == "ruleset" and err.file == str(missing) and "cannot read" in err.message


def _ruleset_pack(tmp_path: Path, name: str, text: str) -> Any:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")

    class FromFile:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            return PackInfo(name, Text(vi="Gói thử", en="Test pack"), "1.0")

        @hookimpl
        def kl21rules_rulesets(self) -> list[Path]:
            return [path]

    return FromFile()


GOOD = RULESET.format(pack="dept", rid="DEPT-01")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # YAML syntax: an unclosed flow mapping
        (GOOD.replace("where: {thematic: true}", "where: {thematic: true"), None, None),
        # an unknown field of a rule, with its line
        (GOOD.replace("    severity: warning\n", "    severity: warning\n    severty: error\n"), 9, "severty"),
        # a bad filter operator: the line of the operator and the field it filters
        (GOOD.replace("where: {thematic: true}", "where:\n              thematic: {equals: true}"), 16, "thematic"),
        # a wrong value of a known field
        (GOOD.replace("every: year", "every: week"), 12, "every"),
    ],
    ids=["yaml-syntax", "unknown-field", "bad-operator", "bad-value"],
)
def test_a_bad_ruleset_names_file_line_and_field(tmp_path: Path, text: str, line: int | None,
                                                words: str | None) -> None:
    registry = registry_with(("dept", lambda: _ruleset_pack(tmp_path, "dept", text), "kl21rules-dept", "1.0"))
    errors = [e for e in registry.errors if e.pack == "dept"]
    assert errors, "the bad ruleset was accepted"
    assert all(e.stage == "ruleset" and e.file == str(tmp_path / "dept.yaml") for e in errors)
    assert all(e.line is not None for e in errors), errors
    if line is not None and words is not None:
        assert [e.line for e in errors] == [line], errors
        assert words in errors[0].message and "DEPT-01" in errors[0].message
    assert registry.rule("DEPT-01") is None
    assert_builtins_intact(registry)


def test_the_good_ruleset_of_those_cases_loads(tmp_path: Path) -> None:
    """The control for the cases above: without the defect the rule loads."""
    registry = registry_with(("dept", lambda: _ruleset_pack(tmp_path, "dept", GOOD), "kl21rules-dept", "1.0"))
    assert registry.errors == []
    assert registry.rule("DEPT-01") is not None


def test_a_rule_id_owned_by_a_builtin_pack_stays_with_it(tmp_path: Path) -> None:
    """A pack named to sort before every built-in one still cannot take KL21-01."""
    text = RULESET.format(pack="aaa", rid="KL21-01")
    registry = registry_with(("aaa", lambda: _ruleset_pack(tmp_path, "aaa", text), "kl21rules-aaa", "3.1"))
    err = only_error(registry, "aaa")
    assert err.stage == "rule" and "KL21-01" in err.message and "tuyengiao" in err.message
    assert (err.origin, err.version) == ("kl21rules-aaa", "1.0")  # the version the pack gives itself
    rule = registry.rule("KL21-01")
    assert rule is not None and rule.spec.pack == "tuyengiao"
    assert_builtins_intact(registry)


def test_two_installed_packs_with_one_rule_id_keep_the_first_by_name(tmp_path: Path) -> None:
    one = RULESET.format(pack="one", rid="DEPT-01")
    two = RULESET.format(pack="two", rid="DEPT-01")
    registry = load_registry(entry_points=[
        ("two", lambda: _ruleset_pack(tmp_path, "two", two), "kl21rules-two", "1"),
        ("one", lambda: _ruleset_pack(tmp_path, "one", one), "kl21rules-one", "1"),
    ])
    # load_registry keeps the order it is given; discover() sorts
    err = only_error(registry, "one")
    assert "DEPT-01" in err.message and "'two'" in err.message


def test_an_installed_pack_sorting_first_cannot_take_a_builtin_rule(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Through real discovery: a distribution on sys.path whose entry point 'aaa' sorts before
    every built-in pack, declaring KL21-01. Built-in packs load first, so tuyengiao keeps it."""
    (tmp_path / "aaa_pack.py").write_text((PACK_HEAD + RULESETS_HOOK).replace("{name}", "aaa"), encoding="utf-8")
    (tmp_path / "aaa.yaml").write_text(RULESET.format(pack="aaa", rid="KL21-01"), encoding="utf-8")
    info = tmp_path / "kl21rules_aaa-3.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kl21rules-aaa\nVersion: 3.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[kl21rules]\naaa = aaa_pack\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = discover()
    assert [(n, o) for n, _, o, _ in found][-1] == ("aaa", "kl21rules-aaa")
    registry = load_registry()
    err = only_error(registry, "aaa")
    assert (err.origin, err.stage) == ("kl21rules-aaa", "rule") and "'tuyengiao'" in err.message
    rule = registry.rule("KL21-01")
    assert rule is not None and rule.spec.pack == "tuyengiao"
    sys.modules.pop("aaa_pack", None)  # the module was imported by this test only


# --------------------------------------------------------------------------- Python rules


def _python_pack(judge: Callable[[Context], Any]) -> Any:
    class PythonPack:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            return PackInfo("pyrules", Text(vi="Quy tắc Python", en="Python rules"), "0.1")

        @hookimpl
        def kl21rules_rules(self) -> list[PythonRule]:
            return [PythonRule("PY-01", judge, _spec("PY-01", "pyrules"))]

    return PythonPack()


def _check_sample(registry: Registry) -> list[Finding]:
    report = check_bytes(SAMPLE.name, SAMPLE.read_bytes(), registry,
                         CheckOptions(as_of=_dt.date(2023, 12, 31), today=_dt.date(2024, 1, 1)))
    assert report.errors == []
    return report.findings


def _divide(ctx: Context) -> list[Finding]:
    return [ctx.finding("pass", Msg("{n}", "{n}", n=1 // 0))]


def _exits(ctx: Context) -> list[Finding]:
    sys.exit("stop")


def _garbage(ctx: Context) -> Any:
    return ["pass"]


@pytest.mark.parametrize(
    ("judge", "words"),
    [(_divide, "ZeroDivisionError"), (_exits, "SystemExit"), (_garbage, "list of Finding")],
    ids=["raises", "sys-exit", "returns-garbage"],
)
def test_a_python_rule_that_breaks_gives_one_error_finding_and_the_rest_run(
    judge: Callable[[Context], Any], words: str
) -> None:
    registry = registry_with(("pyrules", lambda: _python_pack(judge), "kl21rules-pyrules", "0.1"))
    assert registry.errors == []
    findings = _check_sample(registry)
    mine = [f for f in findings if f.rule == "PY-01"]
    assert [f.status for f in mine] == ["error"]
    assert "PY-01" in mine[0].message_en and "pyrules" in mine[0].message_en and words in mine[0].message_en
    reference = _check_sample(load_registry())
    assert [f for f in findings if f.rule != "PY-01"] == reference


def test_a_python_rule_without_metadata_is_reported() -> None:
    class NoSpec:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            return PackInfo("nospec", Text(vi="Thiếu mô tả", en="No spec"), "0.1")

        @hookimpl
        def kl21rules_rules(self) -> list[PythonRule]:
            return [PythonRule("NOSPEC-01", _divide)]

    registry = registry_with(("nospec", NoSpec, "kl21rules-nospec", "0.1"))
    err = only_error(registry, "nospec")
    assert "NOSPEC-01" in err.message and "metadata" in err.message


def test_what_a_pack_prints_does_not_reach_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    class Chatty:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            print("debug: loading chatty")
            return PackInfo("chatty", Text(vi="Nói nhiều", en="Chatty"), "0.1")

    registry = registry_with(("chatty", Chatty, "kl21rules-chatty", "0.1"))
    assert registry.errors == []
    captured = capsys.readouterr()
    assert captured.out == "" and "debug: loading chatty" in captured.err


# --------------------------------------------------------------------------- the command line

PACK_HEAD = """\
from pathlib import Path
from kl21rules import Msg, PackInfo, PythonRule, RuleSpec, Text, hookimpl

HERE = Path(__file__).resolve().parent

@hookimpl
def kl21rules_pack():
    return PackInfo("{name}", Text(vi="Gói thử {name}", en="Test pack {name}"), "7.7")
"""

RULESETS_HOOK = """
@hookimpl
def kl21rules_rulesets():
    return [HERE / "{name}.yaml"]
"""

PYTHON_RULE = """
SPEC = RuleSpec.model_validate({
    "id": "PY-02", "pack": "{name}", "title": {"vi": "Quy tắc thử", "en": "A test rule"},
    "expect": {"vi": "điều thử", "en": "a test"}, "refs": ["II.8"], "severity": "error",
    "obligation": {"kind": "python"}})

def judge(ctx):
    members = ctx.facts.unit.members
    return [ctx.finding("pass", Msg("{n}", "{n}", n=members / 0))]

@hookimpl
def kl21rules_rules():
    return [PythonRule("PY-02", judge, SPEC)]
"""

# name -> (module source, ruleset text or None, words the report must show)
BROKEN: dict[str, tuple[str, str | None, str]] = {
    "kl21t_import": ("import kl21rules\nraise RuntimeError('missing configuration file')\n", None,
                     "missing configuration file"),
    "kl21t_exit": ("import sys\nsys.exit(0)\n", None, "SystemExit"),
    "kl21t_signature": (PACK_HEAD + "\n@hookimpl\ndef kl21rules_rules(registry):\n    return []\n", None,
                        "registry"),
    "kl21t_unknown": (PACK_HEAD + "\n@hookimpl\ndef kl21rules_foo():\n    return []\n", None, "kl21rules_foo"),
    "kl21t_yaml": (PACK_HEAD + RULESETS_HOOK, GOOD.replace("pack: dept", "pack: kl21t_yaml").replace(
        "refs: [II.8]", "refs: [II.8"), "kl21t_yaml.yaml"),
    "kl21t_field": (PACK_HEAD + RULESETS_HOOK, GOOD.replace("pack: dept", "pack: kl21t_field").replace(
        "severity: warning", "severity: warning\n    sevrity: error"), "sevrity"),
    "kl21t_filter": (PACK_HEAD + RULESETS_HOOK, GOOD.replace("pack: dept", "pack: kl21t_filter").replace(
        "{thematic: true}", "{thematic: {is: true}}"), "unknown operator 'is'"),
    "kl21t_dupe": (PACK_HEAD + RULESETS_HOOK, RULESET.format(pack="kl21t_dupe", rid="KL21-05"),
                   "KL21-05 is already owned by pack 'ubkt'"),
    "kl21t_rule": (PACK_HEAD + PYTHON_RULE, None, "ZeroDivisionError"),
}


def write_module(folder: Path, name: str) -> None:
    source, ruleset, _ = BROKEN[name]
    (folder / f"{name}.py").write_text(source.replace("{name}", name), encoding="utf-8")
    if ruleset is not None:
        (folder / f"{name}.yaml").write_text(ruleset, encoding="utf-8")


def kl21rules_script() -> str:
    beside = Path(sys.executable).with_name("kl21rules")
    return str(beside) if beside.exists() else "kl21rules"


def run_cli(*args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    proc = subprocess.run([kl21rules_script(), *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def check_json(*args: str, pythonpath: Path | None = None) -> tuple[int, dict[str, Any]]:
    proc = run_cli("check", str(SAMPLE), "--as-of", AS_OF, "--format", "json", "--lang", "en", *args,
                   pythonpath=pythonpath)
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    code, report = check_json()
    assert code in (0, 1) and report["problems"] == []
    return report


def findings_of(report: dict[str, Any], rules: set[str] | None = None) -> list[dict[str, Any]]:
    return [f for f in report["files"][0]["findings"] if rules is None or f["rule"] in rules]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_cli_names_the_broken_pack_and_the_others_still_run(name: str, tmp_path: Path,
                                                           baseline: dict[str, Any]) -> None:
    write_module(tmp_path, name)
    code, report = check_json("-p", name, pythonpath=tmp_path)
    assert code == 2
    words = BROKEN[name][2]
    builtin_rules = {f["rule"] for f in findings_of(baseline)}
    assert findings_of(report, builtin_rules) == findings_of(baseline)
    if name == "kl21t_rule":
        errors = [f for f in findings_of(report) if f["status"] == "error"]
        assert [f["rule"] for f in errors] == ["PY-02"]
        assert name in errors[0]["message"] and words in errors[0]["message"]
        return
    problems = [p["message"] for p in report["problems"] if p["code"] == "pack-error"]
    assert len(problems) == 1, report["problems"]
    assert f"pack '{name}' (-p" in problems[0] and words in problems[0]
    if BROKEN[name][1] is not None and name != "kl21t_dupe":
        assert f"{name}.yaml:" in problems[0]  # file and line


def test_cli_plugins_and_rules_report_a_broken_pack(tmp_path: Path) -> None:
    write_module(tmp_path, "kl21t_import")
    proc = run_cli("plugins", "--lang", "en", "-p", "kl21t_import", pythonpath=tmp_path)
    assert proc.returncode == 2
    assert "kl21t_import" in proc.stdout and "missing configuration file" in proc.stdout
    assert all(name in proc.stdout for name in BUILTIN)
    proc = run_cli("rules", "--format", "json", "-p", "kl21t_import", pythonpath=tmp_path)
    assert proc.returncode == 2 and "kl21t_import" in proc.stderr
    assert {r["pack"] for r in json.loads(proc.stdout)} == BUILTIN


def test_disabling_ubkt_removes_its_rules_from_rules_plugins_and_check(baseline: dict[str, Any]) -> None:
    ubkt_rules = {r.id for r in load_registry().rules if r.spec.pack == "ubkt"}
    assert ubkt_rules and ubkt_rules <= {f["rule"] for f in findings_of(baseline)}

    proc = run_cli("rules", "--format", "json", "-p", "no:ubkt")
    assert proc.returncode == 0
    listed = json.loads(proc.stdout)
    assert "ubkt" not in {r["pack"] for r in listed} and not ubkt_rules & {r["id"] for r in listed}

    proc = run_cli("plugins", "--format", "json", "-p", "no:ubkt")
    assert proc.returncode == 0
    assert {p["name"] for p in json.loads(proc.stdout)["packs"]} == BUILTIN - {"ubkt"}

    code, report = check_json("-p", "no:ubkt")
    # the only problem is the report saying what it left out (issue 9)
    assert code != 2 and [p["code"] for p in report["problems"]] == ["packs-disabled"]
    assert "ubkt" not in report["tool"]["packs"]
    assert findings_of(report) == [f for f in findings_of(baseline) if f["rule"] not in ubkt_rules]


def test_disabling_a_broken_pack_means_it_is_never_imported(tmp_path: Path) -> None:
    """``-p no:NAME`` wins over ``-p NAME``: the broken module is not even imported."""
    write_module(tmp_path, "kl21t_exit")
    code, report = check_json("-p", "kl21t_exit", "-p", "no:kl21t_exit", pythonpath=tmp_path)
    assert code != 2 and [p["code"] for p in report["problems"]] == ["packs-disabled"]


def test_a_module_given_with_p_is_loaded_like_an_installed_pack(tmp_path: Path) -> None:
    (tmp_path / "kl21t_good.py").write_text((PACK_HEAD + RULESETS_HOOK).replace("{name}", "kl21t_good"),
                                            encoding="utf-8")
    (tmp_path / "kl21t_good.yaml").write_text(RULESET.format(pack="kl21t_good", rid="GOOD-01"), encoding="utf-8")
    proc = run_cli("plugins", "--format", "json", "-p", "kl21t_good", pythonpath=tmp_path)
    assert proc.returncode == 0, proc.stdout
    packs = {p["name"]: p for p in json.loads(proc.stdout)["packs"]}
    assert (packs["kl21t_good"]["origin"], packs["kl21t_good"]["version"], packs["kl21t_good"]["rules"]) == (
        "-p", "7.7", 1)
    code, report = check_json("-p", "kl21t_good", pythonpath=tmp_path)
    assert code in (0, 1)
    good = findings_of(report, {"GOOD-01"})
    # thematic branch meetings in 2022 only; 2023 is due on the evaluation date itself
    assert [(f["period"], f["status"]) for f in good] == [("2022", "pass"), ("2023", "pending")]

