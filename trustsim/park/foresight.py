"""Foresight: what a forward-looking manager expects the model to do to it, as arrays.

Manager i on an exchange with partner j values honouring and cheating this round under the
model's own response rules, with the partner's trust in i, tau = ``trust[j, i]``, as the state:

- i's payoff per round is R (both honour), S (i honours, j cheats), T (i cheats, j honours)
  or P = 0 (both cheat); once the exchange has ended i gets 0 per round for ever;
- j sees i's action: a cheat is detected with probability d, and any observation is misread
  with probability m, so P(seen cheat | cheat) = d (1 - m) + (1 - d) m and
  P(seen cheat | honour) = m;
- j's trust moves to tau + gain (1 - tau) after a seen honour and to tau (1 - loss) after a
  seen cheat;
- j cheats in a round when tau < ``partner_cheats_below`` (0: j honours while the exchange
  lasts), and ends the exchange when its trust, after this round's observation, is below
  ``exit_below``;
- a seen cheat costs i the expected formal fine p F and the reputation cost K: with
  probability h the news reaches i's other partners, whose exchanges with i lose value
  (:func:`value_loss`, :func:`reputation_cost`);
- while the exchange lasts, j demands safeguards in proportion to its distrust: i pays
  sigma (1 - tau) a round (prepayment, guarantees, inspection), so a trust lost costs i every
  round until it is earned back.

With patience delta the value of a live exchange at trust tau solves the Bellman equation
[Bellman1957]::

    Q_a(tau) = u_a(tau) - sigma (1 - tau) - q_a c
               + delta (q_a [tau_d >= x] V(tau_d) + (1 - q_a) [tau_u >= x] V(tau_u))
    V(tau)   = max(Q_honour(tau), Q_cheat(tau))

with tau_u, tau_d the trust after a seen honour or cheat, x the exit level, q_a the chance that
action a is seen as a cheat and c = p F + K. :func:`solve` computes V on a trust grid (uniform
points plus both sides of every level where V jumps: the partner's response level, the exit
level and their preimages under the trust moves), linearly interpolated between grid points, for
many exchanges at once, by policy iteration [Howard1960; Puterman1994]: each policy is evaluated
exactly (one sparse linear system per exchange), so the answer is exact for the gridded problem
whatever the patience, and no exchange's answer depends on the others in its batch. Queries at
the current trust are one exact Bellman step on the gridded V (the exit test and the partner's
response use the exact successor trust), so the only approximation is V's interpolation between
grid points.
Nothing here draws random numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.sparse import linalg as splinalg

from trustsim.errors import UserError

__all__ = [
    "MAX_PATIENCE",
    "Rules",
    "Valuation",
    "honours",
    "reputation_cost",
    "solve",
    "value_loss",
    "values",
]

#: Largest patience a manager may have (the value of an exchange is finite below 1).
MAX_PATIENCE = 0.999

#: Gap between the two grid points that stand for the two sides of a jump of V.
_SIDE = 1e-9

#: Fields of :class:`Rules` that are probabilities or trust levels, in [0, 1].
_UNIT_FIELDS = ("gain", "loss", "detection", "misperception", "partner_cheats_below",
                "exit_below")


@dataclass(frozen=True, slots=True)
class Rules:
    """The response rules one forward-looking manager faces on each of n exchanges.

    Every field is a scalar or an array of shape (n,), broadcast to (n,) float arrays.

    Attributes:
        reward: R, i's payoff when both honour.
        sucker: S, i's payoff when i honours and j cheats.
        temptation: T, i's payoff when i cheats and j honours (P = 0).
        gain: Share of the distance to 1 that j's trust gains after a seen honour, in [0, 1].
        loss: Share of j's trust lost after a seen cheat, in [0, 1].
        detection: Probability d that a cheat is detected, in [0, 1].
        misperception: Probability m that an observation is misread, in [0, 1].
        partner_cheats_below: j cheats when its trust is below this level, in [0, 1].
        exit_below: j ends the exchange when its trust is below this level, in [0, 1].
        fine: Expected formal fine p F per seen cheat, >= 0.
        reputation: Reputation cost K per seen cheat (:func:`reputation_cost`), >= 0.
        patience: Discount factor delta, in [0, MAX_PATIENCE].
        safeguard: sigma, what i pays a round at j's full distrust (j's trust 0), >= 0;
            at trust tau it pays sigma (1 - tau).
    """

    reward: NDArray[np.float64]
    sucker: NDArray[np.float64]
    temptation: NDArray[np.float64]
    gain: NDArray[np.float64]
    loss: NDArray[np.float64]
    detection: NDArray[np.float64]
    misperception: NDArray[np.float64]
    partner_cheats_below: NDArray[np.float64]
    exit_below: NDArray[np.float64]
    fine: NDArray[np.float64]
    reputation: NDArray[np.float64]
    patience: NDArray[np.float64]
    safeguard: NDArray[np.float64] | float = 0.0

    def __post_init__(self) -> None:
        names = [f.name for f in fields(self)]
        try:
            arrays = np.broadcast_arrays(
                *(np.asarray(getattr(self, k), dtype=np.float64) for k in names))
        except ValueError as exc:
            raise UserError(f"the rules' arrays must share one shape (n,): {exc}") from None
        for name, a in zip(names, arrays, strict=True):
            a = np.atleast_1d(a).astype(np.float64)
            if a.ndim != 1:
                raise UserError(f"{name} must be a scalar or a 1-d array, got shape {a.shape}")
            if not np.isfinite(a).all():
                raise UserError(f"{name} must be finite")
            if name in _UNIT_FIELDS:
                _check_range(name, a, 0.0, 1.0)
            elif name in ("fine", "reputation", "safeguard"):
                _check_range(name, a, 0.0, math.inf)
            elif name == "patience":
                _check_range(name, a, 0.0, MAX_PATIENCE)
            a.setflags(write=False)
            object.__setattr__(self, name, a)

    @property
    def n(self) -> int:
        """Number of exchanges."""
        return self.reward.shape[0]

    def take(self, rows: ArrayLike) -> Rules:
        """The rules of the exchanges ``rows`` only (an index or boolean array)."""
        return _checked_rules({name: getattr(self, name)[rows] for name in _FIELDS})

    @staticmethod
    def concat(parts: list[Rules]) -> Rules:
        """The rules of several batches, one after the other."""
        return _checked_rules({name: np.concatenate([getattr(r, name) for r in parts])
                               for name in _FIELDS})

    def seen_cheat(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """P(seen cheat | honour) = m and P(seen cheat | cheat) = d (1 - m) + (1 - d) m."""
        d, m = self.detection, self.misperception
        return m, d * (1.0 - m) + (1.0 - d) * m


_FIELDS = tuple(f.name for f in fields(Rules))


def _checked_rules(arrays: dict[str, NDArray[np.float64]]) -> Rules:
    """Rules from arrays already checked (rows of validated rules): no second validation."""
    rules = object.__new__(Rules)
    for name, a in arrays.items():
        a.setflags(write=False)
        object.__setattr__(rules, name, a)
    return rules


def _check_range(name: str, a: NDArray[np.float64], low: float, high: float) -> None:
    bad = (a < low) | (a > high)
    if bad.any():
        raise UserError(f"{name} must be in [{low:g}, {high:g}], got {a[bad][0]:g}")


@dataclass(frozen=True, slots=True)
class Valuation:
    """Solved values of n exchanges: V on a trust grid, and the rules they were solved for.

    Attributes:
        rules: The rules solved for.
        grid: Each exchange's sorted trust levels, shape (n, g): a uniform grid on [0, 1]
            and both sides of the levels where V jumps.
        value: V at the grid points, shape (n, g): the value of the exchange while it lasts.
        iterations: Policy-iteration sweeps used.
    """

    rules: Rules
    grid: NDArray[np.float64]
    value: NDArray[np.float64]
    iterations: int
    _shifted: NDArray[np.float64] | None = field(default=None, init=False, repr=False,
                                                 compare=False)

    def take(self, rows: ArrayLike) -> Valuation:
        """The valuation of the exchanges ``rows`` only (an index or boolean array)."""
        return Valuation(self.rules.take(rows), self.grid[rows], self.value[rows],
                         self.iterations)

    @staticmethod
    def concat(parts: list[Valuation]) -> Valuation:
        """The valuations of several batches, one after the other."""
        return Valuation(Rules.concat([v.rules for v in parts]),
                         np.vstack([v.grid for v in parts]),
                         np.vstack([v.value for v in parts]),
                         max(v.iterations for v in parts))

    def values(self, trust: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(value of honouring, value of cheating) this round at the partner's trust.

        Args:
            trust: The partner's trust in the manager, shape (n,) or (n, k) (k states of
                each exchange), in [0, 1].
        """
        tau = _trust(trust, self.rules.n)
        r = _column(self.rules, tau.ndim)
        if self._shifted is None:  # the search keys of the grid, built on first query
            object.__setattr__(self, "_shifted", _shift(self.grid))
        cont_up, cont_down = _continuation(self.grid, self.value, tau, r, self._shifted)
        return _q_values(r, tau, cont_up, cont_down)

    def honours(self, trust: ArrayLike) -> NDArray[np.bool_]:
        """Whether honouring is worth at least as much as cheating at the partner's trust."""
        q_honour, q_cheat = self.values(trust)
        return q_honour >= q_cheat

    def value_at(self, trust: ArrayLike) -> NDArray[np.float64]:
        """V at the partner's trust: the value of the exchange if it is live there."""
        q_honour, q_cheat = self.values(trust)
        return np.maximum(q_honour, q_cheat)


