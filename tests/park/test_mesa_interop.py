"""The park as a Mesa citizen: DataCollector for mesa.batch_run, rng=, user strategies."""

import re
from importlib import resources

import mesa
import numpy as np
import pandas as pd
import pytest

from trustsim.errors import UserError
from trustsim.game.strategies import STRATEGIES, Strategy, register
from trustsim.park.model import SymbiosisPark


def test_batch_run_reads_the_time_series_through_the_datacollector():
    rows = mesa.batch_run(
        SymbiosisPark, {"scenario": "minimal", "patience": [0.3, 0.95]}, rng=[1, 2],
        max_steps=40, data_collection_period=1, display_progress=False,
    )
    table = pd.DataFrame(rows)
    assert len(table) == 2 * 2 * 40
    for (patience, seed), run in table.groupby(["patience", "rng"]):
        park = SymbiosisPark("minimal", rng=int(seed), patience=float(patience))
        for _ in range(40):
            park.step()
        expected = park.timeseries()
        assert run["Step"].tolist() == list(range(1, 41))
        for column in expected.columns:
            np.testing.assert_array_equal(run[column].to_numpy(), expected[column].to_numpy())
    low, high = (table[table.patience == p].active_exchanges.iloc[-1] for p in (0.3, 0.95))
    assert low < high  # the levels differ, so the columns are not a constant fill


def test_datacollector_dataframe_equals_timeseries_and_keeps_up_with_steps():
    park = SymbiosisPark("kalundborg", rng=3)
    park.run_years(5)
    pd.testing.assert_frame_equal(
        park.datacollector.get_model_vars_dataframe(), park.timeseries(), check_dtype=False
    )
    park.run_years(1)
    assert len(park.datacollector.get_model_vars_dataframe()) == len(park.timeseries()) == 24


def test_seed_keyword_points_to_rng():
    with pytest.raises(UserError, match=r"rng="):
        SymbiosisPark("minimal", seed=3)


@pytest.fixture
def every_third_turn():
    @register
    class EveryThirdTurn(Strategy):
        """Defects on every third round with a partner, whatever happens.

        Names:
            - test strategy
        """

        key, name = "test_every_third_turn", "Every Third Turn"
        classifier = {"memory_depth": 0, "stochastic": False, "uses_trust": False,
                      "uses_reputation": False}

        def decide(self, history, u):
            return history.turn % 3 == 2

    yield EveryThirdTurn.key
    del STRATEGIES[EveryThirdTurn.key]


def test_a_user_registered_strategy_plays_every_exchange_in_the_park(every_third_turn):
    park = SymbiosisPark("kalundborg", rng=2, strategy=every_third_turn, noise=0.0,
                         turnover_rate=0.0, variability_scale=0.0)
    park.run_years(30)
    table = park.exchanges_table()
    played = table[table.rounds >= 3]
    assert len(played) >= 3
    for actions in pd.concat([played.supplier_actions, played.receiver_actions]):
        expected = "".join("D" if i % 3 == 2 else "C" for i in range(len(actions)))
        assert actions == expected


def test_the_documented_strategy_example_runs():
    text = resources.files("trustsim").joinpath("docs", "manager_behaviour.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    try:
        namespace = {}
        exec(compile(block, "manager_behaviour.md", "exec"), namespace)
        assert namespace["park"].params["strategy"] == "wary_reciprocator"
        assert namespace["park"].ex.n > 0
    finally:
        STRATEGIES.pop("wary_reciprocator", None)
