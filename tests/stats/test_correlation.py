"""Correlations against R (psych 2.2.9): values from tests/stats/reference.R.

Each row: x, y, n, r, lower, upper, raw p, adjusted p. For ``corr.test(x)`` the raw p is
``$p[j, i]`` (below the diagonal) and the adjusted p is ``$p[i, j]`` (above it); for
``corr.test(x, y)`` they are ``$p`` and ``$p.adj``. The interval is ``$ci$lower/upper``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ismonitor.stats import correlate, partial_correlate, usage_outcome_table

VARS = ["active_share", "passive_share", "post_frequency", "alignment", "engagement"]
USAGE = ["active_share", "passive_share", "post_frequency"]
OUTCOME = ["alignment", "engagement", "efficiency", "satisfaction"]
EST = 1e-6  # absolute tolerance for estimates
P = 1e-4  # relative tolerance for p-values

# R: corr.test(u[VARS], adjust = "holm")
PEARSON_HOLM = [
    ("active_share", "passive_share", 94, 0.55049771085372,
     0.391554841994103, 0.677541569984057,
     9.02392194165558e-09, 8.12152974749002e-08),
    ("active_share", "post_frequency", 93, 0.558048742905617,
     0.399788031904248, 0.684000431185771,
     6.19070498535922e-09, 6.19070498535922e-08),
    ("active_share", "alignment", 93, 0.279888218802181,
     0.0807860040099843, 0.457511238772376,
     0.00658423197312596, 0.0253772421394454),
    ("active_share", "engagement", 98, 0.232372795072995,
     0.0355931393576268, 0.411806174839346,
     0.0213086132178364, 0.0371333432547511),
    ("passive_share", "post_frequency", 90, 0.529554693047996,
     0.362182735998328, 0.663844580580536,
     8.02041470304554e-08, 6.41633176243643e-07),
    ("passive_share", "alignment", 89, 0.437792732260648,
     0.252562996293508, 0.59206862494305,
     1.78375142796079e-05, 0.000107025085677648),
    ("passive_share", "engagement", 95, 0.335193382489896,
     0.143333389374324, 0.502771234883439,
     0.000898827883210756, 0.00449413941605378),
    ("post_frequency", "alignment", 92, 0.445848734218222,
     0.265253651881982, 0.596220706006892,
     8.43148568858998e-06, 5.90203998201299e-05),
    ("post_frequency", "engagement", 95, 0.278166921927109,
     0.0811747845526062, 0.454243838952409,
     0.00634431053486136, 0.0253772421394454),
    ("alignment", "engagement", 95, 0.24114394261745,
     0.0416238936048328, 0.422169158680479,
     0.0185666716273755, 0.0371333432547511),
]  # fmt: skip

# R: corr.test(u[VARS], method = "spearman", adjust = "BH")
SPEARMAN_BH = [
    ("active_share", "passive_share", 94, 0.529197133251846,
     0.365803162957324, 0.660944748668283,
     4.16864108740994e-08, 2.08432054370497e-07),
    ("active_share", "post_frequency", 93, 0.538584950999502,
     0.376145145675926, 0.668904855940672,
     2.56685048372364e-08, 2.08432054370497e-07),
    ("active_share", "alignment", 93, 0.288658255715395,
     0.0902572992802899, 0.465022255206739,
     0.00501505123393078, 0.0071643589056154),
    ("active_share", "engagement", 98, 0.18212133780416,
     -0.0169105214416435, 0.367270190810055,
     0.0726825407205748, 0.0726825407205748),
    ("passive_share", "post_frequency", 90, 0.491890218125712,
     0.317100936891284, 0.634361413876222,
     8.49459851759286e-07, 2.83153283919762e-06),
    ("passive_share", "alignment", 89, 0.421095422942478,
     0.233297978656221, 0.578610366740049,
     3.96980579426904e-05, 7.93961158853808e-05),
    ("passive_share", "engagement", 95, 0.302267549110726,
     0.107258734992198, 0.474880856431823,
     0.00290981454598961, 0.00484969090998268),
    ("post_frequency", "alignment", 92, 0.435224200035386,
     0.252955638788687, 0.587656984362304,
     1.4534913737203e-05, 3.63372843430074e-05),
    ("post_frequency", "engagement", 95, 0.256434691796825,
     0.0578832426911921, 0.435471396296332,
     0.0121271247877251, 0.0151589059846563),
    ("alignment", "engagement", 95, 0.230870998682673,
     0.0307592324849343, 0.413188179530593,
     0.0243877679792798, 0.0270975199769775),
]  # fmt: skip

# R: corr.test(u[VARS], adjust = "bonferroni")
PEARSON_BONFERRONI = [
    ("active_share", "passive_share", 94, 0.55049771085372,
     0.391554841994103, 0.677541569984057,
     9.02392194165558e-09, 9.02392194165558e-08),
    ("active_share", "post_frequency", 93, 0.558048742905617,
     0.399788031904248, 0.684000431185771,
     6.19070498535922e-09, 6.19070498535922e-08),
    ("active_share", "alignment", 93, 0.279888218802181,
     0.0807860040099843, 0.457511238772376,
     0.00658423197312596, 0.0658423197312596),
    ("active_share", "engagement", 98, 0.232372795072995,
     0.0355931393576268, 0.411806174839346,
     0.0213086132178364, 0.213086132178364),
    ("passive_share", "post_frequency", 90, 0.529554693047996,
     0.362182735998328, 0.663844580580536,
     8.02041470304554e-08, 8.02041470304554e-07),
    ("passive_share", "alignment", 89, 0.437792732260648,
     0.252562996293508, 0.59206862494305,
     1.78375142796079e-05, 0.000178375142796079),
    ("passive_share", "engagement", 95, 0.335193382489896,
     0.143333389374324, 0.502771234883439,
     0.000898827883210756, 0.00898827883210756),
    ("post_frequency", "alignment", 92, 0.445848734218222,
     0.265253651881982, 0.596220706006892,
     8.43148568858998e-06, 8.43148568858998e-05),
    ("post_frequency", "engagement", 95, 0.278166921927109,
     0.0811747845526062, 0.454243838952409,
     0.00634431053486136, 0.0634431053486136),
    ("alignment", "engagement", 95, 0.24114394261745,
     0.0416238936048328, 0.422169158680479,
     0.0185666716273755, 0.185666716273755),
]  # fmt: skip

# R: corr.test(u[USAGE], u[OUTCOME], adjust = "holm")
USAGE_HOLM = [
    ("active_share", "alignment", 93, 0.279888218802181,
     0.0807860040099843, 0.457511238772376,
     0.00658423197312596, 0.0380658632091682),
    ("active_share", "engagement", 98, 0.232372795072995,
     0.0355931393576268, 0.411806174839346,
     0.0213086132178364, 0.0852344528713458),
    ("active_share", "efficiency", 95, 0.505316795727539,
     0.33821905467541, 0.641524935808248,
     1.76369591773739e-07, 2.11643510128487e-06),
    ("active_share", "satisfaction", 95, 0.15271283111175,
     -0.0503808062498953, 0.34367804509761,
     0.139558601142335, 0.279117202284671),
    ("passive_share", "alignment", 89, 0.437792732260648,
     0.252562996293508, 0.59206862494305,
     1.78375142796079e-05, 0.000178375142796079),
    ("passive_share", "engagement", 95, 0.335193382489896,
     0.143333389374324, 0.502771234883439,
     0.000898827883210756, 0.00629179518247529),
    ("passive_share", "efficiency", 93, 0.354431236163216,
     0.162452098164965, 0.52055512940466,
     0.000490923151710751, 0.00392738521368601),
    ("passive_share", "satisfaction", 92, 0.13532219948299,
     -0.0714762650932549, 0.330966424986087,
     0.198393042194985, 0.279117202284671),
    ("post_frequency", "alignment", 92, 0.445848734218222,
     0.265253651881982, 0.596220706006892,
     8.43148568858998e-06, 9.27463425744898e-05),
    ("post_frequency", "engagement", 95, 0.278166921927109,
     0.0811747845526062, 0.454243838952409,
     0.00634431053486136, 0.0380658632091682),
    ("post_frequency", "efficiency", 93, 0.375461801995938,
     0.185977995703564, 0.538019804851243,
     0.000208494110086638, 0.00187644699077974),
    ("post_frequency", "satisfaction", 93, 0.17526966970646,
     -0.0294915665905377, 0.365913413372776,
     0.0928767806167356, 0.278630341850207),
]  # fmt: skip

# R: corr.test(u[USAGE], u[OUTCOME], method = "spearman", adjust = "BH")
USAGE_SPEARMAN_BH = [
    ("active_share", "alignment", 93, 0.288658255715395,
     0.0902572992802899, 0.465022255206739,
     0.00501505123393078, 0.00859723068673848),
    ("active_share", "engagement", 98, 0.18212133780416,
     -0.0169105214416435, 0.367270190810055,
     0.0726825407205748, 0.0908799251060049),
    ("active_share", "efficiency", 95, 0.482091861124848,
     0.310741162887935, 0.62309368741472,
     7.54842947589675e-07, 9.0581153710761e-06),
    ("active_share", "satisfaction", 95, 0.183093711788911,
     -0.0191561820852851, 0.370948261272944,
     0.0757332709216707, 0.0908799251060049),
    ("passive_share", "alignment", 89, 0.421095422942478,
     0.233297978656221, 0.578610366740049,
     3.96980579426904e-05, 0.000158792231770762),
    ("passive_share", "engagement", 95, 0.302267549110726,
     0.107258734992198, 0.474880856431823,
     0.00290981454598961, 0.00581962909197922),
    ("passive_share", "efficiency", 93, 0.309088399473336,
     0.112461112795691, 0.482421547636062,
     0.00257309136948976, 0.00581962909197922),
    ("passive_share", "satisfaction", 92, 0.0935558707706856,
     -0.113435163141176, 0.292763380754676,
     0.375060188934018, 0.375060188934018),
    ("post_frequency", "alignment", 92, 0.435224200035386,
     0.252955638788687, 0.587656984362304,
     1.4534913737203e-05, 8.72094824232178e-05),
    ("post_frequency", "engagement", 95, 0.256434691796825,
     0.0578832426911921, 0.435471396296332,
     0.0121271247877251, 0.0181906871815876),
    ("post_frequency", "efficiency", 93, 0.337748541588523,
     0.143943923275295, 0.506601528912972,
     0.000929836278877943, 0.00278950883663383),
    ("post_frequency", "satisfaction", 93, 0.163924968761422,
     -0.0411576771879741, 0.355753606898679,
     0.116392815981004, 0.126973981070186),
]  # fmt: skip


def assert_matches(table: pd.DataFrame, expected: list[tuple], names=("x", "y")) -> None:
    assert list(zip(table[names[0]], table[names[1]], strict=True)) == [e[:2] for e in expected]
    expected = pd.DataFrame(expected, columns=[*names, "n", "r", "ci_low", "ci_high", "p", "p_adj"])
    assert table["n"].tolist() == expected["n"].tolist()
    for column in ("r", "ci_low", "ci_high"):
        np.testing.assert_allclose(table[column], expected[column], rtol=0, atol=EST)
    for column in ("p", "p_adj"):
        np.testing.assert_allclose(table[column], expected[column], rtol=P, atol=0)


class TestCorrelate:
    def test_pearson_with_holm_matches_corr_test(self, usage):
        assert_matches(correlate(usage, VARS), PEARSON_HOLM)

    def test_spearman_with_bh_matches_corr_test(self, usage):
        table = correlate(usage, VARS, method="spearman", adjust="fdr_bh")
        assert_matches(table, SPEARMAN_BH)

    def test_bonferroni_matches_corr_test(self, usage):
        assert_matches(correlate(usage, VARS, adjust="bonferroni"), PEARSON_BONFERRONI)

    def test_none_leaves_p_as_it_is(self, usage):
        table = correlate(usage, VARS, adjust="none")
        np.testing.assert_array_equal(table["p"], table["p_adj"])

    def test_it_lists_the_upper_triangle_in_the_order_given(self, usage):
        table = correlate(usage, ["engagement", "active_share", "alignment"])
        assert list(zip(table["x"], table["y"], strict=True)) == [
            ("engagement", "active_share"),
            ("engagement", "alignment"),
            ("active_share", "alignment"),
        ]

    def test_missing_values_are_deleted_pairwise(self, usage):
        table = correlate(usage, VARS)
        assert table["n"].nunique() > 1
        complete = correlate(usage.dropna(subset=VARS), VARS)
        assert complete["n"].nunique() == 1
        assert complete["n"].iloc[0] < table["n"].min()
        assert not np.allclose(complete["r"], table["r"])

    def test_a_constant_variable_gives_nan_and_is_left_out_of_the_adjustment(self, usage):
        df = usage.assign(constant=1.0)
        table = correlate(df, ["active_share", "constant", "alignment"], adjust="bonferroni")
        assert table["r"].isna().tolist() == [True, False, True]
        # R: the p of active_share-alignment adjusted over one test is itself
        assert table["p_adj"].iloc[1] == pytest.approx(0.00658423197312596, rel=P)

    def test_with_covar_it_gives_partial_correlations_adjusted_over_the_pairs(self, usage):
        table = correlate(usage, ["active_share", "passive_share", "alignment"], covar="employees")
        # R: partial.r(na.omit(u[c(x, y, "employees")]), c(1, 2), 3)[1, 2]; p on n - 3 df
        np.testing.assert_allclose(
            table["r"], [0.630347120153234, 0.356855136193124, 0.418995503776052], atol=EST
        )
        assert table["n"].tolist() == [94, 93, 89]
        np.testing.assert_allclose(
            table["p"],
            [1.28292251350329e-11, 0.00047988079215096, 4.84605678498579e-05],
            rtol=P,
        )
        # R: p.adjust(ps, "holm")
        np.testing.assert_allclose(
            table["p_adj"],
            [3.84876754050988e-11, 4.79880792150960e-04, 9.69211356997157e-05],
            rtol=P,
        )


class TestUsageOutcomeTable:
    def test_pearson_with_holm_over_the_whole_table_matches_corr_test(self, usage):
        table = usage_outcome_table(usage, USAGE, OUTCOME)
        assert_matches(table, USAGE_HOLM, names=("usage", "outcome"))

    def test_spearman_with_bh_matches_corr_test(self, usage):
        table = usage_outcome_table(usage, USAGE, OUTCOME, method="spearman", adjust="fdr_bh")
        assert_matches(table, USAGE_SPEARMAN_BH, names=("usage", "outcome"))

    def test_it_does_not_test_pairs_within_a_group(self, usage):
        table = usage_outcome_table(usage, USAGE, OUTCOME)
        assert len(table) == len(USAGE) * len(OUTCOME)
        assert set(table["usage"]) == set(USAGE)
        assert set(table["outcome"]) == set(OUTCOME)

    def test_it_refuses_a_variable_in_both_groups(self, usage):
        with pytest.raises(ValueError, match="'alignment' is both a usage and an outcome"):
            usage_outcome_table(usage, ["active_share", "alignment"], OUTCOME)


# R: partial() in reference.R: complete cases, residuals of lm on the covariates, r of the
# residuals, p on n - 2 - k df; ci from corr.p(r, n - k) (Fisher z, se 1 / sqrt(n - 3 - k)).
PARTIAL = [
    # x, y, covar, method, n, k, r, lower, upper, p
    ("active_share", "alignment", ["employees"], "pearson", 93, 1,
     0.356855136193124, 0.16402644872362, 0.523415990785154, 0.000479880792150959),
    ("active_share", "alignment", ["size_class"], "pearson", 93, 2,
     0.36378876870713, 0.170627397235366, 0.530023995129662, 0.000393181916058807),
    ("active_share", "efficiency", ["employees", "size_class"], "pearson", 95, 3,
     0.446694810742439, 0.266235527153416, 0.59690120342892, 8.0672832492576e-06),
    ("active_share", "alignment", ["employees"], "spearman", 93, 1,
     0.372197419397901, 0.181192796965798, 0.536143276154294, 0.000258832695398307),
]  # fmt: skip


class TestPartialCorrelate:
    @pytest.mark.parametrize("x, y, covar, method, n, k, r, low, high, p", PARTIAL)
    def test_it_matches_r(self, usage, x, y, covar, method, n, k, r, low, high, p):
        result = partial_correlate(usage, x, y, covar, method=method).iloc[0]
        assert result["covar"] == ", ".join(covar)
        assert (result["n"], result["k"]) == (n, k)
        assert result["r"] == pytest.approx(r, abs=EST)
        assert result["ci_low"] == pytest.approx(low, abs=EST)
        assert result["ci_high"] == pytest.approx(high, abs=EST)
        assert result["p"] == pytest.approx(p, rel=P)

    def test_psych_partial_r_agrees(self, usage):
        # R: partial.r(na.omit(u[c("active_share", "alignment", "employees")]), c(1,2), 3)
        result = partial_correlate(usage, "active_share", "alignment", "employees")
        assert result["r"].iloc[0] == pytest.approx(0.356855136193124, abs=EST)

    def test_a_categorical_code_is_dummy_coded_when_made_categorical(self, usage):
        codes = usage["size_class"].map({"small": 1, "medium": 2, "large": 3})
        as_number = partial_correlate(
            usage.assign(size=codes), "active_share", "alignment", "size"
        ).iloc[0]
        as_category = partial_correlate(
            usage.assign(size=codes.astype("category")), "active_share", "alignment", "size"
        ).iloc[0]
        assert as_number["k"] == 1
        assert as_category["k"] == 2
        assert as_category["r"] == pytest.approx(0.36378876870713, abs=EST)

    def test_it_refuses_x_among_the_covariates(self, usage):
        with pytest.raises(ValueError, match="'alignment' is both a variable and a covariate"):
            partial_correlate(usage, "active_share", "alignment", ["alignment"])

    def test_it_needs_a_covariate(self, usage):
        with pytest.raises(ValueError, match="at least one covariate"):
            partial_correlate(usage, "active_share", "alignment", [])

    def test_a_covariate_mixing_text_and_numbers_is_named(self, usage):
        df = usage.astype({"employees": object})
        df.loc[3, "employees"] = "about 500"
        with pytest.raises(
            ValueError, match="'employees' mixes text and numbers: it holds 'about 500' and 192"
        ):
            partial_correlate(df, "active_share", "alignment", "employees")


class TestBadInput:
    def test_an_unknown_column_is_named(self, usage):
        with pytest.raises(ValueError, match="unknown column 'activity'"):
            correlate(usage, ["active_share", "activity"])

    def test_a_text_column_is_named_with_a_value(self, usage):
        with pytest.raises(ValueError, match="column 'size_class' is not numeric: it holds"):
            correlate(usage, ["active_share", "size_class"])

    def test_a_text_value_in_a_numeric_column_is_named(self, usage):
        df = usage.astype({"alignment": object})
        df.loc[5, "alignment"] = "n.v.t."
        with pytest.raises(ValueError, match="'alignment' is not numeric: it holds 'n.v.t.'"):
            usage_outcome_table(df, USAGE, OUTCOME)

    def test_an_unknown_method_or_adjustment_is_refused(self, usage):
        with pytest.raises(ValueError, match="method"):
            correlate(usage, VARS, method="kendall")
        with pytest.raises(ValueError, match="adjust"):
            correlate(usage, VARS, adjust="BH")

    def test_a_variable_given_twice_is_refused(self, usage):
        with pytest.raises(ValueError, match="'alignment' is given twice"):
            correlate(usage, ["alignment", "active_share", "alignment"])
