"""Well-mixed fixation: closed forms against independent derivations, simulations against both."""

import math

import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.evolution import (
    FixationEstimate,
    constant_fitness_fixation_probability,
    fermi_fixation_probability,
    moran_fixation_probability,
    neutral_fixation_probability,
    simulate_fermi,
    simulate_moran,
)
from trustsim.game.games import StageGame

PD = np.array([[3.0, 0.0], [5.0, 1.0]])  # cooperators (row 0) against defectors
PD_SWAPPED = PD[::-1, ::-1]  # defectors (now row 0) invading cooperators
SNOWDRIFT = np.array([[3.0, 1.0], [4.0, 0.0]])
COORDINATION = np.array([[4.0, 0.0], [3.0, 2.0]])


def chain_fixation(up, down, n, initial):
    """Absorption probability of a birth-death chain from its transition probabilities.

    Solves the linear system x_i = T+_i x_{i+1} + T-_i x_{i-1} + (1 - T+_i - T-_i) x_i with
    x_0 = 0, x_n = 1, independently of the product formula used in trustsim.
    """
    a = np.zeros((n + 1, n + 1))
    rhs = np.zeros(n + 1)
    a[0, 0] = a[n, n] = 1.0
    rhs[n] = 1.0
    for i in range(1, n):
        a[i, i] = up[i - 1] + down[i - 1]
        a[i, i + 1] = -up[i - 1]
        a[i, i - 1] = -down[i - 1]
    return np.linalg.solve(a, rhs)[initial]


def moran_chain(m, n, w):
    """Transition probabilities of Nowak et al. 2004's Moran process, written out."""
    (a, b), (c, d) = m
    up, down = [], []
    for i in range(1, n):
        f = (a * (i - 1) + b * (n - i)) / (n - 1)
        g = (c * i + d * (n - i - 1)) / (n - 1)
        fit_a, fit_b = 1 - w + w * f, 1 - w + w * g
        total = i * fit_a + (n - i) * fit_b
        up.append(i * fit_a / total * (n - i) / n)
        down.append((n - i) * fit_b / total * i / n)
    return up, down


def fermi_chain(m, n, beta):
    """Transition probabilities of the pairwise comparison process, written out."""
    (a, b), (c, d) = m
    up, down = [], []
    for i in range(1, n):
        f = (a * (i - 1) + b * (n - i)) / (n - 1)
        g = (c * i + d * (n - i - 1)) / (n - 1)
        meet = i * (n - i) / (n * (n - 1))  # focal of one type, model of the other
        up.append(meet / (1 + math.exp(-beta * (f - g))))
        down.append(meet / (1 + math.exp(-beta * (g - f))))
    return up, down


@pytest.mark.parametrize(("n", "initial"), [(2, 1), (5, 1), (5, 2), (17, 1), (60, 7)])
def test_neutral_is_initial_over_n(n, initial):
    expected = initial / n
    assert neutral_fixation_probability(n, initial) == pytest.approx(expected)
    assert moran_fixation_probability(PD, n, 0.0, initial) == pytest.approx(expected)
    assert fermi_fixation_probability(PD, n, 0.0, initial) == pytest.approx(expected)
    assert constant_fitness_fixation_probability(1.0, n, initial) == pytest.approx(expected)


