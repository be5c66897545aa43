"""``kl21rules new-pack NAME``: an installable rule pack, ready to test, in one command.

The pack written holds everything a department needs to start: ``pyproject.toml`` with the
``kl21rules`` entry point, a package with its hook implementations and one Python rule, a ruleset
``rulesets/NAME.yaml`` with one declarative rule and the Python rule's metadata, YAML cases (a
passing and a failing one for each rule), tests, a README in Vietnamese and English, a CI
workflow and the JSON Schema of ruleset files for editors. Right after it is written,
``pip install -e .`` and ``pytest`` pass in it and ``kl21rules plugins`` lists it
(tests/test_newpack.py does exactly that in a fresh virtual environment).

The pack's rule ids carry a prefix of its own (``--prefix``, by default made from the name);
``KL21`` is the built-in packs' and is refused unless ``--allow-kl21-prefix`` is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,11}$")
BUILTIN_PREFIX = "KL21"


class PackOptionError(ValueError):
    """A name, prefix or place the scaffold refuses; the message in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


@dataclass(frozen=True)
class PackOptions:
    """What a new pack is made of (every field has a flag of ``kl21rules new-pack``)."""

    name: str
    prefix: str
    title_vi: str
    title_en: str
    author: str = ""
    kl21rules_requirement: str = "kl21rules>=0.1"

    @property
    def dist(self) -> str:
        return "kl21rules-" + self.name.replace("_", "-")

    @property
    def module(self) -> str:
        return "kl21rules_" + self.name


def default_prefix(name: str) -> str:
    """A rule-id prefix made from the pack's name (``so_y_te`` -> ``SOYTE``)."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())[:8] or "PACK"


def check_options(options: PackOptions, taken: set[str], allow_kl21: bool = False) -> None:
    """Refuse a name or prefix that cannot work, with the reason (:class:`PackOptionError`)."""
    if not NAME_RE.match(options.name):
        raise PackOptionError(
            f"tên gói '{options.name}' không hợp lệ: chữ thường không dấu, chữ số và '_', bắt đầu bằng chữ, 2–40 ký tự "
            "(ví dụ so_y_te)",
            f"invalid pack name '{options.name}': lowercase ASCII letters, digits and '_', starting with a letter, "
            "2-40 characters (e.g. so_y_te)")
    if options.name in taken:
        raise PackOptionError(f"đã có gói tên '{options.name}'; chọn tên khác",
                              f"a pack named '{options.name}' already exists; choose another name")
    if not PREFIX_RE.match(options.prefix):
        raise PackOptionError(
            f"tiền tố '{options.prefix}' không hợp lệ: chữ in hoa không dấu và chữ số, bắt đầu bằng chữ, tối đa 12 "
            "ký tự (mã quy tắc sẽ là TIENTO-01)",
            f"invalid prefix '{options.prefix}': uppercase ASCII letters and digits, starting with a letter, at most "
            "12 characters (rule ids are PREFIX-01)")
    if options.prefix == BUILTIN_PREFIX and not allow_kl21:
        raise PackOptionError(
            "tiền tố KL21 là của các gói có sẵn; chọn tiền tố riêng (--prefix), hoặc thêm --allow-kl21-prefix nếu "
            "thật sự muốn",
            "the prefix KL21 belongs to the built-in packs; choose one of your own (--prefix), or add "
            "--allow-kl21-prefix if you really mean it")
    for text, what in ((options.title_vi, "title-vi"), (options.title_en, "title-en"), (options.author, "author")):
        if any(c in text for c in "\r\n\"\\"):
            raise PackOptionError(f"--{what}: không được có xuống dòng, dấu \" hoặc \\",
                                  f"--{what}: no line breaks, '\"' or '\\'")


def files(options: PackOptions, schema_text: str) -> dict[str, str]:
    """The pack's files: relative path -> text."""
    subs = {
        "@@NAME@@": options.name,
        "@@DIST@@": options.dist,
        "@@MODULE@@": options.module,
        "@@P@@": options.prefix,
        "@@TITLE_VI@@": options.title_vi,
        "@@TITLE_EN@@": options.title_en,
        "@@AUTHOR@@": options.author or "—",
        "@@AUTHORS@@": f'authors = [{{name = "{options.author}"}}]\n' if options.author else "",
        "@@REQ@@": options.kl21rules_requirement,
    }

    def fill(text: str) -> str:
        for key, value in subs.items():
            text = text.replace(key, value)
        return text

    m = options.module
    return {
        "pyproject.toml": fill(_PYPROJECT),
        "README.md": fill(_README),
        ".gitignore": _GITIGNORE,
        ".github/workflows/ci.yml": fill(_CI),
        "ruleset.schema.json": schema_text,
        f"src/{m}/__init__.py": fill(_INIT),
        f"src/{m}/py.typed": "",
        f"src/{m}/rulesets/{options.name}.yaml": fill(_RULESET),
        f"src/{m}/cases/{options.name}.yaml": fill(_CASES),
        "tests/test_pack.py": fill(_TESTS),
    }


