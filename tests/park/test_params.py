import math

import pytest

from trustsim.errors import UserError
from trustsim.game.strategies import STRATEGIES
from trustsim.park.params import PARAMETERS, defaults, strategy_choices, validate_overrides

REQUIRED = [
    "strategy", "patience", "noise", "turnover_rate", "social_cohesion", "gossip_reach",
    "broker_year", "enforcement", "regulatory_reform_year", "landfill_tax", "search_radius_km",
    "institutional_memory", "sanction_strength",
]


def test_required_parameters_documented():
    for name in REQUIRED:
        p = PARAMETERS[name]
        assert p.unit and p.doc
    for p in PARAMETERS.values():
        assert p.doc, p.name
        assert p.unit, p.name
        # every default is itself valid
        assert validate_overrides({p.name: p.default}) == {p.name: p.default}


def test_strategy_choices_cover_kernel():
    assert set(STRATEGIES) < set(strategy_choices())
    assert "forward_looking" in strategy_choices()
    assert validate_overrides({"strategy": "tit_for_tat"}) == {"strategy": "tit_for_tat"}


def test_unknown_name_suggests_closest():
    with pytest.raises(UserError, match="unknown parameter 'patiense'.*'patience'"):
        validate_overrides({"patiense": 0.9})


def test_out_of_range_names_parameter_and_range():
    with pytest.raises(UserError, match=r"noise must be in \[0, 0.5\]"):
        validate_overrides({"noise": 0.7})
    with pytest.raises(UserError, match=r"gossip_reach must be in \[0, 5\]"):
        validate_overrides({"gossip_reach": 9})
    with pytest.raises(UserError, match="patience"):
        validate_overrides({"patience": math.nan})


def test_wrong_types():
    with pytest.raises(UserError, match="noise must be a number"):
        validate_overrides({"noise": "lots"})
    with pytest.raises(UserError, match="noise must be a number"):
        validate_overrides({"noise": True})
    with pytest.raises(UserError, match="gossip_reach must be a whole number"):
        validate_overrides({"gossip_reach": 1.5})
    with pytest.raises(UserError, match="broker_registry must be true or false"):
        validate_overrides({"broker_registry": 1})
    with pytest.raises(UserError, match="strategy must be one of.*did you mean 'tit_for_tat'"):
        validate_overrides({"strategy": "tit_for_tatt"})


def test_strings_from_command_line_are_parsed():
    out = validate_overrides({"noise": "0.1", "gossip_reach": "2", "broker_year": "none",
                              "regulatory_reform_year": "1995", "broker_registry": "off"})
    assert out == {"noise": 0.1, "gossip_reach": 2, "broker_year": None,
                   "regulatory_reform_year": 1995, "broker_registry": False}
    with pytest.raises(UserError, match="broker_year must be a year"):
        validate_overrides({"broker_year": "1700"})


def test_defaults_complete():
    assert set(defaults()) == set(PARAMETERS)


def test_region_seed_range_and_none():
    assert PARAMETERS["region_seed"].default == -1
    assert validate_overrides({"region_seed": 0}) == {"region_seed": 0}
    assert validate_overrides({"region_seed": 2**32 - 1}) == {"region_seed": 2**32 - 1}
    assert validate_overrides({"region_seed": "none"}) == {"region_seed": -1}
    assert validate_overrides({"region_seed": "17"}) == {"region_seed": 17}
    allowed = r"region_seed must be a whole number in \[0, 4294967295\], or -1 for none"
    for bad in (-2, 2**32, -100):
        with pytest.raises(UserError, match=allowed):
            validate_overrides({"region_seed": bad})
    with pytest.raises(UserError, match="region_seed must be a whole number"):
        validate_overrides({"region_seed": 1.5})
    with pytest.raises(UserError, match=f"{allowed}, got 'lots'"):
        validate_overrides({"region_seed": "lots"})
    with pytest.raises(UserError, match=f"{allowed}, got True"):
        validate_overrides({"region_seed": True})
