"""Rules are checked against what they name when they are loaded (kl21rules.rules.lint): a mistake
that would make a rule silently never match is an error with its file, line and a did-you-mean,
the rule is not loaded, and ``kl21rules lint-rules`` reports the same on files alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
import yaml
from pydantic import Field

from kl21rules import Activity, hookimpl
from kl21rules.packs import discover, load_registry
from kl21rules.paths import PLAN_CLAUSES_FILE, RULESETS_DIR
from kl21rules.rules.lint import lint_files, plan_clauses

KL21RULES = str(Path(sys.executable).with_name("kl21rules"))

HEAD = """\
pack: dept
rules:
  - id: DEPT-01
    title: {vi: Quy tắc thử, en: A test rule}
    expect: {vi: việc thử, en: a test thing}
    refs: [II.7]
    severity: warning
"""

GOOD = HEAD + """\
    params:
      days: {default: 30, doc: {vi: Số ngày, en: Days}}
      kinds: {default: [website], doc: {vi: Kênh, en: Channels}}
    applies_to:
      unit: {members: {ge: 1}}
    obligation:
      kind: recurring
      schedules:
        - every: year
          match:
            type: outreach
            where: {channel: {in: $param.kinds}, date: {exists: true}}
"""


def _lint(tmp_path: Path, text: str, types: tuple[type[Any], ...] = ()) -> list[Any]:
    path = tmp_path / "dept.yaml"
    path.write_text(text, encoding="utf-8")
    problems, _count = lint_files([str(path)], types)
    return problems


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_correct_rule_has_no_problem(tmp_path: Path) -> None:
    assert _lint(tmp_path, GOOD) == []


@pytest.mark.parametrize(("old", "new", "marker", "en"), [
    ("type: outreach", "type: outrech", "type: outrech",
     "unknown activity type 'outrech' (neither built in nor added by a loaded pack); did you mean 'outreach'?"),
    ("where: {channel:", "where: {chanel:", "chanel", "has no field 'chanel'; did you mean 'channel'?"),
    ("refs: [II.7]", "refs: [III.9]", "III.9", "'III.9' is not a clause of Plan 40-KH/ĐUK"),
    ("in: $param.kinds", "in: $param.kind", "$param.kind}",
     "parameter 'kind' is not declared in params (declared: days, kinds); did you mean 'kinds'?"),
    ("unit: {members: {ge: 1}}", "unit: {member: {ge: 1}}", "member:", "has no field 'member'; did you mean 'members'?"),
    ("date: {exists: true}", "date: {eq: $unit.kindd}", "$unit.kindd",
     "$unit.kindd: the unit (Unit) has no field 'kindd'; did you mean 'kind'?"),
    ("date: {exists: true}", "date: {eq: $trigger.date}", "$trigger.date",
     "$trigger can only be used in the requirements (require) of a follow_up"),
], ids=["type", "where-field", "refs", "param", "applies-unit", "unit-operand", "trigger-outside"])
def test_each_mistake_names_file_line_and_a_near_name(tmp_path: Path, old: str, new: str, marker: str, en: str) -> None:
    text = GOOD.replace(old, new)
    assert text != GOOD
    problems = _lint(tmp_path, text)
    assert len(problems) == 1, [p.en for p in problems]
    p = problems[0]
    assert en in p.en
    assert p.file == str(tmp_path / "dept.yaml") and p.line == _line_of(text, marker)
    assert p.vi != p.en and p.vi.startswith("quy tắc DEPT-01")


def test_a_dotted_path_is_followed_through_the_model(tmp_path: Path) -> None:
    text = GOOD.replace("type: outreach", "type: quality_rating").replace(
        "where: {channel: {in: $param.kinds}, date: {exists: true}}", "where: {members.excelent: {ge: 1}}")
    [p] = _lint(tmp_path, text)
    assert "field 'members' of activity type quality_rating (quality_rating) has no field 'excelent'; " \
           "did you mean 'excellent'?" in p.en
    ok = text.replace("excelent", "excellent")
    assert _lint(tmp_path, ok) == []
    leaf = text.replace("members.excelent", "organisation.x")
    [p] = _lint(tmp_path, leaf)
    assert "'organisation' has no sub-field 'x'" in p.en


def test_a_field_must_exist_on_every_type_matched(tmp_path: Path) -> None:
    text = GOOD.replace("type: outreach", "type: [outreach, inspection]")
    problems = _lint(tmp_path, text)
    assert [p.en.split(": ", 1)[1] for p in problems] == [
        "activity type outreach, inspection (inspection) has no field 'channel'"]


def test_follow_up_links_signals_and_trigger_operands(tmp_path: Path) -> None:
    text = HEAD + """\
    params:
      within_days: {default: 30, doc: {vi: Số ngày, en: Days}}
    obligation:
      kind: follow_up
      trigger: {signals: [violaton, corruption], label: {vi: vụ việc, en: signal}}
      within_days: within_dayz
      require:
        - match: {type: discipline, where: {note: {eq: $trigger.sumary}}}
          link: {signl: idd}
