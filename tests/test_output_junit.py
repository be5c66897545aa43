"""JUnit XML, read back with junitparser: one testcase per finding, failures exactly for what
fails the run, input errors as errors, and the XML always well formed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from kl21rules.batch import run_check
from kl21rules.check import CheckOptions
from kl21rules.config import WaiverSpec
from kl21rules.output import junit
from kl21rules.packs import Registry, load_registry
from kl21rules.report import Notice, exit_code

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
THPT = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def parse(xml: str) -> JUnitXml:
    return JUnitXml.fromstring(xml)


def kinds(case: object) -> set[type]:
    return {type(r) for r in case.result}  # type: ignore[attr-defined]


def test_one_suite_per_file_one_case_per_finding(registry: Registry, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    report = run_check([str(SAMPLES), str(missing)], registry, CheckOptions(lines=True))
    suites = list(parse(junit.render(report)))
    assert [s.name for s in suites] == [f.path for f in report.files]
    for suite, file in zip(suites, report.files, strict=True):
        cases = list(suite)
        assert len(cases) == len(file.findings) + (1 if file.errors else 0)
        assert suite.tests == len(cases)
        if file.unit:
            assert {c.classname for c in cases} == {f"{file.unit['id']}/{file.path}"}
    [input_case] = list(suites[-1])
    assert input_case.name == "input" and kinds(input_case) == {Error}
    assert "missing.json" in input_case.result[0].text


@pytest.mark.parametrize("fail_on", ["error", "warning", "info"])
def test_failures_are_exactly_what_fails_the_run(registry: Registry, fail_on: str) -> None:
    report = run_check([str(SAMPLES)], registry, CheckOptions(as_of=dt.date(2023, 12, 31), lines=True))
    xml = parse(junit.render(report, fail_on=fail_on))
    failures = sum(s.failures for s in xml)
    rank = {"info": 0, "warning": 1, "error": 2}
    expected = sum(1 for file in report.files for f in file.findings
                   if f.status == "fail" and rank[f.severity] >= rank[fail_on])
    assert failures == expected > 0
    assert (failures > 0) == (exit_code(report, fail_on) == 1)


def test_mapping_of_each_status(registry: Registry) -> None:
    waiver = WaiverSpec("KL21-11", "Sáp nhập", dt.date(2030, 1, 1), period="2022-07")
    report = run_check([str(THPT)], registry, CheckOptions(lines=True), waivers=[waiver])
    cases = {c.name: c for s in parse(junit.render(report, "en", fail_on="warning")) for c in s}
    assert kinds(cases["KL21-02 THPT-QT-01"]) == {Failure}  # fail, warning, fail-on warning
    assert cases["KL21-02 THPT-QT-01"].result[0].type == "warning"
    waived = cases["KL21-11 2022-07"]
    assert kinds(waived) == {Skipped} and "waived: Sáp nhập" in waived.result[0].message
    late = cases["KL21-01"]
    assert late.result == [] and late.system_out.startswith("late: ")  # passed, with a note
    assert kinds(cases["KL21-06 2022"]) == {Skipped}  # pending at the report date
    assert kinds(cases["KL21-12"]) == {Skipped}  # not applicable
    assert cases["KL21-05 2022"].result == []  # pass
    below = {c.name: c for s in parse(junit.render(report, "en")) for c in s}["KL21-02 THPT-QT-01"]
    assert kinds(below) == {Skipped} and "below --fail-on error" in below.result[0].message


def test_cases_carry_file_and_line(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(lines=True))
    xml = junit.render(report)
    # The late KL21-01 points at the study session, activity 0, which starts on line 25.
    assert f'name="KL21-01" file="{THPT}" line="25"' in xml


def test_problems_suite(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions())
    report.problems[:] = [Notice("pack-error", None, "gói hỏng", "broken pack"),
                          Notice("waiver-unmatched", None, "không khớp", "matched nothing")]
    xml = junit.render(report, "en")
    problems = list(parse(xml))[-1]
    assert problems.name == "kl21rules" and problems.errors == 1
    [case] = list(problems)
    assert kinds(case) == {Error} and case.result[0].message == "broken pack"
    suite = ElementTree.fromstring(xml).findall("testsuite")[-1]
    assert suite.findtext("system-err") == "waiver-unmatched: matched nothing"


def test_xml_stays_well_formed_with_awkward_text(registry: Registry, tmp_path: Path) -> None:
    original = THPT.read_text(encoding="utf-8")
    text = original.replace('name: "Chi bộ Trường THPT Nguyễn Trãi"', 'name: "A <b>&amp;\\" ]]> đơn vị"')
    assert text != original
    odd = tmp_path / "odd & <name>.yaml"
    odd.write_text(text, encoding="utf-8")
    broken = tmp_path / "bad\u0001.json"
    broken.write_text('{"unit": "\\u0001 <x>"', encoding="utf-8")
    report = run_check([str(odd), str(broken)], registry, CheckOptions(lines=True))
    suites = list(parse(junit.render(report)))
    assert [s.name for s in suites] == [str(odd), str(broken).replace("\u0001", "\ufffd")]
    assert all(c.classname == f"KCQ.THPTNT/{odd}" for c in suites[0])
    assert sum(1 for _ in suites[0]) == len(report.files[0].findings)


def test_attribute_and_text_escaping_equal_the_standard_library_for_every_code_point() -> None:
    """The shortcut for text that needs no escaping gives exactly quoteattr's and escape's bytes."""
    import random
    from xml.sax.saxutils import escape, quoteattr

    from kl21rules.output import junit

    def slow_attr(value: object) -> str:
        return quoteattr(junit._clean(str(value)))

    def slow_text(value: str) -> str:
        return escape(junit._clean(value))

    # every code point of the first plane, and the edges and a sample of the others
    points = [chr(c) for c in range(0x10000)] + [chr(c) for c in range(0x10000, 0x110000, 251)] + ["\U0010ffff"]
    for ch in points:
        text = "Họp " + ch
        assert junit._attr(text) == slow_attr(text), repr(text)
        assert junit._text(text) == slow_text(text), repr(text)
    rng = random.Random(15)
    alphabet = "aĐế \t\n\r&<>\"'\x00\x1f\ud800\ufffe\U0001f600" + "".join(rng.choice(points) for _ in range(40))
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        assert junit._attr(text) == slow_attr(text), repr(text)
        assert junit._text(text) == slow_text(text), repr(text)
    for value in (3, None, 2.5):
        assert junit._attr(value) == slow_attr(value)
