"""The events table in foreign formats: GDELT 2.0 event rows and the current ACLED export (pure polars)."""

from __future__ import annotations

import hashlib

import polars as pl

from schemas.codebook import load_acled_types, load_crosswalk
from schemas.dictionaries import load_countries

# GDELT 2.0 event table, 61 columns in file order (GDELT-Event_Codebook-V2.0).
_ACTOR_FIELDS = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
                 "Type1Code", "Type2Code", "Type3Code")
_GEO_FIELDS = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{f}" for f in _ACTOR_FIELDS), *(f"Actor2{f}" for f in _ACTOR_FIELDS),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"Actor1Geo_{f}" for f in _GEO_FIELDS), *(f"Actor2Geo_{f}" for f in _GEO_FIELDS),
    *(f"ActionGeo_{f}" for f in _GEO_FIELDS), "DATEADDED", "SOURCEURL",
)
# Types of the GDELT columns that are not strings.
_GDELT_TYPES: dict[str, pl.DataType] = {
    "GLOBALEVENTID": pl.Int64(), "SQLDATE": pl.Int32(), "MonthYear": pl.Int32(), "Year": pl.Int32(),
    "FractionDate": pl.Float64(), "IsRootEvent": pl.Int8(), "QuadClass": pl.Int8(), "GoldsteinScale": pl.Float64(),
    "NumMentions": pl.Int64(), "NumSources": pl.Int64(), "NumArticles": pl.Int64(), "AvgTone": pl.Float64(),
    "DATEADDED": pl.Int64(),
    **{f"{p}Geo_{f}": pl.Float64() for p in ("Actor1", "Actor2", "Action") for f in ("Lat", "Long")},
    **{f"{p}Geo_Type": pl.Int8() for p in ("Actor1", "Actor2", "Action")},
}
# Current ACLED export, 31 columns in order.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
_ACLED_TYPES: dict[str, pl.DataType] = {
    "event_date": pl.Date(), "year": pl.Int32(), "time_precision": pl.Int8(), "iso": pl.Int32(),
    "latitude": pl.Float64(), "longitude": pl.Float64(), "geo_precision": pl.Int8(), "fatalities": pl.Int64(),
    "timestamp": pl.Int64(),
}
# Our actor sectors -> ACLED actor categories (text labels, as exports give them since 2024), in ACLED's inter order.
INTER_LABELS = {"GOV": "State forces", "MIL": "State forces", "COP": "State forces", "SPY": "State forces",
                "REB": "Rebel group", "CVL": "Civilians", "IGO": "External/Other forces"}
_INTER_ORDER = ["State forces", "Rebel group", "Political militia", "Identity militia", "Rioters", "Protesters",
                "Civilians", "External/Other forces"]
_GEO_TYPE_WORLD = {1: 4, 2: 5, 3: 1}  # our geo_precision -> GDELT geo type: WORLDCITY, WORLDSTATE, COUNTRY
_GEO_TYPE_US = {1: 3, 2: 2, 3: 1}  # USCITY, USSTATE, COUNTRY


def global_event_id(event_id: str) -> int:
    """A stable positive Int64 for an event_id: the first 60 bits of its sha1."""
    return int(hashlib.sha1(event_id.encode("utf-8")).hexdigest()[:15], 16)


def _typed(frame: pl.DataFrame | None, columns: tuple[str, ...], types: dict[str, pl.DataType]) -> pl.DataFrame:
    """frame with exactly columns in order, absent ones as typed nulls (String unless listed); None: no rows."""
    if frame is None:
        return pl.DataFrame(schema={c: types.get(c, pl.String()) for c in columns})
    exprs = [(pl.col(c) if c in frame.columns else pl.lit(None)).cast(types.get(c, pl.String())).alias(c)
             for c in columns]
    return frame.select(exprs)


def _article_fields(events: pl.DataFrame, articles: pl.DataFrame | None) -> pl.DataFrame:
    """events with the article's url, source and ingested_at (null where unknown or not given)."""
    wanted = {"url": pl.String(), "source": pl.String(), "ingested_at": pl.Datetime("us")}
    known = [] if articles is None else [c for c in wanted if c in articles.columns]
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in wanted.items() if c not in known]
    if known:
        info = articles.select("article_id", *(pl.col(c).cast(wanted[c]) for c in known)).unique("article_id")
        events = events.join(info, on="article_id", how="left", maintain_order="left")
    return events.with_columns(missing)