"""
    got = sorted((p.line, p.en.split(": ", 1)[1]) for p in _lint(tmp_path, text))
    assert got == [
        (_line_of(text, "violaton"), "unknown signal kind 'violaton' (kinds: degradation, disunity, violation, "
                                     "group_interest, corruption, public_outcry); did you mean 'violation'?"),
        (_line_of(text, "within_dayz"), "parameter 'within_dayz' is not declared in params (declared: "
                                        "within_days); did you mean 'within_days'?"),
        (_line_of(text, "$trigger.sumary"), "$trigger.sumary: the trigger (Signal) has no field 'sumary'; "
                                            "did you mean 'summary'?"),
        (_line_of(text, "signl"), "activity type discipline (discipline) has no field 'signl'; did you mean 'signal'?"),
        (_line_of(text, "signl"), "the trigger (Signal) has no field 'idd'; did you mean 'id'?"),
    ]


def test_each_items_fields_and_labels(tmp_path: Path) -> None:
    text = HEAD + """\
    obligation:
      kind: each
      over: {type: implementation_plan}
      items: tasks
      fields: [task, ownr]
      field_labels: {tsks: {vi: nhiệm vụ, en: tasks}}
"""
    got = sorted((p.line, p.en.split(": ", 1)[1]) for p in _lint(tmp_path, text))
    assert got == [(_line_of(text, "ownr"), "the items of 'tasks' (PlanTask) has no field 'ownr'; "
                                            "did you mean 'owner'?"),
                   (_line_of(text, "tsks"), "a label for 'tsks', which is not in fields or items; "
                                            "did you mean 'tasks'?")]
    assert _lint(tmp_path, text.replace("items: tasks", "items: taks")
                 .replace("ownr", "owner").replace("tsks", "tasks"))[0].en.endswith("did you mean 'tasks'?")


def test_effective_years_named_as_parameters_must_be_declared(tmp_path: Path) -> None:
    text = GOOD.replace("    obligation:", "    effective: {from_year: first_year}\n    obligation:")
    [p] = _lint(tmp_path, text)
    assert "parameter 'first_year' is not declared" in p.en and p.line == _line_of(text, "first_year")


def test_a_section_of_the_plan_is_a_valid_reference(tmp_path: Path) -> None:
    assert _lint(tmp_path, GOOD.replace("refs: [II.7]", "refs: [III]")) == []
    assert _lint(tmp_path, GOOD.replace("refs: [II.7]", "refs: [IV]"))  # the table has no section IV


class Tiding(Activity):
    vi: ClassVar[str] = "tin"
    type: Literal["tiding"]
    topics: list[str] = Field(default_factory=list)


def test_a_type_added_by_a_pack_is_known_with_its_fields(tmp_path: Path) -> None:
    text = GOOD.replace("type: outreach", "type: tiding").replace("channel:", "topics:")
    assert "unknown activity type 'tiding'" in _lint(tmp_path, text)[0].en
    assert _lint(tmp_path, text, (Tiding,)) == []
    assert "has no field 'topic'" in _lint(tmp_path, text.replace("topics:", "topic:"), (Tiding,))[0].en


def test_the_clause_table_is_read_as_yaml_reads_it() -> None:
    keys = set(yaml.safe_load(PLAN_CLAUSES_FILE.read_text(encoding="utf-8")))
    assert plan_clauses() == keys and "III.6" in keys and len(keys) >= 19


def test_every_built_in_ruleset_is_clean() -> None:
    files = sorted(str(p) for p in RULESETS_DIR.glob("*.yaml") if p.name != "plan_clauses.yaml")
    problems, count = lint_files(files)
    assert problems == [] and count >= 30


# --------------------------------------------------------------------------- when loaded


class _Pack:
    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def kl21rules_rulesets(self) -> list[Path]:
        return [self.path]


def test_a_rule_with_a_mistake_is_not_loaded_and_the_error_names_the_place(tmp_path: Path) -> None:
    text = GOOD.replace("chanel", "channel").replace("where: {channel:", "where: {chanel:")
    text += GOOD.split("rules:\n", 1)[1].replace("DEPT-01", "DEPT-02")
    path = tmp_path / "dept.yaml"
    path.write_text(text, encoding="utf-8")
    registry = load_registry(entry_points=discover() + [("dept", lambda: _Pack(path), "-p", "")])
    pack = next(p for p in registry.packs if p.name == "dept")
    assert [r.id for r in pack.rules] == ["DEPT-02"]  # the good rule still loads
    [err] = registry.errors
    assert (err.pack, err.stage, err.file, err.line) == ("dept", "rule", str(path), _line_of(text, "chanel"))
    assert "did you mean 'channel'?" in err.describe("en") and "có phải là 'channel'?" in err.describe("vi")


def test_the_command_checks_files_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    (folder / "cases").mkdir(parents=True)
    (folder / "dept.yaml").write_text(GOOD.replace("type: outreach", "type: outrech"), encoding="utf-8")
    (folder / "cases" / "dept.yaml").write_text("cases: []\n", encoding="utf-8")  # not a ruleset: skipped
    proc = subprocess.run([KL21RULES, "lint-rules", str(folder), "--lang", "en"], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert f"{folder / 'dept.yaml'}:{_line_of(GOOD, 'type: outreach')}: rule DEPT-01" in proc.stdout
    assert proc.stdout.rstrip().endswith("1 file(s), 1 rule(s), 1 problem(s)")
    (folder / "dept.yaml").write_text(GOOD, encoding="utf-8")
    proc = subprocess.run([KL21RULES, "lint-rules", str(folder), "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["problems"] == []
    proc = subprocess.run([KL21RULES, "lint-rules", str(tmp_path / "nope")], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "nope" in proc.stderr


def test_a_caveat_filter_is_checked_like_where(tmp_path: Path) -> None:
    text = GOOD.replace("where: {channel: {in: $param.kinds}, date: {exists: true}}",
                        "where: {channel: {in: $param.kinds}}\n"
                        "            caveat:\n"
                        "              unless: {topic: {contains: kl21}}\n"
                        "              note: {vi: Lưu ý, en: Note}")
    [p] = _lint(tmp_path, text)
    assert "/caveat/unless/topic" in p.en and "has no field 'topic'; did you mean 'topics'?" in p.en
    assert p.line == _line_of(text, "unless:")
    assert _lint(tmp_path, text.replace("topic:", "topics:")) == []


def test_effective_on_a_kind_that_ignores_it_is_an_error(tmp_path: Path) -> None:
    text = HEAD + """\
    effective: {from_year: 2023}
    obligation:
      kind: deadline
      due: 2023-03-31
      match: {type: outreach}
