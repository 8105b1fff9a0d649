"""Correlations between usage and outcome measures, with confidence intervals and p-values."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ._validate import as_list, check_columns, check_frame, numeric_frame, numeric_series

__all__ = ["correlate", "partial_correlate", "usage_outcome_table"]

Method = Literal["pearson", "spearman"]
Adjust = Literal["holm", "bonferroni", "fdr_bh", "none"]

_METHODS = ("pearson", "spearman")
_ADJUSTS = ("holm", "bonferroni", "fdr_bh", "none")
_COLUMNS = ["n", "r", "ci_low", "ci_high", "p"]


def correlate(
    data: pd.DataFrame,
    vars: Sequence[str],
    method: Method = "pearson",
    adjust: Adjust = "holm",
    covar: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Correlation of every pair of variables, with 95% CI and adjusted p-values.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per organisation.
    vars : sequence of str
        The variables; at least two. Every pair is reported once.
    method : {"pearson", "spearman"}, default "pearson"
        Pearson's r, or Spearman's rho (Pearson's r of the ranks, ties given their mean
        rank).
    adjust : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
        Correction of the p-values for multiple testing, over all pairs in the table:
        Holm, Bonferroni, Benjamini-Hochberg (false discovery rate) or none.
    covar : str or sequence of str, optional
        Covariates: when given, every r is a partial correlation controlling for them
        (see :func:`partial_correlate`, whose rules for categorical covariates apply).

    Returns
    -------
    pandas.DataFrame
        One row per pair, the upper triangle in the order of ``vars`` (``vars[0]`` with
        ``vars[1]``, ``vars[0]`` with ``vars[2]``, ..., ``vars[1]`` with ``vars[2]``, ...),
        with columns:

        * ``x``: the first variable of the pair.
        * ``y``: the second variable of the pair.
        * ``n``: rows with both values (and every covariate) present.
        * ``r``: the correlation (partial correlation with ``covar``).
        * ``ci_low``: lower bound of the 95% confidence interval of ``r``.
        * ``ci_high``: upper bound of the 95% confidence interval of ``r``.
        * ``p``: two-sided p-value of ``r``, unadjusted.
        * ``p_adj``: ``p`` adjusted over all pairs of the table with ``adjust``.

    Raises
    ------
    ValueError
        For an unknown or non-numeric column (naming the column and the value), fewer than
        two variables, a variable given twice, or an unknown ``method`` or ``adjust``.

    See Also
    --------
    usage_outcome_table : every usage measure against every outcome measure.
    partial_correlate : one partial correlation.

    Notes
    -----
    Missing data are deleted pairwise: each pair uses the rows where both values are
    present, so ``n`` differs between pairs (R's ``cor(use = "pairwise")``). With
    ``covar``, each pair uses the rows complete on the pair and the covariates.

    Identical to ``psych::corr.test(x, method = method, adjust = adjust)``: with
    :math:`n` the pairwise sample size, the test statistic is
    :math:`t = r\\sqrt{n-2}/\\sqrt{1-r^2}` with :math:`n - 2` degrees of freedom (for
    Spearman too); the confidence interval is
    :math:`\\tanh(\\operatorname{arctanh}(r) \\pm z_{0.975}/\\sqrt{n-3})` (Fisher's z).
    r and p come from :func:`scipy.stats.pearsonr` / :func:`scipy.stats.spearmanr`, the
    interval from :func:`pingouin.compute_esci` and the adjustment from
    :func:`statsmodels.stats.multitest.multipletests` (``fdr_bh`` is R's ``"BH"``).
    ``corr.test(x)$p`` holds the adjusted p above the diagonal and the raw p below it.

    A pair with fewer than 3 rows, or in which one variable is constant, gets NaN for
    ``r`` and the statistics after it and is left out of the adjustment; the interval
    needs at least 4 rows. These are correlations: they do not show causality.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
       Personality Research (R package). Northwestern University, Evanston, Illinois.
       https://CRAN.R-project.org/package=psych
    .. [2] Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation
       deduced from a small sample. Metron, 1, 3-32.
    .. [3] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics, 6(2), 65-70.
    .. [4] Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: A
       practical and powerful approach to multiple testing. Journal of the Royal
       Statistical Society: Series B, 57(1), 289-300.
       https://doi.org/10.1111/j.2517-6161.1995.tb02031.x

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import correlate
    >>> df = pd.DataFrame({
    ...     "active_share": [10, 25, 30, 45, 20, 35, None, 50],
    ...     "passive_share": [40, 55, 50, 70, 45, 60, 65, 80],
    ...     "alignment": [3.1, 3.4, 3.9, 4.4, 3.0, 4.1, 3.8, None],
    ... })
    >>> table = correlate(df, ["active_share", "passive_share", "alignment"])
    >>> table[["x", "y", "n"]].to_dict("records")[0]
    {'x': 'active_share', 'y': 'passive_share', 'n': 7}
    """
    check_frame(data)
    vars = as_list(vars)
    if len(vars) < 2:
        raise ValueError(f"correlate needs at least 2 variables, got {len(vars)}")
    pairs = [(vars[i], vars[j]) for i in range(len(vars)) for j in range(i + 1, len(vars))]
    return _table(data, vars, pairs, method, adjust, covar, names=("x", "y"))


