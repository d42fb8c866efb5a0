"""Score coded events against a gold file, exactly as shared/eval/FORMAT.md describes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

EVENT_TYPES = ("meeting", "phone_call", "military_incident")
_SLACK = timedelta(days=1)


@dataclass
class Counts:
    """True positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """Per-type and micro-averaged counts, plus attribute accuracy on matched pairs."""

    by_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in EVENT_TYPES})
    attributes: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    pairs: list[tuple[dict, dict]] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        """Counts summed over types."""
        return Counts(*(sum(getattr(c, k) for c in self.by_type.values()) for k in ("tp", "fp", "fn")))


def _gold_range(gold: dict) -> tuple[date, date] | None:
    value = gold.get("date")
    if value is None:
        return None
    if isinstance(value, list):
        return date.fromisoformat(value[0]), date.fromisoformat(value[1])
    return date.fromisoformat(value), date.fromisoformat(value)


def _pred_countries(pred: dict) -> set[str]:
    return {c for c in (pred.get("actor1_country"), pred.get("actor2_country")) if c}


def match_quality(pred: dict, gold: dict) -> float | None:
    """None when pred cannot match gold (FORMAT.md rules 1-3), else a score for best-first pairing."""
    if pred.get("event_type") != gold.get("type"):
        return None
    gold_actors = set(gold.get("actors") or [])
    shared = _pred_countries(pred) & gold_actors
    if gold_actors and not shared:
        return None
    bounds = _gold_range(gold)
    quality = float(len(shared))
    if bounds is not None:
        if not pred.get("event_date"):
            return None
        day = date.fromisoformat(str(pred["event_date"])[:10])
        if not bounds[0] - _SLACK <= day <= bounds[1] + _SLACK:
            return None
        quality += 1.0 if bounds[0] <= day <= bounds[1] else 0.5
    # ties go to the pair that also agrees on the toll and the country, so "best first" pairs like with like
    if "fatalities" in gold and pred.get("fatalities") == gold["fatalities"]:
        quality += 0.25
    if gold.get("location_country") and pred.get("location_country") == gold["location_country"]:
        quality += 0.25
    return quality


def score_article(preds: list[dict], golds: list[dict], score: Score) -> None:
    """Greedy best-first matching of one article's events; adds to score."""
    preds = [p for p in preds if not p.get("background")]
    candidates = sorted(
        ((q, i, j) for i, p in enumerate(preds) for j, g in enumerate(golds) if (q := match_quality(p, g)) is not None),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    used_p, used_g = set(), set()
    for _, i, j in candidates:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        score.by_type[golds[j]["type"]].tp += 1
        _attributes(preds[i], golds[j], score)
    for i, p in enumerate(preds):
        if i not in used_p and p.get("event_type") in score.by_type:
            score.by_type[p["event_type"]].fp += 1
    for j, g in enumerate(golds):
        if j not in used_g:
            score.by_type[g["type"]].fn += 1


def _attributes(pred: dict, gold: dict, score: Score) -> None:
    score.pairs.append((pred, gold))
    gold_actors = set(gold.get("actors") or [])
    if gold_actors:
        countries = _pred_countries(pred)
        score.attributes["actors"].append(countries == gold_actors or (len(gold_actors) > 2 and len(countries) == 2 and countries <= gold_actors))
    if "fatalities" in gold:
        score.attributes["fatalities"].append(pred.get("fatalities") == gold["fatalities"])
    if gold.get("location_country"):
        score.attributes["location_country"].append(pred.get("location_country") == gold["location_country"])
    bounds = _gold_range(gold)
    if bounds is not None:
        day = date.fromisoformat(str(pred["event_date"])[:10])
        score.attributes["date_within_1_day"].append(bounds[0] - _SLACK <= day <= bounds[1] + _SLACK)


def score_corpus(preds: list[dict], gold_articles: list[dict]) -> Score:
    """Score all predictions against all gold articles (predictions keyed by article_id)."""
    by_article: dict[str, list[dict]] = defaultdict(list)
    for pred in preds:
        by_article[str(pred.get("article_id"))].append(pred)
    score = Score()
    for article in gold_articles:
        score_article(by_article.get(str(article["id"]), []), article.get("events", []), score)
    return score


def format_score(score: Score) -> str:
    """The report `eventpipe evaluate` prints; the last line is `event F1 X.XXX P X.XXX R X.XXX`."""
    lines = [f"{'type':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for name, c in score.by_type.items():
        lines.append(f"{name:<18} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.tp:4d} {c.fp:4d} {c.fn:4d}")
    for name, values in sorted(score.attributes.items()):
        lines.append(f"matched pairs, {name} right: {sum(values)}/{len(values)}" + (f" ({sum(values) / len(values):.3f})" if values else ""))
    micro = score.micro
    lines.append(f"event F1 {micro.f1:.3f} P {micro.precision:.3f} R {micro.recall:.3f}")
    return "\n".join(lines)