"""
    [p] = _lint(tmp_path, text)
    assert "effective only works for recurring rules" in p.en and p.line == _line_of(text, "effective:")


@pytest.mark.parametrize(("where", "en"), [
    ("{channel: web}", "field 'channel' never holds 'web' (values: meeting, website, fanpage, zalo, newsletter); "
                       "did you mean 'website'?"),
    ("{channel: {in: [website, fanpag]}}", "field 'channel' never holds 'fanpag'"),
    ("{channel: {ne: Websit}}", "did you mean 'website'?"),
])
def test_a_value_a_coded_field_never_holds_is_an_error(tmp_path: Path, where: str, en: str) -> None:
    text = GOOD.replace("{channel: {in: $param.kinds}, date: {exists: true}}", where)
    [p] = _lint(tmp_path, text)
    assert en in p.en
    assert _lint(tmp_path, text.replace("fanpag", "fanpage").replace("Websit", "Website")
                 .replace("channel: web}", "channel: WEBSITE}")) == []  # compared as the filter compares


def test_a_text_for_a_true_false_field_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("type: outreach", "type: branch_meeting").replace(
        "{channel: {in: $param.kinds}, date: {exists: true}}", "{thematic: 'yes'}")
    [p] = _lint(tmp_path, text)
    assert "field 'thematic' is true or false, never 'yes'" in p.en
    assert _lint(tmp_path, text.replace("'yes'", "true")) == []
    unit = GOOD.replace("unit: {members: {ge: 1}}", "unit: {kind: {in: [chi_bo]}}")
    assert "field 'kind' never holds 'chi_bo'" in _lint(tmp_path, unit)[0].en


def test_each_checks_name_fields_it_checks(tmp_path: Path) -> None:
    text = HEAD + """\
    obligation:
      kind: each
      over: {type: implementation_plan}
      items: tasks
      fields: [owner, due]
      checks: {deu: timeline}
