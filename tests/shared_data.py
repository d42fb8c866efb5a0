"""Where the read-only shared files (reference article, gold sets) live: ../shared beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_ARTICLE = SHARED / "seeds" / "000_2541c74b2e74fdb7.txt"
SEED_GOLD = SHARED / "eval" / "seed.jsonl"
DEV_GOLD = SHARED / "eval" / "dev.jsonl"


def require(path: Path) -> Path:
    """The path, or skip the test with the reason (a user's clone has no ../shared; CI has it)."""
    if not path.exists():
        pytest.skip(f"shared file not present: {path}")
    return path
