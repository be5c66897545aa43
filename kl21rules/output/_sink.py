"""Where a report goes: standard output as it is rendered, or a file written whole or not at all."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
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
            handle.write(chunk.encode("utf-8"))

    write_bytes_atomic(path, write)


def write_bytes_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write`` with a binary file that becomes ``path`` only once it is whole and flushed
    (the one atomic writer of every ``--output``, text or binary such as ``.xlsx``)."""
    path = Path(path)
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
