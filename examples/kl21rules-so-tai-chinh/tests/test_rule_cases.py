"""The pack's tests beyond its rule cases. The cases themselves (``cases/so_tai_chinh.yaml``) are
collected by kl21rules' pytest plugin, one test per case: ``pytest`` in this folder once the pack
is installed (``pip install -e '.[test]'``)."""

from __future__ import annotations

import pytest

from kl21rules.packs import load_registry
from kl21rules.testing import load_case_file

REGISTRY = load_registry()
PACK = next(p for p in REGISTRY.packs if p.name == "so_tai_chinh")
CASES = [case for path in PACK.case_files for case in load_case_file(path)]


def test_the_pack_loads_cleanly() -> None:
    assert [e for e in REGISTRY.errors if e.pack == "so_tai_chinh"] == []
    assert sorted(r.id for r in PACK.rules) == ["STC-01", "STC-02"]


@pytest.mark.parametrize("status", ["pass", "fail"])
def test_every_rule_has_a_case_expecting(status: str) -> None:
    covered = {c.rule for c in CASES if any(e.get("status") == status for e in c.expect)}
    assert covered == {r.id for r in PACK.rules}