def _sector(prefix: str) -> pl.Expr:
    """The sector part of an actor code (code minus its country prefix)."""
    code, country = pl.col(f"{prefix}_code"), pl.col(f"{prefix}_country")
    starts = country.is_not_null() & code.str.starts_with(country.fill_null(""))
    sector = pl.when(starts).then(code.str.slice(country.str.len_chars())).otherwise(code)
    return pl.when(sector.str.len_chars() > 0).then(sector)


def _date_columns() -> list[pl.Expr]:
    """SQLDATE, MonthYear, Year, FractionDate from event_date; DATEADDED from the publication date."""
    day = pl.col("event_date")
    year, month = day.dt.year().cast(pl.Int32), day.dt.month().cast(pl.Int32)  # dt.month is Int8: *100 overflows
    days_in_year = pl.when(day.dt.is_leap_year()).then(366).otherwise(365)
    return [
        (year * 10000 + month * 100 + day.dt.day().cast(pl.Int32)).alias("SQLDATE"),
        (year * 100 + month).alias("MonthYear"),
        year.alias("Year"),
        (year + (day.dt.ordinal_day().cast(pl.Int32) - 1) / days_in_year).round(4).alias("FractionDate"),
        # GDELT's DATEADDED is when its crawler saw the article: the publication day is our nearest equivalent
        (pl.col("published").dt.strftime("%Y%m%d").cast(pl.Int64) * 1_000_000).alias("DATEADDED"),
    ]


def _action_geo() -> list[pl.Expr]:
    """ActionGeo_* from the event's place; country codes stay ISO alpha-3 (GDELT uses FIPS 10-4)."""
    precision = pl.col("geo_precision")
    geo_type = pl.when(pl.col("location_country") == "USA").then(precision.replace_strict(_GEO_TYPE_US, default=None))
    full = pl.concat_str(
        pl.col("location"), pl.when(pl.col("admin1") != pl.col("location")).then(pl.col("admin1")),
        separator=", ", ignore_nulls=True)
    return [
        geo_type.otherwise(precision.replace_strict(_GEO_TYPE_WORLD, default=None)).alias("ActionGeo_Type"),
        pl.when(pl.col("location").is_not_null()).then(full).alias("ActionGeo_FullName"),
        pl.col("location_country").alias("ActionGeo_CountryCode"),
        pl.col("latitude").alias("ActionGeo_Lat"), pl.col("longitude").alias("ActionGeo_Long"),
    ]


def gdelt_events(events: pl.DataFrame, articles: pl.DataFrame | None = None) -> pl.DataFrame:
    """The events as GDELT 2.0 event rows: our values where we have them, null elsewhere (AvgTone, Geo codes, ...)."""
    if events.is_empty():
        return _typed(None, GDELT_COLUMNS, _GDELT_TYPES)
    frame = _article_fields(events, articles).with_columns(
        pl.col("event_id").map_elements(global_event_id, return_dtype=pl.Int64).alias("GLOBALEVENTID"),
        *_date_columns(), *_action_geo(),
        *(pl.col(f"actor{n}_{ours}").alias(f"Actor{n}{theirs}") for n in (1, 2)
          for ours, theirs in (("code", "Code"), ("name", "Name"), ("country", "CountryCode"))),
        _sector("actor1").alias("Actor1Type1Code"), _sector("actor2").alias("Actor2Type1Code"),
        pl.col("cameo_code").alias("EventCode"), pl.col("cameo_code").str.slice(0, 3).alias("EventBaseCode"),
        pl.col("cameo_root").alias("EventRootCode"), pl.col("quad_class").alias("QuadClass"),
        pl.col("goldstein").alias("GoldsteinScale"), pl.col("num_mentions").alias("NumMentions"),
        pl.col("num_sources").alias("NumSources"), pl.col("num_articles").alias("NumArticles"),
        pl.col("url").alias("SOURCEURL"),
    )
    return _typed(frame, GDELT_COLUMNS, _GDELT_TYPES).sort("GLOBALEVENTID")


def _time_precision() -> pl.Expr:
    """ACLED time_precision: 1 exact day, 2 within a week (or only the report date), 3 vaguer."""
    span = (pl.col("date_last") - pl.col("date_first")).dt.total_days()
    return (pl.when(pl.col("date_precision") == "day").then(1)
            .when((pl.col("date_precision") == "publication") | (span <= 7)).then(2)
            .otherwise(3))


