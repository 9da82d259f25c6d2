"""Each mechanism switch an experiment's [claim] names is the model with that mechanism removed.

For every switch (a parameter set to its "off" value), the same run with the mechanism's code
taken out (the submodel replaced by one without the term, or the scenario built without the
feature) must give bit-identical tables: time series, exchanges and summary. So an ablation
panel measures the model without the mechanism, not a model with it turned low.
"""

import importlib.util
import tomllib
from pathlib import Path

import numpy as np
import pytest

from trustsim.figures.core import SPEC_DIR
from trustsim.park import deals as park_deals
from trustsim.park import decisions as park_decisions
from trustsim.park import discovery as park_discovery
from trustsim.park import entry as park_entry
from trustsim.park import negotiation
from trustsim.park import observation as park_observation
from trustsim.park import state as park_state
from trustsim.park import switching as park_switching
from trustsim.park import trust as park_trust
from trustsim.park.model import SymbiosisPark
from trustsim.park.state import ParkState

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("model_digest", ROOT / "scripts" / "model_digest.py")
model_digest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(model_digest)


def _no_gossip(mp):  # no news travels over ties, and forward-looking managers know it
    mp.setattr(park_trust, "gossip", lambda *args, **kwargs: 0)
    mp.setattr(park_decisions, "tie_distances",
               lambda ties, active, source, excluded, reach: np.full(active.shape[0], np.inf))


def _no_tie_discovery(mp):
    def rates(own_rate, pair, in_broker_range, ties, trust, params, broker_active):
        rate = own_rate.copy()
        if broker_active:
            rate += np.where(in_broker_range, params["broker_rate"], 0.0)
        return rate

    mp.setattr(park_discovery, "discovery_rates", rates)


def _no_tie_trust(mp):
    from trustsim.park.trust import image_score

    def effective(self, key):  # ParkState.effective_trust without the tie's trust
        met, own = self.met.flat[key], self.trust.flat[key]
        t = np.where(met, own, np.minimum(1.0, own))
        if self.params["broker_registry"] and self.broker_active():
            b = key % self.fac.n
            rep = image_score(self.rep_c[b], self.rep_d[b])
            shifted = np.clip(t + self.params["reputation_weight"] * (rep - 0.5), 0.0, 1.0)
            t = np.where(met, t, shifted)
        return t

    mp.setattr(ParkState, "effective_trust", effective)


def _no_ties(mp):
    _no_tie_discovery(mp)
    _no_tie_trust(mp)


def _no_regulation(mp):
    mp.setattr(negotiation, "regulatory_cost", lambda gross, *args: np.zeros_like(gross))


def _no_landfill_tax(mp):
    mp.setattr(negotiation, "landfill_tax", lambda year, params: 0.0)


def _no_distance_cost(mp):
    arrays = park_state.resource_arrays

    def free_distance():
        rs = arrays()
        return {**rs, "transport": np.zeros_like(rs["transport"]),
                "infra_per_km": np.zeros_like(rs["infra_per_km"])}

    mp.setattr(park_state, "resource_arrays", free_distance)


def _no_corridors(mp):
    def economics(s, idx, volume, year):  # the economics before corridors: the same pair
        return negotiation.economics(
            s.terms, idx, volume=volume, has_infra=s.infra.flat[s.cand_pair[idx]],
            params=s.params, year=year, energy_index=s.energy_index(year))

    for module in (park_deals, park_switching, park_observation):
        mp.setattr(module, "match_economics", economics)


def _same_coordination(mp):  # every match coordinated at a utility's cost
    terms = negotiation.MatchTerms.from_candidates.__func__

    def same(cls, **kwargs):
        out = terms(cls, **kwargs)
        out.coordination = np.full_like(out.coordination, kwargs["params"]["coordination_cost"])
        return out

    mp.setattr(negotiation.MatchTerms, "from_candidates", classmethod(same))


def _no_relet(mp):
    mp.setattr(park_entry, "relet", lambda s, rng, vacant, t: np.zeros(0, dtype=np.int64))


def _no_closures(mp):
    from trustsim.park.facilities import FacilityTable

    build = FacilityTable.from_spec.__func__

    def robust(cls, spec, steps_per_year):
        table = build(cls, spec, steps_per_year)
        table.fragility[:] = 0.0
        return table

    mp.setattr(FacilityTable, "from_spec", classmethod(robust))


def _no_low_trust_exit(mp):  # no exchange ends on low trust, and the managers know it
    from dataclasses import replace

    from trustsim.park import model as park_model
    from trustsim.park import operation as park_operation

    real = park_decisions.rules_for

    def rules(*args):
        return replace(real(*args), exit_below=0.0)

    mp.setattr(park_decisions, "rules_for", rules)
    mp.setattr(park_operation, "rules_for", rules)
    mp.setattr(park_model, "terminate", lambda s, ro, res, t: None)


#: Noisy play, so that defections happen and gossip and trust have something to act on.
NOISY = {"noise": 0.05, "misperception": 0.05}

