"""Statistics for the benchmark study: reliability, correlation, comparisons and rankings.

Every function takes a pandas DataFrame (or two samples) and returns a DataFrame whose
columns its docstring lists; ``tests/stats/reference.R`` holds the R calls that the tests
compare them with.
"""

from .compare import compare_means, compare_proportions
from .correlation import correlate, partial_correlate, usage_outcome_table
from .rankings import friedman, rank_summary
from .reliability import alpha, item_stats, reverse_score, scale_scores

__all__ = [
    "alpha",
    "compare_means",
    "compare_proportions",
    "correlate",
    "friedman",
    "item_stats",
    "partial_correlate",
    "rank_summary",
    "reverse_score",
    "scale_scores",
    "usage_outcome_table",
]
