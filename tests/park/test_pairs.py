"""PairMap against the dense (n, n) matrix it stands for, and the submodels that write it."""

import numpy as np
import pytest

from trustsim.park import trust as trust_mod
from trustsim.park.model import SymbiosisPark
from trustsim.park.pairs import PairMap

N = 7


def _pair(rng, default=0.5):
    """A dense matrix and its PairMap after the same random writes (some repeated)."""
    dense = np.full((N, N), default)
    sparse = PairMap(N, default)
    for _ in range(6):
        keys = rng.integers(0, N * N, size=rng.integers(1, 12))
        values = rng.random(keys.size)
        dense.reshape(-1)[keys] = values
        sparse.flat[keys] = values
    return dense, sparse


def test_reads_and_writes_agree_with_the_dense_matrix():
    rng = np.random.default_rng(1)
    dense, sparse = _pair(rng)
    assert np.array_equal(sparse.dense(), dense) and np.array_equal(np.asarray(sparse), dense)
    assert sparse.keys.size < N * N and np.all(np.diff(sparse.keys) > 0)
    keys = rng.integers(0, N * N, size=(5, 2))
    assert np.array_equal(sparse.flat[keys], dense.reshape(-1)[keys])
    i, j = rng.integers(0, N, 9), rng.integers(0, N, 9)
    assert np.array_equal(sparse[i, j], dense[i, j])
    assert np.array_equal(sparse[np.ix_(i, j)], dense[np.ix_(i, j)])
    assert sparse[2, 3] == dense[2, 3] and np.ndim(sparse[2, 3]) == 0
    for f in range(N):
        assert np.array_equal(sparse[f], dense[f]) and np.array_equal(sparse[:, f], dense[:, f])
    sparse[1, 4] = dense[1, 4] = 0.125
    sparse[[0, 6], [6, 0]] = dense[[0, 6], [6, 0]] = 0.75
    assert np.array_equal(sparse.dense(), dense)


def test_an_empty_map_reads_its_default():
    m = PairMap(3, False, np.bool_)
    assert m.flat[np.array([0, 4, 8])].tolist() == [False] * 3 and m.keys.size == 0
    assert m.row(1).tolist() == [False] * 3 and not m.nonzero_rows().any()


def test_lines_rows_and_reach_agree_with_the_dense_matrix():
    rng = np.random.default_rng(2)
    dense, sparse = _pair(rng, default=0.0)
    dense[dense < 0.5] = 0.0
    sparse = PairMap.from_dense(dense)
    rows = np.array([0, 3, 5])
    assert np.array_equal(sparse.reached(rows), (dense[rows] != 0).any(axis=0))
    assert np.array_equal(sparse.nonzero_rows(), dense.any(axis=1))
    lines = np.array([1, 4])
    sparse.fill_lines(lines)
    assert np.array_equal(sparse.dense(), dense)
    assert sparse.on_lines(lines)[0].sum() == sparse.on_lines(lines)[1].sum() == 2 * N
    sparse.forget_lines(lines)
    dense[lines, :] = dense[:, lines] = 0.0
    assert np.array_equal(sparse.dense(), dense)


def _reset_dense(trust, ties, leaving, params):
    """The dense turnover rule the sparse one replaces (rows, then columns)."""
    m, prior = params["institutional_memory"], params["trust_prior"]
    rows = trust[leaving, :]
    trust[leaving, :] = np.minimum(rows, m * rows + (1.0 - m) * prior)
    cols = trust[:, leaving]
    trust[:, leaving] = np.minimum(cols, m * cols + (1.0 - m) * prior)
    ties[leaving, :] *= m
    ties[:, leaving] *= m


@pytest.mark.parametrize("memory, prior", [(0.2, 0.5), (0.3, 0.423)])
def test_turnover_fades_exactly_as_the_dense_rule(memory, prior):
    # (0.3, 0.423): the prior fades to itself minus one ulp, so unwritten pairs move too
    rng = np.random.default_rng(3)
    trust, ties = np.full((N, N), prior), np.zeros((N, N))
    trust[rng.random((N, N)) < 0.3] = 0.9
    ties[rng.random((N, N)) < 0.3] = 0.5
    sparse_trust, sparse_ties = PairMap.from_dense(trust, prior), PairMap.from_dense(ties)
    params = {"institutional_memory": memory, "trust_prior": prior}
    for leaving in (np.array([2, 5]), np.array([5])):
        _reset_dense(trust, ties, leaving, params)
        trust_mod.reset_manager(sparse_trust, sparse_ties, leaving, params)
        assert np.array_equal(sparse_trust.dense(), trust)
        assert np.array_equal(sparse_ties.dense(), ties)


def test_a_run_stores_only_the_pairs_it_reaches():
    park = SymbiosisPark("region", rng=0, n_facilities=300, region_km=90.0)
    park.run_years(10)
    s, n = park.state, park.fac.n
    assert park.ex.n > 0
    for name in ("trust", "ties", "met", "infra", "corridors", "near"):
        assert getattr(s, name).keys.size < 0.05 * n * n, name
    # every exchange's partners have met, on both sides
    assert s.met[park.ex.sup[: park.ex.n], park.ex.rec[: park.ex.n]].all()
    assert s.met[park.ex.rec[: park.ex.n], park.ex.sup[: park.ex.n]].all()