def write_pack(target: Path, options: PackOptions, schema_text: str, force: bool = False) -> list[Path]:
    """Write the pack into ``target`` (which must not exist, or be empty, unless ``force``)."""
    if target.exists() and not target.is_dir():
        raise PackOptionError(f"'{target}' là một tệp, không phải thư mục", f"'{target}' is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise PackOptionError(f"thư mục '{target}' đã có và không trống; dùng --force để ghi đè các tệp của gói",
                              f"the folder '{target}' exists and is not empty; use --force to overwrite the pack's files")
    written = []
    for rel, text in files(options, schema_text).items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


# --------------------------------------------------------------------------- templates

_PYPROJECT = '''\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "@@DIST@@"
version = "0.1.0"
description = "@@TITLE_VI@@ / @@TITLE_EN@@ (kl21rules rule pack)"
readme = "README.md"
requires-python = ">=3.11"
@@AUTHORS@@dependencies = ["@@REQ@@"]

[project.optional-dependencies]
test = ["pytest>=8"]

# The entry-point group is "kl21rules"; the name on the left is the pack's name, the one
# `kl21rules check -p no:@@NAME@@` disables.
[project.entry-points.kl21rules]
@@NAME@@ = "@@MODULE@@"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
@@MODULE@@ = ["rulesets/*.yaml", "cases/*.yaml", "py.typed"]

[tool.pytest.ini_options]
# src: kl21rules' pytest plugin collects the rule cases (cases/*.yaml), one test per case.
testpaths = ["tests", "src"]
'''

_GITIGNORE = """\
__pycache__/
*.egg-info/
build/
dist/
.venv/
.pytest_cache/
"""

_CI = '''\
# CI của gói: kiểm tra tệp quy tắc, chạy các trường hợp kiểm thử. / The pack's CI: check its
# ruleset files and run its rule cases on every push and pull request.
name: ci
on: [push, pull_request]

env:
  # kl21rules chưa có trên PyPI: đặt nơi đơn vị lưu nó (địa chỉ git hoặc một tệp wheel).
  # kl21rules is not on PyPI: set where your organisation keeps it (a git address or a wheel):
  #   "kl21rules @ git+https://git.example.org/kl21rules.git"
  KL21RULES: "@@REQ@@"

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: python -m pip install "$KL21RULES" -e '.[test]'
      - run: kl21rules lint-rules src/
      - run: kl21rules plugins
      - run: python -m pytest -q
'''