def usage_outcome_table(
    data: pd.DataFrame,
    usage_vars: Sequence[str],
    outcome_vars: Sequence[str],
    method: Method = "pearson",
    adjust: Adjust = "holm",
) -> pd.DataFrame:
    """Every usage measure correlated with every outcome measure.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per organisation.
    usage_vars : sequence of str
        Usage measures, e.g. ``active_share``, ``passive_share`` and how often people post.
    outcome_vars : sequence of str
        Outcome measures, e.g. ``alignment``, ``engagement`` (betrokkenheid),
        ``efficiency``, ``satisfaction`` (communicatietevredenheid).
    method : {"pearson", "spearman"}, default "pearson"
        As for :func:`correlate`.
    adjust : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
        Correction for multiple testing over the whole table (all usage x outcome pairs).

    Returns
    -------
    pandas.DataFrame
        One row per usage x outcome pair (usage measures in the outer loop, outcomes in
        the inner), with columns:

        * ``usage``: the usage measure.
        * ``outcome``: the outcome measure.
        * ``n``: rows with both values present.
        * ``r``: the correlation.
        * ``ci_low``: lower bound of the 95% confidence interval of ``r``.
        * ``ci_high``: upper bound of the 95% confidence interval of ``r``.
        * ``p``: two-sided p-value, unadjusted.
        * ``p_adj``: ``p`` adjusted over the whole table with ``adjust``.

    Raises
    ------
    ValueError
        As for :func:`correlate`, and when a variable is both a usage and an outcome
        measure.

    See Also
    --------
    correlate : all pairs among one list of variables.

    Notes
    -----
    Pairs within the usage measures or within the outcome measures are not tested, so
    the adjustment counts only the ``len(usage_vars) * len(outcome_vars)`` pairs of the
    table: ``psych::corr.test(x = usage, y = outcome, adjust = adjust)$p.adj``. Everything
    else (pairwise deletion, t-test with n - 2 df, Fisher-z interval) is as in
    :func:`correlate`. The study reports these relations as correlations: no causality.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
       Personality Research (R package). Northwestern University, Evanston, Illinois.
       https://CRAN.R-project.org/package=psych
    .. [2] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics, 6(2), 65-70.

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import usage_outcome_table
    >>> df = pd.DataFrame({
    ...     "active_share": [10, 25, 30, 45, 20, 35, 15, 50],
    ...     "passive_share": [40, 55, 50, 70, 45, 60, 65, 80],
    ...     "alignment": [3.1, 3.4, 3.9, 4.4, 3.0, 4.1, 3.8, 4.6],
    ...     "engagement": [3.5, 3.2, 4.0, 4.1, 3.9, 3.6, 3.3, 4.4],
    ... })
    >>> table = usage_outcome_table(df, ["active_share", "passive_share"],
    ...                             ["alignment", "engagement"])
    >>> list(zip(table["usage"], table["outcome"]))  # doctest: +NORMALIZE_WHITESPACE
    [('active_share', 'alignment'), ('active_share', 'engagement'),
     ('passive_share', 'alignment'), ('passive_share', 'engagement')]
    """
    check_frame(data)
    usage_vars = as_list(usage_vars)
    outcome_vars = as_list(outcome_vars)
    if not usage_vars or not outcome_vars:
        raise ValueError("usage_outcome_table needs at least one usage and one outcome variable")
    both = [v for v in usage_vars if v in outcome_vars]
    if both:
        raise ValueError(f"variable {both[0]!r} is both a usage and an outcome variable")
    pairs = [(u, o) for u in usage_vars for o in outcome_vars]
    return _table(
        data, usage_vars + outcome_vars, pairs, method, adjust, None, names=("usage", "outcome")
    )


