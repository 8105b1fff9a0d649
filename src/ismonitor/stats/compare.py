"""Comparing two editions or two groups of organisations: proportions and means."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Integral

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats
from scipy.stats.contingency import association
from statsmodels.stats.proportion import confint_proportions_2indep

from ._validate import numeric_series

__all__ = ["compare_means", "compare_proportions"]


def compare_proportions(
    a: Iterable | Mapping,
    b: Iterable | Mapping,
    *,
    counts: bool = False,
    correction: bool = True,
) -> pd.DataFrame:
    """Compare the distribution of a categorical or yes/no answer between two groups.

    Parameters
    ----------
    a, b : array-like, pandas.Series or mapping
        The two groups, e.g. the 2016 and the 2018 edition. By default the answers
        themselves, one per organisation: booleans (``has_kpis``) or categories
        (``platform``); missing values are dropped. With ``counts=True``, a mapping or
        Series from category to the number of organisations giving that answer.
    counts : bool, default False
        Whether ``a`` and ``b`` hold counts per category instead of answers.
    correction : bool, default True
        Yates' continuity correction for a 2 x 2 table, in the chi-square test and in
        the interval of the difference (R's default in ``chisq.test`` and
        ``prop.test``). It is never applied to larger tables.

    Returns
    -------
    pandas.DataFrame
        One row per category, in sorted order (or the order of a pandas Categorical);
        for yes/no answers only the row for ``True``. Columns:

        * ``category``: the answer.
        * ``count_a``: organisations in group a giving the answer.
        * ``n_a``: organisations in group a that answered.
        * ``prop_a``: ``count_a / n_a``.
        * ``count_b``: organisations in group b giving the answer.
        * ``n_b``: organisations in group b that answered.
        * ``prop_b``: ``count_b / n_b``.
        * ``diff``: ``prop_a - prop_b``.
        * ``ci_low``: lower bound of the 95% confidence interval of ``diff``.
        * ``ci_high``: upper bound of the 95% confidence interval of ``diff``.
        * ``chi2``: Pearson's chi-square of the whole categories x groups table (the same
          in every row).
        * ``df``: its degrees of freedom, (categories - 1).
        * ``p``: its p-value.
        * ``cramers_v``: Cramér's V of the table; for two categories this is the
          absolute value of phi.
        * ``min_expected``: the smallest expected count of the table; below 5 the
          chi-square approximation is doubtful (consider Fisher's exact test).

    Raises
    ------
    ValueError
        When a group has no answers, or a count is negative or not a whole number.

    See Also
    --------
    compare_means : for numeric measures such as the maturity score.

    Notes
    -----
    The test is :func:`scipy.stats.chi2_contingency` on the table of counts, with
    Yates' correction :math:`\\sum (|O - E| - \\min(0.5, |O - E|))^2 / E` when the table is
    2 x 2 and ``correction`` is true; this equals R's ``chisq.test(table)`` and
    ``prop.test(x, n)``. Categories that nobody in either group chose are left out of
    the test; with fewer than two categories left the test columns are NaN.

    The interval of the difference of category :math:`c` is the Wald interval of that
    category against all others (``prop.test(c(count_a, count_b), c(n_a, n_b))``):

    .. math::

        d \\pm \\left(z_{0.975}\\sqrt{\\frac{p_a(1-p_a)}{n_a} + \\frac{p_b(1-p_b)}{n_b}}
        + Y\\right),\\quad Y = \\min\\left(0.5, \\frac{|d|}{1/n_a + 1/n_b}\\right)
        \\left(\\frac{1}{n_a} + \\frac{1}{n_b}\\right)

    with :math:`Y = 0` without ``correction``, clipped to [-1, 1]. The Wald part is
    :func:`statsmodels.stats.proportion.confint_proportions_2indep` (``method="wald"``).
    Cramér's V, :math:`\\sqrt{\\chi^2 / (n(\\min(r, c) - 1))}`, uses the uncorrected
    :math:`\\chi^2` (:func:`scipy.stats.contingency.association`).

    References
    ----------
    .. [1] Yates, F. (1934). Contingency tables involving small numbers and the chi2 test.
       Supplement to the Journal of the Royal Statistical Society, 1(2), 217-235.
       https://doi.org/10.2307/2983604
    .. [2] Newcombe, R. G. (1998). Interval estimation for the difference between
       independent proportions: comparison of eleven methods. Statistics in Medicine,
       17(8), 873-890.
    .. [3] Cramér, H. (1946). Mathematical Methods of Statistics. Princeton: Princeton
       University Press.
    .. [4] R Core Team (2024). R: A language and environment for statistical computing
       (``chisq.test``, ``prop.test``). R Foundation for Statistical Computing, Vienna.

    Examples
    --------
    >>> from ismonitor.stats import compare_proportions
    >>> result = compare_proportions({True: 24, False: 66}, {True: 51, False: 56},
    ...                              counts=True)
    >>> result[["category", "count_a", "n_a", "count_b", "n_b", "df"]].to_dict("records")
    [{'category': True, 'count_a': 24, 'n_a': 90, 'count_b': 51, 'n_b': 107, 'df': 1}]
    >>> round(float(result["p"].iloc[0]), 4)
    0.004
    """
    count_a = _counts(a, "a") if counts else _tally(a)
    count_b = _counts(b, "b") if counts else _tally(b)
    categories = _categories(a, b, count_a, count_b, counts)
    table = np.array(
        [[count_a.get(c, 0) for c in categories], [count_b.get(c, 0) for c in categories]]
    ).T
    n_a, n_b = int(table[:, 0].sum()), int(table[:, 1].sum())
    for name, n in (("a", n_a), ("b", n_b)):
        if n == 0:
            raise ValueError(f"group {name} has no answers")

    used = table[table.sum(axis=1) > 0]
    if len(used) >= 2:
        chi2, p, df, expected = stats.chi2_contingency(used, correction=correction)
        test = {
            "chi2": float(chi2),
            "df": int(df),
            "p": float(p),
            "cramers_v": float(association(used, method="cramer")),
            "min_expected": float(expected.min()),
        }
    else:
        test = dict.fromkeys(["chi2", "df", "p", "cramers_v", "min_expected"], math.nan)

    boolean = set(categories) <= {True, False} and all(_is_bool(c) for c in categories)
    rows = []
    for category, (x_a, x_b) in zip(categories, table, strict=True):
        if boolean and not category:
            continue
        low, high = _diff_ci(int(x_a), n_a, int(x_b), n_b, correction)
        rows.append(
            {
                "category": bool(category) if boolean else category,
                "count_a": int(x_a),
                "n_a": n_a,
                "prop_a": x_a / n_a,
                "count_b": int(x_b),
                "n_b": n_b,
                "prop_b": x_b / n_b,
                "diff": x_a / n_a - x_b / n_b,
                "ci_low": low,
                "ci_high": high,
                **test,
            }
        )
    if boolean and not rows:  # nobody in either group said yes
        low, high = _diff_ci(0, n_a, 0, n_b, correction)
        rows.append(
            {
                "category": True,
                "count_a": 0,
                "n_a": n_a,
                "prop_a": 0.0,
                "count_b": 0,
                "n_b": n_b,
                "prop_b": 0.0,
                "diff": 0.0,
                "ci_low": low,
                "ci_high": high,
                **test,
            }
        )
    return pd.DataFrame(rows)


def compare_means(a: Iterable, b: Iterable) -> pd.DataFrame:
    """Compare a numeric measure between two groups: Welch's t-test and Mann-Whitney U.

    Parameters
    ----------
    a, b : array-like or pandas.Series
        The measure in each group, e.g. the maturity score of the organisations in the
        2016 and the 2018 edition. Missing values are dropped; at least two values each.

    Returns
    -------
    pandas.DataFrame
        One row, with columns:

        * ``n_a``: values in group a.
        * ``n_b``: values in group b.
        * ``mean_a``: mean of group a.
        * ``mean_b``: mean of group b.
        * ``sd_a``: standard deviation (n - 1) of group a.
        * ``sd_b``: standard deviation (n - 1) of group b.
        * ``median_a``: median of group a.
        * ``median_b``: median of group b.
        * ``diff``: ``mean_a - mean_b``.
        * ``ci_low``: lower bound of the 95% Welch confidence interval of ``diff``.
        * ``ci_high``: upper bound of the 95% Welch confidence interval of ``diff``.
        * ``t``: Welch's t statistic.
        * ``df``: Welch-Satterthwaite degrees of freedom.
        * ``p``: two-sided p-value of the t-test.
        * ``hedges_g``: Hedges' g, the standardized mean difference with the pooled
          standard deviation and small-sample correction (positive when a is higher).
        * ``g_ci_low``: lower bound of the 95% confidence interval of ``hedges_g``.
        * ``g_ci_high``: upper bound of the 95% confidence interval of ``hedges_g``.
        * ``u``: the Mann-Whitney U statistic of group a (R's ``W``).
        * ``p_mwu``: two-sided p-value of the Mann-Whitney test (normal approximation
          with tie and continuity correction).
        * ``rank_biserial``: rank-biserial correlation, ``2 U / (n_a n_b) - 1``: positive
          when values in a tend to be higher.

    Raises
    ------
    ValueError
        For a non-numeric value (naming it) or fewer than two values in a group.

    See Also
    --------
    compare_proportions : for yes/no and categorical answers.

    Notes
    -----
    Welch's test does not assume equal variances: :func:`scipy.stats.ttest_ind` with
    ``equal_var=False``, the same as R's default ``t.test(a, b)``, including the
    interval. The Mann-Whitney U test is :func:`pingouin.mwu` (:func:`scipy.stats.mannwhitneyu`)
    with ``method="asymptotic"`` and ``use_continuity=True``, the same as R's
    ``wilcox.test(a, b, exact = FALSE, correct = TRUE)``; the exact test that R and SciPy
    pick by default for small samples without ties is not used, so the result does not
    change in kind with the sample size.

    Hedges' g is :func:`pingouin.compute_effsize` (``eftype="hedges"``):
    :math:`g = d\\,(1 - 3 / (4(n_a + n_b) - 9))` with Cohen's :math:`d` on the pooled
    standard deviation. Its interval (:func:`pingouin.compute_esci`) is
    :math:`g \\pm t_{0.975, n_a+n_b-2}\\sqrt{(n_a+n_b)/(n_a n_b) + g^2/(2(n_a+n_b))}`
    (Hedges & Olkin's large-sample standard error).

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of "Student's" problem when several
       different population variances are involved. Biometrika, 34(1-2), 28-35.
       https://doi.org/10.1093/biomet/34.1-2.28
    .. [2] Mann, H. B., & Whitney, D. R. (1947). On a test of whether one of two random
       variables is stochastically larger than the other. The Annals of Mathematical
       Statistics, 18(1), 50-60. https://doi.org/10.1214/aoms/1177730491
    .. [3] Hedges, L. V., & Olkin, I. (1985). Statistical Methods for Meta-Analysis.
       Orlando: Academic Press.
    .. [4] Kerby, D. S. (2014). The simple difference formula: An approach to teaching
       nonparametric correlation. Comprehensive Psychology, 3, 11.IT.3.1.
       https://doi.org/10.2466/11.IT.3.1

    Examples
    --------
    >>> from ismonitor.stats import compare_means
    >>> result = compare_means([41.0, 55.5, 38.2, 60.1, 47.3], [52.4, 66.0, 58.8, 49.9])
    >>> result[["n_a", "n_b", "diff"]].round(2).to_dict("records")
    [{'n_a': 5, 'n_b': 4, 'diff': -8.36}]
    """
    x = _values(a, "a")
    y = _values(b, "b")
    welch = stats.ttest_ind(x, y, equal_var=False)
    interval = welch.confidence_interval(confidence_level=0.95)
    g = float(pg.compute_effsize(x, y, eftype="hedges"))
    g_low, g_high = pg.compute_esci(stat=g, nx=len(x), ny=len(y), eftype="cohen", decimals=15)
    mwu = pg.mwu(x, y, method="asymptotic", use_continuity=True)
    return pd.DataFrame(
        [
            {
                "n_a": len(x),
                "n_b": len(y),
                "mean_a": float(x.mean()),
                "mean_b": float(y.mean()),
                "sd_a": float(x.std(ddof=1)),
                "sd_b": float(y.std(ddof=1)),
                "median_a": float(np.median(x)),
                "median_b": float(np.median(y)),
                "diff": float(x.mean() - y.mean()),
                "ci_low": float(interval.low),
                "ci_high": float(interval.high),
                "t": float(welch.statistic),
                "df": float(welch.df),
                "p": float(welch.pvalue),
                "hedges_g": g,
                "g_ci_low": float(g_low),
                "g_ci_high": float(g_high),
                "u": float(mwu["U_val"].iloc[0]),
                "p_mwu": float(mwu["p_val"].iloc[0]),
                "rank_biserial": float(mwu["RBC"].iloc[0]),
            }
        ]
    )


def _values(values: Iterable, label: str) -> np.ndarray:
    name = getattr(values, "name", None) or label
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    out = numeric_series(series, str(name)).dropna().to_numpy()
    if len(out) < 2:
        raise ValueError(f"group {label} ({name}) needs at least 2 values, got {len(out)}")
    return out


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)


def _tally(values: Iterable) -> dict:
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    present = series[series.notna()]
    present = present.map(lambda v: bool(v) if _is_bool(v) else v)
    return present.value_counts(sort=False).to_dict()


def _counts(values: Mapping | pd.Series, label: str) -> dict:
    items = values.items()
    out = {}
    for category, count in items:
        if isinstance(count, float) and count.is_integer():
            count = int(count)
        if not isinstance(count, Integral) or isinstance(count, bool) or count < 0:
            raise ValueError(
                f"group {label}: the count of {category!r} must be a whole number >= 0, "
                f"not {count!r}"
            )
        out[bool(category) if _is_bool(category) else category] = int(count)
    return out


def _categories(a: object, b: object, count_a: dict, count_b: dict, counts: bool) -> list:
    for values in (a, b):
        dtype = getattr(values, "dtype", None)
        if not counts and isinstance(dtype, pd.CategoricalDtype):
            return [c for c in dtype.categories if c in count_a or c in count_b]
    found = list(dict.fromkeys([*count_a, *count_b]))
    if all(_is_bool(c) for c in found):
        return [False, True]
    try:
        return sorted(found)
    except TypeError:
        return sorted(found, key=str)


def _diff_ci(x_a: int, n_a: int, x_b: int, n_b: int, correction: bool) -> tuple[float, float]:
    """95% interval of p_a - p_b as R's prop.test (Wald, optional Yates correction)."""
    low, high = confint_proportions_2indep(x_a, n_a, x_b, n_b, method="wald", compare="diff")
    diff = x_a / n_a - x_b / n_b
    if correction:
        width = 1 / n_a + 1 / n_b
        yates = min(0.5, abs(diff) / width) * width
        low, high = low - yates, high + yates
    return max(float(low), -1.0), min(float(high), 1.0)
