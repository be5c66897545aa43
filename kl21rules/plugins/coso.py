"""Pack ``coso``: Grassroots party committees and cells (Các cấp ủy, chi bộ cơ sở)."""

from __future__ import annotations

from kl21rules.plugins._builtin import BuiltinPack
from kl21rules.rules.model import Text

NAME = "coso"

plugin = BuiltinPack(NAME, Text(vi="Các cấp ủy, chi bộ cơ sở", en="Grassroots party committees and cells"))
