"""Theory as a test on simulated play: cooperation earned by forward-looking managers.

The managers never see a closed form: they value honouring and cheating under the model's own
response rules (trustsim.park.decisions). Where the assumptions of the grim-trigger result hold
(one seen cheat ends the exchange, no noise) the patience at which they honour throughout must
land on (T - R)/(T - P), and on the same formula in T' = T - pF under an enforced formal
contract; where trust forgives, a higher patience is needed; and the consistency law holds on
recorded payoffs: where a manager honours throughout, a forced single cheat does not raise its
discounted payoff, and where one would pay, it does not honour throughout; where it cheats, a
forced single honour does not pay either.
"""

import numpy as np
import pytest

from trustsim.game import theory
from trustsim.game.games import StageGame
from trustsim.park.model import SymbiosisPark

#: One seen cheat destroys trust: the partner's response is grim.
GRIM = {"trust_loss": 1.0}
#: Distances from the closed form at which play must already be on the predicted side.
EPS = [-0.01, -0.002, 0.002, 0.01]


def run_minimal(years=10, seed=0, **overrides):
    model = SymbiosisPark("minimal", rng=seed, **overrides)
    model.run_years(years)
    return model


def game_of(model):
    s = model.summary()
    return StageGame(s["reward"], s["sucker"], s["temptation"], s["punishment"])


def honoured_throughout(model):
    table = model.exchanges_table()
    return (len(table) >= 1 and bool(table.active.all())
            and all(set(a) == {"C"} for a in table.supplier_actions)
            and all(set(a) == {"C"} for a in table.receiver_actions))


@pytest.mark.parametrize("temptation", [0.2, 0.5, 1.5])
def test_grim_limit_lands_on_the_closed_form(temptation):
    game = game_of(run_minimal(years=1, utility_temptation=temptation))
    assert game.is_dilemma() and game.punishment == 0.0
    threshold = theory.grim_threshold(game)  # (T - R)/(T - P), from the kernel
    assert 0.05 < threshold < 0.95
    for eps in EPS:
        model = run_minimal(patience=threshold + eps, utility_temptation=temptation, **GRIM)
        assert honoured_throughout(model) == (eps > 0), (eps, threshold)
        if eps < 0:
            assert model.summary()["ended_breach"] == 1


def test_enforced_formal_contract_lowers_the_threshold_to_t_minus_pf():
    over = {"enforcement": 1.0, "formal_penalty": 0.3, "formal_cost": 0.0, **GRIM}
    model = run_minimal(years=1, **over)
    game = game_of(model)
    t_prime = theory.enforced_temptation(game, over["enforcement"], model.summary()["penalty"])
    relaxed = theory.grim_threshold(StageGame(game.reward, game.sucker, t_prime,
                                              game.punishment))
    assert relaxed < theory.grim_threshold(game) - 0.05
    for eps in EPS:
        model = run_minimal(patience=relaxed + eps, **over)
        assert model.exchanges_table().contract.iloc[0] == "formal"
        assert honoured_throughout(model) == (eps > 0), (eps, relaxed)


def least_honouring_patience(**overrides):
    """The least patience (to 0.005) at which both managers honour throughout, by bisection."""
    low, high = 0.0, 0.995
    assert honoured_throughout(run_minimal(patience=high, **overrides))
    while high - low > 0.005:
        mid = (low + high) / 2
        if honoured_throughout(run_minimal(patience=mid, **overrides)):
            high = mid
        else:
            low = mid
    return high


def test_forgiving_trust_needs_more_patience_than_grim():
    """Grim: the least patience that honours is the closed form. Forgiving: none up to 0.99."""
    grim = least_honouring_patience(**GRIM)
    assert grim == pytest.approx(theory.grim_threshold(game_of(run_minimal(years=1))), abs=0.006)
    # a cheat costs 30% of the partner's trust, which honouring wins back: no patience makes
    # honouring throughout worth more than managing the partner's trust
    for patience in (grim + 0.05, 0.9, 0.99):
        assert not honoured_throughout(run_minimal(patience=patience, trust_loss=0.3))