def partial_correlate(
    data: pd.DataFrame,
    x: str,
    y: str,
    covar: str | Iterable[str],
    method: Method = "pearson",
) -> pd.DataFrame:
    """Partial correlation of ``x`` and ``y`` controlling for covariates.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per organisation.
    x, y : str
        The two variables (numeric columns).
    covar : str or sequence of str
        One or more covariates. A numeric column enters as it is. A text, categorical or
        object column (e.g. ``size_class``) enters as dummy variables: one 0/1 column per
        category except the first in sorted order, as R's ``lm`` codes a factor. A
        numeric code that stands for categories must be made categorical first
        (``df["size"].astype("category")``). A boolean column enters as one 0/1 column.
    method : {"pearson", "spearman"}, default "pearson"
        Pearson, or Spearman: every variable (dummies included) is ranked first.

    Returns
    -------
    pandas.DataFrame
        One row, with columns:

        * ``x``: the first variable.
        * ``y``: the second variable.
        * ``covar``: the covariates as given, joined with ``", "``.
        * ``k``: number of covariate columns after dummy coding.
        * ``n``: rows complete on ``x``, ``y`` and every covariate.
        * ``r``: the partial correlation.
        * ``ci_low``: lower bound of the 95% confidence interval of ``r``.
        * ``ci_high``: upper bound of the 95% confidence interval of ``r``.
        * ``p``: two-sided p-value.

    Raises
    ------
    ValueError
        For an unknown column, a non-numeric ``x`` or ``y`` (naming the column and the
        value), ``x`` or ``y`` among the covariates, no covariate, fewer than ``k + 3``
        complete rows, or an unknown ``method``.

    See Also
    --------
    correlate : with ``covar``, the partial correlation of every pair.

    Notes
    -----
    Missing data are deleted listwise over ``x``, ``y`` and the covariates. The partial
    correlation is the correlation of the residuals of ``x`` and of ``y`` after linear
    regression on the :math:`k` covariate columns; :func:`pingouin.partial_corr` computes
    it from the inverse covariance matrix, with the p-value from
    :math:`t = r\\sqrt{n-2-k}/\\sqrt{1-r^2}` on :math:`n - 2 - k` degrees of freedom, as
    ``ppcor::pcor.test`` and ``psych::corr.p(r, n - k)`` do. (``cor.test`` on the
    residuals would use :math:`n - 2` df and overstate the evidence.) The 95% interval is
    :math:`\\tanh(\\operatorname{arctanh}(r) \\pm z_{0.975}/\\sqrt{n-3-k})`, from
    :func:`pingouin.compute_esci` with :math:`n - k` observations.

    References
    ----------
    .. [1] Kim, S. (2015). ppcor: An R package for a fast calculation to semi-partial
       correlation coefficients. Communications for Statistical Applications and Methods,
       22(6), 665-674. https://doi.org/10.5351/CSAM.2015.22.6.665
    .. [2] Vallat, R. (2018). Pingouin: statistics in Python. Journal of Open Source
       Software, 3(31), 1026. https://doi.org/10.21105/joss.01026
    .. [3] Fisher, R. A. (1924). The distribution of the partial correlation coefficient.
       Metron, 3, 329-332.

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import partial_correlate
    >>> df = pd.DataFrame({
    ...     "active_share": [10, 25, 30, 45, 20, 35, 15, 50, 28, 33],
    ...     "alignment": [3.1, 3.4, 3.9, 4.4, 3.0, 4.1, 3.8, 4.6, 3.2, 3.9],
    ...     "size_class": ["small", "large", "small", "medium", "large",
    ...                    "medium", "small", "large", "medium", "small"],
    ... })
    >>> result = partial_correlate(df, "active_share", "alignment", covar="size_class")
    >>> result[["covar", "k", "n"]].to_dict("records")
    [{'covar': 'size_class', 'k': 2, 'n': 10}]
    """
    check_frame(data)
    method = _check_method(method)
    covar = as_list(covar)
    if not covar:
        raise ValueError("partial_correlate needs at least one covariate")
    for name in (x, y):
        if name in covar:
            raise ValueError(f"{name!r} is both a variable and a covariate")
    check_columns(data, [x, y, *covar])
    row = _partial(data, x, y, covar, method)
    return pd.DataFrame([{"x": x, "y": y, "covar": ", ".join(covar), **row}])


def _table(
    data: pd.DataFrame,
    columns: list[str],
    pairs: list[tuple[str, str]],
    method: str,
    adjust: str,
    covar: str | Iterable[str] | None,
    names: tuple[str, str],
) -> pd.DataFrame:
    method = _check_method(method)
    if adjust not in _ADJUSTS:
        raise ValueError(f"adjust must be one of {', '.join(_ADJUSTS)}; not {adjust!r}")
    covar = as_list(covar)
    check_columns(data, columns)
    check_columns(data, covar)
    values = numeric_frame(data, columns)
    rows = []
    for a, b in pairs:
        if covar:
            if a in covar or b in covar:
                raise ValueError(f"a covariate cannot also be correlated: {a!r}, {b!r}")
            stats_row = _partial(data, a, b, covar, method)
            stats_row = {key: stats_row[key] for key in _COLUMNS}
        else:
            stats_row = _pair(values[a].to_numpy(), values[b].to_numpy(), method)
        rows.append({names[0]: a, names[1]: b, **stats_row})
    table = pd.DataFrame(rows, columns=[*names, *_COLUMNS])
    table["p_adj"] = _adjust(table["p"].to_numpy(), adjust)
    return table


