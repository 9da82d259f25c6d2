"""Evolutionary dynamics of two types: well-mixed, on graphs, and Nowak-May's spatial game.

- :mod:`~trustsim.game.evolution.fixation`: closed-form fixation probabilities (Moran, Fermi).
- :mod:`~trustsim.game.evolution.wellmixed`: Monte Carlo Moran and pairwise-comparison processes.
- :mod:`~trustsim.game.evolution.graph`: the donation game on a graph, birth-death and death-birth.
- :mod:`~trustsim.game.evolution.spatial`: Nowak and May's spatial dilemma on a torus.
- :mod:`~trustsim.game.evolution.matches`: the 2x2 payoff matrix of two strategies from matches.

Payoffs of two types are a 2x2 matrix indexed ``[my_type, their_type]`` (a
``trustsim.game.games.StageGame`` works too, through its ``.matrix()``); type 0 is the mutant whose
fixation is measured (cooperators, for a stage game).
"""

from trustsim.game.evolution.fixation import (
    constant_fitness_fixation_probability,
    fermi_fixation_probability,
    moran_fixation_probability,
    neutral_fixation_probability,
    type_payoffs,
)
from trustsim.game.evolution.graph import (
    adjacency_matrix,
    db_critical_ratio,
    simulate_graph_fixation,
)
from trustsim.game.evolution.matches import match_payoff_matrix
from trustsim.game.evolution.spatial import (
    CHAOTIC_SHARE,
    NowakMayRun,
    nowak_may_run,
    nowak_may_scores,
    nowak_may_shares,
    nowak_may_step,
    nowak_may_sweep,
)
from trustsim.game.evolution.wellmixed import (
    FixationEstimate,
    fermi_adoption,
    simulate_fermi,
    simulate_moran,
)

__all__ = [
    "CHAOTIC_SHARE",
    "FixationEstimate",
    "NowakMayRun",
    "adjacency_matrix",
    "constant_fitness_fixation_probability",
    "db_critical_ratio",
    "fermi_adoption",
    "fermi_fixation_probability",
    "match_payoff_matrix",
    "moran_fixation_probability",
    "neutral_fixation_probability",
    "nowak_may_run",
    "nowak_may_scores",
    "nowak_may_shares",
    "nowak_may_step",
    "nowak_may_sweep",
    "simulate_fermi",
    "simulate_graph_fixation",
    "simulate_moran",
    "type_payoffs",
]