def test_with_the_default_forgiving_trust_managers_cheat_at_every_patience():
    """A single cheat costs a third of the partner's trust and nothing else: it pays."""
    for patience in (0.8, 0.95, 0.99):
        model = run_minimal(years=20, patience=patience)
        s = model.summary()
        assert 0.5 < s["cooperation_rate"] < 0.95, (patience, s["cooperation_rate"])
        assert s["active_exchanges"] == 1


# -- the consistency law on recorded payoffs ---------------------------------------------------


def stage_payoffs(model, exchange=0, side=0):
    """Per-round payoffs of one side, from its recorded actions and the stage game."""
    t = model.exchanges_table().iloc[exchange]
    mine = t.supplier_actions if side == 0 else t.receiver_actions
    theirs = t.receiver_actions if side == 0 else t.supplier_actions
    table = {("C", "C"): t.reward, ("C", "D"): t.sucker, ("D", "C"): t.temptation,
             ("D", "D"): t.punishment}
    return np.array([table[(a, b)] for a, b in zip(mine, theirs, strict=True)]), mine


def _booked(model, years, step=None, honour=None):
    """Run ``model``; the plant's booked payoff per step, with one forced action at ``step``."""
    booked, last = [], 0.0
    for k in range(years * model.steps_per_year):
        if k == step:
            model.take_control("plant")
            model.choose(0, honour)
        model.step()
        if k == step:
            model.release_control("plant")
        total = float(model.ex.payoff[0, 0]) if model.ex.n else 0.0
        booked.append(total - last)
        last = total
    return np.array(booked)


def forced_cheat(step, years, **overrides):
    model = SymbiosisPark("minimal", rng=0, **overrides)
    _booked(model, years, step, honour=False)
    return model


def forced_gain(base, step, years, patience, **overrides):
    """The plant's discounted gain, from ``step`` on, of a forced single cheat at ``step``."""
    pay, _ = stage_payoffs(base)
    forced, _ = stage_payoffs(forced_cheat(step, years, patience=patience, **overrides))
    n = max(pay.size, forced.size)
    a, b = np.zeros(n), np.zeros(n)
    a[:pay.size], b[:forced.size] = pay, forced
    start = int(base.ex.start[0])
    r = step - start
    return float(((b[r:] - a[r:]) * patience ** np.arange(n - r)).sum())


GRID = [(pat, temp, loss) for pat in (0.6, 0.8, 0.95) for temp in (0.2, 1.0)
        for loss in (1.0, 0.7, 0.3)]


@pytest.mark.slow
def test_consistency_law_over_patience_temptation_and_trust_rules():
    years = 50  # 0.95**200 < 4e-5: the horizon does not change the sign of any gain here
    honoured = paid = 0
    for patience, temptation, loss in GRID:
        over = {"utility_temptation": temptation, "trust_loss": loss}
        base = run_minimal(years=years, patience=patience, **over)
        if base.ex.n == 0:
            continue
        start = int(base.ex.start[0])
        alive = int(base.ex.end[0]) if base.ex.end[0] >= 0 else years * 4
        gains = [forced_gain(base, start + r, years, patience, **over) for r in (1, 7, 20)
                 if start + r < alive]
        if not gains:
            continue
        reward = float(base.ex.reward[0, 0])
        if honoured_throughout(base):
            honoured += 1
            assert max(gains) <= 1e-9 * reward, (patience, temptation, loss, gains)
        if max(gains) > 1e-9 * reward:
            paid += 1
            assert not honoured_throughout(base), (patience, temptation, loss, gains)
    assert honoured >= 6 and paid >= 1, (honoured, paid)  # both directions were exercised


@pytest.mark.slow
def test_single_cheats_never_pay_against_the_partner_the_manager_reckons_with():
    """Step by step: at every honour of a forgiving run, a forced cheat does not pay.

    The greenhouse plays a trust-threshold strategy (it honours while it trusts the plant at
    ``trust_threshold``, and ends the exchange below ``trust_exit``), which are the rules the
    plant's valuation reckons with; the plant cheats from time to time, and each of its
    honours is a best response.
    """
    over = {"strategy": "forward_looking", "rival_strategy": "trust_threshold",
            "trust_threshold": 0.5, "trust_loss": 0.3, "adaptation": "imitation",
            "imitation_rate": 0.0}
    for patience in (0.7, 0.9):
        model = SymbiosisPark("minimal", rng=0, patience=patience, **over)
        model.state.strategy_code[model.fac.index_of("greenhouse")] = model.state.strategy_set[1]
        model.state.uniform_strategy = False
        model.run_years(30)
        _, acts = stage_payoffs(model)
        assert 0 < acts.count("D") < len(acts) // 2
        start = int(model.ex.start[0])
        honours = [i for i, a in enumerate(acts) if a == "C" and i > 0][:30:6]
        for r in honours:
            gain = _forced_gain_mixed(model, start + r, 30, patience, over)
            assert gain <= 1e-9 * float(model.ex.reward[0, 0]), (patience, r, gain)


