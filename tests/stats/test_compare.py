"""Comparing editions against R: values from tests/stats/reference.R (editions.csv).

Group a is the 2016 edition, group b the 2018 edition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ismonitor.stats import compare_means, compare_proportions

EST = 1e-6  # absolute tolerance for estimates
P = 1e-4  # relative tolerance for p-values


def split(editions: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    return (
        editions.loc[editions["edition"] == 2016, column],
        editions.loc[editions["edition"] == 2018, column],
    )


class TestCompareProportionsYesNo:
    @pytest.fixture
    def result(self, editions):
        return compare_proportions(*split(editions, "has_kpis"))

    def test_it_reports_the_share_saying_yes(self, result):
        assert result["category"].tolist() == [True]
        row = result.iloc[0]
        # R: x <- c(sum(k16), sum(k18)); n <- c(length(k16), length(k18))
        assert (row["count_a"], row["n_a"], row["count_b"], row["n_b"]) == (24, 90, 51, 107)
        assert row["prop_a"] == pytest.approx(24 / 90)
        assert row["diff"] == pytest.approx(24 / 90 - 51 / 107)

    def test_chi_square_with_yates_matches_chisq_test(self, result):
        row = result.iloc[0]
        # R: chisq.test(tab)$statistic; prop.test(x, n)$statistic is the same
        assert row["chi2"] == pytest.approx(8.27186096783163, abs=EST)
        assert row["df"] == 1
        # R: chisq.test(tab)$p.value
        assert row["p"] == pytest.approx(0.0040264214742279, rel=P)

    def test_the_interval_matches_prop_test(self, result):
        # R: prop.test(x, n)$conf.int
        assert result["ci_low"].iloc[0] == pytest.approx(-0.351736822573637, abs=EST)
        assert result["ci_high"].iloc[0] == pytest.approx(-0.068200872130413, abs=EST)

    def test_cramers_v_is_phi_from_the_uncorrected_chi_square(self, result):
        # R: sqrt(chisq.test(tab, correct = FALSE)$statistic / sum(tab))
        assert result["cramers_v"].iloc[0] == pytest.approx(0.215405833608437, abs=EST)

    def test_without_correction_it_matches_r_without_correction(self, editions):
        row = compare_proportions(*split(editions, "has_kpis"), correction=False).iloc[0]
        # R: chisq.test(tab, correct = FALSE)$statistic, $p.value
        assert row["chi2"] == pytest.approx(9.14073561105153, abs=EST)
        assert row["p"] == pytest.approx(0.00249980577846945, rel=P)
        # R: prop.test(x, n, correct = FALSE)$conf.int
        assert row["ci_low"] == pytest.approx(-0.3415083698218195, abs=EST)
        assert row["ci_high"] == pytest.approx(-0.0784293248822303, abs=EST)

    def test_counts_give_the_same_result_as_answers(self, editions, result):
        from_counts = compare_proportions(
            {True: 24, False: 66}, pd.Series({True: 51, False: 56}), counts=True
        )
        pd.testing.assert_frame_equal(from_counts, result)


class TestCompareProportionsCategories:
    @pytest.fixture
    def result(self, editions):
        return compare_proportions(*split(editions, "platform"))

    def test_it_gives_one_row_per_category_in_sorted_order(self, result):
        assert result["category"].tolist() == ["Dutch platform", "Office 365", "Other", "Yammer"]
        # R: table(e$platform, e$edition)
        assert result["count_a"].tolist() == [34, 17, 7, 33]
        assert result["count_b"].tolist() == [38, 37, 13, 24]
        assert (result["n_a"] == 91).all() and (result["n_b"] == 112).all()

    def test_the_table_test_matches_chisq_test(self, result):
        # R: chisq.test(table(platform, edition)) - no Yates correction for 4 x 2
        np.testing.assert_allclose(result["chi2"], 8.77214396836107, atol=EST)
        assert (result["df"] == 3).all()
        np.testing.assert_allclose(result["p"], 0.032478887987789, rtol=P)
        # R: sqrt(chisq$statistic / (sum(tp) * (min(dim(tp)) - 1)))
        np.testing.assert_allclose(result["cramers_v"], 0.207876241701277, atol=EST)

    def test_each_interval_matches_prop_test_of_that_category(self, result):
        # R: prop.test(tp[pl, ], colSums(tp))$conf.int
        np.testing.assert_allclose(
            result[["ci_low", "ci_high"]].to_numpy(),
            [
                [-0.108162731611348, 0.176844050292666],
                [-0.27182639185151, -0.0152615202364017],
                [-0.129831632567014, 0.0515349292703111],
                [0.0137664771015208, 0.282936819601776],
            ],
            atol=EST,
        )

    def test_a_categorical_keeps_its_order(self, editions):
        order = ["Yammer", "Office 365", "Dutch platform", "Other"]
        a, b = split(editions.astype({"platform": pd.CategoricalDtype(order)}), "platform")
        assert compare_proportions(a, b)["category"].tolist() == order

    def test_missing_answers_are_left_out(self):
        result = compare_proportions(["x", None, "y", np.nan], ["x", "y", "y"])
        assert result["n_a"].tolist() == [2, 2]


class TestCompareProportionsBadInput:
    def test_an_empty_group_is_refused(self):
        with pytest.raises(ValueError, match="group a has no answers"):
            compare_proportions([None, None], [True, False])

    def test_a_negative_or_fractional_count_is_named(self):
        with pytest.raises(ValueError, match="the count of 'Yammer' must be a whole number"):
            compare_proportions({"Yammer": -1}, {"Yammer": 3}, counts=True)
        with pytest.raises(ValueError, match="not 2.5"):
            compare_proportions({"Yammer": 2.5}, {"Yammer": 3}, counts=True)

    def test_a_single_category_has_no_test(self):
        result = compare_proportions([True, True], [True, True, True])
        assert np.isnan(result["chi2"].iloc[0])
        assert result["diff"].iloc[0] == 0


class TestCompareMeans:
    @pytest.fixture
    def result(self, editions):
        a, b = split(editions, "maturity")
        return compare_means(a, b).iloc[0]

    def test_it_drops_missing_values(self, result):
        # R: length(m16), length(m18) after na.omit
        assert (result["n_a"], result["n_b"]) == (84, 102)

    def test_welch_matches_t_test(self, result):
        # R: t.test(a, b)$estimate
        assert result["mean_a"] == pytest.approx(47.9761904761905, abs=EST)
        assert result["mean_b"] == pytest.approx(51.9823529411765, abs=EST)
        # R: t.test(a, b)$statistic, $parameter, $p.value, $conf.int
        assert result["t"] == pytest.approx(-1.66431000673479, abs=EST)
        assert result["df"] == pytest.approx(183.928619313379, abs=EST)
        assert result["p"] == pytest.approx(0.0977531718291537, rel=P)
        assert result["ci_low"] == pytest.approx(-8.755242035985399, abs=EST)
        assert result["ci_high"] == pytest.approx(0.742917106013402, abs=EST)

    def test_mann_whitney_matches_wilcox_test_with_correction(self, result):
        # R: wilcox.test(a, b, exact = FALSE, correct = TRUE)$statistic, $p.value
        assert result["u"] == pytest.approx(3896.5, abs=EST)
        assert result["p_mwu"] == pytest.approx(0.289542729891166, rel=P)
        # R: 2 * W / (n1 * n2) - 1
        assert result["rank_biserial"] == pytest.approx(-0.090452847805789, abs=EST)

    def test_hedges_g_matches_the_formula_in_base_r(self, result):
        # R: g <- d * (1 - 3 / (4 * (n1 + n2) - 9)), d on the pooled sd (no effsize package)
        assert result["hedges_g"] == pytest.approx(-0.239234866850575, abs=EST)
        # R: g + c(-1, 1) * qt(0.975, n1 + n2 - 2) * sqrt((n1+n2)/(n1*n2) + g^2/(2*(n1+n2)))
        assert result["g_ci_low"] == pytest.approx(-0.5309535678213870, abs=EST)
        assert result["g_ci_high"] == pytest.approx(0.0524838341202372, abs=EST)

    def test_a_text_value_is_named(self):
        with pytest.raises(ValueError, match="'maturity' is not numeric: it holds 'high'"):
            compare_means(pd.Series([40.0, "high", 50.0], name="maturity"), [1.0, 2.0])

    def test_a_group_needs_two_values(self):
        with pytest.raises(ValueError, match="group b .* at least 2 values"):
            compare_means([1.0, 2.0, 3.0], [4.0, None])