def _trust(trust: ArrayLike, n: int) -> NDArray[np.float64]:
    tau = np.asarray(trust, dtype=np.float64)
    if tau.ndim == 0 or tau.shape[0] != n or tau.ndim > 2:
        raise UserError(f"trust must have shape ({n},) or ({n}, k), got {tau.shape}")
    _check_range("trust", tau, 0.0, 1.0)
    return tau


def _column(rules: Rules, ndim: int) -> dict[str, NDArray[np.float64]]:
    """The rules' arrays shaped (n, 1) (or (n,) for 1-d states), with the seen-cheat odds."""
    shape = (-1, 1) if ndim == 2 else (-1,)
    out = {f.name: getattr(rules, f.name).reshape(shape) for f in fields(rules)}
    seen_h, seen_c = rules.seen_cheat()
    out["seen_honour"], out["seen_cheat"] = seen_h.reshape(shape), seen_c.reshape(shape)
    return out


def _successors(tau: NDArray[np.float64], r: dict) -> tuple[NDArray, NDArray]:
    """Trust after a seen honour and after a seen cheat."""
    return tau + r["gain"] * (1.0 - tau), tau * (1.0 - r["loss"])


def _shift(grid: NDArray[np.float64]) -> NDArray[np.float64]:
    """The flat search keys of a grid (n, g): row r shifted by 2 r (see :func:`_cell`)."""
    n, g = grid.shape
    return grid.ravel() + np.repeat(2.0 * np.arange(n), g)