"""
    [p] = _lint(tmp_path, text)
    assert "a check of 'deu', which is not in fields; did you mean 'due'?" in p.en and p.line == _line_of(text, "deu")
    assert _lint(tmp_path, text.replace("deu", "due")) == []


@pytest.mark.parametrize(("template", "en"), [
    ("'Hạn {dua}'", "{dua} is not a value of a recurring rule's fail message (values: due, p, what); "
                    "did you mean 'due'?"),
    ("'Done {done}'", "{done} is not a value of a recurring rule's fail message"),  # only pass and late have it
    ("'Hạn {due'", "the message template cannot be read"),
])
def test_message_templates_name_values_their_message_has(tmp_path: Path, template: str, en: str) -> None:
    text = GOOD + f"    messages:\n      fail: {{vi: {template}, en: 'Due {{due}}'}}\n"
    [p] = _lint(tmp_path, text)
    assert en in p.en and "/messages/fail/vi" in p.en and p.line == _line_of(text, "fail:")
    assert _lint(tmp_path, GOOD + "    messages:\n      fail: {vi: 'Hạn {due}: {what}', en: 'Due {due}'}\n") == []


def test_a_path_through_a_list_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("type: outreach", "type: implementation_plan").replace(
        "{channel: {in: $param.kinds}, date: {exists: true}}", "{tasks.owner: {exists: true}}")
    [p] = _lint(tmp_path, text)
    assert "'tasks' is a list: a filter cannot read 'tasks.owner' inside it" in p.en


def test_a_parameter_in_a_number_place_must_hold_a_whole_number(tmp_path: Path) -> None:
    text = HEAD + """\
    params:
      days: {default: 30, doc: {vi: Số ngày, en: Days}}
    obligation:
      kind: follow_up
      trigger: {signals: [violation], label: {vi: vụ việc, en: signal}}
      within_days: days
      require: [{match: {type: discipline}, link: {signal: id}}]
"""
    assert _lint(tmp_path, text) == []
    [p] = _lint(tmp_path, text.replace("default: 30", "default: '30'"))
    assert "parameter 'days' is used as a whole number here, but it is str (default '30')" in p.en
    assert p.line == _line_of(text, "within_days: days")


def test_an_uncounted_filter_is_checked_like_where_and_only_with_deadline(tmp_path: Path) -> None:
    uncounted = ("            uncounted:\n"
                 "              when: {topic: {contains: kl21}}\n"
                 "              note: {vi: 'Không tính {d}', en: 'Not counted: {d}'}")
    text = GOOD.replace("where: {channel: {in: $param.kinds}, date: {exists: true}}",
                        "where: {channel: {in: $param.kinds}}\n" + uncounted)
    problems = _lint(tmp_path, text)
    assert any("/uncounted/when/topic" in p.en and "did you mean 'topics'?" in p.en for p in problems), problems
    assert any("uncounted only works for deadline rules; with kind 'recurring'" in p.en for p in problems), problems
    deadline = HEAD + """\
    obligation:
      kind: deadline
      due: 2023-03-31
      match:
        type: outreach
""" + uncounted.replace("            ", "        ", 3).replace("topic:", "topics:")
    assert _lint(tmp_path, deadline) == []
