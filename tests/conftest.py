"""Test-wide settings."""

from __future__ import annotations

import os
import tempfile

# Keep the test run's ruleset cache out of the user's cache folder, and start it cold each run so
# a stale entry can never make a test pass. Subprocesses started by tests inherit it.
os.environ["KL21RULES_CACHE_DIR"] = tempfile.mkdtemp(prefix="kl21rules-test-cache-")
