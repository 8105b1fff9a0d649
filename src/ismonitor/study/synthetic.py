"""A synthetic edition of the study for demos and tests, calibrated to the seeds.

Nothing here describes a real organisation. Every row carries the edition
``synthetic-<year>`` and an organisation name that says it is synthetic, so that reports
and the portal can label it. ``docs/demo-data.md`` gives the calibration and its sources:

- about 22% non-adopters (2016: 26 of 117 organisations did not use internal social media);
- a mean active share near 27% and a mean passive share near 55% of the target group (2018);
- the barriers ranked as in the 2016 study, with costs last;
- the relations between use and outcomes that the study reports, and none where it found
  none (communication satisfaction is independent of every kind of use).
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np
import pandas as pd

from ..instrument import Instrument, ItemType
from .columns import SEPARATOR, columns

EDITION_PREFIX = "synthetic"

SECTORS = {
    "government": 0.22,
    "healthcare": 0.14,
    "education": 0.10,
    "financial_services": 0.09,
    "business_services": 0.12,
    "industry": 0.10,
    "retail": 0.05,
    "utilities": 0.05,
    "transport": 0.05,
    "non_profit": 0.05,
    "other_sector": 0.03,
}
SIZE_CLASSES = {
    "up_to_249": 0.15,
    "from_250_to_999": 0.30,
    "from_1000_to_4999": 0.30,
    "from_5000_to_9999": 0.12,
    "from_10000": 0.13,
}
MAIN_PLATFORMS = {
    "viva_engage": 0.30,
    "sharepoint": 0.14,
    "teams": 0.14,
    "workplace": 0.07,
    "embrace": 0.08,
    "plek": 0.08,
    "viadesk": 0.04,
    "synigo": 0.03,
    "smarp": 0.03,
    "slack": 0.05,
    "own_build": 0.04,
}
DUTCH_PLATFORMS = {"embrace", "plek", "viadesk", "synigo"}
"""Dutch-made platforms are popular and used more intensively (seed 000)."""

BARRIER_STRENGTH = {
    "no_employee_need": 3.0,
    "unclear_purpose": 2.2,
    "it_not_ready": 1.5,
    "no_management_support": 0.9,
    "no_starting_point": 0.3,
    "costs": -1.0,
}
"""Plackett–Luce strengths: the 2016 order, fear of costs the least important barrier."""

PURPOSE_BASE = {
    "ideas": 0.22,
    "expertise": 0.45,
    "processes": 0.35,
    "news": 0.88,
    "dialogue": 0.40,
    "social": 0.60,
    "collaboration": 0.50,
}
"""How often each purpose is chosen; sharing and developing ideas is among the least used."""

ELEMENT_DIFFICULTY = {
    "kpis_targets": 0.9,
    "daily_work": 0.6,
    "products_services": 0.4,
    "ambassadors_leaders": 0.3,
    "goals": -0.3,
    "community_management": -0.2,
    "accessibility": -0.5,
}
"""Harder and easier preconditions (seed 000): goals are set more often and community
management is more often part of job descriptions, but goals are seldom translated into
KPIs and targets, and employees need the platform only a little for their daily work."""

INTENDED_EFFECTS = {
    "effectiveness": 0.30,
    "efficiency": 0.40,
    "alignment": 0.50,
    "engagement": 0.60,
    "communication_satisfaction": 0.45,
    "knowledge_sharing": 0.55,
}
"""How often an organisation names each effect it wants the platform to have."""

OTHER_BARRIERS = [
    "We hebben al een intranet dat voldoet (synthetisch)",
    "Zorgen over privacy van medewerkers (synthetisch)",
    "Eerst een nieuwe werkplek uitrollen (synthetisch)",
]


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _z(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    sd = values.std()
    return (values - values.mean()) / sd if sd > 0 else values * 0


def is_synthetic(table: pd.DataFrame) -> bool:
    """Whether a responses table is (partly) a synthetic edition."""
    if "edition" not in table.columns:
        return False
    return bool(table["edition"].astype(str).str.startswith(EDITION_PREFIX).any())


def generate(
    instrument: Instrument, organisations: int = 139, seed: int = 2018, year: int = 2018
) -> pd.DataFrame:
    """A responses table for a synthetic edition; see the module's docstring."""
    if organisations < 1:
        raise ValueError(f"organisations must be at least 1, not {organisations}")
    rng = np.random.default_rng(seed)
    # one fixed difficulty per maturity item and option, the same for every organisation
    # fixed per item, whatever the seed, so that editions of different years compare
    difficulty = {
        item.key: np.random.default_rng(zlib.crc32(item.key.encode())).uniform(-0.9, 0.7)
        + ELEMENT_DIFFICULTY.get(item.element, 0.0)
        for item in instrument.maturity_items()
    }
    n = organisations
    sector = rng.choice(list(SECTORS), size=n, p=_p(SECTORS))
    size_index = rng.choice(len(SIZE_CLASSES), size=n, p=_p(SIZE_CLASSES))
    size_class = np.array(list(SIZE_CLASSES))[size_index]
    # the study's trends: each edition (two years) a little more adoption and maturity
    trend = 0.25 * (year - 2018) / 2
    adopter = rng.random(n) < _sigmoid(1.3 + trend + 0.35 * (size_index - 2))

    # latent traits of each organisation
    maturity = trend + rng.normal(size=n)
    factor_latent = {
        factor: 0.7 * maturity + 0.71 * rng.normal(size=n)
        for factor in ("adoption", "purposefulness", "organisation", "integration")
    }
    main_platform = rng.choice(list(MAIN_PLATFORMS), size=n, p=_p(MAIN_PLATFORMS))
    dutch = np.isin(main_platform, list(DUTCH_PLATFORMS)).astype(float)
    active_latent = 0.45 * factor_latent["adoption"] + 0.35 * dutch + 0.85 * rng.normal(size=n)
    reading_latent = 0.40 * factor_latent["adoption"] + 0.92 * rng.normal(size=n)
    active_share = np.round(100 * _sigmoid(-1.22 + 0.9 * active_latent))
    passive_share = np.round(100 * _sigmoid(0.45 + 0.8 * reading_latent))
    passive_share = np.minimum(passive_share, 100 - active_share)
    active_frequency = _ordinal(0.7 * active_latent + 0.6 * rng.normal(size=n), 5)
    passive_frequency = _ordinal(0.7 * reading_latent + 0.6 * rng.normal(size=n), 5, shift=0.8)
    purposes = {
        key: rng.random(n) < _sigmoid(_logit(p) + 0.5 * factor_latent["integration"])
        for key, p in PURPOSE_BASE.items()
    }
    ideas = purposes["ideas"].astype(float)
    expertise = purposes["expertise"].astype(float)
    processes = purposes["processes"].astype(float)
    construct_latent = {
        "alignment": 0.60 * _z(active_share),
        "engagement": 0.40 * _z(passive_share) + 0.35 * _z(active_frequency),
        "communication_satisfaction": 0.0 * active_share,
        "efficiency": 0.35 * _z(active_frequency) + 0.30 * _z(active_share) + 0.35 * _z(ideas),
        "effectiveness": 0.50 * _z(expertise),
        "knowledge_sharing": 0.40 * _z(active_share)
        + 0.25 * _z(ideas)
        + 0.25 * _z(expertise)
        + 0.20 * _z(processes),
    }
    for key, signal in construct_latent.items():
        explained = float(np.var(signal))
        noise = rng.normal(size=n) * math.sqrt(max(1 - explained, 0.2))
        construct_latent[key] = _z(signal + noise)

    rows: list[dict[str, Any]] = []
    for i in range(n):
        row: dict[str, Any] = {
            "org_id": f"SYN-{i + 1:03d}",
            "org_name": f"Synthetische organisatie {i + 1:03d}",
            "edition": f"{EDITION_PREFIX}-{year}",
            "instrument_version": instrument.version,
            "sector": sector[i],
            "size_class": size_class[i],
            "uses_ism": "yes" if adopter[i] else "no",
        }
        if not adopter[i]:
            row.update(_barriers(instrument, rng))
            rows.append(row)
            continue
        for option in instrument.choices["platforms"]:
            chosen = option.key == main_platform[i] or rng.random() < 0.12
            row[f"platforms{SEPARATOR}{option.key}"] = int(chosen)
        row["main_platform"] = main_platform[i]
        since = round(year - 4 - 1.5 * maturity[i] + rng.normal())
        row["since_year"] = int(np.clip(since, 2005, min(year, 2018)))
        if "effects" in instrument.choices:
            for option in instrument.choices["effects"]:
                chosen = rng.random() < INTENDED_EFFECTS.get(option.key, 0.4)
                row[f"intended_effects{SEPARATOR}{option.key}"] = int(chosen)
        for item in instrument.maturity_items():
            factor = instrument.elements[item.element].factor
            row.update(
                _maturity_answer(
                    instrument, item, factor_latent[factor][i], difficulty[item.key], rng
                )
            )
        row["active_share"] = _maybe(active_share[i], rng, 0.04)
        row["passive_share"] = _maybe(passive_share[i], rng, 0.04)
        frequency = [option.key for option in instrument.choices["frequency"]]
        row["active_frequency"] = frequency[int(active_frequency[i])]
        row["passive_frequency"] = frequency[int(passive_frequency[i])]
        for key, chosen in purposes.items():
            row[f"purposes{SEPARATOR}{key}"] = int(chosen[i])
        for construct in instrument.constructs:
            for item in instrument.construct_items(construct):
                scale = instrument.likert(item)
                middle = (scale.min + scale.max) / 2
                spread = (scale.max - scale.min) / 4
                value = middle + spread * (
                    0.85 * construct_latent[construct][i] + 0.55 * rng.normal()
                )
                value = int(np.clip(round(value), scale.min, scale.max))
                if item.reverse:
                    value = scale.min + scale.max - value
                row[item.key] = _maybe(value, rng, 0.02)
        rows.append(row)
    names = [column.name for column in columns(instrument)]
    table = pd.DataFrame.from_records(rows).reindex(columns=[c for c in names if _any(rows, c)])
    return _typed(table, instrument)


