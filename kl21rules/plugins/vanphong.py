"""Pack ``vanphong``: Office of the Party Committee (Văn phòng Đảng ủy Khối)."""

from __future__ import annotations

from kl21rules.plugins._builtin import BuiltinPack
from kl21rules.rules.model import Text

NAME = "vanphong"

plugin = BuiltinPack(NAME, Text(vi="Văn phòng Đảng ủy Khối", en="Office of the Party Committee"))
