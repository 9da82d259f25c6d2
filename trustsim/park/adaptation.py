"""Adaptation: how managers change their strategy or their propensity to cheat, as arrays.

``adaptation`` is one of :data:`ADAPTATIONS`:

- ``none``: strategies stay as drawn;
- ``imitation``: at a revision (a Poisson rate per year) a manager picks one of its model
  neighbours (a social tie or a trading partner) uniformly and adopts its strategy with the
  pairwise-comparison (Fermi) probability 1 / (1 + exp(-beta (pi_model - pi_self)))
  [Traulsen2006], the kernel's :func:`trustsim.game.evolution.fermi_adoption`; with probability
  ``exploration`` it adopts a uniformly drawn strategy of the set instead;
- ``reinforcement``: each manager holds honour/cheat propensities updated by the Roth-Erev rule
  [RothErev1995; ErevRoth1998] and cheats with probability cheat / (honour + cheat).

Every random number comes in as a uniform from the caller (the model's Generator is the only
source of randomness); nothing here knows about the model.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from trustsim.errors import UserError
from trustsim.game.evolution import fermi_adoption

__all__ = [
    "ADAPTATIONS",
    "cheat_probability",
    "imitate",
    "reinforce",
    "revising",
]

#: The values of the ``adaptation`` parameter.
ADAPTATIONS = ("none", "imitation", "reinforcement")


def _unit(name: str, value: ArrayLike) -> NDArray[np.float64]:
    a = np.asarray(value, dtype=np.float64)
    if not np.all((a >= 0.0) & (a <= 1.0)):
        raise UserError(f"{name} must be in [0, 1]")
    return a


def revising(rate: float, years: float, u: ArrayLike) -> NDArray[np.bool_]:
    """Managers who revise this step: a Poisson event of ``rate`` per year within ``years``.

    Args:
        rate: Revisions per manager and year, >= 0.
        years: Length of the step in years, >= 0.
        u: One uniform per manager.
    """
    if not (rate >= 0.0 and years >= 0.0):
        raise UserError(f"revision rate and step length must be >= 0, got {rate!r}, {years!r}")
    return np.asarray(u) < -np.expm1(-rate * years)


def imitate(
    strategy: ArrayLike,
    payoff: ArrayLike,
    neighbours: ArrayLike,
    revise: ArrayLike,
    u: ArrayLike,
    *,
    beta: float,
    exploration: float,
    n_strategies: int,
) -> NDArray[np.int64]:
    """One round of revisions by pairwise comparison with exploration.

    Args:
        strategy: Each manager's strategy code in [0, n_strategies), shape (n,).
        payoff: Each manager's per-round average payoff over the recent window, shape (n,).
        neighbours: (n, n) matrix, dense boolean or a SciPy sparse matrix (only its nonzero
            entries count), row i the managers i may imitate (ties or trading partners); a
            manager without neighbours can only explore. Both forms give the same result.
        revise: Boolean (n,), the managers who revise now (:func:`revising`).
        u: Uniforms, shape (4, n): model choice, adoption, exploration, explored strategy.
        beta: Intensity of selection (per unit of payoff), >= 0.
        exploration: Probability mu of adopting a uniformly drawn strategy instead, in [0, 1].
        n_strategies: Size of the strategy set, >= 1.

    Returns:
        The new strategy codes (a new array; everyone revises against the old ones).
    """
    old = np.asarray(strategy, dtype=np.int64)
    pi = np.asarray(payoff, dtype=np.float64)
    adj = _rows(neighbours)
    rev = np.asarray(revise, dtype=np.bool_)
    u = np.asarray(u, dtype=np.float64)
    n = old.shape[0]
    if adj.shape != (n, n) or pi.shape != (n,) or rev.shape != (n,) or u.shape != (4, n):
        raise UserError(f"imitation needs strategy, payoff, revise of shape ({n},), "
                        f"neighbours ({n}, {n}) and uniforms (4, {n})")
    if not beta >= 0.0:
        raise UserError(f"beta must be >= 0, got {beta!r}")
    _unit("exploration", exploration)
    if n_strategies < 1 or np.any((old < 0) | (old >= n_strategies)):
        raise UserError(f"strategy codes must be in [0, {n_strategies})")
    new = old.copy()
    degree = np.diff(adj.indptr)
    social = rev & (degree > 0)
    rows = np.flatnonzero(social)
    if rows.size:
        # the k-th neighbour of each revising row in column order, k = floor(u * degree)
        k = np.minimum((u[0, rows] * degree[rows]).astype(np.int64), degree[rows] - 1)
        model = adj.indices[adj.indptr[rows] + k]
        adopt = u[1, rows] < fermi_adoption(beta, pi[model] - pi[rows])
        new[rows[adopt]] = old[model[adopt]]
    explore = rev & (u[2] < exploration)
    new[explore] = np.minimum((u[3, explore] * n_strategies).astype(np.int64),
                              n_strategies - 1)
    return new


def _rows(neighbours: ArrayLike) -> sparse.csr_array:
    """The neighbour matrix as CSR with sorted, unique column indices and no stored zeros."""
    if sparse.issparse(neighbours):
        adj = sparse.csr_array(neighbours)  # shares the caller's arrays when already CSR
    else:
        adj = sparse.csr_array(np.asarray(neighbours, dtype=np.bool_))
    if adj.has_canonical_format and adj.data.all():
        return adj  # the model's own matrix: nothing to mend, nothing copied
    adj = adj.copy()
    adj.sum_duplicates()
    adj.eliminate_zeros()
    return adj


def reinforce(
    propensity: ArrayLike,
    cheated: ArrayLike,
    payoff: ArrayLike,
    *,
    minimum_payoff: float,
    forgetting: float = 0.0,
    experimentation: float = 0.0,
    floor: float = 1e-4,
) -> NDArray[np.float64]:
    """Roth-Erev update of honour/cheat propensities from this round's action and payoff.

    q_k <- (1 - phi) q_k + E_k, where the reinforcement x - x_min (the payoff less the smallest
    possible payoff, so negative payoffs still reinforce weakly, as [RothErev1995] shift
    them) goes to the action played with weight 1 - eps and to the other with weight eps
    [ErevRoth1998]; propensities stay at least ``floor`` (their nu) so both actions keep a
    chance. With phi = eps = 0 this is the basic model, a generalised Polya urn
    [Pemantle2007].

    Args:
        propensity: (n, 2) propensities, column 0 honour and 1 cheat, > 0.
        cheated: Boolean (n,), whether each manager cheated this round.
        payoff: (n,) payoffs this round.
        minimum_payoff: The smallest payoff the stage game can pay.
        forgetting: phi in [0, 1].
        experimentation: eps in [0, 1].
        floor: Smallest propensity, > 0.

    Returns:
        The new propensities, shape (n, 2).
    """
    q = np.asarray(propensity, dtype=np.float64)
    act = np.asarray(cheated, dtype=np.bool_)
    x = np.asarray(payoff, dtype=np.float64) - minimum_payoff
    if q.ndim != 2 or q.shape[1] != 2 or act.shape != q.shape[:1] or x.shape != act.shape:
        raise UserError("propensity must be (n, 2), cheated and payoff (n,)")
    if np.any(x < -1e-12):
        raise UserError(f"minimum_payoff must not exceed any payoff, got {minimum_payoff!r}")
    phi = _unit("forgetting", forgetting)
    eps = _unit("experimentation", experimentation)
    if not floor > 0.0:
        raise UserError(f"floor must be > 0, got {floor!r}")
    played = np.stack([~act, act], axis=1)
    share = np.where(played, 1.0 - eps, eps)
    return np.maximum((1.0 - phi) * q + share * np.maximum(x, 0.0)[:, None], floor)


def cheat_probability(propensity: ArrayLike) -> NDArray[np.float64]:
    """Probability of cheating, cheat / (honour + cheat); the caller compares a uniform."""
    q = np.asarray(propensity, dtype=np.float64)
    if q.ndim != 2 or q.shape[1] != 2 or np.any(q <= 0.0):
        raise UserError("propensity must be an (n, 2) array of positive numbers")
    return q[:, 1] / q.sum(axis=1)