def _any(rows: list[dict], column: str) -> bool:
    return column in {"org_id", "org_name", "edition", "instrument_version"} or any(
        column in row for row in rows
    )


def _typed(table: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    for column in columns(instrument):
        if column.name in table.columns and column.numeric:
            table[column.name] = pd.to_numeric(table[column.name]).astype("float64")
        elif column.name in table.columns:
            table[column.name] = (
                table[column.name].astype(object).where(table[column.name].notna(), None)
            )
    return table


def _p(weights: dict[str, float]) -> np.ndarray:
    p = np.array(list(weights.values()), dtype=float)
    return p / p.sum()


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _ordinal(latent: np.ndarray, levels: int, shift: float = 0.0) -> np.ndarray:
    cuts = np.linspace(-1.5, 1.5, levels - 1) - shift
    return np.searchsorted(cuts, latent)


def _maybe(value, rng: np.random.Generator, missing: float):
    return None if rng.random() < missing else value


def _maturity_answer(instrument: Instrument, item, latent: float, difficulty: float, rng) -> dict:
    strength = 1.2 * (latent - difficulty) + 0.6 * rng.normal()
    if item.type == ItemType.YES_NO:
        return {item.key: "yes" if rng.random() < _sigmoid(strength) else "no"}
    if item.type == ItemType.LIKERT:
        scale = instrument.likert(item)
        middle = (scale.min + scale.max) / 2
        value = middle + (scale.max - scale.min) / 4 * (0.8 * strength)
        return {item.key: int(np.clip(round(value), scale.min, scale.max))}
    if item.type == ItemType.PERCENTAGE:
        return {item.key: float(round(100 * _sigmoid(strength)))}
    options = instrument.choice_list(item)
    if item.type == ItemType.SINGLE_CHOICE:
        target = _sigmoid(strength)
        best = min(options, key=lambda o: abs((o.score or 0) - target) + 0.05 * rng.random())
        return {item.key: best.key}
    if item.type == ItemType.MULTIPLE_CHOICE:
        answer = {}
        for rank, option in enumerate(options):
            # options listed later (a mobile app, say) are in place less often
            chosen = rng.random() < _sigmoid(strength + 1.2 - 0.8 * rank)
            answer[f"{item.key}{SEPARATOR}{option.key}"] = int(chosen)
        return answer
    raise ValueError(f"item {item.key}: cannot generate a {item.type.value} answer")


def _barriers(instrument: Instrument, rng: np.random.Generator) -> dict:
    keys = [option.key for option in instrument.choices["barrier_reasons"]]
    strength = np.array([BARRIER_STRENGTH.get(key, 0.0) for key in keys])
    # Plackett–Luce: sort by strength plus Gumbel noise
    order = np.argsort(-(strength + rng.gumbel(size=len(keys))))
    ranked = len(keys) if rng.random() > 0.15 else 3  # some rank only their top three
    answer = {f"barriers{SEPARATOR}{key}": None for key in keys}
    for rank, index in enumerate(order[:ranked], start=1):
        answer[f"barriers{SEPARATOR}{keys[index]}"] = rank
    if rng.random() < 0.1:
        answer["barriers_other"] = OTHER_BARRIERS[int(rng.integers(len(OTHER_BARRIERS)))]
    return answer


__all__ = ["EDITION_PREFIX", "generate", "is_synthetic"]
