"""Where a report goes: standard output as it is rendered, or a file written whole or not at all."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TextIO


def write_stream(chunks: Iterable[str], stream: TextIO | None = None) -> None:
    """Write pieces of a report to a stream (standard output by default) as they come."""
    out = stream if stream is not None else sys.stdout
    for chunk in chunks:
        out.write(chunk)
    out.flush()


def write_file_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write pieces of a report to ``path`` through a temporary file in the same folder and a
    rename: a reader never sees half a report, and if rendering or writing fails (or is
    interrupted) an existing file is left as it was. Like :func:`kl21rules.fsutil.write_atomic`,
    but the text is never held whole in memory."""

    def write(handle: IO[bytes]) -> None:
        for chunk in chunks:
            handle.write(chunk.encode("utf-8", "replace"))  # a lone surrogate must not stop a report

    write_bytes_atomic(path, write)


def write_bytes_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write`` with a binary file that becomes ``path`` only once it is whole and flushed
    (the one atomic writer of every ``--output``, text or binary such as ``.xlsx``).

    Only a regular file (or a new one) is replaced: something else (``/dev/stdout``, ``/dev/null``,
    a FIFO, a terminal) is written to directly, never replaced by a file. A symbolic link to a
    report is kept: the file it leads to is replaced.
    """
    path = Path(path)
    if not _replaceable(path):
        with open(path, "wb") as handle:
            write(handle)
        return
    path = Path(os.path.realpath(path))
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            # Keep the permissions the user gave the report, not mkstemp's 0600.
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _replaceable(path: Path) -> bool:
    """Whether ``path`` is written through a temporary file and a rename: a regular file or no file
    at all, and not a place under ``/dev`` or ``/proc`` (``/dev/stdout`` leads to a descriptor)."""
    import stat

    real = os.path.realpath(path)
    if real.startswith(("/dev/", "/proc/")) or real in ("/dev", "/proc"):
        return False
    try:
        return stat.S_ISREG(os.stat(real).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return True  # the rename will say what is wrong


def clashing_input(output: Path, targets: Sequence[str], suffixes: Sequence[str]) -> str | None:
    """The input among ``targets`` that writing ``output`` would overwrite, if any: a file named
    there (or a hard link to it), or a submission file inside a folder named there."""
    try:
        out_stat = os.stat(output)
    except OSError:
        return None  # a new file overwrites nothing
    import stat

    if not stat.S_ISREG(out_stat.st_mode):
        return None  # written to directly, never read as a submission
    real = os.path.realpath(output)
    for target in targets:
        if target == "-":
            continue
        try:
            target_stat = os.stat(target)
        except OSError:
            continue
        if stat.S_ISDIR(target_stat.st_mode):
            root = os.path.realpath(target).rstrip(os.sep) + os.sep
            if real.startswith(root) and real.lower().endswith(tuple(suffixes)):
                return target
        elif (target_stat.st_dev, target_stat.st_ino) == (out_stat.st_dev, out_stat.st_ino):
            return target
    return None
