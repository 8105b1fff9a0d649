"""Ranking questions: which options respondents put first, and whether the order is real."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg

from ._validate import as_list, check_frame, numeric_frame

__all__ = ["friedman", "rank_summary"]


def rank_summary(data: pd.DataFrame, options: Sequence[str]) -> pd.DataFrame:
    """Summarise a ranking question, from the most to the least important option.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one column per option holding the rank the respondent gave
        it: 1 = most important, NaN = not ranked (a respondent may rank only a top three).
    options : sequence of str
        The option columns, e.g. the reasons for not using internal social media.

    Returns
    -------
    pandas.DataFrame
        One row per option, ordered from most to least important, with columns:

        * ``reason``: the option (column name).
        * ``n``: respondents who ranked the option.
        * ``mean_rank``: mean rank among those ``n`` respondents (lower is more important).
        * ``share_first``: share of all respondents who ranked it first; the base is
          every respondent who ranked at least one option.
        * ``rank``: position in this table, 1 for the most important option.

    Raises
    ------
    ValueError
        For an unknown or non-numeric column, or a rank that is not a whole number from
        1 to the number of options (naming the column and the value).

    See Also
    --------
    friedman : whether the options differ in importance at all.

    Notes
    -----
    The order is by ``mean_rank`` (ascending), ties broken by ``share_first``
    (descending), then ``n`` (descending), then the order of ``options``. Respondents who
    ranked no option are left out. Unranked options are not imputed: ``mean_rank`` is over
    the respondents who ranked the option, so with incomplete rankings an option that few
    respondents ranked can have a low mean rank from a small ``n`` - read it with ``n``.
    A respondent who gives two options the same rank is kept as given (both count as
    first when the rank is 1).

    References
    ----------
    .. [1] Marden, J. I. (1995). Analyzing and Modeling Rank Data. London: Chapman & Hall.

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import rank_summary
    >>> df = pd.DataFrame({
    ...     "no_need": [1, 1, 2, 1],
    ...     "it_not_ready": [2, 3, 1, None],
    ...     "costs": [3, 2, 3, None],
    ... })
    >>> rank_summary(df, ["no_need", "it_not_ready", "costs"])
             reason  n  mean_rank  share_first  rank
    0       no_need  4   1.250000         0.75     1
    1  it_not_ready  3   2.000000         0.25     2
    2         costs  3   2.666667         0.00     3
    """
    ranks = _ranks(data, options)
    answered = ranks.notna().any(axis=1)
    ranks = ranks[answered]
    respondents = len(ranks)
    if respondents == 0:
        raise ValueError("no respondent ranked any option")
    table = pd.DataFrame(
        {
            "reason": list(ranks.columns),
            "n": ranks.notna().sum().to_numpy(),
            "mean_rank": ranks.mean().to_numpy(),
            "share_first": (ranks == 1).sum().to_numpy() / respondents,
            "position": np.arange(ranks.shape[1]),
        }
    )
    table = table.sort_values(
        ["mean_rank", "share_first", "n", "position"],
        ascending=[True, False, False, True],
        na_position="last",
    )
    table = table.drop(columns="position").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def friedman(data: pd.DataFrame, options: Sequence[str]) -> pd.DataFrame:
    """Friedman test of a ranking question, with Kendall's W.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one column per option holding its rank (1 = most
        important, NaN = not ranked).
    options : sequence of str
        The option columns; at least two.

    Returns
    -------
    pandas.DataFrame
        One row, with columns:

        * ``chi2``: Friedman's chi-square, corrected for ties.
        * ``df``: degrees of freedom, the number of options minus 1.
        * ``p``: p-value from the chi-square distribution.
        * ``kendall_w``: Kendall's coefficient of concordance,
          ``chi2 / (n (k - 1))``: 0 when respondents agree on nothing, 1 when they all
          give the same order.
        * ``n``: respondents who ranked every option (the rows used).

    Raises
    ------
    ValueError
        For an unknown or non-numeric column, an invalid rank (as :func:`rank_summary`),
        fewer than two options or fewer than two complete rankings.

    See Also
    --------
    rank_summary : the options in order of importance.

    Notes
    -----
    :func:`pingouin.friedman` (``method="chisq"``) on the complete rankings: incomplete
    ones are dropped, as R's ``friedman.test(as.matrix(x))`` does, since the test needs
    every respondent to rank every option. With :math:`n` respondents, :math:`k` options
    and :math:`R_j` the rank sum of option :math:`j`,

    .. math::

        \\chi^2_F = \\frac{12}{n k (k+1)} \\sum_j R_j^2 - 3 n (k+1)

    on :math:`k - 1` degrees of freedom (divided by :math:`1 - \\sum t (t^2 - 1) / (n k
    (k^2 - 1))` when a respondent gives tied ranks), and :math:`W = \\chi^2_F / (n (k -
    1))`. Check ``n`` against the number of respondents: with many top-three-only answers
    the test rests on a minority.

    References
    ----------
    .. [1] Friedman, M. (1937). The use of ranks to avoid the assumption of normality
       implicit in the analysis of variance. Journal of the American Statistical
       Association, 32(200), 675-701. https://doi.org/10.1080/01621459.1937.10503522
    .. [2] Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. The
       Annals of Mathematical Statistics, 10(3), 275-287.
       https://doi.org/10.1214/aoms/1177732186

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import friedman
    >>> df = pd.DataFrame({
    ...     "no_need": [1, 1, 2, 1, 1],
    ...     "it_not_ready": [2, 3, 1, 2, None],
    ...     "costs": [3, 2, 3, 3, None],
    ... })
    >>> friedman(df, ["no_need", "it_not_ready", "costs"]).round(4)
       chi2  df       p  kendall_w  n
    0   4.5   2  0.1054     0.5625  4
    """
    ranks = _ranks(data, options)
    if ranks.shape[1] < 2:
        raise ValueError(f"a Friedman test needs at least 2 options, got {ranks.shape[1]}")
    complete = ranks.dropna(how="any")
    if len(complete) < 2:
        raise ValueError(
            f"a Friedman test needs at least 2 respondents who ranked every option, "
            f"got {len(complete)}"
        )
    result = pg.friedman(complete.reset_index(drop=True), method="chisq")
    return pd.DataFrame(
        {
            "chi2": [float(result["Q"].iloc[0])],
            "df": [int(result["ddof1"].iloc[0])],
            "p": [float(result["p_unc"].iloc[0])],
            "kendall_w": [float(result["W"].iloc[0])],
            "n": [len(complete)],
        }
    )


def _ranks(data: pd.DataFrame, options: Sequence[str]) -> pd.DataFrame:
    check_frame(data)
    options = as_list(options)
    if not options:
        raise ValueError("a ranking needs at least one option")
    ranks = numeric_frame(data, options)
    k = len(options)
    for column in options:
        values = ranks[column].dropna()
        bad = values[(values != np.round(values)) | (values < 1) | (values > k)]
        if len(bad):
            raise ValueError(
                f"column {column!r} holds rank {bad.iloc[0]:g}; ranks are whole numbers "
                f"from 1 to {k}"
            )
    return ranks
