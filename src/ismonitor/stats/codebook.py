"""A codebook for researchers' own data: which columns form which scale.

```yaml
scales:
  agreeableness: {items: [A1, A2, A3], reverse: [A1], min: 1, max: 6}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import yamlfile
from .correlation import correlate
from .reliability import alpha, item_stats


class Scale(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[str], Field(min_length=2)]
    reverse: list[str] = []
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Scale:
        unknown = [item for item in self.reverse if item not in self.items]
        if unknown:
            raise ValueError(f"reverse names {', '.join(unknown)}, which is not among items")
        if self.reverse and (self.min is None or self.max is None):
            raise ValueError("reverse-keyed items need the scale's min and max")
        if len(set(self.items)) != len(self.items):
            raise ValueError("an item is listed twice")
        return self


class Codebook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scales: Annotated[dict[str, Scale], Field(min_length=1)]

    def columns(self) -> list[str]:
        return list(dict.fromkeys(item for scale in self.scales.values() for item in scale.items))


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook; a mistake is reported with its file, line and key."""
    return yamlfile.load(path, Codebook, "'scales:', each with items (and reverse, min, max)")


def reliability_report(
    data: pd.DataFrame, codebook: Codebook, missing: str = "pairwise"
) -> dict[str, Any]:
    """``{"scales": {NAME: {n, k, alpha, alpha_std, omega_total, items: {ITEM: {r_drop,
    alpha_if_deleted}}}}}`` for every scale of the codebook."""
    scales = {}
    for name, scale in codebook.scales.items():
        options = dict(reverse=scale.reverse, min=scale.min, max=scale.max, missing=missing)
        summary = alpha(data, scale.items, **options).iloc[0]
        items = item_stats(data, scale.items, **options)
        scales[name] = {
            "n": int(summary["n"]),
            "k": int(summary["k"]),
            "alpha": _float(summary["alpha"]),
            "alpha_std": _float(summary["alpha_std"]),
            "omega_total": _float(summary["omega_total"]),
            "items": {
                row["item"]: {
                    "r_drop": _float(row["r_drop"]),
                    "alpha_if_deleted": _float(row["alpha_if_deleted"]),
                }
                for _, row in items.iterrows()
            },
        }
    return {"scales": scales}


def correlation_report(
    data: pd.DataFrame, variables: list[str], method: str = "pearson", adjust: str = "holm"
) -> dict[str, Any]:
    """``{"pairs": [{x, y, n, r, ci_low, ci_high, p, p_adj}]}`` for every pair of variables."""
    table = correlate(data, variables, method=method, adjust=adjust)
    pairs = []
    for row in table.to_dict("records"):
        pair = {key: row[key] for key in ("x", "y")}
        pair["n"] = int(row["n"])
        pair.update({k: _float(row[k]) for k in ("r", "ci_low", "ci_high", "p", "p_adj")})
        pairs.append(pair)
    return {"pairs": pairs}


def _float(value) -> float | None:
    value = float(value)
    return None if value != value else value
