"""The bundled sample corpus is also a held-out gold set (data/gold/samples.jsonl): its score only goes up."""

from __future__ import annotations

from pathlib import Path

from flows.extraction import extract_records
from flows.sources import read_gold
from transforms.scoring import score_corpus

GOLD = Path(__file__).resolve().parents[1] / "data" / "gold" / "samples.jsonl"
FLOOR = {"f1": 0.97, "precision": 0.95, "recall": 1.0}


def test_gold_texts_match_sample_files() -> None:
    """The gold file codes exactly the bundled articles."""
    samples = Path(GOLD).parents[1] / "samples"
    for article in read_gold(GOLD):
        assert (samples / f"{article['id']}.txt").read_text(encoding="utf-8") == article["text"]


def test_sample_scores_do_not_regress() -> None:
    """Event F1, precision and recall on the sample gold stay at or above the best reached."""
    events, rejects = extract_records(GOLD)
    assert not rejects
    micro = score_corpus(events, read_gold(GOLD)).micro
    for key, minimum in FLOOR.items():
        assert getattr(micro, key) >= minimum, f"{key} {getattr(micro, key):.3f} < {minimum}"
