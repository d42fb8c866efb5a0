"""Load the codebooks and coder rules: CAMEO codes, trigger patterns, cue lists (versioned data)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CAMEO_FILE = Path(__file__).with_name("cameo.csv")
TRIGGERS_FILE = REPO_ROOT / "data" / "codebook" / "triggers.jsonl"
CUES_FILE = REPO_ROOT / "data" / "codebook" / "cues.json"
_CAMEO_COLUMNS = {"code", "name", "quad_class", "goldstein", "event_type", "acled_event_type", "acled_sub_event_type"}
_TRIGGER_KEYS = {"id", "type", "cameo", "confidence", "pattern"}


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
class TriggerRule:
    """One trigger pattern (spaCy Matcher token pattern) and the code it assigns."""

    id: str
    event_type: str
    cameo: str
    confidence: float
    pattern: list
    requires: str | None = None


@cache
def load_cameo() -> dict[str, CameoCode]:
    """CAMEO codebook keyed by code; fails fast on missing columns."""
    with CAMEO_FILE.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = _CAMEO_COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{CAMEO_FILE.name} lacks columns {sorted(missing)}")
        return {
            row["code"]: CameoCode(
                row["code"], row["name"], int(row["quad_class"]), float(row["goldstein"]),
                row["event_type"] or None, row["acled_event_type"] or None, row["acled_sub_event_type"] or None,
            )
            for row in reader
        }


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


def rules_version() -> str:
    """Version tag of the coder's data, part of coder_version."""
    return f"{load_cues()['version']}+triggers.v1"
