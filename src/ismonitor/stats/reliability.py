"""Reliability of multi-item scales: reverse scoring, Cronbach's alpha, McDonald's omega."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pingouin as pg
from scipy.optimize import least_squares

from ._validate import as_list, check_columns, check_frame, check_range, numeric_frame

__all__ = ["alpha", "item_stats", "reverse_score", "scale_scores"]

Missing = Literal["pairwise", "listwise"]

# psych::fa bounds every uniqueness below by 0.005 (optim(..., lower = 0.005)); we bound the
# loadings to match, so that a Heywood case ends where psych's does.
_MIN_UNIQUENESS = 0.005


def reverse_score(df: pd.DataFrame, items: str | Iterable[str], min: float, max: float):
    """Score reverse-keyed items the other way round: ``min + max - x``.

    Parameters
    ----------
    df : pandas.DataFrame
        Answers, one row per respondent (organisation).
    items : str or sequence of str
        The reverse-keyed items (columns of ``df``).
    min, max : float
        The lowest and highest answer on the scale, e.g. 1 and 6 for a six-point Likert
        scale. Not taken from the data: an item nobody answered with 6 is still reversed
        around 1 + 6.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the same columns, in the same order; the columns in ``items``
        are replaced by ``min + max - x`` (as float). Missing answers stay missing.

    Raises
    ------
    ValueError
        If an item is not a column of ``df``, is not numeric, or holds a value outside
        ``[min, max]`` (the message names the column and the value).

    Notes
    -----
    The reversed score of an answer :math:`x` on a scale from :math:`a` to :math:`b` is
    :math:`a + b - x`, so that 1 becomes 6 and 6 becomes 1 on a 1-6 scale. ``psych::alpha``
    reverses with the *observed* minimum and maximum of all items instead; the two agree
    when some answer in the data is ``min`` and some is ``max``.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
       Personality Research (R package). Northwestern University, Evanston, Illinois.
       https://CRAN.R-project.org/package=psych

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import reverse_score
    >>> df = pd.DataFrame({"eng1": [1, 6, 4], "eng3": [6, 1, None]})
    >>> reverse_score(df, ["eng3"], min=1, max=6)["eng3"].tolist()
    [1.0, 6.0, nan]
    """
    check_frame(df)
    items = as_list(items)
    check_columns(df, items)
    _check_scale(min, max)
    reversed_items = numeric_frame(df, items)
    check_range(reversed_items, min, max)
    out = df.copy()
    for item in items:
        out[item] = min + max - reversed_items[item]
    return out


def alpha(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    reverse: str | Iterable[str] = (),
    min: float | None = None,
    max: float | None = None,
    missing: Missing = "pairwise",
) -> pd.DataFrame:
    """Cronbach's alpha, standardized alpha and McDonald's omega total of one scale.

    Parameters
    ----------
    data : pandas.DataFrame
        Answers, one row per respondent (organisation), one column per item.
    items : sequence of str, optional
        The items of the scale; by default every column of ``data``. At least two.
    reverse : str or sequence of str, optional
        Reverse-keyed items, scored ``min + max - x`` before anything else.
    min, max : float, optional
        The lowest and highest answer on the scale. Required when ``reverse`` is given;
        when given, every answer must lie in ``[min, max]``.
    missing : {"pairwise", "listwise"}, default "pairwise"
        ``"pairwise"``: every covariance and correlation from the rows that answered both
        items, as ``psych::alpha(use = "pairwise")`` does. ``"listwise"``: only rows that
        answered every item.

    Returns
    -------
    pandas.DataFrame
        One row, with columns:

        * ``n``: rows used; for ``"pairwise"`` the rows with at least one answer, for
          ``"listwise"`` the rows with every item answered.
        * ``k``: number of items.
        * ``alpha``: raw Cronbach's alpha, from the covariance matrix
          (``psych::alpha(...)$total$raw_alpha``).
        * ``alpha_std``: standardized alpha, from the correlation matrix
          (``$total$std.alpha``).
        * ``omega_total``: McDonald's omega total from a one-factor minres solution
          (``psych::omega(x, nfactors = 1)$omega.tot``); NaN for two items, where one
          factor is not identified.
        * ``mean``: mean of the scale score (the mean of a row's answered items).
        * ``sd``: standard deviation (n - 1) of that scale score.

    Raises
    ------
    ValueError
        For an unknown or non-numeric column, an answer outside ``[min, max]``, fewer than
        two items, ``reverse`` without ``min`` and ``max``, an item without variance or a
        pair of items that no two rows answered together.

    Warns
    -----
    UserWarning
        When an item loads negatively on the factor (a reverse-keyed item not listed in
        ``reverse``?) or the factor solution hits the bound on a uniqueness (Heywood case).

    See Also
    --------
    item_stats : the same scale item by item.
    scale_scores : the scale score of every row.

    Notes
    -----
    With :math:`C` the :math:`k \\times k` covariance matrix of the items and :math:`R` the
    correlation matrix,

    .. math::

        \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\sum_{ij} C_{ij}}
        \\right), \\qquad
        \\alpha_{std} = \\frac{k}{k-1}\\left(1 - \\frac{k}{\\sum_{ij} R_{ij}}\\right).

    ``alpha`` is :func:`pingouin.cronbach_alpha`. As in ``psych::alpha``, :math:`R` for
    ``alpha_std`` is ``cov2cor(C)``: with pairwise deletion a variance comes from every
    row that answered the item and a covariance from the rows that answered both.

    Omega total [3]_ follows ``psych::omega`` with one factor: fit one factor to the
    correlation matrix (``cor(x, use = "pairwise")``) by minimum residual (minres, i.e.
    unweighted least squares: the loadings :math:`\\lambda` minimise
    :math:`\\sum_{i<j} (R_{ij} - \\lambda_i \\lambda_j)^2`, each
    :math:`\\lambda_i^2 \\le 0.995` as psych bounds the uniquenesses at 0.005), then

    .. math::

        \\omega_t = \\frac{\\sum_{ij} R_{ij} - \\sum_i (1 - \\lambda_i^2)}{\\sum_{ij} R_{ij}}.

    We solve the least-squares problem to convergence (:func:`scipy.optimize.least_squares`);
    psych stops its L-BFGS-B search at optim's default tolerance, so its value differs
    from ours in about the 8th decimal (``tests/stats/reference.R`` shows both). Items
    with a negative loading are flipped in :math:`R` first, as ``psych::omega`` does.
    In a Heywood case (a loading would need to exceed 1; a warning says so) the two
    differ: we keep :math:`\\lambda_i^2 = 0.995`, psych takes its loadings from an
    eigen-decomposition at the bound, reports a loading above 1, and its value depends
    on where its optimiser stops. Omega from a model that does not fit should not be
    reported.

    The scale score is the mean of the answered items of a row (``rowMeans(x, na.rm =
    TRUE)`` as in psych); ``mean`` and ``sd`` are over the ``n`` rows. Use
    :func:`scale_scores` for scores that require a minimum number of answers.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
       Psychometrika, 16(3), 297-334. https://doi.org/10.1007/BF02310555
    .. [2] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
       Personality Research (R package). Northwestern University, Evanston, Illinois.
       https://CRAN.R-project.org/package=psych
    .. [3] McDonald, R. P. (1999). Test theory: A unified treatment. Mahwah, NJ: Lawrence
       Erlbaum Associates.
    .. [4] Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and the
       glb: Comments on Sijtsma. Psychometrika, 74(1), 145-154.
       https://doi.org/10.1007/s11336-008-9102-z

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import alpha
    >>> df = pd.DataFrame({
    ...     "eng1": [5, 4, 2, 6, 3, 4, None, 2, 5, 3],
    ...     "eng2": [4, 5, 1, 5, 3, 3, 2, 3, 4, 4],
    ...     "eng3": [3, 3, 5, 1, 4, None, 5, 4, 2, 3],
    ...     "eng4": [6, 4, 2, 4, 2, 5, 3, 1, 4, 4],
    ... })
    >>> result = alpha(df, reverse=["eng3"], min=1, max=6)
    >>> result[["n", "k", "alpha", "alpha_std", "omega_total"]].round(3).to_dict("records")
    [{'n': 10, 'k': 4, 'alpha': 0.914, 'alpha_std': 0.918, 'omega_total': 0.919}]
    """
    x, _ = _prepare(data, items, reverse, min, max, missing)
    cov = _covariance(x)
    k = x.shape[1]
    raw, _ = pg.cronbach_alpha(x, nan_policy="pairwise")
    scores = x.mean(axis=1, skipna=True).dropna()
    return pd.DataFrame(
        {
            "n": [len(scores)],
            "k": [k],
            "alpha": [float(raw)],
            "alpha_std": [_alpha_std(cov)],
            "omega_total": [_omega_total(x)],
            "mean": [float(scores.mean())],
            "sd": [float(scores.std(ddof=1))],
        }
    )


def item_stats(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    reverse: str | Iterable[str] = (),
    min: float | None = None,
    max: float | None = None,
    missing: Missing = "pairwise",
) -> pd.DataFrame:
    """Item analysis of one scale: each item's statistics and alpha without it.

    Parameters
    ----------
    data, items, reverse, min, max, missing
        As for :func:`alpha`.

    Returns
    -------
    pandas.DataFrame
        One row per item, in the order of ``items``, with columns:

        * ``item``: the item (column name).
        * ``n``: rows that answered the item (``"listwise"``: the complete rows).
        * ``mean``: mean of the item, after reversing.
        * ``sd``: standard deviation (n - 1) of the item.
        * ``r_drop``: corrected item-total correlation, the item against the sum of the
          other items (``psych::alpha(...)$item.stats$r.drop``).
        * ``alpha_if_deleted``: raw alpha of the scale without the item
          (``$alpha.drop$raw_alpha``); NaN for a two-item scale.
        * ``reversed``: whether the item was reverse-scored.

    Raises
    ------
    ValueError
        As for :func:`alpha`.

    See Also
    --------
    alpha : the scale as a whole.

    Notes
    -----
    As in ``psych::alpha``, ``r_drop`` comes from the covariance matrix :math:`C` of the
    items (pairwise or listwise as ``missing`` says):

    .. math::

        r_{drop,i} = \\frac{\\sum_{j \\ne i} C_{ij}}
        {\\sqrt{C_{ii} \\sum_{j \\ne i}\\sum_{l \\ne i} C_{jl}}}.

    ``alpha_if_deleted`` is :func:`pingouin.cronbach_alpha` on the other items. With
    pairwise deletion that equals alpha of :math:`C` without row and column :math:`i`;
    with listwise deletion the rows stay those complete on all items, as with
    ``psych::alpha(na.omit(x))``.

    References
    ----------
    .. [1] Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and
       Personality Research (R package). Northwestern University, Evanston, Illinois.
       https://CRAN.R-project.org/package=psych
    .. [2] Nunnally, J. C., & Bernstein, I. H. (1994). Psychometric theory (3rd ed.).
       New York: McGraw-Hill.

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import item_stats
    >>> df = pd.DataFrame({
    ...     "eng1": [5, 4, 2, 6, 3, 4, None, 2, 5, 3],
    ...     "eng2": [4, 5, 1, 5, 3, 3, 2, 3, 4, 4],
    ...     "eng3": [3, 3, 5, 1, 4, None, 5, 4, 2, 3],
    ...     "eng4": [6, 4, 2, 4, 2, 5, 3, 1, 4, 4],
    ... })
    >>> stats = item_stats(df, reverse=["eng3"], min=1, max=6)
    >>> stats[["item", "n", "r_drop", "alpha_if_deleted"]].round(3)
       item   n  r_drop  alpha_if_deleted
    0  eng1   9   0.913             0.849
    1  eng2  10   0.781             0.897
    2  eng3   9   0.890             0.859
    3  eng4  10   0.660             0.943
    """
    x, reversed_items = _prepare(data, items, reverse, min, max, missing)
    cov = _covariance(x)
    c = cov.to_numpy()
    k = x.shape[1]
    rows = []
    for i, item in enumerate(x.columns):
        others = [j for j in range(k) if j != i]
        r_drop = c[i, others].sum() / math.sqrt(c[i, i] * c[np.ix_(others, others)].sum())
        if k > 2:
            dropped, _ = pg.cronbach_alpha(x.drop(columns=item), nan_policy="pairwise")
            alpha_if_deleted = float(dropped)
        else:
            alpha_if_deleted = math.nan
        values = x[item].dropna()
        rows.append(
            {
                "item": item,
                "n": len(values),
                "mean": float(values.mean()),
                "sd": float(values.std(ddof=1)),
                "r_drop": float(r_drop),
                "alpha_if_deleted": alpha_if_deleted,
                "reversed": item in reversed_items,
            }
        )
    return pd.DataFrame(rows)


def scale_scores(
    df: pd.DataFrame,
    items: Sequence[str],
    reverse: str | Iterable[str] = (),
    min: float | None = None,
    max: float | None = None,
    min_answered: int | None = None,
) -> pd.DataFrame:
    """The scale score of every row: the mean of its answered (reversed) items.

    Parameters
    ----------
    df : pandas.DataFrame
        Answers, one row per respondent (organisation).
    items : sequence of str
        The items of the scale.
    reverse : str or sequence of str, optional
        Reverse-keyed items, scored ``min + max - x`` first.
    min, max : float, optional
        The lowest and highest answer on the scale; required with ``reverse``.
    min_answered : int, optional
        The fewest answered items for a score. Default: half the items, rounded up
        (3 of 5, 2 of 4, 2 of 3), a common rule for mean scores of Likert scales.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``df``, with columns:

        * ``score``: mean of the answered items; NaN when fewer than ``min_answered``
          items were answered.
        * ``answered``: number of the items the row answered.

    Raises
    ------
    ValueError
        For an unknown or non-numeric column, an answer outside ``[min, max]``,
        ``reverse`` without ``min`` and ``max``, or ``min_answered`` outside 1 to the
        number of items.

    Notes
    -----
    :math:`\\text{score} = \\frac{1}{m}\\sum_{i \\in A} x_i` over the set :math:`A` of
    :math:`m = |A|` answered items, when :math:`m \\ge` ``min_answered``. Taking the mean
    rather than the sum keeps the score on the answer scale whatever the number of missing
    answers (person-mean imputation). With ``min_answered=1`` the score is psych's
    ``rowMeans(x, na.rm = TRUE)``, which :func:`alpha` uses for its ``mean`` and ``sd``.

    References
    ----------
    .. [1] Schafer, J. L., & Graham, J. W. (2002). Missing data: Our view of the state of
       the art. Psychological Methods, 7(2), 147-177.
       https://doi.org/10.1037/1082-989X.7.2.147
    .. [2] Newman, D. A. (2014). Missing data: Five practical guidelines. Organizational
       Research Methods, 17(4), 372-411. https://doi.org/10.1177/1094428114548590

    Examples
    --------
    >>> import pandas as pd
    >>> from ismonitor.stats import scale_scores
    >>> df = pd.DataFrame({"eng1": [5, 4, None], "eng2": [4, None, None],
    ...                    "eng3": [1, 3, 6]})
    >>> scale_scores(df, ["eng1", "eng2", "eng3"], reverse=["eng3"], min=1, max=6)
       score  answered
    0    5.0         3
    1    4.0         2
    2    NaN         1
    """
    check_frame(df)
    items = as_list(items)
    if not items:
        raise ValueError("a scale needs at least one item")
    x, _ = _prepare(df, items, reverse, min, max, missing=None, min_items=1)
    if min_answered is None:
        min_answered = math.ceil(len(items) / 2)
    if not 1 <= min_answered <= len(items):
        raise ValueError(f"min_answered must be between 1 and {len(items)}, not {min_answered}")
    answered = x.notna().sum(axis=1)
    score = x.mean(axis=1, skipna=True).where(answered >= min_answered)
    return pd.DataFrame({"score": score, "answered": answered}, index=df.index)


def _check_scale(low: float | None, high: float | None) -> None:
    if low is None or high is None:
        raise ValueError("reverse-scoring needs both min and max of the answer scale")
    if not low < high:
        raise ValueError(f"min must be below max, not min={low!r}, max={high!r}")


def _prepare(
    data: pd.DataFrame,
    items: Sequence[str] | None,
    reverse: str | Iterable[str],
    low: float | None,
    high: float | None,
    missing: str | None,
    min_items: int = 2,
) -> tuple[pd.DataFrame, set[str]]:
    """The items as floats, reversed; rows dropped as ``missing`` says (None: keep all)."""
    check_frame(data)
    items = list(data.columns) if items is None else as_list(items)
    reverse = as_list(reverse)
    if missing not in ("pairwise", "listwise", None):
        raise ValueError(f'missing must be "pairwise" or "listwise", not {missing!r}')
    if len(items) < min_items:
        raise ValueError(f"a scale needs at least {min_items} items, got {len(items)}")
    check_columns(data, items)
    for item in reverse:
        if item not in items:
            raise ValueError(f"reverse-keyed item {item!r} is not one of the items")
    x = numeric_frame(data, items)
    if reverse:
        _check_scale(low, high)
    if low is not None and high is not None:
        check_range(x, low, high)
    for item in reverse:
        x[item] = low + high - x[item]
    if missing == "listwise":
        x = x.dropna(how="any")
    elif missing == "pairwise":
        x = x.dropna(how="all")
    return x, set(reverse)


def _covariance(x: pd.DataFrame) -> pd.DataFrame:
    """Pairwise covariance matrix (R's ``cov(x, use = "pairwise")``), checked."""
    if len(x) < 2:
        raise ValueError(f"a scale needs at least 2 rows with answers, got {len(x)}")
    cov = x.cov()
    for item in x.columns:
        if not cov.loc[item, item] > 0:
            raise ValueError(f"item {item!r} has no variance")
    gaps = cov.isna().to_numpy()
    if gaps.any():
        i, j = np.argwhere(gaps)[0]
        raise ValueError(
            f"items {x.columns[i]!r} and {x.columns[j]!r} were answered together by fewer "
            "than 2 rows"
        )
    return cov


def _alpha_std(cov: pd.DataFrame) -> float:
    c = cov.to_numpy()
    sd = np.sqrt(np.diag(c))
    r = c / np.outer(sd, sd)  # cov2cor, as psych::alpha
    k = r.shape[0]
    return float(k / (k - 1) * (1 - k / r.sum()))


def _omega_total(x: pd.DataFrame) -> float:
    k = x.shape[1]
    if k < 3:
        return math.nan
    r = x.corr().to_numpy()  # cor(x, use = "pairwise"), as psych::omega
    loadings = _minres_one_factor(r)
    negative = [item for item, value in zip(x.columns, loadings, strict=True) if value < 0]
    if negative:
        warnings.warn(
            f"items {negative} load negatively on the factor; omega_total treats them as "
            "reversed (as psych::omega does), alpha does not. Should they be in reverse?",
            UserWarning,
            stacklevel=3,
        )
    key = np.where(loadings < 0, -1.0, 1.0)
    r = r * np.outer(key, key)
    total = r.sum()
    uniqueness = 1 - loadings**2
    return float((total - uniqueness.sum()) / total)


def _minres_one_factor(r: np.ndarray) -> np.ndarray:
    """Loadings of one factor minimising the squared off-diagonal residuals of ``r``."""
    k = r.shape[0]
    rows, cols = np.tril_indices(k, -1)
    target = r[rows, cols]

    def residuals(loadings: np.ndarray) -> np.ndarray:
        return loadings[rows] * loadings[cols] - target

    def jacobian(loadings: np.ndarray) -> np.ndarray:
        jac = np.zeros((len(target), k))
        pairs = np.arange(len(target))
        jac[pairs, rows] = loadings[cols]
        jac[pairs, cols] = loadings[rows]
        return jac

    bound = math.sqrt(1 - _MIN_UNIQUENESS)
    # psych starts from the squared multiple correlations; so do we (a start only).
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    start = np.sqrt(np.clip(smc, 0.05, 0.9))
    # Signs: start from the first principal axis so that negatively keyed items start
    # negative (the least-squares problem is symmetric in a global sign change only).
    _, vectors = np.linalg.eigh(r)
    first = vectors[:, -1] * np.sign(vectors[:, -1].sum() or 1.0)
    start = start * np.where(first < 0, -1.0, 1.0)
    fit = least_squares(
        residuals,
        start,
        jac=jacobian,
        bounds=(-bound, bound),
        method="trf",
        xtol=1e-15,
        ftol=1e-15,
        gtol=1e-15,
        max_nfev=10_000,
    )
    loadings = fit.x
    if loadings.sum() < 0:
        loadings = -loadings
    if np.any(np.abs(loadings) >= bound - 1e-9):
        warnings.warn(
            "the one-factor solution reached the bound on a uniqueness (Heywood case): "
            "the one-factor model does not fit; omega_total is not comparable with "
            "psych's, which reports a loading above 1 here",
            UserWarning,
            stacklevel=4,
        )
    return loadings
