"""Reliability against R (psych 2.2.9): values from tests/stats/reference.R.

In R, ``x`` is engagement.csv's items with eng3 reversed as ``7 - eng3``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ismonitor.stats import alpha, item_stats, reverse_score, scale_scores

ITEMS = ["eng1", "eng2", "eng3", "eng4", "eng5"]
SCALE = {"reverse": ["eng3"], "min": 1, "max": 6}
EST = 1e-6  # absolute tolerance for estimates


class TestAlphaPairwise:
    @pytest.fixture
    def result(self, engagement):
        return alpha(engagement, ITEMS, **SCALE).iloc[0]

    def test_it_counts_rows_with_an_answer(self, result):
        # R: sum(rowSums(!is.na(x)) > 0)
        assert result["n"] == 118
        assert result["k"] == 5

    def test_raw_alpha_matches_psych(self, result):
        # R: psych::alpha(x)$total$raw_alpha
        assert result["alpha"] == pytest.approx(0.825087273276777, abs=EST)
        # R: psych::alpha(d, keys = c("eng3"))$total$raw_alpha
        assert result["alpha"] == pytest.approx(0.825087273276777, abs=EST)

    def test_standardized_alpha_matches_psych(self, result):
        # R: psych::alpha(x)$total$std.alpha
        assert result["alpha_std"] == pytest.approx(0.825856194962295, abs=EST)

    def test_mean_and_sd_of_the_score_match_psych(self, result):
        # R: psych::alpha(x)$total$mean; psych::alpha(x)$total$sd
        assert result["mean"] == pytest.approx(3.33742937853107, abs=EST)
        assert result["sd"] == pytest.approx(0.998353193969074, abs=EST)

    def test_omega_total_matches_psych(self, result):
        # R: psych::omega(x, nfactors = 1)$omega.tot  (minres, stopped at optim's tolerance)
        assert result["omega_total"] == pytest.approx(0.829929473168329, abs=EST)

    def test_omega_total_matches_the_converged_minres_solution(self, result):
        # R: exact_omega(x) in reference.R, optim(BFGS, reltol = 1e-16) on the off-diagonal
        # residuals; fa(R, 1, fm = "pa", min.err = 1e-15) gives 0.829929469351763.
        assert result["omega_total"] == pytest.approx(0.829929469298353, abs=1e-9)


class TestAlphaListwise:
    @pytest.fixture
    def result(self, engagement):
        return alpha(engagement, ITEMS, missing="listwise", **SCALE).iloc[0]

    def test_it_uses_complete_rows(self, result):
        # R: nrow(na.omit(x))
        assert result["n"] == 72

    def test_it_matches_psych_on_complete_rows(self, result):
        # R: psych::alpha(na.omit(x))$total$raw_alpha, $std.alpha, $mean, $sd
        assert result["alpha"] == pytest.approx(0.824338514040411, abs=EST)
        assert result["alpha_std"] == pytest.approx(0.823639958858249, abs=EST)
        assert result["mean"] == pytest.approx(3.40833333333333, abs=EST)
        assert result["sd"] == pytest.approx(1.00670288776051, abs=EST)

    def test_omega_total_matches_psych(self, result):
        # R: psych::omega(na.omit(x), nfactors = 1)$omega.tot
        assert result["omega_total"] == pytest.approx(0.829971449471294, abs=EST)
        # R: exact_omega(na.omit(x))
        assert result["omega_total"] == pytest.approx(0.829971456172326, abs=1e-9)


class TestHeywoodCase:
    """heywood.csv: r12 = r13 = .8, r23 = .5, so one factor needs a loading above 1."""

    @pytest.fixture
    def heywood(self):
        return pd.read_csv(Path(__file__).parent / "data" / "heywood.csv")

    def test_it_warns_and_keeps_the_loading_at_the_bound(self, heywood):
        with pytest.warns(UserWarning, match="Heywood case"):
            result = alpha(heywood).iloc[0]
        # R: psych::alpha(heywood)$total$raw_alpha - alpha is unaffected
        assert result["alpha"] == pytest.approx(0.872309787101148, abs=EST)
        # R: psych::omega(heywood, nfactors = 1)$omega.tot is 0.88024168302266, from
        # fa(...)$loadings[1] = 1.029. We bound the loading at sqrt(0.995) instead, so the
        # value is ours alone (a regression value, not an R reference):
        assert result["omega_total"] == pytest.approx(0.8758132679738704, abs=1e-9)


class TestItemStats:
    def test_it_matches_psych_pairwise(self, engagement):
        stats = item_stats(engagement, ITEMS, **SCALE)
        assert stats["item"].tolist() == ITEMS
        assert stats["reversed"].tolist() == [False, False, True, False, False]
        # R: psych::alpha(x)$item.stats$n
        assert stats["n"].tolist() == [108, 105, 105, 107, 114]
        # R: psych::alpha(x)$item.stats$mean (and alpha(d, keys = "eng3")$item.stats$mean)
        np.testing.assert_allclose(
            stats["mean"],
            [3.26851851851852, 3.24761904761905, 3.58095238095238, 3.42990654205607,
             3.24561403508772],
            atol=EST,
        )  # fmt: skip
        # R: psych::alpha(x)$item.stats$sd
        np.testing.assert_allclose(
            stats["sd"],
            [1.32979150555716, 1.23086080245425, 1.33575786887036, 1.20621151445271,
             1.33410938446320],
            atol=EST,
        )  # fmt: skip
        # R: psych::alpha(x)$item.stats$r.drop
        np.testing.assert_allclose(
            stats["r_drop"],
            [0.768928614111904, 0.509681359521192, 0.600459795307489, 0.717277346432807,
             0.521609508259409],
            atol=EST,
        )  # fmt: skip
        # R: psych::alpha(x)$alpha.drop$raw_alpha
        np.testing.assert_allclose(
            stats["alpha_if_deleted"],
            [0.744305889226418, 0.820281133591698, 0.796391837922478, 0.764098447348376,
             0.819318470287959],
            atol=EST,
        )  # fmt: skip

    def test_it_matches_psych_listwise(self, engagement):
        stats = item_stats(engagement, ITEMS, missing="listwise", **SCALE)
        assert stats["n"].tolist() == [72] * 5
        # R: psych::alpha(na.omit(x))$item.stats$r.drop
        np.testing.assert_allclose(
            stats["r_drop"],
            [0.777369335524855, 0.551081021887121, 0.583004873953827, 0.699546028224857,
             0.496914421276517],
            atol=EST,
        )  # fmt: skip
        # R: psych::alpha(na.omit(x))$alpha.drop$raw_alpha
        np.testing.assert_allclose(
            stats["alpha_if_deleted"],
            [0.739123440848995, 0.808117989049988, 0.800587507730365, 0.766430417479269,
             0.823941116075948],
            atol=EST,
        )  # fmt: skip

    def test_a_two_item_scale_has_no_alpha_if_deleted(self, engagement):
        stats = item_stats(engagement, ["eng1", "eng2"])
        assert stats["alpha_if_deleted"].isna().all()
        assert alpha(engagement, ["eng1", "eng2"])["omega_total"].isna().all()


class TestMissingDataPolicy:
    def test_pairwise_and_listwise_differ_on_data_with_gaps(self, engagement):
        pairwise = alpha(engagement, ITEMS, **SCALE).iloc[0]
        listwise = alpha(engagement, ITEMS, missing="listwise", **SCALE).iloc[0]
        assert pairwise["n"] > listwise["n"]
        assert pairwise["alpha"] != pytest.approx(listwise["alpha"], abs=1e-4)

    def test_they_agree_on_complete_data(self, engagement):
        complete = engagement.dropna()
        pairwise = alpha(complete, ITEMS, **SCALE)
        listwise = alpha(complete, ITEMS, missing="listwise", **SCALE)
        pd.testing.assert_frame_equal(pairwise, listwise)

    def test_it_rejects_an_unknown_policy(self, engagement):
        with pytest.raises(ValueError, match="pairwise"):
            alpha(engagement, ITEMS, missing="mean")


class TestReverseScore:
    def test_it_scores_min_plus_max_minus_x(self):
        df = pd.DataFrame({"eng3": [1, 2, 6, None], "other": ["a", "b", "c", "d"]})
        out = reverse_score(df, "eng3", min=1, max=6)
        assert out["eng3"].tolist()[:3] == [6.0, 5.0, 1.0]
        assert np.isnan(out["eng3"].iloc[3])
        assert out["other"].tolist() == ["a", "b", "c", "d"]
        assert df["eng3"].iloc[0] == 1  # the input is not changed

    def test_reversing_gives_the_same_alpha_as_psych_keys(self, engagement):
        reversed_df = reverse_score(engagement, ["eng3"], min=1, max=6)
        assert alpha(reversed_df, ITEMS)["alpha"].iloc[0] == pytest.approx(
            0.825087273276777, abs=EST
        )

    def test_it_rejects_a_value_outside_the_scale(self):
        df = pd.DataFrame({"eng3": [1, 7]})
        with pytest.raises(ValueError, match=r"'eng3' holds 7, outside the answer scale 1 to 6"):
            reverse_score(df, ["eng3"], min=1, max=6)

    def test_reverse_needs_min_and_max(self, engagement):
        with pytest.raises(ValueError, match="min and max"):
            alpha(engagement, ITEMS, reverse=["eng3"])

    def test_it_rejects_a_reverse_item_outside_the_scale_items(self, engagement):
        with pytest.raises(ValueError, match="'eng9' is not one of the items"):
            alpha(engagement, ITEMS[:4], reverse=["eng9"], min=1, max=6)


class TestScaleScores:
    def test_it_needs_half_the_items_by_default(self, engagement):
        # R: score <- ifelse(rowSums(!is.na(x)) >= 3, rowMeans(x, na.rm = TRUE), NA)
        scores = scale_scores(engagement, ITEMS, **SCALE)
        assert scores.index.equals(engagement.index)
        assert scores["score"].notna().sum() == 118  # R: sum(!is.na(score))
        assert scores["score"].mean() == pytest.approx(3.33742937853107, abs=EST)
        np.testing.assert_allclose(scores["score"].iloc[:6], [3.0, 4.8, 2.5, 2.2, 4.2, 4.6])

    def test_min_answered_leaves_out_rows_with_too_few_answers(self, engagement):
        scores = scale_scores(engagement, ITEMS, min_answered=5, **SCALE)
        assert scores["score"].notna().sum() == 72  # R: nrow(na.omit(x))
        assert (scores.loc[scores["score"].isna(), "answered"] < 5).all()

    def test_rows_without_answers_are_kept_with_no_score(self, engagement):
        scores = scale_scores(engagement, ITEMS, **SCALE)
        assert scores.loc[17, "answered"] == 0
        assert np.isnan(scores.loc[17, "score"])

    def test_it_rejects_an_impossible_min_answered(self, engagement):
        with pytest.raises(ValueError, match="between 1 and 5"):
            scale_scores(engagement, ITEMS, min_answered=6)


class TestBadInput:
    def test_an_unknown_column_is_named(self, engagement):
        with pytest.raises(ValueError, match="unknown column 'eng7'"):
            alpha(engagement, ["eng1", "eng2", "eng7"])

    def test_a_text_answer_is_named_with_its_column(self, engagement):
        df = engagement.astype({"eng2": object})
        df.loc[4, "eng2"] = "agree"
        with pytest.raises(ValueError, match="column 'eng2' is not numeric: it holds 'agree'"):
            item_stats(df, ITEMS)

    def test_a_text_column_is_named(self, engagement):
        with pytest.raises(ValueError, match="column 'organisation' is not numeric"):
            alpha(engagement)  # all columns, the organisation's name among them

    def test_an_item_without_variance_is_named(self):
        df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2], "c": [1, 3, 2, 4]})
        with pytest.raises(ValueError, match="item 'b' has no variance"):
            alpha(df)

    def test_a_scale_needs_two_items(self, engagement):
        with pytest.raises(ValueError, match="at least 2 items"):
            alpha(engagement, ["eng1"])

    def test_a_forgotten_reverse_item_is_flagged(self, engagement):
        with pytest.warns(UserWarning, match="eng3"):
            alpha(engagement, ITEMS)
