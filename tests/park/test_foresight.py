"""The forward-looking manager's valuation, against closed forms and simulated play.

Every check compares :mod:`trustsim.park.foresight` with something it does not compute itself:
the grim-trigger closed form of :mod:`trustsim.game.theory`, brute-force play of the exact
(ungridded) trust dynamics under enumerated cheat schedules, and a small simulator of the
response rules driven by a numpy Generator.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.games import StageGame
from trustsim.game.theory import grim_sustains
from trustsim.park.foresight import Rules, honours, reputation_cost, solve, value_loss

BASE = dict(reward=3.0, sucker=-2.0, temptation=5.0, gain=0.2, loss=1.0, detection=1.0,
            misperception=0.0, partner_cheats_below=0.0, exit_below=0.15, fine=0.0,
            reputation=0.0, patience=0.9, safeguard=0.0)


def rules(**kw) -> Rules:
    return Rules(**{**BASE, **kw})


def play(p: dict, tau: float, cheat_at) -> float:
    """Discounted payoff of exact deterministic play (d = 1, m = 0) under ``cheat_at(t, tau)``."""
    delta = p["patience"]
    total, disc = 0.0, 1.0
    for t in range(int(math.log(1e-12) / math.log(delta)) + 1):
        partner_honours = tau >= p["partner_cheats_below"]
        cheat = cheat_at(t, tau)
        total -= disc * p["safeguard"] * (1.0 - tau)
        if cheat:
            total += disc * ((p["temptation"] if partner_honours else 0.0)
                             - p["fine"] - p["reputation"])
            tau *= 1.0 - p["loss"]
        else:
            total += disc * (p["reward"] if partner_honours else p["sucker"])
            tau += p["gain"] * (1.0 - tau)
        if tau < p["exit_below"]:
            break
        disc *= delta
    return total


def schedules(p: dict, tau: float, longest: int = 15, burst: int = 6) -> float:
    """Best discounted payoff of "cheat the first b rounds, then every k-th round, first at
    round b + phase", b up to ``burst``."""
    return max(play(p, tau, lambda t, _, b=b, k=k, ph=ph: t < b or (t - b) % k == ph)
               for b in range(burst + 1) for k in range(1, longest + 1) for ph in range(k))


@pytest.mark.parametrize("enforced", [(0.0, 0.0), (0.5, 2.0), (0.9, 1.0)])
def test_grim_limit_is_the_closed_form(enforced):
    """One seen cheat ends the exchange: honour iff delta >= (T' - R)/(T' - P), T' = T - pF."""
    p, f = enforced
    cases = [(r, t, d) for r in (1.0, 2.0, 3.0) for t in (r + 0.5, 6.0, 9.0)
             for d in np.linspace(0.0, 0.99, 45)]
    r, t, d = (np.array(x) for x in zip(*cases, strict=True))
    got = honours(rules(reward=r, temptation=t, sucker=-t, patience=d, fine=p * f),
                  np.full(r.shape, 0.9))
    want = np.array([grim_sustains(StageGame(ri, -ti, ti, 0.0), di, probability=p, penalty=f)
                     for ri, ti, di in cases])
    threshold = (t - p * f - r) / (t - p * f)
    clear = np.abs(d - threshold) > 1e-9
    assert clear.sum() > 350
    assert np.array_equal(got[clear], want[clear])
    assert got.any() and not got.all()


FORGIVING = [
    # partner reciprocates: a cheat drops trust below its response level for a round or two
    dict(partner_cheats_below=0.55, loss=0.5, gain=0.3, sucker=0.0),
    dict(partner_cheats_below=0.62, loss=0.4, gain=0.2, sucker=0.0),
    # partner honours until it exits: a cheat costs nothing until trust runs out
    dict(partner_cheats_below=0.0, loss=0.3, gain=0.1, sucker=0.0),
    # the same partner, who demands safeguards while it distrusts: a cheat costs until
    # trust is earned back
    dict(partner_cheats_below=0.0, loss=0.3, gain=0.1, sucker=0.0, safeguard=4.0),
]


@pytest.mark.parametrize("case", FORGIVING)
@pytest.mark.parametrize("delta", [0.5, 0.65, 0.75, 0.9])
def test_forgiving_trust_policy_beats_every_schedule(case, delta):
    """The valuation's policy is at least as good as every periodic cheat schedule, and it
    honours throughout exactly when no schedule beats honouring throughout."""
    p = {**BASE, **case, "patience": delta}
    valuation = solve(rules(**p))
    cheats = []

    def policy(t, tau):
        out = not valuation.honours([tau])[0]
        if out:
            cheats.append(t)
        return out

    tau0 = 0.9
    mine = play(p, tau0, policy)
    best = schedules(p, tau0)
    always = play(p, tau0, lambda t, tau: False)
    scale = p["reward"] / (1 - delta)
    assert mine >= max(best, always) - 1e-9 * scale
    assert valuation.value_at([tau0])[0] == pytest.approx(mine, rel=2e-3)
    if always >= best + 1e-6 * scale:
        assert not cheats
    elif best >= always + 1e-6 * scale:
        assert cheats


