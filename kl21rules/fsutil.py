"""Writing files whole or not at all."""

from __future__ import annotations

from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename, so a reader
    never sees half a file and an existing file is untouched if writing fails. One
    implementation serves both whole texts and streamed reports
    (:func:`kl21rules.output._sink.write_file_atomic`), permissions included."""
    from kl21rules.output._sink import write_file_atomic

    write_file_atomic(path, (text,))
