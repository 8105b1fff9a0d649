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


# -- real survey data: psych's bfi (tests/data/bfi/README.md) --------------------------------

BFI = Path(__file__).parent / "data" / "bfi" / "bfi.csv"
BFI_CODEBOOK = """\
scales:
  agreeableness: {items: [A1, A2, A3, A4, A5], reverse: [A1], min: 1, max: 6}
  conscientiousness: {items: [C1, C2, C3, C4, C5], reverse: [C4, C5], min: 1, max: 6}
"""


@pytest.fixture(scope="module")
def bfi_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bfi")
    frame = pd.read_csv(BFI)
    pyreadstat.write_sav(frame, str(folder / "bfi.sav"))
    (folder / "codebook.yaml").write_text(BFI_CODEBOOK, encoding="utf-8")
    return {"csv": BFI, "sav": folder / "bfi.sav", "codebook": folder / "codebook.yaml"}


@pytest.mark.parametrize("fmt", ["csv", "sav"])
def test_reliability_matches_psych_on_real_survey_data(cli, bfi_files, fmt):
    result = cli("stats", "reliability", bfi_files[fmt], "--codebook", bfi_files["codebook"],
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    scales = json.loads(result.stdout)["scales"]
    a, c = scales["agreeableness"], scales["conscientiousness"]
    # R: alpha(A, keys = "A1")$total$raw_alpha, $std.alpha; omega(Ar, nfactors = 1)$omega.tot
    assert a["n"] == 2800
    assert a["alpha"] == pytest.approx(0.703018446057304, abs=EST)
    assert a["alpha_std"] == pytest.approx(0.713028578671272, abs=EST)
    assert a["omega_total"] == pytest.approx(0.722943136474929, abs=EST)
    # R: alpha(A, keys = "A1")$item.stats$r.drop, $alpha.drop$raw_alpha
    assert [v["r_drop"] for v in a["items"].values()] == pytest.approx(
        [0.308417739522029, 0.563615163763579, 0.587004589505369, 0.394444086577913,
         0.488565135825834], abs=EST)  # fmt: skip
    assert [v["alpha_if_deleted"] for v in a["items"].values()] == pytest.approx(
        [0.718517357026915, 0.617180037046592, 0.600259578765486, 0.68580565233796,
         0.642952960071292], abs=EST)  # fmt: skip
    # R: alpha(C, keys = c("C4", "C5")); omega(Cr, nfactors = 1)$omega.tot
    assert c["alpha"] == pytest.approx(0.726734972926683, abs=EST)
    assert c["alpha_std"] == pytest.approx(0.730072584382276, abs=EST)
    assert c["omega_total"] == pytest.approx(0.731189719945136, abs=EST)
    assert [v["r_drop"] for v in c["items"].values()] == pytest.approx(
        [0.450241690166753, 0.504564708857478, 0.464204849967229, 0.552546650304411,
         0.477469199265224], abs=EST)  # fmt: skip
    assert [v["alpha_if_deleted"] for v in c["items"].values()] == pytest.approx(
        [0.694000419164347, 0.673571457357933, 0.688734101753973, 0.653825570965204,
         0.689724930759007], abs=EST)  # fmt: skip


# R: corr.test(d[, c("A1", "A3", "C1", "C5", "age")], adjust = "holm"): x, y, n, r, lower,
# upper, raw p ($p[j, i]), adjusted p ($p[i, j])
BFI_PAIRS = [
    ("A1", "A3", 2759, -0.2652470524421041, -0.29959856236909815, -0.2302087060828371,
     1.20366985915398e-45, 1.20366985915398e-44),
    ("A1", "C1", 2764, 0.0278028349772177, -0.00949023305250876, 0.0650186686062361,
     1.43927424202732e-01, 0.143927424202732),
    ("A1", "C5", 2768, 0.0500880367915453, 0.01285574893579951, 0.0871816255883790,
     0.00839676040199148, 0.016793520803983),
    ("A1", "age", 2784, -0.160963699548072, -0.19693514509761254, -0.1245594729354681,
     1.2854905397564e-17, 1.02839243180512e-16),
    ("A3", "C1", 2753, 0.0967817724082832, 0.05963974886584699, 0.1336561865660381,
     3.62456600334355e-07, 2.17473960200613e-06),
    ("A3", "C5", 2758, -0.156371434264184, -0.19257128640919466, -0.1197465499099220,
     1.46604691005966e-16, 1.02623283704176e-15),
    ("A3", "age", 2774, 0.0690904051586573, 0.03195661597914302, 0.1060337224207486,
     0.000270928820250985, 0.000812786460752956),
    ("C1", "C5", 2763, -0.249744159048123, -0.28438566634787554, -0.2144513567263882,
     1.4779067915452e-40, 1.33011611239068e-39),
    ("C1", "age", 2779, 0.0793808389334223, 0.04232330118181084, 0.1162202642768364,
     2.79708707430013e-05, 0.000111883482972005),
    ("C5", "age", 2784, -0.0865894987191645, -0.12334179147198246, -0.0495999994547244,
     4.75494478530344e-06, 2.37747239265172e-05),
]  # fmt: skip


def test_correlate_matches_corr_test_on_real_survey_data(cli, bfi_files):
    result = cli("stats", "correlate", bfi_files["csv"], "--vars", "A1,A3,C1,C5,age", "--json")
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.stdout)["pairs"]
    assert [(p["x"], p["y"], p["n"]) for p in pairs] == [e[:3] for e in BFI_PAIRS]
    for pair, (_, _, _, r, low, high, p, p_adj) in zip(pairs, BFI_PAIRS, strict=True):
        assert pair["r"] == pytest.approx(r, abs=EST)
        assert pair["ci_low"] == pytest.approx(low, abs=EST)
        assert pair["ci_high"] == pytest.approx(high, abs=EST)
        assert pair["p"] == pytest.approx(p, rel=P)
        assert pair["p_adj"] == pytest.approx(p_adj, rel=P)