def _forced_gain_mixed(base, step, years, patience, over):
    pay, _ = stage_payoffs(base)
    model = SymbiosisPark("minimal", rng=0, patience=patience, **over)
    model.state.strategy_code[model.fac.index_of("greenhouse")] = model.state.strategy_set[1]
    model.state.uniform_strategy = False
    for k in range(years * model.steps_per_year):
        if k == step:
            model.take_control("plant")
            model.choose(0, False)
        model.step()
        if k == step:
            model.release_control("plant")
    forced, _ = stage_payoffs(model)
    n = max(pay.size, forced.size)
    a, b = np.zeros(n), np.zeros(n)
    a[:pay.size], b[:forced.size] = pay, forced
    r = step - int(base.ex.start[0])
    return float(((b[r:] - a[r:]) * patience ** np.arange(n - r)).sum())


# -- safeguards: a lost trust costs every round until it is earned back -----------------------


def recorded_payoffs(years, patience, cheat_at=None, honour_at=None, **overrides):
    """The plant's payoff in each step, as the model books it (safeguards included).

    ``cheat_at`` forces one cheat at that step, ``honour_at`` one honour.
    """
    model = SymbiosisPark("minimal", rng=0, patience=patience, **overrides)
    step = cheat_at if cheat_at is not None else honour_at
    return model, _booked(model, years, step, honour=honour_at is not None)


@pytest.mark.slow
def test_consistency_law_holds_on_booked_payoffs_with_safeguards():
    """Forgiving trust, with the partner demanding safeguards for its distrust.

    Without safeguards no patience makes honouring throughout a best response when trust
    forgives (test above); with them a seen cheat costs the cheater every round until the trust
    is won back, so patient managers honour. Either way a forced single cheat, valued on the
    payoffs the model books, never pays where the manager honours, and where it pays the
    manager does not honour.
    """
    years = 40
    honoured = paid = 0
    for patience in (0.6, 0.8, 0.95):
        for temptation in (0.2, 1.0):
            for safeguard in (0.3, 0.8):
                over = {"utility_temptation": temptation, "trust_loss": 0.3,
                        "safeguard_cost": safeguard}
                base, pay = recorded_payoffs(years, patience, **over)
                if base.ex.n == 0:
                    continue
                start = int(base.ex.start[0])
                alive = int(base.ex.end[0]) if base.ex.end[0] >= 0 else years * 4
                gains = []
                for r in (r for r in (1, 9) if start + r < alive):
                    _, forced = recorded_payoffs(years, patience, cheat_at=start + r, **over)
                    diff = (forced - pay)[start + r:]
                    gains.append(float((diff * patience ** np.arange(diff.size)).sum()))
                if not gains:
                    continue
                reward = float(base.ex.reward[0, 0])
                if honoured_throughout(base):
                    honoured += 1
                    assert max(gains) <= 1e-9 * reward, (patience, temptation, safeguard, gains)
                if max(gains) > 1e-9 * reward:
                    paid += 1
                    assert not honoured_throughout(base), (patience, temptation, safeguard)
    assert honoured >= 3 and paid >= 1, (honoured, paid)  # both directions were exercised