def _cell(grid: NDArray[np.float64], tau: NDArray[np.float64],
          shifted: NDArray[np.float64] | None = None):
    """Left neighbour index and interpolation weight of ``tau`` on each row's sorted grid.

    ``grid`` is (n, g), ``tau`` (n,) or (n, k); the rows are searched at once by shifting row
    r by 2 r (``shifted``, from :func:`_shift`), then the neighbour is checked against the
    unshifted grid, so a row's answer does not depend on the other rows. A zero-width cell (a
    breakpoint's two sides) gives weight 0.
    """
    n, g = grid.shape
    shift = 2.0 * np.arange(n)
    flat_grid = grid.ravel()
    flat = _shift(grid) if shifted is None else shifted
    q = tau.reshape(n, -1)
    base = (g * np.arange(n))[:, None]
    pos = np.searchsorted(flat, (q + shift[:, None]).ravel(), side="right").reshape(q.shape)
    lo = np.minimum(np.maximum(pos - 1 - base, 0), g - 2)  # np.clip, without its overhead
    # the shift can round a query across a grid point: settle it on the unshifted values
    lo += (lo < g - 2) & (flat_grid[base + lo + 1] <= q)
    lo -= (lo > 0) & (flat_grid[base + lo] > q)
    left = flat_grid[base + lo]
    width = flat_grid[base + lo + 1] - left
    w = np.divide(q - left, width, out=np.zeros_like(q), where=width > 0.0)
    return lo, np.minimum(np.maximum(w, 0.0), 1.0)


def _interpolate(grid: NDArray, value: NDArray, tau: NDArray,
                 shifted: NDArray | None = None) -> NDArray[np.float64]:
    """Linear interpolation of each row of ``value`` (n, g) at ``tau`` (n,) or (n, k)."""
    lo, w = _cell(grid, tau, shifted)
    n, g = value.shape
    at = (g * np.arange(n))[:, None] + lo
    flat = value.ravel()
    left = flat[at]
    return (left + w * (flat[at + 1] - left)).reshape(tau.shape)


def _continuation(grid: NDArray, value: NDArray, tau: NDArray, r: dict,
                  shifted: NDArray | None = None):
    """The discounted V(tau') where the exchange survives, after a seen honour and a seen cheat."""
    up, down = _successors(tau, r)
    delta, x = r["patience"], r["exit_below"]
    both = np.concatenate([up.reshape(up.shape[0], -1), down.reshape(down.shape[0], -1)], axis=1)
    at_up, at_down = np.hsplit(_interpolate(grid, value, both, shifted), 2)
    cont_up = np.where(up >= x, delta * at_up.reshape(up.shape), 0.0)
    cont_down = np.where(down >= x, delta * at_down.reshape(down.shape), 0.0)
    return cont_up, cont_down


