"""GDELT and ACLED exports of the events table: column sets, types and the mapped values."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from flows.cli import main
from flows.exports import export_views, write_exports
from flows.lake import write_table
from schemas.tables import table
from transforms.exports import ACLED_COLUMNS, GDELT_COLUMNS, acled_events, gdelt_events, global_event_id

BASE = {
    "event_id": "a" * 20, "article_id": "art-1", "event_type": "meeting", "cameo_code": "042", "cameo_root": "04",
    "quad_class": 1, "goldstein": 1.9, "acled_event_type": None, "acled_sub_event_type": None,
    "event_date": date(2024, 3, 5), "date_first": date(2024, 3, 5), "date_last": date(2024, 3, 5),
    "date_precision": "day", "actor1_name": "Italian President", "actor1_code": "ITAGOV", "actor1_country": "ITA",
    "actor2_name": "Vietnam", "actor2_code": "VNM", "actor2_country": "VNM", "location": "Hanoi", "admin1": "Hanoi",
    "location_country": "VNM", "latitude": 21.03, "longitude": 105.85, "geo_precision": 1, "fatalities": None,
    "injuries": None, "confidence": 0.9, "background": False, "num_mentions": 2, "num_sources": 1, "num_articles": 1,
    "sentence": "s", "char_start": 0, "char_end": 1, "trigger": "visited", "provenance": "{}",
    "published": date(2024, 3, 6), "coder_version": "test", "year": 2024, "month": 3,
}
STRIKE = BASE | {
    "event_id": "b" * 20, "event_type": "military_incident", "cameo_code": "195", "cameo_root": "19", "quad_class": 4,
    "goldstein": -10.0, "acled_event_type": "Explosions/Remote violence", "acled_sub_event_type": "Air/drone strike",
    "date_first": date(2024, 3, 1), "date_last": date(2024, 3, 5), "date_precision": "range",
    "actor1_name": "Nigerian Air Force", "actor1_code": "NGAMIL", "actor1_country": "NGA",
    "actor2_name": "militants", "actor2_code": "REB", "actor2_country": None, "location": "Maiduguri",
    "admin1": "Borno", "location_country": "NGA", "geo_precision": 2, "fatalities": 12,
}
CLASH = STRIKE | {  # no ACLED type on the row: the crosswalk fills it; no fatalities stated, no place
    "event_id": "c" * 20, "cameo_code": "193", "acled_event_type": None, "acled_sub_event_type": None,
    "date_precision": "publication", "actor2_name": None, "actor2_code": None, "location": None, "admin1": None,
    "location_country": None, "latitude": None, "longitude": None, "geo_precision": None, "fatalities": None,
}


def events(*rows: dict) -> pl.DataFrame:
    """An events frame with the declared schema."""
    return pl.DataFrame(list(rows), schema=table("events").schema)


def test_gdelt_columns_and_values() -> None:
    out = gdelt_events(events(BASE, STRIKE), pl.DataFrame({"article_id": ["art-1"], "url": ["https://x.test/a"]}))
    assert out.columns == list(GDELT_COLUMNS) and len(GDELT_COLUMNS) == 61
    assert out.schema["GLOBALEVENTID"] == pl.Int64 and out.schema["SQLDATE"] == pl.Int32
    row = out.filter(pl.col("GLOBALEVENTID") == global_event_id("a" * 20)).row(0, named=True)
    assert (row["SQLDATE"], row["MonthYear"], row["Year"]) == (20240305, 202403, 2024)
    assert abs(row["FractionDate"] - (2024 + 64 / 366)) < 1e-4
    assert (row["EventCode"], row["EventBaseCode"], row["EventRootCode"], row["QuadClass"]) == ("042", "042", "04", 1)
    assert (row["Actor1Code"], row["Actor1CountryCode"], row["Actor1Type1Code"]) == ("ITAGOV", "ITA", "GOV")
    assert row["Actor2Type1Code"] is None and row["NumMentions"] == 2 and row["AvgTone"] is None
    assert (row["ActionGeo_Type"], row["ActionGeo_FullName"], row["ActionGeo_CountryCode"]) == (4, "Hanoi", "VNM")
    assert row["DATEADDED"] == 20240306000000 and row["SOURCEURL"] == "https://x.test/a"
    strike = out.filter(pl.col("EventCode") == "195").row(0, named=True)
    assert strike["EventBaseCode"] == "195" and strike["ActionGeo_Type"] == 5
    assert strike["ActionGeo_FullName"] == "Maiduguri, Borno" and strike["Actor2Type1Code"] == "REB"
    assert gdelt_events(events(STRIKE))["GLOBALEVENTID"].to_list() == [global_event_id("b" * 20)]  # stable


def test_acled_violent_events_only() -> None:
    articles = pl.DataFrame({"article_id": ["art-1"], "source": ["Reuters"],
                             "ingested_at": [datetime(2024, 3, 7, 12, 0)]})
    out = acled_events(events(BASE, STRIKE, CLASH), articles)
    assert out.columns == list(ACLED_COLUMNS) and len(ACLED_COLUMNS) == 31 and out.height == 2
    strike = out.filter(pl.col("sub_event_type") == "Air/drone strike").row(0, named=True)
    assert strike["event_type"] == "Explosions/Remote violence" and strike["disorder_type"] == "Political violence"
    assert (strike["inter1"], strike["inter2"], strike["interaction"]) == ("State forces", "Rebel group",
                                                                          "State forces-Rebel group")
    assert (strike["time_precision"], strike["geo_precision"], strike["fatalities"]) == (2, 2, 12)
    assert strike["country"] == "Nigeria" and strike["iso"] is None and strike["source"] == "Reuters"
    assert strike["event_id_cnty"].startswith("NGA") and strike["timestamp"] == 1709812800
    assert strike["notes"] == ("On 2024-03-05, air/drone strike by Nigerian Air Force against militants "
                               "in Maiduguri (Borno). Fatalities: 12.")
    assert strike["civilian_targeting"] is None
    clash = out.filter(pl.col("sub_event_type") == "Armed clash").row(0, named=True)
    assert clash["event_type"] == "Battles" and clash["fatalities"] == 0 and clash["interaction"] == "State forces only"
    assert clash["time_precision"] == 2 and clash["country"] is None and "Fatalities: 0." in clash["notes"]


def test_empty_inputs_keep_the_columns() -> None:
    assert gdelt_events(events()).columns == list(GDELT_COLUMNS)
    out = acled_events(events(BASE))
    assert out.is_empty() and out.columns == list(ACLED_COLUMNS) and out.schema["fatalities"] == pl.Int64


def test_cli_export_and_duckdb_views(tmp_path: Path, capsys) -> None:
    lake, out = tmp_path / "lake", tmp_path / "out"
    assert main(["export", "--lake", str(lake)]) == 2  # no events table yet: a clear error, not an empty export
    write_table(events(BASE, STRIKE, CLASH), "events", lake)
    assert main(["export", "--lake", str(lake), "--format", "csv", "--out", str(out)]) == 0
    assert "acled_events" in capsys.readouterr().out
    acled = pl.read_csv(out / "acled_events.csv")
    assert acled.columns == list(ACLED_COLUMNS) and sorted(acled["fatalities"]) == [0, 12]
    assert pl.read_csv(out / "gdelt_events.csv").height == 3
    write_exports(lake)
    views = export_views(lake)
    assert sorted(views) == ["acled_events", "gdelt_events"] and not list((lake / "exports").glob(".*"))
    with duckdb.connect() as con:
        assert con.execute(f"select count(*) from ({views['gdelt_events']})").fetchone() == (3,)
