"""Byte-identity of every report, before and after a change (for optimisation work).

    python benchmarks/identity.py                      # this tree vs main, 2,000 generated files
    python benchmarks/identity.py --base HEAD~3 --n 500
    python benchmarks/identity.py --pin tests/data/output-digests.json --n 200

Runs ``kl21rules check`` on the samples and on ``N`` seeded generated files (benchmarks/generate.py)
in every format (text, text with ``--all``, json, junit, sarif, markdown, github, html, xlsx) and
both languages, once with the code of this tree and once with the code of ``--base`` (exported with
``git archive`` into a temporary folder and put first on ``PYTHONPATH``), and compares the SHA-256
of every report, of standard output and standard error, and the exit code. The inputs are the same
for both sides (this tree's samples and generator). Nothing is read outside the repository and the
temporary folders; nothing is fetched. Exit code 0 when every digest matches, 1 otherwise.

``--pin FILE`` writes this tree's digests instead, for ``tests/test_output_identity.py``, which
recomputes them on 200 generated files and the samples and fails on any difference: run it again
(and say why in the commit) when a change to a report's bytes is intended.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 7
YAML_SHARE = 0.2
FORMATS = {  # format: file name of its report
    "json": "report.json",
    "text": "report.txt",
    "junit": "report.xml",
    "sarif": "report.sarif",
    "markdown": "report.md",
    "github": "report.github",
    "html": "report.html",
    "xlsx": "report.xlsx",
}
LAUNCH = "import sys; from kl21rules.cli import main; sys.argv[0] = 'kl21rules'; main()"
# For the base's code: an editable install's import hook would find this tree's kl21rules before
# anything on PYTHONPATH, so it is taken out and the exported tree put first.
PRELUDE = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path "
           "if not str(getattr(f, '__module__', '')).startswith('__editable__')]; sys.path.insert(0, {code!r}); ")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _run(code: Path | None, cwd: Path, out: Path, args: list[str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KL21RULES_")}
    env["KL21RULES_NO_CACHE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env["COLUMNS"] = "100"
    env.pop("GITHUB_ACTIONS", None)
    env.pop("CI", None)
    launch = LAUNCH if code is None else PRELUDE.format(code=str(code)) + LAUNCH
    proc = subprocess.run([sys.executable, "-c", launch, *args], cwd=cwd, env=env,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=3600)
    return {"exit": proc.returncode, "stdout": _sha(proc.stdout), "stderr": _sha(proc.stderr)}


def digests(inputs: dict[str, Path], work: Path, code: Path | None = None) -> dict[str, Any]:
    """Digests of every report of every input set, in both languages, with the code at ``code``
    (``None``: the installed kl21rules, that is this tree in an editable install)."""
    result: dict[str, Any] = {}
    for name, folder in inputs.items():
        for lang in ("vi", "en"):
            out = work / f"{name}-{lang}"
            out.mkdir(parents=True)
            args = ["check", ".", "--lang", lang, "-q", "--isolated",
                    "--format", "json", "-o", str(out / FORMATS["json"])]
            for fmt, fname in FORMATS.items():
                if fmt != "json":
                    args += ["--report", f"{fmt}:{out / fname}"]
            run = _run(code, folder, out, args)
            run.update({fmt: _sha((out / fname).read_bytes()) if (out / fname).exists() else None
                        for fmt, fname in FORMATS.items()})
            result[f"{name}/{lang}"] = run
            # the text report with passes listed too, on standard output
            result[f"{name}/{lang}/text-all"] = _run(code, folder, out, ["check", ".", "--lang", lang, "--isolated", "--all"])
    return result


def make_inputs(root: Path, n: int, seed: int = SEED) -> dict[str, Path]:
    """The samples (copied) and ``n`` generated files, under ``root``."""
    samples = root / "samples"
    shutil.copytree(ROOT / "samples", samples, ignore=shutil.ignore_patterns("README.md"))
    gen = root / "generated"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(n), str(gen),
                    "--seed", str(seed), "--yaml-share", str(YAML_SHARE)],
                   check=True, capture_output=True)
    return {"samples": samples, "generated": gen}


def export(rev: str, dest: Path) -> Path:
    """The repository's tree at ``rev``, written to ``dest`` (``git archive``)."""
    archive = dest.with_suffix(".tar")
    with archive.open("wb") as fh:
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], check=True, stdout=fh)
    dest.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    return dest


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    diffs = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key, {}), after.get(key, {})
        for field in sorted(set(b) | set(a)):
            if b.get(field) != a.get(field):
                diffs.append(f"{key}: {field} differs")
    return diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--n", type=int, default=2000, help="generated files (default 2,000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--pin", type=Path, help="write this tree's digests to PIN and stop")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kl21-identity-") as tmp:
        work = Path(tmp)
        inputs = make_inputs(work / "in", args.n, args.seed)
        if args.pin:
            pinned = {"n": args.n, "seed": args.seed, "digests": digests(inputs, work / "now")}
            args.pin.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"wrote {args.pin}")
            return 0
        base = export(args.base, work / "base")
        before = digests(inputs, work / "before", base)
        after = digests(inputs, work / "after")
    diffs = compare(before, after)
    total = sum(len(v) for v in after.values())
    if diffs:
        print("\n".join(diffs))
        print(f"{len(diffs)} of {total} digests differ from {args.base}")
        return 1
    print(f"identical: {total} digests (exit codes, reports, stdout, stderr) on the samples and "
          f"{args.n} generated files, both languages, same as {args.base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