def test_forgiving_trust_raises_the_threshold():
    """Grim: 0.4 = (5 - 3)/5. A partner whose trust forgives needs more patience, and one who
    never responds short of exit is cheated now and then at any patience."""
    deltas = np.linspace(0.3, 0.99, 70)
    grim = honours(rules(sucker=0.0, patience=deltas), np.full(70, 0.9))
    assert deltas[grim].min() == pytest.approx(0.4, abs=0.011)
    reciprocal = rules(**FORGIVING[0], patience=deltas)
    honest = honours(reciprocal, np.full(70, 0.9))
    first = deltas[honest].min()
    assert first > 0.6 and honest[deltas >= first].all()
    # independent: the best schedule stops beating honour-always between 0.65 and 0.7
    for d, pays in ((0.65, True), (0.7, False)):
        p = {**BASE, **FORGIVING[0], "patience": d}
        assert (schedules(p, 0.9) > play(p, 0.9, lambda t, tau: False) + 1e-9) is pays
    assert 0.65 < first <= 0.71
    never = honours(rules(**FORGIVING[2], patience=0.99), np.array([0.99]))
    assert not never[0]


def test_safeguards_make_a_forgiving_partner_worth_honouring():
    """A partner who never reciprocates, short of exit, is cheated now and then at any
    patience; once it demands safeguards in proportion to its distrust, honouring pays above
    a patience that the brute-force schedules locate independently, and more safeguards need
    less patience."""
    deltas = np.linspace(0.3, 0.99, 70)
    free = {**FORGIVING[2]}
    assert not honours(rules(**free, patience=deltas), np.full(70, 0.9)).any()
    first = {}
    for sigma in (2.0, 4.0):
        honest = honours(rules(**free, safeguard=sigma, patience=deltas), np.full(70, 0.9))
        assert honest.any() and not honest.all()
        first[sigma] = deltas[honest].min()
        assert honest[deltas >= first[sigma]].all()
        # independent: the best periodic schedule stops beating honour-always there
        for d in (first[sigma] - 0.02, first[sigma] + 0.02):
            p = {**BASE, **free, "safeguard": sigma, "patience": d}
            always = play(p, 0.9, lambda t, tau: False)
            assert (schedules(p, 0.9) > always + 1e-9) is (d < first[sigma]), (sigma, d)
    assert first[4.0] < first[2.0]


@pytest.mark.parametrize("reach", [0.25, 0.5, 1.0])
def test_others_hear_lowers_the_threshold(reach):
    """A grim exchange e and a second exchange k of the same manager, worth R2/(1 - delta).

    Hearing of a cheat on e ends k (its trust falls to 0): honour e iff
    R/(1 - delta) >= T - h R2/(1 - delta), i.e. delta >= 1 - (R + h R2)/T."""
    r, t, r2 = 3.0, 5.0, 2.0
    deltas = np.linspace(0.0, 0.99, 100)
    other = solve(rules(reward=r2, temptation=r2, sucker=-1.0, patience=deltas))
    lost = value_loss(other, np.full(100, 0.9), 1.0)
    np.testing.assert_allclose(lost, r2 / (1 - deltas), rtol=1e-9)
    owner = np.zeros(2, dtype=np.int64)
    cost = np.array([reputation_cost(owner, [0.0, k], reach)[0] for k in lost])
    got = honours(rules(reward=r, temptation=t, patience=deltas, reputation=cost),
                  np.full(100, 0.9))
    threshold = 1 - (r + reach * r2) / t
    clear = np.abs(deltas - threshold) > 1e-9
    assert np.array_equal(got[clear], (deltas >= threshold)[clear])
    assert threshold < (t - r) / t


def test_others_hear_partial_loss_matches_simulated_repair():
    """Gossip that only dents k's trust: k's partner punishes until trust is rebuilt; the
    loss is the brute-force difference of k's honour-always play from the two trust levels."""
    k = dict(reward=2.0, temptation=2.0, sucker=0.0, partner_cheats_below=0.6, gain=0.3,
             loss=0.5, patience=0.8)
    other = solve(rules(**k))
    p = {**BASE, **k}
    honest = lambda t, tau: False  # noqa: E731
    want = play(p, 0.9, honest) - play(p, 0.9 * 0.5, honest)
    assert want > 0.5
    assert value_loss(other, [0.9], 0.5)[0] == pytest.approx(want, rel=1e-6)


