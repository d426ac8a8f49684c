"""Statistics against hand-computed values."""

import math

import numpy as np
import pytest

from heatscope.stats.slice_stats import (
    argmax_along,
    basic_stats,
    gini,
    load_stats,
    mean_load_stats,
    normalized_entropy,
    rows_load_stats,
    top_k,
)


def test_balanced_row_has_no_violation():
    s = load_stats(np.array([1.0, 1.0, 1.0, 1.0]))
    assert s.max_vio == 0.0
    assert s.gini == 0.0
    assert s.entropy == pytest.approx(1.0)
    assert s.cv == 0.0
    assert s.dead == 0


def test_one_hot_row():
    s = load_stats(np.array([4.0, 0.0, 0.0, 0.0]))
    assert s.max_vio == pytest.approx(3.0)
    assert s.gini == pytest.approx(0.75)  # sum|ci-cj| = 24, / (2 * 16 * 1)
    assert s.entropy == 0.0
    assert s.cv == pytest.approx(math.sqrt(3.0))  # std 1.732 / mean 1
    assert s.dead == 3


def test_metrics_are_scale_invariant_counts_vs_relative_load():
    counts = np.array([120, 40, 0, 40], dtype=float)
    rel = counts * 4 / counts.sum()
    a, b = load_stats(counts), load_stats(rel)
    assert a.max_vio == pytest.approx(b.max_vio)
    assert a.max_vio == pytest.approx(1.4)  # 120 / mean 50 - 1
    assert a.gini == pytest.approx(b.gini)
    assert a.entropy == pytest.approx(b.entropy)
    assert a.dead == b.dead == 1


def test_gini_matches_pairwise_definition():
    x = np.array([3.0, 1.0, 7.0, 0.5, 2.0])
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(x) == pytest.approx(pairwise)


def test_entropy_of_two_of_four():
    # p = [.5, .5, 0, 0]: H = ln 2, / ln 4 = 0.5
    assert normalized_entropy(np.array([2.0, 2.0, 0.0, 0.0])) == pytest.approx(0.5)


def test_dead_threshold():
    row = np.array([0.05, 0.09, 0.5, 3.36])  # mean 1
    assert load_stats(row).dead == 2
    assert load_stats(row, dead_threshold=0.6).dead == 3


def test_nan_and_inf_are_ignored_and_counted():
    a = np.array([[1.0, np.nan, 3.0], [np.inf, 5.0, -1.0]])
    missing = np.array([[False, False, False], [False, False, False]])
    s = basic_stats(a, missing)
    assert (s.count, s.n_nan, s.n_inf, s.n_missing) == (4, 1, 1, 0)
    assert (s.min, s.max) == (-1.0, 5.0)
    assert s.mean == pytest.approx(2.0)
    assert s.std == pytest.approx(np.std([1.0, 3.0, 5.0, -1.0]))
    assert load_stats(np.array([1.0, np.nan, 3.0])).max_vio == pytest.approx(0.5)


def test_fill_values_counted_apart_from_nan():
    a = np.array([1.0, np.nan, np.nan])
    s = basic_stats(a, np.array([False, True, False]))
    assert (s.n_nan, s.n_missing, s.count) == (1, 1, 1)


def test_all_nan_slice_gives_nan_stats_not_errors():
    s = basic_stats(np.full((2, 2), np.nan))
    assert s.count == 0 and math.isnan(s.mean)
    ls = load_stats(np.full(4, np.nan))
    assert math.isnan(ls.max_vio) and ls.dead == 0
    assert top_k(np.full((2, 2), np.nan)) == []


def test_zero_tokens_row_is_nan_not_division_error():
    s = load_stats(np.zeros(8))
    assert math.isnan(s.max_vio) and math.isnan(s.gini)


def test_top_k_with_positions():
    a = np.array([[0.5, 9.0, 1.0], [7.0, np.nan, 8.0]])
    cells = top_k(a, 3)
    assert [(c.value, c.row, c.col) for c in cells] == [(9.0, 0, 1), (8.0, 1, 2), (7.0, 1, 0)]


def test_rows_and_mean_load_stats():
    a = np.array([[1.0, 1.0, 1.0, 1.0], [4.0, 0.0, 0.0, 0.0]])
    rows = rows_load_stats(a)
    assert [r.max_vio for r in rows] == [0.0, 3.0]
    cols = rows_load_stats(a, axis=0)
    assert len(cols) == 4
    m = mean_load_stats(rows)
    assert m.max_vio == pytest.approx(1.5)
    assert m.dead == 1.5  # a mean over rows, as the panel's "Balance (mean of rows)" says


def test_argmax_along_rows_ignores_nan():
    a = np.array([[0.1, np.nan, 0.3], [np.nan, np.nan, np.nan]])
    assert argmax_along(a).tolist() == [2, -1]


def test_extreme_values_do_not_warn(recwarn):
    s = basic_stats(np.array([1e300, -1e300, 1e308]))
    assert s.count == 3 and s.max == 1e308
    load_stats(np.array([1e308, 1e308, 1.0]))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