_INIT = '''\
"""Gói quy tắc ``@@NAME@@`` cho kl21rules: @@TITLE_VI@@.
*Rule pack ``@@NAME@@`` for kl21rules: @@TITLE_EN@@.*

* ``@@P@@-01`` (khai báo / declarative, ``rulesets/@@NAME@@.yaml``): a thematic branch meeting every
  quarter from 2023.
* ``@@P@@-02`` (Python, below; its metadata is in the same ruleset, ``kind: python``): at least
  ``min_count`` inspections every year from ``from_year`` — counting is what a ruleset cannot say.

Hooks are all optional (kl21rules.hookspecs); the rule cases are in ``cases/@@NAME@@.yaml``.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from kl21rules import Context, Finding, Msg, PackInfo, PythonRule, Text, hookimpl

__version__ = "0.1.0"
NAME = "@@NAME@@"
PREFIX = "@@P@@"
HERE = Path(__file__).resolve().parent


@hookimpl
def kl21rules_pack() -> PackInfo:
    return PackInfo(NAME, Text(vi="@@TITLE_VI@@", en="@@TITLE_EN@@"), __version__)


@hookimpl
def kl21rules_rulesets() -> list[Path]:
    return sorted((HERE / "rulesets").glob("*.yaml"))


@hookimpl
def kl21rules_rule_cases() -> list[Path]:
    return sorted((HERE / "cases").glob("*.yaml"))


@hookimpl
def kl21rules_rules() -> list[PythonRule]:
    return [PythonRule(f"{PREFIX}-02", judge_inspections)]


def judge_inspections(ctx: Context) -> list[Finding]:
    """@@P@@-02: at least ``min_count`` inspections in every year from ``from_year``.

    A year still running is ``pending`` until it has enough; a year that ended short is ``fail``.
    """
    need = ctx.param_int("min_count", "min_count")
    first = ctx.param_int("from_year", "from_year")
    assert need is not None and first is not None
    inspections = ctx.facts.activities(("inspection",))
    out: list[Finding] = []
    for year in range(first, ctx.as_of.year + 1):
        due = _dt.date(year, 12, 31)
        held = [a for a in inspections if a.date.year == year]
        values = dict(y=year, got=len(held), need=need, due=due)
        evidence = [a.pointer for a in held]
        if len(held) >= need:
            message = Msg("năm {y}: {got} cuộc kiểm tra, đủ {need}.", "{y}: {got} inspections, {need} needed.", **values)
            status = "pass"
        elif ctx.as_of > due:
            message = Msg("năm {y}: chỉ có {got} cuộc kiểm tra, cần {need}.",
                          "{y}: only {got} inspections; {need} needed.", **values)
            status = "fail"
        else:
            message = Msg("năm {y}: mới có {got} cuộc kiểm tra, cần {need} đến {due}.",
                          "{y}: {got} inspections so far; {need} needed by {due}.", **values)
            status = "pending"
        out.append(ctx.finding(status, message, period=str(year), due=due, evidence=evidence))
    return out
'''

_RULESET = '''\
# yaml-language-server: $schema=../../../ruleset.schema.json
# Quy tắc của gói @@NAME@@ — chỉ là dữ liệu, kl21rules không bao giờ chạy mã từ tệp này.
# The rules of pack @@NAME@@ — data only. Kiểm tra / check: kl21rules lint-rules src/
pack: @@NAME@@
rules:
  - id: @@P@@-01
    title:
      vi: Mỗi quý ít nhất một buổi sinh hoạt chi bộ chuyên đề
      en: At least one thematic branch meeting every quarter
    expect:
      vi: buổi sinh hoạt chi bộ chuyên đề
      en: a thematic branch meeting
    refs: [II.6]
    severity: warning
    notes:
      vi: Mỗi quý từ năm 2023 có ít nhất một buổi sinh hoạt chi bộ chuyên đề (thematic true); hạn là ngày cuối quý.
      en: Every quarter from 2023, at least one branch meeting with thematic true; due on the quarter's last day.
    obligation:
      kind: recurring
      from_year: 2023
      schedules:
        - every: quarter
          match:
            type: branch_meeting
            where: {thematic: true}

  - id: @@P@@-02
    title:
      vi: Mỗi năm ít nhất hai cuộc kiểm tra
      en: At least two inspections every year
    expect:
      vi: đủ số cuộc kiểm tra trong năm
      en: enough inspections in the year
    refs: [II.2]
    severity: warning
    params:
      min_count:
        default: 2
        doc: {vi: Số cuộc kiểm tra tối thiểu mỗi năm, en: Fewest inspections a year}
      from_year:
        default: 2023
        doc: {vi: Năm bắt đầu áp dụng, en: First year judged}
    notes:
      vi: Mỗi năm từ from_year, ít nhất min_count hoạt động inspection ghi ngày trong năm. Viết bằng Python vì phải đếm.
      en: Every year from from_year, at least min_count inspection activities dated in the year. Python, as it counts.
    obligation: {kind: python}
'''

