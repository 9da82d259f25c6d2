"""Argument checks shared by the evolution modules; failures raise :class:`UserError`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trustsim.errors import UserError

#: Anything that seeds a numpy Generator: an existing Generator, an int or a SeedSequence.
SeedLike = np.random.Generator | int | np.random.SeedSequence


def payoff_matrix(payoff: Any) -> NDArray[np.float64]:
    """Return the 2x2 payoff matrix of a stage game (anything with ``.matrix()``) or an array.

    Row and column 0 are the first type (the mutant, e.g. cooperators), 1 the second type;
    entry ``[i, j]`` is what a type-i individual earns against a type-j individual.
    """
    raw = payoff.matrix() if hasattr(payoff, "matrix") else payoff
    try:
        matrix = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise UserError(f"payoff must be a 2x2 matrix of numbers, got {raw!r}") from exc
    if matrix.shape != (2, 2) or not np.all(np.isfinite(matrix)):
        raise UserError(f"payoff must be a 2x2 matrix of finite numbers, got {raw!r}")
    return matrix


def integer(name: str, value: Any, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int in ``[low, high]`` (no upper bound when ``high`` is None)."""
    allowed = f"[{low}, {high}]" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise UserError(f"{name} must be an integer {allowed}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise UserError(f"{name} must be an integer {allowed}, got {value}")
    return int(value)


def real(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
) -> float:
    """Return ``value`` as a finite float in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    bracket = "(" if low_open else "["
    allowed = f"{bracket}{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise UserError(f"{name} must be a number in {allowed}, got {value!r}")
    x = float(value)
    too_low = x <= low if low_open else x < low
    if not math.isfinite(x) or too_low or x > high:
        raise UserError(f"{name} must be a finite number in {allowed}, got {value}")
    return x


def generator(rng: Any) -> np.random.Generator:
    """Return a numpy Generator from a Generator, an int seed or a SeedSequence."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.SeedSequence) or (
        isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0
    ):
        return np.random.default_rng(rng)
    raise UserError(f"rng must be a numpy Generator, a SeedSequence or an int >= 0, got {rng!r}")


def selection_weight(w: Any, lowest_payoff: float) -> float:
    """Check the intensity of selection ``w`` in [0, 1] keeps fitness 1 - w + w*payoff positive."""
    w = real("w", w, 0.0, 1.0)
    if 1.0 - w + w * lowest_payoff <= 0.0:
        limit = 1.0 / (1.0 - lowest_payoff)
        raise UserError(
            f"w must be in [0, {limit:.6g}) so that fitness 1 - w + w*payoff stays positive "
            f"for the lowest payoff {lowest_payoff:g}, got {w}"
        )
    return w