def forced_honour_gains(patience, judged_at=None, years=40):
    """The plant's discounted gain of a forced honour at each of its first cheats (up to three
    per cell), over temptation and trust rules, on booked payoffs; discounted with
    ``judged_at`` (default: the manager's own patience)."""
    judged_at = patience if judged_at is None else judged_at
    gains = []
    for temptation in (0.2, 1.0):
        for loss, safeguard in ((0.7, 0.0), (0.3, 0.0), (0.3, 0.3)):
            over = {"utility_temptation": temptation, "trust_loss": loss,
                    "safeguard_cost": safeguard}
            base, pay = recorded_payoffs(years, patience, **over)
            if base.ex.n == 0:
                continue
            _, acts = stage_payoffs(base)
            start, reward = int(base.ex.start[0]), float(base.ex.reward[0, 0])
            for r in [i for i, a in enumerate(acts) if a == "D" and i > 0][:3]:
                model, forced = recorded_payoffs(years, patience, honour_at=start + r, **over)
                assert stage_payoffs(model)[1][r] == "C"  # the forced round is round r
                diff = (forced - pay)[start + r:]
                gains.append(float((diff * judged_at ** np.arange(diff.size)).sum()) / reward)
    return gains


@pytest.mark.slow
def test_where_a_manager_cheats_a_forced_single_honour_does_not_pay():
    """The law's other side: the rational manager's cheats are best responses too.

    A valuation that misjudged the model's responses could license cheats that cost more than
    they gain; then the forced honour would pay. The check can fail: a manager who discounts
    at 0.6 fails it when judged at 0.95. It does not reach the one response the valuation
    leaves out (trustsim.park.decisions): where the plant cheats here its contract is spot,
    which the yearly review leaves as it is.
    """
    gains = [g for patience in (0.6, 0.8, 0.95) for g in forced_honour_gains(patience)]
    assert len(gains) >= 15, len(gains)  # enough cheats were put to the test
    assert max(gains) <= 1e-9, max(gains)
    assert max(forced_honour_gains(0.6, judged_at=0.95)) > 1e-9


def _forced_in_expectation(over, patience, seeds, years=30, round_=6):
    """Gains (in R) of a forced deviation at round ``round_`` of the exchange, one per seed:
    (cheats forced where the plant honours, honours forced where it cheats)."""
    cheat_gains, honour_gains = [], []
    for seed in range(seeds):
        base = SymbiosisPark("minimal", rng=seed, patience=patience, **over)
        pay = _booked(base, years)
        if base.ex.n == 0 or base.ex.rounds[0] <= round_:
            continue
        honours = base.exchanges_table().supplier_actions.iloc[0][round_] == "C"
        step = int(base.ex.start[0]) + round_
        forced = SymbiosisPark("minimal", rng=seed, patience=patience, **over)
        diff = (_booked(forced, years, step, not honours) - pay)[step:]
        gain = float((diff * patience ** np.arange(diff.size)).sum()) / float(base.ex.reward[0, 0])
        (cheat_gains if honours else honour_gains).append(gain)
    return np.array(cheat_gains), np.array(honour_gains)


@pytest.mark.slow
def test_consistency_law_in_expectation_when_partners_misread():
    """With misperception one path settles nothing, so the law is tested as a mean over seeds.

    Here the yearly review does act: a relational contract whose trust is misread away falls to
    spot (61 and 502 times over these seeds), which changes no payoff. A forced cheat where the
    plant honours loses on average; a forced honour where it cheats does not gain beyond the
    noise (the mean's 95% interval reaches 0).
    """
    for over in ({"misperception": 0.05, "trust_loss": 0.7},
                 {"misperception": 0.1, "trust_loss": 0.3, "safeguard_cost": 0.3}):
        cheats, honours = _forced_in_expectation({**over, "utility_temptation": 0.2}, 0.95, 150)
        assert cheats.size >= 50 and honours.size >= 10, (cheats.size, honours.size)
        half = 1.96 * cheats.std(ddof=1) / np.sqrt(cheats.size)
        assert cheats.mean() + half < 0.0, (over, cheats.mean(), half)
        half = 1.96 * honours.std(ddof=1) / np.sqrt(honours.size)
        assert honours.mean() - half <= 0.0, (over, honours.mean(), half)


def test_safeguards_make_patient_managers_honour_where_forgiving_trust_alone_does_not():
    over = {"trust_loss": 0.3}
    assert not honoured_throughout(run_minimal(years=20, patience=0.95, **over))
    assert honoured_throughout(run_minimal(years=20, patience=0.95, safeguard_cost=0.5, **over))
    impatient = run_minimal(years=20, patience=0.5, safeguard_cost=0.5, **over)
    assert not honoured_throughout(impatient)