_CASES = '''\
# Các trường hợp kiểm thử của gói @@NAME@@: pytest chạy mỗi trường hợp thành một bài kiểm thử.
# Rule cases of pack @@NAME@@: pytest runs each one as a test (kl21rules' pytest plugin).
# base: dang_bo_co_so (mặc định / default), chi_bo_co_so, chi_bo_truc_thuoc, department:NAME
cases:
  - rule: @@P@@-01
    name: a thematic meeting in the quarter passes
    as_of: 2023-03-31
    activities:
      - {type: branch_meeting, date: 2023-02-10, thematic: true}
    expect:
      - {period: 2023-Q1, status: pass, due: 2023-03-31, evidence: [/activities/0]}
  - rule: @@P@@-01
    name: a quarter with only an ordinary meeting fails once it is over
    as_of: 2023-04-01
    activities:
      - {type: branch_meeting, date: 2023-02-10}
    expect:
      - {period: 2023-Q1, status: fail, due: 2023-03-31}
      - {period: 2023-Q2, status: pending, due: 2023-06-30}

  - rule: @@P@@-02
    name: two inspections in the year pass
    as_of: 2023-12-31
    activities:
      - {type: inspection, date: 2023-03-15}
      - {type: inspection, date: 2023-10-02}
    expect:
      - {period: "2023", status: pass, evidence: [/activities/0, /activities/1]}
  - rule: @@P@@-02
    name: one inspection fails when the year is over, the next year is pending
    as_of: 2024-01-01
    activities:
      - {type: inspection, date: 2023-03-15}
    expect:
      - {period: "2023", status: fail, message_contains: "only 1 inspections"}
      - {period: "2024", status: pending}
'''

_TESTS = '''\
"""The pack's own tests. Its rule cases (``src/@@MODULE@@/cases/*.yaml``) are collected by
kl21rules' pytest plugin, one test per case; these check the pack as a whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from kl21rules.packs import load_registry
from kl21rules.rules.lint import lint_files
from kl21rules.testing import load_case_file

import @@MODULE@@

REGISTRY = load_registry()
PACK = next((p for p in REGISTRY.packs if p.name == @@MODULE@@.NAME), None)


def test_the_pack_is_installed_and_loads_cleanly() -> None:
    assert PACK is not None, "install the pack first: pip install -e '.[test]'"
    assert [e.describe("en") for e in REGISTRY.errors if e.pack == @@MODULE@@.NAME] == []
    assert PACK.rules, "the pack has no rule"


def test_rule_ids_carry_the_pack_prefix() -> None:
    assert PACK is not None
    assert [r.id for r in PACK.rules if not r.id.startswith(@@MODULE@@.PREFIX + "-")] == []


def test_the_ruleset_files_have_no_problem() -> None:
    rulesets = sorted(str(p) for p in (Path(@@MODULE@@.__file__).parent / "rulesets").glob("*.yaml"))
    problems, count = lint_files(rulesets, REGISTRY.activity_types)
    assert [p.describe("en") for p in problems] == [] and count == len(PACK.rules if PACK else [])


@pytest.mark.parametrize("status", ["pass", "fail"])
def test_every_rule_has_a_case_expecting(status: str) -> None:
    assert PACK is not None
    cases = [c for path in PACK.case_files for c in load_case_file(path)]
    covered = {c.rule for c in cases if any(e.get("status") == status for e in c.expect)}
    assert sorted(r.id for r in PACK.rules if r.id not in covered) == []
'''

