"""The Python API refuses bad input as cleanly as the CLI: UserError naming what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trustsim import simulate
from trustsim.errors import UserError
from trustsim.park.model import SymbiosisPark


@pytest.fixture(scope="module")
def park():
    model = SymbiosisPark("minimal", rng=3)
    model.run_years(2)
    return model


def test_numpy_scalars_are_numbers():
    model = SymbiosisPark(
        "region", rng=np.int64(4), patience=np.float32(0.5), n_facilities=np.int64(30),
        broker_registry=np.bool_(True),
    )
    assert model.params["patience"] == 0.5 and type(model.params["patience"]) is float
    assert model.params["n_facilities"] == 30 and type(model.params["n_facilities"]) is int
    assert model.params["broker_registry"] is True
    same = SymbiosisPark("region", rng=4, patience=0.5, n_facilities=30, broker_registry=True)
    assert model.summary() == same.summary()


@pytest.mark.parametrize("rng", [-1, 1.5, "abc", True, [1, 2], np.float64(2.0)])
def test_bad_rng_values(rng):
    with pytest.raises(UserError, match="rng must be None, a whole number >= 0"):
        SymbiosisPark("minimal", rng=rng)


@pytest.mark.parametrize(
    "rng", [None, 0, np.int32(5), np.random.SeedSequence(1), np.random.PCG64(2),
            np.random.default_rng(3)]
)
def test_good_rng_values(rng):
    SymbiosisPark("minimal", rng=rng)


@pytest.mark.parametrize("years", [math.nan, math.inf, "5", None, -1, 1e7, True])
def test_bad_run_years(park, years):
    with pytest.raises(UserError, match=r"years must be a number in \[0, 1000\]"):
        park.run_years(years)


def test_run_years_takes_numpy_numbers():
    model = SymbiosisPark("minimal", rng=1)
    model.run_years(np.float64(1.5))
    assert model.step_count == 6


@pytest.mark.parametrize("step", [-1, 2.5, 10**6, "3", True])
def test_bad_network_steps(park, step):
    with pytest.raises(UserError, match=r"step must be a whole number in \[0, 8\]"):
        park.network(step)


def test_network_at_every_step_it_has_run(park):
    assert park.network(0).number_of_nodes() >= 1
    assert park.network(np.int64(8)).number_of_edges() == park.network().number_of_edges()


def test_simulate_refuses_bad_years():
    with pytest.raises(UserError, match=r"years must be in \[0, 1000\]"):
        simulate("minimal", seed=1, years=math.nan)
