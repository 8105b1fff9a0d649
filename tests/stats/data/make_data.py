"""Generate the test data sets once; the CSVs are committed so that R reads the same numbers.

Run from the repository root: ``.venv/bin/python tests/stats/data/make_data.py``.
Re-running rewrites the files with identical content (fixed seeds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def engagement_scale(rng: np.random.Generator) -> pd.DataFrame:
    """Five Likert items (1-6) on engagement (betrokkenheid); eng3 is reverse-keyed."""
    n = 120
    factor = rng.normal(size=n)
    loadings = np.array([0.8, 0.7, 0.6, 0.75, 0.5])
    items = {}
    for j, loading in enumerate(loadings, start=1):
        latent = 3.5 + 1.3 * (loading * factor + np.sqrt(1 - loading**2) * rng.normal(size=n))
        value = np.clip(np.rint(latent), 1, 6)
        if j == 3:
            value = 7 - value  # worded negatively in the questionnaire
        items[f"eng{j}"] = value
    df = pd.DataFrame(items)
    mask = rng.random(df.shape) < 0.10
    df = df.mask(mask)
    df.iloc[[17, 64]] = np.nan  # two organisations skipped the whole block
    df.insert(0, "organisation", [f"org{i:03d}" for i in range(1, n + 1)])
    return df


def usage_outcomes(rng: np.random.Generator) -> pd.DataFrame:
    """Usage and outcome measures per organisation, with missing values."""
    n = 110
    size_class = rng.choice(["small", "medium", "large"], size=n, p=[0.35, 0.4, 0.25])
    employees = np.where(
        size_class == "small",
        rng.integers(20, 250, n),
        np.where(size_class == "medium", rng.integers(250, 2000, n), rng.integers(2000, 30000, n)),
    )
    size_effect = np.log(employees) - np.log(employees).mean()
    activity = rng.normal(size=n)
    active_share = np.clip(27 + 12 * activity - 2 * size_effect + rng.normal(0, 6, n), 1, 95)
    passive_share = np.clip(55 + 8 * activity + rng.normal(0, 10, n), 5, 100)
    post_frequency = np.clip(np.rint(3 + 0.8 * activity + rng.normal(0, 0.8, n)), 1, 5)
    alignment = 3.5 + 0.35 * activity + 0.1 * size_effect + rng.normal(0, 0.7, n)
    engagement = 3.6 + 0.25 * activity + rng.normal(0, 0.8, n)
    efficiency = 3.2 + 0.3 * activity - 0.15 * size_effect + rng.normal(0, 0.8, n)
    satisfaction = 3.8 + 0.05 * activity + rng.normal(0, 0.8, n)
    df = pd.DataFrame(
        {
            "organisation": [f"org{i:03d}" for i in range(1, n + 1)],
            "size_class": size_class,
            "employees": employees,
            "active_share": np.round(active_share, 1),
            "passive_share": np.round(passive_share, 1),
            "post_frequency": post_frequency,
            "alignment": np.round(np.clip(alignment, 1, 6), 2),
            "engagement": np.round(np.clip(engagement, 1, 6), 2),
            "efficiency": np.round(np.clip(efficiency, 1, 6), 2),
            "satisfaction": np.round(np.clip(satisfaction, 1, 6), 2),
        }
    )
    numeric = df.columns[3:]
    mask = rng.random((n, len(numeric))) < 0.08
    df[numeric] = df[numeric].mask(mask)
    return df


def editions(rng: np.random.Generator) -> pd.DataFrame:
    """Two editions of the benchmark: KPIs set, platform and maturity per organisation."""
    frames = []
    for edition, n, p_kpi, shift in [(2016, 91, 0.30, 0.0), (2018, 112, 0.45, 4.0)]:
        platform = rng.choice(
            ["Yammer", "Office 365", "Dutch platform", "Other"],
            size=n,
            p=[0.35, 0.2, 0.3, 0.15] if edition == 2016 else [0.25, 0.35, 0.3, 0.1],
        )
        has_kpis = (rng.random(n) < p_kpi).astype(float)
        has_kpis[rng.random(n) < 0.05] = np.nan
        maturity = np.clip(rng.normal(48 + shift, 14 if edition == 2016 else 18, n), 0, 100)
        maturity[rng.random(n) < 0.05] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "edition": edition,
                    "platform": platform,
                    "has_kpis": pd.array(
                        [None if np.isnan(v) else bool(v) for v in has_kpis], dtype="boolean"
                    ),
                    "maturity": np.round(maturity, 1),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "organisation", [f"org{i:03d}" for i in range(1, len(df) + 1)])
    return df


def reasons(rng: np.random.Generator) -> pd.DataFrame:
    """Ranking of six reasons for not using internal social media (1 = most important)."""
    options = [
        "no_need",
        "unclear_use",
        "it_not_ready",
        "no_management_support",
        "where_to_start",
        "costs",
    ]
    importance = np.array([2.0, 1.6, 1.2, 1.0, 0.8, 0.0])
    rows = []
    for i in range(32):
        utility = importance + rng.gumbel(size=len(options))
        order = np.argsort(-utility)
        ranks = np.empty(len(options))
        ranks[order] = np.arange(1, len(options) + 1)
        if i % 4 == 3:  # some respondents only ranked their top three
            ranks[ranks > 3] = np.nan
        rows.append(ranks)
    df = pd.DataFrame(rows, columns=options)
    df.insert(0, "organisation", [f"org{i:03d}" for i in range(1, len(df) + 1)])
    return df


def heywood(rng: np.random.Generator) -> pd.DataFrame:
    """Three items whose one-factor solution needs a loading above 1 (a Heywood case)."""
    target = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]])
    values = rng.normal(size=(300, 3)) @ np.linalg.cholesky(target).T
    return pd.DataFrame(np.round(values, 4), columns=["x1", "x2", "x3"])


def main() -> None:
    rng = np.random.default_rng(20180601)
    engagement_scale(rng).to_csv(HERE / "engagement.csv", index=False)
    usage_outcomes(rng).to_csv(HERE / "usage.csv", index=False)
    editions(rng).to_csv(HERE / "editions.csv", index=False)
    reasons(rng).to_csv(HERE / "reasons.csv", index=False)
    heywood(np.random.default_rng(2)).to_csv(HERE / "heywood.csv", index=False)


if __name__ == "__main__":
    main()