@pytest.mark.parametrize(("r", "n"), [(1.1, 10), (2.0, 5), (0.8, 20), (1.01, 100)])
def test_constant_fitness_textbook_formula(r, n):
    expected = (1 - 1 / r) / (1 - 1 / r**n)
    assert constant_fitness_fixation_probability(r, n) == pytest.approx(expected, rel=1e-12)
    # Constant fitness r is the frequency-dependent Moran process with w = 1 and rows (r, 1).
    matrix = [[r, r], [1.0, 1.0]]
    assert moran_fixation_probability(matrix, n, 1.0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("matrix", [PD, PD_SWAPPED, SNOWDRIFT, COORDINATION])
@pytest.mark.parametrize(("n", "w", "initial"), [(6, 0.3, 1), (12, 0.05, 4), (25, 0.9, 3)])
def test_moran_closed_form_matches_linear_solve(matrix, n, w, initial):
    expected = chain_fixation(*moran_chain(matrix, n, w), n, initial)
    assert moran_fixation_probability(matrix, n, w, initial) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("matrix", [PD, PD_SWAPPED, SNOWDRIFT, COORDINATION])
@pytest.mark.parametrize(("n", "beta", "initial"), [(6, 0.3, 1), (12, 2.0, 4), (25, 0.05, 3)])
def test_fermi_closed_form_matches_linear_solve(matrix, n, beta, initial):
    expected = chain_fixation(*fermi_chain(matrix, n, beta), n, initial)
    assert fermi_fixation_probability(matrix, n, beta, initial) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("matrix", [PD_SWAPPED, SNOWDRIFT, COORDINATION])
@pytest.mark.parametrize(("n", "beta"), [(10, 0.5), (30, 0.1)])
def test_fermi_matches_traulsen_quadratic_form(matrix, n, beta):
    # Traulsen, Pacheco & Nowak 2007 (J. Theor. Biol. 246:522), eq. 7: with
    # u = (a - b - c + d)/(N - 1) and v = (-a + bN - dN + d)/(N - 1),
    # rho = 1 / sum_{k=0}^{N-1} exp(-beta (k(k+1) u / 2 + k v)).
    (a, b), (c, d) = matrix
    u = (a - b - c + d) / (n - 1)
    v = (-a + b * n - d * n + d) / (n - 1)
    k = np.arange(n)
    expected = 1 / np.sum(np.exp(-beta * (k * (k + 1) * u / 2 + k * v)))
    assert fermi_fixation_probability(matrix, n, beta) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("n", [10, 40])
def test_one_third_law_weak_selection(n):
    # Nowak et al. 2004: under weak selection rho_A > 1/N iff
    # a(N - 2) + b(2N - 1) > c(N + 1) + d(2N - 4). Coordination games on both sides.
    for a, expect_favoured in [(6.0, True), (4.5, False)]:
        m = np.array([[a, 0.0], [1.0, 2.0]])
        (a_, b), (c, d) = m
        favoured = a_ * (n - 2) + b * (2 * n - 1) > c * (n + 1) + d * (2 * n - 4)
        assert favoured == expect_favoured
        rho = moran_fixation_probability(m, n, 1e-4)
        assert (rho > 1 / n) == expect_favoured
        assert (fermi_fixation_probability(m, n, 1e-4) > 1 / n) == expect_favoured


def test_stage_game_accepted_as_payoff():
    game = StageGame(3.0, 0.0, 5.0, 1.0)
    assert moran_fixation_probability(game, 10, 0.2) == moran_fixation_probability(PD, 10, 0.2)
    a = simulate_moran(game, 8, w=0.2, runs=500, rng=3)
    b = simulate_moran(PD, 8, w=0.2, runs=500, rng=3)
    assert a == b


def within_three_se(estimate: FixationEstimate, expected: float) -> None:
    se = math.sqrt(expected * (1 - expected) / estimate.runs)
    assert abs(estimate.probability - expected) <= 3 * se, (estimate, expected, se)


@pytest.mark.parametrize(
    ("matrix", "n", "w", "initial", "seed"),
    [
        (PD, 10, 0.0, 1, 1),  # neutral: 1/N
        (PD, 10, 0.1, 1, 2),
        (PD_SWAPPED, 12, 0.5, 1, 3),
        (SNOWDRIFT, 20, 0.3, 2, 4),
        (COORDINATION, 8, 0.9, 3, 5),
        ([[1.5, 1.5], [1.0, 1.0]], 15, 1.0, 1, 6),  # constant fitness r = 1.5
        (SNOWDRIFT, 50, 0.2, 1, 12),  # coexistence: long runs (about 700 steps on average)
    ],
)
def test_moran_simulation_within_three_standard_errors(matrix, n, w, initial, seed):
    estimate = simulate_moran(matrix, n, w=w, runs=20_000, rng=seed, initial=initial)
    assert estimate.runs == 20_000
    within_three_se(estimate, moran_fixation_probability(matrix, n, w, initial))


def test_moran_neutral_simulation_is_one_over_n():
    estimate = simulate_moran(SNOWDRIFT, 25, w=0.0, runs=20_000, rng=11)
    within_three_se(estimate, 1 / 25)


@pytest.mark.parametrize(
    ("matrix", "n", "beta", "initial", "seed"),
    [
        (PD, 10, 0.0, 1, 7),  # neutral
        (PD_SWAPPED, 10, 0.5, 1, 8),
        (SNOWDRIFT, 15, 1.0, 1, 9),
        (COORDINATION, 12, 0.3, 4, 10),
        (SNOWDRIFT, 50, 0.2, 1, 13),
    ],
)
def test_fermi_simulation_within_three_standard_errors(matrix, n, beta, initial, seed):
    estimate = simulate_fermi(matrix, n, beta=beta, runs=20_000, rng=seed, initial=initial)
    within_three_se(estimate, fermi_fixation_probability(matrix, n, beta, initial))


def test_simulations_are_deterministic_given_a_seed():
    first = simulate_moran(SNOWDRIFT, 12, w=0.3, runs=2000, rng=42)
    assert simulate_moran(SNOWDRIFT, 12, w=0.3, runs=2000, rng=np.random.default_rng(42)) == first
    assert simulate_moran(SNOWDRIFT, 12, w=0.3, runs=2000, rng=43) != first
    fermi = simulate_fermi(SNOWDRIFT, 12, beta=0.3, runs=2000, rng=42)
    assert simulate_fermi(SNOWDRIFT, 12, beta=0.3, runs=2000, rng=42) == fermi


def test_mean_steps_matches_neutral_two_individuals():
    # N = 2 neutral Moran: each step changes the state with probability 1/2, so the
    # absorption time is geometric with mean 2.
    estimate = simulate_moran(PD, 2, w=0.0, runs=20_000, rng=5)
    assert estimate.mean_steps == pytest.approx(2.0, abs=3 * math.sqrt(2 / 20_000))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: moran_fixation_probability(PD, 1, 0.1), "n"),
        (lambda: moran_fixation_probability(PD, 10, 0.1, initial=0), "initial"),
        (lambda: moran_fixation_probability(PD, 10, 0.1, initial=10), "initial"),
        (lambda: moran_fixation_probability(PD, 10, 1.5), "w"),
        (lambda: moran_fixation_probability([[1, -3], [2, 0]], 10, 0.5), "w"),
        (lambda: moran_fixation_probability([[1, 2, 3]], 10, 0.5), "payoff"),
        (lambda: moran_fixation_probability([[1, np.nan], [0, 0]], 10, 0.5), "payoff"),
        (lambda: moran_fixation_probability(PD, 10.5, 0.1), "n"),
        (lambda: fermi_fixation_probability(PD, 10, -1.0), "beta"),
        (lambda: fermi_fixation_probability(PD, 10, math.inf), "beta"),
        (lambda: constant_fitness_fixation_probability(0.0, 10), "r"),
        (lambda: neutral_fixation_probability(True), "n"),
        (lambda: simulate_moran(PD, 10, w=0.1, runs=0, rng=1), "runs"),
        (lambda: simulate_moran(PD, 10, w=0.1, runs=10, rng="seed"), "rng"),
        (lambda: simulate_moran(PD, 10, w=0.1, runs=10, rng=1, max_steps=0), "max_steps"),
        (lambda: simulate_fermi(PD, 10, beta=-0.1, runs=10, rng=1), "beta"),
    ],
)
def test_bad_arguments_raise_user_error_naming_parameter(call, name):
    with pytest.raises(UserError, match=rf"^{name} must be"):
        call()


def test_max_steps_exhausted_is_reported():
    with pytest.raises(UserError, match="max_steps"):
        simulate_moran(PD, 50, w=0.0, runs=100, rng=1, max_steps=3)
