"""The benchmark generator (benchmarks/generate.py): seeded, realistic, and every file valid.

Benchmarks only mean something if what they check is what units send: these tests hold the
generator to its word (same seed, same bytes; every unit kind; a mix of outcomes; every file
passes kl21rules' own validation), and check that the fast paths the benchmarks led to give the
same output as the code they replaced, on those realistic files.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import benchscripts
import pytest

from kl21rules.check import CheckOptions, check_bytes, selected
from kl21rules.output import jsonfmt
from kl21rules.packs import load_registry
from kl21rules.report import Report
from kl21rules.rules.engine import Msg

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "generate.py"


generate = benchscripts.load("generate")
REGISTRY = load_registry()
RULES = selected(REGISTRY.rules, (), ())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """600 generated submissions (seed 0), as the benchmarks make them."""
    out = tmp_path_factory.mktemp("corpus")
    generate.generate(600, out, seed=0)
    return _files(out)


@pytest.fixture(scope="module")
def reports(corpus: dict[str, bytes]) -> list[Any]:
    return [check_bytes(name, raw, REGISTRY, CheckOptions(), RULES) for name, raw in corpus.items()]


def _data(raw: bytes) -> dict[str, Any]:
    return json.loads(raw.decode("utf-8-sig"))


# --------------------------------------------------------------------------- determinism


def test_same_n_and_seed_give_byte_identical_files(tmp_path: Path) -> None:
    generate.generate(30, tmp_path / "a", seed=7)
    generate.generate(30, tmp_path / "b", seed=7)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(a) == 30
    assert a == b


def test_another_seed_gives_other_files(tmp_path: Path) -> None:
    generate.generate(10, tmp_path / "a", seed=1)
    generate.generate(10, tmp_path / "b", seed=2)
    assert set(_files(tmp_path / "a").values()).isdisjoint(_files(tmp_path / "b").values())


def test_a_larger_n_extends_a_smaller_one(tmp_path: Path) -> None:
    """File i depends on (seed, i) only: the 1,000-file set is a prefix of the 100,000-file one."""
    generate.generate(5, tmp_path / "small", seed=3)
    generate.generate(12, tmp_path / "large", seed=3)
    small, large = _files(tmp_path / "small"), _files(tmp_path / "large")
    assert small.items() <= large.items()


def test_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(SCRIPT), "4", str(out), "--seed", "5"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    written = _files(out)
    assert len(written) == 4
    assert all(name.startswith("d000/") and name.endswith(".json") for name in written)
    assert written == {f"d000/{generate.render(5, i)[0]}": generate.render(5, i)[1] for i in range(4)}


# --------------------------------------------------------------------------- validity


def test_every_generated_file_validates_and_every_rule_runs(reports: list[Any]) -> None:
    problems = [(r.path, e.pointer, e.en) for r in reports for e in r.errors]
    assert problems == []
    rule_errors = [(r.path, f.rule, f.message_en) for r in reports for f in r.findings if f.status == "error"]
    assert rule_errors == []
    assert all(r.findings for r in reports)


def test_yaml_files_validate_too(tmp_path: Path) -> None:
    generate.generate(20, tmp_path, seed=4, yaml_share=1.0)
    files = _files(tmp_path)
    assert all(name.endswith(".yaml") for name in files)
    for name, raw in files.items():
        report = check_bytes(name, raw, REGISTRY, CheckOptions(), RULES)
        assert report.errors == [], (name, [e.en for e in report.errors])


# --------------------------------------------------------------------------- realism


def test_every_unit_kind_and_department_appears(corpus: dict[str, bytes]) -> None:
    units = [_data(raw)["unit"] for raw in corpus.values()]
    kinds = collections.Counter(u["kind"] for u in units)
    assert set(kinds) == {"chi_bo_co_so", "dang_bo_co_so", "chi_bo_truc_thuoc", "department"}
    assert {u["department"] for u in units if u["kind"] == "department"} == {
        "tochuc", "ubkt", "tuyengiao", "vanphong", "doanthe"}
    assert kinds["department"] < kinds["chi_bo_co_so"]  # grassroots units are most of a bloc


def test_20_to_80_activities_over_2022_to_2024(corpus: dict[str, bytes]) -> None:
    docs = [_data(raw) for raw in corpus.values()]
    counts = [len(d["activities"]) for d in docs]
    assert min(counts) >= 20 and max(counts) <= 80
    assert max(counts) - min(counts) >= 40  # spread out, not all the same size
    years = {d["report"]["period"]["start"][-4:] if "/" in d["report"]["period"]["start"]
             else d["report"]["period"]["start"][:4] for d in docs}
    assert years == {"2022", "2023", "2024"}


def test_a_realistic_mix_of_outcomes(reports: list[Any], corpus: dict[str, bytes]) -> None:
    statuses = collections.Counter(f.status for r in reports for f in r.findings)
    assert {"pass", "late", "fail", "pending", "not_applicable"} <= set(statuses)
    assert statuses["pass"] > statuses["fail"] > 0  # most obligations are met, not all
    clean = [r for r in reports if not any(f.status in ("fail", "late") for f in r.findings)]
    troubled = [r for r in reports if any(f.status in ("fail", "late") for f in r.findings)]
    assert clean and troubled
    signalled = [raw for raw in corpus.values() if _data(raw)["signals"]]
    assert 0.05 * len(corpus) < len(signalled) < 0.5 * len(corpus)
    judged = {f.rule for r in reports for f in r.findings if f.status != "not_applicable"}
    assert judged == {r.id for r in RULES}  # every rule of the catalogue has something to judge


def test_vietnamese_text_and_the_quirks_of_real_files(corpus: dict[str, bytes]) -> None:
    raws = list(corpus.values())
    assert all(not _data(raw)["unit"]["name"].isascii() for raw in raws)
    assert any(raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw for raw in raws)  # Notepad
    assert any(b"/20" in raw and b'"date": "' in raw and b'"date": "20' not in raw for raw in raws)  # 18/3/2022
    import unicodedata

    assert any(not unicodedata.is_normalized("NFC", raw.decode("utf-8-sig")) for raw in raws)  # NFD


# --------------------------------------------------------------------------- fast paths, same output


def test_the_json_report_is_json_dumps_indented(reports: list[Any]) -> None:
    """jsonfmt writes each file with its own indenting encoder: the bytes must be json.dumps'."""
    for lang in ("vi", "en"):
        report = Report("0", {"x": "1"}, None, files=list(reports))
        whole = json.dumps(jsonfmt.report_dict(report, lang), ensure_ascii=False, indent=2) + "\n"
        assert jsonfmt.render(Report("0", {"x": "1"}, None, files=list(reports)), lang) == whole


def test_messages_rendered_in_one_walk_equal_each_language(monkeypatch: pytest.MonkeyPatch,
                                                           corpus: dict[str, bytes]) -> None:
    # Findings render their messages when read, one language at a time (Msg.render); messages
    # rendered at once (a pack's own Python rule, a rule's own wording) take both in one walk
    # (Msg.render_both). Every message of these files is read here, and the two compared on it.
    seen = []
    one_language = Msg.render

    def compare(self: Msg, lang: str) -> str:
        text = one_language(self, lang)
        seen.append(text == self.render_both()[1 if lang == "en" else 0])
        return text

    monkeypatch.setattr(Msg, "render", compare)
    for name, raw in list(corpus.items())[:60]:
        for f in check_bytes(name, raw, REGISTRY, CheckOptions(), RULES).findings:
            assert f.message_vi and f.message_en
    assert len(seen) > 1000 and all(seen)