def _breakpoints(rules: Rules, depth: int) -> NDArray[np.float64]:
    """Trust levels where V jumps, per exchange, shape (n, 2 (2**(depth+1) - 1)).

    V jumps where the partner's response switches (``partner_cheats_below``), and where a
    successor crosses a jump or the exit level: the preimages of those levels under the two
    trust moves, here to ``depth`` moves. Levels outside (0, 1] are returned as 1.
    """
    gain, keep = rules.gain[:, None], 1.0 - rules.loss[:, None]
    level = np.stack([rules.partner_cheats_below, rules.exit_below], axis=1)
    found = [level]
    for _ in range(depth):
        before_up = np.divide(level - gain, 1.0 - gain, out=np.full_like(level, 2.0),
                              where=gain < 1.0)
        before_down = np.divide(level, keep, out=np.full_like(level, 2.0), where=keep > 0.0)
        level = np.concatenate([before_up, before_down], axis=1)
        found.append(level)
    out = np.concatenate(found, axis=1)
    return np.where((out > 0.0) & (out <= 1.0), out, 1.0)


def _grid(rules: Rules, points: int, depth: int) -> NDArray[np.float64]:
    """Per-exchange grid: ``points`` uniform levels and both sides of each breakpoint."""
    cuts = _breakpoints(rules, depth)
    below = np.maximum(cuts - _SIDE, 0.0)
    uniform = np.broadcast_to(np.linspace(0.0, 1.0, points), (rules.n, points))
    return np.sort(np.concatenate([uniform, below, cuts], axis=1), axis=1)


def _q_values(r: dict, tau, cont_up, cont_down):
    """One Bellman step: (Q_honour, Q_cheat) from the continuation values."""
    partner_honours = tau >= r["partner_cheats_below"]
    cost = r["fine"] + r["reputation"]
    q = []
    for payoff, seen in ((np.where(partner_honours, r["reward"], r["sucker"]), r["seen_honour"]),
                         (np.where(partner_honours, r["temptation"], 0.0), r["seen_cheat"])):
        q.append(payoff - r["safeguard"] * (1.0 - tau) - seen * cost + seen * cont_down
                 + (1.0 - seen) * cont_up)
    return q[0], q[1]


def _policy_values(rules: Rules, grid: NDArray[np.float64], rows: NDArray[np.int64],
                   cheat: NDArray[np.bool_]) -> NDArray[np.float64]:
    """V under the fixed policy ``cheat`` for exchanges ``rows``: (I - delta P) V = r.

    P maps each grid point to its two successors, each spread over its two neighbouring grid
    points by the interpolation weights; a successor below the exit level has value 0. The
    systems of all rows form one sparse block-diagonal matrix, factorised by SuperLU (sparse,
    single-threaded: a dense batched solve is both slower and at the mercy of BLAS threads) in
    the natural column order, so each block is factorised alike whatever else is in the batch.
    """
    r = {k: v[rows][:, None] for k, v in _column(rules, 1).items()}
    tau = grid[rows]
    n, g = tau.shape
    partner_honours = tau >= r["partner_cheats_below"]
    seen = np.where(cheat, r["seen_cheat"], r["seen_honour"])
    payoff = np.where(cheat, np.where(partner_honours, r["temptation"], 0.0),
                      np.where(partner_honours, r["reward"], r["sucker"]))
    rhs = payoff - r["safeguard"] * (1.0 - tau) - seen * (r["fine"] + r["reputation"])
    state = np.arange(n * g).reshape(n, g)
    first = (np.arange(n) * g)[:, None]
    row_ids, col_ids, entries = [state], [state], [np.ones((n, g))]
    for succ, prob in zip(_successors(tau, r), (1.0 - seen, seen), strict=True):
        lo, w = _cell(tau, succ)
        weight = np.where(succ >= r["exit_below"], r["patience"] * prob, 0.0)
        for col, share in ((lo, 1.0 - w), (lo + 1, w)):
            row_ids.append(state)
            col_ids.append(first + col)
            entries.append(-weight * share)
    matrix = sparse.csc_matrix(
        (np.concatenate(entries, axis=None),
         (np.concatenate(row_ids, axis=None), np.concatenate(col_ids, axis=None))),
        shape=(n * g, n * g))
    return splinalg.spsolve(matrix, rhs.ravel(), permc_spec="NATURAL").reshape(n, g)