_README = '''\
# @@DIST@@ — @@TITLE_VI@@

Gói quy tắc `@@NAME@@` cho kl21rules (người phụ trách: @@AUTHOR@@).
*Rule pack `@@NAME@@` for kl21rules: @@TITLE_EN@@.*

| quy tắc / rule | loại / kind | nội dung / what it judges |
|---|---|---|
| `@@P@@-01` | khai báo / declarative (`rulesets/@@NAME@@.yaml`) | Mỗi quý ít nhất một buổi sinh hoạt chi bộ chuyên đề. *A thematic branch meeting every quarter.* |
| `@@P@@-02` | Python (`__init__.py`) | Mỗi năm ít nhất `min_count` cuộc kiểm tra. *At least `min_count` inspections a year.* |

Đây là khung do `kl21rules new-pack` tạo: sửa hai quy tắc mẫu thành quy định của đơn vị mình.
Mã quy tắc dùng tiền tố riêng `@@P@@-`. *A scaffold made by `kl21rules new-pack`: turn the two
example rules into your own; rule ids use the pack's own prefix `@@P@@-`.*

## Cài đặt / install

kl21rules chưa có trên PyPI: cài nó trước (từ kho mã của nó: `pip install /đường/dẫn/kl21rules`),
rồi cài gói này. *kl21rules is not on PyPI: install it first (from its repository), then this pack.*

```sh
python3 -m venv .venv && . .venv/bin/activate
pip install /path/to/kl21rules                # kho mã kl21rules / the kl21rules repository
pip install -e '.[test]'
kl21rules plugins                              # @@NAME@@  @@DIST@@  0.1.0  2 ...
kl21rules explain @@P@@-01
kl21rules check bao-cao.yaml                   # -p no:@@NAME@@ tắt gói / disables the pack
```

## Kiểm thử / testing

```sh
kl21rules lint-rules src/      # loại hoạt động, trường, mục của Kế hoạch, tham số / types, fields, clauses, params
pytest                         # mỗi trường hợp trong cases/ là một bài kiểm thử / one test per rule case
```

Mỗi quy tắc cần ít nhất một trường hợp `pass` và một trường hợp `fail`
(`src/@@MODULE@@/cases/@@NAME@@.yaml`). *Every rule needs a passing and a failing case.*
`.github/workflows/ci.yml` chạy đúng các lệnh trên / runs the same commands in CI.

## Viết quy tắc / writing rules

- Ngôn ngữ quy tắc (các loại nghĩa vụ, toán tử lọc, tham số, ...): `docs/rule-language.md` trong kho
  mã kl21rules. *The rule language: `docs/rule-language.md` of the kl21rules repository.*
- `ruleset.schema.json` (tạo lại / regenerate: `kl21rules schema --rules > ruleset.schema.json`)
  giúp trình soạn thảo gợi ý và kiểm tra tệp quy tắc (dòng đầu `# yaml-language-server: $schema=...`).
  *Editors complete and check rule files with it.*
- Quy tắc Python: hàm nhận `Context` và trả về danh sách `Finding` (`ctx.finding(...)`); siêu dữ
  liệu của nó nằm trong tệp quy tắc với `obligation: {kind: python}`. *A Python rule is a function
  of a `Context` returning findings; its metadata lives in the ruleset with `kind: python`.*

## Cấu trúc / layout

```
pyproject.toml                       entry point [project.entry-points.kl21rules] @@NAME@@
ruleset.schema.json                  JSON Schema of ruleset files (editors)
src/@@MODULE@@/__init__.py       hooks and the Python rule @@P@@-02
src/@@MODULE@@/rulesets/@@NAME@@.yaml  rules (data only)
src/@@MODULE@@/cases/@@NAME@@.yaml     rule cases, one test each
tests/test_pack.py                   the pack loads cleanly, ids, lint, pass/fail cases for every rule
.github/workflows/ci.yml             CI
```
'''
