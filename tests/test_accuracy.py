"""Accuracy only ratchets up: `eventpipe evaluate` on the shared gold sets must not fall below the best scores reached."""

from __future__ import annotations

import re

import pytest

from flows.cli import main
from tests.shared_data import DEV_GOLD, SEED_GOLD, require

# Raise these when the coder improves; never lower them.
DEV_FLOOR = {"f1": 0.930, "p": 1.0, "r": 0.869}
SEED_FLOOR = {"f1": 1.0, "p": 1.0, "r": 1.0}
_LAST_LINE = re.compile(r"^event F1 (?P<f1>\d\.\d{3}) P (?P<p>\d\.\d{3}) R (?P<r>\d\.\d{3})$")


def _evaluate(path, capsys) -> dict[str, float]:
    assert main(["evaluate", str(path)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = _LAST_LINE.match(last)
    assert match, f"last line not in the documented format: {last!r}"
    return {k: float(v) for k, v in match.groupdict().items()}


@pytest.mark.parametrize(("gold", "floor"), [(DEV_GOLD, DEV_FLOOR), (SEED_GOLD, SEED_FLOOR)], ids=["dev", "seed"])
def test_scores_do_not_regress(gold, floor, capsys) -> None:
    """F1, precision and recall stay at or above the best reached so far."""
    scores = _evaluate(require(gold), capsys)
    for key, minimum in floor.items():
        assert scores[key] >= minimum, f"{gold.name}: {key} {scores[key]:.3f} fell below {minimum:.3f}"
