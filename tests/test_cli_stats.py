"""`ismonitor stats` on researchers' own data in every format, against R psych.

The reference values are those of tests/stats (R 4.2.2, psych 2.2.9, tests/stats/reference.R):
the CLI must give the same numbers through its JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from .stats.test_correlation import PEARSON_HOLM, SPEARMAN_BH, VARS

STATS_DATA = Path(__file__).parent / "stats" / "data"
EST = 1e-6
P = 1e-4

CODEBOOK = """\
scales:
  engagement: {items: [eng1, eng2, eng3, eng4, eng5], reverse: [eng3], min: 1, max: 6}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """engagement.csv and usage.csv as CSV, Excel, SPSS and Parquet."""
    folder = tmp_path_factory.mktemp("stats")
    out = {}
    for name in ("engagement", "usage"):
        frame = pd.read_csv(STATS_DATA / f"{name}.csv")
        out[(name, "csv")] = STATS_DATA / f"{name}.csv"
        out[(name, "xlsx")] = folder / f"{name}.xlsx"
        frame.to_excel(out[(name, "xlsx")], index=False)
        out[(name, "sav")] = folder / f"{name}.sav"
        pyreadstat.write_sav(frame, str(out[(name, "sav")]))
        out[(name, "parquet")] = folder / f"{name}.parquet"
        frame.to_parquet(out[(name, "parquet")])
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    out["codebook"] = folder / "codebook.yaml"
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_reliability_matches_psych_alpha(cli, files, fmt):
    result = cli(
        "stats",
        "reliability",
        files[("engagement", fmt)],
        "--codebook",
        files["codebook"],
        "--json",
    )
    assert result.exit_code == 0, result.output
    scale = json.loads(result.stdout)["scales"]["engagement"]
    # R: sum(rowSums(!is.na(x)) > 0); psych::alpha(x)$total$raw_alpha, $std.alpha
    assert scale["n"] == 118 and scale["k"] == 5
    assert scale["alpha"] == pytest.approx(0.825087273276777, abs=EST)
    assert scale["alpha_std"] == pytest.approx(0.825856194962295, abs=EST)
    # R: psych::omega(x, nfactors = 1)$omega.tot
    assert scale["omega_total"] == pytest.approx(0.829929473168329, abs=EST)
    # R: psych::alpha(x)$item.stats$r.drop and $alpha.drop$raw_alpha
    assert [v["r_drop"] for v in scale["items"].values()] == pytest.approx(
        [0.768928614111904, 0.509681359521192, 0.600459795307489, 0.717277346432807,
         0.521609508259409], abs=EST)  # fmt: skip
    assert [v["alpha_if_deleted"] for v in scale["items"].values()] == pytest.approx(
        [0.744305889226418, 0.820281133591698, 0.796391837922478, 0.764098447348376,
         0.819318470287959], abs=EST)  # fmt: skip


def test_reliability_listwise_matches_psych(cli, files):
    result = cli(
        "stats",
        "reliability",
        files[("engagement", "csv")],
        "--codebook",
        files["codebook"],
        "--missing",
        "listwise",
        "--json",
    )
    scale = json.loads(result.stdout)["scales"]["engagement"]
    # R: nrow(na.omit(x)); psych::alpha(na.omit(x))$item.stats$r.drop
    assert scale["n"] == 72
    assert scale["items"]["eng1"]["r_drop"] == pytest.approx(0.777369335524855, abs=EST)


def _check_pairs(pairs, expected):
    assert [(p["x"], p["y"], p["n"]) for p in pairs] == [e[:3] for e in expected]
    for pair, (_, _, _, r, low, high, p, p_adj) in zip(pairs, expected, strict=True):
        assert pair["r"] == pytest.approx(r, abs=EST)
        assert pair["ci_low"] == pytest.approx(low, abs=EST)
        assert pair["ci_high"] == pytest.approx(high, abs=EST)
        assert pair["p"] == pytest.approx(p, rel=P)
        assert pair["p_adj"] == pytest.approx(p_adj, rel=P)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_correlate_matches_corr_test_with_holm(cli, files, fmt):
    # R: corr.test(u[VARS], adjust = "holm")
    result = cli("stats", "correlate", files[("usage", fmt)], "--vars", ",".join(VARS), "--json")
    assert result.exit_code == 0, result.output
    _check_pairs(json.loads(result.stdout)["pairs"], PEARSON_HOLM)


def test_correlate_spearman_with_bh_matches_corr_test(cli, files):
    # R: corr.test(u[VARS], method = "spearman", adjust = "BH")
    result = cli(
        "stats",
        "correlate",
        files[("usage", "csv")],
        "--vars",
        ",".join(VARS),
        "--method",
        "spearman",
        "--adjust",
        "fdr_bh",
        "--json",
    )
    _check_pairs(json.loads(result.stdout)["pairs"], SPEARMAN_BH)


def test_correlate_prints_a_table(cli, files):
    result = cli("stats", "correlate", files[("usage", "csv")], "--vars", "active_share,alignment")
    assert result.exit_code == 0
    assert "active_share" in result.stdout and "0.280" in result.stdout


def test_an_unknown_column_is_named(cli, files):
    result = cli("stats", "correlate", files[("usage", "csv")], "--vars", "active_share,alignmnt")
    assert result.exit_code == 1
    assert "item alignmnt: no such column in the file; did you mean 'alignment'?" in result.stderr


def test_text_in_a_numeric_column_is_refused_with_its_line(cli, tmp_path):
    lines = (STATS_DATA / "usage.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[3] = "veel"
    lines[3] = ",".join(cells)
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("stats", "correlate", path, "--vars", "active_share,alignment")
    assert result.exit_code == 1
    assert "line 4: item active_share: 'veel' is not a number" in result.stderr


def test_a_codebook_mistake_is_named_with_its_line(cli, files, tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(CODEBOOK.replace("reverse: [eng3]", "reverse: [eng9]"), encoding="utf-8")
    result = cli("stats", "reliability", files[("engagement", "csv")], "--codebook", path)
    assert result.exit_code == 1
    assert f"{path}:2: scales.engagement: reverse names eng9, which is not among items" in (
        result.stderr
    )
