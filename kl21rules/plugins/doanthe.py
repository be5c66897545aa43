"""Pack ``doanthe``: Mass organisations of the bloc (Các đoàn thể trực thuộc Đảng ủy Khối)."""

from __future__ import annotations

from kl21rules.plugins._builtin import BuiltinPack
from kl21rules.rules.model import Text

NAME = "doanthe"

plugin = BuiltinPack(NAME, Text(vi="Các đoàn thể trực thuộc Đảng ủy Khối", en="Mass organisations of the bloc"))