def _check_method(method: str) -> str:
    if method not in _METHODS:
        raise ValueError(f'method must be "pearson" or "spearman", not {method!r}')
    return method


def _pair(a: np.ndarray, b: np.ndarray, method: str) -> dict[str, float]:
    """n, r, 95% CI and p of one pair, from the rows where both are present."""
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    n = int(both.sum())
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return {"n": n, "r": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p": math.nan}
    test = stats.pearsonr(a, b) if method == "pearson" else stats.spearmanr(a, b)
    r, p = float(test.statistic), float(test.pvalue)
    low, high = _fisher_ci(r, n)
    return {"n": n, "r": r, "ci_low": low, "ci_high": high, "p": p}


def _partial(
    data: pd.DataFrame, x: str, y: str, covar: list[str], method: str
) -> dict[str, float | int]:
    if x == y:
        raise ValueError(f"x and y are the same column {x!r}")
    for name in (x, y):
        if name in covar:
            raise ValueError(f"{name!r} is both a variable and a covariate")
    kinds = {name: _covariate_kind(data[name], name) for name in covar}
    frame = pd.DataFrame({x: numeric_series(data[x], x), y: numeric_series(data[y], y)})
    for name in covar:
        frame[name] = data[name]
    frame = frame.dropna(how="any")
    design = frame[[x, y]].copy()
    covar_columns: list[str] = []
    for name in covar:
        for column, values in _covariate_columns(frame[name], name, kinds[name]).items():
            design[column] = values
            covar_columns.append(column)
    n, k = len(design), len(covar_columns)
    if n < k + 3:
        raise ValueError(
            f"partial correlation of {x!r} and {y!r} needs at least {k + 3} complete rows "
            f"for {k} covariate columns, got {n}"
        )
    result = pg.partial_corr(data=design, x=x, y=y, covar=covar_columns, method=method)
    r = float(result["r"].iloc[0])
    p = float(result["p_val"].iloc[0])
    low, high = _fisher_ci(r, n - k)
    return {"k": k, "n": n, "r": r, "ci_low": low, "ci_high": high, "p": p}


def _covariate_kind(values: pd.Series, name: str) -> str:
    """How a covariate enters: "numeric", or "categorical" (as dummies)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    present = values[values.notna()]
    kinds = {_kind(v) for v in present}
    if kinds <= {"bool", "number"}:
        return "numeric"
    if kinds == {"text"}:
        return "categorical"
    text = next((v for v in present if _kind(v) == "text"), None)
    other = next(v for v in present if _kind(v) != "text")
    if text is None:
        raise ValueError(f"covariate {name!r} is neither numeric nor text: it holds {other!r}")
    raise ValueError(f"covariate {name!r} mixes text and numbers: it holds {text!r} and {other!r}")


def _covariate_columns(values: pd.Series, name: str, kind: str) -> dict[str, pd.Series]:
    """A covariate as numeric columns: itself, or dummies for a categorical one."""
    if kind == "numeric":
        return {name: numeric_series(values, name)}
    if isinstance(values.dtype, pd.CategoricalDtype):
        levels = [level for level in values.dtype.categories if (values == level).any()]
    else:
        levels = sorted(values.astype(str).unique())
        values = values.astype(str)
    # The first level is the reference category, as R's lm codes a factor.
    return {f"{name}[{level}]": (values == level).astype(float) for level in levels[1:]}


def _kind(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.number):
        return "number"
    return "text" if isinstance(value, str) else "other"


def _fisher_ci(r: float, n: int) -> tuple[float, float]:
    """95% interval of r by Fisher's z with standard error 1 / sqrt(n - 3)."""
    if n <= 3 or not math.isfinite(r) or abs(r) >= 1:
        return math.nan, math.nan
    # pingouin rounds the interval to `decimals` places (2 by default); keep full precision.
    low, high = pg.compute_esci(stat=r, nx=n, ny=n, eftype="r", decimals=15)
    return float(low), float(high)


def _adjust(p: np.ndarray, adjust: str) -> np.ndarray:
    """p adjusted for multiple testing over the finite entries (NaN stays NaN)."""
    adjusted = np.full_like(p, np.nan, dtype=float)
    finite = np.isfinite(p)
    if adjust == "none":
        adjusted[finite] = p[finite]
    elif finite.any():
        adjusted[finite] = multipletests(p[finite], method=adjust)[1]
    return adjusted
