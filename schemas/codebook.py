"""Load the codebooks and coder rules: CAMEO codes, trigger patterns, cue lists (versioned data)."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CAMEO_FILE = Path(__file__).with_name("cameo.csv")
TRIGGERS_FILE = REPO_ROOT / "data" / "codebook" / "triggers.jsonl"
CUES_FILE = REPO_ROOT / "data" / "codebook" / "cues.json"
ACLED_TYPES_FILE = Path(__file__).with_name("acled_types.csv")
CROSSWALK_FILE = Path(__file__).with_name("crosswalk.csv")
_CAMEO_COLUMNS = {"code", "name", "quad_class", "goldstein", "event_type", "acled_event_type", "acled_sub_event_type"}
_ACLED_COLUMNS = {"event_type", "sub_event_type", "disorder_type", "hierarchy"}
_CROSSWALK_COLUMNS = {"event_type", "cameo_code", "acled_event_type", "acled_sub_event_type"}
_TRIGGER_KEYS = {"id", "type", "cameo", "confidence", "pattern"}
_OPTIONAL_OPS = {"?", "*", "!"}  # a pattern token with one of these may be absent, so it cannot be required


@dataclass(frozen=True)
class CameoCode:
    """One CAMEO code with its scales and crosswalks."""

    code: str
    name: str
    quad_class: int
    goldstein: float
    event_type: str | None
    acled_event_type: str | None
    acled_sub_event_type: str | None


@dataclass(frozen=True)
class AcledType:
    """One ACLED event type / sub-event type pair with its disorder type and hierarchy rank."""

    event_type: str
    sub_event_type: str
    disorder_type: str
    hierarchy: int  # 1 = highest: ACLED keeps the highest type when one event fits several


@dataclass(frozen=True)
class TriggerRule:
    """One trigger pattern (spaCy Matcher token pattern) and the code it assigns."""

    id: str
    event_type: str
    cameo: str
    confidence: float
    pattern: list
    requires: str | None = None

    def required_tokens(self) -> list[dict]:
        """The pattern tokens every match must contain (not optional '?', '*', '{,n}', '{0,n}'; not negated '!')."""
        return [spec for spec in self.pattern
                if spec.get("OP", "") not in _OPTIONAL_OPS and not str(spec.get("OP", "")).startswith(("{,", "{0"))]


def spec_values(spec: object) -> list[str]:
    """The strings a pattern token attribute accepts: 'x' or {'IN': [...]}; NOT_IN and the like select nothing."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and "IN" in spec:
        return list(spec["IN"])
    return []


def _read_csv(path: Path, columns: set[str]) -> list[dict[str, str]]:
    """Rows of a codebook CSV; fails fast when a required column is missing."""
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = columns - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name} lacks columns {sorted(missing)}")
        return list(reader)


@cache
def load_cameo() -> dict[str, CameoCode]:
    """CAMEO codebook keyed by code; fails fast on missing columns."""
    return {
        row["code"]: CameoCode(
            row["code"], row["name"], int(row["quad_class"]), float(row["goldstein"]),
            row["event_type"] or None, row["acled_event_type"] or None, row["acled_sub_event_type"] or None,
        )
        for row in _read_csv(CAMEO_FILE, _CAMEO_COLUMNS)
    }


@cache
def load_acled_types() -> dict[tuple[str, str], AcledType]:
    """ACLED (event_type, sub_event_type) pairs with disorder type and hierarchy; fails fast on missing columns."""
    rows = _read_csv(ACLED_TYPES_FILE, _ACLED_COLUMNS)
    return {(r["event_type"], r["sub_event_type"]): AcledType(r["event_type"], r["sub_event_type"], r["disorder_type"],
                                                              int(r["hierarchy"])) for r in rows}


@cache
def load_crosswalk() -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(our event_type, cameo_code) -> (ACLED event_type, sub_event_type); None, None for meetings and calls."""
    rows = _read_csv(CROSSWALK_FILE, _CROSSWALK_COLUMNS)
    return {(r["event_type"], r["cameo_code"]): (r["acled_event_type"] or None, r["acled_sub_event_type"] or None)
            for r in rows}


@cache
def load_trigger_rules() -> tuple[TriggerRule, ...]:
    """Trigger patterns from triggers.jsonl (name: triggers.v1); fails fast on a malformed rule."""
    rules = []
    cameo = load_cameo()
    for number, line in enumerate(TRIGGERS_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        missing = _TRIGGER_KEYS - raw.keys()
        if missing or raw["cameo"] not in cameo:
            raise ValueError(f"{TRIGGERS_FILE.name}:{number}: missing {sorted(missing)} or unknown code")
        rules.append(TriggerRule(raw["id"], raw["type"], raw["cameo"], raw["confidence"], raw["pattern"], raw.get("requires")))
    return tuple(rules)


@cache
def load_cues() -> dict:
    """Cue word lists used by modality, role and weapon rules (cues.v1)."""
    cues = json.loads(CUES_FILE.read_text(encoding="utf-8"))
    for key in ("intention_verbs", "modal_auxes", "transparent_nouns", "weapon_cameo", "violence_words"):
        if key not in cues:
            raise ValueError(f"{CUES_FILE.name} lacks {key}")
    return cues


@cache
def rules_version() -> str:
    """Version tag of the coder's data, part of coder_version: any edit to a trigger or a cue list changes it, so an
    analyst can tell events coded under different rules apart."""
    digest = hashlib.sha256(TRIGGERS_FILE.read_bytes() + CUES_FILE.read_bytes()).hexdigest()[:8]
    return f"{load_cues()['version']}+triggers.v1+{digest}"
