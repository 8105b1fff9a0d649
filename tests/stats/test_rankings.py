"""Ranking questions against R: values from tests/stats/reference.R (reasons.csv).

In R, ``m <- as.matrix(rs[opts])``: 32 respondents, 8 of whom ranked only a top three.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ismonitor.stats import friedman, rank_summary

OPTIONS = [
    "no_need",
    "unclear_use",
    "it_not_ready",
    "no_management_support",
    "where_to_start",
    "costs",
]
EST = 1e-6  # absolute tolerance for estimates
P = 1e-4  # relative tolerance for p-values


class TestRankSummary:
    @pytest.fixture
    def summary(self, reasons):
        return rank_summary(reasons, OPTIONS).set_index("reason")

    def test_it_matches_r(self, summary):
        summary = summary.loc[OPTIONS]
        # R: colSums(!is.na(m))
        assert summary["n"].tolist() == [31, 27, 27, 30, 27, 26]
        # R: colMeans(m, na.rm = TRUE)
        np.testing.assert_allclose(
            summary["mean_rank"],
            [2.29032258064516, 3.0, 3.37037037037037, 3.03333333333333, 3.44444444444444,
             4.80769230769231],
            atol=EST,
        )  # fmt: skip
        # R: colSums(m == 1, na.rm = TRUE) / sum(rowSums(!is.na(m)) > 0)
        np.testing.assert_allclose(
            summary["share_first"], [0.40625, 0.09375, 0.125, 0.125, 0.15625, 0.09375], atol=EST
        )

    def test_it_orders_from_most_to_least_important(self, reasons):
        summary = rank_summary(reasons, OPTIONS)
        assert summary["reason"].tolist() == [
            "no_need",
            "unclear_use",
            "no_management_support",
            "it_not_ready",
            "where_to_start",
            "costs",
        ]
        assert summary["rank"].tolist() == [1, 2, 3, 4, 5, 6]
        assert summary["mean_rank"].is_monotonic_increasing

    def test_ties_in_mean_rank_go_to_the_option_more_often_first(self):
        # all of a, b and c have mean rank 2; b and c were ranked first once, a never
        df = pd.DataFrame({"a": [2, 2], "b": [1, 3], "c": [3, 1], "d": [4, 4]})
        summary = rank_summary(df, ["a", "b", "c", "d"])
        assert summary["reason"].tolist() == ["b", "c", "a", "d"]

    def test_respondents_who_ranked_nothing_are_left_out(self, reasons):
        with_empty = pd.concat([reasons, pd.DataFrame({"organisation": ["org999"]})])
        pd.testing.assert_frame_equal(
            rank_summary(with_empty, OPTIONS), rank_summary(reasons, OPTIONS)
        )


class TestFriedman:
    def test_it_matches_friedman_test(self, reasons):
        result = friedman(reasons, OPTIONS).iloc[0]
        # R: friedman.test(as.matrix(x))$statistic, $parameter, $p.value
        assert result["chi2"] == pytest.approx(25.3809523809524, abs=EST)
        assert result["df"] == 5
        assert result["p"] == pytest.approx(0.000117608040207581, rel=P)
        # R: sum(complete.cases(x))
        assert result["n"] == 24
        # R: statistic / (n * (k - 1))
        assert result["kendall_w"] == pytest.approx(0.211507936507937, abs=EST)

    def test_incomplete_rankings_are_left_out(self, reasons):
        complete = reasons.dropna()
        pd.testing.assert_frame_equal(friedman(complete, OPTIONS), friedman(reasons, OPTIONS))

    def test_tied_ranks_are_corrected_for(self):
        # R: friedman.test(matrix(c(1,1,2,1, 2,3,1,2, 3,2,3,2), 4))$statistic
        df = pd.DataFrame({"a": [1, 1, 2, 1], "b": [2, 3, 1, 2], "c": [3, 2, 3, 2]})
        result = friedman(df, ["a", "b", "c"]).iloc[0]
        assert result["chi2"] == pytest.approx(4.13333333333333, abs=EST)

    def test_it_needs_two_complete_rankings(self):
        df = pd.DataFrame({"a": [1, 1], "b": [2, None]})
        with pytest.raises(ValueError, match="at least 2 respondents"):
            friedman(df, ["a", "b"])


class TestBadInput:
    def test_a_rank_out_of_range_is_named(self, reasons):
        df = reasons.copy()
        df.loc[2, "costs"] = 7
        with pytest.raises(ValueError, match="column 'costs' holds rank 7; ranks are whole"):
            rank_summary(df, OPTIONS)

    def test_a_fractional_rank_is_named(self, reasons):
        df = reasons.copy()
        df.loc[2, "costs"] = 2.5
        with pytest.raises(ValueError, match="column 'costs' holds rank 2.5"):
            friedman(df, OPTIONS)

    def test_an_unknown_option_is_named(self, reasons):
        with pytest.raises(ValueError, match="unknown column 'price'"):
            rank_summary(reasons, ["no_need", "price"])

    def test_a_text_rank_is_named(self, reasons):
        df = reasons.astype({"costs": object})
        df.loc[0, "costs"] = "last"
        with pytest.raises(ValueError, match="column 'costs' is not numeric: it holds 'last'"):
            rank_summary(df, OPTIONS)