def solve(rules: Rules, grid: int = 101, *, depth: int = 2, max_iterations: int = 200) -> Valuation:
    """Solve every exchange's Bellman equation on a trust grid by policy iteration.

    Starts from the policy "honour everywhere", evaluates it exactly, improves it greedily
    (keeping the current action on ties, so it cannot cycle) and repeats until no exchange's
    policy changes; exchanges whose policy is stable drop out of later sweeps.

    Args:
        rules: The response rules of n exchanges.
        grid: Number of uniform trust grid points, >= 3 (101 gives a spacing of 0.01).
        depth: Moves back from the response and exit levels whose preimages also get both
            sides on the grid (:func:`_breakpoints`), in [0, 6].
        max_iterations: Give up (UserError) after this many sweeps.

    Returns:
        The :class:`Valuation`.
    """
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 3:
        raise UserError(f"grid must be an integer >= 3, got {grid!r}")
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= 6:
        raise UserError(f"depth must be an integer in [0, 6], got {depth!r}")
    tau = _grid(rules, grid, depth)
    n, g = tau.shape
    cheat = np.zeros((n, g), dtype=np.bool_)
    value = np.zeros((n, g))
    todo = np.arange(n)
    r = _column(rules, 2)
    for sweep in range(1, max_iterations + 1):
        value[todo] = _policy_values(rules, tau, todo, cheat[todo])
        q_honour, q_cheat = _q_values(r, tau, *_continuation(tau, value, tau, r))
        better = np.where(cheat, q_honour > q_cheat, q_cheat > q_honour)
        # Round-off guard: a switch must gain more than a relative 1e-12.
        scale = 1e-12 * np.maximum(1.0, np.abs(value))
        better &= np.abs(q_honour - q_cheat) > scale
        changed = better.any(axis=1)
        if not changed.any():
            return Valuation(rules, tau, value, sweep)
        cheat[better] = ~cheat[better]
        todo = np.flatnonzero(changed)
    raise UserError(f"max_iterations must be larger: policy iteration did not settle in "
                    f"{max_iterations} sweeps (allowed: an integer >= 1)")


def values(rules: Rules, trust: ArrayLike, grid: int = 101):
    """(value of honouring, value of cheating) at the partner's trust: :func:`solve`, queried."""
    return solve(rules, grid).values(trust)


def honours(rules: Rules, trust: ArrayLike, grid: int = 101) -> NDArray[np.bool_]:
    """Whether a forward-looking manager honours each exchange at the partner's trust."""
    return solve(rules, grid).honours(trust)


def value_loss(valuation: Valuation, trust: ArrayLike, hearing_loss: ArrayLike) -> NDArray:
    """What each exchange loses in value when its partner hears of a cheat elsewhere.

    The partner's trust falls from tau to tau (1 - hearing_loss); if that is below the
    partner's exit level the exchange ends (value 0), otherwise it goes on from the lower
    trust. Returns V(tau) - V(after), shape (n,).
    """
    tau = _trust(trust, valuation.rules.n)
    lost = np.broadcast_to(np.asarray(hearing_loss, dtype=np.float64), tau.shape)
    _check_range("hearing_loss", lost, 0.0, 1.0)
    after = tau * (1.0 - lost)
    now = valuation.value_at(tau)
    later = np.where(after >= valuation.rules.exit_below, valuation.value_at(after), 0.0)
    return now - later


def reputation_cost(owner: ArrayLike, loss: ArrayLike, reach: ArrayLike) -> NDArray:
    """Expected cost K of a seen cheat on each exchange through i's other exchanges.

    With probability ``reach`` a seen cheat on exchange e reaches the partners of the same
    manager's other exchanges k, which then lose ``loss[k]`` (:func:`value_loss`); so
    K_e = reach_e * (sum of loss over the manager's exchanges - loss_e).

    Args:
        owner: The manager (an integer id) whose decision each exchange side is, shape (n,).
        loss: Each exchange side's :func:`value_loss`, shape (n,).
        reach: Probability h that a seen cheat reaches the manager's other partners, in [0, 1].

    Returns:
        K per exchange side, shape (n,), to pass as ``Rules.reputation``.
    """
    who = np.asarray(owner)
    lost = np.asarray(loss, dtype=np.float64)
    if who.ndim != 1 or lost.shape != who.shape or not np.issubdtype(who.dtype, np.integer):
        raise UserError("owner must be a 1-d integer array and loss an array of the same shape")
    h = np.broadcast_to(np.asarray(reach, dtype=np.float64), who.shape)
    _check_range("reach", h, 0.0, 1.0)
    _, index = np.unique(who, return_inverse=True)
    total = np.bincount(index, weights=lost)
    return h * (total[index] - lost)
