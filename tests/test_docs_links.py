"""The repository documents its own contract and stands alone: every relative link of every
Markdown file resolves to a file (and heading) inside the repository, no document links or
points outside it, and docs/submission.md names every field of the submission model and every
value with its Vietnamese label."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from kl21rules import submission as sm
from kl21rules import vocab

REPO = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "build", "dist", ".mypy_cache", ".pytest_cache",
             ".ruff_cache", "__pycache__", ".tox"}
LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)


def markdown_files() -> list[Path]:
    found = []
    for path in REPO.rglob("*.md"):
        rel = path.relative_to(REPO)
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts[:-1]):
            continue
        found.append(path)
    return sorted(found)


def prose(text: str) -> str:
    """The text without fenced code blocks or inline code (examples, not links)."""
    text = FENCE.sub("", text)
    return re.sub(r"`[^`\n]*`", "", text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces made hyphens."""
    text = re.sub(r"`", "", heading.strip()).lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_" or unicodedata.category(c).startswith("M"))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set()
    for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M):
        base = anchor(match.group(1))
        n = seen.get(base, 0)
        out.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    out.update(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
    return out


def test_there_are_markdown_files_to_check() -> None:
    names = {p.relative_to(REPO).as_posix() for p in markdown_files()}
    assert {"README.md", "docs/cli.md", "docs/submission.md", "docs/ci.md", "CHANGELOG.md"} <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_link_resolves_inside_the_repository(path: Path) -> None:
    text = prose(path.read_text(encoding="utf-8"))
    targets = LINK.findall(text) + IMAGE.findall(text)
    for target in targets:
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I), f"{target}: a link outside the repository"
        assert not target.startswith("//"), f"{target}: a link outside the repository"
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        assert dest == REPO or REPO in dest.parents, f"{target}: points outside the repository"
        assert dest.exists(), f"{target}: no such file in the repository"
        if fragment and dest.suffix == ".md":
            assert fragment in anchors(dest), f"{target}: no heading '{fragment}' in {dest.relative_to(REPO)}"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_document_points_outside_the_repository(path: Path) -> None:
    """Not even as text: the spec and shared folders of the project's origin are not here."""
    text = path.read_text(encoding="utf-8")
    for pattern in (r"\.\./shared\b", r"(?<![\w/.])shared/(spec|plan|testdata)\b", r"(?<![\w/])spec/[a-z]+\.md"):
        found = re.search(pattern, text)
        assert found is None, f"{path.relative_to(REPO)}: '{found.group(0) if found else ''}' is not in the repository"


def test_link_checker_finds_a_broken_link(tmp_path: Path) -> None:
    """The checker itself can fail: a missing file, a missing heading, a web address."""
    page = tmp_path / "page.md"
    page.write_text("# Một / one\n[a](missing.md) [b](#khong-co) [c](https://example.org) `[d](x.md)`\n",
                    encoding="utf-8")
    text = prose(page.read_text(encoding="utf-8"))
    assert LINK.findall(text) == ["missing.md", "#khong-co", "https://example.org"]
    assert anchors(page) == {"một--one"}


# --- docs/submission.md covers the model ----------------------------------------------------

SUBMISSION_MD = REPO / "docs" / "submission.md"


def section(text: str, title_start: str) -> str:
    parts = re.split(r"^#{2,3} ", text, flags=re.M)
    found = [p for p in parts if p.startswith(title_start)]
    assert found, f"docs/submission.md has no section '{title_start}'"
    return "\n".join(found)


def test_submission_md_names_every_field_of_the_model() -> None:
    text = SUBMISSION_MD.read_text(encoding="utf-8")
    blocks = {"`report`": sm.ReportInfo, "`unit`": sm.Unit, "`signals`": sm.Signal}
    for title, model in blocks.items():
        body = section(text, title)
        for name in model.model_fields:
            assert f"| `{name}` |" in body, f"{title}: field {name} is not described"
    common = {"type", "date", "id", "ref", "note", "year", "replaces"}
    for model in sm.BUILTIN_ACTIVITY_TYPES:
        kind = sm.activity_type_name(model)
        body = section(text, f"`{kind}`") if f"### `{kind}`" in text else section(text, "`inspection`, `supervision`")
        for name in model.model_fields:
            if name in common and f"| `{name}` |" not in body:
                assert f"`{name}`" in section(text, "`activities`"), f"{kind}: field {name} is not described"
                continue
            assert f"| `{name}` |" in body, f"{kind}: field {name} is not described"


@pytest.mark.parametrize("field", sorted(vocab.FIELDS))
def test_submission_md_lists_every_value_with_its_vietnamese_label(field: str) -> None:
    text = SUBMISSION_MD.read_text(encoding="utf-8")
    for code, label in vocab.FIELDS[field].items():
        assert f"| `{code}` | {label.vi} |" in text, f"{field}: {code} = {label.vi} is not listed"


# --- docs/cli.md covers the command line ------------------------------------------------------


def test_cli_md_has_a_section_for_every_command_naming_each_of_its_options() -> None:
    """A command or option added without its line in docs/cli.md fails here."""
    import typer

    from kl21rules.cli import app

    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    assert "check" in commands
    missing = []
    for name, command in sorted(commands.items()):
        if f"## `{name}`" not in text:
            missing.append(f"section ## `{name}`")
            continue
        body = text.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            longs = [o for o in getattr(param, "opts", []) if o.startswith("--") and o != "--help"]
            if getattr(param, "param_type_name", "") == "option" and longs and not any(f"`{o}" in body for o in longs):
                missing.append(f"{name} {longs[0]}")
    assert not missing, missing
