"""Attack: a waiver with no unit, no approver, a blank reason and ``expires = 9999-12-31`` waived
a failing obligation of every unit for ever, and the run exited 0.

A waiver now needs a unit (or an explicit ``unit = "*"``), a non-blank reason, an approver and an
expiry no later than one year after the evaluation date (``waiver-max-days``, at most 730).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from io_helpers import invoke as run

from kl21rules.config import ConfigError, check_waiver_expiry, parse_waiver, waiver_ceiling

GOOD = {"rule": "KL21-11", "unit": "KCQ.THPTNT", "period": "2022-07", "reason": "Văn bản 12/CV-ĐUK",
        "approver": "Ban Tổ chức", "expires": "2023-06-30"}


def toml(waiver: dict[str, str], extra: str = "") -> str:
    body = "\n".join(f"{k} = {v}" if k == "expires" else f"{k} = {json.dumps(v, ensure_ascii=False)}"
                     for k, v in waiver.items())
    return f"{extra}[[waivers]]\n{body}\n"


def test_the_attack_is_refused(repo: Path) -> None:
    (repo / "kl21rules.toml").write_text(
        '[[waivers]]\nrule = "KL21-11"\nreason = " "\nexpires = 9999-12-31\n', encoding="utf-8")
    result = run("check", "r.yaml", "--as-of", "2022-12-31", "--lang", "en")
    assert result.exit_code == 2 and result.stdout == ""
    assert "a waiver needs a non-blank 'unit'" in result.stderr


@pytest.mark.parametrize(("change", "words"), [
    ({"unit": None}, "needs a non-blank 'unit'"),
    ({"unit": "  "}, "needs a non-blank 'unit'"),
    ({"reason": "   "}, "needs a non-blank 'reason'"),
    ({"approver": None}, "needs a non-blank 'approver'"),
    ({"approver": ""}, "needs a non-blank 'approver'"),
    ({"expires": "9999-12-31"}, "more than one year after the evaluation date 2022-12-31 (latest 2023-12-31"),
    ({"expires": "2024-01-01"}, "more than one year after"),
])
def test_a_waiver_missing_what_governs_it_is_a_configuration_error(repo: Path, change: dict[str, str | None],
                                                                   words: str) -> None:
    waiver = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    (repo / "kl21rules.toml").write_text(toml(waiver), encoding="utf-8")
    result = run("check", "r.yaml", "--as-of", "2022-12-31", "--lang", "en")
    assert result.exit_code == 2, result.stdout
    assert words in result.stderr
    assert "miễn trừ" in run("check", "r.yaml", "--as-of", "2022-12-31").stderr
    assert run("waivers", "--as-of", "2022-12-31").exit_code == 2  # the listing refuses it too


def test_a_governed_waiver_still_waives(repo: Path) -> None:
    (repo / "kl21rules.toml").write_text(toml({**GOOD, "expires": "2023-12-31"}), encoding="utf-8")
    result = run("check", "r.yaml", "--as-of", "2022-12-31", "--format", "json")
    waived = [f for file in json.loads(result.stdout)["files"] for f in file["findings"] if f.get("waived")]
    assert [(f["rule"], f["period"], f["waived"]["approver"]) for f in waived] == [("KL21-11", "2022-07", "Ban Tổ chức")]


def test_unit_star_is_every_unit_on_purpose(repo: Path) -> None:
    (repo / "kl21rules.toml").write_text(toml({**GOOD, "unit": "*"}), encoding="utf-8")
    result = run("check", "r.yaml", "--as-of", "2022-12-31", "--format", "json")
    assert any(f.get("waived") for file in json.loads(result.stdout)["files"] for f in file["findings"])


def test_the_ceiling_is_configurable_and_capped(repo: Path) -> None:
    far = {**GOOD, "expires": "2024-06-30"}  # 547 days after 2022-12-31
    (repo / "kl21rules.toml").write_text(toml(far, "waiver-max-days = 600\n"), encoding="utf-8")
    assert run("check", "r.yaml", "--as-of", "2022-12-31").exit_code in (0, 1)
    (repo / "kl21rules.toml").write_text(toml(far, "waiver-max-days = 400\n"), encoding="utf-8")
    result = run("check", "r.yaml", "--as-of", "2022-12-31", "--lang", "en")
    assert result.exit_code == 2 and "more than 400 days after" in result.stderr
    for bad in ("731", "100000", "0", '"365"'):
        (repo / "kl21rules.toml").write_text(toml(GOOD, f"waiver-max-days = {bad}\n"), encoding="utf-8")
        result = run("check", "r.yaml", "--as-of", "2022-12-31", "--lang", "en")
        assert result.exit_code == 2 and "'waiver-max-days' must be a whole number from 1 to 730" in result.stderr


def test_a_waiver_file_is_held_to_the_same_rules(repo: Path) -> None:
    (repo / "w.yaml").write_text("- {rule: KL21-11, unit: '*', reason: x, approver: A, expires: 2099-01-01}\n",
                                 encoding="utf-8")
    result = run("check", "r.yaml", "--waivers", "w.yaml", "--as-of", "2022-12-31", "--lang", "en")
    assert result.exit_code == 2 and "more than one year after" in result.stderr


def test_ceiling_arithmetic() -> None:
    assert waiver_ceiling(dt.date(2024, 2, 29), None) == dt.date(2025, 2, 28)
    assert waiver_ceiling(dt.date(2022, 12, 31), None) == dt.date(2023, 12, 31)
    assert waiver_ceiling(dt.date(9999, 12, 30), None) == dt.date.max
    assert waiver_ceiling(dt.date(2022, 1, 1), 100000) == dt.date(2024, 1, 1)  # capped at 730 days
    w = parse_waiver({**GOOD, "expires": "2023-12-31"}, "w")
    check_waiver_expiry([w], dt.date(2022, 12, 31), None)
    with pytest.raises(ConfigError):
        check_waiver_expiry([w], dt.date(2022, 12, 30), None)
