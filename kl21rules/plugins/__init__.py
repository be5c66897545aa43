"""The built-in department packs. Each is an ordinary pack registered through the entry-point
group ``kl21rules`` (see ``pyproject.toml``), exactly as an installed third-party pack is."""