def _acled_types() -> list[pl.Expr]:
    """event_type / sub_event_type (events' own, else the crosswalk) and disorder_type from acled_types.csv."""
    walk = {f"{kind}|{code}": pair for (kind, code), pair in load_crosswalk().items()}
    key = pl.concat_str("event_type", "cameo_code", separator="|")
    event_type = pl.coalesce("acled_event_type", key.replace_strict({k: v[0] for k, v in walk.items()}, default=None))
    sub = pl.coalesce("acled_sub_event_type", key.replace_strict({k: v[1] for k, v in walk.items()}, default=None))
    disorder = {f"{t.event_type}|{t.sub_event_type}": t.disorder_type for t in load_acled_types().values()}
    pair = pl.concat_str(event_type, sub, separator="|")
    return [event_type.alias("acled_type"), sub.alias("acled_sub"),
            pair.replace_strict(disorder, default=None).alias("disorder_type")]


def _interaction() -> pl.Expr:
    """ACLED interaction label: the two actor categories in inter order, or 'X only' for a one-sided event."""
    rank = {label: i for i, label in enumerate(_INTER_ORDER)}
    first_lower = (pl.col("inter1").replace_strict(rank, default=None)
                   <= pl.col("inter2").replace_strict(rank, default=None))
    pair = pl.when(first_lower).then(pl.concat_str("inter1", pl.lit("-"), "inter2")).otherwise(
        pl.concat_str("inter2", pl.lit("-"), "inter1"))
    return (pl.when(pl.col("inter1").is_null()).then(None)
            .when(pl.col("actor2").is_null()).then(pl.concat_str("inter1", pl.lit(" only")))
            .otherwise(pair))


def _notes() -> pl.Expr:
    """A short description built from the coded fields (ACLED notes are coder summaries, not news text)."""
    place = pl.concat_str(pl.lit(" in "), "location", pl.when(pl.col("admin1") != pl.col("location"))
                          .then(pl.concat_str(pl.lit(" ("), "admin1", pl.lit(")"))).otherwise(pl.lit("")))
    sub = pl.coalesce("acled_sub", pl.lit("military incident"))
    return pl.concat_str(
        pl.lit("On "), pl.col("event_date").dt.strftime("%Y-%m-%d"), pl.lit(", "),
        sub.str.slice(0, 1).str.to_lowercase(), sub.str.slice(1),  # lower the first letter only: keeps IED
        pl.concat_str(pl.lit(" by "), "actor1"),
        pl.concat_str(pl.lit(" against "), "actor2"), place,
        pl.lit(". Fatalities: "), pl.col("fatalities").cast(pl.String), pl.lit("."),
        separator="", ignore_nulls=True)


def acled_events(events: pl.DataFrame, articles: pl.DataFrame | None = None) -> pl.DataFrame:
    """Violent events (military_incident) as the 31-column ACLED export; fatalities 0 when none are stated."""
    violent = events.filter(pl.col("event_type") == "military_incident")
    if violent.is_empty():
        return _typed(None, ACLED_COLUMNS, _ACLED_TYPES)
    names = {c.iso3: c.name for c in load_countries()}
    frame = _article_fields(violent, articles).with_columns(
        *_acled_types(), _time_precision().alias("time_precision"),
        pl.col("actor1_name").alias("actor1"), pl.col("actor2_name").alias("actor2"),
        _sector("actor1").replace_strict(INTER_LABELS, default=None).alias("inter1"),
        _sector("actor2").replace_strict(INTER_LABELS, default=None).alias("inter2"),
        pl.col("location_country").replace_strict(names, default=None).alias("country"),
        pl.col("fatalities").fill_null(0),
        # ACLED's event ids are country letters + a number; ours carry the content hash instead
        pl.concat_str(pl.col("location_country").fill_null("XXX"), "event_id").alias("event_id_cnty"),
        pl.col("ingested_at").dt.epoch("s").alias("timestamp"),
    ).with_columns(
        _interaction().alias("interaction"), _notes().alias("notes"),
        pl.when((pl.col("acled_type") == "Violence against civilians") | (pl.col("inter2") == "Civilians"))
        .then(pl.lit("Civilian targeting")).alias("civilian_targeting"),
    ).drop("event_type").rename({"acled_type": "event_type", "acled_sub": "sub_event_type"})
    return _typed(frame, ACLED_COLUMNS, _ACLED_TYPES).sort("event_date", "event_id_cnty")