#: Switch (its settings, sorted) -> (the mechanism removed, scenario, overrides, overrides that
#: turn the mechanism on where the scenario's defaults leave it off).
REMOVED = {
    (("gossip_reach", 0),): (_no_gossip, "kalundborg", NOISY, {}),
    (("tie_discovery_rate", 0.0),): (_no_tie_discovery, "kalundborg", {}, {}),
    (("tie_trust", 0.0),): (_no_tie_trust, "kalundborg", {}, {}),
    (("tie_discovery_rate", 0.0), ("tie_trust", 0.0)): (_no_ties, "kalundborg", {}, {}),
    (("liability_share", 0.0), ("permit_cost", 0.0)): (_no_regulation, "kalundborg", {}, {}),
    (("landfill_tax", 0.0),): (_no_landfill_tax, "kalundborg", {}, {}),
    (("distance_cost_scale", 0.0),): (_no_distance_cost, "region", {"n_facilities": 60}, {}),
    (("corridor_km", 0.0),): (_no_corridors, "region", {"n_facilities": 60, "region_km": 10.0},
                              {"corridor_km": 3.0}),
    (("byproduct_coordination", 1.0),): (_same_coordination, "kalundborg", {}, {}),
    (("relet_rate", 0.0),): (_no_relet, "planned_eip", {"fragility_scale": 3.0},
                             {"relet_rate": 2.0}),
    (("fragility_scale", 0.0),): (_no_closures, "planned_eip", {}, {}),
    (("trust_exit", 0.0),): (_no_low_trust_exit, "kalundborg", NOISY, {}),
}

#: Switches with no separate code path to take out, and why.
EXEMPT = {
    # "none" is how the model is built without a broker: there is nothing else to compare
    (("broker_year", "none"),): "the model without a broker is broker_year = none itself",
    # the planned park's six handicaps removed together: each is a scenario input, not code
    (("broker_year", 2000), ("entry_spread_years", 20.0), ("fragility_scale", 0.0),
     ("region_km", 5.0), ("social_cohesion", 0.8), ("tenant_scale", 1.0)):
        "scenario inputs at other values (E5's factorial), not a mechanism's code",
    (("byproduct_trust", 0.4),):
        "the by-products' trust threshold at the utilities' (0.4): one threshold, one path",
    (("search_distance_cost", 0.0), ("search_radius_km", 2000.0)):
        "the own-search rate and radius at values that no longer limit search",
    # E1, E4: the model without adaptation is adaptation = none itself (no revision step runs)
    (("adaptation", "none"),): "the model without adaptation is adaptation = none itself",
    # E1, E4: a seen cheat's trust loss, t - 0 * t, is t exactly in floating point, in the
    # operation, gossip, registry and the managers' foresight alike: no other path to remove
    (("trust_loss", 0.0),): "a zero trust loss leaves every trust exactly as it was",
    # E10: the same for the gain after an honoured round, t + 0 * (1 - t)
    (("trust_gain", 0.0),): "a zero trust gain leaves every trust exactly as it was",
}


def claim_switches():
    """(spec file, switch name, settings key) of every switch in every spec's [claim]."""
    out = []
    for path in sorted(SPEC_DIR.glob("E*.toml")):
        claims = tomllib.loads(path.read_text()).get("claim", [])
        for claim in claims if isinstance(claims, list) else [claims]:
            for table in [claim["mechanism"], *claim.get("rivals", [])]:
                if table.get("set"):
                    out.append((path.name, table["name"], tuple(sorted(table["set"].items()))))
    return out


def test_every_claim_switch_is_tested_or_exempt_with_a_reason():
    missing = [(f, n) for f, n, key in claim_switches() if key not in REMOVED and key not in EXEMPT]
    assert not missing
    assert len({f for f, _, _ in claim_switches()}) >= 10  # E1-E10 (E5 and E6: one spec each)


#: Years run per scenario (long enough for every mechanism here to act).
YEARS = {"kalundborg": 45, "region": 10, "planned_eip": 15}


def tables(scenario, overrides):
    """Hashes of the time series, exchanges and summary of one run (seed 1)."""
    model = SymbiosisPark(scenario, rng=1, **overrides)
    model.run_years(YEARS[scenario])
    return (model_digest._hash_frame(model.timeseries()),
            model_digest._hash_frame(model.exchanges_table()),
            model_digest._hash_summary(model.summary()))


@pytest.mark.parametrize("key", list(REMOVED), ids=lambda k: "+".join(p for p, _ in k))
def test_switch_off_is_bit_identical_to_the_mechanism_removed(key, monkeypatch):
    remove, scenario, extra, on = REMOVED[key]
    switched = tables(scenario, {**extra, **dict(key)})
    with monkeypatch.context() as mp:
        remove(mp)
        removed = tables(scenario, {**extra, **on})
    assert switched == removed
    # the mechanism does something in this run, so the two are not both null runs
    if key in NULL_NOW:
        pytest.xfail(NULL_NOW[key])  # reported: the switch is exact, the mechanism idle here
    assert tables(scenario, {**extra, **on}) != removed


#: Mechanisms that no longer change this run under the earned-cooperation decision rule
#: (issue 12), so the bit-identity above is checked but not the effect: to re-examine.
NULL_NOW = {
    (("tie_trust", 0.0),): "trust lent by ties changes no Kalundborg deal now (every new deal "
                           "already clears its trust threshold or fails its contract)",
    (("landfill_tax", 0.0),): "the landfill tax changes no Kalundborg deal now",
    (("trust_exit", 0.0),): "under the full refit (120 x 6) no exchange of this noisy Kalundborg "
                            "run (seed 1, 45 years) ends on low trust, so the switch is checked "
                            "exact but has nothing to switch off here",
}