def test_reputation_cost_sums_over_the_other_exchanges():
    owner = np.array([7, 7, 7, 2, 2])
    loss = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    np.testing.assert_allclose(reputation_cost(owner, loss, 0.5),
                               [3.0, 2.5, 1.5, 8.0, 4.0])


def simulate(p: dict, valuation, tau0: float, first: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Discounted payoffs over seeds: round 0 plays ``first`` (True = cheat), then the policy.

    ``u[t, seed, 0]`` decides detection and ``u[t, seed, 1]`` misperception (common random
    numbers across the compared runs).
    """
    rounds, seeds, _ = u.shape
    tau = np.full(seeds, tau0)
    alive = np.ones(seeds, dtype=np.bool_)
    total = np.zeros(seeds)
    d, m, delta = p["detection"], p["misperception"], p["patience"]
    for t in range(rounds):
        cheat = first if t == 0 else ~valuation.honours(tau[None, :])[0]
        partner_honours = tau >= p["partner_cheats_below"]
        pay = np.where(cheat, np.where(partner_honours, p["temptation"], 0.0),
                       np.where(partner_honours, p["reward"], p["sucker"]))
        truly_seen = cheat & (u[t, :, 0] < d)
        seen = truly_seen ^ (u[t, :, 1] < m)
        pay = pay - seen * p["fine"] - p["safeguard"] * (1 - tau)
        total += np.where(alive, delta**t * pay, 0.0)
        tau = np.where(seen, tau * (1 - p["loss"]), tau + p["gain"] * (1 - tau))
        alive &= tau >= p["exit_below"]
    return total


@pytest.mark.slow
def test_consistency_law_on_simulated_payoffs():
    """One-shot deviation from the policy never pays, on simulated play, over a grid of
    patience, temptation, trust loss and exit level (noisy observation, partial detection)."""
    rng = np.random.default_rng(20261204)
    starts = {True: 0, False: 0}
    for delta in (0.6, 0.8, 0.93):
        for tempt in (4.0, 6.0):
            for loss, safeguard in ((0.3, 0.0), (0.7, 0.0), (0.3, 3.0)):
                for exit_below in (0.1, 0.35):
                    p = {**BASE, "patience": delta, "temptation": tempt, "sucker": 3 - tempt,
                         "loss": loss, "exit_below": exit_below, "partner_cheats_below": 0.5,
                         "detection": 0.8, "misperception": 0.05, "gain": 0.2, "fine": 0.5,
                         "safeguard": safeguard}
                    valuation = solve(rules(**p))
                    tau0 = 0.8
                    honest = bool(valuation.honours([tau0])[0])
                    starts[honest] += 1
                    rounds = int(math.log(1e-4) / math.log(delta)) + 1
                    u = rng.random((rounds, 600, 2))
                    policy = simulate(p, valuation, tau0, np.full(600, not honest), u)
                    deviate = simulate(p, valuation, tau0, np.full(600, honest), u)
                    gain = deviate - policy
                    se = gain.std(ddof=1) / math.sqrt(gain.size)
                    scale = p["reward"] / (1 - delta)
                    assert gain.mean() <= 3 * se + 2e-3 * scale, (p, gain.mean(), se)
                    # the valuation predicts what the policy earns
                    se_v = policy.std(ddof=1) / math.sqrt(policy.size)
                    assert valuation.value_at([tau0])[0] == pytest.approx(
                        policy.mean(), abs=4 * se_v + 5e-3 * scale)
    assert starts[True] >= 4 and starts[False] >= 4


def test_exchanges_are_solved_independently():
    """Solving a batch or a part of it gives the same values: a cached valuation of one
    exchange does not depend on which others were solved with it."""
    rng = np.random.default_rng(4)
    n = 12
    batch = rules(patience=rng.uniform(0.5, 0.98, n), loss=rng.uniform(0.2, 1.0, n),
                  misperception=rng.uniform(0.0, 0.1, n), partner_cheats_below=0.45)
    whole = solve(batch)
    part = solve(whole.take(np.arange(3, 7)).rules)
    tau = rng.uniform(0.2, 1.0, (4, 9))
    np.testing.assert_array_equal(whole.take(np.arange(3, 7)).values(tau)[0],
                                  part.values(tau)[0])
    np.testing.assert_array_equal(whole.take(np.arange(3, 7)).honours(tau), part.honours(tau))


def test_bad_input_names_the_parameter():
    with pytest.raises(UserError, match="patience must be in"):
        rules(patience=1.0)
    with pytest.raises(UserError, match="loss must be in"):
        rules(loss=-0.1)
    with pytest.raises(UserError, match="grid must be"):
        solve(rules(), grid=2)
    with pytest.raises(UserError, match="trust must have shape"):
        solve(rules()).values(np.array([0.5, 0.5]))
    with pytest.raises(UserError, match="share one shape"):
        rules(reward=np.ones(2), temptation=np.ones(3))
